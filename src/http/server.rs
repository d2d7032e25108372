//! Serving a router until a shutdown signal, then draining: new connections
//! are refused, in-flight requests get up to the drain timeout to finish.

use std::future::{Future, IntoFuture};
use std::io;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Serves `router` on `listener` until `shutdown` completes, then waits at
/// most `drain_timeout` for in-flight requests before returning.
///
/// Idle keep-alive connections are closed at once; a request still running
/// when the drain timeout ends is abandoned (its connection is dropped when
/// the caller's runtime shuts down).
pub async fn serve<S>(
    listener: TcpListener,
    router: Router,
    shutdown: S,
    drain_timeout: Duration,
) -> io::Result<()>
where
    S: Future<Output = ()> + Send + 'static,
{
    let (draining, drain_started) = oneshot::channel::<()>();
    let server = axum::serve(listener, router)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // The receiver lives until the drain starts; nothing to do if it is gone.
            let _ = draining.send(());
        })
        .into_future();
    let mut server = std::pin::pin!(server);
    tokio::select! {
        result = &mut server => return result,
        _ = drain_started => {}
    }
    tracing::info!(
        timeout_ms = drain_timeout.as_millis() as u64,
        "shutting down: no new connections, draining in-flight requests"
    );
    match tokio::time::timeout(drain_timeout, server).await {
        Ok(result) => {
            tracing::info!("all requests finished");
            result
        }
        Err(_) => {
            tracing::warn!("drain timeout reached with requests still in flight; stopping anyway");
            Ok(())
        }
    }
}
