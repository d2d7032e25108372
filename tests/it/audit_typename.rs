//! `__typename` and `@inaccessible` in the shapes of the federation gateway
//! audit: `__typename` under aliases and type conditions on unions and
//! interfaces, `__typename` of values that come from an interface object
//! (whose subgraph cannot know the concrete type), and an inaccessible enum
//! value that is an argument's default and a field's value.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::check;
use crate::common::fixture_subgraph::{Federation, Subgraph};

/// a has a union, an interface and the `User` interface (implemented by
/// `Admin`); b adds `name` to users through an interface object.
const APPLIANCES_AND_USERS: &str = r#"
type Admin implements User @join__implements(graph: A, interface: "User") @join__type(graph: A, key: "id") {
  id: ID!
  isMain: Boolean!
  name: String! @join__field
}

interface Node @join__type(graph: A) {
  id: ID!
}

type Oven implements Node @join__implements(graph: A, interface: "Node") @join__type(graph: A) {
  id: ID!
}

union Product @join__type(graph: A) @join__unionMember(graph: A, member: "Oven") @join__unionMember(graph: A, member: "Toaster") = Oven | Toaster

type Query @join__type(graph: A) @join__type(graph: B) {
  union: Product @join__field(graph: A)
  interface: Node @join__field(graph: A)
  users: [User] @join__field(graph: B)
}

type Toaster implements Node @join__implements(graph: A, interface: "Node") @join__type(graph: A) {
  id: ID!
}

interface User @join__type(graph: A, key: "id") @join__type(graph: B, key: "id", isInterfaceObject: true) {
  id: ID!
  name: String! @join__field(graph: B)
}
"#;

fn appliances_and_users() -> Vec<Subgraph> {
    let admin = |rep: &Value| match rep["id"].as_str() {
        Some("u1") => json!({ "__typename": "Admin", "id": "u1", "isMain": false }),
        Some("u2") => json!({ "__typename": "Admin", "id": "u2", "isMain": true }),
        _ => Value::Null,
    };
    let a = Subgraph::new("a")
        .possible_types("Product", &["Oven", "Toaster"])
        .possible_types("Node", &["Oven", "Toaster"])
        .possible_types("User", &["Admin"])
        .root(
            "Query.union",
            |_| json!({ "__typename": "Oven", "id": "1" }),
        )
        .root(
            "Query.interface",
            |_| json!({ "__typename": "Toaster", "id": "2" }),
        )
        .entity("User", admin)
        .entity("Admin", admin);
    // b's `User` is an object type: its `__typename` is "User", never the
    // concrete type.
    let b = Subgraph::new("b")
        .root(
            "Query.users",
            |_| json!([{ "__typename": "User", "id": "u1" }, { "__typename": "User", "id": "u2" }]),
        )
        .entity("User", |rep| {
            let name = if rep["id"] == "u1" { "Alice" } else { "Bob" };
            json!({ "id": rep["id"], "name": name })
        });
    vec![a, b]
}

/// audit: typename
#[tokio::test]
async fn typename_is_the_concrete_type_under_aliases_fragments_and_interface_objects() {
    let fed = Federation::start(APPLIANCES_AND_USERS, appliances_and_users()).await;
    let cases = [
        (
            "union_aliased",
            "{ union { __typename typename: __typename } }",
            json!({ "union": { "__typename": "Oven", "typename": "Oven" } }),
        ),
        (
            "interface_aliased",
            "{ interface { id __typename typename: __typename t: __typename } }",
            json!({ "interface": { "id": "2", "__typename": "Toaster", "typename": "Toaster", "t": "Toaster" } }),
        ),
        (
            "union_in_fragments",
            "{ union { __typename ... on Oven { typename: __typename } ... on Toaster { typename: __typename } } }",
            json!({ "union": { "__typename": "Oven", "typename": "Oven" } }),
        ),
        (
            "interface_in_fragments",
            "{ interface { __typename ... on Oven { typename: __typename } ... on Toaster { typename: __typename } } }",
            json!({ "interface": { "__typename": "Toaster", "typename": "Toaster" } }),
        ),
        (
            "interface_object_ids",
            "{ users { id } }",
            json!({ "users": [{ "id": "u1" }, { "id": "u2" }] }),
        ),
        (
            "interface_object_typenames",
            "{ users { __typename } }",
            json!({ "users": [{ "__typename": "Admin" }, { "__typename": "Admin" }] }),
        ),
    ];
    for (name, query, data) in cases {
        let name = format!("typename_{name}");
        check!(&fed, &name, query, json!({ "data": data })).await;
    }
}

/// age and friends each list users; friends has `friends(type:)` whose
/// default `FAMILY` is inaccessible, and `type`, which answers `FAMILY`.
const FRIENDS: &str = r#"
enum FriendType @join__type(graph: FRIENDS) {
  FAMILY @inaccessible @join__enumValue(graph: FRIENDS)
  FRIEND @join__enumValue(graph: FRIENDS)
}

type Query @join__type(graph: AGE) @join__type(graph: FRIENDS) {
  usersInAge: [User!]! @join__field(graph: AGE)
  usersInFriends: [User!]! @join__field(graph: FRIENDS)
}

type User @join__type(graph: AGE, key: "id") @join__type(graph: FRIENDS, key: "id") {
  id: ID
  age: Int @join__field(graph: AGE)
  friends(type: FriendType = FAMILY @inaccessible): [User!]! @join__field(graph: FRIENDS)
  type: FriendType @join__field(graph: FRIENDS)
}
"#;

fn friends() -> Vec<Subgraph> {
    let user = |id: &str, age: u32, friend: &str| json!({ "__typename": "User", "id": id, "age": age, "friends": [friend] });
    let users = json!([user("u1", 11, "u2"), user("u2", 22, "u1")]);
    let find = |users: &Value, id: &Value| {
        let all = users.as_array().unwrap().iter();
        all.clone()
            .find(|u| &u["id"] == id)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let (age_list, age_entity) = (users.clone(), users.clone());
    let age = Subgraph::new("age")
        .root("Query.usersInAge", move |_| age_list.clone())
        .entity("User", move |rep| find(&age_entity, &rep["id"]));
    let (list, entity, friend_list) = (users.clone(), users.clone(), users);
    let friends = Subgraph::new("friends")
        .root("Query.usersInFriends", move |_| list.clone())
        .entity("User", move |rep| find(&entity, &rep["id"]))
        .field("User.friends", move |user, _| {
            let ids = user["friends"].as_array().unwrap().iter();
            Value::Array(ids.map(|id| find(&friend_list, id)).collect())
        })
        .field("User.type", |_, _| json!("FAMILY"));
    vec![age, friends]
}

/// The error for the inaccessible `FAMILY` as the `type` of the first
/// friend of user `index`.
fn not_a_friend_type(index: usize) -> Value {
    json!({
        "message": "Invalid value from subgraph: expected FriendType",
        "path": ["usersInFriends", index, "friends", 0, "type"],
        "extensions": { "code": "INVALID_SUBGRAPH_VALUE" },
    })
}

/// audit: simple-inaccessible
#[tokio::test]
async fn inaccessible_enum_value_is_a_hidden_default_and_a_null_result() {
    let fed = Federation::start(FRIENDS, friends()).await;
    let friend_ids = |root: &str| {
        json!({ "data": { root: [
            { "id": "u1", "friends": [{ "id": "u2" }] },
            { "id": "u2", "friends": [{ "id": "u1" }] },
        ] } })
    };
    check!(
        &fed,
        "simple_inaccessible_friends_of_users_in_age",
        "{ usersInAge { id friends { id } } }",
        friend_ids("usersInAge"),
    )
    .await;
    check!(
        &fed,
        "simple_inaccessible_friends_of_users_in_friends",
        "{ usersInFriends { id friends { id } } }",
        friend_ids("usersInFriends"),
    )
    .await;
    check!(
        &fed,
        "simple_inaccessible_friends_of_a_type",
        "{ usersInFriends { id friends(type: FRIEND) { id } } }",
        json!({ "errors": [{
            "message": "the argument `type` is not supported by `User.friends`",
            "locations": [{ "line": 1, "column": 31 }],
            "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" },
        }] }),
    )
    .await;
    check!(
        &fed,
        "simple_inaccessible_friend_types",
        "{ usersInFriends { id friends { id type } } }",
        json!({
            "errors": [not_a_friend_type(0), not_a_friend_type(1)],
            "data": { "usersInFriends": [
                { "id": "u1", "friends": [{ "id": "u2", "type": null }] },
                { "id": "u2", "friends": [{ "id": "u1", "type": null }] },
            ] },
        }),
    )
    .await;
}
