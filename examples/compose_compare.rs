//! Composes subgraph sets and compares each result, by meaning, with a
//! supergraph another composer produced for the same set.
//!
//! ```sh
//! cargo run --release --example compose_compare -- DIR...
//! ```
//! Each DIR holds `subgraphs.json` (a list of `{name, url, sdl}`) and
//! `supergraph.graphql` (the reference). For the federation gateway audit,
//! save each suite's `/<suite>/subgraphs` and `/<suite>/supergraph` there.
//! Prints one line per set and the differences of those that differ; the
//! exit status is 1 unless every set composes and is equal in meaning.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use junction::compose::compare::compare_supergraphs;
use junction::compose::{compose, read_subgraph_list};

fn main() -> ExitCode {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!(
            "usage: compose_compare DIR... (each with subgraphs.json and supergraph.graphql)"
        );
        return ExitCode::FAILURE;
    }
    let mut equal = 0;
    let started = Instant::now();
    for dir in &dirs {
        match check(Path::new(dir)) {
            Ok(()) => {
                equal += 1;
                println!("equal    {dir}");
            }
            Err(problems) => {
                println!("DIFFERS  {dir}");
                for problem in problems {
                    println!("         {problem}");
                }
            }
        }
    }
    println!(
        "{equal}/{} equal in meaning ({:.0?} in all)",
        dirs.len(),
        started.elapsed()
    );
    if equal == dirs.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn check(dir: &Path) -> Result<(), Vec<String>> {
    let inputs =
        read_subgraph_list(&dir.join("subgraphs.json")).map_err(|e| vec![e.to_string()])?;
    let reference = std::fs::read_to_string(dir.join("supergraph.graphql"))
        .map_err(|e| vec![format!("cannot read supergraph.graphql: {e}")])?;
    let ours = compose(&inputs).map_err(|errors| {
        errors
            .iter()
            .map(|e| format!("composition failed: {e}"))
            .collect::<Vec<_>>()
    })?;
    if let Err(e) = junction::supergraph::Supergraph::parse(&ours) {
        return Err(vec![format!("our supergraph does not load: {e}")]);
    }
    let differences = compare_supergraphs(&ours, &reference);
    if differences.is_empty() {
        Ok(())
    } else {
        Err(differences)
    }
}
