//! `/admin/graphql`: the admin API behind a bearer token. `POST` runs an
//! operation; `GET` serves GraphiQL (the page itself needs no token, every
//! operation does). The token is compared in constant time (SHA-256 of
//! both sides, then `subtle`), and never logged.

use std::fmt;
use std::sync::Arc;

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::admin::{AdminSchema, Caller};

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

    fn authorized(&self, headers: &HeaderMap) -> bool {
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

/// The routes of the admin API.
pub(super) fn routes(endpoint: AdminEndpoint) -> Router {
    Router::new()
        .route("/admin/graphql", get(graphiql).post(execute))
        .with_state(Arc::new(endpoint))
}

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/admin/graphql").finish())
}

async fn execute(
    State(endpoint): State<Arc<AdminEndpoint>>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    if !endpoint.authorized(&headers) {
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
    let request = request.into_inner().data(Caller("admin token".to_string()));
    GraphQLResponse::from(endpoint.schema.execute(request).await).into_response()
}
