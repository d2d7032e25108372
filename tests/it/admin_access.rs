//! Every admin API operation (registry, manifests, API keys, users, `me`,
//! signing keys, audit log, access rules), over HTTP, with a credential holding the
//! `admin` role (an API key) and with one that does not: the first runs
//! (or fails with the operation's own error code), the second is refused
//! with 403 `FORBIDDEN` before anything runs, and nothing changes.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::*;

const TOKEN: &str = "admin-access-test-token";

async fn server(dir: &std::path::Path) -> TestServer {
    admin_server(embedded_store(dir).await, TOKEN, None).await
}

async fn run(
    server: &TestServer,
    credential: &str,
    query: &str,
    variables: &Value,
) -> (u16, Value) {
    let response = client()
        .post(server.url("/admin/graphql"))
        .bearer_auth(credential)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn key_with(server: &TestServer, roles: Value) -> String {
    let create = "mutation($roles: [String!]!) { createApiKey(input: { name: \"k\", roles: $roles }) { key } }";
    let (_, body) = run(server, TOKEN, create, &json!({ "roles": roles })).await;
    body["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Each operation, its variables, and the error code an admin gets
/// (`None`: it runs without error).
fn operations(products: &str, key_id: &str) -> Vec<(&'static str, Value, Option<&'static str>)> {
    let manifest = json!({ "q1": "query Q { topProducts { name } }" }).to_string();
    vec![
        ("mutation($sdl: String!) { publishSubgraph(name: \"products\", url: \"http://127.0.0.1:1/graphql\", sdl: $sdl) { ok } }", json!({ "sdl": products }), None),
        ("mutation($sdl: String!) { checkSubgraph(name: \"products\", url: \"http://127.0.0.1:1/graphql\", sdl: $sdl) { ok breaking } }", json!({ "sdl": products }), None),
        ("{ subgraphs { name } }", json!({}), None),
        ("{ supergraph { id } }", json!({}), None),
        ("{ supergraphHistory(limit: 5) { id } }", json!({}), None),
        ("mutation { rollbackSupergraph(id: \"no-such-id\") { ok } }", json!({}), Some("NOT_FOUND")),
        ("mutation { removeSubgraph(name: \"products\") { ok } }", json!({}), Some("BAD_USER_INPUT")),
        ("mutation($m: String!) { publishOperations(client: \"web\", version: \"1\", manifest: $m) { ok } }", json!({ "m": manifest }), None),
        ("{ operationManifests { client } }", json!({}), None),
        ("{ operationManifest(client: \"web\", version: \"1\") { client } }", json!({}), None),
        ("mutation { removeOperations(client: \"web\", version: \"2\") }", json!({}), Some("NOT_FOUND")),
        ("{ apiKeys { id } }", json!({}), None),
        ("query($id: String!) { apiKey(id: $id) { id } }", json!({ "id": key_id }), None),
        ("mutation { createApiKey(input: { name: \"\" }) { key } }", json!({}), Some("BAD_USER_INPUT")),
        ("mutation($id: String!) { rotateApiKey(id: $id) { key } }", json!({ "id": key_id }), None),
        ("mutation { revokeApiKey(id: \"ffffffffffffffff\") { id } }", json!({}), Some("NOT_FOUND")),
        (
            "mutation { createUser(input: { email: \"ada@example.com\" }) { user { id } } }",
            json!({}),
            None,
        ),
        ("{ users(first: 5) { email } }", json!({}), None),
        ("{ user(id: \"u_none\") { id } }", json!({}), None),
        ("{ me { kind roles } }", json!({}), None),
        (
            "mutation { updateUser(id: \"u_none\", input: { roles: [] }) { id } }",
            json!({}),
            Some("NOT_FOUND"),
        ),
        (
            "mutation { setUserDisabled(id: \"u_none\", disabled: true) { id } }",
            json!({}),
            Some("NOT_FOUND"),
        ),
        (
            "mutation { resetUserPassword(id: \"u_none\") { password } }",
            json!({}),
            Some("NOT_FOUND"),
        ),
        ("mutation { deleteUser(id: \"u_none\") }", json!({}), Some("NOT_FOUND")),
        ("{ signingKeys { kid algorithm createdAt signing retiresAt } }", json!({}), None),
        ("mutation { rotateSigningKey { kid published } }", json!({}), None),
        ("{ auditLog(limit: 5) { entries { action } next } }", json!({}), None),
        ("mutation { addAccessRule(rule: \"p, viewer, *, Query.me, read\") { rule changed } }", json!({}), None),
        ("mutation { addAccessRule(rule: \"p, viewer, *, Query.me\") { rule } }", json!({}), Some("BAD_USER_INPUT")),
        ("{ accessRules { rule stored } }", json!({}), None),
        ("{ piiRules { coordinate } }", json!({}), None),
        ("{ checkAccess(roles: [\"viewer\"], object: \"Query.me\", action: \"read\") { allowed rules reason } }", json!({}), None),
        ("{ checkAccess(roles: [\"viewer\"], object: \"Query.me\", action: \"delete\") { allowed } }", json!({}), Some("BAD_USER_INPUT")),
        ("mutation { removeAccessRule(rule: \"p, viewer, *, Query.me, read\") { changed } }", json!({}), None),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_operation_runs_for_an_admin_and_is_forbidden_to_others() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path()).await;
    let admin_key = key_with(&server, json!(["admin"])).await;
    let viewer_key = key_with(&server, json!(["viewer", "editor"])).await;
    // A third key, for the operations on one key (read, rotated).
    key_with(&server, json!([])).await;
    let (_, keys) = run(&server, TOKEN, "{ apiKeys { id } }", &json!({})).await;
    let key_id = keys["data"]["apiKeys"][2]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let products = junction_subgraphs::sdl("products").unwrap();

    for (query, variables, expected) in operations(&products, &key_id) {
        let (status, body) = run(&server, &viewer_key, query, &variables).await;
        assert_eq!(
            (status, first_error_code(&body)),
            (403, "FORBIDDEN"),
            "{query}"
        );
        assert!(body.get("data").is_none(), "{query}: {body}");

        let (status, body) = run(&server, &admin_key, query, &variables).await;
        assert_eq!(status, 200, "{query}: {body}");
        let code = body["errors"][0]["extensions"]["code"].as_str();
        assert_eq!(code, expected, "{query}: {body}");
    }
    // Only the admin's publish went through.
    let (_, after) = run(
        &server,
        TOKEN,
        "{ operationManifests { client } }",
        &json!({}),
    )
    .await;
    assert_eq!(
        after["data"]["operationManifests"],
        json!([{ "client": "web" }])
    );
    // The first signing key and the admin's rotation's: two.
    let (_, keys) = run(&server, TOKEN, "{ signingKeys { kid } }", &json!({})).await;
    assert_eq!(keys["data"]["signingKeys"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn pii_rules_list_the_live_supergraphs_pii_fields() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path()).await;
    let query = "{ piiRules { coordinate kind strategy source } }";
    let (_, empty) = run(&server, TOKEN, query, &json!({})).await;
    assert_eq!(empty, json!({ "data": { "piiRules": [] } }));
    let publish = "mutation($sdl: String!) { publishSubgraph(name: \"accounts\", url: \"http://127.0.0.1:1/graphql\", sdl: $sdl) { ok } }";
    let sdl = junction_subgraphs::sdl("accounts").unwrap();
    let (_, published) = run(&server, TOKEN, publish, &json!({ "sdl": sdl })).await;
    assert_eq!(
        published["data"]["publishSubgraph"]["ok"], true,
        "{published}"
    );
    let (_, listed) = run(&server, TOKEN, query, &json!({})).await;
    assert_eq!(
        listed["data"]["piiRules"],
        json!([
            { "coordinate": "User.email", "kind": "EMAIL", "strategy": "MASK", "source": "schema" },
            { "coordinate": "User.phone", "kind": "PHONE", "strategy": "MASK", "source": "schema" },
        ]),
        "{listed}"
    );
}
