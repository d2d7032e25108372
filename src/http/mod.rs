//! The HTTP face of the gateway: an axum router with the GraphQL endpoint
//! (GraphQL over HTTP: `POST` and `GET /graphql`, and GraphiQL for browsers
//! when it is on), the liveness and readiness probes, and the tower layers
//! around them (CORS, compression, request id, tracing, body limit).
//!
//! Handlers stay thin: decode the request ([`decode`]), pick the response
//! media type ([`negotiate`]), hand the request to
//! [`Gateway::execute`](crate::pipeline::Gateway::execute) and encode its
//! answer ([`encode`], with [`multipart`] framing for incremental delivery).
//! What the request *means* is the pipeline's business;
//! this module only knows HTTP.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::routing::get;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::audit::AuditLog;
use crate::identity::issuer::TokenIssuer;
use crate::pipeline::Gateway;

mod admin;
mod audit;
mod body;
mod compression;
mod cors;
mod csrf;
mod decode;
mod encode;
mod error;
mod graphiql;
mod graphql;
mod multipart;
mod negotiate;
mod oauth;
mod probes;
mod server;

pub use admin::AdminEndpoint;
pub use body::BodyLimits;
pub use compression::CompressionSettings;
pub use cors::CorsSettings;
pub use csrf::CsrfSettings;
/// The request decoders, for the fuzz targets (`fuzz/`).
#[doc(hidden)]
pub use decode::{get_params, post_body};
pub use error::HttpError;
pub use graphiql::{
    graphiql_assets, GraphiqlAsset, GraphiqlSettings, GRAPHIQL_BUILT, GRAPHIQL_PACKAGES,
    LICENCES_PATH,
};
pub use negotiate::ResponseMediaType;
pub use server::{serve, ServerSettings};

/// HTTP settings that do not belong to the pipeline.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest accepted request body in bytes; larger bodies get 413.
    pub body_limit_bytes: usize,
    /// Time a client has to send a whole request body; after it, 408.
    pub body_read_timeout: Duration,
    /// The admin API at `/admin/graphql`; off (404) when `None`.
    pub admin: Option<AdminEndpoint>,
    /// Cross-origin access; none when no origin is listed.
    pub cors: CorsSettings,
    /// Compressed answers and request bodies; off when `None`.
    pub compression: Option<CompressionSettings>,
    /// CSRF prevention on `/graphql`; off when `None`.
    pub csrf: Option<CsrfSettings>,
    /// Most operations in one batch (a JSON array of requests); batching
    /// is off (an array is refused) when `None`.
    pub max_batch: Option<usize>,
    /// The audit log refused credentials go to; none kept when `None`.
    pub audit: Option<AuditLog>,
    /// Junction's token endpoints (`/oauth/token`, `/oauth/revoke`,
    /// `/.well-known/jwks.json`); off when `None`.
    pub oauth: Option<TokenIssuer>,
    /// GraphiQL on `GET /graphql` for browsers (an `Accept` preferring
    /// `text/html`); off when `None`.
    pub graphiql: Option<GraphiqlSettings>,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            body_limit_bytes: 2 * 1024 * 1024,
            body_read_timeout: Duration::from_secs(30),
            admin: None,
            cors: CorsSettings::default(),
            compression: None,
            csrf: None,
            max_batch: None,
            audit: None,
            oauth: None,
            graphiql: None,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
struct AppState {
    gateway: Arc<Gateway>,
    body_limits: BodyLimits,
    /// Opens the details of `/health/subgraphs` (the admin token).
    admin: Option<AdminEndpoint>,
    csrf: Option<Arc<CsrfSettings>>,
    max_batch: Option<usize>,
    /// Where refused credentials are recorded.
    audit: Option<AuditLog>,
    /// The page a browser gets on `GET /graphql`, when GraphiQL is on.
    graphiql: Option<graphiql::GraphiqlPage>,
}

const REQUEST_ID: HeaderName = HeaderName::from_static(crate::audit::REQUEST_ID_HEADER);

/// The router serving `/graphql`, `/health`, `/ready` and, when
/// configured, GraphiQL's files under `/graphql/_graphiql/` and `/admin/graphql`.
///
/// Outermost first: CORS (preflights are answered there), response
/// compression, request decompression, request id and tracing.
pub fn router(gateway: Arc<Gateway>, settings: &HttpSettings) -> Router {
    let token_verifier = gateway.identifier().token_verifier();
    let state = AppState {
        gateway,
        body_limits: BodyLimits {
            max_bytes: settings.body_limit_bytes,
            timeout: settings.body_read_timeout,
        },
        admin: settings.admin.clone(),
        csrf: settings.csrf.clone().map(Arc::new),
        max_batch: settings.max_batch,
        audit: settings.audit.clone(),
        graphiql: settings.graphiql.as_ref().map(graphiql::GraphiqlPage::new),
    };
    // The request span is at INFO so that what is logged while serving a
    // request (a masked subgraph error, a failed subgraph request) carries
    // its request id; responses are logged at DEBUG only. The span records
    // method, path and request id only: never the query string (GET
    // variables), headers or bodies.
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
    if settings.graphiql.is_some() {
        router = router.merge(graphiql::routes());
    }
    if let Some(admin) = &settings.admin {
        router = router.merge(admin::routes(admin.clone(), settings.body_read_timeout));
    }
    if let Some(issuer) = &settings.oauth {
        let services = oauth::OAuthServices {
            issuer: issuer.clone(),
            verifier: token_verifier,
            audit: settings.audit.clone(),
        };
        router = router.merge(oauth::routes(services, settings.body_read_timeout));
    }
    let router = router
        .layer(DefaultBodyLimit::max(settings.body_limit_bytes))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(trace)
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        );
    let router = match &settings.compression {
        Some(compression) => {
            let permits = Arc::new(tokio::sync::Semaphore::new(compression.max_concurrent));
            router
                .layer(compression::request_layer())
                .layer(compression::response_layer(compression))
                .layer(axum::middleware::from_fn(
                    compression::refuse_unknown_encoding,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    permits,
                    compression::limit_concurrent,
                ))
        }
        None => router,
    };
    match cors::layer(&settings.cors) {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

fn request_span<B>(request: &Request<B>) -> tracing::Span {
    let request_id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = request.uri().path(),
        request_id,
    )
}
