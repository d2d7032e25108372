//! How the gateway treats each subgraph: the limits and error exposure set
//! by the operator, with defaults and per-subgraph exceptions.

use std::collections::HashMap;
use std::time::Duration;

use crate::egress::AllowedHosts;

/// What clients see of a subgraph's GraphQL errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPolicy {
    /// Message, path and extensions as the subgraph sent them.
    Passthrough,
    /// "subgraph error" with the subgraph's name, only `extensions.code`
    /// kept; the original is logged.
    Mask,
}

/// The settings of one subgraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubgraphPolicy {
    /// Largest response read from it, in bytes.
    pub max_response_bytes: usize,
    pub errors: ErrorPolicy,
    /// Speak HTTP/2 to it (cleartext, with prior knowledge); HTTP/1.1
    /// otherwise. Subgraphs are called over `http://` only: the client has
    /// no TLS (an `https://` URL fails with an error naming the scheme).
    pub http2: bool,
    /// Send it the client's `Authorization` header as it came.
    pub forward_authorization: bool,
}

impl Default for SubgraphPolicy {
    fn default() -> Self {
        Self {
            max_response_bytes: 32 * 1024 * 1024,
            errors: ErrorPolicy::Mask,
            http2: false,
            forward_authorization: false,
        }
    }
}

/// How subgraph requests are made and their answers taken.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Timeout of one subgraph HTTP request (connect to last body byte).
    pub timeout: Duration,
    /// Where requests may go.
    pub hosts: AllowedHosts,
    /// Every subgraph's policy, unless `subgraphs` has its own.
    pub default: SubgraphPolicy,
    pub subgraphs: HashMap<String, SubgraphPolicy>,
    /// Entity representations one request may send.
    pub max_entity_representations: usize,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            hosts: AllowedHosts::default(),
            default: SubgraphPolicy::default(),
            subgraphs: HashMap::new(),
            max_entity_representations: 20_000,
        }
    }
}

impl ClientSettings {
    /// The policy of `subgraph`.
    pub fn policy(&self, subgraph: &str) -> &SubgraphPolicy {
        self.subgraphs.get(subgraph).unwrap_or(&self.default)
    }
}
