//! Mutations in the shape of the federation gateway audit: a mutation
//! result completed by an entity call (whose subgraph forgets a product
//! once it resolved it, so the gateway must ask once), mutation fields of
//! three subgraphs run strictly in document order on shared state, and a
//! shareable mutation field that must run exactly once.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::common::audit_helpers::check;
use crate::common::fixture_subgraph::{field_error, Federation, Resolved, Subgraph};

/// a adds and lists products, adds categories and multiplies numbers; b
/// knows products' availability (and requires their price to rate them),
/// adds categories and deletes numbers; c adds to numbers.
const SHOP: &str = r#"
input AddProductInput @join__type(graph: A) {
  name: String!
  price: Float!
}

type Category @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String! @join__field(graph: B)
}

type Mutation @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  addProduct(input: AddProductInput!): Product! @join__field(graph: A)
  addCategory(name: String!, requestId: String!): Category! @join__field(graph: A) @join__field(graph: B)
  multiply(by: Int!, requestId: String!): Int! @join__field(graph: A)
  delete(requestId: String!): Int! @join__field(graph: B)
  add(num: Int!, requestId: String!): Int! @join__field(graph: C)
}

type Product @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String! @join__field(graph: A)
  price: Float! @join__field(graph: A) @join__field(graph: B, external: true)
  isExpensive: Boolean! @join__field(graph: B, requires: "price")
  isAvailable: Boolean! @join__field(graph: B)
}

type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  product(id: ID!): Product! @join__field(graph: A)
  products: [Product!]! @join__field(graph: A)
}
"#;

/// What the three subgraphs share, as the audit's subgraphs share a module.
#[derive(Default)]
struct Store {
    products: Vec<Value>,
    categories: Vec<Value>,
    numbers: HashMap<String, i64>,
}

impl Store {
    /// The starting product, added on first use.
    fn init_products(&mut self) {
        if !self.products.iter().any(|p| p["id"] == "p1") {
            let p1 =
                json!({ "__typename": "Product", "id": "p1", "name": "p1-name", "price": 9.99 });
            self.products.push(p1);
        }
    }

    /// Removes and returns a product: each resolves once per subgraph.
    fn take_product(&mut self, id: &Value) -> Option<Value> {
        let index = self.products.iter().position(|p| &p["id"] == id)?;
        Some(self.products.remove(index))
    }

    fn add_category(&mut self, args: &serde_json::Map<String, Value>) -> Resolved {
        let id = format!("c-added-{}", args["requestId"].as_str().unwrap());
        if self.categories.iter().any(|c| c["id"] == id) {
            return field_error("Category with this requestId was already added");
        }
        let category = json!({ "__typename": "Category", "id": id, "name": args["name"] });
        self.categories.push(category.clone());
        category.into()
    }

    fn number(&mut self, args: &serde_json::Map<String, Value>) -> &mut i64 {
        let request = args["requestId"].as_str().unwrap().to_string();
        self.numbers.entry(request).or_insert(0)
    }
}

fn shop() -> Vec<Subgraph> {
    let store = Arc::new(Mutex::new(Store::default()));
    let shared = |f: fn(&mut Store, &serde_json::Map<String, Value>) -> Resolved| {
        let store = Arc::clone(&store);
        move |args: &serde_json::Map<String, Value>| f(&mut store.lock().unwrap(), args)
    };
    let a = Subgraph::new("a")
        .root(
            "Query.product",
            shared(|s, args| {
                s.init_products();
                let found = s.products.iter().find(|p| p["id"] == args["id"]);
                found.cloned().unwrap_or(Value::Null).into()
            }),
        )
        .root(
            "Query.products",
            shared(|s, _| {
                s.init_products();
                json!(s.products).into()
            }),
        )
        .root(
            "Mutation.addProduct",
            shared(|s, args| {
                let id = format!("p-added-{}", s.products.len());
                let input = &args["input"];
                let product = json!({ "__typename": "Product", "id": id, "name": input["name"], "price": input["price"] });
                s.products.push(product.clone());
                product.into()
            }),
        )
        .root("Mutation.addCategory", shared(Store::add_category))
        .root(
            "Mutation.multiply",
            shared(|s, args| {
                let number = s.number(args);
                *number *= args["by"].as_i64().unwrap();
                json!(*number).into()
            }),
        )
        .entity("Product", {
            let store = Arc::clone(&store);
            move |rep| store.lock().unwrap().take_product(&rep["id"]).unwrap_or(Value::Null)
        })
        .entity("Category", {
            let store = Arc::clone(&store);
            move |rep| {
                let store = store.lock().unwrap();
                let found = store.categories.iter().find(|c| c["id"] == rep["id"]);
                found.map_or(Value::Null, |c| json!({ "id": c["id"] }))
            }
        });
    let b = Subgraph::new("b")
        .root("Mutation.addCategory", shared(Store::add_category))
        .root(
            "Mutation.delete",
            shared(|s, args| {
                let request = args["requestId"].as_str().unwrap();
                json!(s.numbers.remove(request).unwrap_or(0)).into()
            }),
        )
        .entity("Product", {
            let store = Arc::clone(&store);
            move |rep| match store.lock().unwrap().take_product(&rep["id"]) {
                Some(p) => json!({ "id": p["id"], "isAvailable": true, "price": p["price"] }),
                None => Value::Null,
            }
        })
        .field("Product.isExpensive", |product, _| -> Resolved {
            match product["price"].as_f64() {
                Some(price) => json!(price > 100.0).into(),
                None => field_error("Price is not available"),
            }
        })
        .entity("Category", {
            let store = Arc::clone(&store);
            move |rep| {
                let store = store.lock().unwrap();
                let found = store.categories.iter().find(|c| c["id"] == rep["id"]);
                found.cloned().unwrap_or(Value::Null)
            }
        });
    let c = Subgraph::new("c").root(
        "Mutation.add",
        shared(|s, args| {
            let number = s.number(args);
            *number += args["num"].as_i64().unwrap();
            json!(*number).into()
        }),
    );
    vec![a, b, c]
}

/// audit: mutations
#[tokio::test]
async fn mutation_result_is_completed_by_one_entity_call() {
    let fed = Federation::start(SHOP, shop()).await;
    check!(
        &fed,
        "mutations_add_product",
        r#"mutation { addProduct(input: { name: "new", price: 599.99 }) { name price isExpensive isAvailable } }"#,
        json!({ "data": { "addProduct": { "name": "new", "price": 599.99, "isExpensive": true, "isAvailable": true } } }),
    )
    .await;
    check!(
        &fed,
        "mutations_product",
        r#"{ product(id: "p1") { id name price isExpensive isAvailable } }"#,
        json!({ "data": { "product": { "id": "p1", "name": "p1-name", "price": 9.99, "isExpensive": false, "isAvailable": true } } }),
    )
    .await;
}

/// audit: mutations
#[tokio::test]
async fn mutation_fields_of_three_subgraphs_run_in_document_order() {
    let fed = Federation::start(SHOP, shop()).await;
    check!(
        &fed,
        "mutations_in_order",
        r#"mutation {
            five: add(num: 5, requestId: "r1")
            ten: multiply(by: 2, requestId: "r1")
            twelve: add(num: 2, requestId: "r1")
            final: delete(requestId: "r1")
        }"#,
        json!({ "data": { "five": 5, "ten": 10, "twelve": 12, "final": 12 } }),
    )
    .await;
}

/// audit: mutations
#[tokio::test]
async fn shareable_mutation_field_runs_once() {
    let fed = Federation::start(SHOP, shop()).await;
    check!(
        &fed,
        "mutations_add_category",
        r#"mutation { addCategory(name: "new", requestId: "r1") { id name } }"#,
        json!({ "data": { "addCategory": { "id": "c-added-r1", "name": "new" } } }),
    )
    .await;
}
