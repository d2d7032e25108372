//! The subgraph registry end to end: replicas of Junction following one
//! store (a private redis-server, or the embedded file), publishing through
//! the admin API, live switching under load, store outages, refused
//! compositions, concurrent publishes, history and rollback, and the
//! embedded store surviving a restart of the `junction` process.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use junction::admin;
use junction::compose::SubgraphInput;
use junction::execute::ProbeSettings;
use junction::http::{self, AdminEndpoint, HttpSettings};
use junction::loader::{Loader, SupergraphSource};
use junction::pipeline::{Gateway, GatewaySettings};
use junction::registry::{ChangeOutcome, Registry, RegistryError};
use junction::store::{open_store, Store, StoreConfig};
use junction_subgraphs::{DemoSubgraphs, SUBGRAPH_NAMES};
use serde_json::{json, Value};

use crate::common::fixture_subgraph::{FixtureServer, Subgraph};
use crate::common::redis_server::RedisServer;
use crate::common::{client, JunctionProcess, TestServer};

const TOKEN: &str = "registry-test-admin-token";
const TOP_PRODUCTS: &str = "{ topProducts { name } }";

/// One Junction replica: its own store connection, following the registry,
/// the admin API on.
struct Replica {
    server: TestServer,
    _loader: Loader,
}

impl Replica {
    async fn start(store: Arc<dyn Store>) -> Self {
        let registry = Registry::new(store);
        let gateway = Arc::new(Gateway::new(GatewaySettings::default()));
        let no_probes = ProbeSettings {
            interval: Duration::ZERO,
            ..ProbeSettings::default()
        };
        let source = SupergraphSource::Registry(registry.clone());
        let loader = Loader::start(Arc::clone(&gateway), source, no_probes).unwrap();
        let settings = HttpSettings {
            admin: Some(AdminEndpoint::new(admin::schema(registry), TOKEN)),
            ..HttpSettings::default()
        };
        let router = http::router(Arc::clone(&gateway), &settings);
        let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
        Self {
            server,
            _loader: loader,
        }
    }

    /// `data` of `query`, or `None` if the request failed in any way.
    async fn data(&self, query: &str) -> Option<Value> {
        let response = client()
            .post(self.server.url("/graphql"))
            .json(&json!({ "query": query }))
            .send()
            .await
            .ok()?;
        if response.status() != 200 {
            return None;
        }
        let body: Value = response.json().await.ok()?;
        if body.get("errors").is_some() {
            return None;
        }
        body.get("data").filter(|d| !d.is_null()).cloned()
    }

    /// Runs an admin API operation with the token; the whole response body.
    async fn admin(&self, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables });
        crate::common::admin_request(&self.server.base_url, TOKEN, &body).await
    }

    async fn publish(&self, name: &str, url: &str, sdl: &str) -> Value {
        let query = "mutation($name: String!, $url: String!, $sdl: String!) { publishSubgraph(name: $name, url: $url, sdl: $sdl) { ok changed supergraph { id } errors { code message locations } } }";
        let body = self
            .admin(query, json!({ "name": name, "url": url, "sdl": sdl }))
            .await;
        body["data"]["publishSubgraph"].clone()
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

/// The demo subgraphs at their in-process URLs.
fn demo_inputs(subgraphs: &DemoSubgraphs) -> Vec<SubgraphInput> {
    SUBGRAPH_NAMES
        .iter()
        .map(|name| SubgraphInput {
            name: name.to_string(),
            url: subgraphs.url(name),
            sdl: junction_subgraphs::sdl(name).unwrap(),
        })
        .collect()
}

/// A subgraph adding `Query.hello`, answered "world".
async fn greetings() -> FixtureServer {
    // GREETINGS_SDL in the supergraph's terms, for the fixture to validate
    // requests against.
    let types = "type Query @join__type(graph: GREETINGS) { hello: String }";
    FixtureServer::start(
        types,
        vec![Subgraph::new("greetings").root("Query.hello", |_| json!("world"))],
    )
    .await
}

const GREETINGS_SDL: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])
type Query { hello: String }"#;

/// Polls `check` until it holds, for at most `limit`; false if it never
/// did. For what the test cannot wait on directly: a replica catching up
/// with Redis (another process), a health probe's verdict.
async fn eventually<F, Fut>(limit: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let polled = async {
        while !check().await {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(limit, polled).await.is_ok()
}

/// Queries both replicas from several tasks until stopped.
struct Load {
    stop: Arc<AtomicBool>,
    /// Queries answered so far, for waiting on the load's progress.
    done: tokio::sync::watch::Receiver<usize>,
    failed: Arc<AtomicUsize>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(replicas: [Arc<Replica>; 2]) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let (progress, done) = tokio::sync::watch::channel(0);
        let progress = Arc::new(progress);
        let failed = Arc::new(AtomicUsize::new(0));
        let tasks = (0..8)
            .map(|worker| {
                let replica = Arc::clone(&replicas[worker % 2]);
                let (stop, failed) = (Arc::clone(&stop), Arc::clone(&failed));
                let progress = Arc::clone(&progress);
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        if replica.data(TOP_PRODUCTS).await.is_none() {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                        progress.send_modify(|done| *done += 1);
                    }
                })
            })
            .collect();
        Self {
            stop,
            done,
            failed,
            tasks,
        }
    }

    /// Waits until `more` queries have been answered after this call.
    async fn answered(&mut self, more: usize) {
        let target = *self.done.borrow() + more;
        let reached = self.done.wait_for(|done| *done >= target);
        tokio::time::timeout(Duration::from_secs(30), reached)
            .await
            .expect("the load makes no progress")
            .unwrap();
    }

    /// Stops the load: (queries sent, queries failed).
    async fn stop(self) -> (usize, usize) {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            task.await.unwrap();
        }
        let sent = *self.done.borrow();
        (sent, self.failed.load(Ordering::Relaxed))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_switch_to_a_published_change_within_a_second_without_failed_requests() {
    let redis = RedisServer::start();
    let demo = junction_subgraphs::spawn("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let greetings = greetings().await;
    let seeder = Registry::new(redis_store(&redis, "live:").await);
    seeder
        .publish_many(demo_inputs(&demo), "test")
        .await
        .unwrap();

    let a = Arc::new(Replica::start(redis_store(&redis, "live:").await).await);
    let b = Arc::new(Replica::start(redis_store(&redis, "live:").await).await);
    for replica in [&a, &b] {
        let ready = eventually(Duration::from_secs(5), || async {
            replica.data(TOP_PRODUCTS).await.is_some()
        })
        .await;
        assert!(ready, "a replica never served the registry's supergraph");
    }
    // Before the change, `hello` is not in the schema.
    assert!(a.data("{ hello }").await.is_none());

    let mut load = Load::start([Arc::clone(&a), Arc::clone(&b)]);
    load.answered(50).await;

    let published = a
        .publish("greetings", &greetings.url("greetings"), GREETINGS_SDL)
        .await;
    assert_eq!(published["ok"], true, "{published}");
    assert_eq!(published["changed"], true, "{published}");
    // This test's claim is a time: both replicas answer the new field
    // within a second of the publish returning (the store's notification
    // carries the change; the followers' once-a-second check is only the
    // fallback). Kept as the bound of the wait for that event.
    let switched = eventually(Duration::from_secs(1), || async {
        a.data("{ hello }").await == Some(json!({ "hello": "world" }))
            && b.data("{ hello }").await == Some(json!({ "hello": "world" }))
    })
    .await;
    assert!(
        switched,
        "the replicas did not both answer the new field within 1 s of the publish"
    );

    load.answered(50).await;
    let (sent, failed) = load.stop().await;
    println!("{sent} queries during the switch, {failed} failed");
    assert_eq!(
        failed, 0,
        "{failed} of {sent} queries failed during the switch"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_keep_serving_through_a_redis_outage_and_follow_a_publish_after_it() {
    let mut redis = RedisServer::start();
    let demo = junction_subgraphs::spawn("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let greetings = greetings().await;
    Registry::new(redis_store(&redis, "outage:").await)
        .publish_many(demo_inputs(&demo), "test")
        .await
        .unwrap();
    let a = Replica::start(redis_store(&redis, "outage:").await).await;
    let b = Replica::start(redis_store(&redis, "outage:").await).await;
    for replica in [&a, &b] {
        assert!(
            eventually(Duration::from_secs(5), || async {
                replica.data(TOP_PRODUCTS).await.is_some()
            })
            .await
        );
    }

    redis.stop();
    // Queries through the outage, spread over two seconds: not to wait for
    // anything, but so that the followers' once-a-second checks find the
    // store unreachable meanwhile, which must not change what they serve.
    for _ in 0..20 {
        for replica in [&a, &b] {
            assert!(
                replica.data(TOP_PRODUCTS).await.is_some(),
                "a query failed during the outage"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let ready = client().get(a.server.url("/ready")).send().await.unwrap();
    assert_eq!(
        ready.status(),
        200,
        "a replica with a supergraph stays ready"
    );

    // The restarted Redis keeps nothing (no persistence): publish everything again.
    redis.restart();
    let mut inputs = demo_inputs(&demo);
    inputs.push(SubgraphInput {
        name: "greetings".into(),
        url: greetings.url("greetings"),
        sdl: GREETINGS_SDL.into(),
    });
    let publisher = Registry::new(redis_store(&redis, "outage:").await);
    publisher.publish_many(inputs, "test").await.unwrap();
    for replica in [&a, &b] {
        let followed = eventually(Duration::from_secs(5), || async {
            replica.data("{ hello }").await == Some(json!({ "hello": "world" }))
        })
        .await;
        assert!(followed, "a replica missed the publish after the outage");
    }
}

#[tokio::test]
async fn a_publish_that_breaks_composition_is_refused_and_changes_nothing() {
    let redis = RedisServer::start();
    let demo = junction_subgraphs::spawn("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    Registry::new(redis_store(&redis, "refused:").await)
        .publish_many(demo_inputs(&demo), "test")
        .await
        .unwrap();
    let a = Replica::start(redis_store(&redis, "refused:").await).await;
    assert!(
        eventually(Duration::from_secs(5), || async {
            a.data(TOP_PRODUCTS).await.is_some()
        })
        .await
    );
    let before = a
        .admin("{ supergraph { id } supergraphHistory { id } }", json!({}))
        .await;

    // `Product.name` is a String elsewhere and not shareable.
    let broken = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Product @key(fields: "upc") { upc: String! name: Int }"#;
    let result = a
        .publish("broken", "http://127.0.0.1:9/graphql", broken)
        .await;
    assert_eq!(result["ok"], false, "{result}");
    assert_eq!(result["changed"], false);
    let codes: Vec<&str> = result["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert!(
        codes
            .iter()
            .any(|c| ["INVALID_FIELD_SHARING", "FIELD_TYPE_MISMATCH"].contains(c)),
        "{result}"
    );
    let after = a
        .admin("{ supergraph { id } supergraphHistory { id } }", json!({}))
        .await;
    assert_eq!(before, after, "a refused publish changed the registry");
    assert!(a.data(TOP_PRODUCTS).await.is_some());
}

#[tokio::test]
async fn the_admin_api_needs_the_token() {
    let redis = RedisServer::start();
    let a = Replica::start(redis_store(&redis, "token:").await).await;
    for token in [None, Some("wrong-token-wrong-token")] {
        let mut request = client()
            .post(a.server.url("/admin/graphql"))
            .json(&json!({ "query": "{ subgraphs { name } }" }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
    let ok = a.admin("{ subgraphs { name } }", json!({})).await;
    assert_eq!(ok, json!({ "data": { "subgraphs": [] } }));
    // Nothing published yet: not ready.
    let ready = client().get(a.server.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_publishes_from_two_replicas_lose_nothing() {
    let redis = RedisServer::start();
    let first = Registry::new(redis_store(&redis, "race:").await);
    let second = Registry::new(redis_store(&redis, "race:").await);
    let mut tasks = Vec::new();
    for i in 0..12 {
        let registry = if i % 2 == 0 {
            first.clone()
        } else {
            second.clone()
        };
        tasks.push(tokio::spawn(async move {
            let input = SubgraphInput {
                name: format!("s{i}"),
                url: format!("http://127.0.0.1:9/s{i}"),
                sdl: format!("type Query {{ f{i}: Int }}"),
            };
            registry.publish(input, "race").await
        }));
    }
    for task in tasks {
        let outcome = task.await.unwrap().unwrap();
        assert!(matches!(outcome, ChangeOutcome::Changed(_)));
    }
    let names = subgraph_names(&first).await;
    let mut expected: Vec<String> = (0..12).map(|i| format!("s{i}")).collect();
    expected.sort();
    assert_eq!(names, expected);
    assert_eq!(first.history(100).await.unwrap().len(), 12);
    let current = first.current().await.unwrap().unwrap();
    for i in 0..12 {
        assert!(current.sdl.contains(&format!("f{i}: Int")), "f{i} lost");
    }
}

#[tokio::test]
async fn history_check_remove_and_rollback() {
    let dir = tempfile::tempdir().unwrap();
    let store = crate::common::embedded_store(dir.path()).await;
    let registry = Registry::new(store);
    let sdl = |fields: &str| format!("type Query {{ {fields} }}");
    let input = |name: &str, fields: &str| SubgraphInput {
        name: name.into(),
        url: format!("http://127.0.0.1:9/{name}"),
        sdl: sdl(fields),
    };
    let first = registry.publish(input("a", "x: Int"), "t").await.unwrap();
    let first_id = first.supergraph().unwrap().summary.id.clone();
    // The same schema again: no new version.
    let again = registry.publish(input("a", "x: Int"), "t").await.unwrap();
    assert!(matches!(again, ChangeOutcome::Unchanged(Some(_))));
    registry
        .publish(input("b", "y: String"), "t")
        .await
        .unwrap();

    let report = registry
        .check(input("a", "x: String z(n: Int!): Int"))
        .await
        .unwrap();
    assert!(report.errors.is_empty());
    let changes: Vec<(String, bool)> = report
        .changes
        .iter()
        .map(|c| (c.coordinate.clone(), c.breaking))
        .collect();
    assert_eq!(
        changes,
        vec![("Query.x".into(), true), ("Query.z".into(), false)]
    );
    let failing = registry.check(input("c", "x: String")).await.unwrap();
    assert!(
        failing
            .errors
            .iter()
            .any(|e| e.code == "FIELD_TYPE_MISMATCH"),
        "{:?}",
        failing.errors
    );

    let removed = registry.remove("b", "t").await.unwrap();
    assert!(!removed.supergraph().unwrap().sdl.contains("y: String"));
    assert!(matches!(
        registry.remove("b", "t").await,
        Err(RegistryError::NotFound(_))
    ));
    assert!(matches!(
        registry.remove("a", "t").await,
        Err(RegistryError::Invalid(_))
    ));
    let history: Vec<String> = registry
        .history(10)
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.change)
        .collect();
    assert_eq!(history, vec!["remove b", "publish b", "publish a"]);

    registry
        .publish(input("b", "y: String"), "t")
        .await
        .unwrap();
    let rolled = registry.rollback(&first_id, "t").await.unwrap();
    assert!(matches!(rolled, ChangeOutcome::Changed(_)));
    let names = subgraph_names(&registry).await;
    assert_eq!(names, vec!["a"]);
    assert_eq!(registry.current_id().await.unwrap(), Some(first_id.clone()));
    assert!(matches!(
        registry.rollback("nope", "t").await,
        Err(RegistryError::NotFound(_))
    ));
}

/// `junction serve --registry` on the embedded store: what is published
/// through its admin API is served again after the process restarts.
#[tokio::test]
async fn the_embedded_registry_survives_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let greetings = greetings().await;
    let args = [
        "serve",
        "--registry",
        "--listen",
        "127.0.0.1:0",
        "--data-dir",
        data.path().to_str().unwrap(),
    ];
    let env = [("JUNCTION_ADMIN_TOKEN", TOKEN)];

    let mut first = JunctionProcess::spawn_with_env(&args, &env);
    let base = first.base_url().await;
    let not_ready = client().get(format!("{base}/ready")).send().await.unwrap();
    assert_eq!(not_ready.status(), 503);
    let publish = json!({
        "query": "mutation($url: String!, $sdl: String!) { publishSubgraph(name: \"greetings\", url: $url, sdl: $sdl) { ok } }",
        "variables": { "url": greetings.url("greetings"), "sdl": GREETINGS_SDL },
    });
    let published = crate::common::admin_request(&base, TOKEN, &publish).await;
    assert_eq!(
        published["data"]["publishSubgraph"]["ok"], true,
        "{published}"
    );
    first
        .wait_for_line("supergraph from the registry loaded")
        .await;
    first.terminate().await;
    first.wait_for_line("stopped").await;
    let _ = first.child.wait().await;

    let mut second = JunctionProcess::spawn_with_env(&args, &env);
    let base = second.base_url().await;
    // The stored supergraph may be loaded before "listening on" is logged.
    second
        .wait_for_line_read_or_coming("supergraph from the registry loaded")
        .await;
    assert_eq!(
        ask_hello(&base).await,
        json!({ "data": { "hello": "world" } })
    );
    let query = json!({ "query": "{ subgraphs { name } supergraphHistory { change } }" });
    let history = crate::common::admin_request(&base, TOKEN, &query).await;
    assert_eq!(
        history["data"],
        json!({ "subgraphs": [{ "name": "greetings" }], "supergraphHistory": [{ "change": "publish greetings" }] })
    );
    second.terminate().await;
}

/// `junction subgraph …` against the embedded store directly and against a
/// replica's admin API: same results, exit status 1 when composition fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_subgraph_command_publishes_checks_lists_and_removes() {
    let dir = tempfile::tempdir().unwrap();
    let schema = |name: &str, fields: &str| {
        let path = dir.path().join(format!("{name}.graphql"));
        std::fs::write(&path, format!("type Query {{ {fields} }}")).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (a, b) = (schema("a", "x: Int"), schema("b", "y: String"));
    let (a_changed, clash) = (schema("a2", "x: String"), schema("c", "y: Int"));
    let url = "http://127.0.0.1:9/graphql";
    let store = format!("--data-dir {}", dir.path().join("data").display());

    let (code, out, err) = junction(format!(
        "subgraph publish --name a --url {url} --schema {a} {store}"
    ))
    .await;
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("is now current"), "{out}");
    let (code, out, _) = junction(format!(
        "subgraph publish --name a --url {url} --schema {a} {store}"
    ))
    .await;
    assert_eq!(code, 0);
    assert!(out.contains("nothing changed"), "{out}");
    let (code, _, err) = junction(format!(
        "subgraph publish --name b --url {url} --schema {b} {store}"
    ))
    .await;
    assert_eq!(code, 0, "{err}");

    let (code, out, _) = junction(format!(
        "subgraph check --name a --url {url} --schema {a_changed} {store} --json"
    ))
    .await;
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["breaking"], true);
    assert_eq!(report["changes"][0]["coordinate"], "Query.x");
    let (code, out, err) = junction(format!(
        "subgraph check --name a --url {url} --schema {a_changed} {store} --fail-on-breaking"
    ))
    .await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("BREAKING"), "{out}");
    assert!(err.contains("could break existing clients"), "{err}");

    let (code, _, err) = junction(format!(
        "subgraph publish --name c --url {url} --schema {clash} {store}"
    ))
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("FIELD_TYPE_MISMATCH"), "{err}");
    assert!(err.contains("do not compose"), "{err}");

    let (code, out, _) = junction(format!("subgraph remove --name b {store}")).await;
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = junction(format!("subgraph list {store}")).await;
    assert_eq!(code, 0);
    let names: Vec<&str> = out
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, vec!["a"]);

    // The same through a running replica's admin API.
    let redis = RedisServer::start();
    let replica = Replica::start(redis_store(&redis, "cli:").await).await;
    let admin = format!("--admin {} --token {TOKEN}", replica.server.base_url);
    let (code, _, err) = junction(format!(
        "subgraph publish --name b --url {url} --schema {b} {admin}"
    ))
    .await;
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = junction(format!("subgraph list {admin} --json")).await;
    assert_eq!(code, 0);
    let listed: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(listed[0]["name"], "b");
    assert_eq!(listed[0]["updatedBy"], "admin token");
    let wrong = format!(
        "--admin {} --token not-the-token-at-all",
        replica.server.base_url
    );
    let (code, _, err) = junction(format!("subgraph list {wrong}")).await;
    assert_eq!(code, 1);
    assert!(err.contains("UNAUTHENTICATED"), "{err}");
}

/// Runs `junction` with whitespace-separated arguments (none contains a space).
async fn junction(args: String) -> (i32, String, String) {
    let args: Vec<&str> = args.split_whitespace().collect();
    crate::common::run(&args).await
}

/// A subgraph nobody answers for is probed unhealthy: `/health/subgraphs`
/// says so (the details to the admin token only) and its requests fail at
/// once with SUBGRAPH_REQUEST_FAILED, while the healthy subgraph keeps
/// answering.
#[tokio::test]
async fn unhealthy_subgraphs_fail_fast_and_are_reported() {
    let greetings = greetings().await;
    // A port with nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let down_url = format!("http://{}/down", closed.local_addr().unwrap());
    drop(closed);
    let supergraph = junction::compose::compose(&[
        SubgraphInput {
            name: "greetings".into(),
            url: greetings.url("greetings"),
            sdl: GREETINGS_SDL.into(),
        },
        SubgraphInput {
            name: "down".into(),
            url: down_url,
            sdl: "type Query { gone: String }".into(),
        },
    ])
    .unwrap();
    let gateway = Arc::new(Gateway::new(GatewaySettings::default()));
    gateway.load_supergraph(&supergraph).unwrap();
    // The probe rounds it takes to be unhealthy (the loader runs them periodically).
    for _ in 0..junction::execute::FAILURES_BEFORE_UNHEALTHY {
        gateway
            .probe_subgraphs(&junction::execute::ProbeSettings::default())
            .await;
    }
    let dir = tempfile::tempdir().unwrap();
    let store = crate::common::embedded_store(dir.path()).await;
    let settings = HttpSettings {
        admin: Some(AdminEndpoint::new(
            admin::schema(Registry::new(store)),
            TOKEN,
        )),
        ..HttpSettings::default()
    };
    let router = http::router(Arc::clone(&gateway), &settings);
    let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;

    // The probes report through the health endpoint only: polled.
    let reported = eventually(Duration::from_secs(5), || async {
        let body: Value = client()
            .get(server.url("/health/subgraphs"))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["subgraphs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == "down" && s["healthy"] == false)
    })
    .await;
    assert!(reported, "the down subgraph was never reported unhealthy");
    let anonymous: Value = client()
        .get(server.url("/health/subgraphs"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        anonymous,
        json!({ "status": "degraded" }),
        "no names or failures without the admin token"
    );

    let body: Value = client()
        .post(server.url("/graphql"))
        .json(&json!({ "query": "{ gone hello }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        body["data"],
        json!({ "gone": null, "hello": "world" }),
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "SUBGRAPH_REQUEST_FAILED"
    );
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("'down'") && message.contains("unhealthy"),
        "{message}"
    );
}

/// `junction serve --registry` whose Redis is down at start: it serves
/// (not ready) instead of exiting, and follows the registry once Redis
/// answers.
#[tokio::test]
async fn a_replica_started_while_redis_is_down_catches_up_when_it_returns() {
    let mut redis = RedisServer::start();
    redis.stop();
    let greetings = greetings().await;
    let url = redis.url();
    let mut junction = JunctionProcess::spawn(&[
        "serve",
        "--registry",
        "--redis",
        &url,
        "--listen",
        "127.0.0.1:0",
    ]);
    let base = junction.base_url().await;
    let ready = client().get(format!("{base}/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 503);

    redis.restart();
    let publisher = Registry::new(redis_store(&redis, "junction:").await);
    let input = SubgraphInput {
        name: "greetings".into(),
        url: greetings.url("greetings"),
        sdl: GREETINGS_SDL.into(),
    };
    publisher.publish(input, "test").await.unwrap();
    junction
        .wait_for_line("supergraph from the registry loaded")
        .await;
    assert_eq!(
        ask_hello(&base).await,
        json!({ "data": { "hello": "world" } })
    );
    junction.terminate().await;
}

/// The response of `{ hello }` from the Junction at `base`.
async fn ask_hello(base: &str) -> Value {
    client()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": "{ hello }" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The names of the registered subgraphs.
async fn subgraph_names(registry: &Registry) -> Vec<String> {
    let list = registry.list().await.unwrap();
    list.into_iter().map(|s| s.name).collect()
}
