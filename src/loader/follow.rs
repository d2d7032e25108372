//! Following the subgraph registry: a replica loads the registry's current
//! supergraph, then swaps in each new one as it is announced (store pub/sub)
//! or, should a notification be lost, found by a periodic check. While the
//! store is unreachable the last good supergraph keeps serving; the
//! replica catches up when the store returns.

use std::sync::Arc;
use std::time::Duration;

use crate::pipeline::Gateway;
use crate::registry::Registry;
use crate::store::Subscription;

/// The periodic check behind the notifications.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// Follows `registry` into `gateway` until the task is aborted.
pub(super) async fn follow(registry: Registry, gateway: Arc<Gateway>) {
    tracing::info!("serving the registry's supergraph (ready once one is published)");
    let mut follower = Follower {
        registry,
        gateway,
        loaded: None,
        store_down: false,
    };
    run_following(&mut follower).await;
}

struct Follower {
    registry: Registry,
    gateway: Arc<Gateway>,
    /// Id of the supergraph loaded last.
    loaded: Option<String>,
    /// The last attempt to read the store failed (logged once per outage).
    store_down: bool,
}

#[async_trait::async_trait]
impl Follow for Follower {
    async fn subscribe(&self) -> Option<Subscription> {
        self.registry.subscribe().await.ok()
    }

    /// Loads the registry's current supergraph if it is not the one loaded.
    async fn catch_up(&mut self) {
        let id = match self.registry.current_id().await {
            Ok(id) => {
                if self.store_down {
                    tracing::info!("the store answers again");
                    self.store_down = false;
                }
                id
            }
            Err(error) => {
                if !self.store_down {
                    tracing::warn!(
                        "the store is unreachable; the current supergraph keeps serving: {error}"
                    );
                    self.store_down = true;
                }
                return;
            }
        };
        let Some(id) = id.filter(|id| self.loaded.as_ref() != Some(id)) else {
            return;
        };
        let record = match self.registry.supergraph(&id).await {
            Ok(Some(record)) => record,
            Ok(None) => {
                tracing::error!(id, "the registry's current supergraph is missing");
                return;
            }
            Err(error) => {
                tracing::warn!(id, "reading the new supergraph failed: {error}");
                return;
            }
        };
        let gateway = Arc::clone(&self.gateway);
        let loaded = tokio::task::spawn_blocking(move || gateway.load_supergraph(&record.sdl));
        match loaded.await {
            Ok(Ok(())) => tracing::info!(id, "supergraph from the registry loaded"),
            Ok(Err(error)) => {
                tracing::error!(
                    id,
                    "the registry's supergraph is invalid; the previous one keeps serving: {error}"
                );
            }
            Err(error) => tracing::error!("loading the supergraph failed: {error}"),
        }
        // Not tried again until the registry moves on.
        self.loaded = Some(id);
    }
}

/// What a follower of a store record does: open the channel announcing
/// changes, and catch up with the record.
#[async_trait::async_trait]
pub(super) trait Follow: Send {
    async fn subscribe(&self) -> Option<Subscription>;
    async fn catch_up(&mut self);
}

/// Catches `follower` up after every announcement and every
/// [`POLL_INTERVAL`] (the backstop for announcements lost while the store
/// was away), resubscribing when the channel ends; until aborted.
pub(super) async fn run_following(follower: &mut impl Follow) {
    let mut subscription: Option<Subscription> = None;
    let mut tick = tokio::time::interval(POLL_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        if subscription.is_none() {
            subscription = follower.subscribe().await;
        }
        tokio::select! {
            message = next_message(&mut subscription) => {
                if message.is_none() {
                    subscription = None;
                }
            }
            _ = tick.tick() => {}
        }
        follower.catch_up().await;
    }
}

async fn next_message(subscription: &mut Option<Subscription>) -> Option<Vec<u8>> {
    match subscription {
        Some(subscription) => subscription.next().await,
        None => std::future::pending().await,
    }
}
