//! The demo supergraph `schema/supergraph.graphql` is what `junction compose` makes of
//! the demo subgraphs' SDL files listed in `subgraphs/schema/subgraphs.yaml`.
//!
//! That those SDL files are the ones the subgraphs serve is checked by
//! `subgraphs/tests/sdl.rs`. After changing a demo subgraph, regenerate both:
//!
//! ```sh
//! UPDATE_SDL=1 cargo test -p junction-subgraphs --test sdl
//! cargo run -- compose --subgraphs subgraphs/schema/subgraphs.yaml > schema/supergraph.graphql
//! ```

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use junction::compose::compare::compare_supergraphs;
use junction::compose::{compose, read_subgraph_list};

const REGENERATE: &str =
    "cargo run -- compose --subgraphs subgraphs/schema/subgraphs.yaml > schema/supergraph.graphql";

fn repository_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn demo_supergraph_is_the_composed_demo_subgraphs() {
    let inputs = read_subgraph_list(&repository_file("subgraphs/schema/subgraphs.yaml")).unwrap();
    let composed = compose(&inputs).unwrap_or_else(|errors| {
        panic!("the demo subgraphs do not compose: {errors:?}");
    });
    let checked_in = std::fs::read_to_string(repository_file("schema/supergraph.graphql")).unwrap();
    // `junction compose` ends its output with a newline.
    if checked_in.strip_suffix('\n').unwrap_or(&checked_in) != composed {
        let differences = compare_supergraphs(&composed, &checked_in);
        let meaning = if differences.is_empty() {
            "none, only formatting".to_owned()
        } else {
            format!(
                "(ours: composed, theirs: checked in)\n  {}",
                differences.join("\n  ")
            )
        };
        panic!(
            "schema/supergraph.graphql is stale; regenerate it with:\n  {REGENERATE}\n\
             differences in meaning: {meaning}"
        );
    }
}
