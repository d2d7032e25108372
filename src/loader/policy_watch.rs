//! Reloading the access policy file when it changes: its directory is
//! watched (editors and Kubernetes replace files rather than write them),
//! and after a short quiet time the file is read again. Rules that parse
//! replace the file's rules (the store's stay); a file that does not parse
//! is logged, and the rules in force keep deciding.

use std::path::PathBuf;
use std::sync::Arc;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::watch::DEBOUNCE;
use super::LoadError;
use crate::access::parse_rules;
use crate::pipeline::Gateway;

/// A watch on the policy file, and its text read last.
pub(super) struct PolicyWatch {
    path: PathBuf,
    _watcher: RecommendedWatcher,
    changes: mpsc::UnboundedReceiver<()>,
    last_read: Option<String>,
}

impl PolicyWatch {
    /// Watches the directory of `path`.
    pub(super) fn start(path: PathBuf) -> Result<Self, LoadError> {
        let watch_error = |error| LoadError::Watch {
            path: path.display().to_string(),
            error,
        };
        let (changed, changes) = mpsc::unbounded_channel::<()>();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
                Ok(event) if matches!(event.kind, EventKind::Access(_)) => {}
                Ok(_) => {
                    let _ = changed.send(());
                }
                Err(error) => tracing::warn!("watching the access policy failed: {error}"),
            })
            .map_err(watch_error)?;
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        watcher
            .watch(&directory, RecursiveMode::NonRecursive)
            .map_err(watch_error)?;
        let last_read = std::fs::read_to_string(&path).ok();
        Ok(Self {
            path,
            _watcher: watcher,
            changes,
            last_read,
        })
    }

    /// Reloads after each burst of changes, until the task is aborted.
    pub(super) async fn run(mut self, gateway: Arc<Gateway>) {
        while self.changes.recv().await.is_some() {
            tokio::time::sleep(DEBOUNCE).await;
            while self.changes.try_recv().is_ok() {}
            self.reload(&gateway).await;
        }
    }

    async fn reload(&mut self, gateway: &Gateway) {
        let text = match tokio::fs::read_to_string(&self.path).await {
            Ok(text) => text,
            Err(error) => {
                tracing::warn!(path = %self.path.display(), "the access policy cannot be read; the rules in force keep deciding: {error}");
                return;
            }
        };
        if self.last_read.as_deref() == Some(text.as_str()) {
            return;
        }
        self.last_read = Some(text.clone());
        let applied = match parse_rules(&text) {
            Ok(rules) => gateway.access().apply_file(rules).await,
            Err(error) => Err(error),
        };
        match applied {
            Ok(()) => tracing::info!(path = %self.path.display(), "access policy reloaded"),
            Err(error) => {
                tracing::warn!(path = %self.path.display(), "the access policy was not reloaded; the rules in force keep deciding: {error}")
            }
        }
    }
}
