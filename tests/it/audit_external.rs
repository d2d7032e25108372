//! `@external` fields of type extensions in the shapes of the federation
//! gateway audit: Federation 1 and 2 subgraphs that extend a type (with
//! `@extends` or `extend type`) and mark its key and other fields
//! `@external`, provided or not; an extension keyed by external fields;
//! and a root field of an extension that returns the entity.
//!
//! A subgraph asked for a field it only references answers "never", so a
//! plan that fetches an `@external` field from it fails the assertion.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::{check, row};
use crate::common::fixture_subgraph::{Federation, Subgraph};

/// b owns users; a extends `User` (as `@extends` or `extend type`
/// composes) with `rid`, referencing the external `name` and providing
/// it from one root field.
const EXTENDED_USER: &str = r#"
type Query @join__type(graph: A) @join__type(graph: B) {
  randomUser: User @join__field(graph: A)
  providedRandomUser: User @join__field(graph: A, provides: "name")
  userById(id: ID): User @join__field(graph: B)
}

type User @join__type(graph: A, key: "id", extension: true) @join__type(graph: B, key: "id") {
  id: ID!
  name: String! @join__field(graph: A, external: true) @join__field(graph: B)
  rid: ID @join__field(graph: A)
  nickname: String @join__field(graph: B)
}
"#;

fn extended_user() -> Vec<Subgraph> {
    let users = json!([
        { "__typename": "User", "id": "u1", "rid": "u1-rid", "name": "u1-name", "nickname": "u1-nickname" },
        { "__typename": "User", "id": "u2", "rid": "u2-rid", "name": "u2-name", "nickname": "u2-nickname" },
    ]);
    let in_a = |user: &Value| json!({ "__typename": "User", "id": user["id"], "rid": user["rid"] });
    let (random, provided, by_id) = (users[0].clone(), users[0].clone(), users.clone());
    let a = Subgraph::new("a")
        .root("Query.randomUser", move |_| in_a(&random))
        .root("Query.providedRandomUser", move |_| {
            let mut user = in_a(&provided);
            user["name"] = provided["name"].clone();
            user
        })
        .entity("User", move |rep| match row(&by_id, "id", &rep["id"]) {
            Value::Null => Value::Null,
            user => in_a(&user),
        })
        // `name` is external here: only a provided value is right.
        .field("User.name", |user, _| match &user["name"] {
            Value::Null => json!("never"),
            name => name.clone(),
        });
    let (by_arg, by_key) = (users.clone(), users);
    let b = Subgraph::new("b")
        .root("Query.userById", move |args| {
            row(&by_arg, "id", &args["id"])
        })
        .entity("User", move |rep| row(&by_key, "id", &rep["id"]));
    vec![a, b]
}

/// The four cases the external-extension suites share.
async fn check_extended_user(fed: &Federation, suite: &str) {
    check!(
        fed,
        &format!("{suite}_random_user_and_user_by_id"),
        r#"{ randomUser { id name } userById(id: "u2") { id name nickname } }"#,
        json!({ "data": {
            "randomUser": { "id": "u1", "name": "u1-name" },
            "userById": { "id": "u2", "name": "u2-name", "nickname": "u2-nickname" },
        } }),
    )
    .await;
    check!(
        fed,
        &format!("{suite}_random_user_rid"),
        "{ randomUser { id rid } }",
        json!({ "data": { "randomUser": { "id": "u1", "rid": "u1-rid" } } }),
    )
    .await;
    let full = json!({ "id": "u1", "rid": "u1-rid", "name": "u1-name" });
    check!(
        fed,
        &format!("{suite}_random_user_rid_and_name"),
        "{ randomUser { id rid name } }",
        json!({ "data": { "randomUser": full } }),
    )
    .await;
    check!(
        fed,
        &format!("{suite}_provided_random_user"),
        "{ providedRandomUser { id rid name } }",
        json!({ "data": { "providedRandomUser": full } }),
    )
    .await;
}

/// audit: fed1-external-extends
/// audit: fed2-external-extends
/// audit: fed2-external-extension
///
/// The three suites compose to the same supergraph.
#[tokio::test]
async fn extended_type_fetches_its_external_field_from_the_owner_unless_provided() {
    let fed = Federation::start(EXTENDED_USER, extended_user()).await;
    check_extended_user(&fed, "external_extends").await;
}

/// audit: fed1-external-extension
#[tokio::test]
async fn fed1_type_extension_without_the_extension_flag_behaves_the_same() {
    // Composition of the Federation 1 `extend type` leaves no
    // `extension: true` on a's `@join__type`.
    let types = EXTENDED_USER.replace(
        "@join__type(graph: A, key: \"id\", extension: true)",
        "@join__type(graph: A, key: \"id\")",
    );
    let fed = Federation::start(&types, extended_user()).await;
    check_extended_user(&fed, "fed1_external_extension").await;
}

/// a owns products by id; b extends them with a price, keyed by `id name`
/// (both external there) or by `upc`.
const EXTENDED_PRODUCT: &str = r#"
type Product @join__type(graph: A, key: "id") @join__type(graph: B, key: "id name") @join__type(graph: B, key: "upc") {
  id: ID @join__field(graph: A, type: "ID!") @join__field(graph: B, type: "ID")
  name: String
  pid: ID @join__field(graph: A)
  upc: String @join__field(graph: B)
  price: Float! @join__field(graph: B)
}

type Query @join__type(graph: A) @join__type(graph: B) {
  productInA: Product @join__field(graph: A)
  productInB: Product @join__field(graph: B)
}
"#;

/// audit: fed1-external-extends-resolvable
#[tokio::test]
async fn extension_keyed_by_external_fields_is_entered_with_the_owners_values() {
    let product = json!({ "__typename": "Product", "id": "p1", "pid": "p1-pid", "price": 12.3, "upc": "upc1", "name": "p1-name" });
    let in_a = json!({ "__typename": "Product", "id": "p1", "name": "p1-name", "pid": "p1-pid" });
    let in_b = json!({ "__typename": "Product", "id": "p1", "name": "p1-name", "upc": "upc1", "price": 12.3 });
    let (root_a, entity_a, root_b, entity_b) = (in_a.clone(), in_a, in_b.clone(), in_b);
    let a = Subgraph::new("a")
        .root("Query.productInA", move |_| root_a.clone())
        .entity("Product", move |rep| {
            if rep["id"] == "p1" {
                entity_a.clone()
            } else {
                Value::Null
            }
        });
    let b = Subgraph::new("b")
        .root("Query.productInB", move |_| root_b.clone())
        .entity("Product", move |rep| {
            let by_id_and_name = rep["id"] == product["id"] && rep["name"] == product["name"];
            if by_id_and_name || rep["upc"] == product["upc"] {
                entity_b.clone()
            } else {
                Value::Null
            }
        });
    let fed = Federation::start(EXTENDED_PRODUCT, vec![a, b]).await;
    check!(
        &fed,
        "fed1_external_extends_resolvable",
        "{ productInA { id pid price upc name } }",
        json!({ "data": { "productInA": { "id": "p1", "pid": "p1-pid", "price": 12.3, "upc": "upc1", "name": "p1-name" } } }),
    )
    .await;
}

/// product owns products and their names; price extends `Product` with
/// prices and serves the cheapest product.
const CHEAPEST_PRODUCT: &str = r#"
type Product @join__type(graph: PRICE, key: "id", extension: true) @join__type(graph: PRODUCT, key: "id") {
  id: ID!
  price: Float @join__field(graph: PRICE)
  name: String! @join__field(graph: PRODUCT)
}

type Query @join__type(graph: PRICE) @join__type(graph: PRODUCT) {
  cheapestProduct: Product @join__field(graph: PRICE)
  products: [Product!]! @join__field(graph: PRODUCT)
}
"#;

/// audit: mysterious-external
#[tokio::test]
async fn root_field_of_an_extension_is_completed_by_the_owner() {
    let products = json!([
        { "__typename": "Product", "id": "1", "name": "name-1", "price": 100 },
        { "__typename": "Product", "id": "2", "name": "name-2", "price": 200 },
    ]);
    let pick = |product: &Value, field: &str| json!({ "__typename": "Product", "id": product["id"], field: product[field] });
    let (cheapest, prices, list, names) = (
        products[0].clone(),
        products.clone(),
        products.clone(),
        products,
    );
    let price = Subgraph::new("price")
        .root("Query.cheapestProduct", move |_| pick(&cheapest, "price"))
        .entity("Product", move |rep| {
            pick(&row(&prices, "id", &rep["id"]), "price")
        });
    let product = Subgraph::new("product")
        .root("Query.products", move |_| {
            Value::Array(
                list.as_array()
                    .unwrap()
                    .iter()
                    .map(|p| pick(p, "name"))
                    .collect(),
            )
        })
        .entity("Product", move |rep| {
            pick(&row(&names, "id", &rep["id"]), "name")
        });
    let fed = Federation::start(CHEAPEST_PRODUCT, vec![price, product]).await;
    check!(
        &fed,
        "mysterious_external_cheapest_product",
        "{ cheapestProduct { id price name } }",
        json!({ "data": { "cheapestProduct": { "id": "1", "price": 100, "name": "name-1" } } }),
    )
    .await;
    check!(
        &fed,
        "mysterious_external_products",
        "{ products { name price id } }",
        json!({ "data": { "products": [
            { "name": "name-1", "price": 100, "id": "1" },
            { "name": "name-2", "price": 200, "id": "2" },
        ] } }),
    )
    .await;
}
