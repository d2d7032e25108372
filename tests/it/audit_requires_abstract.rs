//! `@requires` whose selection goes through an abstract type, in the shapes
//! of the federation gateway audit: fragments on nested interfaces and on an
//! `@inaccessible` implementation, and a fragment on one implementation of
//! an interface-typed field.
//!
//! Fields computed from a requirement answer with a field error when the
//! gateway did not send it, so a plan that skips the requirement fails.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::{check, row};
use crate::common::fixture_subgraph::{field_error, Federation, Resolved, Subgraph};

/// a owns `Entity.data` (a `Foo`: a `Baz`, which clients cannot see, or a
/// `Qux`); b computes `requirer` from fields selected through fragments on
/// `Bar`, `Baz` and `Qux`, and `requirer2` through a fragment on `Foo`.
const ENTITY_DATA: &str = r#"
interface Bar implements Foo
  @join__implements(graph: A, interface: "Foo") @join__implements(graph: B, interface: "Foo")
  @join__type(graph: A) @join__type(graph: B)
{
  foo: String!
  bar: String!
}

type Baz implements Foo & Bar
  @join__implements(graph: A, interface: "Foo") @join__implements(graph: A, interface: "Bar")
  @join__implements(graph: B, interface: "Foo") @join__implements(graph: B, interface: "Bar")
  @join__type(graph: A) @join__type(graph: B)
  @inaccessible
{
  foo: String!
  bar: String!
  baz: String!
}

type Entity @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  data: Foo @join__field(graph: A) @join__field(graph: B, external: true)
  requirer: String! @join__field(graph: B, requires: "data {\n  foo\n  ... on Bar {\n    bar\n    ... on Baz {\n      baz\n    }\n    ... on Qux {\n      qux\n    }\n  }\n}")
  requirer2: String! @join__field(graph: B, requires: "data {\n  ... on Foo {\n    foo\n  }\n}")
}

interface Foo @join__type(graph: A) @join__type(graph: B) {
  foo: String!
}

type Query @join__type(graph: A) @join__type(graph: B) {
  a: Entity @join__field(graph: A)
  b: Entity @join__field(graph: B)
  bb: Entity @join__field(graph: B)
}

type Qux implements Foo & Bar
  @join__implements(graph: A, interface: "Foo") @join__implements(graph: A, interface: "Bar")
  @join__implements(graph: B, interface: "Foo") @join__implements(graph: B, interface: "Bar")
  @join__type(graph: A) @join__type(graph: B)
{
  foo: String!
  bar: String!
  qux: String!
}
"#;

fn entity_data() -> Vec<Subgraph> {
    let data = |entity: &Value, _: &_| match entity["id"].as_str() {
        Some("e1") => {
            json!({ "__typename": "Baz", "foo": "b1-foo", "bar": "b1-bar", "baz": "b1-baz" })
        }
        Some("e2") => {
            json!({ "__typename": "Qux", "foo": "q1-foo", "bar": "q1-bar", "qux": "q1-qux" })
        }
        _ => Value::Null,
    };
    let entity = |id: &str| json!({ "__typename": "Entity", "id": id });
    let a = Subgraph::new("a")
        .possible_types("Foo", &["Baz", "Qux"])
        .possible_types("Bar", &["Baz", "Qux"])
        .root("Query.a", move |_| entity("e2"))
        .entity("Entity", |rep| json!({ "id": rep["id"] }))
        .field("Entity.data", data);
    // `requirer` needs what its requirement selects on every `Bar`.
    let requirer = |entity: &Value, _: &_| -> Resolved {
        let sent = &entity["data"];
        if sent["foo"].is_string() && sent["bar"].is_string() {
            json!(format!("{}_requirer", sent["foo"].as_str().unwrap())).into()
        } else {
            field_error(&format!("requirement not sent: data = {sent}"))
        }
    };
    let requirer2 = |entity: &Value, _: &_| -> Resolved {
        match entity["data"]["foo"].as_str() {
            Some(foo_value) => json!(format!("{foo_value}_requirer2")).into(),
            None => field_error("requirement not sent: data.foo"),
        }
    };
    let b = Subgraph::new("b")
        .possible_types("Foo", &["Baz", "Qux"])
        .possible_types("Bar", &["Baz", "Qux"])
        .root("Query.b", move |_| entity("e1"))
        .root("Query.bb", move |_| entity("e2"))
        .entity("Entity", |rep| rep.clone())
        .field("Entity.requirer", requirer)
        .field("Entity.requirer2", requirer2);
    vec![a, b]
}

/// The error for a `data` of the inaccessible type `Baz` at `root.data`:
/// the client may not see that type, so the value is null.
fn inaccessible_data_error(root: &str) -> Value {
    json!({
        "message": "Invalid value from subgraph: expected Foo",
        "path": [root, "data"],
        "extensions": { "code": "INVALID_SUBGRAPH_VALUE" },
    })
}

/// audit: requires-with-fragments
#[tokio::test]
async fn requirement_with_fragments_on_nested_interfaces_sends_each_types_fields() {
    let fed = Federation::start(ENTITY_DATA, entity_data()).await;
    check!(
        &fed,
        "requires_with_fragments_inaccessible_implementation_is_null",
        "{ b { id data { __typename } } bb { id data { __typename } } }",
        json!({
            "errors": [inaccessible_data_error("b")],
            "data": {
                "b": { "id": "e1", "data": null },
                "bb": { "id": "e2", "data": { "__typename": "Qux" } },
            },
        }),
    )
    .await;
    check!(
        &fed,
        "requires_with_fragments_requirer_from_a",
        "{ a { requirer } }",
        json!({ "data": { "a": { "requirer": "q1-foo_requirer" } } }),
    )
    .await;
    check!(
        &fed,
        "requires_with_fragments_data_and_requirer_from_a",
        "{ a { data { __typename } requirer } }",
        json!({ "data": { "a": { "data": { "__typename": "Qux" }, "requirer": "q1-foo_requirer" } } }),
    )
    .await;
    check!(
        &fed,
        "requires_with_fragments_data_and_requirer_from_b",
        "{ bb { data { __typename } requirer } }",
        json!({ "data": { "bb": { "data": { "__typename": "Qux" }, "requirer": "q1-foo_requirer" } } }),
    )
    .await;
    check!(
        &fed,
        "requires_with_fragments_requirer_of_inaccessible_implementation",
        "{ b { data { __typename } requirer } }",
        json!({
            "errors": [inaccessible_data_error("b")],
            "data": { "b": { "data": null, "requirer": "b1-foo_requirer" } },
        }),
    )
    .await;
    check!(
        &fed,
        "requires_with_fragments_requirer2",
        "{ bb { data { __typename } requirer2 } }",
        json!({ "data": { "bb": { "data": { "__typename": "Qux" }, "requirer2": "q1-foo_requirer2" } } }),
    )
    .await;
}

/// b owns each user's address (a `HomeAddress` or a `WorkAddress`); a
/// computes `city` from the address id and `country` from the id of a
/// `WorkAddress` only.
const USER_ADDRESSES: &str = r#"
interface Address @join__type(graph: A) @join__type(graph: B) {
  id: ID!
}

type HomeAddress implements Address
  @join__implements(graph: A, interface: "Address") @join__implements(graph: B, interface: "Address")
  @join__type(graph: A, key: "id") @join__type(graph: B, key: "id")
{
  id: ID!
  city: String
}

type Query @join__type(graph: A) @join__type(graph: B) {
  a: User @join__field(graph: A)
  b: User @join__field(graph: B)
}

type SecondAddress implements Address
  @join__implements(graph: B, interface: "Address")
  @join__type(graph: B, key: "id")
{
  id: ID!
  city: String
}

type User @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String!
  address: Address @join__field(graph: A, external: true) @join__field(graph: B)
  city: String @join__field(graph: A, requires: "address { id }")
  country: String @join__field(graph: A, requires: "address { ... on WorkAddress { id } }")
}

type WorkAddress implements Address
  @join__implements(graph: A, interface: "Address") @join__implements(graph: B, interface: "Address")
  @join__type(graph: A, key: "id") @join__type(graph: B, key: "id")
{
  id: ID!
  city: String
}
"#;

fn user_addresses() -> Vec<Subgraph> {
    let addresses = json!([
        { "__typename": "HomeAddress", "id": "a1", "city": "a1-city", "country": "a1-country" },
        { "__typename": "WorkAddress", "id": "a2", "city": "a2-city", "country": "a2-country" },
    ]);
    let users = json!([
        { "__typename": "User", "id": "u1", "name": "u1-name", "address": addresses[0] },
        { "__typename": "User", "id": "u2", "name": "u2-name", "address": addresses[1] },
    ]);
    let (a_addresses, b_addresses) = (addresses.clone(), addresses.clone());
    let (home, work) = (addresses.clone(), addresses.clone());
    let (a_users, b_users, b_root) = (users.clone(), users.clone(), users.clone());
    let a = Subgraph::new("a")
        .possible_types("Address", &["HomeAddress", "WorkAddress"])
        .root(
            "Query.a",
            |_| json!({ "__typename": "User", "id": "u1", "name": "u1-name" }),
        )
        .entity("User", move |rep| {
            let user = row(&a_users, "id", &rep["id"]);
            json!({ "id": user["id"], "name": user["name"], "address": rep.get("address") })
        })
        .entity("HomeAddress", move |rep| row(&home, "id", &rep["id"]))
        .entity("WorkAddress", move |rep| row(&work, "id", &rep["id"]))
        .field("User.city", move |user, _| -> Resolved {
            match user["address"]["id"].as_str() {
                Some(_) => row(&a_addresses, "id", &user["address"]["id"])["city"]
                    .clone()
                    .into(),
                None => field_error("requirement not sent: address.id"),
            }
        })
        .field("User.country", move |user, _| {
            row(&addresses, "id", &user["address"]["id"])["country"].clone()
        });
    let b = Subgraph::new("b")
        .possible_types("Address", &["HomeAddress", "WorkAddress", "SecondAddress"])
        .root("Query.b", move |_| b_root[1].clone())
        .entity("User", move |rep| row(&b_users, "id", &rep["id"]))
        .entity("HomeAddress", {
            let table = b_addresses.clone();
            move |rep| row(&table, "id", &rep["id"])
        })
        .entity("WorkAddress", move |rep| {
            row(&b_addresses, "id", &rep["id"])
        });
    vec![a, b]
}

/// audit: requires-interface
#[tokio::test]
async fn requirement_through_an_interface_field_selects_per_implementation() {
    let fed = Federation::start(USER_ADDRESSES, user_addresses()).await;
    let cases = [
        (
            "city_of_a",
            "{ a { city } }",
            json!({ "a": { "city": "a1-city" } }),
        ),
        (
            "city_of_b",
            "{ b { city } }",
            json!({ "b": { "city": "a2-city" } }),
        ),
        (
            "country_of_a_home_address_is_null",
            "{ a { country } }",
            json!({ "a": { "country": null } }),
        ),
        (
            "address_of_a",
            "{ a { address { __typename id } } }",
            json!({ "a": { "address": { "__typename": "HomeAddress", "id": "a1" } } }),
        ),
        (
            "address_of_b",
            "{ b { address { __typename id } } }",
            json!({ "b": { "address": { "__typename": "WorkAddress", "id": "a2" } } }),
        ),
    ];
    for (name, query, data) in cases {
        let name = format!("requires_interface_{name}");
        check!(&fed, &name, query, json!({ "data": data })).await;
    }
}
