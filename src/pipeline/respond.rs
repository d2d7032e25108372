//! Serialising GraphQL responses once into the HTTP body, and the payloads
//! of incremental delivery (the format Apollo Client and Relay read:
//! `{"data", "hasNext": true}`, then `{"incremental": [{"data", "path",
//! "label"}], "hasNext"}`).

use bytes::Bytes;

use super::errors::Encoded;
use super::{GatewayError, GraphQLResponse, ResponseKind, Subsequent};
use crate::graphql_error::{Cause, GraphQLError};
use crate::shape::{IncrementalItem, Shaped};

/// A response for an error raised before execution started. Its GraphQL
/// errors are already bounded: a document's errors are cut at
/// `limits.max_errors` when they are converted (see
/// `OperationError::to_graphql_errors`).
pub fn from_error(error: &GatewayError) -> GraphQLResponse {
    let kind = match error {
        GatewayError::NotReady => ResponseKind::NotReady,
        GatewayError::MethodNotAllowed(_) => ResponseKind::MethodNotAllowed,
        GatewayError::Timeout(_) => ResponseKind::Timeout,
        GatewayError::Identity(_) => ResponseKind::Unauthenticated,
        GatewayError::Forbidden(_) => ResponseKind::Forbidden,
        GatewayError::RateLimited(_) => ResponseKind::RateLimited,
        GatewayError::Persisted(error) if error.asks_for_the_query() => ResponseKind::QueryNeeded,
        _ => ResponseKind::RequestError,
    };
    request_error(kind, error)
}

/// A response with `errors` only (no `data`).
pub fn request_error(kind: ResponseKind, error: &GatewayError) -> GraphQLResponse {
    let mut body = b"{\"errors\":".to_vec();
    let _ = serde_json::to_writer(&mut body, &Encoded(error.to_graphql().as_slice()));
    body.push(b'}');
    GraphQLResponse {
        kind,
        body: Bytes::from(body),
        subsequent: None,
        headers: Vec::new(),
    }
}

/// Adds `"extensions": {"cost": cost}` to the response (its initial
/// payload, when incremental): the estimated cost the client asked for.
pub fn add_cost_extension(response: &mut GraphQLResponse, cost: u64) {
    let body = &response.body;
    let Some(end) = body.iter().rposition(|b| *b == b'}') else {
        return;
    };
    let mut spliced = Vec::with_capacity(body.len() + 32);
    spliced.extend_from_slice(&body[..end]);
    spliced.extend_from_slice(format!(",\"extensions\":{{\"cost\":{cost}}}").as_bytes());
    spliced.extend_from_slice(&body[end..]);
    response.body = Bytes::from(spliced);
}

/// Keeps the first `max` errors; past them (or when `already_omitted`
/// were never built), one more error says how many were left out.
pub fn cap_errors(errors: &mut Vec<GraphQLError>, max: usize, already_omitted: usize) {
    let omitted = errors.len().saturating_sub(max) + already_omitted;
    if omitted == 0 {
        return;
    }
    errors.truncate(max);
    errors.push(GraphQLError::new(
        format!("{omitted} more errors were left out (limits.max_errors)."),
        Cause::TooManyErrors { omitted },
    ));
}

/// A response of an executed operation: `data` (maybe null) and `errors`
/// if any, at most `max_errors` of them.
/// `shaped` may hold [`DATA_PREFIX`] before its data: without errors, its
/// buffer becomes the body as it is (no copy of the data).
pub fn executed(shaped: Shaped, errors: Vec<GraphQLError>, max_errors: usize) -> GraphQLResponse {
    let body = match errors.is_empty() && shaped.omitted_errors == 0 {
        true if shaped.buffer.get(..shaped.data_start) == Some(DATA_PREFIX) => {
            let mut body = shaped.buffer;
            body.push(b'}');
            body
        }
        _ => data_payload(shaped, errors, max_errors, b"}"),
    };
    GraphQLResponse {
        kind: ResponseKind::Executed,
        body: Bytes::from(body),
        subsequent: None,
        headers: Vec::new(),
    }
}

/// The start of a response with data and no errors.
pub const DATA_PREFIX: &[u8] = b"{\"data\":";

/// `{"errors":[…],"data":…` and `tail`; `errors` left out when there
/// are none. The shaped data is already JSON text: it is copied, not
/// serialised again.
fn data_payload(
    shaped: Shaped,
    mut errors: Vec<GraphQLError>,
    max_errors: usize,
    tail: &[u8],
) -> Vec<u8> {
    cap_errors(&mut errors, max_errors, shaped.omitted_errors);
    let data = shaped.data();
    let mut body = Vec::with_capacity(data.len() + 64);
    body.push(b'{');
    if !errors.is_empty() {
        body.extend_from_slice(b"\"errors\":");
        let _ = serde_json::to_writer(&mut body, &Encoded(errors.as_slice()));
        body.push(b',');
    }
    body.extend_from_slice(b"\"data\":");
    body.extend_from_slice(data);
    body.extend_from_slice(tail);
    body
}

/// The first payload of an incremental response.
pub fn initial_payload(shaped: Shaped, errors: Vec<GraphQLError>, max_errors: usize) -> Bytes {
    Bytes::from(data_payload(
        shaped,
        errors,
        max_errors,
        b",\"hasNext\":true}",
    ))
}

/// An incremental response: the initial payload and the ones to follow.
pub fn incremental(initial: Bytes, subsequent: Subsequent) -> GraphQLResponse {
    GraphQLResponse {
        kind: ResponseKind::Executed,
        body: initial,
        subsequent: Some(subsequent),
        headers: Vec::new(),
    }
}

/// A payload delivering one deferred fragment (at each object it applies to).
pub fn subsequent_payload(
    items: Vec<IncrementalItem>,
    label: Option<&str>,
    has_next: bool,
    max_errors: usize,
) -> Bytes {
    let mut body = Vec::with_capacity(items.iter().map(|i| i.data.len() + 64).sum::<usize>() + 32);
    body.push(b'{');
    if !items.is_empty() {
        body.extend_from_slice(b"\"incremental\":[");
        for (i, mut item) in items.into_iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            cap_errors(&mut item.errors, max_errors, item.omitted_errors);
            body.extend_from_slice(b"{\"data\":");
            body.extend_from_slice(&item.data);
            body.extend_from_slice(b",\"path\":");
            let _ = serde_json::to_writer(&mut body, &item.path);
            if let Some(label) = label {
                body.extend_from_slice(b",\"label\":");
                crate::json::write_string(label, &mut body);
            }
            if !item.errors.is_empty() {
                body.extend_from_slice(b",\"errors\":");
                let _ = serde_json::to_writer(&mut body, &Encoded(item.errors.as_slice()));
            }
            body.push(b'}');
        }
        body.extend_from_slice(b"],");
    }
    body.extend_from_slice(match has_next {
        true => b"\"hasNext\":true}",
        false => b"\"hasNext\":false}",
    });
    Bytes::from(body)
}

/// The payload that ends an incremental response early: nothing more follows.
pub fn final_payload() -> Bytes {
    Bytes::from_static(br#"{"hasNext":false}"#)
}

/// A one-line description of an error, for the CLI.
pub fn describe(error: &GatewayError) -> String {
    let errors = error.to_graphql();
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    messages.join("\n")
}
