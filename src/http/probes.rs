//! Liveness and readiness probes for orchestrators and load balancers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};

use super::AppState;

/// `GET /health`: 200 for as long as the process serves HTTP.
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /health/subgraphs`: the last health probe of each subgraph (name,
/// healthy, when, consecutive failures, why the last one failed). URLs are
/// not shown.
pub async fn subgraphs(State(state): State<AppState>) -> Json<Value> {
    let subgraphs: Vec<Value> = state
        .gateway
        .subgraph_health()
        .into_iter()
        .map(|(name, health)| {
            json!({
                "name": name,
                "healthy": health.healthy,
                "checkedAt": health.checked_at_ms,
                "consecutiveFailures": health.consecutive_failures,
                "lastError": health.last_error,
            })
        })
        .collect();
    Json(json!({ "subgraphs": subgraphs }))
}

/// `GET /ready`: 200 once a supergraph is loaded, 503 before.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.gateway.is_ready() {
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not_ready" })),
        )
    }
}
