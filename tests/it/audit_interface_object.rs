//! `@interfaceObject` in the shapes of the federation gateway audit: fields
//! an interface object adds to every implementation, `__typename` and type
//! conditions on values that come from a subgraph that only knows the
//! interface, a field shared between the interface object and one
//! implementation, and an interface object field that `@requires` a field
//! of the concrete types.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::{check, row};
use crate::common::fixture_subgraph::{field_error, Federation, Resolved, Subgraph};

/// Users (`NodeWithName`, implemented by `User`) and accounts (`Account`,
/// implemented by `Admin` and `Regular`) live in a; b adds `username` and
/// `name` through interface objects, c adds `isActive` (which a's `Admin`
/// also has).
const USERS_AND_ACCOUNTS: &str = r#"
interface Account
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id", isInterfaceObject: true)
  @join__type(graph: C, key: "id", isInterfaceObject: true)
{
  id: ID!
  name: String! @join__field(graph: B)
  isActive: Boolean! @join__field(graph: C)
}

type Admin implements Account @join__implements(graph: A, interface: "Account") @join__type(graph: A, key: "id") {
  id: ID!
  isMain: Boolean!
  isActive: Boolean!
  name: String! @join__field
}

interface NodeWithName @join__type(graph: A, key: "id") @join__type(graph: B, key: "id", isInterfaceObject: true) {
  id: ID!
  name: String @join__field(graph: A)
  username: String @join__field(graph: B)
}

type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  users: [NodeWithName!]! @join__field(graph: A)
  anotherUsers: [NodeWithName] @join__field(graph: B)
  accounts: [Account] @join__field(graph: B)
}

type Regular implements Account @join__implements(graph: A, interface: "Account") @join__type(graph: A, key: "id") {
  id: ID!
  isMain: Boolean!
  name: String! @join__field
  isActive: Boolean! @join__field
}

type User implements NodeWithName @join__implements(graph: A, interface: "NodeWithName") @join__type(graph: A, key: "id") {
  id: ID!
  name: String
  age: Int
  username: String @join__field
}
"#;

fn users() -> Value {
    json!([
        { "__typename": "User", "id": "u1", "name": "u1-name", "username": "u1-username", "age": 11 },
        { "__typename": "User", "id": "u2", "name": "u2-name", "username": "u2-username", "age": 22 },
    ])
}

fn users_and_accounts() -> Vec<Subgraph> {
    let accounts = json!([
        { "__typename": "Admin", "id": "u1", "name": "Alice", "isMain": false, "isActive": true },
        { "__typename": "Admin", "id": "u2", "name": "Bob", "isMain": true, "isActive": true },
        { "__typename": "Regular", "id": "u3", "name": "Charlie", "isMain": false, "isActive": true },
    ]);
    // a's view of a row: without the fields b adds.
    let in_a = |table: &Value, hidden: &'static str| {
        let table = table.clone();
        move |rep: &Value| match row(&table, "id", &rep["id"]) {
            Value::Object(mut object) => {
                object.remove(hidden);
                Value::Object(object)
            }
            _ => Value::Null,
        }
    };
    let admin = in_a(&accounts, "name");
    let a = Subgraph::new("a")
        .possible_types("NodeWithName", &["User"])
        .possible_types("Account", &["Admin", "Regular"])
        .root("Query.users", |_| {
            let users = users();
            let users = users.as_array().unwrap().iter();
            let in_a = users.map(|u| json!({ "__typename": "User", "id": u["id"], "name": u["name"], "age": u["age"] }));
            Value::Array(in_a.collect())
        })
        .entity("NodeWithName", in_a(&users(), "username"))
        .entity("User", in_a(&users(), "username"))
        .entity("Account", in_a(&accounts, "name"))
        .entity("Admin", move |rep| match admin(rep) {
            admin if admin["__typename"] == "Admin" => admin,
            _ => Value::Null,
        })
        .entity("Regular", in_a(&accounts, "name"));
    let (b_accounts, names) = (accounts.clone(), accounts.clone());
    let b = Subgraph::new("b")
        .root("Query.anotherUsers", |_| {
            let users = users();
            let users = users.as_array().unwrap().iter();
            let in_b = users.map(|u| json!({ "__typename": "NodeWithName", "id": u["id"], "username": u["username"] }));
            Value::Array(in_b.collect())
        })
        .root("Query.accounts", move |_| {
            let accounts = b_accounts.as_array().unwrap().iter();
            let in_b = accounts.map(|a| json!({ "__typename": "Account", "id": a["id"], "name": a["name"] }));
            Value::Array(in_b.collect())
        })
        .entity("NodeWithName", |rep| {
            json!({ "id": rep["id"], "username": row(&users(), "id", &rep["id"])["username"] })
        })
        .entity("Account", move |rep| {
            json!({ "id": rep["id"], "name": row(&names, "id", &rep["id"])["name"] })
        });
    let c = Subgraph::new("c").entity("Account", move |rep| {
        match row(&accounts, "id", &rep["id"]) {
            Value::Null => Value::Null,
            _ => json!({ "id": rep["id"], "isActive": false }),
        }
    });
    vec![a, b, c]
}

/// The two users with `fields` of each, in this order.
fn two_users(fields: &[&str]) -> Value {
    let users = users().as_array().unwrap().clone();
    let pick = |user: &Value| {
        let picked = fields.iter().map(|f| (f.to_string(), user[*f].clone()));
        Value::Object(picked.collect())
    };
    Value::Array(users.iter().map(pick).collect())
}

/// audit: simple-interface-object
#[tokio::test]
async fn interface_object_fields_join_the_fields_of_the_implementations() {
    let fed = Federation::start(USERS_AND_ACCOUNTS, users_and_accounts()).await;
    let all_fields = "... on User { age id name username } id name";
    let cases = [
        (
            "another_users",
            "{ anotherUsers { id name username } }".to_string(),
            json!({ "anotherUsers": two_users(&["id", "name", "username"]) }),
        ),
        (
            "users",
            "{ users { id name username } }".into(),
            json!({ "users": two_users(&["id", "name", "username"]) }),
        ),
        (
            "another_users_as_user",
            "{ anotherUsers { ... on User { age } } }".into(),
            json!({ "anotherUsers": two_users(&["age"]) }),
        ),
        (
            "users_as_user",
            "{ users { ... on User { age } } }".into(),
            json!({ "users": two_users(&["age"]) }),
        ),
        (
            "another_users_all_fields",
            format!("{{ anotherUsers {{ {all_fields} }} }}"),
            json!({ "anotherUsers": two_users(&["age", "id", "name", "username"]) }),
        ),
        (
            "users_all_fields",
            format!("{{ users {{ {all_fields} }} }}"),
            json!({ "users": two_users(&["age", "id", "name", "username"]) }),
        ),
    ];
    for (name, query, data) in cases {
        let name = format!("simple_interface_object_{name}");
        check!(&fed, &name, &query, json!({ "data": data })).await;
    }
}

/// audit: simple-interface-object
#[tokio::test]
async fn typename_and_type_conditions_on_interface_objects_come_from_the_owner() {
    let fed = Federation::start(USERS_AND_ACCOUNTS, users_and_accounts()).await;
    let cases = [
        (
            "account_names",
            "{ accounts { name } }",
            json!([{ "name": "Alice" }, { "name": "Bob" }, { "name": "Charlie" }]),
        ),
        (
            "admin_names",
            "{ accounts { ... on Admin { name } } }",
            json!([{ "name": "Alice" }, { "name": "Bob" }, {}]),
        ),
        (
            "account_typenames",
            "{ accounts { name __typename } }",
            json!([
                { "name": "Alice", "__typename": "Admin" },
                { "name": "Bob", "__typename": "Admin" },
                { "name": "Charlie", "__typename": "Regular" },
            ]),
        ),
        (
            "admin_typenames",
            "{ accounts { ... on Admin { __typename } } }",
            json!([{ "__typename": "Admin" }, { "__typename": "Admin" }, {}]),
        ),
        (
            "is_active_of_the_interface_object",
            "{ accounts { id isActive } }",
            json!([
                { "id": "u1", "isActive": false },
                { "id": "u2", "isActive": false },
                { "id": "u3", "isActive": false },
            ]),
        ),
        (
            "is_active_of_admin",
            "{ accounts { id ... on Admin { isActive } } }",
            json!([
                { "id": "u1", "isActive": true },
                { "id": "u2", "isActive": true },
                { "id": "u3" },
            ]),
        ),
    ];
    for (name, query, accounts) in cases {
        let name = format!("simple_interface_object_{name}");
        check!(
            &fed,
            &name,
            query,
            json!({ "data": { "accounts": accounts } }),
        )
        .await;
    }
}

/// a owns `NodeWithName` (implemented by `User`); b's interface object
/// computes `username` from the implementations' `name`.
const USERNAMES: &str = r#"
interface NodeWithName @join__type(graph: A, key: "id") @join__type(graph: B, key: "id", isInterfaceObject: true) {
  id: ID!
  name: String @join__field(graph: A) @join__field(graph: B, external: true)
  username: String @join__field(graph: B, requires: "name")
}

type Query @join__type(graph: A) @join__type(graph: B) {
  users: [NodeWithName!]! @join__field(graph: A)
  anotherUsers: [NodeWithName] @join__field(graph: B)
}

type User implements NodeWithName @join__implements(graph: A, interface: "NodeWithName") @join__type(graph: A, key: "id") {
  id: ID!
  name: String
  age: Int
  username: String @join__field
}
"#;

fn usernames() -> Vec<Subgraph> {
    let in_a = |rep: &Value| {
        let user = row(&users(), "id", &rep["id"]);
        json!({ "__typename": "User", "id": user["id"], "name": user["name"], "age": user["age"] })
    };
    let a = Subgraph::new("a")
        .possible_types("NodeWithName", &["User"])
        .root("Query.users", move |_| {
            let ids = [json!({ "id": "u1" }), json!({ "id": "u2" })];
            Value::Array(ids.iter().map(in_a).collect())
        })
        .entity("NodeWithName", in_a)
        .entity("User", in_a);
    let b = Subgraph::new("b")
        .root("Query.anotherUsers", |_| {
            json!([{ "__typename": "NodeWithName", "id": "u1" }, { "__typename": "NodeWithName", "id": "u2" }])
        })
        .entity("NodeWithName", |rep| rep.clone())
        .field("NodeWithName.username", |node, _| -> Resolved {
            if node["name"].is_string() {
                row(&users(), "id", &node["id"])["username"].clone().into()
            } else {
                field_error("requirement not sent: name")
            }
        });
    vec![a, b]
}

/// audit: interface-object-with-requires
#[tokio::test]
async fn interface_object_field_requiring_an_implementation_field_receives_it() {
    let fed = Federation::start(USERNAMES, usernames()).await;
    let all_fields = "... on User { age id name username } id name";
    let cases = [
        (
            "another_users",
            "{ anotherUsers { id name username } }".to_string(),
            json!({ "anotherUsers": two_users(&["id", "name", "username"]) }),
        ),
        (
            "users",
            "{ users { id name username } }".into(),
            json!({ "users": two_users(&["id", "name", "username"]) }),
        ),
        (
            "another_users_as_user",
            "{ anotherUsers { ... on User { age } } }".into(),
            json!({ "anotherUsers": two_users(&["age"]) }),
        ),
        (
            "users_as_user",
            "{ users { ... on User { age } } }".into(),
            json!({ "users": two_users(&["age"]) }),
        ),
        (
            "another_users_all_fields",
            format!("{{ anotherUsers {{ {all_fields} }} }}"),
            json!({ "anotherUsers": two_users(&["age", "id", "name", "username"]) }),
        ),
        (
            "users_all_fields",
            format!("{{ users {{ {all_fields} }} }}"),
            json!({ "users": two_users(&["age", "id", "name", "username"]) }),
        ),
    ];
    for (name, query, data) in cases {
        let name = format!("interface_object_with_requires_{name}");
        check!(&fed, &name, &query, json!({ "data": data })).await;
    }
}
