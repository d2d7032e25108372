//! `/admin/graphql`: the admin API, for callers holding the `admin` role
//! (a user's token or an API key, checked like any request's credential)
//! and for the bootstrap admin token when one is configured. `POST` runs
//! an operation; `GET` serves GraphiQL (the page itself needs no
//! credential, every operation does). The token is compared in constant
//! time (SHA-256 of both sides, then `subtle`), and never logged.
//!
//! The credential is checked before the body is read, and the body has a
//! small limit of its own ([`ADMIN_BODY_LIMIT`]): a caller without the
//! role cannot make the gateway read or parse anything. No credential, or
//! one that fails, is 401 `UNAUTHENTICATED`; a caller without the `admin`
//! role is 403 `FORBIDDEN`.
//!
//! The caller goes into the request's data, so the admin schema can tell
//! a global admin from an org admin (one holding `admin` in an org); an
//! audit entry of an admin mutation carries the caller's org.

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

use super::audit;
use super::body::{self, BodyLimits};
use super::HttpError;
use crate::admin::{AdminSchema, AuditTargets, Caller};
use crate::audit::{Action, AuditLog, Outcome};
use crate::identity::Identifier;

/// Largest admin request body (an operation with a subgraph's SDL).
pub const ADMIN_BODY_LIMIT: usize = 1024 * 1024;

/// The role that opens the admin API.
pub const ADMIN_ROLE: &str = "admin";

/// The admin API and who may use it.
#[derive(Clone)]
pub struct AdminEndpoint {
    pub schema: AdminSchema,
    /// The bootstrap token's digest, when one is configured.
    token_digest: Option<[u8; 32]>,
    /// Identifies callers by their credentials (users, API keys).
    identifier: Option<Identifier>,
    /// Where refusals and mutations are recorded.
    audit: Option<AuditLog>,
}

/// Who an admin request comes from (and its caller, unless it is the
/// bootstrap token), or why it may not run.
enum Admission {
    Admitted(String, Option<crate::identity::Caller>),
    Unauthenticated,
    Forbidden,
}

impl AdminEndpoint {
    /// The admin API opened by the bootstrap `token`.
    pub fn new(schema: AdminSchema, token: &str) -> Self {
        Self {
            schema,
            token_digest: Some(Sha256::digest(token.as_bytes()).into()),
            identifier: None,
            audit: None,
        }
    }

    /// The admin API opened only by credentials holding the `admin` role.
    pub fn without_token(schema: AdminSchema) -> Self {
        Self {
            schema,
            token_digest: None,
            identifier: None,
            audit: None,
        }
    }

    /// Also admits callers `identifier` finds holding the `admin` role.
    #[must_use]
    pub fn with_identifier(mut self, identifier: Identifier) -> Self {
        self.identifier = Some(identifier);
        self
    }

    /// Records refusals and mutations in `log`.
    #[must_use]
    pub fn with_audit(mut self, log: AuditLog) -> Self {
        self.audit = Some(log);
        self
    }

    /// The audit log, when one is kept.
    pub(super) fn audit(&self) -> Option<&AuditLog> {
        self.audit.as_ref()
    }

    /// Does the request carry the bootstrap token?
    fn has_token(&self, headers: &HeaderMap) -> bool {
        let Some(expected) = &self.token_digest else {
            return false;
        };
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .unwrap_or("");
        let digest: [u8; 32] = Sha256::digest(presented.trim().as_bytes()).into();
        !presented.is_empty() && bool::from(digest.ct_eq(expected))
    }

    /// Does the request carry an admin credential?
    pub(super) async fn authorized(&self, headers: &HeaderMap) -> bool {
        matches!(self.admit(headers).await, Admission::Admitted(..))
    }

    async fn admit(&self, headers: &HeaderMap) -> Admission {
        if self.has_token(headers) {
            return Admission::Admitted("admin token".to_string(), None);
        }
        let Some(identifier) = &self.identifier else {
            return Admission::Unauthenticated;
        };
        match identifier.identify(headers).await {
            Ok(caller) if caller.is_anonymous() => Admission::Unauthenticated,
            Ok(caller) if caller.has_role(ADMIN_ROLE) => {
                let kind = caller.kind.as_str();
                let subject = caller.subject.clone().unwrap_or_default();
                Admission::Admitted(format!("{kind}:{subject}"), Some(caller))
            }
            Ok(_) => Admission::Forbidden,
            Err(error) => {
                tracing::info!(reason = error.reason(), "admin request refused: no caller");
                Admission::Unauthenticated
            }
        }
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
    let refused = |action| {
        let log = state.endpoint.audit();
        audit::refused(
            log,
            action,
            "/admin/graphql",
            &parts.headers,
            &parts.extensions,
        );
    };
    let (by, identified) = match state.endpoint.admit(&parts.headers).await {
        Admission::Admitted(by, caller) => (by, caller),
        Admission::Unauthenticated => {
            refused("authenticate");
            let body = json!({ "errors": [{
                "message": "the admin API needs a credential holding the admin role (Authorization: Bearer <token or API key>)",
                "extensions": { "code": "UNAUTHENTICATED" }
            }]});
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer")],
                Json(body),
            )
                .into_response();
        }
        Admission::Forbidden => {
            refused("admin");
            let body = json!({ "errors": [{
                "message": "the admin API is for callers holding the admin role",
                "extensions": { "code": "FORBIDDEN" }
            }]});
            return (StatusCode::FORBIDDEN, Json(body)).into_response();
        }
    };
    let limits = BodyLimits {
        max_bytes: ADMIN_BODY_LIMIT,
        timeout: state.body_read_timeout,
    };
    let request = match body::read(&parts.headers, body, limits).await {
        Ok(bytes) => serde_json::from_slice::<async_graphql::Request>(&bytes)
            .map_err(|error| HttpError::MalformedJson(plain_json_error(&error))),
        Err(error) => Err(error),
    };
    let targets = AuditTargets::default();
    let org = identified.as_ref().and_then(|caller| caller.org.clone());
    let request = match request {
        Ok(request) => {
            let request = request.data(Caller(by.clone())).data(targets.clone());
            match identified {
                Some(caller) => request.data(caller),
                None => request,
            }
        }
        Err(error) => return refusal(&error),
    };
    let mutations = audit::mutations(&request);
    let response = state.endpoint.schema.execute(request).await;
    if let Some(log) = state.endpoint.audit() {
        let (client_ip, request_id) = audit::origin(&parts.headers, &parts.extensions);
        for mutation in mutations {
            let failed =
                !response.errors.is_empty() || audit::failed(&response.data, &mutation.key);
            let outcome = if failed {
                Outcome::Failure
            } else {
                Outcome::Success
            };
            let action = Action {
                actor: by.clone(),
                org: org.clone(),
                action: mutation.name,
                target: mutation.target.or_else(|| targets.get(&mutation.key)),
                client_ip: client_ip.clone(),
                request_id: request_id.clone(),
            };
            if let Err(error) = log.write(action, outcome).await {
                tracing::warn!("writing an audit entry failed: {error}");
            }
        }
    }
    GraphQLResponse::from(response).into_response()
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
