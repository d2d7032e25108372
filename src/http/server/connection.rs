//! One client connection: HTTP/1.1 or HTTP/2 (hyper-util's automatic
//! choice) over a socket that reports activity, and a watchdog that drops
//! the connection when the client takes longer than `header_read` to send
//! a request's head, or leaves it idle longer than `keep_alive`.
//!
//! Requests in flight are never cut by the watchdog: their time is bounded
//! by the body read timeout and the request timeout.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpStream;
use tokio::sync::{watch, OwnedSemaphorePermit};
use tower::ServiceExt;

use super::activity::{Activity, State, TrackedBody, Watched};

/// How long a connection may wait on its client.
#[derive(Debug, Clone, Copy)]
pub(super) struct Timeouts {
    pub header_read: Duration,
    pub keep_alive: Duration,
}

/// What serving one connection needs.
pub(super) struct Connection {
    pub router: Router,
    pub timeouts: Timeouts,
    pub stopping: watch::Receiver<bool>,
    /// The client's address, given to every request as axum's
    /// `ConnectInfo` (for audit entries and, later, per-IP limits).
    pub peer: SocketAddr,
}

impl Connection {
    /// Serves the connection until it closes, times out or the server
    /// stops; the permit is released when it ends.
    pub async fn serve(mut self, stream: TcpStream, permit: OwnedSemaphorePermit) {
        let activity = Activity::new();
        let io = TokioIo::new(Watched::new(stream, Arc::clone(&activity)));
        let router = self.router.clone();
        let tracked = Arc::clone(&activity);
        let peer = self.peer;
        let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
            let guard = tracked.request_started();
            let router = router.clone();
            let mut request = request.map(Body::new);
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
            async move {
                let response = match router.oneshot(request).await {
                    Ok(response) => response,
                    Err(infallible) => match infallible {},
                };
                Ok::<_, Infallible>(response.map(|body| Body::new(TrackedBody::new(body, guard))))
            }
        });
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(None)
            .keep_alive(true);
        builder
            .http2()
            .timer(TokioTimer::new())
            .keep_alive_interval(Some(self.timeouts.keep_alive / 2));
        let connection = builder.serve_connection_with_upgrades(io, service);
        tokio::pin!(connection);
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!("connection ended with an error: {error}");
                }
            }
            expired = watch_dog(&activity, self.timeouts) => {
                tracing::debug!("closing a connection: {expired}");
            }
            () = super::stopped(&mut self.stopping) => {
                connection.as_mut().graceful_shutdown();
                let _ = connection.await;
            }
        }
        drop(permit);
    }
}

/// Resolves when the client has taken too long to send a request head, or
/// left the connection idle too long; says which.
async fn watch_dog(activity: &Activity, timeouts: Timeouts) -> &'static str {
    loop {
        let changed = activity.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let (deadline, reason) = match activity.state() {
            State::Busy(_) => {
                changed.await;
                continue;
            }
            State::Idle(since) => (since + timeouts.keep_alive, "idle keep-alive timeout"),
            State::ReadingHead(since) => (since + timeouts.header_read, "header read timeout"),
        };
        if deadline <= tokio::time::Instant::now() {
            return reason;
        }
        tokio::select! {
            _ = tokio::time::sleep_until(deadline) => {}
            _ = changed => {}
        }
    }
}
