//! The `junction` binary; everything it does is in [`junction::cli`].

// The response path allocates many small JSON nodes; mimalloc cut the
// gateway's CPU per heavy-query request measurably against glibc malloc
// (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    junction::cli::main()
}
