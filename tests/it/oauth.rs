//! Junction's own tokens over HTTP (embedded store): the password grant
//! (form-encoded and JSON) answers an EdDSA access token that the
//! published JWKS verifies and that Junction accepts on `/graphql`; a wrong
//! password, an unknown account and a disabled user get byte-identical
//! `invalid_grant` answers; a disabled user's token stops working within a
//! second; RFC 6749 errors for malformed requests; a token that is not
//! Junction's (and no provider configured) is not Junction's to check.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use junction::http::{self, HttpSettings};
use junction::identity::issuer::{TokenIssuer, TokenVerifiers};
use junction::identity::users::{NewUser, UserChanges};
use junction::identity::IssuerSettings;
use junction::pipeline::{Gateway, GatewaySettings};
use serde_json::{json, Value};

use crate::common::*;

struct Setup {
    server: TestServer,
    issuer: TokenIssuer,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = embedded_store(dir.path()).await;
    let issuer = TokenIssuer::new(store, IssuerSettings::default());
    let tokens = TokenVerifiers {
        own: issuer.clone(),
        external: None,
    };
    let gateway = Gateway::new(GatewaySettings::default()).with_token_verifier(Arc::new(tokens));
    let gateway = Arc::new(gateway);
    gateway.load_supergraph(DEMO_SUPERGRAPH).unwrap();
    let settings = HttpSettings {
        oauth: Some(issuer.clone()),
        ..HttpSettings::default()
    };
    let router = http::router(Arc::clone(&gateway), &settings);
    let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
    Setup {
        server,
        issuer,
        _dir: dir,
    }
}

async fn token_request(setup: &Setup, body: String, content_type: &str) -> (u16, String, String) {
    let response = client()
        .post(setup.server.url("/oauth/token"))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cache = response
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, cache, response.text().await.unwrap())
}

async fn login(setup: &Setup, username: &str, password: &str) -> (u16, String) {
    let form = format!(
        "grant_type=password&username={}&password={}",
        encode(username),
        encode(password)
    );
    let (status, _, body) = token_request(setup, form, "application/x-www-form-urlencoded").await;
    (status, body)
}

async fn typename_with(setup: &Setup, token: &str) -> u16 {
    client()
        .post(setup.server.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_grant_answers_a_token_the_jwks_verifies_and_junction_accepts() {
    let setup = setup().await;
    let new = NewUser {
        email: "ada@example.com".into(),
        password: "correct horse battery".into(),
        roles: vec!["viewer".into()],
        ..NewUser::default()
    };
    let ada = setup.issuer.users().create(new, "test").await.unwrap();

    let (status, cache, body) = token_request(
        &setup,
        json!({ "grant_type": "password", "username": "Ada@example.com", "password": "correct horse battery" }).to_string(),
        "application/json",
    )
    .await;
    assert_eq!((status, cache.as_str()), (200, "no-store"), "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["expires_in"], 900);
    let token = answer["access_token"].as_str().unwrap().to_string();

    // The published JWKS verifies it, with the claims of the user.
    let jwks: Value = client()
        .get(setup.server.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwks["keys"][0].clone()).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(&jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.set_audience(&["junction"]);
    validation.set_issuer(&["junction"]);
    let claims = jsonwebtoken::decode::<Value>(&token, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["sub"], ada.id);
    assert_eq!(claims["roles"], json!(["viewer"]));
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));

    assert_eq!(typename_with(&setup, &token).await, 200);
    let mut tampered = token.clone();
    tampered.truncate(token.len() - 4);
    tampered.push_str("AAAA");
    assert_eq!(typename_with(&setup, &tampered).await, 401);
    // A token that is not Junction's, with no provider configured: not
    // Junction's to check (it may be a subgraph's).
    assert_eq!(typename_with(&setup, "some.subgraph.token").await, 200);

    // Disabled: no login, and its token stops working within a second.
    let disable = UserChanges {
        disabled: Some(true),
        ..UserChanges::default()
    };
    setup.issuer.users().update(&ada.id, disable).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while typename_with(&setup, &token).await != 401 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "a disabled user's token still works"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let disabled = login(&setup, "ada@example.com", "correct horse battery").await;
    let wrong = login(&setup, "ada@example.com", "wrong horse battery").await;
    let unknown = login(&setup, "nobody@example.com", "correct horse battery").await;
    assert_eq!(wrong.0, 400);
    assert_eq!(
        wrong, unknown,
        "a wrong password and an unknown account look the same"
    );
    assert_eq!(wrong, disabled, "a disabled user looks the same too");
    assert!(wrong.1.contains("invalid_grant"), "{}", wrong.1);
}

#[tokio::test]
async fn malformed_token_requests_get_rfc_6749_errors() {
    let setup = setup().await;
    let form = "application/x-www-form-urlencoded";
    let cases = [
        (
            "grant_type=client_credentials",
            form,
            "unsupported_grant_type",
        ),
        ("username=a&password=b", form, "invalid_request"),
        ("grant_type=password&username=a", form, "invalid_request"),
        ("[1, 2]", "application/json", "invalid_request"),
    ];
    for (body, content_type, expected) in cases {
        let (status, cache, answer) = token_request(&setup, body.to_string(), content_type).await;
        let answer: Value = serde_json::from_str(&answer).unwrap();
        assert_eq!((status, cache.as_str()), (400, "no-store"), "{body}");
        assert_eq!(answer["error"], expected, "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_failed_logins_in_a_row_are_refused_from_the_eleventh_for_known_and_unknown_accounts(
) {
    let setup = setup().await;
    let new = NewUser {
        email: "ada@example.com".into(),
        password: "correct horse battery".into(),
        ..NewUser::default()
    };
    setup.issuer.users().create(new, "test").await.unwrap();
    for account in ["ada@example.com", "nobody@example.com"] {
        let mut statuses = Vec::new();
        for _ in 0..20 {
            statuses.push(login(&setup, account, "wrong horse battery").await.0);
        }
        assert_eq!(&statuses[..10], [400; 10], "{account}");
        assert_eq!(&statuses[10..], [429; 10], "{account}");
    }
    // Refused before the password is looked at: the right one too, and the
    // answer does not tell whether the account exists.
    let known = login(&setup, "ada@example.com", "correct horse battery").await;
    let unknown = login(&setup, "nobody@example.com", "correct horse battery").await;
    assert_eq!(known.0, 429);
    assert_eq!(known, unknown);
    let response = client()
        .post(setup.server.url("/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", "ada@example.com"),
            ("password", "x"),
        ])
        .send()
        .await
        .unwrap();
    // Ten failures per 15 minutes come back one every 90 s.
    assert_eq!(response.headers().get("retry-after").unwrap(), "90");
}
