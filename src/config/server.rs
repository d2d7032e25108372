//! The `server` section: what one HTTP connection or request may take from
//! the gateway (time and connections) before it is cut off.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Limits of the HTTP server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Time a client has to send a request's headers, from its first byte
    /// (or from the connection's start). Default `10s`.
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// Time a client has to send a request's whole body. Default `30s`.
    #[serde(with = "humantime_serde")]
    pub body_read_timeout: Duration,
    /// An idle keep-alive connection (no request in flight) is closed after
    /// this long. Default `75s`.
    #[serde(with = "humantime_serde")]
    pub keep_alive_timeout: Duration,
    /// Connections served at once; further ones wait to be accepted. Kept
    /// under the process's open-file limit. Default `10000`.
    pub max_connections: usize,
    /// Time one GraphQL request may take, subgraph calls included; after it
    /// the client gets a `GATEWAY_TIMEOUT` error (HTTP 504). Default `60s`.
    #[serde(with = "humantime_serde")]
    pub request_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            keep_alive_timeout: Duration::from_secs(75),
            max_connections: 10_000,
            request_timeout: Duration::from_secs(60),
        }
    }
}
