//! Federation correctness beyond the audit (issue 11): valid queries of
//! every shape planned into valid subgraph operations and answered as the
//! spec says, on our own fixture subgraphs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod classes;
mod scalars;
mod validation;
