//! Access declared by subgraph teams in their SDL: the supergraph's
//! `@authenticated`, `@requiresScopes` and `@policy`, enforced with no
//! policy file (directives only) and with one (`@policy` names evaluated
//! as Casbin objects). Callers are real JWTs from a real JWKS server;
//! denied fields are null with `FORBIDDEN` and never asked of the subgraph.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::Algorithm;
use junction::access::{Access, AccessPolicy, AccessSettings, DEFAULT_MODEL};
use junction::http::{self, HttpSettings};
use junction::identity::jwt::{JwtSettings, JwtVerifier};
use junction::pipeline::{Gateway, GatewaySettings};
use serde_json::{json, Value};

use crate::auth_jwt::{claims, jwks, provider, sign, with, JwksServer, KEYS};
use crate::common::fixture_subgraph::{FixtureServer, Subgraph};
use crate::common::{client, TestServer};

const TYPES: &str = r#"
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
scalar requiresScopes__Scope
scalar policy__Policy

type Query @join__type(graph: PEOPLE) {
  me: User @join__field(graph: PEOPLE)
  motd: String @join__field(graph: PEOPLE)
}

type User @join__type(graph: PEOPLE) @authenticated {
  id: ID!
  name: String
  email: String @requiresScopes(scopes: [["read:email"], ["admin:all", "audit"]])
  salary: Int @policy(policies: [["hr"]])
}
"#;

const SECURITY_LINKS: &str = r#"schema
  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)
  @link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)
"#;

struct Setup {
    server: TestServer,
    fixture: FixtureServer,
    _jwks: JwksServer,
}

async fn setup(access: Access) -> Setup {
    let jwks_server = JwksServer::start(jwks(&[&KEYS.rsa])).await;
    let jwt = JwtSettings {
        providers: vec![provider(&jwks_server.url)],
        ..JwtSettings::default()
    };
    let verifier = Arc::new(JwtVerifier::new(jwt, reqwest::Client::new()).unwrap());
    let people = Subgraph::new("people")
        .root("Query.motd", |_| json!("hello"))
        .root(
            "Query.me",
            |_| json!({ "__typename": "User", "id": "u1", "name": "Ada", "email": "ada@example.com", "salary": 9 }),
        );
    let fixture = FixtureServer::start(TYPES, vec![people]).await;
    let supergraph = fixture.supergraph().replacen("schema\n", SECURITY_LINKS, 1);
    let gateway = Gateway::new(GatewaySettings::default())
        .with_token_verifier(verifier)
        .with_access(Arc::new(access));
    let gateway = Arc::new(gateway);
    gateway.load_supergraph(&supergraph).unwrap();
    let router = http::router(Arc::clone(&gateway), &HttpSettings::default());
    let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
    Setup {
        server,
        fixture,
        _jwks: jwks_server,
    }
}

/// The body of `query` asked with a token of these scopes and roles, or
/// anonymously.
async fn ask(setup: &Setup, query: &str, token: Option<(&str, &[&str])>) -> Value {
    let mut request = client()
        .post(setup.server.url("/graphql"))
        .json(&json!({ "query": query }));
    if let Some((scope, roles)) = token {
        let changes = json!({ "scope": scope, "realm_access": { "roles": roles } });
        let claims = with(claims(), changes);
        request = request.bearer_auth(sign(&KEYS.rsa, Algorithm::RS256, &claims));
    }
    request.send().await.unwrap().json().await.unwrap()
}

fn codes(body: &Value) -> Vec<(String, Value)> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["extensions"]["code"].as_str().unwrap().to_string(),
                        e["path"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn directives_hold_without_a_policy_file() {
    let setup = setup(Access::default()).await;
    let query = "{ motd me { name email salary } }";

    let anonymous = ask(&setup, query, None).await;
    assert_eq!(anonymous["data"], json!({ "motd": "hello", "me": null }));
    assert_eq!(codes(&anonymous), [("FORBIDDEN".into(), json!(["me"]))]);

    let reader = ask(&setup, query, Some(("openid", &[]))).await;
    assert_eq!(
        reader["data"]["me"],
        json!({ "name": "Ada", "email": null, "salary": null })
    );
    assert_eq!(
        codes(&reader),
        [
            ("FORBIDDEN".into(), json!(["me", "email"])),
            ("FORBIDDEN".into(), json!(["me", "salary"]))
        ]
    );
    // One alternative whole is enough; half of one is not.
    let scoped = ask(&setup, query, Some(("read:email", &[]))).await;
    assert_eq!(scoped["data"]["me"]["email"], "ada@example.com");
    let half = ask(&setup, query, Some(("admin:all", &[]))).await;
    assert_eq!(half["data"]["me"]["email"], Value::Null);
    let both = ask(&setup, query, Some(("admin:all audit", &[]))).await;
    assert_eq!(both["data"]["me"]["email"], "ada@example.com");

    // What was denied was never asked for.
    for request in setup.fixture.requests("people") {
        assert!(!request.query.contains("salary"), "{}", request.query);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_names_are_casbin_objects() {
    // `*` as an object would cover policy names too: staff reads fields only.
    let rules = "p, staff, *, Query.*, read\np, staff, *, User.*, read\np, payroll, *, hr, read\ng, payroll, staff\n";
    let policy = AccessPolicy::load(DEFAULT_MODEL, rules).await.unwrap();
    let setup = setup(Access::new(AccessSettings::default(), policy)).await;
    let query = "{ me { salary } }";
    let staff = ask(&setup, query, Some(("openid", &["staff"]))).await;
    assert_eq!(staff["data"]["me"]["salary"], Value::Null);
    assert_eq!(
        codes(&staff),
        [("FORBIDDEN".into(), json!(["me", "salary"]))]
    );
    let payroll = ask(&setup, query, Some(("openid", &["payroll"]))).await;
    assert_eq!(payroll["data"]["me"]["salary"], 9, "{payroll}");
    assert!(payroll.get("errors").is_none(), "{payroll}");
}
