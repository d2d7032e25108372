//! Inbound request deduplication: identical client queries that arrive
//! while one is executing are answered by that one execution (its
//! serialised response shared), when `GatewaySettings::inbound_dedupe` is on.
//!
//! Two requests share an execution only when nothing can make their answers
//! differ: the same live supergraph, the same prepared operation (one cache
//! entry: same document and operation name), the same coerced variables,
//! and the same caller attributes (`InboundKey::caller`: empty until the
//! identity stage fills it, and every attribute that can change an answer
//! must go there). Mutations, subscriptions and operations with deferred
//! fragments never share. The sharing is cancellation-safe in the way of
//! [`crate::execute::InFlight`]: whoever still waits drives the execution,
//! and its entry goes when it finishes or when its last waiter goes away.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Map, Value};

use super::snapshot::{PreparedRequest, Snapshot};
use super::ResponseKind;

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
    /// Caller attributes that can change the answer (identity, forwarded
    /// headers), sorted; empty while every request is anonymous.
    caller: Vec<(String, String)>,
}

impl InboundKey {
    pub fn new(
        snapshot: &Arc<Snapshot>,
        prepared: &Arc<PreparedRequest>,
        variables: &Map<String, Value>,
    ) -> Self {
        Self {
            snapshot: Arc::as_ptr(snapshot) as usize,
            operation: Arc::as_ptr(prepared) as usize,
            variables: serde_json::to_string(variables).unwrap_or_default(),
            caller: Vec::new(),
        }
    }
}

/// One execution's answer, as every request sharing it receives it.
pub type SharedAnswer = (ResponseKind, Bytes);
