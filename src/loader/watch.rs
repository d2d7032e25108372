//! Hot reload from files: a supergraph file, or a subgraph list file (and
//! the schema files it names) composed again. A valid new supergraph
//! replaces the live one; an invalid one (or a failed composition) is
//! logged and the old one keeps serving.
//!
//! Directories are watched, not files: editors save by writing a new file
//! and renaming it over the old one, and Kubernetes swaps a symlink, both
//! of which a watch on the file itself would miss. Any change starts a
//! short debounce; after it the supergraph is read (or composed) again and
//! loaded only if its text differs from the last text tried.

use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::{LoadError, SupergraphSource};
use crate::pipeline::Gateway;

/// Quiet time after the last change before the supergraph is read again.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// A watch on directories, reporting bursts of changes (reads ignored).
/// Shared by the supergraph's files and the access policy file.
pub(super) struct DirectoryWatch {
    /// Kept alive for as long as the watch is used.
    _watcher: RecommendedWatcher,
    changes: mpsc::UnboundedReceiver<()>,
}

impl DirectoryWatch {
    /// Watches `directories`; `what` names the watched files in warnings.
    pub(super) fn start(
        directories: impl IntoIterator<Item = std::path::PathBuf>,
        what: &'static str,
    ) -> notify::Result<Self> {
        let (changed, changes) = mpsc::unbounded_channel::<()>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
                // Reads do not change the file.
                Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
                Ok(_) => {
                    // The receiver is gone only when the watch is being dropped.
                    let _ = changed.send(());
                }
                Err(error) => tracing::warn!("watching {what} failed: {error}"),
            })?;
        for directory in directories {
            watcher.watch(&directory, RecursiveMode::NonRecursive)?;
        }
        Ok(Self {
            _watcher: watcher,
            changes,
        })
    }

    /// Waits for a change, then until changes stop for [`DEBOUNCE`];
    /// `false` once the watch has ended.
    pub(super) async fn next_burst(&mut self) -> bool {
        if self.changes.recv().await.is_none() {
            return false;
        }
        loop {
            match tokio::time::timeout(DEBOUNCE, self.changes.recv()).await {
                Ok(Some(())) => continue,
                Ok(None) => return false,
                Err(_) => return true,
            }
        }
    }
}

/// A watch on a source's files, and the supergraph text tried last.
pub(super) struct FileWatch {
    source: SupergraphSource,
    watch: DirectoryWatch,
    last_tried: String,
}

impl FileWatch {
    /// Watches `source`'s directories; `current` is the supergraph already loaded.
    pub(super) fn start(source: SupergraphSource, current: String) -> Result<Self, LoadError> {
        let watch = DirectoryWatch::start(source.directories(), "the supergraph's files").map_err(
            |error| LoadError::Watch {
                path: source.describe(),
                error,
            },
        )?;
        tracing::info!(path = %source.describe(), "watching for changes");
        Ok(Self {
            source,
            watch,
            last_tried: current,
        })
    }

    /// The reload loop: after each burst of changes, reload.
    pub(super) async fn run(mut self, gateway: Arc<Gateway>) {
        while self.watch.next_burst().await {
            self.reload(&gateway).await;
        }
    }

    /// Reads (or composes) the supergraph and, if it changed, loads it.
    async fn reload(&mut self, gateway: &Arc<Gateway>) {
        let path = self.source.describe();
        let reader = self.source.clone();
        // Composing and building a snapshot parse and validate whole schemas:
        // keep them off the threads that serve requests.
        let sdl = match tokio::task::spawn_blocking(move || reader.read()).await {
            Ok(Ok(sdl)) => sdl,
            Ok(Err(error)) => {
                tracing::warn!(path, "the current supergraph keeps serving: {error}");
                return;
            }
            Err(error) => {
                tracing::error!("reading the supergraph failed: {error}");
                return;
            }
        };
        if sdl == self.last_tried {
            return;
        }
        self.last_tried.clone_from(&sdl);
        let loader = Arc::clone(gateway);
        match tokio::task::spawn_blocking(move || loader.load_supergraph(&sdl)).await {
            Ok(Ok(())) => tracing::info!(path, "supergraph reloaded"),
            Ok(Err(error)) => tracing::error!(
                path,
                "the new supergraph is invalid; the previous one keeps serving: {error}"
            ),
            Err(error) => tracing::error!("loading the new supergraph failed: {error}"),
        }
    }
}
