//! Refresh and revocation over HTTP. Two `junction serve` processes share
//! one real Redis: a password grant on one, the access token used on the
//! other, a refresh there (rotation: a new refresh token every time), the
//! spent refresh token presented again (reuse: the whole family is
//! revoked, the newest token too, and the reuse is in the audit log), an
//! access token revoked on one and refused by the other within a second;
//! no token or password in either process's log. Then RFC 6749/7009
//! answers for malformed refresh and revocation requests.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use junction::http::HttpSettings;
use junction::identity::issuer::TokenIssuer;
use junction::identity::IssuerSettings;
use serde_json::{json, Value};

use crate::common::redis_server::RedisServer;
use crate::common::*;

const TOKEN: &str = "oauth-refresh-test-admin-token";
const PASSWORD: &str = "a long enough password";

async fn replica(redis: &RedisServer) -> (JunctionProcess, String) {
    let url = redis.url();
    let args = [
        "serve",
        "--supergraph",
        "schema/supergraph.graphql",
        "--listen",
        "127.0.0.1:0",
        "--redis",
        url.as_str(),
    ];
    let mut process = JunctionProcess::spawn_with_env(&args, &[("JUNCTION_ADMIN_TOKEN", TOKEN)]);
    let base = process.base_url().await;
    (process, base)
}

/// Status and JSON body (`Null` when empty) of a form POST to `path`.
async fn form(base: &str, path: &str, fields: &[(&str, &str)]) -> (u16, Value) {
    let response = client()
        .post(format!("{base}{path}"))
        .form(fields)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn login(base: &str) -> (String, String) {
    let fields = [
        ("grant_type", "password"),
        ("username", "grace@example.com"),
        ("password", PASSWORD),
    ];
    let (status, body) = form(base, "/oauth/token", &fields).await;
    assert_eq!(status, 200, "{body}");
    tokens_of(&body)
}

async fn refresh(base: &str, refresh_token: &str) -> (u16, Value) {
    let fields = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    form(base, "/oauth/token", &fields).await
}

fn tokens_of(body: &Value) -> (String, String) {
    let access = body["access_token"].as_str().unwrap().to_string();
    let refresh = body["refresh_token"].as_str().unwrap().to_string();
    assert!(refresh.starts_with("jr_"), "{refresh}");
    (access, refresh)
}

async fn status_with(base: &str, token: &str) -> u16 {
    client()
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn assert_invalid_grant(answer: &(u16, Value)) {
    assert_eq!(answer.0, 400, "{}", answer.1);
    assert_eq!(answer.1["error"], "invalid_grant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_reuse_revokes_the_family_and_revocation_reaches_the_other_process() {
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let (mut one, first) = replica(&redis).await;
    let (mut two, second) = replica(&redis).await;
    let create = json!({
        "query": "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id } } }",
        "variables": { "input": { "email": "grace@example.com", "password": PASSWORD, "roles": ["viewer"] } },
    });
    let created = admin_request(&first, TOKEN, &create).await;
    let user_id = created["data"]["createUser"]["user"]["id"]
        .as_str()
        .unwrap();

    // Log in on one, use and refresh on the other.
    let (access, spent) = login(&first).await;
    assert_eq!(status_with(&second, &access).await, 200);
    let renewed = refresh(&second, &spent).await;
    assert_eq!(renewed.0, 200, "{}", renewed.1);
    assert_eq!(renewed.1["token_type"], "Bearer");
    let (renewed_access, newest) = tokens_of(&renewed.1);
    assert_ne!(newest, spent, "a new refresh token on every use");
    assert_eq!(status_with(&first, &renewed_access).await, 200);

    // The spent token again: refused, and the family with it.
    assert_invalid_grant(&refresh(&first, &spent).await);
    assert_invalid_grant(&refresh(&second, &newest).await);
    let audit = json!({ "query": "{ auditLog(action: \"oauth.refresh_reuse\") { entries { actor target outcome } } }" });
    let entries = admin_request(&second, TOKEN, &audit).await;
    assert_eq!(
        entries["data"]["auditLog"]["entries"][0],
        json!({ "actor": format!("user:{user_id}"), "target": user_id, "outcome": "REFUSED" }),
        "{entries}"
    );

    // A new login; its access token revoked on one process is refused by
    // the other within a second, and its refresh token revoked too.
    let (access, refresh_token) = login(&first).await;
    assert_eq!(status_with(&second, &access).await, 200);
    let (status, body) = form(&first, "/oauth/revoke", &[("token", &access)]).await;
    assert_eq!((status, body), (200, Value::Null));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    let mut refused = false;
    while !refused && tokio::time::Instant::now() < deadline {
        refused = status_with(&second, &access).await == 401;
    }
    assert!(
        refused,
        "the other process still took a revoked token after 1 s"
    );
    assert_eq!(status_with(&first, &access).await, 401);
    let (status, _) = form(&second, "/oauth/revoke", &[("token", &refresh_token)]).await;
    assert_eq!(status, 200);
    assert_invalid_grant(&refresh(&first, &refresh_token).await);

    one.terminate().await;
    two.terminate().await;
    let logs = format!("{}\n{}", one.whole_log().await, two.whole_log().await);
    for secret in [
        PASSWORD,
        &access,
        &spent,
        &newest,
        &refresh_token,
        &renewed_access,
    ] {
        assert!(!logs.contains(secret), "a secret in the logs: {secret}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_refresh_and_revocation_requests_get_rfc_errors() {
    let dir = tempfile::tempdir().unwrap();
    let issuer = TokenIssuer::new(embedded_store(dir.path()).await, IssuerSettings::default());
    let settings = HttpSettings {
        oauth: Some(issuer),
        ..HttpSettings::default()
    };
    let server = start_dev_with(settings).await;
    let base = &server.base_url;
    let missing = form(base, "/oauth/token", &[("grant_type", "refresh_token")]).await;
    assert_eq!(missing.0, 400);
    assert_eq!(missing.1["error"], "invalid_request");
    for garbage in [
        "jr_nonsense",
        "jr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "",
    ] {
        assert_invalid_grant(&refresh(base, garbage).await);
    }
    let other = form(
        base,
        "/oauth/token",
        &[("grant_type", "client_credentials")],
    )
    .await;
    assert_eq!(other.1["error"], "unsupported_grant_type");
    let no_token = form(
        base,
        "/oauth/revoke",
        &[("token_type_hint", "refresh_token")],
    )
    .await;
    assert_eq!(no_token.0, 400);
    assert_eq!(no_token.1["error"], "invalid_request");
    let unknown = form(base, "/oauth/revoke", &[("token", "jr_unknown")]).await;
    assert_eq!(unknown, (200, Value::Null));
    let json_body = client()
        .post(format!("{base}/oauth/revoke"))
        .json(&json!({ "token": "jr_unknown" }))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status(), 200);
    assert_eq!(json_body.headers()["cache-control"], "no-store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_logins_are_counted_across_replicas_through_redis() {
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let (one, first) = replica(&redis).await;
    let (two, second) = replica(&redis).await;
    let attempt = [
        ("grant_type", "password"),
        ("username", "ghost@example.com"),
        ("password", "wrong horse battery"),
    ];
    for i in 0..10 {
        let base = if i % 2 == 0 { &first } else { &second };
        let (status, body) = form(base, "/oauth/token", &attempt).await;
        assert_eq!(status, 400, "attempt {i}: {body}");
    }
    // Five failures on each: with limits per replica both would still try.
    for base in [&first, &second] {
        let response = client()
            .post(format!("{base}/oauth/token"))
            .form(&attempt)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 429);
        assert_eq!(response.headers()["retry-after"], "90");
    }
    one.terminate().await;
    two.terminate().await;
}
