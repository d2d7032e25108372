//! Inbound request deduplication: identical client queries that arrive
//! while one is executing are answered by that one execution (its
//! serialised response shared), when `GatewaySettings::inbound_dedupe` is on.
//!
//! Two requests share an execution only when nothing can make their answers
//! differ: the same live supergraph, the same prepared operation (one cache
//! entry: same document and operation name), the same coerced variables,
//! and the same caller (every attribute of it, and every header sent to
//! subgraphs on its behalf). Mutations, subscriptions and operations with deferred
//! fragments never share. The sharing is cancellation-safe in the way of
//! [`crate::execute::InFlight`]: whoever still waits drives the execution,
//! and its entry goes when it finishes or when its last waiter goes away.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Map, Value};

use super::snapshot::{PreparedRequest, Snapshot};
use super::ResponseKind;
use crate::execute::ForwardedHeaders;
use crate::identity::Caller;

/// What makes two client requests the same request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InboundKey {
    /// The live snapshot (by address; the execution holds it, so the
    /// address cannot be reused while the entry exists).
    snapshot: usize,
    /// The prepared operation (by address, held the same way).
    operation: usize,
    /// The coerced variables, serialised.
    variables: String,
    /// The caller: everything about it that could change an answer
    /// (subject, org, roles, scopes, tier, kind, token id).
    caller: Caller,
    /// The headers sent to subgraphs (the caller's, and the client's
    /// `Authorization` for the subgraphs that take it).
    forwarded: ForwardedHeaders,
}

impl InboundKey {
    pub fn new(
        snapshot: &Arc<Snapshot>,
        prepared: &Arc<PreparedRequest>,
        variables: &Map<String, Value>,
        caller: &Caller,
        forwarded: &ForwardedHeaders,
    ) -> Self {
        Self {
            snapshot: Arc::as_ptr(snapshot) as usize,
            operation: Arc::as_ptr(prepared) as usize,
            variables: serde_json::to_string(variables).unwrap_or_default(),
            caller: caller.clone(),
            forwarded: forwarded.clone(),
        }
    }
}

/// One execution's answer, as every request sharing it receives it.
pub type SharedAnswer = (ResponseKind, Bytes);
