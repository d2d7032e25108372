//! Graceful shutdown of the HTTP server: in-flight requests finish, new
//! connections are refused, and the drain timeout bounds the wait.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing;
use junction::http::{self, HttpSettings};
use junction::pipeline::{Gateway, GatewaySettings};

use crate::common::*;

/// Junction's router plus `/slow`, which answers after `delay`.
async fn server_with_slow_route(delay: Duration, drain_timeout: Duration) -> TestServer {
    let gateway = Arc::new(Gateway::new(GatewaySettings::default()));
    let router = http::router(Arc::clone(&gateway), &HttpSettings::default()).route(
        "/slow",
        routing::get(move || async move {
            tokio::time::sleep(delay).await;
            "done"
        }),
    );
    TestServer::serve(gateway, router, drain_timeout).await
}

#[tokio::test]
async fn in_flight_request_finishes_after_shutdown_begins() {
    let mut server =
        server_with_slow_route(Duration::from_millis(500), Duration::from_secs(5)).await;
    let slow_url = server.url("/slow");
    let in_flight = tokio::spawn(async move { client().get(slow_url).send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;

    server.begin_shutdown();
    let response = in_flight.await.unwrap().unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.text().await.unwrap(), "done");

    let health = server.url("/health");
    server.stop().await.unwrap();
    assert!(
        client().get(health).send().await.is_err(),
        "still accepting"
    );
}

#[tokio::test]
async fn drain_timeout_bounds_the_wait_for_slow_requests() {
    let mut server =
        server_with_slow_route(Duration::from_secs(30), Duration::from_millis(200)).await;
    let slow_url = server.url("/slow");
    let _in_flight = tokio::spawn(async move { client().get(slow_url).send().await });
    tokio::time::sleep(Duration::from_millis(100)).await;

    let started = Instant::now();
    server.begin_shutdown();
    server.stop().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn idle_server_stops_at_once() {
    let server = start_junction(None).await;
    assert_eq!(
        get(&server.url("/health"), None).await.status().as_u16(),
        200
    );
    let started = Instant::now();
    server.stop().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
}
