//! The `cors`, `compression`, `batching`, `csrf` and `graphiql` sections:
//! what browsers on other origins may do, how answers are compressed,
//! whether several operations may come in one request, which requests are
//! refused as possible cross-site request forgery, and whether browsers get
//! GraphiQL.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Cross-origin resource sharing. Default: no origin allowed in production
/// mode; `http://localhost:*` and `http://127.0.0.1:*` in dev mode.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CorsConfig {
    /// Origins allowed to call the gateway: exact (`https://app.example.com`)
    /// or patterns where `*` stands for one or more letters, digits, dots
    /// and hyphens (`https://*.example.com`, `http://localhost:*`); `"*"`
    /// alone allows every origin (not with `allow_credentials`). Default:
    /// none in production, the local ones above in dev.
    pub allow_origins: Option<Vec<String>>,
    /// Methods a cross-origin request may use. Default `GET`, `POST`.
    pub allow_methods: Vec<String>,
    /// Request headers a cross-origin request may send. Default
    /// `content-type`, `accept`, `authorization`, `apollo-require-preflight`,
    /// `x-apollo-operation-name`, `x-api-key`, `x-request-id`,
    /// `apollographql-client-name`, `apollographql-client-version`.
    pub allow_headers: Vec<String>,
    /// Response headers a browser script may read. Default `x-request-id`,
    /// `ratelimit`, `ratelimit-policy`, `retry-after`, `x-ratelimit-limit`,
    /// `x-ratelimit-remaining`, `x-ratelimit-reset`.
    pub expose_headers: Vec<String>,
    /// Let browsers send cookies and HTTP authentication. Default `false`.
    pub allow_credentials: bool,
    /// How long a browser may keep a preflight's answer. Default `1h`.
    #[serde(with = "humantime_serde")]
    pub max_age: Duration,
}

impl Default for CorsConfig {
    fn default() -> Self {
        let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
        Self {
            allow_origins: None,
            allow_methods: strings(&["GET", "POST"]),
            allow_headers: strings(&[
                "content-type",
                "accept",
                "authorization",
                "apollo-require-preflight",
                "x-apollo-operation-name",
                "x-api-key",
                "x-request-id",
                "apollographql-client-name",
                "apollographql-client-version",
            ]),
            expose_headers: strings(&[
                "x-request-id",
                "ratelimit",
                "ratelimit-policy",
                "retry-after",
                "x-ratelimit-limit",
                "x-ratelimit-remaining",
                "x-ratelimit-reset",
            ]),
            allow_credentials: false,
            max_age: Duration::from_secs(3600),
        }
    }
}

/// The origins `junction dev` allows when `cors.allow_origins` is not set.
pub const DEV_ORIGINS: [&str; 2] = ["http://localhost:*", "http://127.0.0.1:*"];

/// Response compression and compressed request bodies.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompressionConfig {
    /// Compress answers for clients that ask (`Accept-Encoding`) and accept
    /// compressed request bodies (`Content-Encoding`). Default `true`.
    pub enabled: bool,
    /// Encodings answers may be compressed with (of those a client
    /// accepts, the one it weighs highest; on a tie `zstd`, then `br`,
    /// `gzip`, `deflate`): `br`, `zstd`, `gzip`, `deflate`. Default
    /// `zstd`, `gzip`, `deflate`: a brotli encoder holds about 1.6 MB for
    /// each answer being compressed (160 MB of peak memory at 50 requests
    /// in flight on the load benchmark, against 89 MB with zstd and 76 MB
    /// with gzip), so `br` is opt-in. Compressed request bodies are read
    /// in any of the four.
    pub algorithms: Vec<Encoding>,
    /// Answers smaller than this many bytes are sent as they are. Default `1024`.
    pub min_size_bytes: u16,
    /// Compression level, 1 (fastest) to 9; higher levels cost CPU per
    /// request for a few percent fewer bytes. Default `4`.
    pub level: u8,
    /// Answers compressed at once, at most (each encoder holds memory
    /// while its answer streams); past it answers go out uncompressed.
    /// Default `64`.
    pub max_concurrent: usize,
}

impl Default for CompressionConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            algorithms: vec![Encoding::Zstd, Encoding::Gzip, Encoding::Deflate],
            min_size_bytes: 1024,
            level: 4,
            max_concurrent: 64,
        }
    }
}

/// A content coding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    Br,
    Zstd,
    Gzip,
    Deflate,
}

/// Several operations in one POST (a JSON array, as Apollo Client's
/// `BatchHttpLink` sends them).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchingConfig {
    /// Take arrays of requests, each run on its own and answered in one
    /// array in order. Default: off (an array is refused) in production
    /// mode, on in dev mode.
    pub enabled: Option<bool>,
    /// Most operations in one batch. Default `10`.
    pub max_batch_size: usize,
}

impl Default for BatchingConfig {
    fn default() -> Self {
        Self {
            enabled: None,
            max_batch_size: 10,
        }
    }
}

/// Refusing requests a browser could send from another site without a
/// preflight (`GET`, or `POST` with a form or text content type) unless
/// they carry a header no such request can carry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CsrfConfig {
    /// Default: on in production mode, off in dev mode.
    pub enabled: Option<bool>,
    /// Headers whose presence marks a request as not forgeable. Default
    /// `apollo-require-preflight`, `x-apollo-operation-name`.
    pub required_headers: Vec<String>,
}

impl Default for CsrfConfig {
    fn default() -> Self {
        Self {
            enabled: None,
            required_headers: vec![
                "apollo-require-preflight".to_string(),
                "x-apollo-operation-name".to_string(),
            ],
        }
    }
}

/// GraphiQL on `GET /graphql` for browsers (a request whose `Accept`
/// prefers `text/html`), its files served from the binary.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct GraphiqlConfig {
    /// Default: off in production mode, on in dev mode.
    pub enabled: Option<bool>,
}
