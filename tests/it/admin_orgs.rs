//! Org isolation in the admin API, over HTTP with a real Redis: two org
//! admins (API keys holding `admin` in `acme` and in `globex`) and global
//! admins (the bootstrap token, and an admin key of no org) against one
//! gateway. An org admin lists, reads and changes only its own org's
//! users, API keys, access rules and audit entries (another org's records
//! read as absent and are `NOT_FOUND` to a change, and are left as they
//! were), may not name another org (`FORBIDDEN`) nor change what every
//! org shares. Also: `updateApiKey` (new roles take effect within a
//! second) and `checkAccess` by subject.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use junction::access::StoredRules;
use junction::audit::{AuditLog, DEFAULT_MAX_ENTRIES};
use junction::store::Store;
use serde_json::{json, Value};

use crate::common::redis_server::RedisServer;
use crate::common::*;

const TOKEN: &str = "admin-orgs-test-admin-token";

/// One gateway over a private Redis, with an org admin key for `acme` and
/// one for `globex`, and a global admin key (no org).
struct Orgs {
    _redis: RedisServer,
    store: Arc<dyn Store>,
    server: TestServer,
    acme: String,
    globex: String,
    global: String,
}

async fn orgs() -> Orgs {
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let store = redis.store("admin-orgs-test:").await;
    let audit = AuditLog::new(Arc::clone(&store), DEFAULT_MAX_ENTRIES);
    let server = admin_server(Arc::clone(&store), TOKEN, Some(audit)).await;
    let mut orgs = Orgs {
        _redis: redis,
        store,
        server,
        acme: String::new(),
        globex: String::new(),
        global: String::new(),
    };
    orgs.acme = orgs.key(Some("acme"), &["admin"]).await.0;
    orgs.globex = orgs.key(Some("globex"), &["admin"]).await.0;
    orgs.global = orgs.key(None, &["admin"]).await.0;
    orgs
}

impl Orgs {
    /// The response body of `query` sent by `credential`.
    async fn ask(&self, credential: &str, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables });
        admin_request(&self.server.base_url, credential, &body).await
    }

    /// A key made by the bootstrap token: its text and id.
    async fn key(&self, org: Option<&str>, roles: &[&str]) -> (String, String) {
        let create = "mutation($org: String, $roles: [String!]!) { createApiKey(input: { name: \"k\", org: $org, roles: $roles }) { key apiKey { id } } }";
        let made = self
            .ask(TOKEN, create, json!({ "org": org, "roles": roles }))
            .await;
        let made = &made["data"]["createApiKey"];
        assert!(made["key"].is_string(), "{made}");
        (
            made["key"].as_str().unwrap().to_string(),
            made["apiKey"]["id"].as_str().unwrap().to_string(),
        )
    }

    /// A user made by the bootstrap token; its id.
    async fn user(&self, email: &str, org: Option<&str>) -> String {
        let create = "mutation($email: String!, $org: String) { createUser(input: { email: $email, org: $org, roles: [\"viewer\"], password: \"a long enough password\" }) { user { id } } }";
        let made = self
            .ask(TOKEN, create, json!({ "email": email, "org": org }))
            .await;
        made["data"]["createUser"]["user"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{made}"))
            .to_string()
    }

    /// The global admin's view of user `id`.
    async fn user_as_global(&self, id: &str) -> Value {
        let read =
            "query($id: String!) { user(id: $id) { id email org roles tier disabled updatedAt } }";
        self.ask(TOKEN, read, json!({ "id": id })).await["data"]["user"].clone()
    }

    /// Makes the gateway apply the rules now in the store (what a serving
    /// gateway's follower does within a second).
    async fn apply_stored_rules(&self) {
        let (rules, _) = StoredRules::new(Arc::clone(&self.store))
            .read()
            .await
            .unwrap();
        self.server
            .gateway
            .access()
            .apply_stored(rules)
            .await
            .unwrap();
    }
}

fn emails(body: &Value) -> Vec<&str> {
    body["data"]["users"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|user| user["email"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_admin_lists_and_reads_only_its_own_orgs_users_page_by_page() {
    let orgs = orgs().await;
    let a1 = orgs.user("a1@acme.test", Some("acme")).await;
    let b1 = orgs.user("b1@globex.test", Some("globex")).await;
    orgs.user("a2@acme.test", Some("acme")).await;
    orgs.user("b2@globex.test", Some("globex")).await;
    orgs.user("nobody@example.test", None).await;
    orgs.user("a3@acme.test", Some("acme")).await;

    let page = "query($after: String) { users(first: 2, after: $after) { id email } }";
    let first = orgs.ask(&orgs.acme, page, json!({})).await;
    assert_eq!(emails(&first), ["a1@acme.test", "a2@acme.test"]);
    let cursor = first["data"]["users"][1]["id"].clone();
    let second = orgs.ask(&orgs.acme, page, json!({ "after": cursor })).await;
    assert_eq!(emails(&second), ["a3@acme.test"]);
    let cursor = second["data"]["users"][0]["id"].clone();
    let last = orgs.ask(&orgs.acme, page, json!({ "after": cursor })).await;
    assert_eq!(emails(&last), Vec::<&str>::new());

    let every = "{ users(first: 50) { email } }";
    let globex = orgs.ask(&orgs.globex, every, json!({})).await;
    assert_eq!(emails(&globex), ["b1@globex.test", "b2@globex.test"]);
    for global in [TOKEN, orgs.global.as_str()] {
        let all = orgs.ask(global, every, json!({})).await;
        assert_eq!(emails(&all).len(), 6, "{all}");
    }

    let read = "query($id: String!) { user(id: $id) { email } }";
    let theirs = orgs.ask(&orgs.acme, read, json!({ "id": b1 })).await;
    assert_eq!(theirs, json!({ "data": { "user": null } }));
    let own = orgs.ask(&orgs.acme, read, json!({ "id": a1 })).await;
    assert_eq!(own["data"]["user"]["email"], "a1@acme.test");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_admin_changing_another_orgs_user_gets_not_found_and_changes_nothing() {
    let orgs = orgs().await;
    let theirs = orgs.user("b1@globex.test", Some("globex")).await;
    let own = orgs.user("a1@acme.test", Some("acme")).await;
    let before = orgs.user_as_global(&theirs).await;
    let changes = [
        "mutation($id: String!) { updateUser(id: $id, input: { roles: [\"admin\"] }) { id } }",
        "mutation($id: String!) { setUserDisabled(id: $id, disabled: true) { id } }",
        "mutation($id: String!) { resetUserPassword(id: $id) { password } }",
        "mutation($id: String!) { deleteUser(id: $id) }",
    ];
    for change in changes {
        let refused = orgs.ask(&orgs.acme, change, json!({ "id": theirs })).await;
        assert_eq!(
            first_error_code(&refused),
            "NOT_FOUND",
            "{change}: {refused}"
        );
        assert_eq!(refused["data"], Value::Null, "{change}");
        // Just what an id nobody has gets: another org's id is not confirmed.
        let unknown = orgs
            .ask(&orgs.acme, change, json!({ "id": "u_none" }))
            .await;
        assert_eq!(first_error_code(&unknown), "NOT_FOUND", "{change}");
    }
    assert_eq!(orgs.user_as_global(&theirs).await, before);

    // The same changes go through on its own org's user.
    for change in changes {
        let done = orgs.ask(&orgs.acme, change, json!({ "id": own })).await;
        assert!(done["errors"].is_null(), "{change}: {done}");
    }
    assert_eq!(orgs.user_as_global(&own).await, Value::Null, "deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_admin_makes_users_in_its_own_org_only_and_cannot_move_them_out() {
    let orgs = orgs().await;
    let create = "mutation($input: CreateUserInput!) { createUser(input: $input) { user { id org roles } } }";
    let made = orgs
        .ask(
            &orgs.acme,
            create,
            json!({ "input": { "email": "new@acme.test", "roles": ["admin"] } }),
        )
        .await;
    let made = &made["data"]["createUser"]["user"];
    assert_eq!(
        (&made["org"], &made["roles"]),
        (&json!("acme"), &json!(["admin"])),
        "an admin it makes is an admin of its org, not a global one"
    );
    let id = made["id"].as_str().unwrap();

    let elsewhere = orgs
        .ask(
            &orgs.acme,
            create,
            json!({ "input": { "email": "new@globex.test", "org": "globex" } }),
        )
        .await;
    assert_eq!(first_error_code(&elsewhere), "FORBIDDEN", "{elsewhere}");
    let all = orgs.ask(TOKEN, "{ users { email } }", json!({})).await;
    assert_eq!(emails(&all), ["new@acme.test"]);

    let moved = orgs
        .ask(
            &orgs.acme,
            "mutation($id: String!) { updateUser(id: $id, input: { org: \"globex\" }) { org } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(first_error_code(&moved), "FORBIDDEN", "{moved}");
    assert_eq!(orgs.user_as_global(id).await["org"], "acme");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_admin_manages_only_its_own_orgs_api_keys() {
    let orgs = orgs().await;
    let (their_key, theirs) = orgs.key(Some("globex"), &["viewer"]).await;
    let (_, own) = orgs.key(Some("acme"), &["viewer"]).await;

    let listed = orgs.ask(&orgs.acme, "{ apiKeys { org } }", json!({})).await;
    let listed = listed["data"]["apiKeys"].as_array().unwrap().clone();
    assert_eq!(
        listed,
        vec![json!({ "org": "acme" }); 2],
        "its admin key and {own}"
    );
    let all = orgs.ask(TOKEN, "{ apiKeys { id } }", json!({})).await;
    assert_eq!(all["data"]["apiKeys"].as_array().unwrap().len(), 5);

    let read = "query($id: String!) { apiKey(id: $id) { id } }";
    let read_theirs = orgs.ask(&orgs.acme, read, json!({ "id": theirs })).await;
    assert_eq!(read_theirs, json!({ "data": { "apiKey": null } }));
    let read_own = orgs.ask(&orgs.acme, read, json!({ "id": own })).await;
    assert_eq!(read_own["data"]["apiKey"]["id"], own.as_str());

    let create = "mutation($org: String) { createApiKey(input: { name: \"n\", org: $org, roles: [\"admin\"] }) { apiKey { org } } }";
    let elsewhere = orgs
        .ask(&orgs.acme, create, json!({ "org": "globex" }))
        .await;
    assert_eq!(first_error_code(&elsewhere), "FORBIDDEN", "{elsewhere}");
    let defaulted = orgs.ask(&orgs.acme, create, json!({})).await;
    assert_eq!(defaulted["data"]["createApiKey"]["apiKey"]["org"], "acme");

    let before = orgs
        .ask(
            TOKEN,
            "query($id: String!) { apiKey(id: $id) { roles revoked } }",
            json!({ "id": theirs }),
        )
        .await;
    // Each goes through on its own org's key (revoked last).
    for change in [
        "mutation($id: String!) { updateApiKey(id: $id, input: { roles: [\"admin\"] }) { id } }",
        "mutation($id: String!) { rotateApiKey(id: $id) { key } }",
        "mutation($id: String!) { revokeApiKey(id: $id) { id } }",
    ] {
        let refused = orgs.ask(&orgs.acme, change, json!({ "id": theirs })).await;
        assert_eq!(
            first_error_code(&refused),
            "NOT_FOUND",
            "{change}: {refused}"
        );
        let done = orgs.ask(&orgs.acme, change, json!({ "id": own })).await;
        assert!(done["errors"].is_null(), "{change}: {done}");
    }
    let after = orgs
        .ask(
            TOKEN,
            "query($id: String!) { apiKey(id: $id) { roles revoked } }",
            json!({ "id": theirs }),
        )
        .await;
    assert_eq!(after, before);
    // Not rotated either: its old text still opens the gateway.
    let response = client()
        .post(orgs.server.url("/graphql"))
        .header("x-api-key", &their_key)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_admin_sees_its_orgs_and_every_orgs_rules_and_changes_only_its_own() {
    let orgs = orgs().await;
    let rules = [
        "p, viewer, acme, Query.me, read",
        "p, viewer, globex, Query.me, read",
        "p, viewer, *, Query.topProducts, read",
        "g, editor, viewer",
    ];
    let add = "mutation($rule: String!) { addAccessRule(rule: $rule) { changed } }";
    let remove = "mutation($rule: String!) { removeAccessRule(rule: $rule) { changed } }";
    for rule in rules {
        let added = orgs.ask(TOKEN, add, json!({ "rule": rule })).await;
        assert_eq!(added["data"]["addAccessRule"]["changed"], true, "{added}");
    }
    orgs.apply_stored_rules().await;
    let listed = orgs
        .ask(&orgs.acme, "{ accessRules { rule } }", json!({}))
        .await;
    assert_eq!(
        listed["data"]["accessRules"],
        json!([
            { "rule": "p, viewer, acme, Query.me, read" },
            { "rule": "p, viewer, *, Query.topProducts, read" },
        ])
    );

    for (mutation, rule) in [
        (add, "p, viewer, *, Query.me, read"),
        (add, "p, viewer, globex, Query.topProducts, read"),
        (add, "g, viewer, admin"),
        (remove, "p, viewer, *, Query.topProducts, read"),
        (remove, "p, viewer, globex, Query.me, read"),
        (remove, "g, editor, viewer"),
    ] {
        let refused = orgs
            .ask(&orgs.acme, mutation, json!({ "rule": rule }))
            .await;
        assert_eq!(first_error_code(&refused), "FORBIDDEN", "{rule}: {refused}");
    }
    let own = "p, editor, acme, Query.topProducts, read";
    let added = orgs.ask(&orgs.acme, add, json!({ "rule": own })).await;
    assert_eq!(added["data"]["addAccessRule"]["changed"], true, "{added}");
    let removed = orgs
        .ask(&orgs.acme, remove, json!({ "rule": rules[0] }))
        .await;
    assert_eq!(
        removed["data"]["removeAccessRule"]["changed"], true,
        "{removed}"
    );

    let (stored, _) = StoredRules::new(Arc::clone(&orgs.store))
        .read()
        .await
        .unwrap();
    let stored: Vec<String> = stored.iter().map(|rule| rule.to_line()).collect();
    assert_eq!(stored, [rules[1], rules[2], rules[3], own]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_admin_may_read_but_not_change_what_every_org_shares() {
    let orgs = orgs().await;
    let products = junction_subgraphs::sdl("products").unwrap();
    let manifest = json!({ "q1": "query Q { topProducts { name } }" }).to_string();
    let publish = "mutation($sdl: String!) { publishSubgraph(name: \"products\", url: \"http://127.0.0.1:1/graphql\", sdl: $sdl) { ok } }";
    let changes = [
        (publish, json!({ "sdl": products })),
        ("mutation { removeSubgraph(name: \"products\") { ok } }", json!({})),
        ("mutation { rollbackSupergraph(id: \"any\") { ok } }", json!({})),
        (
            "mutation($m: String!) { publishOperations(client: \"web\", version: \"1\", manifest: $m) { ok } }",
            json!({ "m": manifest }),
        ),
        ("mutation { removeOperations(client: \"web\", version: \"1\") }", json!({})),
        ("mutation { rotateSigningKey { kid } }", json!({})),
    ];
    for (change, variables) in &changes {
        let refused = orgs.ask(&orgs.acme, change, variables.clone()).await;
        assert_eq!(
            first_error_code(&refused),
            "FORBIDDEN",
            "{change}: {refused}"
        );
    }
    let reads = "{ subgraphs { name } operationManifests { client } signingKeys { kid } }";
    let seen = orgs.ask(&orgs.acme, reads, json!({})).await;
    assert!(seen["errors"].is_null(), "{seen}");
    assert_eq!(seen["data"]["subgraphs"], json!([]));
    assert_eq!(seen["data"]["signingKeys"].as_array().unwrap().len(), 1);
    let check = "mutation($sdl: String!) { checkSubgraph(name: \"products\", url: \"http://127.0.0.1:1/graphql\", sdl: $sdl) { ok } }";
    let checked = orgs
        .ask(&orgs.acme, check, json!({ "sdl": products }))
        .await;
    assert_eq!(checked["data"]["checkSubgraph"]["ok"], true, "{checked}");

    // An admin of no org is global: its publish goes through.
    let published = orgs
        .ask(&orgs.global, publish, json!({ "sdl": products }))
        .await;
    assert_eq!(
        published["data"]["publishSubgraph"]["ok"], true,
        "{published}"
    );
    let seen = orgs
        .ask(&orgs.acme, "{ subgraphs { name } }", json!({}))
        .await;
    assert_eq!(seen["data"]["subgraphs"], json!([{ "name": "products" }]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_org_admin_reads_only_its_own_orgs_audit_entries() {
    let orgs = orgs().await;
    let create =
        "mutation($email: String!) { createUser(input: { email: $email }) { user { id } } }";
    for (credential, email) in [
        (orgs.acme.as_str(), "a@acme.test"),
        (orgs.globex.as_str(), "b@globex.test"),
        (TOKEN, "c@example.test"),
    ] {
        let made = orgs
            .ask(credential, create, json!({ "email": email }))
            .await;
        assert!(made["errors"].is_null(), "{made}");
    }
    let log = "query($org: String) { auditLog(org: $org, action: \"createUser\") { entries { actor org } } }";
    let entries = |body: &Value| body["data"]["auditLog"]["entries"].clone();
    let acme = orgs.ask(&orgs.acme, log, json!({})).await;
    let acme_entries = entries(&acme);
    assert_eq!(acme_entries.as_array().unwrap().len(), 1, "{acme}");
    assert_eq!(acme_entries[0]["org"], "acme");
    let all = orgs.ask(TOKEN, log, json!({})).await;
    assert_eq!(entries(&all).as_array().unwrap().len(), 3, "{all}");
    let globex = orgs.ask(TOKEN, log, json!({ "org": "globex" })).await;
    assert_eq!(
        entries(&globex)[0]["org"],
        "globex",
        "a global admin filters by org: {globex}"
    );
    let other = orgs.ask(&orgs.acme, log, json!({ "org": "globex" })).await;
    assert_eq!(first_error_code(&other), "FORBIDDEN", "{other}");
}

/// Whether the admin API admits `key` (its `me` roles then) within `within`.
async fn admitted_within(orgs: &Orgs, key: &str, admitted: bool, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let response = client()
            .post(orgs.server.url("/admin/graphql"))
            .bearer_auth(key)
            .json(&json!({ "query": "{ me { roles } }" }))
            .send()
            .await
            .unwrap();
        if (response.status().as_u16() == 200) == admitted {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_api_key_changes_roles_in_effect_within_a_second_and_keeps_the_rest() {
    let orgs = orgs().await;
    let create = "mutation { createApiKey(input: { name: \"ci\", roles: [\"viewer\"], scopes: [\"read:all\"], tier: \"pro\" }) { key apiKey { id } } }";
    let made = orgs.ask(&orgs.acme, create, json!({})).await;
    let key = made["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let id = made["data"]["createApiKey"]["apiKey"]["id"].clone();
    assert!(admitted_within(&orgs, &key, false, Duration::ZERO).await);

    let update = "mutation($id: String!, $roles: [String!]) { updateApiKey(id: $id, input: { roles: $roles }) { org roles scopes tier } }";
    let updated = orgs
        .ask(&orgs.acme, update, json!({ "id": id, "roles": ["admin"] }))
        .await;
    assert_eq!(
        updated["data"]["updateApiKey"],
        json!({ "org": "acme", "roles": ["admin"], "scopes": ["read:all"], "tier": "pro" })
    );
    assert!(
        admitted_within(&orgs, &key, true, Duration::from_secs(1)).await,
        "the admin role did not take effect within 1 s"
    );
    let demoted = orgs
        .ask(&orgs.acme, update, json!({ "id": id, "roles": [] }))
        .await;
    assert_eq!(demoted["data"]["updateApiKey"]["roles"], json!([]));
    assert!(
        admitted_within(&orgs, &key, false, Duration::from_secs(1)).await,
        "the removed admin role still worked after 1 s"
    );

    let revoke = "mutation($id: String!) { revokeApiKey(id: $id) { revoked } }";
    orgs.ask(&orgs.acme, revoke, json!({ "id": id })).await;
    let revoked = orgs
        .ask(&orgs.acme, update, json!({ "id": id, "roles": ["admin"] }))
        .await;
    assert_eq!(first_error_code(&revoked), "BAD_USER_INPUT", "{revoked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_access_by_subject_uses_the_roles_and_org_of_a_user_or_api_key() {
    let orgs = orgs().await;
    let rule = "p, viewer, acme, Query.me, read";
    let add = "mutation($rule: String!) { addAccessRule(rule: $rule) { changed } }";
    orgs.ask(TOKEN, add, json!({ "rule": rule })).await;
    orgs.apply_stored_rules().await;
    let user = orgs.user("a@acme.test", Some("acme")).await;
    let (_, key) = orgs.key(Some("globex"), &["viewer"]).await;

    let check = "query($subject: String, $roles: [String!], $org: String) { checkAccess(subject: $subject, roles: $roles, org: $org, object: \"Query.me\", action: \"read\") { allowed rules reason roles org } }";
    let by_user = orgs.ask(TOKEN, check, json!({ "subject": user })).await;
    assert_eq!(
        by_user["data"]["checkAccess"],
        json!({ "allowed": true, "rules": [rule], "reason": "allowed by the rules listed", "roles": ["viewer"], "org": "acme" })
    );
    let by_key = orgs.ask(TOKEN, check, json!({ "subject": key })).await;
    assert_eq!(
        (
            &by_key["data"]["checkAccess"]["allowed"],
            &by_key["data"]["checkAccess"]["org"]
        ),
        (&json!(false), &json!("globex")),
        "{by_key}"
    );
    let as_acme = orgs
        .ask(TOKEN, check, json!({ "subject": key, "org": "acme" }))
        .await;
    assert_eq!(as_acme["data"]["checkAccess"]["allowed"], true, "{as_acme}");

    for (variables, code) in [
        (
            json!({ "subject": user, "roles": ["viewer"] }),
            "BAD_USER_INPUT",
        ),
        (json!({}), "BAD_USER_INPUT"),
        (json!({ "subject": "u_nobody" }), "NOT_FOUND"),
    ] {
        let answer = orgs.ask(TOKEN, check, variables.clone()).await;
        assert_eq!(first_error_code(&answer), code, "{variables}: {answer}");
    }

    // An org admin: its own org's subjects only, its own org only.
    let own = orgs
        .ask(&orgs.acme, check, json!({ "subject": user }))
        .await;
    assert_eq!(own["data"]["checkAccess"]["allowed"], true, "{own}");
    let theirs = orgs.ask(&orgs.acme, check, json!({ "subject": key })).await;
    assert_eq!(first_error_code(&theirs), "NOT_FOUND", "{theirs}");
    let elsewhere = orgs
        .ask(
            &orgs.acme,
            check,
            json!({ "roles": ["viewer"], "org": "globex" }),
        )
        .await;
    assert_eq!(first_error_code(&elsewhere), "FORBIDDEN", "{elsewhere}");
    let by_roles = orgs
        .ask(&orgs.acme, check, json!({ "roles": ["viewer"] }))
        .await;
    assert_eq!(by_roles["data"]["checkAccess"]["org"], "acme", "{by_roles}");
    assert_eq!(by_roles["data"]["checkAccess"]["allowed"], true);
}
