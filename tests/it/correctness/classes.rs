//! One regression test per class of bug the generated queries found
//! (issue 11), on fixture subgraphs of our own: whole responses, and the
//! operations each subgraph received.

use serde_json::json;

use crate::common::fixture_subgraph::{Federation, Subgraph};

/// `Node` is split per object type (its `score` comes from b); `Book`
/// narrows `related` from `Item` to `Book`.
const NODES: &str = r#"
type Query @join__type(graph: A) @join__type(graph: B) {
  nodes: [Node] @join__field(graph: A)
}
interface Node @join__type(graph: A) @join__type(graph: B) {
  id: ID!
  related: Item @join__field(graph: A)
  score: Int @join__field(graph: B)
}
interface Item @join__type(graph: A) {
  id: ID!
}
type Book implements Node & Item
  @join__implements(graph: A, interface: "Node")
  @join__implements(graph: B, interface: "Node")
  @join__implements(graph: A, interface: "Item")
  @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  related: Book @join__field(graph: A)
  score: Int @join__field(graph: B)
}
type Author implements Node
  @join__implements(graph: A, interface: "Node")
  @join__implements(graph: B, interface: "Node")
  @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  related: Item @join__field(graph: A)
  score: Int @join__field(graph: B)
}
type Movie implements Item
  @join__implements(graph: A, interface: "Item")
  @join__type(graph: A, key: "id") {
  id: ID!
  minutes: Int @join__field(graph: A)
}
"#;

fn nodes() -> Vec<Subgraph> {
    let a = Subgraph::new("a").root("Query.nodes", |_| {
        json!([
            { "__typename": "Book", "id": "b1", "related": { "__typename": "Book", "id": "b2" } },
            { "__typename": "Author", "id": "a1", "related": { "__typename": "Movie", "id": "m1", "minutes": 90 } },
        ])
    });
    let b = Subgraph::new("b")
        .entity(
            "Book",
            |rep| json!({ "__typename": "Book", "id": rep["id"], "score": 1 }),
        )
        .entity(
            "Author",
            |rep| json!({ "__typename": "Author", "id": rep["id"], "score": 2 }),
        );
    vec![a, b]
}

/// Class 4: after `nodes` is split per object type, `related` under
/// `... on Book` is a `Book`: a fragment on `Movie` can never apply there
/// and must not be sent (the subgraph would refuse the operation).
#[tokio::test]
async fn type_conditions_that_cannot_apply_under_a_narrower_field_type_are_not_sent() {
    let fed = Federation::start(NODES, nodes()).await;
    let query = "{ nodes { id score related { id ... on Movie { minutes } } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "nodes": [
            { "id": "b1", "score": 1, "related": { "id": "b2" } },
            { "id": "a1", "score": 2, "related": { "id": "m1", "minutes": 90 } },
        ] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("a")[0].query,
        "query {nodes {__typename ... on Book {id __typename related {id __typename}} ... on Author {id __typename related {id ... on Movie {minutes} __typename}}}}"
    );
}

/// Class 3: nested type conditions that select nothing for some type
/// (`... on Item { ... on Movie }` where only a `Book` can be) leave no
/// empty `... on X {}` behind.
#[tokio::test]
async fn nested_type_conditions_leave_no_empty_selection_in_a_subgraph_operation() {
    let fed = Federation::start(NODES, nodes()).await;
    let query =
        "{ nodes { id ... on Book { related { ... on Item { ... on Movie { minutes } } } } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "nodes": [
            { "id": "b1", "related": {} },
            { "id": "a1" },
        ] } }),
        "{}",
        fed.plan(query)
    );
    let sent = &fed.server.requests("a")[0].query;
    assert!(!sent.contains("{}"), "{sent}");
    assert_eq!(
        sent,
        "query {nodes {id ... on Book {related {__typename}} __typename}}"
    );
}

/// Class 2: a fragment's condition and a field's own condition of the same
/// kind never land on one field as two `@skip` (or `@include`): the
/// directive is not repeatable and the subgraph would refuse the operation.
#[tokio::test]
async fn a_fragments_condition_and_a_fields_own_never_repeat_a_directive() {
    let fed = Federation::start(NODES, nodes()).await;
    let query = "query($x: Boolean!, $y: Boolean!) { ...Nodes @skip(if: $x) nodes @skip(if: $y) { id } }\nfragment Nodes on Query { nodes @skip(if: $y) { related { id } } }";
    assert_eq!(
        fed.query_with(query, json!({ "x": false, "y": true }))
            .await,
        json!({ "data": {} }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.query_with(query, json!({ "x": false, "y": false }))
            .await,
        json!({ "data": { "nodes": [
            { "related": { "id": "b2" }, "id": "b1" },
            { "related": { "id": "m1" }, "id": "a1" },
        ] } }),
        "{}",
        fed.plan(query)
    );
    // The fragment's `@skip` wraps the field instead of repeating on it.
    assert_eq!(
        fed.server.requests("a")[0].query,
        "query($y: Boolean!, $x: Boolean!) {... @skip(if: $x) {nodes @skip(if: $y) {related {id __typename} __typename}} nodes @skip(if: $y) {id __typename}}"
    );
}

/// Class 1 (literals): a selection `@include(if: false)` / `@skip(if: true)`
/// turns off is dropped before planning, and `@include(if: true)` /
/// `@skip(if: false)` change nothing: one fetch, no directive sent.
#[tokio::test]
async fn literal_conditions_are_settled_before_planning() {
    let fed = Federation::start(NODES, nodes()).await;
    let query = "{ nodes { id @include(if: true) score @skip(if: true) ... on Book @skip(if: false) { related @include(if: false) { id } } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "nodes": [{ "id": "b1" }, { "id": "a1" }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(fed.server.requests("a").len(), 1);
    assert_eq!(
        fed.server.requests("a")[0].query,
        "query {nodes {id __typename}}"
    );
    assert!(fed.server.requests("b").is_empty(), "score is switched off");
}

/// A composite field whose every sub-selection a literal turns off still
/// sends a selection to the subgraph, and the client gets `{}`.
#[tokio::test]
async fn a_field_with_all_its_selections_switched_off_answers_an_empty_object() {
    let fed = Federation::start(NODES, nodes()).await;
    let query = "{ nodes { id related { id @include(if: false) } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "nodes": [
            { "id": "b1", "related": {} },
            { "id": "a1", "related": {} },
        ] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("a")[0].query,
        "query {nodes {id related {__typename} __typename}}"
    );
}

/// A value type served at a root field by two subgraphs, each knowing
/// some of its fields (no key to jump with).
const SHARED_ROOT: &str = r#"
type Query @join__type(graph: NAME) @join__type(graph: PRICE) {
  product: Product
}
type Product @join__type(graph: NAME) @join__type(graph: PRICE) {
  id: ID!
  name: String @join__field(graph: NAME)
  price: Int @join__field(graph: PRICE)
}
"#;

/// Class 1 (fragments): an inline fragment around a field that only
/// another subgraph can answer at the root splits like the field alone:
/// the root field is asked of that subgraph too.
#[tokio::test]
async fn a_fragment_around_fields_of_another_root_subgraph_plans_like_the_fields() {
    let name =
        Subgraph::new("name").root("Query.product", |_| json!({ "id": "1", "name": "Lamp" }));
    let price = Subgraph::new("price").root("Query.product", |_| json!({ "id": "1", "price": 12 }));
    let fed = Federation::start(SHARED_ROOT, vec![name, price]).await;
    let query = "{ product { name ... { price } ... on Product { id } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "product": { "name": "Lamp", "price": 12, "id": "1" } } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("name")[0].query,
        "query {product {name id}}"
    );
    assert_eq!(
        fed.server.requests("price")[0].query,
        "query {product {price}}"
    );
}

/// `book.animals` in a provides `... on Dog { name }`; `a` marks the
/// animals' key `id` external.
const PROVIDED: &str = r#"
type Query @join__type(graph: A) @join__type(graph: C) {
  book: Book @join__field(graph: A, provides: "animals { ... on Dog { name } }")
}
type Book @join__type(graph: A, key: "id") @join__type(graph: C, key: "id") {
  id: ID!
  animals: [Animal] @join__field(graph: A) @join__field(graph: C)
}
interface Animal @join__type(graph: A) @join__type(graph: C) {
  id: ID!
  name: String @join__field(graph: C)
}
type Cat implements Animal
  @join__implements(graph: A, interface: "Animal") @join__implements(graph: C, interface: "Animal")
  @join__type(graph: A, key: "id") @join__type(graph: C, key: "id") {
  id: ID! @join__field(graph: A, external: true) @join__field(graph: C)
  name: String @join__field(graph: C)
  age: Int @join__field(graph: C)
}
type Dog implements Animal
  @join__implements(graph: A, interface: "Animal") @join__implements(graph: C, interface: "Animal")
  @join__type(graph: A, key: "id") @join__type(graph: C, key: "id") {
  id: ID! @join__field(graph: A, external: true) @join__field(graph: C)
  name: String @join__field(graph: A, external: true) @join__field(graph: C)
  age: Int @join__field(graph: C)
}
"#;

/// Class 1 (`@provides`): objects a `@provides` brings come with their
/// keys, even where the subgraph marks the key `@external`, so the other
/// fields of those objects can be fetched with them.
#[tokio::test]
async fn objects_brought_by_provides_come_with_their_external_keys() {
    let a = Subgraph::new("a").root("Query.book", |_| {
        json!({ "__typename": "Book", "id": "b1", "animals": [
            { "__typename": "Dog", "id": "d1", "name": "Fido" },
            { "__typename": "Cat", "id": "c1" },
        ] })
    });
    let c = Subgraph::new("c").entity(
        "Cat",
        |rep| json!({ "__typename": "Cat", "id": rep["id"], "age": 6 }),
    );
    let fed = Federation::start(PROVIDED, vec![a, c]).await;
    let query = "{ book { animals { id ... on Cat { age } ... on Dog { name } } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "book": { "animals": [
            { "id": "d1", "name": "Fido" },
            { "id": "c1", "age": 6 },
        ] } } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("c")[0].representations(),
        vec![json!({ "__typename": "Cat", "id": "c1" })]
    );
}

/// Orders live in a, their customers' names in b, a customer's last order
/// in a again.
const ORDERS: &str = r#"
type Query @join__type(graph: A) @join__type(graph: B) {
  order: Order @join__field(graph: A)
}
type Order @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  total: Int @join__field(graph: A)
  customer: Customer @join__field(graph: B)
}
type Customer @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String @join__field(graph: B)
  lastOrder: Order @join__field(graph: A)
}
"#;

/// Class 1 (paths): a path that comes back into subgraphs already on it
/// (a → b → a → b) is planned as one entity fetch per step.
#[tokio::test]
async fn a_path_back_into_subgraphs_already_on_it_plans() {
    let a = Subgraph::new("a")
        .root(
            "Query.order",
            |_| json!({ "__typename": "Order", "id": "o1", "total": 10 }),
        )
        .entity("Customer", |rep| {
            let last = json!({ "__typename": "Order", "id": "o2", "total": 20 });
            json!({ "__typename": "Customer", "id": rep["id"], "lastOrder": last })
        })
        .entity(
            "Order",
            |rep| json!({ "__typename": "Order", "id": rep["id"], "total": 20 }),
        );
    let b = Subgraph::new("b")
        .entity("Order", |rep| {
            let customer = match rep["id"].as_str() {
                Some("o1") => json!({ "__typename": "Customer", "id": "c1", "name": "Ada" }),
                _ => json!({ "__typename": "Customer", "id": "c2", "name": "Grace" }),
            };
            json!({ "__typename": "Order", "id": rep["id"], "customer": customer })
        })
        .entity("Customer", |rep| {
            let name = if rep["id"] == "c1" { "Ada" } else { "Grace" };
            json!({ "__typename": "Customer", "id": rep["id"], "name": name })
        });
    let fed = Federation::start(ORDERS, vec![a, b]).await;
    let query = "{ order { total customer { name lastOrder { total customer { name ... on Customer { lastOrder { id } } } } } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "order": { "total": 10, "customer": { "name": "Ada", "lastOrder": {
            "total": 20, "customer": { "name": "Grace", "lastOrder": { "id": "o2" } }
        } } } } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(fed.server.requests("a").len(), 3, "{}", fed.plan(query));
    assert_eq!(fed.server.requests("b").len(), 2, "{}", fed.plan(query));
}

/// b answers both lists of a product; its `similar` can fail.
const LISTS: &str = r#"
type Query @join__type(graph: A) @join__type(graph: B) {
  products: [Product] @join__field(graph: A)
}
type Product @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String @join__field(graph: A)
  reviews: [String!]! @join__field(graph: B)
  similar: [String!]! @join__field(graph: B)
}
"#;

/// Also seen: a subgraph's error on one non-null field nulls its entity,
/// and with it the entity's other non-null fields; the null lands on the
/// product, which that one error explains: no extra `NON_NULL_VIOLATION`
/// for the sibling that did not fail. A null nothing explains still gets one.
#[tokio::test]
async fn a_null_explained_by_an_error_below_where_it_lands_gets_no_second_error() {
    let a = Subgraph::new("a").root("Query.products", |_| {
        json!([{ "__typename": "Product", "id": "p1", "name": "Lamp" },
               { "__typename": "Product", "id": "p2", "name": "Desk" }])
    });
    let b = Subgraph::new("b")
        .entity("Product", |rep| match rep["id"].as_str() {
            Some("p2") => {
                json!({ "__typename": "Product", "id": "p2", "reviews": null, "similar": [] })
            }
            _ => serde_json::Value::Null,
        })
        .errors(vec![
            json!({ "message": "similar failed", "path": ["_entities", 0, "similar"] }),
        ]);
    let fed = Federation::start(LISTS, vec![a, b]).await;
    let response = fed.query("{ products { name reviews similar } }").await;
    assert_eq!(response["data"], json!({ "products": [null, null] }));
    let paths: Vec<&serde_json::Value> = response["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["path"])
        .collect();
    assert_eq!(
        paths,
        vec![
            &json!(["products", 0, "similar"]),
            &json!(["products", 1, "reviews"])
        ],
        "{response}"
    );
    assert_eq!(
        response["errors"][1]["extensions"]["code"],
        "NON_NULL_VIOLATION"
    );
}

/// b knows users only as an `@interfaceObject`; a knows which are admins.
const USERS: &str = r#"
type Query @join__type(graph: A) @join__type(graph: B) {
  users: [User] @join__field(graph: B)
}
interface User
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id", isInterfaceObject: true) {
  id: ID!
}
type Admin implements User
  @join__implements(graph: A, interface: "User")
  @join__type(graph: A, key: "id") {
  id: ID!
  isMain: Boolean! @join__field(graph: A)
}
"#;

/// Also seen: when the fetch that tells an `@interfaceObject`'s object
/// type fails, the value is not completed as the interface (with the
/// object's fields silently missing): it is null, explained by the
/// subgraph's error. A selection that needs no object type is unaffected.
#[tokio::test]
async fn an_interface_value_whose_object_type_is_unknown_is_null() {
    let b = Subgraph::new("b").root(
        "Query.users",
        |_| json!([{ "__typename": "User", "id": "u1" }]),
    );
    let a = Subgraph::new("a")
        .entity("User", |_| serde_json::Value::Null)
        .errors(vec![
            json!({ "message": "isMain failed", "path": ["_entities", 0, "isMain"] }),
        ]);
    let fed = Federation::start(USERS, vec![a, b]).await;
    let response = fed.query("{ users { id ... on Admin { isMain } } }").await;
    assert_eq!(response["data"], json!({ "users": [null] }), "{response}");
    assert_eq!(
        response["errors"].as_array().unwrap().len(),
        1,
        "{response}"
    );
    assert_eq!(response["errors"][0]["path"], json!(["users", 0, "isMain"]));
    assert_eq!(
        fed.query("{ users { id } }").await,
        json!({ "data": { "users": [{ "id": "u1" }] } })
    );
}

/// Also seen: an entity fetch's error at `["_entities"]` (the whole list
/// failed) names no object of the client's response; it is passed on
/// without the subgraph's path, never with it.
#[tokio::test]
async fn an_entity_error_that_names_no_entity_loses_the_subgraphs_path() {
    let a = Subgraph::new("a").root(
        "Query.products",
        |_| json!([{ "__typename": "Product", "id": "p1", "name": "Lamp" }]),
    );
    let b = Subgraph::new("b")
        .entity(
            "Product",
            |rep| json!({ "__typename": "Product", "id": rep["id"], "similar": ["p2"] }),
        )
        .errors(vec![json!({ "message": "boom", "path": ["_entities"] })]);
    let fed = Federation::start(LISTS, vec![a, b]).await;
    let response = fed.query("{ products { name similar } }").await;
    assert_eq!(
        response["data"],
        json!({ "products": [{ "name": "Lamp", "similar": ["p2"] }] })
    );
    let errors = response["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{response}");
    assert_eq!(errors[0]["message"], "boom");
    assert!(errors[0].get("path").is_none(), "{response}");
}

/// a and b both answer `media`; only b's `@provides` brings the animals'
/// ids, which a marks `@external` and no subgraph lets anyone enter.
const MEDIA: &str = r#"
type Query @join__type(graph: A) @join__type(graph: B) {
  media: Media @join__field(graph: A) @join__field(graph: B, provides: "animals { id }")
}
interface Media @join__type(graph: A) @join__type(graph: B) {
  id: ID!
  animals: [Animal] @join__field(graph: B)
}
interface Animal @join__type(graph: A) @join__type(graph: B) {
  id: ID!
}
type Book implements Media
  @join__implements(graph: A, interface: "Media") @join__implements(graph: B, interface: "Media")
  @join__type(graph: A, key: "id") @join__type(graph: B) {
  id: ID!
  animals: [Animal] @join__field(graph: A) @join__field(graph: B, external: true)
}
type Cat implements Animal
  @join__implements(graph: A, interface: "Animal") @join__implements(graph: B, interface: "Animal")
  @join__type(graph: A, key: "id") @join__type(graph: B) {
  id: ID! @join__field(graph: A, external: true) @join__field(graph: B, external: true)
}
type Dog implements Animal
  @join__implements(graph: A, interface: "Animal") @join__implements(graph: B, interface: "Animal")
  @join__type(graph: A, key: "id") @join__type(graph: B) {
  id: ID! @join__field(graph: A, external: true) @join__field(graph: B, external: true)
}
"#;

/// Class 1 (root choice): when the subgraph that looks best for a root
/// field dead-ends below it, the next subgraph resolving that root field
/// is tried instead of refusing the query.
#[tokio::test]
async fn a_root_field_is_planned_in_another_subgraph_when_the_first_dead_ends() {
    let a = Subgraph::new("a").root(
        "Query.media",
        |_| json!({ "__typename": "Book", "id": "m1" }),
    );
    let b = Subgraph::new("b").root("Query.media", |_| {
        json!({ "__typename": "Book", "id": "m1", "animals": [
            { "__typename": "Cat", "id": "c1" },
            { "__typename": "Dog", "id": "d1" },
        ] })
    });
    let fed = Federation::start(MEDIA, vec![a, b]).await;
    let query = "{ media { ... on Book { animals { id } } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "media": { "animals": [{ "id": "c1" }, { "id": "d1" }] } } }),
        "{}",
        fed.plan(query)
    );
    assert!(fed.server.requests("a").is_empty());
}

/// Also seen: a root fetch whose every root field is switched off by a
/// variable is not sent (the demo's async-graphql subgraphs answer such a
/// request `{"data": null}`, which reads as a failure).
#[tokio::test]
async fn a_root_fetch_whose_fields_are_all_switched_off_is_not_sent() {
    let a = Subgraph::new("a").root("Query.products", |_| json!([]));
    let fed = Federation::start(LISTS, vec![a, Subgraph::new("b")]).await;
    let query = "query($on: Boolean!) { products @include(if: $on) { name } }";
    assert_eq!(
        fed.query_with(query, json!({ "on": false })).await,
        json!({ "data": {} })
    );
    assert!(fed.server.requests("a").is_empty());
    assert_eq!(
        fed.query_with(query, json!({ "on": true })).await,
        json!({ "data": { "products": [] } })
    );
    assert_eq!(fed.server.requests("a").len(), 1);
}

/// A null that propagates to the data itself, with no error from any
/// subgraph, still gets its `NON_NULL_VIOLATION` (data `null` never comes
/// without an error).
#[tokio::test]
async fn a_null_landing_on_the_data_without_any_error_is_reported() {
    const STRICT: &str = r#"
type Query @join__type(graph: A) {
  names: [String!]! @join__field(graph: A)
}
"#;
    let a = Subgraph::new("a").root("Query.names", |_| json!(["x", null]));
    let fed = Federation::start(STRICT, vec![a]).await;
    let response = fed.query("{ names }").await;
    assert_eq!(response["data"], serde_json::Value::Null, "{response}");
    assert_eq!(
        response["errors"][0]["path"],
        json!(["names", 1]),
        "{response}"
    );
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "NON_NULL_VIOLATION"
    );
}

/// A conditional copy of a leaf field the same selection also asks for
/// unconditionally is dropped in normalisation: one entity fetch, not a
/// second one for the copy (two parallel fetches would also make a
/// stateful subgraph resolve the same entity twice).
#[tokio::test]
async fn a_conditional_copy_of_an_unconditional_leaf_costs_no_fetch() {
    let a = Subgraph::new("a").root(
        "Query.products",
        |_| json!([{ "__typename": "Product", "id": "p1", "name": "Lamp" }]),
    );
    let b = Subgraph::new("b").entity(
        "Product",
        |rep| json!({ "__typename": "Product", "id": rep["id"], "similar": ["p2"] }),
    );
    let fed = Federation::start(LISTS, vec![a, b]).await;
    let query = "query($on: Boolean!) { products { similar @include(if: $on) name similar } }";
    assert_eq!(
        fed.query_with(query, json!({ "on": true })).await,
        json!({ "data": { "products": [{ "similar": ["p2"], "name": "Lamp" }] } })
    );
    assert_eq!(fed.server.requests("b").len(), 1, "{}", fed.plan(query));
}
