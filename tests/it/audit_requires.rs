//! `@requires` in the shapes of the federation gateway audit: required fields
//! with arguments (and two requirements on one field with different
//! arguments), chains of requirements across four subgraphs, and a cycle
//! where two subgraphs each require a field of the other.
//!
//! Each subgraph answers a requirement-dependent field with a field error
//! when the gateway did not send what it requires, so a plan that skips a
//! requirement fails the whole-body assertion.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::{check, row};
use crate::common::fixture_subgraph::{field_error, Federation, Resolved, Subgraph};

/// `parent[field]` when the gateway sent it, else a field error naming it.
fn sent(parent: &Value, field: &str) -> Result<Value, Resolved> {
    match parent.get(field) {
        Some(value) if !value.is_null() => Ok(value.clone()),
        _ => Err(field_error(&format!(
            "required field `{field}` was not sent"
        ))),
    }
}

/// b owns products and their prices (in a currency) and weights; a computes
/// shipping from them and rates the category from its average price.
const PRODUCT_PRICES: &str = r#"
type Category @join__type(graph: A) @join__type(graph: B) {
  averagePrice(currency: String!): Int @join__field(graph: A, external: true) @join__field(graph: B)
}

type Product @join__type(graph: A, key: "upc") @join__type(graph: B, key: "upc") {
  upc: String!
  weight: Int @join__field(graph: A, external: true) @join__field(graph: B)
  price(currency: String!): Int @join__field(graph: A, external: true) @join__field(graph: B)
  shippingEstimate: Int @join__field(graph: A, requires: "price(currency: \"USD\") weight")
  shippingEstimateEUR: Int @join__field(graph: A, requires: "price(currency: \"EUR\") weight")
  category: Category @join__field(graph: A, external: true) @join__field(graph: B)
  isExpensiveCategory: Boolean @join__field(graph: A, requires: "category { averagePrice(currency: \"USD\") }")
  name: String @join__field(graph: B)
}

type Query @join__type(graph: A) @join__type(graph: B) {
  products: [Product] @join__field(graph: B)
}
"#;

/// The product subgraphs; b doubles prices asked in EUR.
fn product_prices() -> Vec<Subgraph> {
    let products = json!([
        { "__typename": "Product", "upc": "p1", "name": "p-name-1", "price": 11, "weight": 1,
          "category": { "__typename": "Category", "averagePrice": 11 } },
        { "__typename": "Product", "upc": "p2", "name": "p-name-2", "price": 22, "weight": 2,
          "category": { "__typename": "Category", "averagePrice": 22 } },
    ]);
    let table = products.clone();
    let b = Subgraph::new("b")
        .root("Query.products", move |_| products.clone())
        .entity("Product", move |rep| row(&table, "upc", &rep["upc"]))
        .field("Product.price", |product, args| {
            let price = product["price"].as_i64().unwrap();
            match args["currency"].as_str() {
                Some("USD") => json!(price).into(),
                Some("EUR") => json!(price * 2).into(),
                other => field_error(&format!("unsupported currency {other:?}")),
            }
        });
    let shipping = |product: &Value| -> Resolved {
        let (price, weight) = match (sent(product, "price"), sent(product, "weight")) {
            (Ok(price), Ok(weight)) => (price, weight),
            (Err(e), _) | (_, Err(e)) => return e,
        };
        json!(price.as_i64().unwrap() * weight.as_i64().unwrap() * 10).into()
    };
    let a = Subgraph::new("a")
        .entity("Product", |rep| rep.clone())
        .field("Product.shippingEstimate", move |p, _| shipping(p))
        .field("Product.shippingEstimateEUR", move |p, _| shipping(p))
        .field("Product.isExpensiveCategory", |product, _| {
            match sent(product, "category").and_then(|c| sent(&c, "averagePrice")) {
                Ok(average) => json!(average.as_i64().unwrap() > 11).into(),
                Err(e) => e,
            }
        });
    vec![a, b]
}

/// audit: requires-with-argument
#[tokio::test]
async fn required_fields_with_arguments_are_fetched_with_those_arguments() {
    let fed = Federation::start(PRODUCT_PRICES, product_prices()).await;
    check!(
        &fed,
        "requires_with_argument_products",
        "{ products { upc name shippingEstimate isExpensiveCategory } }",
        json!({ "data": { "products": [
            { "upc": "p1", "name": "p-name-1", "shippingEstimate": 110, "isExpensiveCategory": false },
            { "upc": "p2", "name": "p-name-2", "shippingEstimate": 440, "isExpensiveCategory": true },
        ] } }),
    )
    .await;
}

/// audit: requires-with-argument-conflict
#[tokio::test]
async fn two_requirements_on_one_field_with_different_arguments_keep_their_own_values() {
    let fed = Federation::start(PRODUCT_PRICES, product_prices()).await;
    check!(
        &fed,
        "requires_with_argument_conflict_products",
        "{ products { upc name shippingEstimate shippingEstimateEUR isExpensiveCategory } }",
        json!({ "data": { "products": [
            { "upc": "p1", "name": "p-name-1", "shippingEstimate": 110, "shippingEstimateEUR": 220, "isExpensiveCategory": false },
            { "upc": "p2", "name": "p-name-2", "shippingEstimate": 440, "shippingEstimateEUR": 880, "isExpensiveCategory": true },
        ] } }),
    )
    .await;
}

/// c lists posts and owns comments' authors; d lists a post's comments by id
/// only and finds the post's author from the third comment's author.
const FEED_AUTHORS: &str = r#"
type Author @join__type(graph: D) {
  id: ID!
  name: String
}

type Comment @join__type(graph: C, key: "id") @join__type(graph: D, key: "id") {
  id: ID!
  authorId: ID @join__field(graph: C) @join__field(graph: D, external: true)
  body: String! @join__field(graph: C)
  date: String @join__field(graph: D)
}

type Post @join__type(graph: C, key: "id") @join__type(graph: D, key: "id") {
  id: ID!
  author: Author @join__field(graph: D, requires: "comments(limit: 3) { authorId }")
  comments(limit: Int!): [Comment] @join__field(graph: D)
}

type Query @join__type(graph: C) @join__type(graph: D) {
  feed: [Post] @join__field(graph: C)
}
"#;

fn feed_authors() -> Vec<Subgraph> {
    let comments = json!([
        { "__typename": "Comment", "id": "c1", "postId": "p1", "authorId": "a2", "body": "c1-body" },
        { "__typename": "Comment", "id": "c2", "postId": "p1", "authorId": "a2", "body": "c2-body" },
        { "__typename": "Comment", "id": "c3", "postId": "p1", "authorId": "a2", "body": "c3-body" },
        { "__typename": "Comment", "id": "c4", "postId": "p2", "authorId": "a1", "body": "c4-body" },
        { "__typename": "Comment", "id": "c5", "postId": "p2", "authorId": "a1", "body": "c5-body" },
        { "__typename": "Comment", "id": "c6", "postId": "p2", "authorId": "a1", "body": "c6-body" },
    ]);
    let c_comments = comments.clone();
    let c = Subgraph::new("c")
        .root(
            "Query.feed",
            |_| json!([{ "__typename": "Post", "id": "p1" }, { "__typename": "Post", "id": "p2" }]),
        )
        .entity("Post", |rep| json!({ "id": rep["id"] }))
        .entity("Comment", move |rep| row(&c_comments, "id", &rep["id"]));
    let d = Subgraph::new("d")
        .entity("Post", |rep| match rep.get("comments") {
            None => json!({ "id": rep["id"] }).into(),
            Some(Value::Array(sent)) if sent.len() == 3 => {
                json!({ "id": rep["id"], "authorId": sent[2]["authorId"] }).into()
            }
            Some(_) => field_error("expected 3 comments"),
        })
        .entity("Comment", |rep| json!({ "id": rep["id"] }))
        .field("Post.comments", move |post, args| {
            let limit = args["limit"].as_u64().unwrap() as usize;
            let of_post = comments.as_array().unwrap().iter();
            let of_post = of_post.filter(|c| c["postId"] == post["id"]).take(limit);
            let ids = of_post.map(|c| json!({ "__typename": "Comment", "id": c["id"] }));
            Value::Array(ids.collect())
        })
        .field("Post.author", |post, _| match sent(post, "authorId") {
            Ok(id) => {
                let name = format!("{}-name", id.as_str().unwrap());
                json!({ "__typename": "Author", "id": id, "name": name }).into()
            }
            Err(e) => e,
        });
    vec![c, d]
}

/// The feed's answer when `comments` (of the first comment of each post)
/// is asked next to `author`.
fn feed_with_first_comments() -> Value {
    json!({ "data": { "feed": [
        { "author": { "id": "a2" }, "comments": [{ "id": "c1" }] },
        { "author": { "id": "a1" }, "comments": [{ "id": "c4" }] },
    ] } })
}

/// audit: requires-with-argument
#[tokio::test]
async fn required_list_with_an_argument_does_not_clash_with_the_clients_own_arguments() {
    let fed = Federation::start(FEED_AUTHORS, feed_authors()).await;
    check!(
        &fed,
        "requires_with_argument_feed_author",
        "{ feed { author { id } } }",
        json!({ "data": { "feed": [{ "author": { "id": "a2" } }, { "author": { "id": "a1" } }] } }),
    )
    .await;
    check!(
        &fed,
        "requires_with_argument_feed_author_and_comments",
        "{ feed { author { id } comments(limit: 1) { id } } }",
        feed_with_first_comments(),
    )
    .await;
    check!(
        &fed,
        "requires_with_argument_feed_comments_by_variable_default",
        "query ($limit: Int = 1) { feed { author { id } comments(limit: $limit) { id } } }",
        feed_with_first_comments(),
    )
    .await;
    check!(
        &fed,
        "requires_with_argument_feed_comments_in_two_fragments",
        "query ($limit: Int = 1) { feed { author { id } ...Foo ...Bar } }
         fragment Foo on Post { comments(limit: $limit) { id } }
         fragment Bar on Post { comments(limit: $limit) { id } }",
        feed_with_first_comments(),
    )
    .await;
}

/// a has the (inaccessible) price, b the discount; c derives two flags from
/// them and d derives what a buyer can afford from c's flags.
const AFFORDABILITY: &str = r#"
type Product
  @join__type(graph: A, key: "id") @join__type(graph: B, key: "id")
  @join__type(graph: C, key: "id") @join__type(graph: D, key: "id")
{
  id: ID!
  price: Float! @inaccessible @join__field(graph: A) @join__field(graph: C, external: true)
  hasDiscount: Boolean! @join__field(graph: B) @join__field(graph: C, external: true)
  isExpensive: Boolean! @join__field(graph: C, requires: "price") @join__field(graph: D, external: true)
  isExpensiveWithDiscount: Boolean! @join__field(graph: C, requires: "hasDiscount") @join__field(graph: D, external: true)
  canAfford: Boolean! @join__field(graph: D, requires: "isExpensive")
  canAffordWithDiscount: Boolean! @join__field(graph: D, requires: "isExpensiveWithDiscount")
}

type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) @join__type(graph: D) {
  product: Product @join__field(graph: B)
}
"#;

fn affordability() -> Vec<Subgraph> {
    let a = Subgraph::new("a").entity("Product", |rep| json!({ "id": rep["id"], "price": 699.99 }));
    let b = Subgraph::new("b")
        .root(
            "Query.product",
            |_| json!({ "__typename": "Product", "id": "p1", "hasDiscount": true }),
        )
        .entity(
            "Product",
            |rep| json!({ "id": rep["id"], "hasDiscount": true }),
        );
    let c = Subgraph::new("c")
        .entity("Product", |rep| rep.clone())
        .field("Product.isExpensive", |p, _| match sent(p, "price") {
            Ok(price) => json!(price.as_f64().unwrap() > 500.0).into(),
            Err(e) => e,
        })
        .field("Product.isExpensiveWithDiscount", |p, _| {
            match sent(p, "hasDiscount") {
                Ok(discount) => json!(!discount.as_bool().unwrap()).into(),
                Err(e) => e,
            }
        });
    let d = Subgraph::new("d")
        .entity("Product", |rep| rep.clone())
        .field("Product.canAfford", |p, _| match sent(p, "isExpensive") {
            Ok(expensive) => json!(!expensive.as_bool().unwrap()).into(),
            Err(e) => e,
        })
        .field("Product.canAffordWithDiscount", |p, _| {
            match sent(p, "isExpensiveWithDiscount") {
                Ok(expensive) => json!(!expensive.as_bool().unwrap()).into(),
                Err(e) => e,
            }
        });
    vec![a, b, c, d]
}

/// audit: requires-requires
#[tokio::test]
async fn requirement_that_itself_requires_runs_its_whole_chain_first() {
    let fed = Federation::start(AFFORDABILITY, affordability()).await;
    let cases = [
        (
            "can_afford",
            "{ product { canAfford } }",
            json!({ "canAfford": false }),
        ),
        (
            "is_expensive",
            "{ product { isExpensive } }",
            json!({ "isExpensive": true }),
        ),
        (
            "is_expensive_and_can_afford",
            "{ product { isExpensive canAfford } }",
            json!({ "isExpensive": true, "canAfford": false }),
        ),
        (
            "can_afford_with_discount",
            "{ product { canAffordWithDiscount } }",
            json!({ "canAffordWithDiscount": true }),
        ),
        (
            "both_chains",
            "{ product { canAfford canAffordWithDiscount } }",
            json!({ "canAfford": false, "canAffordWithDiscount": true }),
        ),
    ];
    for (name, query, product) in cases {
        let name = format!("requires_requires_{name}");
        check!(
            &fed,
            &name,
            query,
            json!({ "data": { "product": product } }),
        )
        .await;
    }
}

/// a lists posts and owns authors; b knows each post's author and derives
/// `byNovice` from a's years of experience; a derives `byExpert` from b's
/// `byNovice`. Each subgraph requires a field of the other.
const NOVICES_AND_EXPERTS: &str = r#"
type Author @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String! @join__field(graph: A)
  yearsOfExperience: Int! @join__field(graph: A) @join__field(graph: B, external: true)
}

type Post @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  byNovice: Boolean! @join__field(graph: A, external: true) @join__field(graph: B, requires: "author { yearsOfExperience }")
  byExpert: Boolean! @join__field(graph: A, requires: "byNovice")
  author: Author! @join__field(graph: B)
}

type Query @join__type(graph: A) @join__type(graph: B) {
  feed: [Post] @join__field(graph: A)
}
"#;

fn novices_and_experts() -> Vec<Subgraph> {
    let authors = json!([
        { "__typename": "Author", "id": "a1", "name": "John", "yearsOfExperience": 5 },
        { "__typename": "Author", "id": "a2", "name": "Jane", "yearsOfExperience": 20 },
    ]);
    let a = Subgraph::new("a")
        .root(
            "Query.feed",
            |_| json!([{ "__typename": "Post", "id": "p1" }, { "__typename": "Post", "id": "p2" }]),
        )
        .entity("Post", |rep| rep.clone())
        .entity("Author", move |rep| row(&authors, "id", &rep["id"]))
        .field("Post.byExpert", |post, _| match sent(post, "byNovice") {
            Ok(novice) => json!(!novice.as_bool().unwrap()).into(),
            Err(e) => e,
        });
    let b = Subgraph::new("b")
        .entity("Post", |rep| {
            let author_id = if rep["id"] == "p1" { "a1" } else { "a2" };
            let mut author = json!({ "__typename": "Author", "id": author_id });
            if let Some(sent) = rep["author"].as_object() {
                author.as_object_mut().unwrap().extend(sent.clone());
            }
            json!({ "id": rep["id"], "author": author })
        })
        .field("Post.byNovice", |post, _| {
            match sent(&post["author"], "yearsOfExperience") {
                Ok(years) => json!(years.as_i64().unwrap() < 10).into(),
                Err(e) => e,
            }
        });
    vec![a, b]
}

/// audit: requires-circular
#[tokio::test]
async fn requirements_in_both_directions_between_two_subgraphs_resolve() {
    let fed = Federation::start(NOVICES_AND_EXPERTS, novices_and_experts()).await;
    check!(
        &fed,
        "requires_circular_by_novice",
        "{ feed { byNovice } }",
        json!({ "data": { "feed": [{ "byNovice": true }, { "byNovice": false }] } }),
    )
    .await;
    check!(
        &fed,
        "requires_circular_by_expert",
        "{ feed { byExpert } }",
        json!({ "data": { "feed": [{ "byExpert": false }, { "byExpert": true }] } }),
    )
    .await;
}
