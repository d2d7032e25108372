//! Serving a router: the accept loop and its limits, then draining on
//! shutdown.
//!
//! - At most `max_connections` connections are served at once: a permit is
//!   taken *before* accepting, so further clients wait in the listen backlog
//!   instead of the process running out of file descriptors (the limit is
//!   kept under the open-file limit, which is raised to its hard maximum).
//! - Each connection is watched ([`connection`]): a client gets
//!   `header_read_timeout` to send a request's headers, and a keep-alive
//!   connection with no request in flight is closed after
//!   `keep_alive_timeout`.
//! - On shutdown, no new connection is accepted, idle ones are closed, and
//!   requests in flight get up to `drain_timeout` to finish.

mod activity;
mod connection;

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

/// Open files kept for everything but client connections (subgraph
/// connections, the store, log and data files).
const RESERVED_FILES: u64 = 1024;

/// Limits of the HTTP server.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Time a client has to send a request's headers, from its first byte
    /// (from the connection's start for the first request).
    pub header_read_timeout: Duration,
    /// An idle keep-alive connection is closed after this long.
    pub keep_alive_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// On shutdown, how long in-flight requests may take to finish.
    pub drain_timeout: Duration,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            keep_alive_timeout: Duration::from_secs(75),
            max_connections: 10_000,
            drain_timeout: Duration::from_secs(10),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then waits at
/// most `settings.drain_timeout` for in-flight requests before returning.
///
/// Idle keep-alive connections are closed at once; a request still running
/// when the drain timeout ends is abandoned (its connection is dropped when
/// the caller's runtime shuts down).
pub async fn serve<S>(
    listener: TcpListener,
    router: Router,
    shutdown: S,
    settings: ServerSettings,
) -> io::Result<()>
where
    S: Future<Output = ()> + Send + 'static,
{
    let max_connections = connection_limit(settings.max_connections);
    let permits = Arc::new(Semaphore::new(max_connections));
    let (stop, stopping) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let timeouts = connection::Timeouts {
        header_read: settings.header_read_timeout,
        keep_alive: settings.keep_alive_timeout,
    };
    accept_until_stopped(&listener, &router, &permits, stopping, timeouts).await;
    drop(listener);
    tracing::info!(
        timeout_ms = settings.drain_timeout.as_millis() as u64,
        "shutting down: no new connections, draining in-flight requests"
    );
    let all_closed = permits.acquire_many(u32::try_from(max_connections).unwrap_or(u32::MAX));
    match tokio::time::timeout(settings.drain_timeout, all_closed).await {
        Ok(_) => tracing::info!("all requests finished"),
        Err(_) => {
            tracing::warn!("drain timeout reached with requests still in flight; stopping anyway")
        }
    }
    Ok(())
}

async fn accept_until_stopped(
    listener: &TcpListener,
    router: &Router,
    permits: &Arc<Semaphore>,
    mut stopping: watch::Receiver<bool>,
    timeouts: connection::Timeouts,
) {
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            () = stopped(&mut stopping) => return,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = stopped(&mut stopping) => return,
        };
        match accepted {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                let connection = connection::Connection {
                    router: router.clone(),
                    timeouts,
                    stopping: stopping.clone(),
                    peer,
                };
                tokio::spawn(connection.serve(stream, permit));
            }
            Err(error) => {
                // Out of file descriptors, or the peer gave up before the
                // accept: wait a moment instead of spinning.
                tracing::warn!("accepting a connection failed: {error}");
                drop(permit);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

/// Resolves once the server is stopping.
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    // An error means the sender is gone, which happens only once stopping.
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// The number of connections to serve at once: the configured one, kept
/// under the open-file limit (raised to its hard maximum first).
fn connection_limit(configured: usize) -> usize {
    let open_files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let room = open_files
        .saturating_sub(RESERVED_FILES)
        .max(open_files / 2)
        .max(16);
    let room = usize::try_from(room).unwrap_or(usize::MAX);
    if configured > room {
        tracing::warn!(
            configured,
            open_files,
            "server.max_connections lowered to {room} to stay under the open-file limit"
        );
        return room;
    }
    configured
}
