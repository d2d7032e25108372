//! The sets the harness composes: where each came from (a base set, a
//! mutation of one, a hand-written case), reading the hand-written cases
//! from `cases/`, and writing a set as the `[{name, url, sdl}]` JSON both
//! composers read.

use std::path::Path;

use anyhow::{Context, Result};
use junction::compose::{read_subgraph_list, SubgraphInput};

/// Where a set came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// A base set as written (the repository's fixtures and the harness's own).
    Base,
    /// A base set with one mutation rule applied.
    Generated,
    /// A hand-written case from `cases/`.
    Case,
}

impl Origin {
    pub fn label(self) -> &'static str {
        match self {
            Origin::Base => "base",
            Origin::Generated => "generated",
            Origin::Case => "case",
        }
    }
}

/// One set of subgraphs to compose with both composers.
#[derive(Clone, Debug)]
pub struct Set {
    pub name: String,
    pub origin: Origin,
    /// The mutation rule (`-` for base sets, `case` for hand-written ones).
    pub rule: String,
    /// The base set a mutation started from (`-` for cases).
    pub base: String,
    pub subgraphs: Vec<SubgraphInput>,
}

impl Set {
    /// What a hand-written case's name says Apollo does with it:
    /// `accept-…` composes, `reject-…` does not.
    pub fn intent(&self) -> Option<bool> {
        if self.origin != Origin::Case {
            return None;
        }
        if self.name.starts_with("accept-") {
            Some(true)
        } else if self.name.starts_with("reject-") {
            Some(false)
        } else {
            None
        }
    }

    /// The set as `[{name, url, sdl}]`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.subgraphs
                .iter()
                .map(|s| serde_json::json!({ "name": s.name, "url": s.url, "sdl": s.sdl }))
                .collect(),
        )
    }
}

/// Every `*.json` file in `dir`, in name order, as a hand-written case.
pub fn read_cases(dir: &Path) -> Result<Vec<Set>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            let subgraphs =
                read_subgraph_list(path).with_context(|| format!("reading {}", path.display()))?;
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            Ok(Set {
                name,
                origin: Origin::Case,
                rule: "case".into(),
                base: "-".into(),
                subgraphs,
            })
        })
        .collect()
}
