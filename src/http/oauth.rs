//! Junction's token endpoints (RFC 6749, RFC 8414's JWKS): `POST
//! /oauth/token` with `grant_type=password` (form-encoded or JSON) answers
//! an access token signed by Junction, and `GET /.well-known/jwks.json`
//! publishes the keys that verify it.
//!
//! A wrong password, an unknown account and a disabled user get the same
//! answer, byte for byte (`invalid_grant`). Answers are never cached
//! (`Cache-Control: no-store`).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::body::{self, BodyLimits};
use crate::identity::issuer::TokenIssuer;

/// Largest token request body.
const TOKEN_BODY_LIMIT: usize = 16 * 1024;

struct OAuthState {
    issuer: TokenIssuer,
    body_read_timeout: Duration,
}

/// The routes of the token endpoints.
pub(super) fn routes(issuer: TokenIssuer, body_read_timeout: Duration) -> Router {
    let state = Arc::new(OAuthState {
        issuer,
        body_read_timeout,
    });
    Router::new()
        .route("/oauth/token", post(token))
        .route("/.well-known/jwks.json", get(jwks))
        .with_state(state)
}

/// A token request's parameters (RFC 6749 §4.3.2).
#[derive(Debug, Default, Deserialize)]
struct TokenRequest {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

async fn token(State(state): State<Arc<OAuthState>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let limits = BodyLimits {
        max_bytes: TOKEN_BODY_LIMIT,
        timeout: state.body_read_timeout,
    };
    let Ok(bytes) = body::read(&parts.headers, body, limits).await else {
        return refusal("invalid_request", "The request body could not be read.");
    };
    let Some(request) = parse(&parts.headers, &bytes) else {
        return refusal(
            "invalid_request",
            "The body is neither a form nor a JSON object.",
        );
    };
    match request.grant_type.as_deref() {
        Some("password") => password_grant(&state.issuer, request).await,
        Some(_) => refusal(
            "unsupported_grant_type",
            "Only the password grant is supported.",
        ),
        None => refusal("invalid_request", "grant_type is missing."),
    }
}

fn parse(headers: &HeaderMap, bytes: &[u8]) -> Option<TokenRequest> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    match json {
        true => serde_json::from_slice(bytes).ok(),
        false => serde_urlencoded::from_bytes(bytes).ok(),
    }
}

async fn password_grant(issuer: &TokenIssuer, request: TokenRequest) -> Response {
    let (Some(username), Some(password)) = (request.username, request.password) else {
        return refusal("invalid_request", "username and password are required.");
    };
    let user = match issuer.users().check_login(&username, &password).await {
        Ok(Some(user)) => user,
        Ok(None) => return refusal("invalid_grant", "The username or password is wrong."),
        Err(error) => {
            tracing::warn!("a login could not be checked: {error}");
            return server_error();
        }
    };
    match issuer.issue(&user).await {
        Ok(token) => {
            let body = json!({
                "access_token": token.token,
                "token_type": "Bearer",
                "expires_in": token.expires_in.as_secs(),
            });
            no_store((StatusCode::OK, Json(body)).into_response())
        }
        Err(error) => {
            tracing::warn!("a token could not be issued: {error}");
            server_error()
        }
    }
}

async fn jwks(State(state): State<Arc<OAuthState>>) -> Response {
    match state.issuer.jwks().await {
        Ok(keys) => (StatusCode::OK, Json(keys)).into_response(),
        Err(error) => {
            tracing::warn!("the signing keys could not be read: {error}");
            server_error()
        }
    }
}

/// An RFC 6749 §5.2 error.
fn refusal(error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    no_store((StatusCode::BAD_REQUEST, Json(body)).into_response())
}

fn server_error() -> Response {
    let body = json!({ "error": "server_error", "error_description": "Try again later." });
    no_store((StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response())
}

fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
