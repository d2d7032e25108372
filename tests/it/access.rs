//! Access control end to end: the demo subgraphs behind Junction with the
//! seed policy (`policies/`), callers identified by real JWTs from a real
//! JWKS server (their roles in `realm_access.roles`), anonymous callers
//! treated as `viewer`. In filter mode a denied field is null with a
//! `FORBIDDEN` error at each place it would have been (null propagating
//! from a non-null one); in reject mode the operation is refused with 403
//! before any subgraph is asked. Fragments and aliases reach nothing more.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::Algorithm;
use junction::access::{Access, AccessMode, AccessPolicy, AccessSettings, PiiFields};
use junction::audit::{AuditFilter, AuditLog, DEFAULT_MAX_ENTRIES};
use junction::config::Config;
use junction::http::{self, HttpSettings};
use junction::identity::jwt::{JwtSettings, JwtVerifier};
use junction::loader::start_demo_with;
use serde_json::{json, Value};

use crate::auth_jwt::{claims, jwks, provider, sign, with, JwksServer, KEYS};
use crate::common::{client, embedded_store, TestServer};

const MODEL: &str = include_str!("../../policies/model.conf");
const SEED: &str = include_str!("../../policies/policy.csv");
const HEAVY_QUERY: &str = include_str!("../fixtures/heavy_query.graphql");
const HEAVY_RESPONSE: &str = include_str!("../fixtures/heavy_response.json");

pub(crate) struct Setup {
    pub server: TestServer,
    _jwks: JwksServer,
}

/// How [`setup_with`] sets the demo up.
pub(crate) struct Options {
    pub mode: AccessMode,
    pub hide_denied: bool,
    pub audit: Option<AuditLog>,
    pub http: HttpSettings,
    /// Personal data rules by coordinate, besides the demo's `@pii`.
    pub pii_rules: Arc<PiiFields>,
    pub pii_hash_key: Option<Arc<[u8]>>,
}

impl Options {
    pub fn new(mode: AccessMode) -> Self {
        Self {
            mode,
            hide_denied: true,
            audit: None,
            http: HttpSettings::default(),
            pii_rules: Arc::default(),
            pii_hash_key: None,
        }
    }
}

async fn setup(mode: AccessMode) -> Setup {
    setup_with(Options::new(mode)).await
}

/// The demo behind the seed policy in `options.mode`, introspection on,
/// and denied fields hidden from it when `options.hide_denied` says so;
/// denials recorded in `options.audit` when given.
pub(crate) async fn setup_with(options: Options) -> Setup {
    let Options {
        mode,
        hide_denied,
        audit,
        http: http_settings,
        pii_rules,
        pii_hash_key,
    } = options;
    let jwks_server = JwksServer::start(jwks(&[&KEYS.rsa])).await;
    let jwt = JwtSettings {
        providers: vec![provider(&jwks_server.url)],
        ..JwtSettings::default()
    };
    let verifier = Arc::new(JwtVerifier::new(jwt, reqwest::Client::new()).unwrap());
    let settings = AccessSettings {
        mode,
        anonymous_role: Some("viewer".into()),
        hide_denied_in_introspection: hide_denied,
        pii_rules,
        pii_hash_key,
        ..AccessSettings::default()
    };
    let access = Arc::new(Access::new(
        settings,
        AccessPolicy::load(MODEL, SEED).await.unwrap(),
    ));
    let config = Config {
        introspection: Some(true),
        ..Config::default()
    };
    let demo = start_demo_with(SocketAddr::from(([127, 0, 0, 1], 0)), &config, |gateway| {
        let gateway = gateway.with_token_verifier(verifier).with_access(access);
        match audit {
            Some(log) => gateway.with_audit(log),
            None => gateway,
        }
    })
    .await
    .unwrap();
    let router = http::router(Arc::clone(&demo.gateway), &http_settings);
    let mut server = TestServer::serve(demo.gateway, router, Duration::from_secs(5)).await;
    server.keep_subgraphs(demo.subgraphs);
    Setup {
        server,
        _jwks: jwks_server,
    }
}

/// Status and body of `query` asked by a caller holding `roles` (none:
/// anonymous).
pub(crate) async fn ask(setup: &Setup, query: &str, roles: Option<&[&str]>) -> (u16, Value) {
    let mut request = client()
        .post(setup.server.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": query }));
    if let Some(roles) = roles {
        let claims = with(claims(), json!({ "realm_access": { "roles": roles } }));
        request = request.bearer_auth(sign(&KEYS.rsa, Algorithm::RS256, &claims));
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn forbidden(coordinate: &str, path: Value) -> Value {
    json!({
        "message": format!("Access to {coordinate} is denied."),
        "path": path,
        "extensions": { "code": "FORBIDDEN" },
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_field_is_null_with_a_forbidden_error_where_it_would_be() {
    let setup = setup(AccessMode::Filter).await;
    let query = "{ users { name birthday } }";
    let (status, viewer) = ask(&setup, query, None).await;
    assert_eq!(status, 200, "{viewer}");
    let users = viewer["data"]["users"].as_array().unwrap();
    assert!(users.len() >= 2, "{viewer}");
    for (i, user) in users.iter().enumerate() {
        assert!(user["name"].is_string(), "{viewer}");
        assert_eq!(user["birthday"], Value::Null);
        assert_eq!(
            viewer["errors"][i],
            forbidden("User.birthday", json!(["users", i, "birthday"]))
        );
    }
    assert_eq!(viewer["errors"].as_array().unwrap().len(), users.len());

    let (_, editor) = ask(&setup, query, Some(&["editor"])).await;
    assert!(editor.get("errors").is_none(), "{editor}");
    assert!(
        editor["data"]["users"][0]["birthday"].is_number(),
        "{editor}"
    );
    let names = |body: &Value| {
        body["data"]["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&viewer), names(&editor));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_root_field_is_null_and_the_rest_is_served() {
    let setup = setup(AccessMode::Filter).await;
    let query = "{ topProducts(first: 2) { name } users { name } }";
    let (status, body) = ask(&setup, query, Some(&["api_user"])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["users"], Value::Null);
    assert_eq!(body["data"]["topProducts"].as_array().unwrap().len(), 2);
    assert_eq!(
        body["errors"],
        json!([forbidden("Query.users", json!(["users"]))])
    );
    // Nothing at all: every root field denied.
    let (status, body) = ask(&setup, "{ users { name } me { id } }", Some(&["api_user"])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!({ "users": null, "me": null }));
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_non_null_field_nulls_its_nearest_nullable_parent() {
    let setup = setup(AccessMode::Filter).await;
    // api_user may read products (their reviews field too) but no review:
    // `Review.id` is `ID!`, so each review becomes null.
    let query = "{ topProducts(first: 1) { upc reviews { id } } }";
    let (status, body) = ask(&setup, query, Some(&["api_user"])).await;
    assert_eq!(status, 200, "{body}");
    let reviews = body["data"]["topProducts"][0]["reviews"]
        .as_array()
        .unwrap();
    assert!(!reviews.is_empty(), "{body}");
    assert!(reviews.iter().all(Value::is_null), "{body}");
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(
        errors.len(),
        reviews.len(),
        "one error each, no second one: {body}"
    );
    assert_eq!(
        errors[0],
        forbidden("Review.id", json!(["topProducts", 0, "reviews", 0, "id"]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fragments_and_aliases_reach_no_denied_field() {
    let setup = setup(AccessMode::Filter).await;
    let queries = [
        ("{ users { b: birthday } }", "b"),
        (
            "{ users { ...F } } fragment F on User { birthday }",
            "birthday",
        ),
        ("{ users { ... on User { birthday } } }", "birthday"),
        (
            "{ users { ... @include(if: true) { birthday } } }",
            "birthday",
        ),
        ("{ users { birthday @skip(if: false) } }", "birthday"),
    ];
    for (query, key) in queries {
        let (status, body) = ask(&setup, query, None).await;
        assert_eq!(status, 200, "{query}: {body}");
        for user in body["data"]["users"].as_array().unwrap() {
            assert_eq!(user[key], Value::Null, "{query}: {body}");
        }
        assert_eq!(
            body["errors"][0],
            forbidden("User.birthday", json!(["users", 0, key])),
            "{query}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reject_mode_refuses_the_operation_with_403_and_the_denied_coordinates() {
    let setup = setup(AccessMode::Reject).await;
    let (status, body) = ask(&setup, "{ users { name birthday } me { birthday } }", None).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        body,
        json!({ "errors": [
            forbidden("User.birthday", json!(["users", "@", "birthday"])),
            forbidden("User.birthday", json!(["me", "birthday"])),
        ] })
    );
    let (status, body) = ask(&setup, "{ users { name birthday } }", Some(&["admin"])).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("errors").is_none(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_heavy_query_answers_the_same_for_every_role() {
    let setup = setup(AccessMode::Reject).await;
    let expected: Value = serde_json::from_str(HEAVY_RESPONSE).unwrap();
    for roles in [
        None,
        Some(&["viewer"][..]),
        Some(&["editor"]),
        Some(&["admin"]),
    ] {
        let (status, body) = ask(&setup, HEAVY_QUERY, roles).await;
        assert_eq!((status, &body), (200, &expected), "{roles:?}");
    }
}

const PEOPLE: &str = r#"
type Query @join__type(graph: PEOPLE) {
  me: User @join__field(graph: PEOPLE)
  salaries: [Int] @join__field(graph: PEOPLE)
}

type Mutation @join__type(graph: PEOPLE) {
  raise(amount: Int!): Int @join__field(graph: PEOPLE)
}

type User @join__type(graph: PEOPLE) {
  id: ID!
  name: String
  salary: Int
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_fields_and_mutations_never_reach_a_subgraph() {
    use crate::common::fixture_subgraph::{FixtureServer, Subgraph};
    use junction::pipeline::{Gateway, GatewaySettings};
    let people = Subgraph::new("people")
        .root(
            "Query.me",
            |_| json!({ "__typename": "User", "id": "u1", "name": "Ada", "salary": 9 }),
        )
        .root("Query.salaries", |_| json!([1, 2]))
        .root("Mutation.raise", |_| json!(10));
    let fixture = FixtureServer::start(PEOPLE, vec![people]).await;
    let rules =
        "p, staff, *, Query.me, read\np, staff, *, User.name, read\np, staff, *, User.id, read\n";
    let settings = AccessSettings {
        mode: AccessMode::Filter,
        anonymous_role: Some("staff".into()),
        ..AccessSettings::default()
    };
    let access = Access::new(settings, AccessPolicy::load(MODEL, rules).await.unwrap());
    let gateway = Gateway::new(GatewaySettings::default()).with_access(Arc::new(access));
    let gateway = Arc::new(gateway);
    gateway.load_supergraph(fixture.supergraph()).unwrap();
    let router = http::router(Arc::clone(&gateway), &HttpSettings::default());
    let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
    let post = |query: &'static str| {
        client()
            .post(server.url("/graphql"))
            .json(&json!({ "query": query }))
            .send()
    };

    let body: Value = post("{ me { name salary } }")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"],
        json!({ "me": { "name": "Ada", "salary": null } })
    );
    let sent = fixture.requests("people");
    assert_eq!(sent.len(), 1);
    assert!(sent[0].query.contains("name"), "{}", sent[0].query);
    assert!(!sent[0].query.contains("salary"), "{}", sent[0].query);

    // A query whose every field is denied, and a denied mutation, ask nothing.
    let body: Value = post("{ salaries }").await.unwrap().json().await.unwrap();
    assert_eq!(body["data"], json!({ "salaries": null }), "{body}");
    let body: Value = post("mutation { raise(amount: 5) }")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["data"], json!({ "raise": null }), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let sent = fixture.requests("people");
    assert_eq!(
        sent.len(),
        1,
        "{:?}",
        sent.iter().map(|r| &r.query).collect::<Vec<_>>()
    );
}

/// Two `junction serve` processes on one real Redis, each with the seed
/// policy in reject mode: a rule added through one's admin API changes
/// the other's answers within a second, and removing it changes them back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rule_added_on_one_replica_changes_the_others_answers_within_a_second() {
    use crate::common::redis_server::RedisServer;
    use crate::common::{admin_request, JunctionProcess};
    const TOKEN: &str = "access-rules-test-admin-token";
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("junction.yaml");
    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/policy.csv");
    let yaml = format!(
        "access:\n  policy: {}\n  mode: reject\n  anonymous_role: viewer\n",
        seed.display()
    );
    std::fs::write(&config, yaml).unwrap();
    let url = redis.url();
    let args = [
        "serve",
        "--config",
        config.to_str().unwrap(),
        "--supergraph",
        "schema/supergraph.graphql",
        "--listen",
        "127.0.0.1:0",
        "--redis",
        url.as_str(),
    ];
    let env = [("JUNCTION_ADMIN_TOKEN", TOKEN)];
    let mut one = JunctionProcess::spawn_with_env(&args, &env);
    let mut two = JunctionProcess::spawn_with_env(&args, &env);
    let (first, second) = (one.base_url().await, two.base_url().await);
    let status = |base: String| async move {
        client()
            .post(format!("{base}/graphql"))
            .json(&json!({ "query": "{ me { birthday } }" }))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(status(second.clone()).await, 403);

    let rule = "p, viewer, *, User.birthday, read";
    let add =
        json!({ "query": format!("mutation {{ addAccessRule(rule: \"{rule}\") {{ changed }} }}") });
    let added = admin_request(&first, TOKEN, &add).await;
    assert_eq!(added["data"]["addAccessRule"]["changed"], true, "{added}");
    let changed_within = |expected_403: bool| {
        let second = second.clone();
        async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
            loop {
                let refused = status(second.clone()).await == 403;
                if refused == expected_403 {
                    return true;
                }
                if tokio::time::Instant::now() >= deadline {
                    return false;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    assert!(
        changed_within(false).await,
        "the rule did not reach the other replica in 1 s"
    );
    let check = json!({ "query": "{ checkAccess(roles: [\"viewer\"], object: \"User.birthday\", action: \"read\") { allowed rules } accessRules { rule stored } }" });
    let checked = admin_request(&second, TOKEN, &check).await;
    assert_eq!(
        checked["data"]["checkAccess"],
        json!({ "allowed": true, "rules": [rule] })
    );
    let stored: Vec<&Value> = checked["data"]["accessRules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stored"] == true)
        .collect();
    assert_eq!(stored, [&json!({ "rule": rule, "stored": true })]);

    let remove = json!({ "query": format!("mutation {{ removeAccessRule(rule: \"{rule}\") {{ changed }} }}") });
    let removed = admin_request(&second, TOKEN, &remove).await;
    assert_eq!(
        removed["data"]["removeAccessRule"]["changed"], true,
        "{removed}"
    );
    assert!(
        changed_within(true).await,
        "the removal did not reach the replica in 1 s"
    );
    one.terminate().await;
    two.terminate().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_cannot_reach_entities_or_the_service_sdl() {
    let setup = setup(AccessMode::Filter).await;
    for query in [
        "{ _service { sdl } }",
        "{ _entities(representations: [{ __typename: \"User\", id: \"1\" }]) { ... on User { birthday } } }",
    ] {
        let (status, body) = ask(&setup, query, None).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
            "{query}: {body}"
        );
        assert!(body.get("data").is_none(), "{query}: {body}");
    }
}

const USER_FIELDS: &str =
    "{ __type(name: \"User\") { fields { name } } __schema { mutationType { name } } }";

/// The field names of `User` and the mutation root's name an introspection
/// answer shows.
fn user_fields_and_mutation(body: &Value) -> (Vec<String>, Value) {
    let fields = body["data"]["__type"]["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| f["name"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (
        fields,
        body["data"]["__schema"]["mutationType"]["name"].clone(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_shows_each_caller_only_what_it_may_query() {
    let setup = setup(AccessMode::Filter).await;
    let all = [
        "id", "name", "username", "birthday", "email", "phone", "reviews",
    ];
    let public = ["id", "name", "username", "email", "phone", "reviews"];
    let as_strings = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
    for (roles, fields, mutation) in [
        (None, as_strings(&public), Value::Null),
        (Some(&["viewer"][..]), as_strings(&public), Value::Null),
        (Some(&["editor"]), as_strings(&all), json!("Mutation")),
        (Some(&["admin"]), as_strings(&all), json!("Mutation")),
        (Some(&["api_user"]), Vec::new(), Value::Null),
    ] {
        let (status, body) = ask(&setup, USER_FIELDS, roles).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "{roles:?}: {body}");
        let mut seen = user_fields_and_mutation(&body);
        seen.0.sort();
        let mut fields = fields;
        fields.sort();
        assert_eq!(seen, (fields, mutation), "{roles:?}: {body}");
    }
    // A type the caller can query nothing of is not there at all.
    let (_, body) = ask(&setup, USER_FIELDS, Some(&["api_user"])).await;
    assert_eq!(body["data"]["__type"], Value::Null, "{body}");
    let (_, body) = ask(
        &setup,
        "{ __schema { queryType { fields { name } } types { name } } }",
        Some(&["api_user"]),
    )
    .await;
    assert_eq!(
        body["data"]["__schema"]["queryType"]["fields"],
        json!([{ "name": "topProducts" }]),
        "{body}"
    );
    let types = body["data"]["__schema"]["types"].to_string();
    assert!(!types.contains("\"User\""), "{types}");
    assert!(!types.contains("\"Review\""), "{types}");
    assert!(types.contains("\"Product\""), "{types}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_hiding_introspection_shows_the_whole_schema() {
    let setup = setup_with(Options {
        hide_denied: false,
        ..Options::new(AccessMode::Filter)
    })
    .await;
    let (_, body) = ask(&setup, USER_FIELDS, Some(&["api_user"])).await;
    let (fields, mutation) = user_fields_and_mutation(&body);
    assert_eq!(fields.len(), 7, "{body}");
    assert_eq!(mutation, json!("Mutation"), "{body}");
}

/// The `access.denied` entries of `log`, waiting up to a second for
/// `count` of them (they are written in the background).
async fn denied_entries(log: &AuditLog, count: usize) -> Vec<junction::audit::AuditEntry> {
    let filter = AuditFilter {
        action: Some("access.denied".into()),
        ..AuditFilter::default()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    loop {
        let (entries, _) = log.read(&filter, None, 100).await.unwrap();
        if entries.len() >= count || tokio::time::Instant::now() > deadline {
            return entries;
        }
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_requests_are_in_the_audit_log_with_coordinates_never_values() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::new(embedded_store(dir.path()).await, DEFAULT_MAX_ENTRIES);
    let setup = setup_with(Options {
        audit: Some(log.clone()),
        ..Options::new(AccessMode::Filter)
    })
    .await;
    let query = "{ me { name birthday email } }";
    for _ in 0..3 {
        let (status, body) = ask(&setup, query, Some(&["viewer"])).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, _) = ask(
        &setup,
        "{ users { birthday } topProducts { upc } }",
        Some(&["api_user"]),
    )
    .await;
    assert_eq!(status, 200);
    let entries = denied_entries(&log, 2).await;
    // Newest first; the same caller denied the same coordinates thrice:
    // one entry.
    let listed: Vec<_> = entries
        .iter()
        .map(|e| (e.actor.as_str(), e.target.as_deref(), e.org.as_deref()))
        .collect();
    assert_eq!(
        listed,
        [
            ("user:user-1", Some("Query.users"), Some("acme")),
            ("user:user-1", Some("User.birthday"), Some("acme")),
        ]
    );
    assert!(
        entries
            .iter()
            .all(|e| e.client_ip.as_deref() == Some("127.0.0.1")),
        "{entries:?}"
    );
    let written = serde_json::to_string(&entries).unwrap();
    for value in ["428112000", "urigo@example.com", "u***@example.com", "Uri"] {
        assert!(!written.contains(value), "{value} in {written}");
    }

    // Reject mode: the refusal is recorded too.
    let reject = setup_with(Options {
        audit: Some(log.clone()),
        ..Options::new(AccessMode::Reject)
    })
    .await;
    let (status, _) = ask(&reject, "{ me { phone birthday } }", Some(&["viewer"])).await;
    assert_eq!(status, 403);
    let entries = denied_entries(&log, 3).await;
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert_eq!(entries[0].target.as_deref(), Some("User.birthday"));
}
