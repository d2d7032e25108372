//! Turning the pipeline's answer, or an [`HttpError`], into an HTTP response:
//! the status code for the chosen media type and the `Content-Type` header.
//! An incremental response is always `multipart/mixed` with status 200.

use axum::body::Body;
use axum::http::header::{ALLOW, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use serde_json::json;

use super::{multipart, HttpError, ResponseMediaType};
use crate::pipeline::{GraphQLResponse, ResponseKind};

/// The HTTP response carrying a pipeline response.
///
/// With `application/graphql-response+json` request errors are 400; with
/// `application/json` every well-formed request gets 200, except a mutation
/// over GET (405), a request without a caller (401, `WWW-Authenticate:
/// Bearer`) and a gateway with no supergraph yet (503), which no
/// GraphQL response describes well enough for a legacy client. A client that
/// takes only `multipart/mixed` is treated like a legacy one.
pub fn graphql_response(response: GraphQLResponse, media: ResponseMediaType) -> Response {
    if let Some(subsequent) = response.subsequent {
        let body = multipart::body(response.body, Some(subsequent));
        let mut http = with_stream(StatusCode::OK, body);
        http.headers_mut().extend(response.headers);
        return http;
    }
    let status = match (response.kind, media) {
        (ResponseKind::Executed, _) => StatusCode::OK,
        (ResponseKind::RequestError, ResponseMediaType::GraphQLResponseJson) => {
            StatusCode::BAD_REQUEST
        }
        (ResponseKind::RequestError, ResponseMediaType::Json | ResponseMediaType::Multipart) => {
            StatusCode::OK
        }
        (ResponseKind::MethodNotAllowed, _) => StatusCode::METHOD_NOT_ALLOWED,
        (ResponseKind::NotReady, _) => StatusCode::SERVICE_UNAVAILABLE,
        (ResponseKind::Timeout, _) => StatusCode::GATEWAY_TIMEOUT,
        (ResponseKind::QueryNeeded, _) => StatusCode::OK,
        (ResponseKind::Unauthenticated, _) => StatusCode::UNAUTHORIZED,
        (ResponseKind::Forbidden, _) => StatusCode::FORBIDDEN,
        (ResponseKind::RateLimited, _) => StatusCode::TOO_MANY_REQUESTS,
    };
    let mut http = with_body(status, media, response.body);
    if response.kind == ResponseKind::MethodNotAllowed {
        http.headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
    }
    if response.kind == ResponseKind::Unauthenticated {
        unauthenticated(&mut http);
    }
    http.headers_mut().extend(response.headers);
    http
}

/// Marks a response as refused for want of a caller: 401 and
/// `WWW-Authenticate: Bearer` (RFC 6750).
pub fn unauthenticated(response: &mut Response) {
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
}

/// The HTTP response reporting a request the HTTP layer refused, with a
/// GraphQL error body (no `data`).
pub fn http_error(error: &HttpError, media: ResponseMediaType) -> Response {
    with_body(error.status(), media, error_body(error))
}

/// The GraphQL response body reporting an [`HttpError`].
pub fn error_body(error: &HttpError) -> Bytes {
    let body = json!({
        "errors": [{ "message": error.to_string(), "extensions": { "code": error.code() } }]
    });
    // Serialising a `Value` cannot fail; an empty body would still carry the status.
    Bytes::from(serde_json::to_vec(&body).unwrap_or_default())
}

/// The response to a batch: its operations' responses as one JSON array,
/// HTTP 200 (each entry carries its own errors). A client that takes only
/// `multipart/mixed` gets the array as one JSON part.
pub fn batch(bodies: &[Bytes], media: ResponseMediaType) -> Response {
    let length = bodies.iter().map(Bytes::len).sum::<usize>() + bodies.len() + 1;
    let mut array = Vec::with_capacity(length);
    array.push(b'[');
    for (i, body) in bodies.iter().enumerate() {
        if i > 0 {
            array.push(b',');
        }
        array.extend_from_slice(body);
    }
    array.push(b']');
    with_body(StatusCode::OK, media, Bytes::from(array))
}

fn with_body(status: StatusCode, media: ResponseMediaType, body: Bytes) -> Response {
    if media == ResponseMediaType::Multipart {
        return with_stream(status, multipart::body(body, None));
    }
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, media.content_type());
    response
}

fn with_stream(status: StatusCode, body: Body) -> Response {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, ResponseMediaType::Multipart.content_type());
    response
}
