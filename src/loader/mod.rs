//! The control path: where the served supergraph comes from (a supergraph
//! file, a subgraph list composed here, or the subgraph registry), the
//! reload loop that swaps each valid new one into the [`Gateway`], and
//! every background task that keeps the gateway current (file watch,
//! registry follow, published operations follow, subgraph health probes).
//!
//! One [`Loader`] owns those tasks: dropping it (or [`Loader::stop`]) stops
//! them all. The command line only builds the gateway, starts a loader for
//! it and serves HTTP.

use std::sync::Arc;

use tokio::task::JoinSet;

use crate::execute::ProbeSettings;
use crate::persisted::OperationLibrary;
use crate::pipeline::{Gateway, SnapshotError};

mod access;
mod demo;
mod follow;
mod operations;
mod policy_watch;
mod probes;
mod ratelimit;
mod settings;
mod source;
mod watch;

pub use demo::{start_demo, start_demo_with, DemoGateway, DEMO_SUPERGRAPH};
pub use follow::POLL_INTERVAL;
pub use settings::{allowed_hosts, client_settings, gateway_settings, probe_settings};
pub use source::SupergraphSource;
pub use watch::DEBOUNCE;

/// Why the gateway could not be started on its supergraph.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The supergraph (or a file it is composed from) could not be read,
    /// or the subgraphs do not compose.
    #[error("{0}")]
    Read(String),
    /// The supergraph was read but is not a valid supergraph.
    #[error("invalid supergraph from {origin}: {error}")]
    Invalid {
        origin: String,
        #[source]
        error: SnapshotError,
    },
    /// The files the supergraph comes from cannot be watched.
    #[error("cannot watch {path}: {error}")]
    Watch {
        path: String,
        #[source]
        error: notify::Error,
    },
    /// The configuration does not describe a gateway.
    #[error("invalid config: {0}")]
    Config(String),
    /// The demo subgraphs could not be started.
    #[error("cannot start the demo subgraphs: {0}")]
    Demo(#[source] std::io::Error),
}

/// The background tasks keeping one gateway current; they stop when it is
/// dropped.
pub struct Loader {
    tasks: JoinSet<()>,
}

impl Loader {
    /// Loads `source`'s supergraph into `gateway` and keeps it current:
    /// a file or subgraph list must load now (its error is returned) and is
    /// watched; the registry is followed (the gateway is ready once it has
    /// a supergraph). Subgraphs are probed every `probes.interval` (never
    /// when it is zero).
    pub fn start(
        gateway: Arc<Gateway>,
        source: SupergraphSource,
        probes: ProbeSettings,
    ) -> Result<Self, LoadError> {
        let mut tasks = JoinSet::new();
        match source {
            SupergraphSource::Registry(registry) => {
                tasks.spawn(follow::follow(registry, Arc::clone(&gateway)));
            }
            files => {
                let sdl = load_now(&gateway, &files)?;
                tracing::info!(path = %files.describe(), "supergraph loaded");
                let watch = watch::FileWatch::start(files, sdl)?;
                tasks.spawn(watch.run(Arc::clone(&gateway)));
            }
        }
        if !probes.interval.is_zero() {
            tasks.spawn(probes::probe_periodically(gateway, probes));
        }
        Ok(Self { tasks })
    }

    /// Also reloads the access policy file at `path` when it changes.
    pub fn watch_access_policy(
        &mut self,
        path: std::path::PathBuf,
        gateway: Arc<Gateway>,
    ) -> Result<(), LoadError> {
        let watch = policy_watch::PolicyWatch::start(path)?;
        self.tasks.spawn(watch.run(gateway));
        Ok(())
    }

    /// Also applies the access rules kept in the store, kept current.
    pub fn follow_access(&mut self, rules: crate::access::StoredRules, gateway: Arc<Gateway>) {
        self.tasks.spawn(access::follow_access(rules, gateway));
    }

    /// Applies the rate limit overrides kept in the store to `limiter`,
    /// kept current.
    pub fn follow_rate_limit_overrides(
        &mut self,
        overrides: crate::ratelimit::StoredOverrides,
        limiter: Arc<crate::ratelimit::RateLimiter>,
    ) {
        self.tasks
            .spawn(ratelimit::follow_overrides(overrides, limiter));
    }

    /// Also serves the operations published in `library`, kept current.
    pub fn follow_operations(&mut self, library: OperationLibrary, gateway: Arc<Gateway>) {
        self.tasks
            .spawn(operations::follow_operations(library, gateway));
    }

    /// Stops every task and waits until they have ended.
    pub async fn stop(mut self) {
        self.tasks.abort_all();
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Reads (or composes) the supergraph and loads it; its text, for the
/// watcher to compare changes against.
fn load_now(gateway: &Gateway, source: &SupergraphSource) -> Result<String, LoadError> {
    let sdl = source.read().map_err(LoadError::Read)?;
    gateway
        .load_supergraph(&sdl)
        .map_err(|error| LoadError::Invalid {
            origin: source.describe(),
            error,
        })?;
    Ok(sdl)
}
