//! Following the operation library: a replica serves the operations SDK
//! clients published, swapping in the whole set when a manifest is
//! published or removed (announced through the store, or found by the
//! periodic check when an announcement is lost). While the store is
//! unreachable the last set keeps serving.

use std::collections::HashMap;
use std::sync::Arc;

use crate::persisted::library::ManifestRecord;
use crate::persisted::OperationLibrary;
use crate::pipeline::Gateway;
use crate::store::Subscription;

use super::follow::{run_following, Follow};

/// Follows `library` into `gateway` until the task is aborted.
pub(super) async fn follow_operations(library: OperationLibrary, gateway: Arc<Gateway>) {
    let mut follower = Follower {
        library,
        gateway,
        revision: None,
        records: HashMap::new(),
        store_down: false,
    };
    run_following(&mut follower).await;
}

struct Follower {
    library: OperationLibrary,
    gateway: Arc<Gateway>,
    /// The library's revision served now.
    revision: Option<u64>,
    /// Manifest records read so far, by id (only new ones are read again).
    records: HashMap<String, Arc<ManifestRecord>>,
    store_down: bool,
}

#[async_trait::async_trait]
impl Follow for Follower {
    async fn subscribe(&self) -> Option<Subscription> {
        self.library.subscribe().await.ok()
    }

    /// Loads the library's operations if its revision moved.
    async fn catch_up(&mut self) {
        let revision = match self.library.revision().await {
            Ok(revision) => revision,
            Err(error) => {
                self.note_failure(&error.to_string());
                return;
            }
        };
        if self.revision == Some(revision) {
            return;
        }
        match self.library.load(&mut self.records).await {
            Ok((set, loaded_at)) => {
                if self.store_down {
                    tracing::info!("the store answers again");
                    self.store_down = false;
                }
                tracing::info!(operations = set.len(), "published operations loaded");
                self.gateway.persisted_operations().replace(set);
                self.revision = Some(loaded_at);
            }
            Err(error) => self.note_failure(&error.to_string()),
        }
    }
}

impl Follower {
    fn note_failure(&mut self, error: &str) {
        if !self.store_down {
            tracing::warn!(
                "reading the published operations failed; the last ones keep serving: {error}"
            );
            self.store_down = true;
        }
    }
}
