//! `@defer`: deferred fragments are fetched by fetches of their own and
//! delivered after the initial payload, one payload per fragment with
//! `path`, `label` and `hasNext` (the incremental delivery format Apollo
//! Client and Relay read), nested fragments after their parent. A client
//! that cannot take incremental delivery, or `if: false`, gets everything
//! in one response.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::fixture_subgraph::{field_error, Federation, Subgraph};

/// accounts owns users, reviews adds `User.reviews` and `User.karma`,
/// products owns product titles.
const SHOP: &str = r#"
type Query @join__type(graph: ACCOUNTS) @join__type(graph: PRODUCTS) @join__type(graph: REVIEWS) {
  users: [User] @join__field(graph: ACCOUNTS)
  user(id: ID!): User @join__field(graph: ACCOUNTS)
  reviews: [Review] @join__field(graph: REVIEWS)
}

type Mutation @join__type(graph: ACCOUNTS) {
  rename(id: ID!, name: String!): User @join__field(graph: ACCOUNTS)
}

type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  name: String! @join__field(graph: ACCOUNTS)
  reviews: [Review] @join__field(graph: REVIEWS)
  karma: Int! @join__field(graph: REVIEWS)
}

type Product @join__type(graph: PRODUCTS, key: "upc") @join__type(graph: REVIEWS, key: "upc") {
  upc: String!
  title: String @join__field(graph: PRODUCTS)
}

type Review @join__type(graph: REVIEWS) {
  body: String
  product: Product
}
"#;

fn accounts() -> Subgraph {
    let users = json!([
        { "__typename": "User", "id": "u1", "name": "Ada" },
        { "__typename": "User", "id": "u2", "name": "Grace" },
    ]);
    let (all, table) = (users.clone(), users.clone());
    Subgraph::new("accounts")
        .root("Query.users", move |_| all.clone())
        .root("Query.user", move |args| find(&users, "id", &args["id"]))
        .root(
            "Mutation.rename",
            |args| json!({ "__typename": "User", "id": args["id"], "name": args["name"] }),
        )
        .entity("User", move |rep| find(&table, "id", &rep["id"]))
}

/// Reviews of u1 (two) and u2 (one); u2's karma is an error.
fn reviews() -> Subgraph {
    let reviews = json!({
        "u1": [
            { "__typename": "Review", "body": "Bright", "product": { "__typename": "Product", "upc": "p1" } },
            { "__typename": "Review", "body": "Sturdy", "product": { "__typename": "Product", "upc": "p2" } },
        ],
        "u2": [
            { "__typename": "Review", "body": "Too bright", "product": { "__typename": "Product", "upc": "p1" } },
        ],
    });
    let all: Vec<Value> = ["u1", "u2"]
        .iter()
        .flat_map(|u| reviews[u].as_array().unwrap().clone())
        .collect();
    Subgraph::new("reviews")
        .root("Query.reviews", move |_| json!(all))
        .entity("User", move |rep| {
            json!({ "__typename": "User", "id": rep["id"], "reviews": reviews[rep["id"].as_str().unwrap()] })
        })
        .field("User.karma", |user, _| match user["id"].as_str() {
            Some("u1") => json!(7).into(),
            _ => field_error("karma is private"),
        })
}

fn products() -> Subgraph {
    let products = json!([
        { "__typename": "Product", "upc": "p1", "title": "Lamp" },
        { "__typename": "Product", "upc": "p2", "title": "Desk" },
    ]);
    Subgraph::new("products").entity("Product", move |rep| find(&products, "upc", &rep["upc"]))
}

fn find(list: &Value, key: &str, value: &Value) -> Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|item| &item[key] == value)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn shop() -> Federation {
    Federation::start(SHOP, vec![accounts(), reviews(), products()]).await
}

/// What a client holds after applying every payload: the initial data with
/// each incremental item merged in at its path.
fn assemble(payloads: &[Value]) -> Value {
    let mut data = payloads[0]["data"].clone();
    for payload in &payloads[1..] {
        for item in payload["incremental"].as_array().into_iter().flatten() {
            let mut place = &mut data;
            for step in item["path"].as_array().unwrap() {
                place = match step {
                    Value::String(key) => &mut place[key.as_str()],
                    _ => &mut place[step.as_u64().unwrap() as usize],
                };
            }
            merge(place, &item["data"]);
        }
    }
    data
}

fn merge(place: &mut Value, data: &Value) {
    match (place, data) {
        (Value::Object(place), Value::Object(data)) => {
            for (key, value) in data {
                match place.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        place.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(place), Value::Array(data)) => {
            for (old, new) in place.iter_mut().zip(data) {
                merge(old, new);
            }
        }
        (place, data) => *place = data.clone(),
    }
}

/// The operation with every `@defer` removed.
fn without_defer(query: &str) -> String {
    let mut out = query.to_string();
    while let Some(start) = out.find("@defer") {
        let mut end = start + "@defer".len();
        if out[end..].starts_with('(') {
            end += out[end..].find(')').unwrap() + 1;
        }
        out.replace_range(start..end, "");
    }
    out
}

#[tokio::test]
async fn a_deferred_entity_fragment_follows_the_initial_payload_at_each_object() {
    let fed = shop().await;
    let query = r#"{ users { id name ... @defer(label: "reviews") { reviews { body } } } }"#;
    let payloads = fed.query_incremental(query, json!({})).await;
    assert_eq!(
        payloads,
        vec![
            json!({ "data": { "users": [{ "id": "u1", "name": "Ada" }, { "id": "u2", "name": "Grace" }] }, "hasNext": true }),
            json!({ "incremental": [
                { "data": { "reviews": [{ "body": "Bright" }, { "body": "Sturdy" }] }, "path": ["users", 0], "label": "reviews" },
                { "data": { "reviews": [{ "body": "Too bright" }] }, "path": ["users", 1], "label": "reviews" },
            ], "hasNext": false }),
        ],
        "{}",
        fed.plan(query)
    );
    let plan = fed.plan(query);
    assert!(
        plan.contains(r#"Defer(label: "reviews", path: "users.@")"#),
        "{plan}"
    );
    assert_eq!(fed.server.requests("reviews").len(), 1);
}

#[tokio::test]
async fn a_client_without_incremental_delivery_gets_one_complete_response() {
    let fed = shop().await;
    let query = r#"{ users { id ... @defer(label: "reviews") { name reviews { body product { title } } } } }"#;
    let expected = fed.query(&without_defer(query)).await;
    assert!(expected["errors"].is_null(), "{expected}");
    assert_eq!(fed.query(query).await, expected, "{}", fed.plan(query));
}

#[tokio::test]
async fn defer_if_false_delivers_the_fragment_in_the_initial_payload() {
    let fed = shop().await;
    let query =
        r#"query ($later: Boolean!) { users { id ... @defer(if: $later) { reviews { body } } } }"#;
    let inline = fed
        .query_incremental(query, json!({ "later": false }))
        .await;
    let expected = fed
        .query(&without_defer(query).replace("($later: Boolean!)", ""))
        .await;
    assert_eq!(inline, vec![expected]);
    let deferred = fed.query_incremental(query, json!({ "later": true })).await;
    assert_eq!(deferred.len(), 2, "{deferred:?}");
    assert_eq!(assemble(&deferred), inline[0]["data"]);
}

#[tokio::test]
async fn nested_deferred_fragments_are_delivered_after_their_parent() {
    let fed = shop().await;
    let query = r#"{ users { id
        ... @defer(label: "outer") { name reviews { body ... @defer(label: "inner") { product { title } } } }
    } }"#;
    let payloads = fed.query_incremental(query, json!({})).await;
    let labels: Vec<Value> = payloads[1..]
        .iter()
        .map(|p| p["incremental"][0]["label"].clone())
        .collect();
    assert_eq!(labels, vec![json!("outer"), json!("inner")], "{payloads:?}");
    assert_eq!(payloads.last().unwrap()["hasNext"], json!(false));
    let inner_paths: Vec<Value> = payloads[2]["incremental"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].clone())
        .collect();
    assert_eq!(
        inner_paths,
        vec![
            json!(["users", 0, "reviews", 0]),
            json!(["users", 0, "reviews", 1]),
            json!(["users", 1, "reviews", 0]),
        ]
    );
    let complete = fed.query(&without_defer(query)).await;
    assert_eq!(assemble(&payloads), complete["data"]);
}

#[tokio::test]
async fn a_deferred_fragment_at_the_root_is_fetched_and_delivered_on_its_own() {
    let fed = shop().await;
    let query = r#"{ users { id } ... @defer(label: "all") { reviews { body } } }"#;
    let payloads = fed.query_incremental(query, json!({})).await;
    assert_eq!(
        payloads,
        vec![
            json!({ "data": { "users": [{ "id": "u1" }, { "id": "u2" }] }, "hasNext": true }),
            json!({ "incremental": [{
                "data": { "reviews": [{ "body": "Bright" }, { "body": "Sturdy" }, { "body": "Too bright" }] },
                "path": [],
                "label": "all",
            }], "hasNext": false }),
        ],
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn errors_of_a_deferred_fragment_arrive_with_it_and_null_stops_at_its_object() {
    let fed = shop().await;
    let query = r#"{ users { id ... @defer { karma } } }"#;
    let payloads = fed.query_incremental(query, json!({})).await;
    assert_eq!(
        payloads[0],
        json!({ "data": { "users": [{ "id": "u1" }, { "id": "u2" }] }, "hasNext": true })
    );
    let items = payloads[1]["incremental"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{payloads:?}");
    assert_eq!(
        items[0],
        json!({ "data": { "karma": 7 }, "path": ["users", 0] })
    );
    assert_eq!(items[1]["data"], Value::Null, "{payloads:?}");
    assert_eq!(items[1]["path"], json!(["users", 1]));
    assert_eq!(items[1]["errors"][0]["message"], json!("karma is private"));
    assert_eq!(items[1]["errors"][0]["path"], json!(["users", 1, "karma"]));
}

#[tokio::test]
async fn an_object_delivered_as_null_gets_no_deferred_data_and_no_fetch() {
    let fed = shop().await;
    let query = r#"{ user(id: "nobody") { id ... @defer { reviews { body } } } }"#;
    let payloads = fed.query_incremental(query, json!({})).await;
    assert_eq!(
        payloads,
        vec![
            json!({ "data": { "user": null }, "hasNext": true }),
            json!({ "hasNext": false }),
        ]
    );
    assert!(fed.server.requests("reviews").is_empty());
}

#[tokio::test]
async fn a_deferred_fragment_on_a_value_type_is_delivered_later_with_its_data_fetched_early() {
    let fed = shop().await;
    let query = r#"{ reviews { body ... @defer(label: "product") { product { upc title } } } }"#;
    let payloads = fed.query_incremental(query, json!({})).await;
    assert_eq!(
        payloads[0],
        json!({ "data": { "reviews": [{ "body": "Bright" }, { "body": "Sturdy" }, { "body": "Too bright" }] }, "hasNext": true })
    );
    assert_eq!(payloads.len(), 2, "{payloads:?}");
    let complete = fed.query(&without_defer(query)).await;
    assert_eq!(assemble(&payloads), complete["data"], "{}", fed.plan(query));
}

#[tokio::test]
async fn labels_must_be_unique_and_static_and_mutation_roots_cannot_defer() {
    let fed = shop().await;
    let cases = [
        r#"{ users { ... @defer(label: "a") { name } ... @defer(label: "a") { id } } }"#,
        r#"query ($l: String) { users { ... @defer(label: $l) { name } } }"#,
        r#"mutation { ... @defer { rename(id: "u1", name: "Ada L.") { id } } }"#,
    ];
    for query in cases {
        let body = fed.query(query).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            json!("GRAPHQL_VALIDATION_FAILED"),
            "{query}: {body}"
        );
        assert!(body.get("data").is_none(), "{query}: {body}");
    }
    assert!(fed.server.requests("accounts").is_empty());
}

#[tokio::test]
async fn a_mutation_may_defer_below_its_root_fields() {
    let fed = shop().await;
    let query =
        r#"mutation { rename(id: "u1", name: "Ada L.") { name ... @defer { reviews { body } } } }"#;
    let payloads = fed.query_incremental(query, json!({})).await;
    assert_eq!(
        payloads,
        vec![
            json!({ "data": { "rename": { "name": "Ada L." } }, "hasNext": true }),
            json!({ "incremental": [{
                "data": { "reviews": [{ "body": "Bright" }, { "body": "Sturdy" }] },
                "path": ["rename"],
            }], "hasNext": false }),
        ]
    );
}

/// The plans show each deferred fragment as a block of its own: entity
/// fetches from the parent's key, root fetches at the root, nested blocks
/// after their parent.
#[tokio::test]
async fn deferred_fragments_plan_into_blocks_of_their_own() {
    let fed = shop().await;
    let nested = r#"{ users { id ... @defer(label: "outer") { name reviews { body ... @defer(label: "inner") { product { title } } } } } }"#;
    insta::assert_snapshot!("defer_nested", fed.plan(nested), nested);
    let value_type =
        r#"{ reviews { body ... @defer(label: "product") { product { upc title } } } }"#;
    insta::assert_snapshot!("defer_value_type", fed.plan(value_type), value_type);
    let root = r#"{ users { id } ... @defer(label: "all") { reviews { body } } }"#;
    insta::assert_snapshot!("defer_root", fed.plan(root), root);
}

/// catalog returns books and movies as `Media`; ratings rates books only.
const CATALOG: &str = r#"
type Query @join__type(graph: CATALOG) @join__type(graph: RATINGS) {
  search: [Media] @join__field(graph: CATALOG)
}

interface Media @join__type(graph: CATALOG) {
  title: String
}

type Book implements Media
  @join__type(graph: CATALOG, key: "id") @join__type(graph: RATINGS, key: "id")
  @join__implements(graph: CATALOG, interface: "Media") {
  id: ID!
  title: String @join__field(graph: CATALOG)
  rating: Int @join__field(graph: RATINGS)
}

type Movie implements Media @join__type(graph: CATALOG) @join__implements(graph: CATALOG, interface: "Media") {
  title: String
}
"#;

#[tokio::test]
async fn a_deferred_fragment_on_one_member_of_an_interface_applies_to_that_member_only() {
    let catalog = Subgraph::new("catalog").root("Query.search", |_| {
        json!([
            { "__typename": "Book", "id": "b1", "title": "Dune" },
            { "__typename": "Movie", "title": "Alien" },
            { "__typename": "Book", "id": "b2", "title": "Emma" },
        ])
    });
    let ratings = Subgraph::new("ratings").entity("Book", |rep| {
        let rating = if rep["id"] == json!("b1") { 5 } else { 4 };
        json!({ "__typename": "Book", "id": rep["id"], "rating": rating })
    });
    let fed = Federation::start(CATALOG, vec![catalog, ratings]).await;
    let query = r#"{ search { title ... on Book @defer(label: "book") { rating } } }"#;
    let payloads = fed.query_incremental(query, json!({})).await;
    assert_eq!(
        payloads,
        vec![
            json!({ "data": { "search": [{ "title": "Dune" }, { "title": "Alien" }, { "title": "Emma" }] }, "hasNext": true }),
            json!({ "incremental": [
                { "data": { "rating": 5 }, "path": ["search", 0], "label": "book" },
                { "data": { "rating": 4 }, "path": ["search", 2], "label": "book" },
            ], "hasNext": false }),
        ],
        "{}",
        fed.plan(query)
    );
    assert_eq!(fed.server.requests("ratings")[0].representations().len(), 2);
}
