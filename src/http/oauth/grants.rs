//! The grants of `POST /oauth/token`: `password` (RFC 6749 §4.3) starts a
//! refresh-token family; `refresh_token` (§6) spends one token of it for an
//! access token and the family's next refresh token.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{
    audit, no_store, refusal, server_error, too_many_failures, OAuthRequest, OAuthState, Origin,
};
use crate::audit::Outcome;
use crate::identity::refresh::RefreshError;
use crate::identity::users::UserRecord;

const WRONG_LOGIN: &str = "The username or password is wrong.";
const BAD_REFRESH: &str = "The refresh token is invalid, expired or revoked.";

pub(super) async fn password(
    state: &OAuthState,
    request: OAuthRequest,
    origin: &Origin,
) -> Response {
    let (Some(username), Some(password)) = (request.username, request.password) else {
        return refusal("invalid_request", "username and password are required.");
    };
    if let Err(wait) = state.limits.allows(&username, origin.address).await {
        return too_many_failures(wait);
    }
    let issuer = &state.services.issuer;
    let user = match issuer.users().check_login(&username, &password).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            state.limits.failed(&username, origin.address).await;
            audit(
                state,
                origin,
                ("unknown", "oauth.password", None),
                Outcome::Refused,
            );
            return refusal("invalid_grant", WRONG_LOGIN);
        }
        Err(error) => {
            tracing::warn!("a login could not be checked: {error}");
            return server_error();
        }
    };
    match issuer.refresh_tokens().start(&user.id).await {
        Ok(refresh_token) => tokens(state, &user, &refresh_token).await,
        Err(error) => {
            tracing::warn!("a refresh token could not be made: {error}");
            server_error()
        }
    }
}

pub(super) async fn refresh(
    state: &OAuthState,
    request: OAuthRequest,
    origin: &Origin,
) -> Response {
    let Some(presented) = request.refresh_token else {
        return refusal("invalid_request", "refresh_token is required.");
    };
    let issuer = &state.services.issuer;
    let rotated = match issuer.refresh_tokens().rotate(&presented).await {
        Ok(rotated) => rotated,
        Err(RefreshError::Invalid(reason)) => {
            tracing::info!("a refresh token was refused: {reason}");
            audit(
                state,
                origin,
                ("unknown", "oauth.refresh", None),
                Outcome::Refused,
            );
            return refusal("invalid_grant", BAD_REFRESH);
        }
        Err(RefreshError::Reused { user }) => {
            tracing::warn!(user = %user, "a spent refresh token was presented again: its family is revoked");
            let actor = format!("user:{user}");
            let entry = (actor.as_str(), "oauth.refresh_reuse", Some(user.as_str()));
            audit(state, origin, entry, Outcome::Refused);
            return refusal("invalid_grant", BAD_REFRESH);
        }
        Err(error) => {
            tracing::warn!("a refresh token could not be checked: {error}");
            return server_error();
        }
    };
    match issuer.users().get(&rotated.user).await {
        Ok(Some(user)) if !user.disabled => tokens(state, &user, &rotated.token).await,
        Ok(_) => {
            // Disabled or deleted since the login: the family ends here.
            if let Err(error) = issuer.refresh_tokens().revoke(&rotated.token).await {
                tracing::warn!("a refresh token family could not be revoked: {error}");
            }
            audit(
                state,
                origin,
                ("unknown", "oauth.refresh", None),
                Outcome::Refused,
            );
            refusal("invalid_grant", BAD_REFRESH)
        }
        Err(error) => {
            tracing::warn!("a user could not be read: {error}");
            server_error()
        }
    }
}

/// The answer to a granted request: an access token for `user` and the
/// refresh token that comes with it (RFC 6749 §5.1).
async fn tokens(state: &OAuthState, user: &UserRecord, refresh_token: &str) -> Response {
    let issuer = &state.services.issuer;
    match issuer.issue(user).await {
        Ok(token) => {
            let body = json!({
                "access_token": token.token,
                "token_type": "Bearer",
                "expires_in": token.expires_in.as_secs(),
                "refresh_token": refresh_token,
            });
            no_store((StatusCode::OK, Json(body)).into_response())
        }
        Err(error) => {
            tracing::warn!("a token could not be issued: {error}");
            server_error()
        }
    }
}
