//! Persisted operations over real HTTP and a real Redis: manifests
//! published through the admin API (refused whole, with per-operation
//! problems, when an operation does not validate or an id is taken),
//! served by `documentId` and by `extensions.persistedQuery` on every
//! replica, the safelist (refuse and log), a subgraph check naming the
//! published operations it would break, and the `junction operations`
//! command line on the embedded store.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use junction::admin;
use junction::execute::ProbeSettings;
use junction::http::{self, AdminEndpoint, HttpSettings};
use junction::loader::{Loader, SupergraphSource};
use junction::persisted::{sha256_hex, OperationLibrary, SafelistMode};
use junction::pipeline::{Gateway, GatewaySettings};
use junction::registry::Registry;
use junction::store::{open_store, Store, StoreConfig};
use serde_json::{json, Value};

use crate::common::redis_server::RedisServer;
use crate::common::*;

const TOKEN: &str = "operations-test-admin-token";
const PUBLISHED: &str = "query Typename { __typename }";
const TOP: &str = "query Top { topProducts { name } }";

/// One replica serving the demo supergraph (from a file), following the
/// operation library in `store`, the admin API on.
struct Replica {
    server: TestServer,
    _loader: Loader,
    _dir: tempfile::TempDir,
}

impl Replica {
    async fn start(store: Arc<dyn Store>, safelist: SafelistMode) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("supergraph.graphql");
        std::fs::write(&path, DEMO_SUPERGRAPH).unwrap();
        let settings = GatewaySettings {
            safelist,
            ..GatewaySettings::default()
        };
        let gateway = Arc::new(Gateway::new(settings));
        let no_probes = ProbeSettings {
            interval: Duration::ZERO,
            ..ProbeSettings::default()
        };
        let source = SupergraphSource::File(path);
        let mut loader = Loader::start(Arc::clone(&gateway), source, no_probes).unwrap();
        let registry = Registry::new(Arc::clone(&store));
        loader.follow_operations(OperationLibrary::new(store), Arc::clone(&gateway));
        let served = {
            let gateway = Arc::clone(&gateway);
            Arc::new(move || gateway.api_schema()) as admin::ServedSchema
        };
        let settings = HttpSettings {
            admin: Some(AdminEndpoint::new(
                admin::schema_serving(registry, served),
                TOKEN,
            )),
            ..HttpSettings::default()
        };
        let router = http::router(Arc::clone(&gateway), &settings);
        let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
        Self {
            server,
            _loader: loader,
            _dir: dir,
        }
    }

    async fn admin(&self, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables });
        admin_request(&self.server.base_url, TOKEN, &body).await
    }

    async fn publish(&self, client: &str, version: &str, manifest: &Value) -> Value {
        let query = "mutation($c: String!, $v: String!, $m: String!) { publishOperations(client: $c, version: $v, manifest: $m) { ok manifest { client version operationCount } problems { operation problems } } }";
        let variables = json!({ "c": client, "v": version, "m": manifest.to_string() });
        self.admin(query, variables).await["data"]["publishOperations"].clone()
    }

    async fn graphql(&self, body: Value) -> (u16, Value) {
        let (status, _, json) =
            parts(post(&self.server.url("/graphql"), body.to_string(), None).await).await;
        (status, json)
    }
}

async fn redis_store(server: &RedisServer, prefix: &str) -> Arc<dyn Store> {
    open_store(&StoreConfig {
        redis_url: Some(server.url()),
        data_dir: std::env::temp_dir(),
        prefix: prefix.to_string(),
    })
    .await
    .unwrap()
}

async fn start_redis() -> RedisServer {
    tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap()
}

/// An Apollo persisted query list of `bodies` (ids: their SHA-256).
fn apollo_manifest(bodies: &[&str]) -> Value {
    let operations: Vec<Value> = bodies
        .iter()
        .map(|body| json!({ "id": sha256_hex(body), "type": "query", "body": body }))
        .collect();
    json!({ "format": "apollo-persisted-query-manifest", "version": 1, "operations": operations })
}

fn typename() -> Value {
    json!({ "data": { "__typename": "Query" } })
}

/// Waits until `replica` serves `documentId` (the library is followed in
/// the background), at most 5 s; the last answer.
async fn until_served(replica: &Replica, id: &str) -> (u16, Value) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let answer = replica.graphql(json!({ "documentId": id })).await;
        if answer.0 == 200 || tokio::time::Instant::now() > deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_safelisted_client_runs_its_manifest_by_id_and_nothing_ad_hoc() {
    let redis = start_redis().await;
    let store = redis_store(&redis, "ops-safelist:").await;
    let first = Replica::start(Arc::clone(&store), SafelistMode::Refuse).await;
    let second = Replica::start(
        redis_store(&redis, "ops-safelist:").await,
        SafelistMode::Refuse,
    )
    .await;

    // Nothing is published: every operation is refused.
    let (status, body) = first.graphql(json!({ "query": PUBLISHED })).await;
    assert_eq!(
        (status, first_error_code(&body)),
        (400, "PERSISTED_QUERY_NOT_IN_LIST")
    );

    let published = first
        .publish("web", "1.4.0", &apollo_manifest(&[PUBLISHED]))
        .await;
    assert_eq!(published["ok"], true, "{published}");
    assert_eq!(published["manifest"]["operationCount"], 1);
    let id = sha256_hex(PUBLISHED);

    // Served by documentId on the other replica too (shared through Redis).
    assert_eq!(until_served(&second, &id).await, (200, typename()));
    assert_eq!(until_served(&first, &id).await, (200, typename()));
    // By extensions.persistedQuery, and by its exact text.
    let by_hash = json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": id } } });
    assert_eq!(second.graphql(by_hash).await, (200, typename()));
    assert_eq!(
        second.graphql(json!({ "query": PUBLISHED })).await,
        (200, typename())
    );
    // Over GET by documentId.
    let url = format!("{}?documentId={id}", second.server.url("/graphql"));
    let (status, _, body) = parts(get(&url, None).await).await;
    assert_eq!((status, body), (200, typename()));

    // Anything else is refused before it runs: another text, an APQ
    // registration of it, an unknown id, both query and documentId.
    for body in [
        json!({ "query": "query Other { __typename }" }),
        json!({ "query": "query Other { __typename }", "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256_hex("query Other { __typename }") } } }),
    ] {
        let (status, answer) = second.graphql(body).await;
        assert_eq!(
            (status, first_error_code(&answer)),
            (400, "PERSISTED_QUERY_NOT_IN_LIST"),
            "{answer}"
        );
    }
    let (status, answer) = second.graphql(json!({ "documentId": "no-such-id" })).await;
    assert_eq!(
        (status, first_error_code(&answer)),
        (400, "PERSISTED_QUERY_NOT_FOUND")
    );
    let (status, answer) = second
        .graphql(json!({ "documentId": id, "query": PUBLISHED }))
        .await;
    assert_eq!((status, first_error_code(&answer)), (400, "BAD_REQUEST"));

    // Removed: no longer served, on either replica.
    let removed = first
        .admin(
            "mutation { removeOperations(client: \"web\", version: \"1.4.0\") }",
            json!({}),
        )
        .await;
    assert_eq!(removed["data"]["removeOperations"], true, "{removed}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let (status, answer) = second.graphql(json!({ "documentId": id })).await;
        if status == 400 {
            assert_eq!(first_error_code(&answer), "PERSISTED_QUERY_NOT_FOUND");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "still served after removal"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_safelist_ad_hoc_operations_run_and_ids_are_served() {
    let redis = start_redis().await;
    for mode in [SafelistMode::Off, SafelistMode::Log] {
        let prefix = format!("ops-{mode:?}:");
        let replica = Replica::start(redis_store(&redis, &prefix).await, mode).await;
        assert_eq!(
            replica
                .graphql(json!({ "query": "query Other { __typename }" }))
                .await,
            (200, typename())
        );
        let published = replica
            .publish("ios", "2.0.0", &apollo_manifest(&[PUBLISHED]))
            .await;
        assert_eq!(published["ok"], true, "{published}");
        assert_eq!(
            until_served(&replica, &sha256_hex(PUBLISHED)).await,
            (200, typename())
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manifest_is_refused_whole_with_each_problem_named() {
    let redis = start_redis().await;
    let replica =
        Replica::start(redis_store(&redis, "ops-refused:").await, SafelistMode::Off).await;
    let invalid = "query Bad { noSuchField }";
    let manifest = apollo_manifest(&[PUBLISHED, invalid]);
    let refused = replica.publish("web", "1.0.0", &manifest).await;
    assert_eq!(refused["ok"], false, "{refused}");
    assert_eq!(refused["manifest"], Value::Null);
    let problems = refused["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{refused}");
    assert_eq!(problems[0]["operation"], sha256_hex(invalid));
    assert!(
        problems[0]["problems"][0]
            .as_str()
            .unwrap()
            .contains("noSuchField"),
        "{refused}"
    );
    // Nothing of it was published.
    let list = replica
        .admin("{ operationManifests { client } }", json!({}))
        .await;
    assert_eq!(list["data"]["operationManifests"], json!([]));

    // An id may not name another text in another client's manifest.
    let relay = json!({ "q1": PUBLISHED });
    assert_eq!(replica.publish("relay-app", "1", &relay).await["ok"], true);
    let clash = json!({ "q1": "query Other { __typename }" });
    let refused = replica.publish("other-app", "1", &clash).await;
    assert_eq!(refused["ok"], false, "{refused}");
    let message = refused["problems"][0]["problems"][0].as_str().unwrap();
    assert!(message.contains("relay-app"), "{message}");
    // The same client version may be published again (replaced).
    let again = json!({ "q1": PUBLISHED, "q2": "query Other { __typename }" });
    let replaced = replica.publish("relay-app", "1", &again).await;
    assert_eq!(replaced["manifest"]["operationCount"], 2, "{replaced}");
    let shown = replica
        .admin(
            "{ operationManifest(client: \"relay-app\", version: \"1\") { operations { id body } } }",
            json!({}),
        )
        .await;
    let operations = shown["data"]["operationManifest"]["operations"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(operations, 2, "{shown}");
    // Not a manifest at all: a GraphQL error with its code.
    let query =
        "mutation { publishOperations(client: \"x\", version: \"1\", manifest: \"[]\") { ok } }";
    let answer = replica.admin(query, json!({})).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subgraph_check_names_the_published_operations_it_would_break() {
    let redis = start_redis().await;
    let replica = Replica::start(redis_store(&redis, "ops-check:").await, SafelistMode::Off).await;
    let published = replica
        .publish("web", "1.0.0", &apollo_manifest(&[TOP]))
        .await;
    assert_eq!(published["ok"], true, "{published}");
    let products = junction_subgraphs::sdl("products").unwrap();
    let check = "mutation($sdl: String!) { checkSubgraph(name: \"products\", url: \"http://127.0.0.1:1/graphql\", sdl: $sdl) { ok breaking brokenOperations { client version id name problems } } }";

    let fine = replica.admin(check, json!({ "sdl": products })).await;
    assert_eq!(
        fine["data"]["checkSubgraph"]["brokenOperations"],
        json!([]),
        "{fine}"
    );

    let renamed = products.replace("topProducts", "bestProducts");
    let breaking = replica.admin(check, json!({ "sdl": renamed })).await;
    let result = &breaking["data"]["checkSubgraph"];
    assert_eq!(result["ok"], true, "{breaking}");
    assert_eq!(result["breaking"], true);
    let broken = &result["brokenOperations"][0];
    assert_eq!(broken["client"], "web");
    assert_eq!(broken["version"], "1.0.0");
    assert_eq!(broken["id"], sha256_hex(TOP));
    assert!(
        broken["problems"][0]
            .as_str()
            .unwrap()
            .contains("topProducts"),
        "{breaking}"
    );
}

#[tokio::test]
async fn the_command_line_publishes_lists_and_checks_on_the_embedded_store() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("store");
    let data = data_dir.to_str().unwrap();
    let products = dir.path().join("products.graphql");
    std::fs::write(&products, junction_subgraphs::sdl("products").unwrap()).unwrap();
    let (code, _, stderr) = run(&[
        "subgraph",
        "publish",
        "--name",
        "products",
        "--url",
        "http://127.0.0.1:1/graphql",
        "--schema",
        products.to_str().unwrap(),
        "--data-dir",
        data,
    ])
    .await;
    assert_eq!(code, 0, "{stderr}");

    let manifest = dir.path().join("manifest.json");
    std::fs::write(&manifest, apollo_manifest(&[TOP]).to_string()).unwrap();
    let manifest = manifest.to_str().unwrap();
    let publish = [
        "operations",
        "publish",
        "--client",
        "web",
        "--version",
        "1.4.0",
        manifest,
        "--data-dir",
        data,
    ];
    let (code, stdout, stderr) = run(&publish).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("published 1 operation(s) for web 1.4.0"),
        "{stdout}"
    );

    let (code, stdout, _) = run(&["operations", "list", "--data-dir", data]).await;
    assert_eq!(code, 0);
    assert!(
        stdout.contains("web") && stdout.contains("1.4.0"),
        "{stdout}"
    );

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, apollo_manifest(&["query Bad { nope }"]).to_string()).unwrap();
    let (code, _, stderr) = run(&[
        "operations",
        "publish",
        "--client",
        "web",
        "--version",
        "1.5.0",
        bad.to_str().unwrap(),
        "--data-dir",
        data,
    ])
    .await;
    assert_eq!(code, 1);
    assert!(stderr.contains("nope"), "{stderr}");

    let renamed = dir.path().join("renamed.graphql");
    let sdl = junction_subgraphs::sdl("products")
        .unwrap()
        .replace("topProducts", "bestProducts");
    std::fs::write(&renamed, sdl).unwrap();
    let (code, stdout, stderr) = run(&[
        "subgraph",
        "check",
        "--name",
        "products",
        "--url",
        "http://127.0.0.1:1/graphql",
        "--schema",
        renamed.to_str().unwrap(),
        "--data-dir",
        data,
    ])
    .await;
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("BREAKS   web 1.4.0"), "{stdout}");
    assert!(
        stderr.contains("breaks 1 published client operation"),
        "{stderr}"
    );
}
