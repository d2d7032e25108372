//! The HTTP face of the gateway: an axum router with the GraphQL endpoint
//! (GraphQL over HTTP: `POST` and `GET /graphql`), the liveness and readiness
//! probes, and the tower layers around them (request id, tracing, body limit).
//!
//! Handlers stay thin: decode the request ([`decode`]), pick the response
//! media type ([`negotiate`]), hand the request to
//! [`Gateway::execute`](crate::pipeline::Gateway::execute) and encode its
//! answer ([`encode`], with [`multipart`] framing for incremental delivery).
//! What the request *means* is the pipeline's business;
//! this module only knows HTTP.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::routing::get;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::pipeline::Gateway;

mod admin;
mod decode;
mod encode;
mod error;
mod graphql;
mod multipart;
mod negotiate;
mod probes;
mod server;

pub use admin::AdminEndpoint;
pub use error::HttpError;
pub use negotiate::ResponseMediaType;
pub use server::serve;

/// HTTP settings that do not belong to the pipeline.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest accepted request body in bytes; larger bodies get 413.
    pub body_limit_bytes: usize,
    /// The admin API at `/admin/graphql`; off (404) when `None`.
    pub admin: Option<AdminEndpoint>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            body_limit_bytes: 2 * 1024 * 1024,
            admin: None,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
struct AppState {
    gateway: Arc<Gateway>,
    body_limit_bytes: usize,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The router serving `/graphql`, `/health`, `/ready` and, when
/// configured, `/admin/graphql`.
///
/// CORS is not enabled: browsers on other origins cannot call the gateway
/// unless a layer is added in front of it.
pub fn router(gateway: Arc<Gateway>, settings: &HttpSettings) -> Router {
    let state = AppState {
        gateway,
        body_limit_bytes: settings.body_limit_bytes,
    };
    // Request and response spans at DEBUG, so that the default `info` filter
    // costs nothing per request. The span records method, path and request id
    // only: never the query string (GET variables), headers or bodies.
    let trace = TraceLayer::new_for_http()
        .make_span_with(request_span)
        .on_response(DefaultOnResponse::new().level(Level::DEBUG))
        .on_failure(DefaultOnFailure::new().level(Level::WARN));
    let mut router = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::post))
        .route("/health", get(probes::health))
        .route("/health/subgraphs", get(probes::subgraphs))
        .route("/ready", get(probes::ready))
        .with_state(state);
    if let Some(admin) = &settings.admin {
        router = router.merge(admin::routes(admin.clone()));
    }
    router
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        )
}

fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    tracing::debug_span!(
        "request",
        method = %request.method(),
        path = request.uri().path(),
        request_id,
    )
}
