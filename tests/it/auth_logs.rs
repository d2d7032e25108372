//! No secret in the logs: a `junction serve` process logging at `trace`
//! goes through the credential flows — the bootstrap admin token, an API
//! key created, used, mistyped, revoked and used again, a valid JWT of a
//! real JWKS server, a tampered one, a JWT on the admin API, a user's
//! password grant, refresh, refresh reuse and revocations — and its whole
//! log, and the audit log, are searched for every secret it saw.

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

    let user_secrets = own_token_flows(&base).await;
    let (_, audit) = admin(
        &base,
        ADMIN_TOKEN,
        "{ auditLog(limit: 500) { entries { actor org action target outcome } } }",
    )
    .await;
    let audit = audit.to_string();
    assert!(audit.contains("oauth.refresh_reuse"), "{audit}");

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
        assert!(!audit.contains(secret), "{what} is in the audit log");
    }
    for secret in &user_secrets {
        assert!(
            !log.contains(secret.as_str()),
            "a user's secret is in the log"
        );
        assert!(
            !audit.contains(secret.as_str()),
            "a user's secret is audited"
        );
    }
}

/// A user made with a password logs in, refreshes, reuses the spent
/// refresh token, logs in again and revokes both tokens; every secret seen.
async fn own_token_flows(base: &str) -> Vec<String> {
    const PASSWORD: &str = "a-user-password-never-logged";
    let create = format!("mutation {{ createUser(input: {{ email: \"logs@example.com\", password: \"{PASSWORD}\" }}) {{ user {{ id }} }} }}");
    assert_eq!(admin(base, ADMIN_TOKEN, &create).await.0, 200);
    let token = |fields: Vec<(&'static str, String)>| async move {
        let response = client()
            .post(format!("{base}/oauth/token"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        response.json::<Value>().await.unwrap()
    };
    let login = || {
        token(vec![
            ("grant_type", "password".into()),
            ("username", "logs@example.com".into()),
            ("password", PASSWORD.into()),
        ])
    };
    let field = |body: &Value, name: &str| body[name].as_str().unwrap().to_string();
    let first = login().await;
    let spent = field(&first, "refresh_token");
    let refresh = |refresh_token: String| {
        token(vec![
            ("grant_type", "refresh_token".into()),
            ("refresh_token", refresh_token),
        ])
    };
    let renewed = refresh(spent.clone()).await;
    let reused = refresh(spent.clone()).await;
    assert_eq!(reused["error"], "invalid_grant");
    let wrong = token(vec![
        ("grant_type", "password".into()),
        ("username", "logs@example.com".into()),
        ("password", format!("{PASSWORD}-wrong")),
    ])
    .await;
    assert_eq!(wrong["error"], "invalid_grant");
    let second = login().await;
    let access = field(&second, "access_token");
    assert_eq!(
        graphql(base, ("authorization", &format!("Bearer {access}"))).await,
        200
    );
    for revoked in [field(&second, "refresh_token"), access.clone()] {
        let response = client()
            .post(format!("{base}/oauth/revoke"))
            .form(&[("token", revoked)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    vec![
        PASSWORD.to_string(),
        format!("{PASSWORD}-wrong"),
        field(&first, "access_token"),
        spent,
        field(&renewed, "access_token"),
        field(&renewed, "refresh_token"),
        access,
        field(&second, "refresh_token"),
    ]
}
