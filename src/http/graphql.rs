//! The GraphQL endpoint: `POST /graphql` and `GET /graphql`.
//!
//! Each handler decodes, calls the pipeline and encodes; the order of the
//! checks is the spec's: an unacceptable `Accept` stops processing (406)
//! before anything else is looked at. When GraphiQL is on, a `GET` whose
//! `Accept` prefers `text/html` (a browser's navigation) gets its page
//! instead, whatever its parameters: the page opens a `query` parameter in
//! its editor, and nothing runs until the user asks.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::decode::PostBody;
use super::{audit, body, csrf, decode, encode, negotiate, AppState, HttpError, ResponseMediaType};
use crate::pipeline::{Delivery, GraphQLRequest, RequestMethod, ResponseKind};

/// `POST /graphql` with a JSON body (or, when batching is on, an array).
pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    let peer = peer(&parts.extensions);
    let response = match decode_post(&state, headers, body).await {
        Ok((PostBody::Single(request), media)) => {
            let delivery = delivery(headers);
            let method = RequestMethod::Post;
            let sent = Sent { headers, peer };
            execute(&state, sent, request, method, media, delivery).await
        }
        Ok((PostBody::Batch(requests), media)) => {
            execute_batch(&state, Sent { headers, peer }, requests, media).await
        }
        Err((error, media)) => encode::http_error(&error, media),
    };
    audit_refusal(&state, &response, headers, &parts.extensions);
    response
}

/// `GET /graphql?query=…&operationName=…&variables=…&extensions=…`.
pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let headers = parts.headers;
    let query_string = parts.uri.query().map(str::to_string);
    let peer = peer(&parts.extensions);
    if negotiate::is_websocket_upgrade(&headers) {
        return encode::http_error(&HttpError::WebSocketUnsupported, ResponseMediaType::Json);
    }
    if let Some(page) = &state.graphiql {
        if negotiate::prefers_html(&headers) {
            return page.response();
        }
    }
    let media = match negotiate::response_media_type(&headers) {
        Ok(media) => media,
        Err(error) => return encode::http_error(&error, ResponseMediaType::Json),
    };
    if let Err(error) = check_csrf(&state, &headers) {
        return encode::http_error(&error, media);
    }
    match decode::get_params(query_string.as_deref()) {
        Ok(request) => {
            let delivery = delivery(&headers);
            execute(
                &state,
                Sent {
                    headers: &headers,
                    peer,
                },
                request,
                RequestMethod::Get,
                media,
                delivery,
            )
            .await
        }
        Err(error) => encode::http_error(&error, media),
    }
}

type Refusal = (HttpError, ResponseMediaType);

/// Checks the headers, then reads the body (within its size and time
/// limits) and decodes it: nothing is read for a request refused by its
/// headers.
async fn decode_post(
    state: &AppState,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<(PostBody, ResponseMediaType), Refusal> {
    let media = negotiate::response_media_type(headers)
        .map_err(|error| (error, ResponseMediaType::Json))?;
    check_csrf(state, headers).map_err(|error| (error, media))?;
    negotiate::check_content_type(headers).map_err(|error| (error, media))?;
    let body = body::read(headers, body, state.body_limits)
        .await
        .map_err(|error| (error, media))?;
    let request =
        decode::post_body_or_batch(&body, state.max_batch).map_err(|error| (error, media))?;
    Ok((request, media))
}

/// Records a request refused for its credential in the audit log.
fn audit_refusal(
    state: &AppState,
    response: &Response,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) {
    if response.status() == axum::http::StatusCode::UNAUTHORIZED {
        audit::refused(
            state.audit.as_ref(),
            "authenticate",
            "/graphql",
            headers,
            extensions,
        );
    }
}

/// Refuses a request a browser could have forged, when CSRF prevention is on.
fn check_csrf(state: &AppState, headers: &HeaderMap) -> Result<(), HttpError> {
    match &state.csrf {
        Some(settings) => csrf::check(headers, settings),
        None => Ok(()),
    }
}

/// Deferred fragments arrive incrementally only for a client that takes `multipart/mixed`.
fn delivery(headers: &HeaderMap) -> Delivery {
    if negotiate::accepts_incremental(headers) {
        Delivery::Incremental
    } else {
        Delivery::Complete
    }
}

/// Runs each operation of a batch through the pipeline on its own (at
/// once, each with its own errors; deferred fragments inline) and answers
/// their responses as one JSON array, in order.
/// A batch whose caller has no credential (every entry then says so) is
/// answered 401 as a whole. Each entry is counted against the caller's
/// rate limits (at once: in no set order); the answer carries the limits'
/// headers of its last entry that has them (a refused entry is a
/// `RATE_LIMITED` error in its place).
async fn execute_batch(
    state: &AppState,
    Sent { headers, peer }: Sent<'_>,
    requests: Vec<Result<GraphQLRequest, HttpError>>,
    media: ResponseMediaType,
) -> Response {
    let runs = requests.into_iter().map(|request| async move {
        match request {
            Ok(request) => {
                let gateway = &state.gateway;
                let response = gateway
                    .execute_for(
                        request,
                        headers,
                        peer,
                        RequestMethod::Post,
                        Delivery::Complete,
                    )
                    .await;
                (Some(response.kind), response.body, response.headers)
            }
            Err(error) => (None, encode::error_body(&error), Vec::new()),
        }
    });
    let answers = futures::future::join_all(runs).await;
    let unauthenticated = answers
        .iter()
        .any(|(kind, _, _)| *kind == Some(ResponseKind::Unauthenticated));
    let limits = answers
        .iter()
        .rev()
        .map(|(_, _, headers)| headers)
        .find(|headers| !headers.is_empty())
        .cloned()
        .unwrap_or_default();
    let bodies: Vec<_> = answers.into_iter().map(|(_, body, _)| body).collect();
    let mut response = encode::batch(&bodies, media);
    response.headers_mut().extend(limits);
    if unauthenticated {
        encode::unauthenticated(&mut response);
    }
    response
}

async fn execute(
    state: &AppState,
    Sent { headers, peer }: Sent<'_>,
    request: GraphQLRequest,
    method: RequestMethod,
    media: ResponseMediaType,
    delivery: Delivery,
) -> Response {
    let gateway = &state.gateway;
    let response = gateway
        .execute_for(request, headers, peer, method, delivery)
        .await;
    encode::graphql_response(response, media)
}

/// Who sent a request: its headers and the connection's peer address.
#[derive(Clone, Copy)]
struct Sent<'a> {
    headers: &'a HeaderMap,
    peer: Option<IpAddr>,
}

/// The connection's peer address, when the server recorded it.
fn peer(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|axum::extract::ConnectInfo(addr)| addr.ip())
}
