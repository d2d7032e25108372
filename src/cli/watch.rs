//! Hot reload of the supergraph: from a supergraph file, or composed from a
//! subgraph list file (and the schema files it names). A valid new
//! supergraph replaces the live one; an invalid one (or a failed
//! composition) is logged and the old one keeps serving.
//!
//! Directories are watched, not files: editors save by writing a new file
//! and renaming it over the old one, and Kubernetes swaps a symlink, both
//! of which a watch on the file itself would miss. Any change starts a
//! short debounce; after it the supergraph is read (or composed) again and
//! loaded only if its text differs from the last text tried.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::compose::{compose, read_subgraph_list, referenced_files};
use crate::pipeline::Gateway;

/// Quiet time after the last change before the supergraph is read again.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// Where the served supergraph comes from.
#[derive(Debug, Clone)]
pub enum SupergraphSource {
    /// A supergraph SDL file.
    File(PathBuf),
    /// A subgraph list file (`junction compose --subgraphs`), composed on each change.
    Subgraphs(PathBuf),
}

impl SupergraphSource {
    /// The supergraph SDL: the file's text, or the subgraphs composed.
    /// The error is one message (composition errors one per line).
    pub fn read(&self) -> Result<String, String> {
        match self {
            Self::File(path) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read supergraph {}: {e}", path.display())),
            Self::Subgraphs(path) => {
                let inputs = read_subgraph_list(path).map_err(|e| e.to_string())?;
                compose(&inputs).map_err(|errors| {
                    let lines: Vec<String> =
                        errors.iter().map(super::compose::error_line).collect();
                    format!(
                        "the subgraphs in {} do not compose:\n{}",
                        path.display(),
                        lines.join("\n")
                    )
                })
            }
        }
    }

    /// The file named on the command line.
    pub fn path(&self) -> &Path {
        match self {
            Self::File(path) | Self::Subgraphs(path) => path,
        }
    }

    /// The directories whose changes may change the supergraph.
    fn directories(&self) -> Vec<PathBuf> {
        let mut files = vec![self.path().to_path_buf()];
        if let Self::Subgraphs(path) = self {
            files.extend(referenced_files(path));
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

/// Watches the supergraph's source for as long as it lives.
pub struct SupergraphWatcher {
    _watcher: RecommendedWatcher,
    task: JoinHandle<()>,
}

impl Drop for SupergraphWatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts watching `source`; `current` is the supergraph already loaded into `gateway`.
pub fn watch_supergraph(
    source: SupergraphSource,
    gateway: Arc<Gateway>,
    current: String,
) -> Result<SupergraphWatcher, notify::Error> {
    let (changed, mut changes) = mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        match event {
            // Reads do not change the file.
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
            Ok(_) => {
                // The receiver is gone only when the watcher is being dropped.
                let _ = changed.send(());
            }
            Err(error) => tracing::warn!("watching the supergraph's files failed: {error}"),
        }
    })?;
    for directory in source.directories() {
        watcher.watch(&directory, RecursiveMode::NonRecursive)?;
    }
    tracing::info!(path = %source.path().display(), "watching for changes");
    let task = tokio::spawn(async move {
        let mut last_tried = current;
        while changes.recv().await.is_some() {
            // Debounce: wait until changes stop for DEBOUNCE.
            loop {
                match tokio::time::timeout(DEBOUNCE, changes.recv()).await {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            reload(&source, &gateway, &mut last_tried).await;
        }
    });
    Ok(SupergraphWatcher {
        _watcher: watcher,
        task,
    })
}

/// Reads (or composes) the supergraph and, if it changed, loads it.
async fn reload(source: &SupergraphSource, gateway: &Arc<Gateway>, last_tried: &mut String) {
    let path = source.path().to_path_buf();
    let reader = source.clone();
    // Composing and building a snapshot parse and validate whole schemas:
    // keep them off the threads that serve requests.
    let sdl = match tokio::task::spawn_blocking(move || reader.read()).await {
        Ok(Ok(sdl)) => sdl,
        Ok(Err(error)) => {
            tracing::warn!(path = %path.display(), "the current supergraph keeps serving: {error}");
            return;
        }
        Err(error) => {
            tracing::error!("reading the supergraph failed: {error}");
            return;
        }
    };
    if sdl == *last_tried {
        return;
    }
    last_tried.clone_from(&sdl);
    let loader = Arc::clone(gateway);
    match tokio::task::spawn_blocking(move || loader.load_supergraph(&sdl)).await {
        Ok(Ok(())) => tracing::info!(path = %path.display(), "supergraph reloaded"),
        Ok(Err(error)) => tracing::error!(
            path = %path.display(),
            "the new supergraph is invalid; the previous one keeps serving: {error}"
        ),
        Err(error) => tracing::error!("loading the new supergraph failed: {error}"),
    }
}
