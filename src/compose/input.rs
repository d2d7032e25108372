//! The subgraph list a service team or the audit hands to `junction
//! compose` and `junction serve --subgraphs`: a JSON or YAML list of
//! `{name, url, sdl}` or `{name, url, schema: path}` (a path relative to
//! the list file).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::SubgraphInput;

/// Why a subgraph list cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is not a list of subgraphs ({{name, url, sdl}} or {{name, url, schema}}): {reason}"
    )]
    Format { path: PathBuf, reason: String },
    #[error("subgraph {name:?} in {path} has {problem}")]
    Entry {
        path: PathBuf,
        name: String,
        problem: &'static str,
    },
}

/// One entry as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    url: String,
    sdl: Option<String>,
    schema: Option<PathBuf>,
}

/// Reads a subgraph list file (JSON, or YAML, which includes JSON).
pub fn read_subgraph_list(path: &Path) -> Result<Vec<SubgraphInput>, InputError> {
    let text = std::fs::read_to_string(path).map_err(|source| InputError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let entries: Vec<Entry> = serde_yaml::from_str(&text).map_err(|e| InputError::Format {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    entries
        .into_iter()
        .map(|entry| to_input(entry, path, base))
        .collect()
}

/// The schema files a subgraph list refers to (`schema:` entries), resolved.
pub fn referenced_files(path: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(entries) = serde_yaml::from_str::<Vec<Entry>>(&text) else {
        return Vec::new();
    };
    let base = path.parent().unwrap_or(Path::new("."));
    entries
        .into_iter()
        .filter_map(|e| e.schema.map(|s| base.join(s)))
        .collect()
}

fn to_input(entry: Entry, path: &Path, base: &Path) -> Result<SubgraphInput, InputError> {
    let problem = |problem| InputError::Entry {
        path: path.to_path_buf(),
        name: entry.name.clone(),
        problem,
    };
    let sdl = match (&entry.sdl, &entry.schema) {
        (Some(sdl), None) => sdl.clone(),
        (None, Some(schema)) => {
            let file = base.join(schema);
            std::fs::read_to_string(&file)
                .map_err(|source| InputError::Read { path: file, source })?
        }
        (Some(_), Some(_)) => return Err(problem("both `sdl` and `schema`; give one")),
        (None, None) => return Err(problem("neither `sdl` nor `schema`")),
    };
    if entry.name.is_empty() {
        return Err(problem("an empty name"));
    }
    Ok(SubgraphInput {
        name: entry.name,
        url: entry.url,
        sdl,
    })
}
