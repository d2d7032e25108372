//! `POST /oauth/revoke` (RFC 7009): a refresh token revokes its whole
//! family; an access token (Junction's, or a configured provider's that
//! verifies) goes on the deny-list by its `jti` until it expires, honoured
//! by every replica within a second.
//!
//! Holding a token is the right to revoke it: there are no registered
//! clients to authenticate. A token that is unknown, invalid or already
//! revoked is answered 200 like a revoked one (§2.2), so the endpoint says
//! nothing about tokens; a valid access token without a `jti` cannot be
//! listed and gets `unsupported_token_type`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{audit, no_store, read, refusal, server_error, OAuthState, Origin};
use crate::audit::Outcome;
use crate::identity::issuer::expiry_of_verified;
use crate::identity::refresh::REFRESH_TOKEN_PREFIX;

pub(super) async fn revoke(State(state): State<Arc<OAuthState>>, request: Request) -> Response {
    let (origin, request) = match read(&state, request).await {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    let Some(token) = request.token else {
        return refusal("invalid_request", "token is required.");
    };
    // The hint only speeds a lookup up (§2.1); the token's form decides.
    let _ = request.token_type_hint;
    match token.starts_with(REFRESH_TOKEN_PREFIX) {
        true => revoke_refresh_token(&state, &token, &origin).await,
        false => revoke_access_token(&state, &token, &origin).await,
    }
}

async fn revoke_refresh_token(state: &OAuthState, token: &str, origin: &Origin) -> Response {
    match state.services.issuer.refresh_tokens().revoke(token).await {
        Ok(known) => {
            if known {
                let entry = ("unknown", "oauth.revoke", Some("refresh_token"));
                audit(state, origin, entry, Outcome::Success);
            }
            revoked()
        }
        Err(error) => {
            tracing::warn!("a refresh token could not be revoked: {error}");
            server_error()
        }
    }
}

async fn revoke_access_token(state: &OAuthState, token: &str, origin: &Origin) -> Response {
    let Some(verifier) = &state.services.verifier else {
        return revoked();
    };
    let caller = match verifier.verify(token).await {
        Ok(caller) if !caller.is_anonymous() => caller,
        // Invalid, expired, revoked already, or not a token this gateway
        // checks: nothing to revoke.
        _ => return revoked(),
    };
    let (Some(token_id), Some(expires_at)) = (&caller.token_id, expiry_of_verified(token)) else {
        return refusal(
            "unsupported_token_type",
            "The token has no jti or exp, so it cannot be revoked.",
        );
    };
    let revocations = state.services.issuer.revocations();
    match revocations.revoke(token_id, expires_at).await {
        Ok(()) => {
            let actor = caller
                .subject
                .as_ref()
                .map_or_else(|| "unknown".to_string(), |s| format!("user:{s}"));
            let entry = (actor.as_str(), "oauth.revoke", Some("access_token"));
            audit(state, origin, entry, Outcome::Success);
            revoked()
        }
        Err(error) => {
            tracing::warn!("an access token could not be revoked: {error}");
            server_error()
        }
    }
}

/// §2.2: 200, whatever became of the token.
fn revoked() -> Response {
    no_store(StatusCode::OK.into_response())
}
