//! Subgraph health probes: every interval, each subgraph of the live
//! supergraph is asked a small query, and the result is what `/ready` and
//! the admin API report.

use std::sync::Arc;

use crate::execute::ProbeSettings;
use crate::pipeline::Gateway;

/// Probes the live supergraph's subgraphs every `settings.interval`, until
/// the task is aborted.
pub(super) async fn probe_periodically(gateway: Arc<Gateway>, settings: ProbeSettings) {
    let mut tick = tokio::time::interval(settings.interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        gateway.probe_subgraphs(&settings).await;
    }
}
