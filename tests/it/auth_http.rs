//! Identity over HTTP, end to end: a real JWKS server, tokens signed by the
//! test, Junction in front of fixture subgraphs. A valid token's caller
//! reaches the subgraphs as Junction's `x-junction-*` headers (never the
//! client's copies); a missing token (with `auth.required`) and each kind
//! of bad token get 401 `UNAUTHENTICATED` with `WWW-Authenticate: Bearer`
//! and reach no subgraph; a role from the token exempts its caller from
//! the safelist; a token revoked at `/oauth/revoke` (its `jti` on the
//! store's deny-list) is refused too.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::Algorithm;
use junction::http::{self, HttpSettings};
use junction::identity::issuer::{TokenIssuer, TokenVerifiers};
use junction::identity::jwt::{JwtSettings, JwtVerifier};
use junction::identity::IssuerSettings;
use junction::identity::{IdentitySettings, Verify};
use junction::persisted::SafelistMode;
use junction::pipeline::{Gateway, GatewaySettings};
use junction::store::Store;
use serde_json::{json, Value};

use crate::auth_jwt::{claims, jwks, provider, sign, with, JwksServer, KEYS};
use crate::common::fixture_subgraph::{FixtureServer, Subgraph};
use crate::common::{client, embedded_store, TestServer};

const TYPES: &str = r#"
type Query @join__type(graph: PEOPLE) {
  me: User @join__field(graph: PEOPLE)
}

type User @join__type(graph: PEOPLE) {
  id: ID!
  name: String
}
"#;

struct Setup {
    server: TestServer,
    fixture: FixtureServer,
    _jwks: JwksServer,
}

async fn setup(settings: GatewaySettings) -> Setup {
    start(settings, None).await
}

/// With a store, Junction's token endpoints too, and the deny-list.
async fn start(settings: GatewaySettings, store: Option<Arc<dyn Store>>) -> Setup {
    let jwks_server = JwksServer::start(jwks(&[&KEYS.rsa])).await;
    let jwt = JwtSettings {
        providers: vec![provider(&jwks_server.url)],
        ..JwtSettings::default()
    };
    let verifier = JwtVerifier::new(jwt, reqwest::Client::new()).unwrap();
    let people = Subgraph::new("people").root(
        "Query.me",
        |_| json!({ "__typename": "User", "id": "u1", "name": "Ada" }),
    );
    let fixture = FixtureServer::start(TYPES, vec![people]).await;
    let external: Arc<dyn Verify> = Arc::new(verifier);
    let mut http_settings = HttpSettings::default();
    let tokens: Arc<dyn Verify> = match store {
        Some(store) => {
            let issuer = TokenIssuer::new(store, IssuerSettings::default());
            http_settings.oauth = Some(issuer.clone());
            Arc::new(TokenVerifiers {
                own: issuer,
                external: Some(external),
            })
        }
        None => external,
    };
    let gateway = Gateway::new(settings).with_token_verifier(tokens);
    let gateway = Arc::new(gateway);
    gateway.load_supergraph(fixture.supergraph()).unwrap();
    let router = http::router(Arc::clone(&gateway), &http_settings);
    let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
    Setup {
        server,
        fixture,
        _jwks: jwks_server,
    }
}

fn required() -> GatewaySettings {
    GatewaySettings {
        identity: IdentitySettings {
            required: true,
            ..IdentitySettings::default()
        },
        ..GatewaySettings::default()
    }
}

/// Status, `WWW-Authenticate` and body of `query` sent with these headers.
async fn send(setup: &Setup, query: &str, headers: &[(&str, &str)]) -> (u16, String, Value) {
    let mut request = client()
        .post(setup.server.url("/graphql"))
        .json(&json!({ "query": query }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let status = response.status().as_u16();
    (status, challenge, response.json().await.unwrap())
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_token_reaches_subgraphs_as_junctions_identity_headers() {
    let setup = setup(required()).await;
    let token = sign(&KEYS.rsa, Algorithm::RS256, &claims());
    let authorization = bearer(&token);
    let headers = [
        ("authorization", authorization.as_str()),
        ("x-junction-org", "someone-elses-org"),
        ("x-junction-roles", "superuser"),
    ];
    let (status, _, body) = send(&setup, "{ me { name } }", &headers).await;
    assert_eq!(
        (status, body),
        (200, json!({ "data": { "me": { "name": "Ada" } } }))
    );
    let requests = setup.fixture.requests("people");
    let sent = &requests[0].headers;
    let header = |name: &str| sent.get(name).map(|v| v.to_str().unwrap().to_string());
    assert_eq!(header("x-junction-subject").as_deref(), Some("user-1"));
    assert_eq!(header("x-junction-org").as_deref(), Some("acme"));
    assert_eq!(header("x-junction-roles").as_deref(), Some("admin,viewer"));
    assert_eq!(header("x-junction-caller-kind").as_deref(), Some("user"));
    assert_eq!(
        header("authorization"),
        None,
        "not asked for by this subgraph"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_and_bad_tokens_get_401_and_reach_no_subgraph() {
    let setup = setup(required()).await;
    let good = claims();
    let mut tampered = sign(&KEYS.rsa, Algorithm::RS256, &good);
    tampered.truncate(tampered.len() - 6);
    tampered.push_str("AAAAAA");
    let unsigned = format!(
        "{}.{}.",
        base64_json(&json!({ "alg": "none", "typ": "JWT" })),
        base64_json(&good)
    );
    let bad_tokens = [
        sign(
            &KEYS.rsa,
            Algorithm::RS256,
            &with(good.clone(), json!({ "exp": 1 })),
        ),
        sign(
            &KEYS.rsa,
            Algorithm::RS256,
            &with(good.clone(), json!({ "aud": "other" })),
        ),
        sign(
            &KEYS.rsa,
            Algorithm::RS256,
            &with(good.clone(), json!({ "iss": "https://evil" })),
        ),
        tampered,
        unsigned,
        "not-a-jwt".to_string(),
    ];
    for token in &bad_tokens {
        let (status, challenge, body) = send(
            &setup,
            "{ me { name } }",
            &[("authorization", &bearer(token))],
        )
        .await;
        assert_eq!((status, challenge.as_str()), (401, "Bearer"), "{token}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
        assert_eq!(
            body["errors"][0]["message"],
            "The credential is invalid or expired."
        );
    }
    let (status, challenge, body) = send(&setup, "{ me { name } }", &[]).await;
    assert_eq!((status, challenge.as_str()), (401, "Bearer"));
    assert_eq!(
        body["errors"][0]["message"],
        "This endpoint requires authentication."
    );
    assert!(setup.fixture.requests("people").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provider_token_revoked_by_its_jti_is_refused_and_reaches_no_subgraph() {
    let dir = tempfile::tempdir().unwrap();
    let setup = start(required(), Some(embedded_store(dir.path()).await)).await;
    let revoked = sign(&KEYS.rsa, Algorithm::RS256, &claims());
    let other = with(claims(), json!({ "jti": "token-2" }));
    let other = sign(&KEYS.rsa, Algorithm::RS256, &other);
    let query = "{ me { name } }";
    let (status, _, _) = send(&setup, query, &[("authorization", &bearer(&revoked))]).await;
    assert_eq!(status, 200);
    let before = setup.fixture.requests("people").len();

    let answer = client()
        .post(setup.server.url("/oauth/revoke"))
        .form(&[
            ("token", revoked.as_str()),
            ("token_type_hint", "access_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let (status, challenge, body) =
        send(&setup, query, &[("authorization", &bearer(&revoked))]).await;
    assert_eq!((status, challenge.as_str()), (401, "Bearer"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    assert_eq!(setup.fixture.requests("people").len(), before);
    // Another token of the same subject is not touched.
    let (status, _, _) = send(&setup, query, &[("authorization", &bearer(&other))]).await;
    assert_eq!(status, 200);
    // Revoking it again, or revoking garbage, is answered the same (RFC 7009).
    for token in [revoked.as_str(), "not-a-token"] {
        let again = client()
            .post(setup.server.url("/oauth/revoke"))
            .form(&[("token", token)])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_from_the_token_exempts_its_caller_from_the_safelist() {
    let settings = GatewaySettings {
        safelist: SafelistMode::Refuse,
        safelist_exempt_roles: vec!["admin".to_string()],
        ..GatewaySettings::default()
    };
    let setup = setup(settings).await;
    let admin = sign(&KEYS.rsa, Algorithm::RS256, &claims());
    let viewer_claims = with(claims(), json!({ "realm_access": { "roles": ["viewer"] } }));
    let viewer = sign(&KEYS.rsa, Algorithm::RS256, &viewer_claims);
    let query = "{ me { name } }";
    let (status, _, _) = send(&setup, query, &[("authorization", &bearer(&admin))]).await;
    assert_eq!(status, 200);
    let (status, _, body) = send(&setup, query, &[("authorization", &bearer(&viewer))]).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_IN_LIST"
    );
    let (status, _, _) = send(&setup, query, &[]).await;
    assert_eq!(status, 400, "anonymous callers hold no role");
}

fn base64_json(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}
