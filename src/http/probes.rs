//! Liveness and readiness probes for orchestrators and load balancers.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde_json::{json, Value};

use super::AppState;

/// `GET /health`: 200 for as long as the process serves HTTP.
pub async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `GET /health/subgraphs`: whether every subgraph is healthy; with the
/// admin credential, the last health probe of each subgraph (name, healthy,
/// when, consecutive failures, why the last one failed). URLs are never
/// shown; anonymous callers learn the overall status only (subgraph names
/// and failures tell an attacker what is behind the gateway).
pub async fn subgraphs(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let health = state.gateway.subgraph_health();
    let status = match health.iter().all(|(_, h)| h.healthy) {
        true => "ok",
        false => "degraded",
    };
    let admin = match &state.admin {
        Some(admin) => admin.authorized(&headers).await,
        None => false,
    };
    if !admin {
        return Json(json!({ "status": status }));
    }
    let subgraphs: Vec<Value> = health
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
    Json(json!({ "status": status, "subgraphs": subgraphs }))
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
