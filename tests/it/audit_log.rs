//! The audit log over HTTP with a real Redis: admin mutations (who, what,
//! on which target, how it ended) and refused credentials (on `/graphql`
//! and on the admin API, with the client's address and the request id),
//! read back through the admin API with filters and cursor paging, and no
//! secret in any entry.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use junction::audit::{AuditLog, DEFAULT_MAX_ENTRIES};
use junction::store::Store;
use serde_json::{json, Value};

use crate::common::redis_server::RedisServer;
use crate::common::*;

const TOKEN: &str = "audit-test-admin-token";

async fn server(store: Arc<dyn Store>) -> TestServer {
    let audit = AuditLog::new(Arc::clone(&store), DEFAULT_MAX_ENTRIES);
    admin_server(store, TOKEN, Some(audit)).await
}

async fn admin_with(server: &TestServer, credential: &str, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables });
    admin_request(&server.base_url, credential, &body).await
}

const AUDIT: &str = "query($outcome: AuditOutcome, $action: String, $before: String, $limit: Int) { auditLog(outcome: $outcome, action: $action, before: $before, limit: $limit) { entries { actor action target outcome clientIp requestId } next } }";

/// The audit page for these filters, once `count` entries match (the
/// refusals are written in the background), at most 5 s.
async fn audit_page(server: &TestServer, filters: Value, count: usize) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let page = admin_with(server, TOKEN, AUDIT, filters.clone()).await;
        let found = page["data"]["auditLog"]["entries"]
            .as_array()
            .map_or(0, Vec::len);
        if found >= count || tokio::time::Instant::now() > deadline {
            assert!(page["errors"].is_null(), "{page}");
            return page["data"]["auditLog"].clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_mutations_and_refused_credentials_are_recorded_without_secrets() {
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let store = redis.store("audit-test:").await;
    let server = server(store).await;

    let create = "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id } } }";
    let viewer = admin_with(
        &server,
        TOKEN,
        create,
        json!({ "input": { "name": "v", "roles": ["viewer"] } }),
    )
    .await;
    let viewer_key = viewer["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let id = viewer["data"]["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let revoke = "mutation($id: String!) { revokeApiKey(id: $id) { id } }";
    admin_with(&server, TOKEN, revoke, json!({ "id": id })).await;
    let missing = admin_with(&server, TOKEN, revoke, json!({ "id": "ffffffffffffffff" })).await;
    assert_eq!(missing["errors"][0]["extensions"]["code"], "NOT_FOUND");

    // Refused: a revoked key on /graphql, and the admin API without the role.
    let refused = client()
        .post(server.url("/graphql"))
        .header("x-api-key", &viewer_key)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    let other = admin_with(
        &server,
        TOKEN,
        create,
        json!({ "input": { "name": "w", "roles": ["viewer"] } }),
    )
    .await;
    let other_key = other["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let forbidden = admin_with(&server, &other_key, "{ apiKeys { id } }", json!({})).await;
    assert_eq!(forbidden["errors"][0]["extensions"]["code"], "FORBIDDEN");

    let successes = audit_page(&server, json!({ "outcome": "SUCCESS" }), 3).await;
    let actions: Vec<&str> = successes["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["createApiKey", "revokeApiKey", "createApiKey"]);
    assert_eq!(successes["entries"][1]["target"], id);
    assert_eq!(successes["entries"][1]["actor"], "admin token");
    let failures = audit_page(&server, json!({ "outcome": "FAILURE" }), 1).await;
    assert_eq!(failures["entries"][0]["target"], "ffffffffffffffff");

    let refusals = audit_page(&server, json!({ "outcome": "REFUSED" }), 2).await;
    let entries = refusals["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{refusals}");
    let graphql = entries.iter().find(|e| e["target"] == "/graphql").unwrap();
    assert_eq!(graphql["action"], "authenticate");
    assert_eq!(graphql["clientIp"], "127.0.0.1");
    assert!(
        graphql["requestId"]
            .as_str()
            .is_some_and(|id| !id.is_empty()),
        "{graphql}"
    );
    assert!(entries
        .iter()
        .any(|e| e["target"] == "/admin/graphql" && e["action"] == "admin"));

    // Paging: one entry a page, the cursor leads on, the last page ends it.
    let first = audit_page(&server, json!({ "outcome": "REFUSED", "limit": 1 }), 1).await;
    let next = first["next"].as_str().unwrap().to_string();
    let second = audit_page(
        &server,
        json!({ "outcome": "REFUSED", "limit": 1, "before": next }),
        1,
    )
    .await;
    assert_ne!(first["entries"][0], second["entries"][0]);
    assert_eq!(second["next"], Value::Null);

    let everything = admin_with(&server, TOKEN, AUDIT, json!({ "limit": 500 }))
        .await
        .to_string();
    for secret in [&viewer_key[20..], &other_key[20..], TOKEN] {
        assert!(!everything.contains(secret), "a secret is in the audit log");
    }
}
