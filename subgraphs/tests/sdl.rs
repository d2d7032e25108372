//! The subgraph SDLs checked in under `subgraphs/schema/` are the ones the subgraphs serve.
//!
//! Regenerate them with `UPDATE_SDL=1 cargo test -p junction-subgraphs --test sdl`.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use junction_subgraphs::{sdl, SUBGRAPH_NAMES};

fn checked_in_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("schema")
        .join(format!("{name}.graphql"))
}

#[test]
fn checked_in_sdl_matches_each_subgraph() {
    let update = std::env::var_os("UPDATE_SDL").is_some_and(|value| value == "1");
    let mut stale = Vec::new();
    for name in SUBGRAPH_NAMES {
        let served = sdl(name).unwrap();
        let path = checked_in_path(name);
        if update {
            std::fs::write(&path, &served).unwrap();
            continue;
        }
        let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
        if checked_in != served {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "subgraph SDL changed; these files are stale: {stale:?}\n\
         regenerate with: UPDATE_SDL=1 cargo test -p junction-subgraphs --test sdl"
    );
}

#[test]
fn sdl_is_none_for_an_unknown_subgraph() {
    assert_eq!(sdl("billing"), None);
}
