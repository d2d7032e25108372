//! Subgraph health: each replica probes every subgraph of its supergraph
//! (by default with `{ __typename }`) at an interval, and a subgraph whose
//! probe failed twice in a row is unhealthy until a probe succeeds again.
//! Requests to an unhealthy subgraph fail at once with a clear error
//! instead of waiting for a timeout.
//!
//! The states live in an [`ArcSwap`]: the request path reads them without
//! a lock; only the prober writes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use serde::Serialize;

use super::transport::Transport;

/// Consecutive failed probes that make a subgraph unhealthy.
pub const FAILURES_BEFORE_UNHEALTHY: u32 = 2;

/// What the last probes of one subgraph found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HealthState {
    pub healthy: bool,
    /// When the last probe finished, in milliseconds since the Unix epoch.
    pub checked_at_ms: u64,
    pub consecutive_failures: u32,
    /// Why the last probe failed (none after a success).
    pub last_error: Option<String>,
}

/// The health of every probed subgraph, by name; shared by the prober
/// and the subgraph client.
#[derive(Clone, Default)]
pub struct SubgraphHealth {
    states: Arc<ArcSwap<HashMap<String, HealthState>>>,
}

impl SubgraphHealth {
    /// Why requests to `subgraph` should not be sent now, if they should not.
    pub fn unhealthy(&self, subgraph: &str) -> Option<String> {
        let states = self.states.load();
        let state = states.get(subgraph).filter(|s| !s.healthy)?;
        Some(format!(
            "subgraph is unhealthy: its last {} health probes failed ({})",
            state.consecutive_failures,
            state.last_error.as_deref().unwrap_or("no answer")
        ))
    }

    /// Every probed subgraph's state, by name.
    pub fn snapshot(&self) -> Vec<(String, HealthState)> {
        let mut all: Vec<(String, HealthState)> = self
            .states
            .load()
            .iter()
            .map(|(name, state)| (name.clone(), state.clone()))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    /// Records one round of probe results; subgraphs not probed are forgotten.
    pub fn record(&self, results: Vec<(String, Result<(), String>)>) {
        let previous = self.states.load();
        let now = now_ms();
        let next: HashMap<String, HealthState> = results
            .into_iter()
            .map(|(name, result)| {
                let failures = previous.get(&name).map_or(0, |s| s.consecutive_failures);
                let state = match result {
                    Ok(()) => HealthState {
                        healthy: true,
                        checked_at_ms: now,
                        consecutive_failures: 0,
                        last_error: None,
                    },
                    Err(error) => HealthState {
                        healthy: failures + 1 < FAILURES_BEFORE_UNHEALTHY,
                        checked_at_ms: now,
                        consecutive_failures: failures + 1,
                        last_error: Some(error),
                    },
                };
                if previous
                    .get(&name)
                    .is_some_and(|p| p.healthy != state.healthy)
                {
                    match &state.last_error {
                        None => tracing::info!(subgraph = %name, "subgraph healthy again"),
                        Some(error) => {
                            tracing::warn!(subgraph = %name, "subgraph unhealthy: {error}")
                        }
                    }
                }
                (name, state)
            })
            .collect();
        self.states.store(Arc::new(next));
    }
}

/// How subgraphs are probed.
#[derive(Debug, Clone)]
pub struct ProbeSettings {
    /// Time between probe rounds; zero turns probing off.
    pub interval: Duration,
    /// The GraphQL query sent (`{ __typename }` by default).
    pub query: String,
    /// How long one probe may take.
    pub timeout: Duration,
}

impl Default for ProbeSettings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(5),
            query: "{ __typename }".to_string(),
            timeout: Duration::from_secs(2),
        }
    }
}

/// The most of a probe's answer read (it answers `{ __typename }`).
const MAX_PROBE_ANSWER: usize = 64 * 1024;

/// Probes one subgraph: a 2xx answer that is a GraphQL response with data
/// and no errors.
pub async fn probe(
    transport: &Transport,
    http2: bool,
    url: &str,
    body: Bytes,
    timeout: Duration,
) -> Result<(), String> {
    let exchange = async {
        let uri: http::Uri = url.parse().map_err(|_| "invalid URL".to_string())?;
        let response = transport
            .post(uri, body, &[], http2, "application/json")
            .await
            .map_err(|_| "unreachable".to_string())?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("HTTP status {}", status.as_u16()));
        }
        let bytes = Limited::new(response.into_body(), MAX_PROBE_ANSWER)
            .collect()
            .await
            .map_err(|_| "unreachable".to_string())?
            .to_bytes();
        Ok(bytes)
    };
    let bytes = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| "timed out".to_string())??;
    let body: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|_| "not a JSON response".to_string())?;
    let has_data = body.get("data").is_some_and(|d| !d.is_null());
    let has_errors = body
        .get("errors")
        .is_some_and(|e| e.as_array().is_some_and(|a| !a.is_empty()));
    if has_data && !has_errors {
        Ok(())
    } else {
        Err("the probe query did not succeed".to_string())
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(health: &SubgraphHealth, result: Result<(), &str>) -> bool {
        health.record(vec![("a".to_string(), result.map_err(str::to_string))]);
        health.unhealthy("a").is_none()
    }

    #[tokio::test]
    async fn a_probe_to_an_address_the_egress_list_refuses_makes_no_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        listener
            .set_nonblocking(true)
            .unwrap_or_else(|e| panic!("{e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let url = format!("http://127.0.0.1:{port}/graphql");
        let body = Bytes::from_static(b"{\"query\":\"{__typename}\"}");
        let only_ten = crate::egress::AllowedHosts::parse(&["10.0.0.0/8"]);
        let transport = Transport::new(only_ten.unwrap_or_else(|e| panic!("{e}")));
        let result = probe(&transport, false, &url, body, Duration::from_secs(5)).await;
        assert_eq!(result, Err("unreachable".to_string()));
        assert!(
            listener.accept().is_err(),
            "the refused address was connected to"
        );
    }

    #[test]
    fn two_failed_probes_make_a_subgraph_unhealthy_and_one_success_heals_it() {
        let health = SubgraphHealth::default();
        assert!(
            health.unhealthy("a").is_none(),
            "unknown subgraphs are not refused"
        );
        assert!(round(&health, Ok(())));
        assert!(round(&health, Err("timed out")), "one failure is tolerated");
        assert!(!round(&health, Err("timed out")));
        let reason = health.unhealthy("a").unwrap_or_default();
        assert!(
            reason.contains("last 2 health probes failed (timed out)"),
            "{reason}"
        );
        assert!(round(&health, Ok(())));
        assert_eq!(health.snapshot()[0].1.consecutive_failures, 0);
    }
}
