//! `junction compose`: compose a subgraph list file into a supergraph on
//! stdout; composition errors on stderr, one per line with code and
//! locations (`CODE: message (at subgraph:line:column, …)`), nothing
//! else, and exit status 1.

use std::io::Write;

use anyhow::Context;

use super::{AlreadyReported, ComposeArgs};
use crate::compose::{compose, read_subgraph_list};

pub fn run(args: &ComposeArgs) -> anyhow::Result<()> {
    let inputs = read_subgraph_list(&args.subgraphs)?;
    match compose(&inputs) {
        Ok(supergraph) => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{supergraph}").context("cannot write the supergraph")?;
            Ok(())
        }
        Err(errors) => {
            let mut stderr = std::io::stderr().lock();
            for error in &errors {
                // Nothing more useful to do if stderr is gone.
                let _ = writeln!(stderr, "{}", error.located());
            }
            Err(AlreadyReported.into())
        }
    }
}
