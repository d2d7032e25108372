//! Per-subgraph settings: how a subgraph's errors reach clients, how large
//! its responses may be, and which hosts the gateway may call at all.

use serde::{Deserialize, Serialize};

/// What clients see of a subgraph's GraphQL errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorExposure {
    /// Messages and extensions as the subgraph sent them.
    Passthrough,
    /// "subgraph error" with the subgraph's name; only `extensions.code` kept.
    Mask,
}

/// The `errors` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ErrorsConfig {
    /// Every subgraph's errors, unless `subgraphs.<name>.errors` says
    /// otherwise. Default: `mask`, `passthrough` in dev mode.
    pub subgraph: Option<ErrorExposure>,
}

/// Settings of one subgraph, by name under `subgraphs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SubgraphConfig {
    /// This subgraph's errors; default `errors.subgraph`.
    pub errors: Option<ErrorExposure>,
    /// Largest response accepted from it; default `subgraph_response_limit_bytes`.
    pub response_limit_bytes: Option<usize>,
    /// Speak HTTP/2 to it (prior knowledge over `http://`); default `false`.
    pub http2: bool,
    /// Send it the client's `Authorization` header as it came (for a
    /// subgraph that checks the token itself); default `false`.
    pub forward_authorization: bool,
}
