//! The sources a served supergraph can come from, and reading one.

use std::path::{Path, PathBuf};

use crate::compose::{compose, read_subgraph_list, referenced_files};
use crate::registry::Registry;

/// Where the served supergraph comes from.
#[derive(Clone)]
pub enum SupergraphSource {
    /// A supergraph SDL file, watched for changes.
    File(PathBuf),
    /// A subgraph list file (`junction compose --subgraphs`), composed
    /// again whenever it or a schema file it names changes.
    Subgraphs(PathBuf),
    /// The subgraph registry's current supergraph, followed live.
    Registry(Registry),
}

impl std::fmt::Debug for SupergraphSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl SupergraphSource {
    /// The supergraph SDL: a file's text, or a subgraph list composed. The
    /// error is one message (composition errors one per line). The
    /// registry is not read here: it is followed.
    pub fn read(&self) -> Result<String, String> {
        match self {
            Self::File(path) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read supergraph {}: {e}", path.display())),
            Self::Subgraphs(path) => {
                let inputs = read_subgraph_list(path).map_err(|e| e.to_string())?;
                compose(&inputs).map_err(|errors| {
                    let lines: Vec<String> = errors.iter().map(|e| e.located()).collect();
                    format!(
                        "the subgraphs in {} do not compose:\n{}",
                        path.display(),
                        lines.join("\n")
                    )
                })
            }
            Self::Registry(_) => Err("the registry's supergraph is followed, not read".into()),
        }
    }

    /// The source for messages: a path, or "the registry".
    pub fn describe(&self) -> String {
        match self {
            Self::File(path) | Self::Subgraphs(path) => path.display().to_string(),
            Self::Registry(_) => "the registry".to_string(),
        }
    }

    /// The directories whose changes may change the supergraph.
    pub(super) fn directories(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = Vec::new();
        match self {
            Self::File(path) => files.push(path.clone()),
            Self::Subgraphs(path) => {
                files.push(path.clone());
                files.extend(referenced_files(path));
            }
            Self::Registry(_) => {}
        }
        let mut directories: Vec<PathBuf> = Vec::new();
        for file in files {
            let directory = std::path::absolute(&file)
                .ok()
                .and_then(|f| f.parent().map(Path::to_path_buf))
                .unwrap_or_else(|| PathBuf::from("/"));
            if !directories.contains(&directory) {
                directories.push(directory);
            }
        }
        directories
    }
}
