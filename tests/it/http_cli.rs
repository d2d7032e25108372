//! The `junction` binary end to end: `serve` with a config file, hot reload of
//! the supergraph file and SIGTERM; `dev`; `plan`; start-up errors.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::*;

const TOP_PRODUCTS: &str = r#"{"query":"{ topProducts { upc } }"}"#;

async fn status_of(url: &str, body: &str) -> u16 {
    post(url, body.to_string(), None).await.status().as_u16()
}

async fn wait_for_exit(process: &mut JunctionProcess) -> std::process::ExitStatus {
    tokio::time::timeout(Duration::from_secs(30), process.child.wait())
        .await
        .expect("junction did not exit within 30 s")
        .unwrap()
}

#[tokio::test]
async fn serve_reloads_a_valid_supergraph_keeps_the_old_one_on_errors_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let supergraph = dir.path().join("supergraph.graphql");
    std::fs::write(&supergraph, COUNTER_SUPERGRAPH).unwrap();
    let config = dir.path().join("junction.yaml");
    // Nothing listens on port 9: the demo subgraphs' fetches fail fast.
    std::fs::write(
        &config,
        "listen: 127.0.0.1:0\nsupergraph: supergraph.graphql\nsubgraph_urls:\n  products: http://127.0.0.1:9/products\n",
    )
    .unwrap();

    let mut junction = JunctionProcess::spawn(&["serve", "--config", config.to_str().unwrap()]);
    let graphql = format!("{}/graphql", junction.base_url().await);
    // The counter supergraph has no topProducts: a validation error.
    assert_eq!(status_of(&graphql, TOP_PRODUCTS).await, 400);

    save(&supergraph, DEMO_SUPERGRAPH);
    junction.wait_for_line("supergraph reloaded").await;
    // Now it validates; the subgraph is unreachable, so data is null with an error.
    let (status, _, body) = parts(post(&graphql, TOP_PRODUCTS, None).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"], json!({ "topProducts": null }));
    assert_eq!(first_error_code(&body), "SUBGRAPH_REQUEST_FAILED");

    save(&supergraph, "type Query {");
    junction
        .wait_for_line("the new supergraph is invalid")
        .await;
    assert_eq!(
        status_of(&graphql, TOP_PRODUCTS).await,
        200,
        "the old supergraph serves"
    );

    junction.terminate().await;
    junction.wait_for_line("received SIGTERM").await;
    junction.wait_for_line("stopped").await;
    assert!(wait_for_exit(&mut junction).await.success());
}

#[tokio::test]
async fn dev_serves_the_heavy_query_over_the_demo_subgraphs() {
    let data = tempfile::tempdir().unwrap();
    let token = "dev-token-for-this-test-0123456789";
    let mut junction = JunctionProcess::spawn_with_env(
        &[
            "dev",
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            data.path().to_str().unwrap(),
        ],
        &[
            ("JUNCTION_ADMIN_TOKEN", token),
            ("JUNCTION_ADMIN_EMAIL", "ops@example.com"),
            ("JUNCTION_ADMIN_PASSWORD", "a first admin password"),
        ],
    );
    let base = junction.base_url().await;
    let graphql = format!("{base}/graphql");
    let body = json!({ "query": HEAVY_QUERY }).to_string();
    let (status, _, body) = parts(post(&graphql, body, None).await).await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::from_str::<Value>(HEAVY_RESPONSE).unwrap());

    // The demo subgraphs were published into the embedded store's registry.
    let query = json!({ "query": "{ subgraphs { name } supergraph { change createdBy } }" });
    let listed = admin_request(&base, token, &query).await;
    assert_eq!(
        listed["data"]["subgraphs"],
        json!([{ "name": "accounts" }, { "name": "inventory" }, { "name": "products" }, { "name": "reviews" }])
    );
    assert_eq!(listed["data"]["supergraph"]["createdBy"], "junction dev");
    // The store had no user: the first admin was made from the environment.
    let users = admin_request(
        &base,
        token,
        &json!({ "query": "{ users { email roles createdBy } }" }),
    )
    .await;
    assert_eq!(
        users["data"]["users"],
        json!([{ "email": "ops@example.com", "roles": ["admin"], "createdBy": "junction dev" }])
    );
    assert!(data.path().join("junction.redb").exists());

    // Access control runs with the seed policy: an anonymous caller is a
    // viewer, who may not have birthdays; the first admin user may.
    let private = json!({ "query": "{ me { name birthday } }" }).to_string();
    let (status, _, anonymous) = parts(post(&graphql, private.clone(), None).await).await;
    assert_eq!(status, 200);
    assert_eq!(
        anonymous["data"]["me"]["birthday"],
        Value::Null,
        "{anonymous}"
    );
    assert_eq!(anonymous["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let login: Value = client()
        .post(format!("{base}/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", "ops@example.com"),
            ("password", "a first admin password"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap();
    let admin: Value = client()
        .post(&graphql)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(private)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(admin["data"]["me"]["birthday"].is_number(), "{admin}");
    assert!(admin.get("errors").is_none(), "{admin}");

    junction.terminate().await;
    assert!(wait_for_exit(&mut junction).await.success());
}

#[tokio::test]
async fn serve_without_a_supergraph_exits_with_a_hint() {
    let (code, _, stderr) = run(&["serve", "--listen", "127.0.0.1:0"]).await;
    assert_eq!(code, 1);
    assert!(
        stderr.contains("no supergraph: pass --supergraph FILE"),
        "{stderr}"
    );
}

#[tokio::test]
async fn serve_with_an_invalid_supergraph_exits_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let supergraph = dir.path().join("bad.graphql");
    std::fs::write(&supergraph, "type Query {").unwrap();
    let (code, _, stderr) = run(&["serve", "--supergraph", supergraph.to_str().unwrap()]).await;
    assert_eq!(code, 1);
    assert!(stderr.contains("invalid supergraph"), "{stderr}");
}

#[tokio::test]
async fn serve_refuses_an_unknown_config_key_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("junction.yaml");
    std::fs::write(&config, "listen: 127.0.0.1:0\nbody_limit: 10\n").unwrap();
    let (code, _, stderr) = run(&["serve", "--config", config.to_str().unwrap()]).await;
    assert_eq!(code, 1);
    assert!(stderr.contains("unknown field `body_limit`"), "{stderr}");
}

#[tokio::test]
async fn plan_prints_the_query_plan_as_text_and_json() {
    let args = [
        "plan",
        "--supergraph",
        "schema/supergraph.graphql",
        "--query",
        "tests/fixtures/heavy_query.graphql",
    ];
    let (code, text, stderr) = run(&args).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        text.contains("accounts") && text.contains("reviews"),
        "{text}"
    );

    let (code, json_text, stderr) = run(&[&args[..], &["--json"]].concat()).await;
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str::<Value>(&json_text).unwrap();
}

#[tokio::test]
async fn plan_cost_prints_the_estimated_cost() {
    let dir = tempfile::tempdir().unwrap();
    let query = dir.path().join("q.graphql");
    std::fs::write(
        &query,
        "{ topProducts(first: 5) { name reviews { body } } }",
    )
    .unwrap();
    let args = [
        "plan",
        "--supergraph",
        "schema/supergraph.graphql",
        "--query",
        query.to_str().unwrap(),
        "--cost",
    ];
    // No @listSize in the demo: 10 products × (1 + 10 reviews × 1).
    let (code, text, stderr) = run(&args).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(text.trim_end().ends_with("Estimated cost: 110"), "{text}");
    let (code, json_text, stderr) = run(&[&args[..], &["--json"]].concat()).await;
    assert_eq!(code, 0, "{stderr}");
    let both: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(both["cost"], 110);
    assert!(both["plan"].is_object(), "{both}");
}

#[tokio::test]
async fn plan_of_an_invalid_query_fails_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let query = dir.path().join("q.graphql");
    std::fs::write(&query, "{ noSuchField }").unwrap();
    let (code, stdout, stderr) = run(&[
        "plan",
        "--supergraph",
        "schema/supergraph.graphql",
        "--query",
        query.to_str().unwrap(),
    ])
    .await;
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert!(stderr.contains("noSuchField"), "{stderr}");
}

#[tokio::test]
async fn help_documents_flags_and_environment() {
    let (code, help, _) = run(&["serve", "--help"]).await;
    assert_eq!(code, 0);
    for needle in [
        "--config",
        "--supergraph",
        "--listen",
        "--subgraph-url",
        "JUNCTION_LISTEN",
        "127.0.0.1:4000",
    ] {
        assert!(
            help.contains(needle),
            "serve --help lacks {needle}:\n{help}"
        );
    }
}

#[tokio::test]
async fn serve_enforces_the_access_policy_of_its_config() {
    let dir = tempfile::tempdir().unwrap();
    let supergraph = dir.path().join("supergraph.graphql");
    std::fs::write(&supergraph, DEMO_SUPERGRAPH).unwrap();
    let policy = dir.path().join("policy.csv");
    std::fs::write(&policy, "# only me\np, viewer, *, Query.me, read\n").unwrap();
    let config = dir.path().join("junction.yaml");
    let yaml = format!(
        "access:\n  policy: {}\n  mode: reject\n  anonymous_role: viewer\n",
        policy.display()
    );
    std::fs::write(&config, yaml).unwrap();
    let mut junction = JunctionProcess::spawn(&[
        "serve",
        "--config",
        config.to_str().unwrap(),
        "--supergraph",
        supergraph.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    junction.wait_for_line("access control on").await;
    let base = junction.base_url().await;
    let graphql = format!("{base}/graphql");
    let body = json!({ "query": "{ users { name } }" }).to_string();
    let (status, _, refused) = parts(post(&graphql, body, None).await).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(
        refused["errors"][0]["message"],
        "Access to Query.users is denied."
    );

    // The file changed: the new rules decide (without a restart).
    std::fs::write(
        &policy,
        "p, viewer, *, Query.*, read\np, viewer, *, User.*, read\n",
    )
    .unwrap();
    junction.wait_for_line("access policy reloaded").await;
    let body = json!({ "query": "{ users { name } }" }).to_string();
    let (status, _, _) = parts(post(&graphql, body, None).await).await;
    assert_ne!(status, 403, "the reloaded policy allows it");
    // A broken file is not applied: the rules in force keep deciding.
    std::fs::write(&policy, "p, viewer\n").unwrap();
    junction.wait_for_line("was not reloaded").await;
    let body = json!({ "query": "{ users { name } }" }).to_string();
    let (status, _, _) = parts(post(&graphql, body, None).await).await;
    assert_ne!(status, 403);
    junction.terminate().await;
    assert!(wait_for_exit(&mut junction).await.success());

    std::fs::write(&policy, "p, viewer, *, Query.me\n").unwrap();
    let (code, _, stderr) = run(&[
        "serve",
        "--config",
        config.to_str().unwrap(),
        "--supergraph",
        supergraph.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 1);
    assert!(stderr.contains("policy line 1"), "{stderr}");
}
