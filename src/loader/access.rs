//! Following the access rules in the store: a replica adds them to its
//! policy file's rules, and rebuilds its policy whenever they change
//! (announced through the store, or found by the periodic check when an
//! announcement is lost). While the store is unreachable, or when the
//! stored rules cannot be read, the last policy keeps deciding.

use std::sync::Arc;

use crate::access::StoredRules;
use crate::pipeline::Gateway;
use crate::store::Subscription;

use super::follow::{run_following, Follow};

/// Follows `rules` into `gateway`'s access control until aborted.
pub(super) async fn follow_access(rules: StoredRules, gateway: Arc<Gateway>) {
    let mut follower = Follower {
        rules,
        gateway,
        version: None,
        failing: false,
    };
    run_following(&mut follower).await;
}

struct Follower {
    rules: StoredRules,
    gateway: Arc<Gateway>,
    /// The version of the stored rules applied now.
    version: Option<u64>,
    /// The last attempt failed (logged once until one succeeds).
    failing: bool,
}

#[async_trait::async_trait]
impl Follow for Follower {
    async fn subscribe(&self) -> Option<Subscription> {
        self.rules.subscribe().await.ok()
    }

    async fn catch_up(&mut self) {
        let (rules, version) = match self.rules.read().await {
            Ok(read) => read,
            Err(error) => return self.note_failure(&error.to_string()),
        };
        if self.version == Some(version) {
            return;
        }
        let count = rules.len();
        match self.gateway.access().apply_stored(rules).await {
            Ok(()) => {
                if self.version.is_some() || count > 0 {
                    tracing::info!(stored_rules = count, "access rules from the store applied");
                }
                self.version = Some(version);
                self.failing = false;
            }
            Err(error) => self.note_failure(&error.to_string()),
        }
    }
}

impl Follower {
    fn note_failure(&mut self, error: &str) {
        if !self.failing {
            tracing::warn!("the stored access rules could not be applied; the last policy keeps deciding: {error}");
            self.failing = true;
        }
    }
}
