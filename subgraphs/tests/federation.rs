//! Each demo subgraph over HTTP: root fields, `_service { sdl }`, `_entities` (unknown
//! keys, `@requires`, `@provides`), GraphiQL, and the server's lifecycle.

#![allow(clippy::unwrap_used)]

mod common;

use common::Harness;
use junction_subgraphs::{sdl, SUBGRAPH_NAMES};
use serde_json::{json, Value};

#[tokio::test]
async fn service_sdl_is_the_exported_sdl() {
    let harness = Harness::start().await;
    for name in SUBGRAPH_NAMES {
        let data = harness.data(name, "{ _service { sdl } }", json!({})).await;
        assert_eq!(data["_service"]["sdl"], json!(sdl(name).unwrap()), "{name}");
    }
}

#[tokio::test]
async fn accounts_answers_me_and_user() {
    let harness = Harness::start().await;
    let data = harness
        .data(
            "accounts",
            r#"{ me { id name username } user(id: "4") { id name username } nobody: user(id: "99") { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({
            "me": { "id": "1", "name": "Uri Goldshtein", "username": "urigo" },
            "user": { "id": "4", "name": "Arda Tanrikulu", "username": "ardatan" },
            "nobody": null,
        })
    );
}

#[tokio::test]
async fn accounts_lists_every_user_with_a_birthday() {
    let harness = Harness::start().await;
    let data = harness
        .data("accounts", "{ users { id birthday } }", json!({}))
        .await;
    let users = data["users"].as_array().unwrap();
    let ids: Vec<&str> = users.iter().map(|u| u["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6"]);
    assert!(users.iter().all(|user| user["birthday"].is_i64()));
}

#[tokio::test]
async fn top_products_lists_the_first_n_products() {
    let harness = Harness::start().await;
    let data = harness
        .data(
            "products",
            "{ two: topProducts(first: 2) { upc name } five: topProducts { upc } all: topProducts(first: 100) { upc } none: topProducts(first: -1) { upc } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({
            "two": [{ "upc": "1", "name": "Table" }, { "upc": "2", "name": "Couch" }],
            "five": [{ "upc": "1" }, { "upc": "2" }, { "upc": "3" }, { "upc": "4" }, { "upc": "5" }],
            "all": [
                { "upc": "1" }, { "upc": "2" }, { "upc": "3" }, { "upc": "4" },
                { "upc": "5" }, { "upc": "6" }, { "upc": "7" },
            ],
            "none": [],
        })
    );
}

#[tokio::test]
async fn unknown_keys_resolve_to_null_entities() {
    let harness = Harness::start().await;
    let user = vec![json!({ "__typename": "User", "id": "99" })];
    let product = vec![json!({ "__typename": "Product", "upc": "99" })];
    let review = vec![json!({ "__typename": "Review", "id": "99" })];
    assert_eq!(
        harness
            .entities("accounts", "User", user.clone(), "id")
            .await,
        [Value::Null]
    );
    assert_eq!(
        harness
            .entities("products", "Product", product.clone(), "upc")
            .await,
        [Value::Null]
    );
    assert_eq!(
        harness
            .entities("inventory", "Product", product.clone(), "inStock")
            .await,
        [Value::Null]
    );
    assert_eq!(
        harness.entities("reviews", "Review", review, "id").await,
        [Value::Null]
    );
    // To reviews any key is a user or a product; one nobody reviewed has no reviews.
    assert_eq!(
        harness
            .entities("reviews", "User", user, "id reviews { id }")
            .await,
        [json!({ "id": "99", "reviews": [] })]
    );
    assert_eq!(
        harness
            .entities("reviews", "Product", product, "upc reviews { id }")
            .await,
        [json!({ "upc": "99", "reviews": [] })]
    );
}

#[tokio::test]
async fn entities_answer_in_representation_order() {
    let harness = Harness::start().await;
    let keys = ["3", "1", "3"].map(|id| json!({ "__typename": "User", "id": id }));
    let users = harness
        .entities("accounts", "User", keys.to_vec(), "id username")
        .await;
    assert_eq!(
        users,
        [
            json!({ "id": "3", "username": "kamilkisiela" }),
            json!({ "id": "1", "username": "urigo" }),
            json!({ "id": "3", "username": "kamilkisiela" }),
        ]
    );
}

fn priced(upc: &str, price: Value, weight: Value) -> Value {
    json!({ "__typename": "Product", "upc": upc, "price": price, "weight": weight })
}

#[tokio::test]
async fn shipping_estimate_is_computed_from_the_representation() {
    let harness = Harness::start().await;
    let representations = vec![
        // Delivered products: free above a price of 1000, else half the weight.
        priced("6", json!(4999), json!(300)),
        priced("7", json!(250), json!(400)),
        // The representation's price and weight count, not the catalog's.
        priced("7", json!(1001), json!(400)),
        priced("6", json!(999), json!(300)),
        // Unknown price or weight.
        priced("7", Value::Null, json!(400)),
        priced("7", json!(250), Value::Null),
        // The benchmark's products are pickup only.
        priced("1", json!(899), json!(100)),
        priced("2", json!(1299), json!(1000)),
    ];
    let estimates: Vec<Value> = harness
        .entities("inventory", "Product", representations, "shippingEstimate")
        .await
        .into_iter()
        .map(|mut product| product["shippingEstimate"].take())
        .collect();
    assert_eq!(
        estimates,
        [
            json!(0),
            json!(200),
            json!(0),
            json!(150),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null
        ]
    );
}

#[tokio::test]
async fn shipping_estimate_without_required_fields_is_an_error() {
    let harness = Harness::start().await;
    let query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { inStock shippingEstimate } } }";
    let response = harness
        .request(
            "inventory",
            query,
            json!({ "r": [{ "__typename": "Product", "upc": "6" }] }),
        )
        .await;
    // No estimate, whether the field is null or left out of the entity.
    let entity = &response["data"]["_entities"][0];
    assert_eq!(entity["inStock"], json!(true));
    assert_eq!(entity["shippingEstimate"], Value::Null);
    assert_eq!(
        response["errors"][0]["message"],
        json!("shippingEstimate requires `price` and `weight` in the Product representation")
    );

    // Without shippingEstimate, the key alone is enough.
    let stock = harness
        .entities(
            "inventory",
            "Product",
            vec![json!({ "__typename": "Product", "upc": "6" })],
            "upc inStock",
        )
        .await;
    assert_eq!(stock, [json!({ "upc": "6", "inStock": true })]);
}

#[tokio::test]
async fn provided_usernames_match_accounts() {
    let harness = Harness::start().await;
    let accounts = harness
        .data("accounts", "{ users { id username } }", json!({}))
        .await;
    let username_of = |id: &Value| {
        let users = accounts["users"].as_array().unwrap();
        let user = users.iter().find(|user| user["id"] == *id).unwrap();
        user["username"].clone()
    };

    let keys = (1..=11).map(|id| json!({ "__typename": "Review", "id": id.to_string() }));
    let reviews = harness
        .entities(
            "reviews",
            "Review",
            keys.collect(),
            "author { id username }",
        )
        .await;
    for review in &reviews {
        let author = &review["author"];
        assert_eq!(author["username"], username_of(&author["id"]));
    }

    let keys = accounts["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|user| json!({ "__typename": "User", "id": user["id"] }));
    let users = harness
        .entities("reviews", "User", keys.collect(), "id username")
        .await;
    for user in &users {
        assert_eq!(user["username"], username_of(&user["id"]));
    }
}

#[tokio::test]
async fn reviews_list_by_product_and_by_user() {
    let harness = Harness::start().await;
    let products =
        ["1", "2", "3", "4", "5"].map(|upc| json!({ "__typename": "Product", "upc": upc }));
    let products = harness
        .entities("reviews", "Product", products.to_vec(), "reviews { id }")
        .await;
    let ids: Vec<Value> = products
        .iter()
        .map(|product| {
            let reviews = product["reviews"].as_array().unwrap();
            reviews.iter().map(|review| review["id"].clone()).collect()
        })
        .collect();
    assert_eq!(
        Value::Array(ids),
        json!([
            ["1", "2", "3", "4"],
            ["5", "6", "7", "8"],
            ["9"],
            ["10", "11"],
            []
        ])
    );

    let user = vec![json!({ "__typename": "User", "id": "6" })];
    let reviews = harness
        .entities(
            "reviews",
            "User",
            user,
            "reviews { id product { upc } author { id } }",
        )
        .await;
    assert_eq!(
        reviews,
        [json!({ "reviews": [
            { "id": "1", "product": { "upc": "1" }, "author": { "id": "1" } },
            { "id": "2", "product": { "upc": "1" }, "author": { "id": "1" } },
        ] })]
    );
}

#[tokio::test]
async fn graphiql_is_served_on_get() {
    let harness = Harness::start().await;
    for name in SUBGRAPH_NAMES {
        let response = harness
            .http
            .get(harness.subgraphs.url(name))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{name}");
        let page = response.text().await.unwrap();
        assert!(page.contains("graphiql"), "{name}");
    }
}

#[tokio::test]
async fn url_names_the_subgraph_path() {
    let harness = Harness::start().await;
    let addr = harness.subgraphs.addr();
    assert_ne!(addr.port(), 0);
    assert_eq!(
        harness.subgraphs.url("reviews"),
        format!("http://127.0.0.1:{}/reviews", addr.port())
    );
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let harness = Harness::start().await;
    let url = harness.subgraphs.url("accounts");
    harness.subgraphs.shutdown();
    // A fresh client, so no pooled connection outlives the server.
    let client = reqwest::Client::new();
    let mut refused = false;
    for _ in 0..50 {
        let sent = client
            .post(&url)
            .json(&json!({ "query": "{ me { id } }" }))
            .send()
            .await;
        if sent.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused, "still serving after shutdown");
}
