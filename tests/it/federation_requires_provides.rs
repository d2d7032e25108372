//! Fields that depend on other subgraphs' data (`@requires`, chains of
//! them), fields a subgraph can answer on another's behalf (`@provides`) or
//! must not (`@external`), root fields shared by several subgraphs, and
//! fields moved by `@override`.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::fixture_subgraph::{Federation, Subgraph};

/// products owns the physical facts; shipping computes from them; invoicing
/// computes from shipping's results.
const STORE: &str = r#"
type Query @join__type(graph: INVOICING) @join__type(graph: PRODUCTS) @join__type(graph: SHIPPING) {
  products: [Product] @join__field(graph: PRODUCTS)
}

type Product
  @join__type(graph: INVOICING, key: "upc")
  @join__type(graph: PRODUCTS, key: "upc")
  @join__type(graph: SHIPPING, key: "upc")
{
  upc: String!
  weight: Int @join__field(graph: PRODUCTS) @join__field(graph: SHIPPING, external: true)
  size: Size @join__field(graph: PRODUCTS) @join__field(graph: SHIPPING, external: true)
  price(currency: String! = "USD"): Int @join__field(graph: PRODUCTS) @join__field(graph: SHIPPING, external: true)
  shippingCost: Int @join__field(graph: SHIPPING, requires: "weight") @join__field(graph: INVOICING, external: true)
  packaging: String @join__field(graph: SHIPPING, requires: "size { width height }")
  deliveryEstimate(zip: String!): String @join__field(graph: SHIPPING, requires: "weight")
  insurance: Int @join__field(graph: SHIPPING, requires: "price(currency: \"EUR\")")
  total: Int @join__field(graph: INVOICING, requires: "shippingCost")
}

type Size @join__type(graph: PRODUCTS) @join__type(graph: SHIPPING) {
  width: Int
  height: Int
  depth: Int @join__field(graph: PRODUCTS)
}
"#;

fn int(value: &Value) -> i64 {
    value
        .as_i64()
        .unwrap_or_else(|| panic!("expected an integer, got {value}"))
}

fn store() -> Vec<Subgraph> {
    let products = Subgraph::new("products")
        .root("Query.products", |_| {
            json!([
                { "__typename": "Product", "upc": "p1", "weight": 4, "size": { "width": 10, "height": 5, "depth": 3 }, "usd": 100 },
                { "__typename": "Product", "upc": "p2", "weight": 20, "size": { "width": 20, "height": 30, "depth": 10 }, "usd": 500 },
            ])
        })
        .field("Product.price", |product, args| {
            let usd = int(&product["usd"]);
            match args.get("currency").and_then(Value::as_str) {
                Some("EUR") => json!(usd * 9 / 10),
                _ => json!(usd),
            }
        });
    let shipping = Subgraph::new("shipping")
        .entity("Product", Value::clone)
        .field("Product.shippingCost", |product, _| {
            json!(int(&product["weight"]) * 2)
        })
        .field("Product.packaging", |product, _| {
            let area = int(&product["size"]["width"]) * int(&product["size"]["height"]);
            json!(if area > 100 { "crate" } else { "box" })
        })
        .field("Product.deliveryEstimate", |product, args| {
            let days = if int(&product["weight"]) > 10 { 5 } else { 2 };
            json!(format!("{} in {days} days", args["zip"].as_str().unwrap()))
        })
        .field("Product.insurance", |product, _| {
            json!(int(&product["price"]) / 10)
        });
    let invoicing = Subgraph::new("invoicing")
        .entity("Product", Value::clone)
        .field("Product.total", |product, _| {
            json!(int(&product["shippingCost"]) + 100)
        });
    vec![invoicing, products, shipping]
}

#[tokio::test]
async fn requires_sends_the_required_field_to_the_subgraph_that_computes_from_it() {
    let fed = Federation::start(STORE, store()).await;
    let query = "{ products { upc shippingCost } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "products": [{ "upc": "p1", "shippingCost": 8 }, { "upc": "p2", "shippingCost": 40 }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("shipping")[0].representations(),
        vec![
            json!({ "__typename": "Product", "upc": "p1", "weight": 4 }),
            json!({ "__typename": "Product", "upc": "p2", "weight": 20 }),
        ]
    );
}

#[tokio::test]
async fn requires_with_a_nested_selection_sends_only_the_required_subfields() {
    let fed = Federation::start(STORE, store()).await;
    let query = "{ products { packaging } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "products": [{ "packaging": "box" }, { "packaging": "crate" }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("shipping")[0].representations(),
        vec![
            json!({ "__typename": "Product", "upc": "p1", "size": { "width": 10, "height": 5 } }),
            json!({ "__typename": "Product", "upc": "p2", "size": { "width": 20, "height": 30 } }),
        ]
    );
}

#[tokio::test]
async fn field_with_requires_receives_the_clients_arguments() {
    let fed = Federation::start(STORE, store()).await;
    let query = "query ($zip: String!) { products { deliveryEstimate(zip: $zip) } }";
    assert_eq!(
        fed.query_with(query, json!({ "zip": "10115" })).await,
        json!({ "data": { "products": [
            { "deliveryEstimate": "10115 in 2 days" },
            { "deliveryEstimate": "10115 in 5 days" },
        ] } }),
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn required_field_with_arguments_does_not_clash_with_the_clients_selection_of_it() {
    let fed = Federation::start(STORE, store()).await;
    let query = r#"{ products { price insurance eur: price(currency: "EUR") } }"#;
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "products": [
            { "price": 100, "insurance": 9, "eur": 90 },
            { "price": 500, "insurance": 45, "eur": 450 },
        ] } }),
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn requires_chain_runs_each_subgraph_after_the_one_it_depends_on() {
    let fed = Federation::start(STORE, store()).await;
    let query = "{ products { upc total } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "products": [{ "upc": "p1", "total": 108 }, { "upc": "p2", "total": 140 }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("invoicing")[0].representations(),
        vec![
            json!({ "__typename": "Product", "upc": "p1", "shippingCost": 8 }),
            json!({ "__typename": "Product", "upc": "p2", "shippingCost": 40 }),
        ]
    );
}

/// reviews can answer `author { name }` itself (`@provides`), but not the
/// name of users it returns elsewhere (`@external` without `@provides`).
const REVIEWS: &str = r#"
type Query @join__type(graph: ACCOUNTS) @join__type(graph: REVIEWS) {
  reviews: [Review] @join__field(graph: REVIEWS)
  topReviewers: [User] @join__field(graph: REVIEWS)
}

type Review @join__type(graph: REVIEWS) {
  body: String
  author: User @join__field(graph: REVIEWS, provides: "name")
}

type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  name: String @join__field(graph: ACCOUNTS) @join__field(graph: REVIEWS, external: true)
  email: String @join__field(graph: ACCOUNTS)
}
"#;

fn reviews_and_accounts() -> Vec<Subgraph> {
    let reviews = Subgraph::new("reviews")
        .root("Query.reviews", |_| {
            json!([{ "__typename": "Review", "body": "Great", "author": { "__typename": "User", "id": "u1", "name": "Ada Lovelace" } }])
        })
        .root("Query.topReviewers", |_| {
            json!([{ "__typename": "User", "id": "u1", "name": "stale name reviews must not serve" }])
        });
    let accounts = Subgraph::new("accounts").entity(
        "User",
        |rep| json!({ "id": rep["id"], "name": "Ada Lovelace", "email": "ada@example.com" }),
    );
    vec![accounts, reviews]
}

#[tokio::test]
async fn provided_field_is_answered_without_asking_its_owner() {
    let fed = Federation::start(REVIEWS, reviews_and_accounts()).await;
    let query = "{ reviews { body author { id name } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "reviews": [{ "body": "Great", "author": { "id": "u1", "name": "Ada Lovelace" } }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(fed.server.requests("accounts"), vec![]);
}

#[tokio::test]
async fn field_outside_the_provided_set_is_fetched_from_its_owner() {
    let fed = Federation::start(REVIEWS, reviews_and_accounts()).await;
    let query = "{ reviews { author { name email } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "reviews": [{ "author": { "name": "Ada Lovelace", "email": "ada@example.com" } }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(fed.server.requests("accounts").len(), 1);
}

#[tokio::test]
async fn external_field_is_never_fetched_from_the_subgraph_that_only_references_it() {
    let fed = Federation::start(REVIEWS, reviews_and_accounts()).await;
    let query = "{ topReviewers { id name } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "topReviewers": [{ "id": "u1", "name": "Ada Lovelace" }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(fed.server.requests("accounts").len(), 1);
}

/// Both subgraphs can answer `Query.me`; each adds its own field to `User`.
const SHARED_ROOT: &str = r#"
type Query @join__type(graph: PROFILES) @join__type(graph: SETTINGS) {
  me: User @join__field(graph: PROFILES) @join__field(graph: SETTINGS)
}

type User @join__type(graph: PROFILES, key: "id") @join__type(graph: SETTINGS, key: "id") {
  id: ID!
  name: String @join__field(graph: PROFILES)
  theme: String @join__field(graph: SETTINGS)
}
"#;

fn profiles_and_settings() -> Vec<Subgraph> {
    vec![
        Subgraph::new("profiles")
            .root(
                "Query.me",
                |_| json!({ "__typename": "User", "id": "u1", "name": "Ada" }),
            )
            .entity("User", |rep| json!({ "id": rep["id"], "name": "Ada" })),
        Subgraph::new("settings")
            .root(
                "Query.me",
                |_| json!({ "__typename": "User", "id": "u1", "theme": "dark" }),
            )
            .entity("User", |rep| json!({ "id": rep["id"], "theme": "dark" })),
    ]
}

#[tokio::test]
async fn shareable_root_field_is_fetched_from_one_subgraph_only() {
    let fed = Federation::start(SHARED_ROOT, profiles_and_settings()).await;
    let query = "{ me { id } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "me": { "id": "u1" } } }),
        "{}",
        fed.plan(query)
    );
    let fetches = fed.server.requests("profiles").len() + fed.server.requests("settings").len();
    assert_eq!(fetches, 1, "{}", fed.plan(query));
}

#[tokio::test]
async fn shareable_root_field_completes_with_fields_of_both_subgraphs() {
    let fed = Federation::start(SHARED_ROOT, profiles_and_settings()).await;
    let query = "{ me { name theme } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "me": { "name": "Ada", "theme": "dark" } } }),
        "{}",
        fed.plan(query)
    );
    let fetches = fed.server.requests("profiles").len() + fed.server.requests("settings").len();
    assert_eq!(fetches, 2, "{}", fed.plan(query));
}

/// `price` moved from legacy to pricing; legacy still declares it
/// (`usedOverridden`). `discount` moved without a trace.
const OVERRIDE: &str = r#"
type Query @join__type(graph: LEGACY) @join__type(graph: PRICING) {
  products: [Product] @join__field(graph: LEGACY)
}

type Product @join__type(graph: LEGACY, key: "upc") @join__type(graph: PRICING, key: "upc") {
  upc: String!
  name: String @join__field(graph: LEGACY)
  price: Int @join__field(graph: LEGACY, usedOverridden: true) @join__field(graph: PRICING, override: "legacy")
  discount: Int @join__field(graph: PRICING, override: "legacy")
}
"#;

#[tokio::test]
async fn overridden_fields_come_from_the_subgraph_that_took_them_over() {
    let fed = Federation::start(
        OVERRIDE,
        vec![
            Subgraph::new("legacy").root("Query.products", |_| {
                json!([{ "__typename": "Product", "upc": "p1", "name": "Lamp", "price": 1, "discount": 1 }])
            }),
            Subgraph::new("pricing").entity("Product", |rep| json!({ "upc": rep["upc"], "price": 30, "discount": 5 })),
        ],
    )
    .await;
    let query = "{ products { name price discount } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "products": [{ "name": "Lamp", "price": 30, "discount": 5 }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(fed.server.requests("pricing").len(), 1);
}

#[tokio::test]

async fn client_alias_named_like_a_key_field_does_not_change_later_representations() {
    let fed = Federation::start(STORE, store()).await;
    let query = "{ products { upc: packaging total } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "products": [{ "upc": "box", "total": 108 }, { "upc": "crate", "total": 140 }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("invoicing")[0].representations(),
        vec![
            json!({ "__typename": "Product", "upc": "p1", "shippingCost": 8 }),
            json!({ "__typename": "Product", "upc": "p2", "shippingCost": 40 }),
        ],
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]

async fn client_alias_named_like_a_required_field_keeps_the_clients_value() {
    let fed = Federation::start(STORE, store()).await;
    let query = "{ products { shippingCost: upc total } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "products": [{ "shippingCost": "p1", "total": 108 }, { "shippingCost": "p2", "total": 140 }] } }),
        "{}",
        fed.plan(query)
    );
}
