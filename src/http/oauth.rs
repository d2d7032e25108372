//! Junction's token endpoints (RFC 6749, RFC 8414's JWKS): `POST
//! /oauth/token` with `grant_type=password` (form-encoded or JSON) answers
//! an access token signed by Junction, and `GET /.well-known/jwks.json`
//! publishes the keys that verify it.
//!
//! A wrong password, an unknown account and a disabled user get the same
//! answer, byte for byte (`invalid_grant`). Repeated failures for one
//! account or from one address are refused for a while (429,
//! [`LoginLimits`]) before any password is checked. Answers are never
//! cached (`Cache-Control: no-store`).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::body::{self, BodyLimits};
use crate::identity::issuer::TokenIssuer;
use crate::identity::login_limits::{self, LoginLimits};

/// Largest token request body.
const TOKEN_BODY_LIMIT: usize = 16 * 1024;

struct OAuthState {
    issuer: TokenIssuer,
    body_read_timeout: Duration,
    limits: LoginLimits,
}

/// The routes of the token endpoints.
pub(super) fn routes(issuer: TokenIssuer, body_read_timeout: Duration) -> Router {
    let state = Arc::new(OAuthState {
        issuer,
        body_read_timeout,
        limits: LoginLimits::default(),
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
    let address = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip());
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
        Some("password") => password_grant(&state, request, address).await,
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

async fn password_grant(
    state: &OAuthState,
    request: TokenRequest,
    address: Option<IpAddr>,
) -> Response {
    let issuer = &state.issuer;
    let (Some(username), Some(password)) = (request.username, request.password) else {
        return refusal("invalid_request", "username and password are required.");
    };
    if !state.limits.allows(&username, address) {
        return too_many_failures();
    }
    let user = match issuer.users().check_login(&username, &password).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            state.limits.failed(&username, address);
            return refusal("invalid_grant", "The username or password is wrong.");
        }
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

/// Too many failed logins for this account or from this address: refused
/// without checking the password, until the window passes.
fn too_many_failures() -> Response {
    let body = json!({
        "error": "invalid_grant",
        "error_description": "Too many failed logins; try again later."
    });
    let retry = login_limits::WINDOW.as_secs().to_string();
    let mut response = no_store((StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response());
    if let Ok(value) = HeaderValue::from_str(&retry) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
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
