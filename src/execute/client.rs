//! The subgraph HTTP client: one pooled keep-alive client for all
//! subgraphs, a timeout per request, a response size limit per subgraph
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
use super::resolver::CheckedResolver;
use crate::egress::EgressError;
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
    http: reqwest::Client,
    /// For subgraphs whose policy asks for HTTP/2.
    http2: reqwest::Client,
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
        let resolver = Arc::new(CheckedResolver::new(settings.hosts.clone()));
        let builder = || {
            reqwest::Client::builder()
                .pool_idle_timeout(std::time::Duration::from_secs(90))
                .pool_max_idle_per_host(256)
                .tcp_nodelay(true)
                .dns_resolver(resolver.clone())
                .redirect(reqwest::redirect::Policy::none())
        };
        let http = builder().build().unwrap_or_default();
        let http2 = builder()
            .http2_prior_knowledge()
            .build()
            .unwrap_or_default();
        Self {
            http,
            http2,
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

    /// The HTTP client for a subgraph: HTTP/2 when its policy asks for it.
    fn http_for(&self, subgraph: &str) -> &reqwest::Client {
        match self.settings.policy(subgraph).http2 {
            true => &self.http2,
            false => &self.http,
        }
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
                let result = probe(self.http_for(name), url, body, settings.timeout).await;
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
            http: self.http_for(subgraph).clone(),
            settings: Arc::clone(&self.settings),
            subgraph: subgraph.to_string(),
            url: url.to_string(),
            body,
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
                headers: Vec::new(),
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
    http: reqwest::Client,
    settings: Arc<ClientSettings>,
    subgraph: String,
    url: String,
    body: Bytes,
}

impl Outgoing {
    async fn send(self) -> Result<Bytes, FetchError> {
        let url = self.checked_url()?;
        let limit = self.settings.policy(&self.subgraph).max_response_bytes;
        let response = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(
                reqwest::header::ACCEPT,
                "application/graphql-response+json, application/json",
            )
            .timeout(self.settings.timeout)
            .body(self.body)
            .send()
            .await
            .map_err(|e| transport_error(&self.subgraph, &e))?;
        let status = response.status();
        let bytes = read_limited(response, limit, &self.subgraph).await?;
        if !status.is_success() && !looks_like_graphql_response(&bytes) {
            return Err(FetchError::Status {
                subgraph: self.subgraph,
                status: status.as_u16(),
            });
        }
        Ok(bytes)
    }

    /// The URL, parsed, with a literal IP address checked against the
    /// allow-list (names are checked by the resolver when connecting).
    fn checked_url(&self) -> Result<reqwest::Url, FetchError> {
        let not_allowed = |detail: String| FetchError::NotAllowed {
            subgraph: self.subgraph.clone(),
            detail,
        };
        let url = reqwest::Url::parse(&self.url).map_err(|e| not_allowed(e.to_string()))?;
        let checked = match url.host() {
            Some(url::Host::Ipv4(ip)) => self.settings.hosts.check_address(ip.into()),
            Some(url::Host::Ipv6(ip)) => self.settings.hosts.check_address(ip.into()),
            Some(url::Host::Domain(name)) => self.settings.hosts.check_name(name),
            None => Err(EgressError::NoHost),
        };
        checked.map_err(|e| not_allowed(format!("{e} (url {})", self.url)))?;
        Ok(url)
    }
}

/// Reads a response body, stopping (and dropping the connection) as soon
/// as it is known to exceed `limit` bytes.
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
    subgraph: &str,
) -> Result<Bytes, FetchError> {
    let too_large = || FetchError::TooLarge {
        subgraph: subgraph.to_string(),
        limit,
    };
    let announced = response.content_length().map(|n| n as usize);
    if announced.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = BytesMut::with_capacity(announced.unwrap_or(8 * 1024).min(limit));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(subgraph, &e))?
    {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
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
    let mut detail = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        if let Some(refused) = s.downcast_ref::<EgressError>() {
            return FetchError::NotAllowed {
                subgraph: subgraph.to_string(),
                detail: refused.to_string(),
            };
        }
        detail = format!("{detail}: {s}");
        source = s.source();
    }
    let summary = if error.is_connect() {
        "could not connect to the subgraph"
    } else if error.is_body() || error.is_decode() {
        "the response could not be read"
    } else {
        "the request failed"
    };
    FetchError::Transport {
        subgraph: subgraph.to_string(),
        summary,
        detail,
    }
}
