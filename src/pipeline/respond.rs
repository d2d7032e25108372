//! Serialising GraphQL responses once into the HTTP body, and the payloads
//! of incremental delivery (the format Apollo Client and Relay read:
//! `{"data", "hasNext": true}`, then `{"incremental": [{"data", "path",
//! "label"}], "hasNext"}`).

use bytes::Bytes;
use serde_json::{Map, Value};

use super::{GatewayError, GraphQLResponse, ResponseKind, Subsequent};
use crate::shape::{IncrementalItem, Shaped};

/// A response for errors raised before execution started. Their number is
/// already bounded: a document's errors are cut at `limits.max_errors` when
/// they are converted (see `OperationError::to_graphql_errors`).
pub fn from_errors(errors: &[GatewayError]) -> GraphQLResponse {
    let kind = match errors.first() {
        Some(GatewayError::NotReady) => ResponseKind::NotReady,
        Some(GatewayError::MethodNotAllowed(_)) => ResponseKind::MethodNotAllowed,
        Some(GatewayError::Timeout(_)) => ResponseKind::Timeout,
        _ => ResponseKind::RequestError,
    };
    request_error(kind, errors)
}

/// A response with `errors` only (no `data`).
pub fn request_error(kind: ResponseKind, errors: &[GatewayError]) -> GraphQLResponse {
    let errors: Vec<Value> = errors.iter().flat_map(GatewayError::to_graphql).collect();
    let mut body = Map::new();
    body.insert("errors".into(), Value::Array(errors));
    encode(kind, &Value::Object(body))
}

/// Keeps the first `max` errors; past them (or when `already_omitted`
/// were never built), one more error says how many were left out.
pub fn cap_errors(errors: &mut Vec<Value>, max: usize, already_omitted: usize) {
    let omitted = errors.len().saturating_sub(max) + already_omitted;
    if omitted == 0 {
        return;
    }
    errors.truncate(max);
    errors.push(serde_json::json!({
        "message": format!("{omitted} more errors were left out (limits.max_errors)."),
        "extensions": { "code": "TOO_MANY_ERRORS", "omitted": omitted },
    }));
}

/// A response of an executed operation: `data` (maybe null) and `errors`
/// if any, at most `max_errors` of them.
pub fn executed(shaped: Shaped, mut errors: Vec<Value>, max_errors: usize) -> GraphQLResponse {
    cap_errors(&mut errors, max_errors, shaped.omitted_errors);
    let data = shaped.data;
    let mut body = Map::new();
    if !errors.is_empty() {
        body.insert("errors".into(), Value::Array(errors));
    }
    body.insert("data".into(), data);
    encode(ResponseKind::Executed, &Value::Object(body))
}

fn encode(kind: ResponseKind, body: &Value) -> GraphQLResponse {
    GraphQLResponse {
        kind,
        body: to_bytes(body),
        subsequent: None,
    }
}

fn to_bytes(body: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(body).unwrap_or_default())
}

/// The first payload of an incremental response.
pub fn initial_payload(shaped: &Shaped, mut errors: Vec<Value>, max_errors: usize) -> Bytes {
    cap_errors(&mut errors, max_errors, shaped.omitted_errors);
    let data = &shaped.data;
    let mut body = Map::new();
    if !errors.is_empty() {
        body.insert("errors".into(), Value::Array(errors));
    }
    body.insert("data".into(), data.clone());
    body.insert("hasNext".into(), Value::Bool(true));
    to_bytes(&Value::Object(body))
}

/// An incremental response: the initial payload and the ones to follow.
pub fn incremental(initial: Bytes, subsequent: Subsequent) -> GraphQLResponse {
    GraphQLResponse {
        kind: ResponseKind::Executed,
        body: initial,
        subsequent: Some(subsequent),
    }
}

/// A payload delivering one deferred fragment (at each object it applies to).
pub fn subsequent_payload(
    items: Vec<IncrementalItem>,
    label: Option<&str>,
    has_next: bool,
    max_errors: usize,
) -> Bytes {
    let incremental: Vec<Value> = items
        .into_iter()
        .map(|mut item| {
            cap_errors(&mut item.errors, max_errors, item.omitted_errors);
            let mut entry = Map::new();
            entry.insert("data".into(), item.data);
            entry.insert("path".into(), Value::Array(item.path));
            if let Some(label) = label {
                entry.insert("label".into(), Value::String(label.to_string()));
            }
            if !item.errors.is_empty() {
                entry.insert("errors".into(), Value::Array(item.errors));
            }
            Value::Object(entry)
        })
        .collect();
    let mut body = Map::new();
    if !incremental.is_empty() {
        body.insert("incremental".into(), Value::Array(incremental));
    }
    body.insert("hasNext".into(), Value::Bool(has_next));
    to_bytes(&Value::Object(body))
}

/// The payload that ends an incremental response early: nothing more follows.
pub fn final_payload() -> Bytes {
    Bytes::from_static(br#"{"hasNext":false}"#)
}

/// A one-line description of an error, for the CLI.
pub fn describe(error: &GatewayError) -> String {
    error
        .to_graphql()
        .iter()
        .filter_map(|e| e.get("message").and_then(Value::as_str).map(str::to_string))
        .collect::<Vec<_>>()
        .join("\n")
}
