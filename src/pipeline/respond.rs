//! Serialising GraphQL responses once into the HTTP body.

use bytes::Bytes;
use serde_json::{Map, Value};

use super::{GatewayError, GraphQLResponse, ResponseKind};

/// A response for errors raised before execution started.
pub fn from_errors(errors: &[GatewayError]) -> GraphQLResponse {
    let kind = match errors.first() {
        Some(GatewayError::NotReady) => ResponseKind::NotReady,
        Some(GatewayError::MethodNotAllowed(_)) => ResponseKind::MethodNotAllowed,
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

/// A response of an executed operation: `data` (maybe null) and `errors` if any.
pub fn executed(data: Value, errors: Vec<Value>) -> GraphQLResponse {
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
        body: Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
    }
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
