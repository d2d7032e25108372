//! The JWKS endpoint of the harness's identity provider: a real HTTP server (axum) on
//! a free port of 127.0.0.1, in this process, serving the key set at `/jwks.json`
//! until dropped. It counts the fetches, so a run can say how often the gateway came
//! for the keys.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::Value;
use tokio::sync::oneshot;

/// The path the key set is served at.
const JWKS_PATH: &str = "/jwks.json";

/// A running JWKS server; dropping it stops it.
pub struct JwksServer {
    addr: SocketAddr,
    fetches: Arc<AtomicU64>,
    _stop: oneshot::Sender<()>,
}

/// What the handler reads.
#[derive(Clone)]
struct Published {
    jwks: Arc<Value>,
    fetches: Arc<AtomicU64>,
}

impl JwksServer {
    /// Serves `jwks` on a free port of 127.0.0.1.
    pub async fn start(jwks: Value) -> Result<JwksServer> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding the JWKS server's port")?;
        let addr = listener.local_addr()?;
        let fetches = Arc::new(AtomicU64::new(0));
        let published = Published {
            jwks: Arc::new(jwks),
            fetches: Arc::clone(&fetches),
        };
        let router = Router::new()
            .route(JWKS_PATH, get(serve_jwks))
            .with_state(published);
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            // A failed accept loop only means the keys are gone, which the gateway's
            // refusals would show.
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(JwksServer {
            addr,
            fetches,
            _stop: stop,
        })
    }

    /// `http://127.0.0.1:PORT/jwks.json`.
    pub fn url(&self) -> String {
        format!("http://{}{JWKS_PATH}", self.addr)
    }

    /// How many times the key set was served.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}

async fn serve_jwks(State(published): State<Published>) -> Json<Value> {
    published.fetches.fetch_add(1, Ordering::Relaxed);
    Json(Value::clone(&published.jwks))
}

#[cfg(test)]
mod tests {
    use junction_loadbench::client::get_status;
    use serde_json::json;

    use super::*;

    #[tokio::test]
    async fn serves_the_key_set_over_http_and_counts_fetches() -> Result<()> {
        let server = JwksServer::start(json!({"keys": []})).await?;
        assert!(server.url().starts_with("http://127.0.0.1:"));
        assert_eq!(server.fetches(), 0);
        assert_eq!(get_status(&server.url()).await?, 200);
        assert_eq!(get_status(&server.url()).await?, 200);
        assert_eq!(server.fetches(), 2);
        let elsewhere = server.url().replace(JWKS_PATH, "/other");
        assert_eq!(get_status(&elsewhere).await?, 404);
        assert_eq!(server.fetches(), 2);
        Ok(())
    }
}
