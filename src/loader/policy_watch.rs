//! Reloading the access policy file when it changes: its directory is
//! watched (editors and Kubernetes replace files rather than write them),
//! and after a short quiet time the file is read again. Rules that parse
//! replace the file's rules (the store's stay); a file that does not parse
//! is logged, and the rules in force keep deciding.

use std::path::PathBuf;
use std::sync::Arc;

use super::watch::DirectoryWatch;
use super::LoadError;
use crate::access::parse_rules;
use crate::pipeline::Gateway;

/// A watch on the policy file, and its text read last.
pub(super) struct PolicyWatch {
    path: PathBuf,
    watch: DirectoryWatch,
    last_read: Option<String>,
}

impl PolicyWatch {
    /// Watches the directory of `path`.
    pub(super) fn start(path: PathBuf) -> Result<Self, LoadError> {
        let directory = match path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let watch = DirectoryWatch::start([directory], "the access policy").map_err(|error| {
            LoadError::Watch {
                path: path.display().to_string(),
                error,
            }
        })?;
        let last_read = std::fs::read_to_string(&path).ok();
        Ok(Self {
            path,
            watch,
            last_read,
        })
    }

    /// Reloads after each burst of changes, until the task is aborted.
    pub(super) async fn run(mut self, gateway: Arc<Gateway>) {
        while self.watch.next_burst().await {
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
