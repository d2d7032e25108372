//! The subgraph HTTP client: one pooled keep-alive client for all
//! subgraphs, a timeout per request, deduplication of identical in-flight
//! query requests (same URL, same body), and a fast failure for subgraphs
//! the health probes found unhealthy.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::future::{BoxFuture, FutureExt, Shared};

use super::health::{probe, ProbeSettings, SubgraphHealth};

/// Why a subgraph request failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP fetch failed from '{subgraph}': {reason}")]
    Transport { subgraph: String, reason: String },
    #[error("HTTP fetch failed from '{subgraph}': {status}")]
    Status { subgraph: String, status: u16 },
    #[error("HTTP fetch failed from '{subgraph}': request timed out")]
    Timeout { subgraph: String },
    #[error("HTTP fetch failed from '{subgraph}': invalid JSON response: {reason}")]
    InvalidResponse { subgraph: String, reason: String },
    #[error("HTTP fetch failed from '{subgraph}': {reason}")]
    Unhealthy { subgraph: String, reason: String },
}

type SharedFetch = Shared<BoxFuture<'static, Result<Bytes, FetchError>>>;

/// Pooled HTTP client for subgraph requests.
#[derive(Clone)]
pub struct SubgraphClient {
    http: reqwest::Client,
    timeout: Duration,
    in_flight: Arc<Mutex<HashMap<(String, Bytes), SharedFetch>>>,
    health: SubgraphHealth,
}

impl SubgraphClient {
    pub fn new(timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .pool_idle_timeout(Duration::from_secs(90))
            .pool_max_idle_per_host(256)
            .tcp_nodelay(true)
            .build()
            .unwrap_or_default();
        Self {
            http,
            timeout,
            in_flight: Arc::default(),
            health: SubgraphHealth::default(),
        }
    }

    /// The health states this client consults before each request.
    pub fn health(&self) -> &SubgraphHealth {
        &self.health
    }

    /// Probes each `(name, url)` once, concurrently, and records the results.
    pub async fn probe_all(&self, subgraphs: &[(String, String)], settings: &ProbeSettings) {
        let body = Bytes::from(serde_json::json!({ "query": settings.query }).to_string());
        let probes = subgraphs.iter().map(|(name, url)| {
            let body = body.clone();
            async move {
                let result = probe(&self.http, url, body, settings.timeout).await;
                (name.clone(), result)
            }
        });
        let results = futures::future::join_all(probes).await;
        self.health.record(results);
    }

    /// POSTs a GraphQL request body; identical concurrent queries share one request.
    pub async fn post(
        &self,
        subgraph: &str,
        url: &str,
        body: Bytes,
        deduplicate: bool,
    ) -> Result<Bytes, FetchError> {
        if let Some(reason) = self.health.unhealthy(subgraph) {
            return Err(FetchError::Unhealthy {
                subgraph: subgraph.to_string(),
                reason,
            });
        }
        if !deduplicate {
            return send(
                self.http.clone(),
                self.timeout,
                subgraph.to_string(),
                url.to_string(),
                body,
            )
            .await;
        }
        let key = (url.to_string(), body.clone());
        let shared = {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            match in_flight.get(&key) {
                Some(existing) => existing.clone(),
                None => {
                    let fut = send(
                        self.http.clone(),
                        self.timeout,
                        subgraph.to_string(),
                        url.to_string(),
                        body,
                    )
                    .boxed()
                    .shared();
                    in_flight.insert(key.clone(), fut.clone());
                    fut
                }
            }
        };
        let result = shared.await;
        self.in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&key);
        result
    }
}

async fn send(
    http: reqwest::Client,
    timeout: Duration,
    subgraph: String,
    url: String,
    body: Bytes,
) -> Result<Bytes, FetchError> {
    let request = http
        .post(&url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(
            reqwest::header::ACCEPT,
            "application/graphql-response+json, application/json",
        )
        .timeout(timeout)
        .body(body);
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(&subgraph, &e))?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| transport_error(&subgraph, &e))?;
    if !status.is_success() && !looks_like_graphql_response(&bytes) {
        return Err(FetchError::Status {
            subgraph,
            status: status.as_u16(),
        });
    }
    Ok(bytes)
}

fn looks_like_graphql_response(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes)
        .is_ok_and(|m| m.contains_key("data") || m.contains_key("errors"))
}

fn transport_error(subgraph: &str, error: &reqwest::Error) -> FetchError {
    if error.is_timeout() {
        return FetchError::Timeout {
            subgraph: subgraph.to_string(),
        };
    }
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        reason = format!("{reason}: {s}");
        source = s.source();
    }
    FetchError::Transport {
        subgraph: subgraph.to_string(),
        reason,
    }
}
