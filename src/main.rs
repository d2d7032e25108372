//! The `junction` binary; everything it does is in [`junction::cli`].

fn main() -> std::process::ExitCode {
    junction::cli::main()
}
