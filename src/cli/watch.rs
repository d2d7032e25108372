//! Hot reload of a supergraph file: a valid new version replaces the live
//! supergraph; an invalid one is logged and the old one keeps serving.
//!
//! The file's *directory* is watched, not the file: editors save by writing a
//! new file and renaming it over the old one, and Kubernetes swaps a symlink,
//! both of which a watch on the file itself would miss. Any change in the
//! directory starts a short debounce; after it the file is read again and
//! loaded only if its text differs from the last text tried.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::pipeline::Gateway;

/// Quiet time after the last change before the file is read.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// Watches one supergraph file for as long as it lives.
pub struct SupergraphWatcher {
    _watcher: RecommendedWatcher,
    task: JoinHandle<()>,
}

impl Drop for SupergraphWatcher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts watching `path`; `current` is the text already loaded into `gateway`.
pub fn watch_supergraph(
    path: &Path,
    gateway: Arc<Gateway>,
    current: String,
) -> Result<SupergraphWatcher, notify::Error> {
    let path = std::path::absolute(path)?;
    let directory = path
        .parent()
        .map_or_else(|| PathBuf::from("/"), Path::to_path_buf);
    let (changed, mut changes) = mpsc::unbounded_channel::<()>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        match event {
            // Reads do not change the file.
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
            Ok(_) => {
                // The receiver is gone only when the watcher is being dropped.
                let _ = changed.send(());
            }
            Err(error) => tracing::warn!("watching the supergraph file failed: {error}"),
        }
    })?;
    watcher.watch(&directory, RecursiveMode::NonRecursive)?;
    tracing::info!(path = %path.display(), "watching the supergraph file for changes");
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
            reload(&path, &gateway, &mut last_tried).await;
        }
    });
    Ok(SupergraphWatcher {
        _watcher: watcher,
        task,
    })
}

/// Reads the file and, if it changed, loads it.
async fn reload(path: &Path, gateway: &Arc<Gateway>, last_tried: &mut String) {
    let sdl = match tokio::fs::read_to_string(path).await {
        Ok(sdl) => sdl,
        Err(error) => {
            tracing::warn!(
                path = %path.display(),
                "cannot read the supergraph file ({error}); the current supergraph keeps serving"
            );
            return;
        }
    };
    if sdl == *last_tried {
        return;
    }
    last_tried.clone_from(&sdl);
    let loader = Arc::clone(gateway);
    // Building a snapshot parses and validates the whole schema: keep it off
    // the threads that serve requests.
    match tokio::task::spawn_blocking(move || loader.load_supergraph(&sdl)).await {
        Ok(Ok(())) => tracing::info!(path = %path.display(), "supergraph reloaded"),
        Ok(Err(error)) => tracing::error!(
            path = %path.display(),
            "the new supergraph is invalid; the previous one keeps serving: {error}"
        ),
        Err(error) => tracing::error!("loading the new supergraph failed: {error}"),
    }
}
