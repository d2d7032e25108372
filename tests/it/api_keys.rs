//! API keys end to end over HTTP, on two replicas sharing a real Redis:
//! created through one replica's admin API (the key shown once, never
//! listed), accepted by the other as `Authorization: Bearer jk_…` or
//! `X-API-Key`, refused there within a second of being revoked, rotated
//! with and without a grace period; a wrong key is 401 UNAUTHENTICATED
//! with `WWW-Authenticate: Bearer`, never anonymous.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use junction::store::{open_store, Store, StoreConfig};
use serde_json::{json, Value};

use crate::common::redis_server::RedisServer;
use crate::common::*;

const TOKEN: &str = "api-keys-test-admin-token";

async fn replica(store: Arc<dyn Store>) -> TestServer {
    admin_server(store, TOKEN, None).await
}

async fn redis_store(redis: &RedisServer) -> Arc<dyn Store> {
    open_store(&StoreConfig {
        redis_url: Some(redis.url()),
        data_dir: std::env::temp_dir(),
        prefix: "keys-test:".into(),
    })
    .await
    .unwrap()
}

async fn admin(server: &TestServer, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables });
    admin_request(&server.base_url, TOKEN, &body).await
}

/// Status, `WWW-Authenticate` and body of `{ __typename }` sent with `header`.
async fn typename_with(server: &TestServer, header: (&str, &str)) -> (u16, String, Value) {
    let response = client()
        .post(server.url("/graphql"))
        .header(header.0, header.1)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    let challenge = header_of(&response, "www-authenticate");
    let status = response.status().as_u16();
    (status, challenge, response.json().await.unwrap())
}

fn header_of(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

fn served() -> (u16, String, Value) {
    (
        200,
        String::new(),
        json!({ "data": { "__typename": "Query" } }),
    )
}

/// Waits (at most `within`) until `server` refuses `key`; true if it did.
async fn until_refused(server: &TestServer, key: &str, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    while tokio::time::Instant::now() < deadline {
        if typename_with(server, ("x-api-key", key)).await.0 == 401 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    false
}

const CREATE: &str = "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name org roles tier revoked } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_made_on_one_replica_works_on_another_until_revoked() {
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let first = replica(redis_store(&redis).await).await;
    let second = replica(redis_store(&redis).await).await;

    let input = json!({ "name": "ci", "org": "acme", "roles": ["api_user"], "tier": "pro" });
    let created = admin(&first, CREATE, json!({ "input": input })).await;
    let created = &created["data"]["createApiKey"];
    let key = created["key"].as_str().unwrap().to_string();
    let id = created["apiKey"]["id"].as_str().unwrap().to_string();
    assert!(key.starts_with(&format!("jk_{id}_")), "{key}");
    assert_eq!(created["apiKey"]["roles"], json!(["api_user"]));

    assert_eq!(
        typename_with(&second, ("authorization", &format!("Bearer {key}"))).await,
        served()
    );
    assert_eq!(typename_with(&second, ("x-api-key", &key)).await, served());

    // Listed without its secret.
    let listed = admin(
        &second,
        "{ apiKeys { id name revoked lastUsedAt } }",
        json!({}),
    )
    .await;
    assert!(!listed.to_string().contains(&key[20..]), "{listed}");
    assert_eq!(listed["data"]["apiKeys"][0]["id"], id);

    let revoked = admin(
        &first,
        "mutation($id: String!) { revokeApiKey(id: $id) { revoked } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(
        revoked["data"]["revokeApiKey"]["revoked"], true,
        "{revoked}"
    );
    assert!(
        until_refused(&second, &key, Duration::from_secs(1)).await,
        "the other replica still takes a revoked key after 1 s"
    );
    let (status, challenge, body) = typename_with(&second, ("x-api-key", &key)).await;
    assert_eq!((status, challenge.as_str()), (401, "Bearer"));
    assert_eq!(first_error_code(&body), "UNAUTHENTICATED");
    assert!(
        !body.to_string().contains("revoked"),
        "the reason is for the logs: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_keys_are_refused_and_rotation_honours_its_grace_period() {
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let server = replica(redis_store(&redis).await).await;
    let created = admin(&server, CREATE, json!({ "input": { "name": "sdk" } })).await;
    let key = created["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let id = created["data"]["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let mut wrong_secret = key.clone();
    wrong_secret.replace_range(key.len() - 4.., "0000");
    for bad in [wrong_secret.as_str(), "jk_0123456789abcdef_nothex", "jk_"] {
        let (status, _, body) = typename_with(&server, ("x-api-key", bad)).await;
        assert_eq!(
            (status, first_error_code(&body)),
            (401, "UNAUTHENTICATED"),
            "{bad}"
        );
    }
    // A bearer token that is no API key is not Junction's to check here
    // (no token verifier is configured): the caller is anonymous.
    assert_eq!(
        typename_with(&server, ("authorization", "Bearer for-a-subgraph")).await,
        served()
    );

    let rotate = "mutation($id: String!, $grace: Int!) { rotateApiKey(id: $id, graceSeconds: $grace) { key } }";
    let rotated = admin(&server, rotate, json!({ "id": id, "grace": 3600 })).await;
    let second_key = rotated["data"]["rotateApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(second_key, key);
    assert_eq!(
        typename_with(&server, ("x-api-key", &second_key)).await,
        served()
    );
    assert_eq!(
        typename_with(&server, ("x-api-key", &key)).await,
        served(),
        "within the grace period"
    );

    let rotated = admin(&server, rotate, json!({ "id": id, "grace": 0 })).await;
    let third_key = rotated["data"]["rotateApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        typename_with(&server, ("x-api-key", &third_key)).await,
        served()
    );
    assert!(
        until_refused(&server, &second_key, Duration::from_secs(3)).await,
        "no grace: the old secret stops"
    );

    let missing = admin(
        &server,
        "mutation { revokeApiKey(id: \"0000000000000000\") { id } }",
        json!({}),
    )
    .await;
    assert_eq!(missing["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let unnamed = admin(&server, CREATE, json!({ "input": { "name": " " } })).await;
    assert_eq!(unnamed["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
}

/// Status and body of an admin API request made with `credential`.
async fn admin_as(server: &TestServer, credential: &str, query: &str) -> (u16, Value) {
    let response = client()
        .post(server.url("/admin/graphql"))
        .bearer_auth(credential)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_key_with_the_admin_role_opens_the_admin_api_and_others_are_forbidden() {
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let server = replica(redis_store(&redis).await).await;
    let make = |roles: Value| json!({ "input": { "name": "k", "roles": roles } });
    let admin_key = admin(&server, CREATE, make(json!(["admin"]))).await;
    let admin_key = admin_key["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let viewer_key = admin(&server, CREATE, make(json!(["viewer"]))).await;
    let viewer_key = viewer_key["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, body) = admin_as(&server, &admin_key, "{ apiKeys { roles } }").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["apiKeys"].as_array().unwrap().len(), 2);
    // Who made a key is recorded as the caller, not as the token.
    let (_, made) = admin_as(
        &server,
        &admin_key,
        "mutation { createApiKey(input: { name: \"by-key\" }) { apiKey { createdBy } } }",
    )
    .await;
    let by = made["data"]["createApiKey"]["apiKey"]["createdBy"]
        .as_str()
        .unwrap();
    assert!(by.starts_with("api_key:"), "{by}");

    let (status, body) = admin_as(&server, &viewer_key, "{ apiKeys { id } }").await;
    assert_eq!((status, first_error_code(&body)), (403, "FORBIDDEN"));
    let (status, body) = admin_as(&server, "jk_0123456789abcdef_00", "{ apiKeys { id } }").await;
    assert_eq!((status, first_error_code(&body)), (401, "UNAUTHENTICATED"));
}

#[tokio::test]
async fn the_command_line_creates_lists_rotates_and_revokes_keys_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let create = [
        "keys",
        "create",
        "--name",
        "ci",
        "--role",
        "admin",
        "--role",
        "ops",
        "--data-dir",
        data,
    ];
    let (code, stdout, stderr) = run(&create).await;
    assert_eq!(code, 0, "{stderr}");
    let key = stdout.trim();
    assert!(
        key.starts_with("jk_") && !key.contains('\n'),
        "stdout is the key alone: {stdout}"
    );
    let id = key.split('_').nth(1).unwrap();
    assert!(stderr.contains(id), "{stderr}");

    let (code, listed, _) = run(&["keys", "list", "--data-dir", data]).await;
    assert_eq!(code, 0);
    assert!(
        listed.contains(id) && listed.contains("active") && listed.contains("roles=admin,ops"),
        "{listed}"
    );
    assert!(!listed.contains(&key[20..]), "a secret is listed");

    let (code, rotated, _) = run(&["keys", "rotate", "--id", id, "--data-dir", data]).await;
    assert_eq!(code, 0);
    assert!(rotated.trim().starts_with(&format!("jk_{id}_")) && rotated.trim() != key);

    let (code, _, _) = run(&["keys", "revoke", "--id", id, "--data-dir", data]).await;
    assert_eq!(code, 0);
    let (_, listed, _) = run(&["keys", "list", "--data-dir", data, "--json"]).await;
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["revoked"], true);
    let (code, _, stderr) = run(&[
        "keys",
        "revoke",
        "--id",
        "0000000000000000",
        "--data-dir",
        data,
    ])
    .await;
    assert_eq!(code, 1);
    assert!(stderr.contains("NOT_FOUND"), "{stderr}");
}
