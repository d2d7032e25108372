//! Automatic persisted queries over real HTTP: the cycle Apollo Client's
//! link goes through (hash only → not found → hash and query → served),
//! a query registered on one replica found by another through a real
//! Redis, hash mismatches refused and never registered, GET requests, and
//! APQ turned off.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use junction::http::{self, HttpSettings};
use junction::persisted::sha256_hex;
use junction::pipeline::{Gateway, GatewaySettings};
use junction::store::{open_store, StoreConfig};
use serde_json::{json, Value};

use crate::common::redis_server::RedisServer;
use crate::common::*;

const QUERY: &str = "{ __typename }";

async fn replica(redis: &RedisServer) -> TestServer {
    let store = open_store(&StoreConfig {
        redis_url: Some(redis.url()),
        prefix: "apq-test:".to_string(),
        ..StoreConfig::default()
    })
    .await
    .unwrap();
    let gateway = Gateway::new(GatewaySettings::default()).with_apq_store(store);
    serve(gateway).await
}

async fn serve(gateway: Gateway) -> TestServer {
    let gateway = Arc::new(gateway);
    gateway.load_supergraph(DEMO_SUPERGRAPH).unwrap();
    let router = http::router(Arc::clone(&gateway), &HttpSettings::default());
    TestServer::serve(gateway, router, Duration::from_secs(5)).await
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn send(server: &TestServer, query: Option<&str>, hash: &str) -> (u16, Value) {
    let mut body = json!({ "extensions": persisted(hash) });
    if let Some(query) = query {
        body["query"] = json!(query);
    }
    let (status, _, json) =
        parts(post(&server.url("/graphql"), body.to_string(), None).await).await;
    (status, json)
}

fn not_found() -> Value {
    json!({ "errors": [{
        "message": "PersistedQueryNotFound",
        "extensions": { "code": "PERSISTED_QUERY_NOT_FOUND" }
    }] })
}

fn typename() -> Value {
    json!({ "data": { "__typename": "Query" } })
}

/// Waits until `server` serves the hash (the store write runs in the
/// background), at most 5 s.
async fn until_served(server: &TestServer, hash: &str) -> (u16, Value) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let answer = send(server, None, hash).await;
        if answer.1 != not_found() || tokio::time::Instant::now() > deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_registered_on_one_replica_is_served_by_hash_on_another() {
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let (first, second) = (replica(&redis).await, replica(&redis).await);
    let hash = sha256_hex(QUERY);

    assert_eq!(send(&first, None, &hash).await, (200, not_found()));
    assert_eq!(send(&second, None, &hash).await, (200, not_found()));
    assert_eq!(send(&first, Some(QUERY), &hash).await, (200, typename()));
    assert_eq!(send(&first, None, &hash).await, (200, typename()));
    assert_eq!(until_served(&second, &hash).await, (200, typename()));

    // Over GET too, by hash alone.
    let extensions = serde_json::to_string(&persisted(&hash)).unwrap();
    let url = format!(
        "{}?extensions={}",
        second.url("/graphql"),
        url_escape(&extensions)
    );
    let (status, _, body) = parts(get(&url, None).await).await;
    assert_eq!((status, body), (200, typename()));
}

#[tokio::test]
async fn a_query_that_does_not_match_its_hash_is_refused_and_not_registered() {
    let server = serve(Gateway::new(GatewaySettings::default())).await;
    let claimed = sha256_hex("{ me { id } }");
    let (status, body) = send(&server, Some(QUERY), &claimed).await;
    assert_eq!(status, 400);
    assert_eq!(first_error_code(&body), "PERSISTED_QUERY_HASH_MISMATCH");
    assert_eq!(send(&server, None, &claimed).await, (200, not_found()));

    // Nor is a query that does not validate registered.
    let invalid = "{ noSuchField }";
    let (status, body) = send(&server, Some(invalid), &sha256_hex(invalid)).await;
    assert_eq!(
        (status, first_error_code(&body)),
        (400, "GRAPHQL_VALIDATION_FAILED")
    );
    assert_eq!(
        send(&server, None, &sha256_hex(invalid)).await,
        (200, not_found())
    );

    let (status, body) = send(&server, Some(QUERY), "not-a-hash").await;
    assert_eq!((status, first_error_code(&body)), (400, "BAD_REQUEST"));
}

#[tokio::test]
async fn with_apq_off_clients_are_told_to_send_full_queries() {
    let settings = GatewaySettings {
        apq: None,
        ..GatewaySettings::default()
    };
    let server = serve(Gateway::new(settings)).await;
    let hash = sha256_hex(QUERY);
    for query in [None, Some(QUERY)] {
        let (status, body) = send(&server, query, &hash).await;
        assert_eq!(status, 200);
        assert_eq!(first_error_code(&body), "PERSISTED_QUERY_NOT_SUPPORTED");
    }
    let (status, _, body) = parts(
        post(
            &server.url("/graphql"),
            format!(r#"{{"query":"{QUERY}"}}"#),
            None,
        )
        .await,
    )
    .await;
    assert_eq!((status, body), (200, typename()));
}

/// Percent-encodes everything but unreserved characters.
fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
