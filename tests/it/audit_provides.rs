//! `@provides` and `@external` in the shapes of the federation gateway
//! audit: a provided field next to `@requires` chains, nested provided
//! selections, provided fields of interface and union members, and an
//! extension whose `@external` key is owned elsewhere.
//!
//! Subgraphs whose entity or root resolvers a good plan does not need
//! answer with "poor plan" field errors, so a plan that ignores a
//! `@provides` fails the whole-body assertion.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::{check, row};
use crate::common::fixture_subgraph::{field_error, Federation, Resolved, Subgraph};

/// The rows of `table` whose `field` equals `value`.
fn rows(table: &Value, field: &str, value: &Value) -> Value {
    let all = table.as_array().unwrap().iter();
    Value::Array(all.filter(|r| &r[field] == value).cloned().collect())
}

/// What a resolver a good plan never calls answers.
fn poor_plan() -> Resolved {
    field_error("poor plan: this resolver should not be called")
}

/// accounts, products, inventory and reviews: inventory requires products'
/// price and weight, reviews provides authors' usernames.
const SHOP: &str = r#"
type Product @join__type(graph: INVENTORY, key: "upc") @join__type(graph: PRODUCTS, key: "upc") @join__type(graph: REVIEWS, key: "upc") {
  upc: String!
  weight: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
  price: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
  inStock: Boolean @join__field(graph: INVENTORY)
  shippingEstimate: Int @join__field(graph: INVENTORY, requires: "price weight")
  shippingEstimateTag: String @join__field(graph: INVENTORY, requires: "price weight")
  name: String @join__field(graph: PRODUCTS)
  reviews: [Review] @join__field(graph: REVIEWS)
}

type Query @join__type(graph: ACCOUNTS) @join__type(graph: INVENTORY) @join__type(graph: PRODUCTS) @join__type(graph: REVIEWS) {
  me: User @join__field(graph: ACCOUNTS)
  products: [Product] @join__field(graph: PRODUCTS)
}

type Review @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  body: String
  author: User @join__field(graph: REVIEWS, provides: "username")
  product: Product
}

type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  name: String @join__field(graph: ACCOUNTS)
  username: String @join__field(graph: ACCOUNTS) @join__field(graph: REVIEWS, external: true)
  reviews: [Review] @join__field(graph: REVIEWS)
}
"#;

fn shop() -> Vec<Subgraph> {
    let users = json!([
        { "__typename": "User", "id": "u1", "username": "u-username-1", "name": "u-name-1" },
        { "__typename": "User", "id": "u2", "username": "u-username-2", "name": "u-name-2" },
    ]);
    let products = json!([
        { "__typename": "Product", "upc": "p1", "name": "p-name-1", "price": 11, "weight": 1 },
        { "__typename": "Product", "upc": "p2", "name": "p-name-2", "price": 22, "weight": 2 },
    ]);
    let reviews = json!([
        { "__typename": "Review", "id": "r1", "body": "r-body-1", "authorId": "u1", "productUpc": "p1" },
        { "__typename": "Review", "id": "r2", "body": "r-body-2", "authorId": "u1", "productUpc": "p2" },
    ]);
    let (me, by_id) = (users[0].clone(), users.clone());
    let accounts = Subgraph::new("accounts")
        .root("Query.me", move |_| me.clone())
        .entity("User", move |rep| row(&by_id, "id", &rep["id"]));
    let (list, by_upc) = (products.clone(), products);
    let products = Subgraph::new("products")
        .root("Query.products", move |_| list.clone())
        .entity("Product", move |rep| row(&by_upc, "upc", &rep["upc"]));
    let estimate = |product: &Value| match (product["price"].as_i64(), product["weight"].as_i64()) {
        (Some(price), Some(weight)) => Ok(price * weight * 10),
        _ => Err(field_error("requirement not sent: price weight")),
    };
    let inventory = Subgraph::new("inventory")
        .entity("Product", |rep| rep.clone())
        .field("Product.inStock", |product, _| {
            json!(product["upc"] == "p1")
        })
        .field("Product.shippingEstimate", move |product, _| {
            estimate(product).map_or_else(|e| e, |n| json!(n).into())
        })
        .field("Product.shippingEstimateTag", move |product, _| {
            let tag = |n| json!(format!("#{}#{n}#", product["upc"].as_str().unwrap()));
            estimate(product).map_or_else(|e| e, |n| tag(n).into())
        });
    let (by_id, of_user, of_product) = (reviews.clone(), reviews.clone(), reviews);
    let reviews = Subgraph::new("reviews")
        .entity("Review", move |rep| row(&by_id, "id", &rep["id"]))
        .entity("User", |rep| json!({ "id": rep["id"] }))
        .entity("Product", |rep| json!({ "upc": rep["upc"] }))
        .field("Review.author", move |review, _| {
            let user = row(&users, "id", &review["authorId"]);
            json!({ "__typename": "User", "id": user["id"], "username": user["username"] })
        })
        .field(
            "Review.product",
            |review, _| json!({ "__typename": "Product", "upc": review["productUpc"] }),
        )
        .field("User.reviews", move |user, _| {
            rows(&of_user, "authorId", &user["id"])
        })
        .field("Product.reviews", move |product, _| {
            rows(&of_product, "productUpc", &product["upc"])
        });
    vec![accounts, inventory, products, reviews]
}

/// audit: simple-requires-provides
#[tokio::test]
async fn provided_username_and_required_price_and_weight_from_the_users_side() {
    let fed = Federation::start(SHOP, shop()).await;
    let me = |reviews: Value| json!({ "data": { "me": { "reviews": reviews } } });
    check!(
        &fed,
        "simple_requires_provides_me",
        "{ me { id } }",
        json!({ "data": { "me": { "id": "u1" } } }),
    )
    .await;
    check!(
        &fed,
        "simple_requires_provides_my_review_ids",
        "{ me { id reviews { id } } }",
        json!({ "data": { "me": { "id": "u1", "reviews": [{ "id": "r1" }, { "id": "r2" }] } } }),
    )
    .await;
    let author = json!({ "id": "u1", "username": "u-username-1" });
    check!(
        &fed,
        "simple_requires_provides_my_reviews_with_author_and_stock",
        "{ me { reviews { id author { id username } product { inStock } } } }",
        me(json!([
            { "id": "r1", "author": author, "product": { "inStock": true } },
            { "id": "r2", "author": author, "product": { "inStock": false } },
        ])),
    )
    .await;
    check!(
        &fed,
        "simple_requires_provides_reviewed_products_reviews",
        "{ me { reviews { product { reviews { id } } } } }",
        me(json!([
            { "product": { "reviews": [{ "id": "r1" }] } },
            { "product": { "reviews": [{ "id": "r2" }] } },
        ])),
    )
    .await;
    check!(
        &fed,
        "simple_requires_provides_reviewed_products_stock",
        "{ me { reviews { product { inStock } } } }",
        me(json!([{ "product": { "inStock": true } }, { "product": { "inStock": false } }])),
    )
    .await;
    check!(
        &fed,
        "simple_requires_provides_reviewed_products_estimate",
        "{ me { reviews { product { shippingEstimate } } } }",
        me(json!([{ "product": { "shippingEstimate": 110 } }, { "product": { "shippingEstimate": 440 } }])),
    )
    .await;
    check!(
        &fed,
        "simple_requires_provides_reviewed_products_estimate_and_tag",
        "{ me { reviews { product { shippingEstimate shippingEstimateTag } } } }",
        me(json!([
            { "product": { "shippingEstimate": 110, "shippingEstimateTag": "#p1#110#" } },
            { "product": { "shippingEstimate": 440, "shippingEstimateTag": "#p2#440#" } },
        ])),
    )
    .await;
}

/// audit: simple-requires-provides
#[tokio::test]
async fn provided_username_and_required_price_and_weight_from_the_products_side() {
    let fed = Federation::start(SHOP, shop()).await;
    let products = |list: Value| json!({ "data": { "products": list } });
    let cases = [
        (
            "names",
            "{ products { name } }",
            products(json!([{ "name": "p-name-1" }, { "name": "p-name-2" }])),
        ),
        (
            "prices",
            "{ products { price } }",
            products(json!([{ "price": 11 }, { "price": 22 }])),
        ),
        (
            "estimates",
            "{ products { shippingEstimate } }",
            products(json!([{ "shippingEstimate": 110 }, { "shippingEstimate": 440 }])),
        ),
        (
            "estimates_with_their_inputs",
            "{ products { shippingEstimate weight price } }",
            products(json!([
                { "shippingEstimate": 110, "weight": 1, "price": 11 },
                { "shippingEstimate": 440, "weight": 2, "price": 22 },
            ])),
        ),
        (
            "reviews_with_author_and_product",
            "{ products { reviews { id author { username } product { name shippingEstimate } } } }",
            products(json!([
                { "reviews": [{ "id": "r1", "author": { "username": "u-username-1" },
                                "product": { "name": "p-name-1", "shippingEstimate": 110 } }] },
                { "reviews": [{ "id": "r2", "author": { "username": "u-username-1" },
                                "product": { "name": "p-name-2", "shippingEstimate": 440 } }] },
            ])),
        ),
    ];
    for (name, query, expected) in cases {
        check!(
            &fed,
            &format!("simple_requires_provides_products_{name}"),
            query,
            expected,
        )
        .await;
    }
}

/// Only category's `products` provides categories with their names and
/// subcategories; every other way to reach them is a poor plan.
const NESTED_PROVIDES: &str = r#"
type Category @join__type(graph: CATEGORY, key: "id") @join__type(graph: SUBCATEGORIES, key: "id") {
  id: ID!
  name: String @join__field(graph: CATEGORY)
  subCategories: [Category] @join__field(graph: CATEGORY, external: true) @join__field(graph: SUBCATEGORIES)
}

type Product @join__type(graph: ALL_PRODUCTS, key: "id") @join__type(graph: CATEGORY, key: "id") @join__type(graph: SUBCATEGORIES, key: "id") {
  id: ID!
  categories: [Category] @join__field(graph: CATEGORY, external: true) @join__field(graph: SUBCATEGORIES)
}

type Query @join__type(graph: ALL_PRODUCTS) @join__type(graph: CATEGORY) @join__type(graph: SUBCATEGORIES) {
  products: [Product] @join__field(graph: CATEGORY, provides: "categories { id name subCategories { id name } }")
}
"#;

fn nested_provides() -> Vec<Subgraph> {
    let category = |id: &str, subcategory: Value| {
        let name = format!("Category {}", &id[1..]);
        json!({ "__typename": "Category", "id": id, "name": name, "subCategories": [subcategory] })
    };
    let leaf = |id: &str| json!({ "__typename": "Category", "id": id, "name": format!("Category {}", &id[1..]) });
    let (c1, c2, c3) = (
        category("c1", leaf("c2")),
        category("c2", leaf("c3")),
        category("c3", leaf("c1")),
    );
    let products = json!([
        { "__typename": "Product", "id": "p1", "categories": [c1, c2] },
        { "__typename": "Product", "id": "p2", "categories": [c3, c2] },
    ]);
    let all_products = Subgraph::new("all_products").entity("Product", |_| poor_plan());
    let category = Subgraph::new("category")
        .root("Query.products", move |_| products.clone())
        .entity("Product", |_| poor_plan())
        .entity("Category", |_| poor_plan());
    let subcategories = Subgraph::new("subcategories")
        .entity("Product", |_| poor_plan())
        .entity("Category", |rep| json!({ "id": rep["id"] }))
        .field("Category.subCategories", |category, _| {
            let next = match category["id"].as_str() {
                Some("c1") => "c2",
                Some("c2") => "c3",
                _ => "c1",
            };
            json!([{ "__typename": "Category", "id": next }])
        });
    vec![all_products, category, subcategories]
}

/// audit: nested-provides
#[tokio::test]
async fn nested_provided_selection_is_answered_by_the_providing_root_field_alone() {
    let fed = Federation::start(NESTED_PROVIDES, nested_provides()).await;
    let named = |id: &str| json!({ "id": id, "name": format!("Category {}", &id[1..]) });
    check!(
        &fed,
        "nested_provides_categories",
        "{ products { id categories { id name } } }",
        json!({ "data": { "products": [
            { "id": "p1", "categories": [named("c1"), named("c2")] },
            { "id": "p2", "categories": [named("c3"), named("c2")] },
        ] } }),
    )
    .await;
    let with_sub = |id: &str, sub: &str| {
        let mut category = named(id);
        category["subCategories"] = json!([named(sub)]);
        category
    };
    check!(
        &fed,
        "nested_provides_categories_and_subcategories",
        "{ products { id categories { id name subCategories { id name } } } }",
        json!({ "data": { "products": [
            { "id": "p1", "categories": [with_sub("c1", "c2"), with_sub("c2", "c3")] },
            { "id": "p2", "categories": [with_sub("c3", "c1"), with_sub("c2", "c3")] },
        ] } }),
    )
    .await;
}
