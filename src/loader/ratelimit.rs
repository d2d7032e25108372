//! Following the rate limit overrides in the store: a replica applies them
//! whenever they change (announced through the store, or found by the
//! periodic check when an announcement is lost). While the store is
//! unreachable, the last overrides keep applying.

use std::sync::Arc;

use crate::ratelimit::{RateLimiter, StoredOverrides};
use crate::store::Subscription;

use super::follow::{run_following, Follow};

/// Follows `overrides` into `limiter` until aborted.
pub(super) async fn follow_overrides(overrides: StoredOverrides, limiter: Arc<RateLimiter>) {
    let mut follower = Follower {
        overrides,
        limiter,
        version: None,
        failing: false,
    };
    run_following(&mut follower).await;
}

struct Follower {
    overrides: StoredOverrides,
    limiter: Arc<RateLimiter>,
    /// The version of the overrides applied now.
    version: Option<u64>,
    /// The last attempt failed (logged once until one succeeds).
    failing: bool,
}

#[async_trait::async_trait]
impl Follow for Follower {
    async fn subscribe(&self) -> Option<Subscription> {
        self.overrides.subscribe().await.ok()
    }

    async fn catch_up(&mut self) {
        match self.overrides.read().await {
            Ok((_, version)) if self.version == Some(version) => {}
            Ok((overrides, version)) => {
                if self.version.is_some() || !overrides.is_empty() {
                    tracing::info!(overrides = overrides.len(), "rate limit overrides applied");
                }
                self.limiter.apply_overrides(overrides);
                self.version = Some(version);
                self.failing = false;
            }
            Err(error) => {
                if !self.failing {
                    tracing::warn!("the rate limit overrides could not be read; the last ones keep applying: {error}");
                    self.failing = true;
                }
            }
        }
    }
}
