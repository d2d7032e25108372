//! Entities across subgraphs: fetching by `@key` (one of several, compound,
//! nested), `resolvable: false` keys, batching of representations, and what
//! a missing entity does to the response.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::fixture_subgraph::{Federation, Subgraph};

/// accounts owns users, products owns product titles, reviews owns reviews
/// and adds `User.reviews`.
const SHOP: &str = r#"
type Query @join__type(graph: ACCOUNTS) @join__type(graph: PRODUCTS) @join__type(graph: REVIEWS) {
  users: [User] @join__field(graph: ACCOUNTS)
  reviews(by: ID): [Review] @join__field(graph: REVIEWS)
}

type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  name: String! @join__field(graph: ACCOUNTS)
  reviews: [Review] @join__field(graph: REVIEWS)
}

type Product @join__type(graph: PRODUCTS, key: "upc") @join__type(graph: REVIEWS, key: "upc") {
  upc: String!
  title: String @join__field(graph: PRODUCTS)
}

type Review @join__type(graph: REVIEWS) {
  body: String
  author: User
  product: Product
}
"#;

fn find(list: &Value, key: &str, value: &Value) -> Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|item| &item[key] == value)
        .cloned()
        .unwrap_or(Value::Null)
}

fn accounts() -> Subgraph {
    let users = json!([
        { "__typename": "User", "id": "u1", "name": "Ada" },
        { "__typename": "User", "id": "u2", "name": "Grace" },
    ]);
    let table = users.clone();
    Subgraph::new("accounts")
        .root("Query.users", move |_| users.clone())
        .entity("User", move |rep| find(&table, "id", &rep["id"]))
}

fn products() -> Subgraph {
    let products = json!([
        { "__typename": "Product", "upc": "p1", "title": "Lamp" },
        { "__typename": "Product", "upc": "p2", "title": "Desk" },
    ]);
    Subgraph::new("products").entity("Product", move |rep| find(&products, "upc", &rep["upc"]))
}

/// Reviews as `(body, author id, product upc)`.
fn reviews(list: &[(&str, &str, &str)]) -> Subgraph {
    let reviews: Vec<Value> = list
        .iter()
        .map(|(body, author, upc)| {
            json!({
                "__typename": "Review",
                "body": body,
                "author": { "__typename": "User", "id": author },
                "product": { "__typename": "Product", "upc": upc },
            })
        })
        .collect();
    let all = reviews.clone();
    Subgraph::new("reviews")
        .root("Query.reviews", move |args| {
            let by = args.get("by").filter(|by| !by.is_null());
            json!(all
                .iter()
                .filter(|r| by.is_none_or(|by| &r["author"]["id"] == by))
                .collect::<Vec<_>>())
        })
        .entity("User", move |rep| {
            let by_author: Vec<Value> = reviews
                .iter()
                .filter(|r| r["author"]["id"] == rep["id"])
                .cloned()
                .collect();
            json!({ "__typename": "User", "id": rep["id"], "reviews": by_author })
        })
}

async fn shop(review_list: &[(&str, &str, &str)]) -> Federation {
    Federation::start(SHOP, vec![accounts(), products(), reviews(review_list)]).await
}

const REVIEWS: &[(&str, &str, &str)] = &[
    ("Bright", "u1", "p1"),
    ("Too bright", "u2", "p1"),
    ("Sturdy", "u1", "p2"),
    ("Solid", "u1", "p2"),
];

#[tokio::test]
async fn entity_fields_come_from_the_subgraph_that_owns_them_by_key() {
    let fed = shop(REVIEWS).await;
    let query = "{ users { id name reviews { body } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "users": [
            { "id": "u1", "name": "Ada", "reviews": [{ "body": "Bright" }, { "body": "Sturdy" }, { "body": "Solid" }] },
            { "id": "u2", "name": "Grace", "reviews": [{ "body": "Too bright" }] },
        ] } }),
        "{}",
        fed.plan(query)
    );
    let entity_requests = fed.server.requests("reviews");
    assert_eq!(entity_requests.len(), 1);
    assert_eq!(
        entity_requests[0].representations(),
        vec![
            json!({ "__typename": "User", "id": "u1" }),
            json!({ "__typename": "User", "id": "u2" })
        ]
    );
}

#[tokio::test]
async fn one_entities_request_per_subgraph_and_step_with_duplicates_sent_once() {
    let fed = shop(REVIEWS).await;
    let query = "{ reviews { body author { name } product { title } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "reviews": [
            { "body": "Bright", "author": { "name": "Ada" }, "product": { "title": "Lamp" } },
            { "body": "Too bright", "author": { "name": "Grace" }, "product": { "title": "Lamp" } },
            { "body": "Sturdy", "author": { "name": "Ada" }, "product": { "title": "Desk" } },
            { "body": "Solid", "author": { "name": "Ada" }, "product": { "title": "Desk" } },
        ] } }),
        "{}",
        fed.plan(query)
    );
    let accounts = fed.server.requests("accounts");
    let products = fed.server.requests("products");
    assert_eq!((accounts.len(), products.len()), (1, 1));
    assert_eq!(
        accounts[0].representations(),
        vec![
            json!({ "__typename": "User", "id": "u1" }),
            json!({ "__typename": "User", "id": "u2" })
        ]
    );
    assert_eq!(
        products[0].representations(),
        vec![
            json!({ "__typename": "Product", "upc": "p1" }),
            json!({ "__typename": "Product", "upc": "p2" })
        ]
    );
}

#[tokio::test]
async fn entities_at_a_second_step_are_batched_across_all_parents() {
    let fed = shop(REVIEWS).await;
    let query = "{ users { name reviews { product { title } } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "users": [
            { "name": "Ada", "reviews": [{ "product": { "title": "Lamp" } }, { "product": { "title": "Desk" } }, { "product": { "title": "Desk" } }] },
            { "name": "Grace", "reviews": [{ "product": { "title": "Lamp" } }] },
        ] } }),
        "{}",
        fed.plan(query)
    );
    let products = fed.server.requests("products");
    assert_eq!(products.len(), 1);
    assert_eq!(
        products[0].representations(),
        vec![
            json!({ "__typename": "Product", "upc": "p1" }),
            json!({ "__typename": "Product", "upc": "p2" })
        ]
    );
}

#[tokio::test]
async fn missing_entity_nulls_its_non_null_field_up_to_the_nullable_parent() {
    let fed = shop(&[("Bright", "u1", "p1"), ("Wobbly", "ghost", "p2")]).await;
    let query = "{ reviews { body author { id name } } }";
    assert_eq!(
        fed.query(query).await,
        json!({
            "data": { "reviews": [
                { "body": "Bright", "author": { "id": "u1", "name": "Ada" } },
                { "body": "Wobbly", "author": null },
            ] },
            "errors": [{
                "message": "Cannot return null for non-nullable field",
                "path": ["reviews", 1, "author", "name"],
                "extensions": { "code": "NON_NULL_VIOLATION" },
            }],
        }),
        "{}",
        fed.plan(query)
    );
}

/// stock knows products by `id`, pricing only by `sku`, catalog by both.
const MULTI_KEY: &str = r#"
type Query @join__type(graph: CATALOG) @join__type(graph: PRICING) @join__type(graph: STOCK) {
  stocked: [Product] @join__field(graph: STOCK)
}

type Product
  @join__type(graph: CATALOG, key: "id")
  @join__type(graph: CATALOG, key: "sku")
  @join__type(graph: PRICING, key: "sku")
  @join__type(graph: STOCK, key: "id")
{
  id: ID! @join__field(graph: CATALOG) @join__field(graph: STOCK)
  sku: String! @join__field(graph: CATALOG) @join__field(graph: PRICING)
  title: String @join__field(graph: CATALOG)
  price: Int @join__field(graph: PRICING)
  inStock: Boolean @join__field(graph: STOCK)
}
"#;

#[tokio::test]
async fn entity_is_entered_by_a_key_the_previous_subgraph_can_provide() {
    let catalog = json!([
        { "__typename": "Product", "id": "1", "sku": "LMP", "title": "Lamp" },
        { "__typename": "Product", "id": "2", "sku": "DSK", "title": "Desk" },
    ]);
    let by_sku = catalog.clone();
    let fed = Federation::start(
        MULTI_KEY,
        vec![
            Subgraph::new("catalog").entity("Product", move |rep| match rep.get("id") {
                Some(id) => find(&catalog, "id", id),
                None => find(&by_sku, "sku", &rep["sku"]),
            }),
            Subgraph::new("pricing").entity("Product", |rep| {
                let price = if rep["sku"] == "LMP" { 30 } else { 120 };
                json!({ "sku": rep["sku"], "price": price })
            }),
            Subgraph::new("stock").root("Query.stocked", |_| {
                json!([
                    { "__typename": "Product", "id": "1", "inStock": true },
                    { "__typename": "Product", "id": "2", "inStock": false },
                ])
            }),
        ],
    )
    .await;
    let query = "{ stocked { id inStock title price } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "stocked": [
            { "id": "1", "inStock": true, "title": "Lamp", "price": 30 },
            { "id": "2", "inStock": false, "title": "Desk", "price": 120 },
        ] } }),
        "{}",
        fed.plan(query)
    );
    let catalog = fed.server.requests("catalog");
    let pricing = fed.server.requests("pricing");
    assert_eq!((catalog.len(), pricing.len()), (1, 1));
    assert_eq!(
        catalog[0].representations(),
        vec![
            json!({ "__typename": "Product", "id": "1" }),
            json!({ "__typename": "Product", "id": "2" })
        ]
    );
    assert_eq!(
        pricing[0].representations(),
        vec![
            json!({ "__typename": "Product", "sku": "LMP" }),
            json!({ "__typename": "Product", "sku": "DSK" })
        ]
    );
}

/// An account id is unique only inside its organisation.
const COMPOUND_KEY: &str = r#"
type Query @join__type(graph: DIRECTORY) @join__type(graph: BILLING) {
  accounts: [Account] @join__field(graph: DIRECTORY)
}

type Account @join__type(graph: DIRECTORY, key: "id org { id }") @join__type(graph: BILLING, key: "id org { id }") {
  id: ID!
  org: Org!
  owner: String @join__field(graph: DIRECTORY)
  balance: Int @join__field(graph: BILLING)
}

type Org @join__type(graph: DIRECTORY) @join__type(graph: BILLING) {
  id: ID!
}
"#;

#[tokio::test]
async fn compound_key_sends_every_key_field_and_tells_same_ids_apart() {
    let fed = Federation::start(
        COMPOUND_KEY,
        vec![
            Subgraph::new("directory").root("Query.accounts", |_| {
                json!([
                    { "__typename": "Account", "id": "1", "org": { "__typename": "Org", "id": "acme" }, "owner": "Ada" },
                    { "__typename": "Account", "id": "1", "org": { "__typename": "Org", "id": "initech" }, "owner": "Bob" },
                ])
            }),
            Subgraph::new("billing").entity("Account", |rep| {
                let balance = if rep["org"]["id"] == "acme" { 10 } else { 20 };
                json!({ "id": rep["id"], "org": rep["org"], "balance": balance })
            }),
        ],
    )
    .await;
    let query = "{ accounts { owner balance } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "accounts": [{ "owner": "Ada", "balance": 10 }, { "owner": "Bob", "balance": 20 }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("billing")[0].representations(),
        vec![
            json!({ "__typename": "Account", "id": "1", "org": { "id": "acme" } }),
            json!({ "__typename": "Account", "id": "1", "org": { "id": "initech" } }),
        ]
    );
}

/// A membership is identified by the user and the group it joins.
const NESTED_KEY: &str = r#"
type Query @join__type(graph: GROUPS) @join__type(graph: ROLES) {
  memberships: [Membership] @join__field(graph: GROUPS)
}

type Membership
  @join__type(graph: GROUPS, key: "user { id } group { id }")
  @join__type(graph: ROLES, key: "user { id } group { id }")
{
  user: Member!
  group: Team!
  role: String @join__field(graph: ROLES)
}

type Member @join__type(graph: GROUPS) @join__type(graph: ROLES) {
  id: ID!
  handle: String @join__field(graph: GROUPS)
}

type Team @join__type(graph: GROUPS) @join__type(graph: ROLES) {
  id: ID!
}
"#;

#[tokio::test]
async fn nested_key_is_sent_as_nested_objects() {
    let fed = Federation::start(
        NESTED_KEY,
        vec![
            Subgraph::new("groups").root("Query.memberships", |_| {
                json!([
                    { "__typename": "Membership", "user": { "__typename": "Member", "id": "u1", "handle": "ada" }, "group": { "__typename": "Team", "id": "g1" } },
                    { "__typename": "Membership", "user": { "__typename": "Member", "id": "u1", "handle": "ada" }, "group": { "__typename": "Team", "id": "g2" } },
                ])
            }),
            Subgraph::new("roles").entity("Membership", |rep| {
                let role = if rep["group"]["id"] == "g1" { "admin" } else { "viewer" };
                json!({ "user": rep["user"], "group": rep["group"], "role": role })
            }),
        ],
    )
    .await;
    let query = "{ memberships { user { handle } group { id } role } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "memberships": [
            { "user": { "handle": "ada" }, "group": { "id": "g1" }, "role": "admin" },
            { "user": { "handle": "ada" }, "group": { "id": "g2" }, "role": "viewer" },
        ] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("roles")[0].representations(),
        vec![
            json!({ "__typename": "Membership", "user": { "id": "u1" }, "group": { "id": "g1" } }),
            json!({ "__typename": "Membership", "user": { "id": "u1" }, "group": { "id": "g2" } }),
        ]
    );
}

/// feed references users but cannot resolve them (`resolvable: false`).
const UNRESOLVABLE_KEY: &str = r#"
type Query @join__type(graph: ACCOUNTS) @join__type(graph: FEED) {
  users: [User] @join__field(graph: ACCOUNTS)
  posts: [Post] @join__field(graph: FEED)
}

type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: FEED, key: "id", resolvable: false) {
  id: ID!
  name: String @join__field(graph: ACCOUNTS)
}

type Post @join__type(graph: FEED) {
  text: String
  author: User
}
"#;

#[tokio::test]
async fn unresolvable_key_is_followed_out_of_its_subgraph_but_never_into_it() {
    let fed = Federation::start(
        UNRESOLVABLE_KEY,
        vec![
            accounts(),
            Subgraph::new("feed").root("Query.posts", |_| {
                json!([{ "__typename": "Post", "text": "hello", "author": { "__typename": "User", "id": "u2" } }])
            }),
        ],
    )
    .await;
    let query = "{ posts { text author { id name } } users { id name } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": {
            "posts": [{ "text": "hello", "author": { "id": "u2", "name": "Grace" } }],
            "users": [{ "id": "u1", "name": "Ada" }, { "id": "u2", "name": "Grace" }],
        } }),
        "{}",
        fed.plan(query)
    );
    let feed = fed.server.requests("feed");
    assert_eq!(feed.len(), 1);
    assert!(
        !feed[0].query.contains("_entities"),
        "feed was entered: {}",
        feed[0].query
    );
}

#[tokio::test]

async fn client_alias_named_like_a_key_field_does_not_clash_with_the_key() {
    let fed = shop(REVIEWS).await;
    let query = "{ users { id: name reviews { body } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "users": [
            { "id": "Ada", "reviews": [{ "body": "Bright" }, { "body": "Sturdy" }, { "body": "Solid" }] },
            { "id": "Grace", "reviews": [{ "body": "Too bright" }] },
        ] } }),
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn entities_at_different_paths_of_one_step_share_one_request() {
    let fed = shop(REVIEWS).await;
    let query =
        r#"{ mine: reviews(by: "u2") { author { name } } all: reviews { author { name } } }"#;
    assert_eq!(
        fed.query(query).await,
        json!({ "data": {
            "mine": [{ "author": { "name": "Grace" } }],
            "all": [
                { "author": { "name": "Ada" } },
                { "author": { "name": "Grace" } },
                { "author": { "name": "Ada" } },
                { "author": { "name": "Ada" } },
            ],
        } }),
        "{}",
        fed.plan(query)
    );
    let accounts = fed.server.requests("accounts");
    assert_eq!(accounts.len(), 1, "{}", fed.plan(query));
    assert_eq!(
        accounts[0].representations(),
        vec![
            json!({ "__typename": "User", "id": "u2" }),
            json!({ "__typename": "User", "id": "u1" })
        ]
    );
}
