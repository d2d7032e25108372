//! The kit both harnesses of this crate share: running the gateway under test as a
//! child process ([`gateway`]), talking HTTP/1.1 to it ([`client`]), reading its CPU
//! time and memory from `/proc` ([`proc_stats`]), stopping cleanly on Ctrl-C or
//! SIGTERM ([`signals`]), and naming the workspace, binary and commit measured
//! ([`workspace`]).
//!
//! The harnesses themselves are the binaries under `src/bin/`: `junction-loadbench`
//! (throughput and latency of the heavy query) and `junction-hostile` (one hostile
//! request at a time, against the gateway's default limits).

pub mod client;
pub mod gateway;
pub mod proc_stats;
pub mod signals;
pub mod workspace;
