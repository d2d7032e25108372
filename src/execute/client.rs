//! The subgraph HTTP client: pooled keep-alive connections for all
//! subgraphs ([`super::transport`]), a timeout per request, a response size limit per subgraph
//! (read no further than the limit), deduplication of identical in-flight
//! query requests ([`super::in_flight`]), the egress allow-list checked on
//! every connection, and a fast failure for subgraphs the health probes
//! found unhealthy.
//!
//! A client can also record the answers it receives and another replay
//! them ([`Recorded`]): the response path measured without sockets.
//!
//! Errors carry two texts: what a client may see ([`FetchError`]'s
//! `Display`: the subgraph's name and what went wrong, never a URL or an OS
//! error) and what the operator needs ([`FetchError::detail`], logged).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};

use super::health::{probe, ProbeSettings, SubgraphHealth};
use super::in_flight::{InFlight, RequestKey};
use super::policy::ClientSettings;
use super::transport::{content_length, next_chunk, Transport, TransportError};
use crate::graphql_error::FetchFailure;

/// Why a subgraph request failed. `Display` is safe to show to clients.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FetchError {
    #[error("HTTP fetch failed from '{subgraph}': {summary}")]
    Transport {
        subgraph: String,
        summary: &'static str,
        detail: String,
    },
    #[error("HTTP fetch failed from '{subgraph}': {status}")]
    Status { subgraph: String, status: u16 },
    #[error("HTTP fetch failed from '{subgraph}': request timed out")]
    Timeout { subgraph: String },
    #[error("HTTP fetch failed from '{subgraph}': invalid JSON response")]
    InvalidResponse { subgraph: String, detail: String },
    #[error("HTTP fetch failed from '{subgraph}': the response is larger than the limit of {limit} bytes")]
    TooLarge { subgraph: String, limit: usize },
    #[error("HTTP fetch failed from '{subgraph}': the request would receive more than {limit} values from subgraphs (limits.max_response_values)")]
    TooManyValues { subgraph: String, limit: usize },
    #[error("HTTP fetch failed from '{subgraph}': {reason}")]
    Unhealthy { subgraph: String, reason: String },
    #[error("HTTP fetch failed from '{subgraph}': the subgraph's address is not allowed")]
    NotAllowed { subgraph: String, detail: String },
}

impl FetchError {
    /// What kind of failure this is, without its detail: the cause of the
    /// error a client is shown (its code is `pipeline`'s to assign).
    pub fn failure(&self) -> FetchFailure {
        match self {
            Self::Transport { .. } => FetchFailure::Transport,
            Self::Status { .. } => FetchFailure::Status,
            Self::Timeout { .. } => FetchFailure::Timeout,
            Self::InvalidResponse { .. } => FetchFailure::InvalidResponse,
            Self::TooLarge { .. } => FetchFailure::TooLarge,
            Self::TooManyValues { .. } => FetchFailure::TooManyValues,
            Self::Unhealthy { .. } => FetchFailure::Unhealthy,
            Self::NotAllowed { .. } => FetchFailure::NotAllowed,
        }
    }

    /// What the operator needs to know (may hold URLs and OS errors): for
    /// logs only.
    pub fn detail(&self) -> String {
        match self {
            Self::Transport { detail, .. }
            | Self::InvalidResponse { detail, .. }
            | Self::NotAllowed { detail, .. } => format!("{self}: {detail}"),
            other => other.to_string(),
        }
    }
}

/// Pooled HTTP client for subgraph requests.
#[derive(Clone)]
pub struct SubgraphClient {
    transport: Transport,
    settings: Arc<ClientSettings>,
    in_flight: InFlight<Result<Bytes, FetchError>>,
    health: SubgraphHealth,
    recorded: Option<(Recorded, RecordedUse)>,
}

/// Subgraph answers by subgraph name and request body, recorded by one
/// client and replayed by another (benchmarks of the response path).
#[derive(Clone, Default)]
pub struct Recorded(Arc<Mutex<HashMap<(String, Bytes), Bytes>>>);

impl Recorded {
    /// The number of answers recorded.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(String, Bytes), Bytes>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[derive(Clone, Copy)]
enum RecordedUse {
    Record,
    Replay,
}

impl SubgraphClient {
    pub fn new(settings: ClientSettings) -> Self {
        Self {
            transport: Transport::new(settings.hosts.clone()),
            settings: Arc::new(settings),
            in_flight: InFlight::default(),
            health: SubgraphHealth::default(),
            recorded: None,
        }
    }

    /// A client that also keeps every answer it receives in `recorded`.
    pub fn recording(settings: ClientSettings, recorded: Recorded) -> Self {
        Self {
            recorded: Some((recorded, RecordedUse::Record)),
            ..Self::new(settings)
        }
    }

    /// A client that sends nothing: it answers from `recorded`, and a
    /// request not recorded fails.
    pub fn replaying(settings: ClientSettings, recorded: Recorded) -> Self {
        Self {
            recorded: Some((recorded, RecordedUse::Replay)),
            ..Self::new(settings)
        }
    }

    /// Does the subgraph's policy ask for HTTP/2?
    fn http2_for(&self, subgraph: &str) -> bool {
        self.settings.policy(subgraph).http2
    }

    /// The settings this client was built with.
    pub fn settings(&self) -> &ClientSettings {
        &self.settings
    }

    /// The health states this client consults before each request.
    pub fn health(&self) -> &SubgraphHealth {
        &self.health
    }

    /// Number of deduplicated subgraph requests in flight.
    pub fn in_flight_count(&self) -> usize {
        self.in_flight.len()
    }

    /// Number of callers awaiting a deduplicated subgraph request.
    pub fn in_flight_waiters(&self) -> usize {
        self.in_flight.waiters()
    }

    /// Probes each `(name, url)` once, concurrently, and records the results.
    pub async fn probe_all(&self, subgraphs: &[(String, String)], settings: &ProbeSettings) {
        let body = Bytes::from(serde_json::json!({ "query": settings.query }).to_string());
        let probes = subgraphs.iter().map(|(name, url)| {
            let body = body.clone();
            async move {
                let http2 = self.http2_for(name);
                let result = probe(&self.transport, http2, url, body, settings.timeout).await;
                (name.clone(), result)
            }
        });
        let results = futures::future::join_all(probes).await;
        self.health.record(results);
    }

    /// POSTs a GraphQL request body; identical concurrent queries
    /// (`deduplicate`) share one request.
    pub async fn post(
        &self,
        subgraph: &str,
        url: &str,
        body: Bytes,
        headers: Vec<(http::HeaderName, http::HeaderValue)>,
        deduplicate: bool,
    ) -> Result<Bytes, FetchError> {
        if let Some((recorded, RecordedUse::Replay)) = &self.recorded {
            let key = (subgraph.to_string(), body);
            return recorded
                .lock()
                .get(&key)
                .cloned()
                .ok_or(FetchError::Status {
                    subgraph: key.0,
                    status: 404,
                });
        }
        if let Some(reason) = self.health.unhealthy(subgraph) {
            return Err(FetchError::Unhealthy {
                subgraph: subgraph.to_string(),
                reason,
            });
        }
        let request = Outgoing {
            transport: self.transport.clone(),
            http2: self.http2_for(subgraph),
            settings: Arc::clone(&self.settings),
            subgraph: subgraph.to_string(),
            url: url.to_string(),
            body,
            headers,
        };
        let record = match &self.recorded {
            Some((recorded, RecordedUse::Record)) => {
                Some((recorded, subgraph.to_string(), request.body.clone()))
            }
            _ => None,
        };
        let answer = if deduplicate {
            let key = RequestKey {
                subgraph: request.subgraph.clone(),
                url: request.url.clone(),
                headers: super::forwarded::key_of(&request.headers),
                body: request.body.clone(),
            };
            self.in_flight.run(key, request.send()).await
        } else {
            request.send().await
        };
        if let (Some((recorded, subgraph, body)), Ok(bytes)) = (record, &answer) {
            recorded.lock().insert((subgraph, body), bytes.clone());
        }
        answer
    }
}

/// One request about to be sent; owns what the (maybe shared) fetch needs.
struct Outgoing {
    transport: Transport,
    http2: bool,
    settings: Arc<ClientSettings>,
    subgraph: String,
    url: String,
    body: Bytes,
    /// Sent besides the fixed ones (the caller's identity).
    headers: Vec<(http::HeaderName, http::HeaderValue)>,
}

/// What a subgraph is told the gateway accepts.
const ACCEPT: &str = "application/graphql-response+json, application/json";

impl Outgoing {
    /// Sends the request and reads the answer, within the timeout (which
    /// covers both).
    async fn send(self) -> Result<Bytes, FetchError> {
        match tokio::time::timeout(self.settings.timeout, self.exchange()).await {
            Ok(answer) => answer,
            Err(_) => Err(FetchError::Timeout {
                subgraph: self.subgraph,
            }),
        }
    }

    async fn exchange(&self) -> Result<Bytes, FetchError> {
        let uri = self.checked_uri()?;
        let limit = self.settings.policy(&self.subgraph).max_response_bytes;
        let response = self
            .transport
            .post(uri, self.body.clone(), &self.headers, self.http2, ACCEPT)
            .await
            .map_err(|e| transport_error(&self.subgraph, e))?;
        let status = response.status();
        let announced = content_length(&response);
        let bytes = read_limited(response.into_body(), announced, limit, &self.subgraph).await?;
        if !status.is_success() && !looks_like_graphql_response(&bytes) {
            return Err(FetchError::Status {
                subgraph: self.subgraph.clone(),
                status: status.as_u16(),
            });
        }
        Ok(bytes)
    }

    /// The URL, parsed; only `http://` (the transport checks its host
    /// against the egress allow-list).
    fn checked_uri(&self) -> Result<http::Uri, FetchError> {
        let not_allowed = |detail: String| FetchError::NotAllowed {
            subgraph: self.subgraph.clone(),
            detail,
        };
        let uri: http::Uri = self
            .url
            .parse()
            .map_err(|e: http::uri::InvalidUri| not_allowed(e.to_string()))?;
        if uri.scheme() != Some(&http::uri::Scheme::HTTP) {
            return Err(not_allowed(format!(
                "only http:// subgraph URLs are supported (url {})",
                self.url
            )));
        }
        Ok(uri)
    }
}

/// Reads a response body, stopping (and dropping the connection) as soon
/// as it is known to exceed `limit` bytes.
async fn read_limited(
    mut body: hyper::body::Incoming,
    announced: Option<usize>,
    limit: usize,
    subgraph: &str,
) -> Result<Bytes, FetchError> {
    let too_large = || FetchError::TooLarge {
        subgraph: subgraph.to_string(),
        limit,
    };
    if announced.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let failed = |e| transport_error(subgraph, e);
    let Some(first) = next_chunk(&mut body).await.map_err(failed)? else {
        return Ok(Bytes::new());
    };
    if first.len() > limit {
        return Err(too_large());
    }
    let Some(second) = next_chunk(&mut body).await.map_err(failed)? else {
        // The whole body in one piece: kept, not copied.
        return Ok(first);
    };
    let capacity = announced.unwrap_or(first.len() + second.len());
    let mut all = BytesMut::with_capacity(capacity.min(limit));
    all.extend_from_slice(&first);
    let mut chunk = Some(second);
    while let Some(part) = chunk {
        if all.len() + part.len() > limit {
            return Err(too_large());
        }
        all.extend_from_slice(&part);
        chunk = next_chunk(&mut body).await.map_err(failed)?;
    }
    Ok(all.freeze())
}

fn looks_like_graphql_response(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes)
        .is_ok_and(|m| m.contains_key("data") || m.contains_key("errors"))
}

fn transport_error(subgraph: &str, error: TransportError) -> FetchError {
    let subgraph = subgraph.to_string();
    let (summary, detail) = match error {
        TransportError::NotAllowed(detail) => {
            return FetchError::NotAllowed { subgraph, detail };
        }
        TransportError::Connect(detail) => ("could not connect to the subgraph", detail),
        TransportError::Body(detail) => ("the response could not be read", detail),
        TransportError::Failed(detail) => ("the request failed", detail),
    };
    FetchError::Transport {
        subgraph,
        summary,
        detail,
    }
}
