//! Junction's token endpoints: `POST /oauth/token` (RFC 6749) with
//! `grant_type=password` or `grant_type=refresh_token`, form-encoded or
//! JSON, answering an access token signed by Junction and a refresh token;
//! `POST /oauth/revoke` (RFC 7009) for refresh and access tokens; and `GET
//! /.well-known/jwks.json`, the keys that verify the access tokens.
//!
//! A wrong password, an unknown account and a disabled user get the same
//! answer, byte for byte (`invalid_grant`). Repeated failures for one
//! account or from one address are refused for a while (429,
//! [`LoginLimits`]) before any password is checked. Answers are never
//! cached (`Cache-Control: no-store`). Refused logins, refresh-token reuse
//! and revocations are written to the audit log (never a token or an
//! email).

mod grants;
mod revoke;

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
use crate::audit::{Action, AuditLog, Outcome};
use crate::identity::issuer::TokenIssuer;
use crate::identity::Verify;
use crate::ratelimit::LoginLimits;

/// Largest token or revocation request body.
const TOKEN_BODY_LIMIT: usize = 16 * 1024;

/// What the token endpoints work with.
pub(super) struct OAuthServices {
    pub issuer: TokenIssuer,
    /// Verifies access tokens presented for revocation (Junction's and the
    /// providers'); none when the gateway verifies no tokens.
    pub verifier: Option<Arc<dyn Verify>>,
    pub audit: Option<AuditLog>,
}

struct OAuthState {
    services: OAuthServices,
    body_read_timeout: Duration,
    limits: LoginLimits,
}

/// The routes of the token endpoints.
pub(super) fn routes(services: OAuthServices, body_read_timeout: Duration) -> Router {
    let login_store = Some(services.issuer.store());
    let state = Arc::new(OAuthState {
        services,
        body_read_timeout,
        limits: LoginLimits::shared(login_store),
    });
    Router::new()
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke::revoke))
        .route("/.well-known/jwks.json", get(jwks))
        .with_state(state)
}

/// A token or revocation request's parameters (RFC 6749 §4.3.2, §6; RFC
/// 7009 §2.1).
#[derive(Debug, Default, Deserialize)]
struct OAuthRequest {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
    token: Option<String>,
    token_type_hint: Option<String>,
}

/// Who sent a request, for the limits and the audit log.
struct Origin {
    address: Option<IpAddr>,
    request_id: Option<String>,
}

async fn token(State(state): State<Arc<OAuthState>>, request: Request) -> Response {
    let (origin, request) = match read(&state, request).await {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    match request.grant_type.as_deref() {
        Some("password") => grants::password(&state, request, &origin).await,
        Some("refresh_token") => grants::refresh(&state, request, &origin).await,
        Some(_) => refusal(
            "unsupported_grant_type",
            "The grant types are password and refresh_token.",
        ),
        None => refusal("invalid_request", "grant_type is missing."),
    }
}

/// The request's origin and parameters, or the answer refusing it.
async fn read(state: &OAuthState, request: Request) -> Result<(Origin, OAuthRequest), Response> {
    let (parts, body) = request.into_parts();
    let origin = Origin {
        address: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip()),
        request_id: parts
            .headers
            .get(super::REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    };
    let limits = BodyLimits {
        max_bytes: TOKEN_BODY_LIMIT,
        timeout: state.body_read_timeout,
    };
    let Ok(bytes) = body::read(&parts.headers, body, limits).await else {
        return Err(refusal(
            "invalid_request",
            "The request body could not be read.",
        ));
    };
    match parse(&parts.headers, &bytes) {
        Some(request) => Ok((origin, request)),
        None => Err(refusal(
            "invalid_request",
            "The body is neither a form nor a JSON object.",
        )),
    }
}

fn parse(headers: &HeaderMap, bytes: &[u8]) -> Option<OAuthRequest> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    match json {
        true => serde_json::from_slice(bytes).ok(),
        false => serde_urlencoded::from_bytes(bytes).ok(),
    }
}

async fn jwks(State(state): State<Arc<OAuthState>>) -> Response {
    match state.services.issuer.jwks().await {
        Ok(keys) => (StatusCode::OK, Json(keys)).into_response(),
        Err(error) => {
            tracing::warn!("the signing keys could not be read: {error}");
            server_error()
        }
    }
}

/// Writes `action` on `target` by `actor` to the audit log, if one is kept.
fn audit(state: &OAuthState, origin: &Origin, entry: (&str, &str, Option<&str>), outcome: Outcome) {
    let Some(log) = &state.services.audit else {
        return;
    };
    let (actor, action, target) = entry;
    let action = Action {
        actor: actor.to_string(),
        action: action.to_string(),
        target: target.map(str::to_string),
        client_ip: origin.address.map(|ip| ip.to_string()),
        request_id: origin.request_id.clone(),
        ..Action::default()
    };
    log.record(action, outcome);
}

/// An RFC 6749 §5.2 error.
fn refusal(error: &str, description: &str) -> Response {
    let body = json!({ "error": error, "error_description": description });
    no_store((StatusCode::BAD_REQUEST, Json(body)).into_response())
}

/// Too many failed logins for this account or from this address: refused
/// without checking the password, for `wait`.
fn too_many_failures(wait: Duration) -> Response {
    let body = json!({
        "error": "invalid_grant",
        "error_description": "Too many failed logins; try again later."
    });
    let retry = crate::ratelimit::seconds(wait).to_string();
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
