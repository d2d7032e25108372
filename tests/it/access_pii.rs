//! Personal data redaction end to end: a fixture subgraph marks fields
//! `@pii` (Junction's spec, kept by `@composeDirective`); callers who may
//! not `unmask` a coordinate get it masked, hashed (the same pseudonym on
//! two gateways sharing the secret) or null, inside lists, fragments,
//! aliases and `@defer`red payloads; a caller allowed `unmask` gets the
//! clear value. Nothing is redacted on the way to the subgraph.

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
directive @pii(kind: String!, strategy: String = "MASK") on FIELD_DEFINITION

type Query @join__type(graph: PEOPLE) {
  people: [Person] @join__field(graph: PEOPLE)
}

type Person @join__type(graph: PEOPLE) {
  id: ID!
  name: String @pii(kind: "NAME")
  email: String @pii(kind: "EMAIL", strategy: "MASK")
  phones: [String] @pii(kind: "PHONE", strategy: "HASH")
  ssn: String @pii(kind: "FREE_TEXT", strategy: "NULL")
  city: String
}
"#;

const PII_LINK: &str =
    "schema\n  @link(url: \"https://specs.junction.dev/pii/v0.1\", import: [\"@pii\"])\n";

const RULES: &str =
    "p, staff, *, *, read\np, auditor, *, *, read\np, auditor, *, Person.*, unmask\n";
const SECRET: &[u8] = b"a pseudonym secret of at least thirty-two bytes";

struct Setup {
    servers: Vec<TestServer>,
    fixture: FixtureServer,
    _jwks: JwksServer,
}

/// Two gateways sharing the pseudonym secret, over one fixture subgraph.
async fn setup() -> Setup {
    let jwks_server = JwksServer::start(jwks(&[&KEYS.rsa])).await;
    let people = Subgraph::new("people").root("Query.people", |_| {
        json!([
            { "__typename": "Person", "id": "1", "name": "Jane Doe", "email": "jane.doe@example.com",
              "phones": ["+49 151 2345 6712", "+1 555 0100"], "ssn": "123-45-6789", "city": "Berlin" },
            { "__typename": "Person", "id": "2", "name": "Ada Lovelace", "email": "ada@example.org",
              "phones": [], "ssn": null, "city": "London" }
        ])
    });
    let fixture = FixtureServer::start(TYPES, vec![people]).await;
    let supergraph = fixture.supergraph().replacen("schema\n", PII_LINK, 1);
    let mut servers = Vec::new();
    for _ in 0..2 {
        let jwt = JwtSettings {
            providers: vec![provider(&jwks_server.url)],
            ..JwtSettings::default()
        };
        let verifier = Arc::new(JwtVerifier::new(jwt, reqwest::Client::new()).unwrap());
        let settings = AccessSettings {
            pii_hash_key: Some(Arc::from(SECRET)),
            ..AccessSettings::default()
        };
        let policy = AccessPolicy::load(DEFAULT_MODEL, RULES).await.unwrap();
        let gateway = Gateway::new(GatewaySettings::default())
            .with_token_verifier(verifier)
            .with_access(Arc::new(Access::new(settings, policy)));
        let gateway = Arc::new(gateway);
        gateway.load_supergraph(&supergraph).unwrap();
        let router = http::router(Arc::clone(&gateway), &HttpSettings::default());
        servers.push(TestServer::serve(gateway, router, Duration::from_secs(5)).await);
    }
    Setup {
        servers,
        fixture,
        _jwks: jwks_server,
    }
}

async fn ask(server: &TestServer, query: &str, role: &str) -> Value {
    let claims = with(claims(), json!({ "realm_access": { "roles": [role] } }));
    client()
        .post(server.url("/graphql"))
        .bearer_auth(sign(&KEYS.rsa, Algorithm::RS256, &claims))
        .json(&json!({ "query": query }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

const QUERY: &str = "{ people { id name email phones ssn city } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_without_unmask_get_each_strategy_and_with_it_the_clear_values() {
    let setup = setup().await;
    let staff = ask(&setup.servers[0], QUERY, "staff").await;
    assert!(staff.get("errors").is_none(), "{staff}");
    let jane = &staff["data"]["people"][0];
    assert_eq!(jane["id"], "1");
    assert_eq!(jane["name"], "J. D.");
    assert_eq!(jane["email"], "j***@example.com");
    assert_eq!(jane["ssn"], Value::Null);
    assert_eq!(jane["city"], "Berlin");
    let phones = jane["phones"].as_array().unwrap();
    assert_eq!(phones.len(), 2);
    for phone in phones {
        let text = phone.as_str().unwrap();
        assert!(text.starts_with("pii_") && text.len() == 28, "{text}");
    }
    assert_ne!(phones[0], phones[1]);
    let ada = &staff["data"]["people"][1];
    assert_eq!(ada["name"], "A. L.");
    assert_eq!(ada["phones"], json!([]));

    // The same value, the same pseudonym: across requests and gateways.
    let again = ask(&setup.servers[1], QUERY, "staff").await;
    assert_eq!(again, staff);

    let auditor = ask(&setup.servers[0], QUERY, "auditor").await;
    let clear = &auditor["data"]["people"][0];
    assert_eq!(clear["name"], "Jane Doe");
    assert_eq!(clear["email"], "jane.doe@example.com");
    assert_eq!(clear["phones"], json!(["+49 151 2345 6712", "+1 555 0100"]));
    assert_eq!(clear["ssn"], "123-45-6789");
    // The subgraph was asked for the fields themselves, never a redaction.
    assert!(setup
        .fixture
        .requests("people")
        .iter()
        .all(|r| r.query.contains("email")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases_fragments_and_deferred_payloads_are_redacted_too() {
    let setup = setup().await;
    let server = &setup.servers[0];
    let clear = [
        "jane.doe@example.com",
        "Jane Doe",
        "+49 151 2345 6712",
        "123-45-6789",
    ];
    let queries = [
        "{ people { e: email n: name p: phones s: ssn } }",
        "{ people { ...P } } fragment P on Person { email name phones ssn }",
        "{ people { ... on Person { email name phones ssn } } }",
        "{ people { id ... @defer { email name phones ssn } } }",
    ];
    for query in queries {
        let response = client()
            .post(server.url("/graphql"))
            .header(
                "accept",
                "multipart/mixed;deferSpec=20220824, application/json",
            )
            .bearer_auth(sign(
                &KEYS.rsa,
                Algorithm::RS256,
                &with(claims(), json!({ "realm_access": { "roles": ["staff"] } })),
            ))
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap();
        let body = response.text().await.unwrap();
        assert!(body.contains("j***@example.com"), "{query}: {body}");
        for value in clear {
            assert!(!body.contains(value), "{query} leaked {value}: {body}");
        }
    }
}

/// A `junction serve` process logging at `trace`, serving a supergraph
/// with `@pii` fields and a failing subgraph (so errors are logged too):
/// its log holds none of the personal data it served redacted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_data_never_reaches_the_log_even_at_trace() {
    use crate::common::JunctionProcess;
    const TYPES_WITH_BROKEN: &str = r#"
directive @pii(kind: String!, strategy: String = "MASK") on FIELD_DEFINITION

type Query @join__type(graph: PEOPLE) @join__type(graph: BROKEN) {
  people: [Person] @join__field(graph: PEOPLE)
  status: String @join__field(graph: BROKEN)
}

type Person @join__type(graph: PEOPLE) {
  id: ID!
  name: String @pii(kind: "NAME")
  email: String @pii(kind: "EMAIL", strategy: "MASK")
  phones: [String] @pii(kind: "PHONE", strategy: "HASH")
  ssn: String @pii(kind: "FREE_TEXT", strategy: "NULL")
}
"#;
    let people = Subgraph::new("people").root("Query.people", |_| {
        json!([{ "__typename": "Person", "id": "1", "name": "Jane Doe", "email": "jane.doe@example.com",
                 "phones": ["+49 151 2345 6712"], "ssn": "123-45-6789" }])
    });
    let broken = Subgraph::new("broken")
        .root("Query.status", |_| json!("up"))
        .http_status(500);
    let fixture = FixtureServer::start(TYPES_WITH_BROKEN, vec![people, broken]).await;
    let dir = tempfile::tempdir().unwrap();
    let supergraph = dir.path().join("supergraph.graphql");
    std::fs::write(
        &supergraph,
        fixture.supergraph().replacen("schema\n", PII_LINK, 1),
    )
    .unwrap();
    let policy = dir.path().join("policy.csv");
    std::fs::write(&policy, "p, staff, *, *, read\n").unwrap();
    let config = dir.path().join("junction.yaml");
    let yaml = "access:\n  policy: policy.csv\n  anonymous_role: staff\n  pii_hash_secret: a pseudonym secret of at least thirty-two bytes\n";
    std::fs::write(&config, yaml).unwrap();
    let mut junction = JunctionProcess::spawn_with_env(
        &[
            "serve",
            "--config",
            config.to_str().unwrap(),
            "--supergraph",
            supergraph.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ],
        &[("JUNCTION_LOG", "trace")],
    );
    let base = junction.base_url().await;
    let body: Value = client()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": "{ people { name email phones ssn } status }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"]["people"][0]["email"], "j***@example.com",
        "{body}"
    );
    assert_eq!(body["data"]["status"], Value::Null, "{body}");
    junction.terminate().await;
    let log = junction.whole_log().await;
    assert!(
        log.contains("TRACE") || log.contains("DEBUG"),
        "not at trace"
    );
    assert!(
        log.contains("500") || log.to_lowercase().contains("status"),
        "the failure is logged: {log}"
    );
    for value in [
        "jane.doe@example.com",
        "Jane Doe",
        "+49 151 2345 6712",
        "123-45-6789",
    ] {
        assert!(!log.contains(value), "{value} is in the log");
        assert!(
            !body.to_string().contains(value),
            "{value} reached the client"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_by_coordinate_redact_fields_the_sdl_does_not_mark() {
    use junction::access::PiiFields;
    let people = Subgraph::new("people").root("Query.people", |_| {
        json!([{ "__typename": "Person", "id": "1", "name": "Jane Doe", "email": "e@x.io",
                 "phones": [], "ssn": null, "city": "Berlin" }])
    });
    let fixture = FixtureServer::start(TYPES, vec![people]).await;
    let rules = PiiFields::from_yaml("Person.city: { kind: ADDRESS }\n").unwrap();
    let settings = AccessSettings {
        pii_rules: Arc::new(rules),
        ..AccessSettings::default()
    };
    // No @pii link in this supergraph: only the rules file marks anything.
    let gateway = Gateway::new(GatewaySettings::default())
        .with_access(Arc::new(Access::directives_only(settings)));
    let gateway = Arc::new(gateway);
    gateway.load_supergraph(fixture.supergraph()).unwrap();
    let router = http::router(Arc::clone(&gateway), &HttpSettings::default());
    let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
    let body: Value = client()
        .post(server.url("/graphql"))
        .json(&json!({ "query": "{ people { city name } }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"]["people"][0],
        json!({ "city": "***", "name": "Jane Doe" })
    );
}

/// The demo's own personal data across subgraphs: `User.email`/`phone`
/// (accounts' `@pii`, reached as entities of the reviews subgraph), and by
/// coordinate `Review.body` (reviews, hashed) and `Product.weight`
/// (products, null) — whose real value inventory's `shippingEstimate`
/// still `@requires`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_redacts_entity_fields_of_several_subgraphs_and_requires_still_works() {
    use crate::access::{ask, setup_with, Options};
    let rules = "Review.body: { kind: FREE_TEXT, strategy: HASH }\nProduct.weight: { kind: FREE_TEXT, strategy: NULL }\n";
    let options = || Options {
        pii_rules: Arc::new(junction::access::PiiFields::from_yaml(rules).unwrap()),
        pii_hash_key: Some(Arc::from(SECRET)),
        ..Options::new(junction::access::AccessMode::Filter)
    };
    let (one, two) = (setup_with(options()).await, setup_with(options()).await);
    let query = "{ topProducts(first: 7) { upc weight shippingEstimate
        reviews { body ...Author } } }
        fragment Author on Review { author { ... @defer { email phone } } }";
    let (status, viewer) = ask(&one, query, None).await;
    assert_eq!(status, 200, "{viewer}");
    assert!(viewer.get("errors").is_none(), "{viewer}");
    let products = viewer["data"]["topProducts"].as_array().unwrap();
    let by_upc = |upc: &str| products.iter().find(|p| p["upc"] == upc).unwrap().clone();
    // Weight redacted, yet the estimate is computed from the real one
    // (Shelf: price 250, weight 400 → 200; Lamp: over 1000 → 0).
    assert_eq!(by_upc("7")["weight"], Value::Null);
    assert_eq!(by_upc("7")["shippingEstimate"], 200);
    assert_eq!(by_upc("6")["shippingEstimate"], 0);
    let table = by_upc("1");
    let review = &table["reviews"][0];
    let body = review["body"].as_str().unwrap();
    assert!(body.starts_with("pii_") && body.len() == 28, "{body}");
    assert_eq!(review["author"]["email"], "u***@example.com");
    assert_eq!(review["author"]["phone"], "+49 *** **** **01");
    // The same review body, the same pseudonym, on another gateway.
    let (_, again) = ask(&two, query, None).await;
    assert_eq!(again, viewer);
    // An admin (unmask on everything) gets the clear values.
    let (_, admin) = ask(&one, query, Some(&["admin"])).await;
    let products = admin["data"]["topProducts"].as_array().unwrap();
    let shelf = products.iter().find(|p| p["upc"] == "7").unwrap();
    assert_eq!(shelf["weight"], 400);
    assert!(admin["data"]["topProducts"][0]["reviews"][0]["body"]
        .as_str()
        .unwrap()
        .starts_with("Lorem ipsum"));
    assert_eq!(
        admin["data"]["topProducts"][0]["reviews"][0]["author"]["email"],
        "urigo@example.com"
    );
}
