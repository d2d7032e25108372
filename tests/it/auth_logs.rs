//! No secret in the logs: a `junction serve` process logging at `trace`
//! goes through the credential flows — the bootstrap admin token, an API
//! key created, used, mistyped, revoked and used again, a valid JWT of a
//! real JWKS server, a tampered one, a JWT on the admin API — and its whole
//! log is searched for every secret it saw.

#![allow(clippy::unwrap_used)]

use jsonwebtoken::Algorithm;
use serde_json::{json, Value};

use crate::auth_jwt::{claims, jwks, sign, JwksServer, ISSUER, KEYS};
use crate::common::{client, JunctionProcess, DEMO_SUPERGRAPH};

const ADMIN_TOKEN: &str = "bootstrap-admin-token-that-must-never-be-logged";

async fn graphql(base: &str, header: (&str, &str)) -> u16 {
    client()
        .post(format!("{base}/graphql"))
        .header(header.0, header.1)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn admin(base: &str, credential: &str, query: &str) -> (u16, Value) {
    let response = client()
        .post(format!("{base}/admin/graphql"))
        .bearer_auth(credential)
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_never_reach_the_log_even_at_trace() {
    let jwks_server = JwksServer::start(jwks(&[&KEYS.rsa])).await;
    let dir = tempfile::tempdir().unwrap();
    let supergraph = dir.path().join("supergraph.graphql");
    std::fs::write(&supergraph, DEMO_SUPERGRAPH).unwrap();
    let config = dir.path().join("junction.yaml");
    let yaml = format!(
        "auth:\n  providers:\n    - issuer: {ISSUER}\n      jwks_url: {}\n      audiences: [api]\n      claims:\n        roles: realm_access.roles\n",
        jwks_server.url
    );
    std::fs::write(&config, yaml).unwrap();
    let data_dir = dir.path().join("store");
    let mut junction = JunctionProcess::spawn_with_env(
        &[
            "serve",
            "--config",
            config.to_str().unwrap(),
            "--supergraph",
            supergraph.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data_dir.to_str().unwrap(),
        ],
        &[
            ("JUNCTION_LOG", "trace"),
            ("JUNCTION_ADMIN_TOKEN", ADMIN_TOKEN),
        ],
    );
    let base = junction.base_url().await;

    let create = "mutation { createApiKey(input: { name: \"logs\" }) { key apiKey { id } } }";
    let (status, created) = admin(&base, ADMIN_TOKEN, create).await;
    assert_eq!(status, 200, "{created}");
    let key = created["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let id = created["data"]["createApiKey"]["apiKey"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(graphql(&base, ("x-api-key", &key)).await, 200);
    let mut mistyped = key.clone();
    mistyped.replace_range(key.len() - 3.., "abc");
    assert_eq!(
        graphql(&base, ("authorization", &format!("Bearer {mistyped}"))).await,
        401
    );
    let revoke = format!("mutation {{ revokeApiKey(id: \"{id}\") {{ revoked }} }}");
    assert_eq!(admin(&base, ADMIN_TOKEN, &revoke).await.0, 200);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
    while graphql(&base, ("x-api-key", &key)).await != 401 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the revoked key still works"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }

    let token = sign(&KEYS.rsa, Algorithm::RS256, &claims());
    assert_eq!(
        graphql(&base, ("authorization", &format!("Bearer {token}"))).await,
        200
    );
    let mut tampered = token.clone();
    tampered.truncate(token.len() - 4);
    tampered.push_str("AAAA");
    assert_eq!(
        graphql(&base, ("authorization", &format!("Bearer {tampered}"))).await,
        401
    );
    // The token's roles hold `admin`: the admin API admits it.
    assert_eq!(admin(&base, &token, "{ apiKeys { id } }").await.0, 200);

    junction.terminate().await;
    let log = junction.whole_log().await;
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "not logging at trace"
    );
    let secret_of_key = key.rsplit('_').next().unwrap();
    let signature = token.rsplit('.').next().unwrap();
    for (what, secret) in [
        ("the admin token", ADMIN_TOKEN),
        ("an API key", key.as_str()),
        ("an API key's secret", secret_of_key),
        ("a mistyped API key", mistyped.as_str()),
        ("a JWT", token.as_str()),
        ("a JWT's signature", signature),
        ("a tampered JWT", tampered.as_str()),
    ] {
        assert!(!log.contains(secret), "{what} is in the log");
    }
}
