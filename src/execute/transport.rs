//! HTTP to subgraphs: hyper's pooled keep-alive client (HTTP/1.1, or
//! HTTP/2 with prior knowledge), over connections whose addresses the
//! egress allow-list checked ([`super::resolver`]). Used straight, without
//! a higher-level client on top: a subgraph request is a POST of bytes
//! prepared by the plan, and the answer's bytes are all that is read.

use std::error::Error as StdError;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderValue, ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};

use super::resolver::CheckedResolver;
use crate::egress::{AllowedHosts, EgressError};

type Pool = Client<HttpConnector<CheckedResolver>, Full<Bytes>>;

/// Idle connections kept per subgraph host, and for how long.
const MAX_IDLE_PER_HOST: usize = 256;
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Pooled connections to subgraphs, one pool per HTTP version.
#[derive(Clone)]
pub struct Transport {
    http1: Pool,
    http2: Pool,
    /// The egress allow-list: names are checked again by the resolver when
    /// connecting; a literal address never reaches a resolver, so it is
    /// checked here, for every request (fetches and health probes alike).
    hosts: AllowedHosts,
}

/// Why a request got no answer.
#[derive(Debug)]
pub enum TransportError {
    /// The address is not allowed by the egress list.
    NotAllowed(String),
    /// No connection could be made.
    Connect(String),
    /// The connection failed while sending or reading.
    Failed(String),
    /// The body could not be read.
    Body(String),
}

impl Transport {
    pub fn new(hosts: AllowedHosts) -> Self {
        let pool = |http2: bool| {
            let mut connector =
                HttpConnector::new_with_resolver(CheckedResolver::new(hosts.clone()));
            connector.set_nodelay(true);
            Client::builder(TokioExecutor::new())
                .pool_idle_timeout(IDLE_TIMEOUT)
                .pool_max_idle_per_host(MAX_IDLE_PER_HOST)
                .pool_timer(TokioTimer::new())
                .http2_only(http2)
                .build(connector)
        };
        Self {
            http1: pool(false),
            http2: pool(true),
            hosts,
        }
    }

    /// Refuses a URL whose host the allow-list does not allow, before any
    /// connection is made.
    fn check_host(&self, uri: &Uri) -> Result<(), TransportError> {
        let checked = match uri.host() {
            Some(host) => match host.trim_start_matches('[').trim_end_matches(']').parse() {
                Ok(ip) => self.hosts.check_address(ip),
                Err(_) => self.hosts.check_name(host),
            },
            None => Err(EgressError::NoHost),
        };
        checked.map_err(|e| TransportError::NotAllowed(format!("{e} (url {uri})")))
    }

    /// POSTs a JSON body; the answer's head, its body still to be read.
    pub async fn post(
        &self,
        uri: Uri,
        body: Bytes,
        extra: &[(http::HeaderName, HeaderValue)],
        http2: bool,
        accept: &'static str,
    ) -> Result<Response<Incoming>, TransportError> {
        self.check_host(&uri)?;
        let mut request = Request::new(Full::new(body));
        *request.method_mut() = http::Method::POST;
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(ACCEPT, HeaderValue::from_static(accept));
        for (name, value) in extra {
            headers.insert(name.clone(), value.clone());
        }
        let pool = match http2 {
            true => &self.http2,
            false => &self.http1,
        };
        pool.request(request).await.map_err(|error| {
            if let Some(refused) = egress_refusal(&error) {
                return TransportError::NotAllowed(refused.to_string());
            }
            match error.is_connect() {
                true => TransportError::Connect(chain(&error)),
                false => TransportError::Failed(chain(&error)),
            }
        })
    }
}

/// The announced length of a response's body, if any.
pub fn content_length(response: &Response<Incoming>) -> Option<usize> {
    response
        .headers()
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// The next piece of a body's data (trailers skipped); `None` at its end.
pub async fn next_chunk(body: &mut Incoming) -> Result<Option<Bytes>, TransportError> {
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| TransportError::Body(chain(&e)))?;
        if let Ok(data) = frame.into_data() {
            return Ok(Some(data));
        }
    }
    Ok(None)
}

/// The egress refusal behind a connection error, if that is what it was.
fn egress_refusal<'e>(error: &'e (dyn StdError + 'static)) -> Option<&'e EgressError> {
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<EgressError>() {
            return Some(refused);
        }
        source = cause.source();
    }
    None
}

/// An error and its causes on one line (for logs, never for clients).
fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text = format!("{text}: {cause}");
        source = cause.source();
    }
    text
}
