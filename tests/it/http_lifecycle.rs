//! Graceful shutdown of the HTTP server: in-flight requests finish, new
//! connections are refused, and the drain timeout bounds the wait.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use axum::routing;
use junction::http::{self, HttpSettings};
use junction::pipeline::{Gateway, GatewaySettings};
use tokio::net::TcpStream;
use tokio::sync::{Notify, Semaphore};

use crate::common::*;

/// A generous bound on a shutdown: reaching it fails the test (a server
/// that waits for a request it should not), it is not a timing claim.
const NO_HANG: Duration = Duration::from_secs(30);

/// Junction's router plus `/slow`, which signals `arrived` when a request
/// reaches it and answers "done" once `release` gives it a permit: what is
/// in flight when the server shuts down is the test's choice, not the clock's.
async fn server_with_slow_route(
    arrived: &Arc<Notify>,
    release: &Arc<Semaphore>,
    drain_timeout: Duration,
) -> TestServer {
    let gateway = Arc::new(Gateway::new(GatewaySettings::default()));
    let (arrived, release) = (Arc::clone(arrived), Arc::clone(release));
    let slow = move || {
        let (arrived, release) = (Arc::clone(&arrived), Arc::clone(&release));
        async move {
            arrived.notify_one();
            let _permit = release.acquire().await;
            "done"
        }
    };
    let router = http::router(Arc::clone(&gateway), &HttpSettings::default())
        .route("/slow", routing::get(slow));
    TestServer::serve(gateway, router, drain_timeout).await
}

/// Waits until `server` refuses new connections: its shutdown has begun.
async fn refusing_connections(server: &TestServer) {
    let address = server.base_url.trim_start_matches("http://").to_string();
    let refused = async {
        while TcpStream::connect(&address).await.is_ok() {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(NO_HANG, refused)
        .await
        .expect("the server kept accepting connections after its shutdown began");
}

#[tokio::test]
async fn in_flight_request_finishes_after_shutdown_begins() {
    let (arrived, release) = (Arc::new(Notify::new()), Arc::new(Semaphore::new(0)));
    let mut server = server_with_slow_route(&arrived, &release, NO_HANG).await;
    let slow_url = server.url("/slow");
    let in_flight = tokio::spawn(async move { client().get(slow_url).send().await });
    arrived.notified().await;

    server.begin_shutdown();
    refusing_connections(&server).await;
    release.add_permits(1);
    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.unwrap(), "done");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn drain_timeout_bounds_the_wait_for_slow_requests() {
    // Never released: the request would run forever.
    let (arrived, release) = (Arc::new(Notify::new()), Arc::new(Semaphore::new(0)));
    let mut server = server_with_slow_route(&arrived, &release, Duration::from_millis(200)).await;
    let slow_url = server.url("/slow");
    let _in_flight = tokio::spawn(async move { client().get(slow_url).send().await });
    arrived.notified().await;

    server.begin_shutdown();
    let stopped = tokio::time::timeout(NO_HANG, server.stop()).await;
    stopped
        .expect("the server waited past its drain timeout")
        .unwrap();
}

#[tokio::test]
async fn idle_server_stops_at_once() {
    // A drain timeout longer than the test's bound: an idle server that
    // waited for it would fail the test.
    let gateway = Arc::new(Gateway::new(GatewaySettings::default()));
    let router = http::router(Arc::clone(&gateway), &HttpSettings::default());
    let server = TestServer::serve(gateway, router, 2 * NO_HANG).await;
    assert_eq!(
        get(&server.url("/health"), None).await.status().as_u16(),
        200
    );
    let stopped = tokio::time::timeout(NO_HANG, server.stop()).await;
    stopped
        .expect("the idle server waited for its drain timeout")
        .unwrap();
}
