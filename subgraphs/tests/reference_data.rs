//! The benchmark's heavy query (`tests/fixtures/heavy_query.graphql`), resolved by hand
//! across the four subgraphs the way a federation gateway would, gives back
//! `tests/fixtures/heavy_response.json` byte for byte.
//!
//! The "gateway" here knows this one query: root fields first, then one `_entities` call
//! per subgraph and type with deduplicated representations, `@provides` honoured (authors'
//! usernames come from reviews) and `@requires` honoured (inventory gets price and weight
//! from products).

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::Harness;
use serde_json::{json, Map, Value};

const HEAVY_RESPONSE: &str = include_str!("../../tests/fixtures/heavy_response.json");

/// What reviews resolves below a product: its reviews, their authors (username provided),
/// the authors' reviews and those reviews' products (key only).
const PRODUCT_REVIEWS: &str =
    "reviews { id body author { id username reviews { id body product { upc } } } }";

#[tokio::test]
async fn heavy_query_resolves_to_the_reference_response() {
    let harness = Harness::start().await;

    // Root fields.
    let users = list(
        harness
            .data("accounts", "{ users { id username name } }", json!({}))
            .await["users"]
            .take(),
    );
    let top_products = list(
        harness
            .data(
                "products",
                "{ topProducts { upc name price weight } }",
                json!({}),
            )
            .await["topProducts"]
            .take(),
    );

    // Reviews below the users and below the top products.
    let user_keys = users.iter().map(|user| key("User", "id", &user["id"]));
    let user_reviews = harness
        .entities(
            "reviews",
            "User",
            user_keys.collect(),
            &format!("reviews {{ id body product {{ upc {PRODUCT_REVIEWS} }} }}"),
        )
        .await;
    let top_keys = top_products
        .iter()
        .map(|product| key("Product", "upc", &product["upc"]));
    let top_reviews = harness
        .entities("reviews", "Product", top_keys.collect(), PRODUCT_REVIEWS)
        .await;

    // Every product and author met on the way, each fetched once.
    let mut upcs = BTreeSet::new();
    let mut author_ids = BTreeSet::new();
    for value in user_reviews.iter().chain(&top_reviews) {
        collect_keys(value, &mut upcs, &mut author_ids);
    }
    upcs.extend(top_products.iter().map(|product| as_str(&product["upc"])));
    let resolved = Resolved {
        products: fetch_products(&harness, &upcs).await,
        names: fetch_names(&harness, &author_ids).await,
    };
    for product in &top_products {
        let full = &resolved.products[&as_str(&product["upc"])];
        for field in ["name", "price", "weight"] {
            assert_eq!(product[field], full[field], "topProducts {field}");
        }
    }

    // The response, in the order the query selects fields.
    let users: Vec<Value> = users
        .iter()
        .zip(&user_reviews)
        .map(|(user, entity)| {
            let reviews = items(&entity["reviews"]).map(|review| {
                let product = &review["product"];
                let mut full = resolved.product(&product["upc"]);
                full.insert(
                    "reviews".into(),
                    resolved.reviews_with_authors(&product["reviews"]),
                );
                json!({ "id": review["id"], "body": review["body"], "product": full })
            });
            json!({
                "id": user["id"],
                "username": user["username"],
                "name": user["name"],
                "reviews": reviews.collect::<Vec<_>>(),
            })
        })
        .collect();
    let top_products: Vec<Value> = top_products
        .iter()
        .zip(&top_reviews)
        .map(|(product, entity)| {
            let mut full = resolved.product(&product["upc"]);
            full.insert(
                "reviews".into(),
                resolved.reviews_with_authors(&entity["reviews"]),
            );
            Value::Object(full)
        })
        .collect();
    let response = json!({ "data": { "users": users, "topProducts": top_products } });

    let expected: Value = serde_json::from_str(HEAVY_RESPONSE).unwrap();
    assert_eq!(response, expected);
    // Field order too: the fixture is compact JSON in selection order.
    assert_eq!(
        serde_json::to_string(&response).unwrap(),
        HEAVY_RESPONSE.trim_end()
    );
}

/// The entities the assembly draws on, by key.
struct Resolved {
    /// Every field of the `Product` fragment, by upc.
    products: BTreeMap<String, Map<String, Value>>,
    /// Authors' names (accounts), by id.
    names: BTreeMap<String, Value>,
}

impl Resolved {
    fn product(&self, upc: &Value) -> Map<String, Value> {
        self.products[&as_str(upc)].clone()
    }

    fn reviews_with_authors(&self, reviews: &Value) -> Value {
        let reviews = items(reviews).map(|review| {
            let author = &review["author"];
            let authored = items(&author["reviews"]).map(|authored| {
                json!({
                    "id": authored["id"],
                    "body": authored["body"],
                    "product": self.product(&authored["product"]["upc"]),
                })
            });
            json!({
                "id": review["id"],
                "body": review["body"],
                "author": {
                    "id": author["id"],
                    "username": author["username"],
                    "name": self.names[&as_str(&author["id"])],
                    "reviews": authored.collect::<Vec<_>>(),
                },
            })
        });
        Value::Array(reviews.collect())
    }
}

/// Name, price and weight from products, then stock and shipping from inventory, which
/// `@requires` price and weight.
async fn fetch_products(
    harness: &Harness,
    upcs: &BTreeSet<String>,
) -> BTreeMap<String, Map<String, Value>> {
    let keys = upcs.iter().map(|upc| key("Product", "upc", &json!(upc)));
    let catalog = harness
        .entities(
            "products",
            "Product",
            keys.collect(),
            "upc name price weight",
        )
        .await;
    let representations = catalog
        .iter()
        .map(|product| {
            json!({
                "__typename": "Product",
                "upc": product["upc"],
                "price": product["price"],
                "weight": product["weight"],
            })
        })
        .collect();
    let stock = harness
        .entities(
            "inventory",
            "Product",
            representations,
            "inStock shippingEstimate",
        )
        .await;
    upcs.iter()
        .zip(catalog.iter().zip(&stock))
        .map(|(upc, (product, stock))| {
            let fragment = json!({
                "inStock": stock["inStock"],
                "name": product["name"],
                "price": product["price"],
                "shippingEstimate": stock["shippingEstimate"],
                "upc": product["upc"],
                "weight": product["weight"],
            });
            (upc.clone(), object(fragment))
        })
        .collect()
}

async fn fetch_names(harness: &Harness, ids: &BTreeSet<String>) -> BTreeMap<String, Value> {
    let keys = ids.iter().map(|id| key("User", "id", &json!(id)));
    let users = harness
        .entities("accounts", "User", keys.collect(), "name")
        .await;
    ids.iter()
        .zip(users)
        .map(|(id, mut user)| (id.clone(), user["name"].take()))
        .collect()
}

/// Gathers the upcs of every `product` and the ids of every `author` below `value`.
fn collect_keys(value: &Value, upcs: &mut BTreeSet<String>, author_ids: &mut BTreeSet<String>) {
    match value {
        Value::Object(fields) => {
            if let Some(product) = fields.get("product") {
                upcs.insert(as_str(&product["upc"]));
            }
            if let Some(author) = fields.get("author") {
                author_ids.insert(as_str(&author["id"]));
            }
            fields
                .values()
                .for_each(|value| collect_keys(value, upcs, author_ids));
        }
        Value::Array(values) => values
            .iter()
            .for_each(|value| collect_keys(value, upcs, author_ids)),
        _ => {}
    }
}

fn key(typename: &str, field: &str, value: &Value) -> Value {
    json!({ "__typename": typename, field: value })
}

fn list(value: Value) -> Vec<Value> {
    match value {
        Value::Array(values) => values,
        other => panic!("not a list: {other}"),
    }
}

fn items(value: &Value) -> impl Iterator<Item = &Value> {
    value.as_array().unwrap().iter()
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(fields) => fields,
        other => panic!("not an object: {other}"),
    }
}

fn as_str(value: &Value) -> String {
    value.as_str().unwrap().to_owned()
}
