//! `/admin/graphql`: the admin API behind a bearer token. `POST` runs an
//! operation; `GET` serves GraphiQL (the page itself needs no token, every
//! operation does). The token is compared in constant time (SHA-256 of
//! both sides, then `subtle`), and never logged.
//!
//! The token is checked before the body is read, and the body has a small
//! limit of its own ([`ADMIN_BODY_LIMIT`]): an anonymous caller cannot make
//! the gateway read or parse anything.

use std::fmt;
use std::sync::Arc;

use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::GraphQLResponse;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::body::{self, BodyLimits};
use super::HttpError;
use crate::admin::{AdminSchema, Caller};

/// Largest admin request body (an operation with a subgraph's SDL).
pub const ADMIN_BODY_LIMIT: usize = 1024 * 1024;

/// The admin API and the token that opens it.
#[derive(Clone)]
pub struct AdminEndpoint {
    pub schema: AdminSchema,
    token_digest: [u8; 32],
}

impl AdminEndpoint {
    pub fn new(schema: AdminSchema, token: &str) -> Self {
        Self {
            schema,
            token_digest: Sha256::digest(token.as_bytes()).into(),
        }
    }

    /// Does the request carry the admin token?
    pub(super) fn authorized(&self, headers: &HeaderMap) -> bool {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or("");
        let digest: [u8; 32] = Sha256::digest(presented.trim().as_bytes()).into();
        !presented.is_empty() && bool::from(digest.ct_eq(&self.token_digest))
    }
}

impl fmt::Debug for AdminEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminEndpoint { token: <redacted> }")
    }
}

/// The admin endpoint and how long a body may take to arrive.
struct AdminState {
    endpoint: AdminEndpoint,
    body_read_timeout: Duration,
}

/// The routes of the admin API.
pub(super) fn routes(endpoint: AdminEndpoint, body_read_timeout: Duration) -> Router {
    let state = AdminState {
        endpoint,
        body_read_timeout,
    };
    Router::new()
        .route("/admin/graphql", get(graphiql).post(execute))
        .with_state(Arc::new(state))
}

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/admin/graphql").finish())
}

async fn execute(State(state): State<Arc<AdminState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    if !state.endpoint.authorized(&parts.headers) {
        let body = json!({ "errors": [{
            "message": "the admin API needs `Authorization: Bearer <admin token>`",
            "extensions": { "code": "UNAUTHENTICATED" }
        }]});
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            Json(body),
        )
            .into_response();
    }
    let limits = BodyLimits {
        max_bytes: ADMIN_BODY_LIMIT,
        timeout: state.body_read_timeout,
    };
    let request = match body::read(&parts.headers, body, limits).await {
        Ok(bytes) => serde_json::from_slice::<async_graphql::Request>(&bytes)
            .map_err(|error| HttpError::MalformedJson(plain_json_error(&error))),
        Err(error) => Err(error),
    };
    let request = match request {
        Ok(request) => request.data(Caller("admin token".to_string())),
        Err(error) => return refusal(&error),
    };
    GraphQLResponse::from(state.endpoint.schema.execute(request).await).into_response()
}

/// An admin request refused before it ran, as a GraphQL error.
fn refusal(error: &HttpError) -> Response {
    let body = json!({ "errors": [{
        "message": error.to_string(),
        "extensions": { "code": error.code() }
    }]});
    (error.status(), Json(body)).into_response()
}

/// What is wrong with a body, in words: serde's message says where, but
/// for a wrongly typed field it names Rust types, which mean nothing to a
/// client.
fn plain_json_error(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof | Category::Io => error.to_string(),
        Category::Data => format!(
            "expected a GraphQL request object with a `query` string (line {}, column {})",
            error.line(),
            error.column()
        ),
    }
}
