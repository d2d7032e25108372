//! First-party users through the admin API over HTTP (embedded store):
//! created with a given or generated password (shown once), emails unique
//! whatever their case, paged, changed, disabled, password reset, deleted;
//! `me` names the caller; no answer ever holds a password hash. Logins are
//! checked against the argon2id hash, and a wrong password, an unknown
//! email and a disabled user look the same.

#![allow(clippy::unwrap_used)]

use junction::identity::users::{NewUser, Users};
use serde_json::{json, Value};

use crate::common::*;

const TOKEN: &str = "users-test-admin-token";

async fn server(dir: &std::path::Path) -> TestServer {
    admin_server(embedded_store(dir).await, TOKEN, None).await
}

async fn admin_as(server: &TestServer, credential: &str, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables });
    admin_request(&server.base_url, credential, &body).await
}

const CREATE: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) { password user { id email org roles disabled createdBy } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_are_managed_through_the_admin_api_without_their_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let server = server(dir.path()).await;
    let ada = admin_as(
        &server,
        TOKEN,
        CREATE,
        json!({ "input": { "email": "Ada@Example.com", "org": "acme", "roles": ["viewer"] } }),
    )
    .await;
    let ada = &ada["data"]["createUser"];
    let generated = ada["password"].as_str().unwrap();
    assert_eq!(generated.len(), 24);
    assert_eq!(ada["user"]["email"], "ada@example.com");
    assert_eq!(ada["user"]["createdBy"], "admin token");
    let ada_id = ada["user"]["id"].as_str().unwrap().to_string();

    let given = admin_as(
        &server,
        TOKEN,
        CREATE,
        json!({ "input": { "email": "bob@example.com", "password": "a long enough password" } }),
    )
    .await;
    assert_eq!(
        given["data"]["createUser"]["password"],
        Value::Null,
        "a given password is not echoed"
    );
    let taken = admin_as(
        &server,
        TOKEN,
        CREATE,
        json!({ "input": { "email": "ADA@example.com" } }),
    )
    .await;
    assert_eq!(taken["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let short = admin_as(
        &server,
        TOKEN,
        CREATE,
        json!({ "input": { "email": "c@example.com", "password": "short" } }),
    )
    .await;
    assert_eq!(short["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    let first = admin_as(
        &server,
        TOKEN,
        "{ users(first: 1) { id email } }",
        json!({}),
    )
    .await;
    assert_eq!(first["data"]["users"][0]["id"], ada_id);
    let next = admin_as(
        &server,
        TOKEN,
        "query($after: String) { users(first: 1, after: $after) { email } }",
        json!({ "after": ada_id }),
    )
    .await;
    assert_eq!(
        next["data"]["users"],
        json!([{ "email": "bob@example.com" }])
    );

    let update = "mutation($id: String!) { updateUser(id: $id, input: { roles: [\"editor\"], tier: \"pro\" }) { roles tier org } }";
    let updated = admin_as(&server, TOKEN, update, json!({ "id": ada_id })).await;
    assert_eq!(
        updated["data"]["updateUser"],
        json!({ "roles": ["editor"], "tier": "pro", "org": "acme" })
    );
    let disable =
        "mutation($id: String!) { setUserDisabled(id: $id, disabled: true) { disabled } }";
    let disabled = admin_as(&server, TOKEN, disable, json!({ "id": ada_id })).await;
    assert_eq!(disabled["data"]["setUserDisabled"]["disabled"], true);
    let reset = "mutation($id: String!) { resetUserPassword(id: $id) { password } }";
    let reset = admin_as(&server, TOKEN, reset, json!({ "id": ada_id })).await;
    let new_password = reset["data"]["resetUserPassword"]["password"]
        .as_str()
        .unwrap();
    assert_ne!(new_password, generated);

    // `me`: the bootstrap token, and an API key with the admin role.
    let me = admin_as(&server, TOKEN, "{ me { kind roles } }", json!({})).await;
    assert_eq!(
        me["data"]["me"],
        json!({ "kind": "admin_token", "roles": ["admin"] })
    );
    let key = admin_as(&server, TOKEN, "mutation { createApiKey(input: { name: \"ops\", roles: [\"admin\"], org: \"acme\" }) { key } }", json!({})).await;
    let key = key["data"]["createApiKey"]["key"]
        .as_str()
        .unwrap()
        .to_string();
    let me = admin_as(&server, &key, "{ me { kind org roles } }", json!({})).await;
    assert_eq!(
        me["data"]["me"],
        json!({ "kind": "api_key", "org": "acme", "roles": ["admin"] })
    );

    let everything = admin_as(
        &server,
        TOKEN,
        "{ users { id email org roles tier disabled createdAt createdBy updatedAt } }",
        json!({}),
    )
    .await;
    assert!(!everything.to_string().contains("argon2"), "{everything}");

    let delete = "mutation($id: String!) { deleteUser(id: $id) }";
    assert_eq!(
        admin_as(&server, TOKEN, delete, json!({ "id": ada_id })).await["data"]["deleteUser"],
        true
    );
    let gone = admin_as(
        &server,
        TOKEN,
        "query($id: String!) { user(id: $id) { id } }",
        json!({ "id": ada_id }),
    )
    .await;
    assert_eq!(gone["data"]["user"], Value::Null);
    let again = admin_as(&server, TOKEN, delete, json!({ "id": ada_id })).await;
    assert_eq!(again["errors"][0]["extensions"]["code"], "NOT_FOUND");
    // The email is free again.
    let back = admin_as(
        &server,
        TOKEN,
        CREATE,
        json!({ "input": { "email": "ada@example.com" } }),
    )
    .await;
    assert!(back["errors"].is_null(), "{back}");
}

#[tokio::test]
async fn a_login_needs_the_right_password_of_an_enabled_user_and_says_nothing_more() {
    let dir = tempfile::tempdir().unwrap();
    let users = Users::new(embedded_store(dir.path()).await);
    let new = NewUser {
        email: "ada@example.com".into(),
        password: "correct horse battery".into(),
        ..NewUser::default()
    };
    let ada = users.create(new, "test").await.unwrap();
    let login = |email: &'static str, password: &'static str| {
        let users = users.clone();
        async move {
            users
                .check_login(email, password)
                .await
                .unwrap()
                .map(|u| u.id)
        }
    };
    assert_eq!(
        login("ADA@example.com", "correct horse battery").await,
        Some(ada.id.clone())
    );
    assert_eq!(
        login("ada@example.com", "correct horse batterY").await,
        None
    );
    assert_eq!(
        login("nobody@example.com", "correct horse battery").await,
        None
    );
    let disable = junction::identity::users::UserChanges {
        disabled: Some(true),
        ..Default::default()
    };
    users.update(&ada.id, disable).await.unwrap();
    assert_eq!(
        login("ada@example.com", "correct horse battery").await,
        None
    );
}

#[tokio::test]
async fn the_command_line_manages_users_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = run(&[
        "users",
        "create",
        "--email",
        "ada@example.com",
        "--role",
        "viewer",
        "--data-dir",
        data,
    ])
    .await;
    assert_eq!(code, 0, "{stderr}");
    let password = stdout.trim();
    assert_eq!(
        password.len(),
        24,
        "stdout is the generated password alone: {stdout}"
    );
    let id = stderr
        .split_whitespace()
        .find(|word| word.starts_with("u_"))
        .unwrap_or_default()
        .to_string();
    assert!(id.starts_with("u_"), "{stderr}");

    let (code, _, stderr) = run(&[
        "users",
        "create",
        "--email",
        "ADA@example.com",
        "--data-dir",
        data,
    ])
    .await;
    assert_eq!(code, 1);
    assert!(stderr.contains("BAD_USER_INPUT"), "{stderr}");

    let (_, updated, _) = run(&[
        "users",
        "update",
        "--id",
        &id,
        "--role",
        "editor",
        "--role",
        "viewer",
        "--data-dir",
        data,
    ])
    .await;
    assert!(updated.contains("roles=editor,viewer"), "{updated}");
    let (_, disabled, _) = run(&["users", "disable", "--id", &id, "--data-dir", data]).await;
    assert!(disabled.contains("disabled"), "{disabled}");
    let (_, listed, _) = run(&["users", "list", "--data-dir", data, "--json"]).await;
    let listed: Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(listed[0]["disabled"], true);
    let (_, enabled, _) = run(&["users", "enable", "--id", &id, "--data-dir", data]).await;
    assert!(enabled.contains("enabled"), "{enabled}");
    let (code, reset, _) = run(&["users", "reset-password", "--id", &id, "--data-dir", data]).await;
    assert_eq!(code, 0);
    assert!(reset.trim().len() == 24 && reset.trim() != password);
    let (code, _, _) = run(&["users", "delete", "--id", &id, "--data-dir", data]).await;
    assert_eq!(code, 0);
    let (_, listed, _) = run(&["users", "list", "--data-dir", data, "--json"]).await;
    assert_eq!(listed.trim(), "[]");
}
