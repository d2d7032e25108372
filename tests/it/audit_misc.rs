//! Operation features and type merging in the shapes of the federation
//! gateway audit: `@include`/`@skip` on fields with `@requires` chains,
//! input objects and enums whose fields or values differ between
//! subgraphs, and a shareable root field of a keyless type served by three
//! subgraphs.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::check;
use crate::common::fixture_subgraph::{field_error, Federation, Resolved, Subgraph};

/// a has the price, b derives `isExpensive` from it, c derives four flags
/// from `isExpensive`; two of them must never be asked for.
const FLAGS: &str = r#"
type Product @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") @join__type(graph: C, key: "id") {
  id: ID!
  price: Float! @join__field(graph: A) @join__field(graph: B, external: true)
  isExpensive: Boolean! @join__field(graph: B, requires: "price") @join__field(graph: C, external: true)
  include: Boolean! @join__field(graph: C, requires: "isExpensive")
  skip: Boolean! @join__field(graph: C, requires: "isExpensive")
  neverCalledInclude: Boolean! @join__field(graph: C, requires: "isExpensive")
  neverCalledSkip: Boolean! @join__field(graph: C, requires: "isExpensive")
}

type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  product: Product @join__field(graph: A)
}
"#;

fn flags() -> Vec<Subgraph> {
    let product = json!({ "__typename": "Product", "id": "p1", "price": 699.99 });
    let entity = product.clone();
    let a = Subgraph::new("a")
        .root("Query.product", move |_| product.clone())
        .entity("Product", move |rep| {
            if rep["id"] == "p1" {
                entity.clone()
            } else {
                Value::Null
            }
        });
    let b = Subgraph::new("b")
        .entity("Product", |rep| rep.clone())
        .field("Product.isExpensive", |product, _| -> Resolved {
            match product["price"].as_f64() {
                Some(price) => json!(price > 500.0).into(),
                None => field_error("Price is missing"),
            }
        });
    let flag = |product: &Value, _: &_| -> Resolved {
        if product["isExpensive"].is_boolean() {
            json!(true).into()
        } else {
            field_error("isExpensive is missing")
        }
    };
    let c = Subgraph::new("c")
        .entity("Product", |rep| rep.clone())
        .field("Product.include", flag)
        .field("Product.skip", flag)
        .field("Product.neverCalledInclude", |_, _| {
            field_error("neverCalledInclude should not be called")
        })
        .field("Product.neverCalledSkip", |_, _| {
            field_error("neverCalledSkip should not be called")
        });
    vec![a, b, c]
}

/// audit: include-skip
#[tokio::test]
async fn skipped_fields_and_their_requirements_are_not_fetched() {
    let fed = Federation::start(FLAGS, flags()).await;
    let cases = [
        (
            "include_false",
            "query ($bool: Boolean = false) { product { price neverCalledInclude @include(if: $bool) } }",
            json!({ "price": 699.99 }),
        ),
        (
            "skip_true",
            "query ($bool: Boolean = true) { product { price neverCalledSkip @skip(if: $bool) } }",
            json!({ "price": 699.99 }),
        ),
        (
            "include_true",
            "query ($bool: Boolean = true) { product { price include @include(if: $bool) } }",
            json!({ "price": 699.99, "include": true }),
        ),
        (
            "skip_false",
            "query ($bool: Boolean = false) { product { price skip @skip(if: $bool) } }",
            json!({ "price": 699.99, "skip": true }),
        ),
    ];
    for (name, query, product) in cases {
        let name = format!("include_skip_{name}");
        check!(
            &fed,
            &name,
            query,
            json!({ "data": { "product": product } }),
        )
        .await;
    }
}

/// `UsersFilter` has `offset` in b only, so clients cannot send it.
const USERS_FILTER: &str = r#"
type Query @join__type(graph: A) @join__type(graph: B) {
  usersInA(filter: UsersFilter!): [User!] @join__field(graph: A)
  usersInB(filter: UsersFilter!): [User!] @join__field(graph: B)
}

type User @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String!
}

input UsersFilter @join__type(graph: A) @join__type(graph: B) {
  first: Int!
}
"#;

/// audit: input-object-intersection
#[tokio::test]
async fn input_fields_of_one_subgraph_only_are_not_part_of_the_api() {
    let users = json!([
        { "__typename": "User", "id": "u1", "name": "u1-name" },
        { "__typename": "User", "id": "u2", "name": "u2-name" },
    ]);
    let serve = |name: &str| {
        let users = users.clone();
        Subgraph::new(name).root(
            &format!("Query.usersIn{}", name.to_uppercase()),
            move |args| match args["filter"].get("offset") {
                Some(_) => json!([]),
                None => users.clone(),
            },
        )
    };
    let fed = Federation::start(USERS_FILTER, vec![serve("a"), serve("b")]).await;
    check!(
        &fed,
        "input_object_intersection_first",
        "{ usersInA(filter: { first: 1 }) { id } }",
        json!({ "data": { "usersInA": [{ "id": "u1" }, { "id": "u2" }] } }),
    )
    .await;
    // `offset` is at column 40 of both queries.
    let no_offset = |column: u32| {
        json!({ "errors": [{
            "message": "field `offset` does not exist on `UsersFilter`",
            "locations": [{ "line": 1, "column": column }],
            "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" },
        }] })
    };
    check!(
        &fed,
        "input_object_intersection_offset_in_a",
        "{ usersInA(filter: { first: 1, offset: 2 }) { id } }",
        no_offset(40),
    )
    .await;
    check!(
        &fed,
        "input_object_intersection_offset_in_b",
        "{ usersInB(filter: { first: 1, offset: 2 }) { id } }",
        no_offset(40),
    )
    .await;
}

/// `UserType.ANONYMOUS` exists in b only, and is inaccessible there.
const USER_TYPES: &str = r#"
type Query @join__type(graph: A) @join__type(graph: B) {
  users: [User] @join__field(graph: A)
  usersByType(type: UserType!): [User!] @join__field(graph: B)
  usersB: [User!] @join__field(graph: B)
}

type User @join__type(graph: A, key: "id") @join__type(graph: B, key: "id", extension: true) {
  id: ID
  type: UserType
}

enum UserType @join__type(graph: A) @join__type(graph: B) {
  REGULAR @join__enumValue(graph: A) @join__enumValue(graph: B)
  ANONYMOUS @inaccessible @join__enumValue(graph: B)
}
"#;

/// The error for a `UserType` value the API does not have, at `path`.
fn not_a_user_type(path: &Value) -> Value {
    json!({
        "message": "Invalid value from subgraph: expected UserType",
        "path": path,
        "extensions": { "code": "INVALID_SUBGRAPH_VALUE" },
    })
}

/// audit: enum-intersection
#[tokio::test]
async fn enum_value_missing_from_the_api_is_neither_accepted_nor_returned() {
    let users = json!([
        { "__typename": "User", "id": "u1", "type": "REGULAR" },
        { "__typename": "User", "id": "u2", "type": "ANONYMOUS" },
    ]);
    let (a_users, a_entity, b_users, b_by_type, b_entity) = (
        users.clone(),
        users.clone(),
        users.clone(),
        users.clone(),
        users,
    );
    let by_id = |users: Value| {
        move |rep: &Value| {
            let all = users.as_array().unwrap().iter();
            all.clone()
                .find(|u| u["id"] == rep["id"])
                .cloned()
                .unwrap_or(Value::Null)
        }
    };
    let a = Subgraph::new("a")
        .root("Query.users", move |_| a_users.clone())
        .entity("User", by_id(a_entity));
    let b = Subgraph::new("b")
        .root("Query.usersB", move |_| b_users.clone())
        .root("Query.usersByType", move |args| {
            let all = b_by_type.as_array().unwrap().iter();
            Value::Array(all.filter(|u| u["type"] == args["type"]).cloned().collect())
        })
        .entity("User", by_id(b_entity));
    let fed = Federation::start(USER_TYPES, vec![a, b]).await;
    check!(
        &fed,
        "enum_intersection_ids",
        "{ users { id } }",
        json!({ "data": { "users": [{ "id": "u1" }, { "id": "u2" }] } }),
    )
    .await;
    check!(
        &fed,
        "enum_intersection_types",
        "{ users { id type } }",
        json!({
            "errors": [not_a_user_type(&json!(["users", 1, "type"]))],
            "data": { "users": [{ "id": "u1", "type": "REGULAR" }, { "id": "u2", "type": null }] },
        }),
    )
    .await;
    check!(
        &fed,
        "enum_intersection_types_from_b",
        "{ usersB { id type } }",
        json!({
            "errors": [not_a_user_type(&json!(["usersB", 1, "type"]))],
            "data": { "usersB": [{ "id": "u1", "type": "REGULAR" }, { "id": "u2", "type": null }] },
        }),
    )
    .await;
    check!(
        &fed,
        "enum_intersection_by_regular_type",
        "{ usersByType(type: REGULAR) { id type } }",
        json!({ "data": { "usersByType": [{ "id": "u1", "type": "REGULAR" }] } }),
    )
    .await;
    check!(
        &fed,
        "enum_intersection_by_inaccessible_type",
        "{ usersByType(type: ANONYMOUS) { id type } }",
        json!({ "errors": [{
            "message": "value `ANONYMOUS` does not exist on `UserType`",
            "locations": [{ "line": 1, "column": 21 }],
            "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" },
        }] }),
    )
    .await;
}

/// Three subgraphs serve the shareable `product` of the keyless `Product`,
/// each with one of its fields.
const SHARED_ROOT: &str = r#"
type Category @join__type(graph: CATEGORY) {
  id: ID!
  name: String!
}

type Name @join__type(graph: NAME) {
  id: ID!
  brand: String!
  model: String!
}

type Price @join__type(graph: PRICE) {
  id: ID!
  amount: Int!
  currency: String!
}

type Product @join__type(graph: CATEGORY) @join__type(graph: NAME) @join__type(graph: PRICE) {
  id: ID!
  category: Category! @join__field(graph: CATEGORY)
  name: Name! @join__field(graph: NAME)
  price: Price! @join__field(graph: PRICE)
}

type Query @join__type(graph: CATEGORY) @join__type(graph: NAME) @join__type(graph: PRICE) {
  product: Product!
  products: [Product!]!
}
"#;

/// audit: shared-root
#[tokio::test]
async fn keyless_shared_root_is_fetched_from_every_subgraph_that_has_a_part() {
    let parts = [
        (
            "category",
            json!({ "__typename": "Category", "id": "1", "name": "Category 1" }),
        ),
        (
            "name",
            json!({ "__typename": "Name", "id": "1", "brand": "Brand 1", "model": "Model 1" }),
        ),
        (
            "price",
            json!({ "__typename": "Price", "id": "1", "amount": 1000, "currency": "USD" }),
        ),
    ];
    let subgraphs = parts.into_iter().map(|(field, part)| {
        let product = json!({ "__typename": "Product", "id": "1", field: part });
        let list = json!([product]);
        Subgraph::new(field)
            .root("Query.product", move |_| product.clone())
            .root("Query.products", move |_| list.clone())
    });
    let fed = Federation::start(SHARED_ROOT, subgraphs.collect()).await;
    let product = json!({
        "id": "1",
        "name": { "id": "1", "brand": "Brand 1", "model": "Model 1" },
        "category": { "id": "1", "name": "Category 1" },
        "price": { "id": "1", "amount": 1000, "currency": "USD" },
    });
    let fields = "id name { id brand model } category { id name } price { id amount currency }";
    check!(
        &fed,
        "shared_root_product",
        &format!("{{ product {{ {fields} }} }}"),
        json!({ "data": { "product": product } }),
    )
    .await;
    check!(
        &fed,
        "shared_root_products",
        &format!("{{ products {{ {fields} }} }}"),
        json!({ "data": { "products": [product] } }),
    )
    .await;
}
