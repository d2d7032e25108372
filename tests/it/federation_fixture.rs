//! The fixture subgraph server itself, spoken to over HTTP like the gateway
//! does: the rules the other `federation_*` tests rely on.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::fixture_subgraph::{field_error, FixtureServer, Subgraph};

/// The library subgraph's schema; `Book.rating` belongs to another subgraph.
const LIBRARY: &str = r#"
type Query @join__type(graph: LIBRARY) {
  items: [Item] @join__field(graph: LIBRARY)
}
interface Item @join__type(graph: LIBRARY) {
  id: ID!
  title: String
}
type Book implements Item @join__type(graph: LIBRARY, key: "id") @join__type(graph: RATINGS, key: "id") {
  id: ID!
  title: String @join__field(graph: LIBRARY)
  text: String @join__field(graph: LIBRARY)
  excerpt(length: Int!): String @join__field(graph: LIBRARY)
  rating: Int @join__field(graph: RATINGS)
}
type Film implements Item @join__type(graph: LIBRARY) {
  id: ID!
  title: String
  minutes: Int
}
"#;

fn library() -> Subgraph {
    Subgraph::new("library")
        .possible_types("Item", &["Book", "Film"])
        .root("Query.items", |_| {
            json!([
                { "__typename": "Book", "id": "b1", "title": "Dune", "text": "A beginning" },
                { "__typename": "Film", "id": "f1", "title": "Alien", "minutes": 117 },
            ])
        })
        .entity("Book", |rep| match rep["id"].as_str() {
            Some("b1") => json!({ "id": "b1", "title": "Dune", "text": "A beginning" }).into(),
            Some("secret") => field_error("not for you"),
            _ => Value::Null.into(),
        })
        .field("Book.excerpt", |book, args| {
            let length = args["length"].as_u64().unwrap() as usize;
            json!(book["text"].as_str().unwrap()[..length])
        })
}

async fn library_server() -> FixtureServer {
    FixtureServer::start(LIBRARY, vec![library(), Subgraph::new("ratings")]).await
}

async fn post(server: &FixtureServer, query: &str, variables: Value) -> Value {
    post_with_status(server, query, variables).await.1
}

async fn post_with_status(server: &FixtureServer, query: &str, variables: Value) -> (u16, Value) {
    let body = json!({ "query": query, "variables": variables });
    let response = reqwest::Client::new()
        .post(server.url("library"))
        .json(&body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn projects_values_onto_aliases_fragments_and_field_resolvers() {
    let server = library_server().await;
    let query = "query ($n: Int!, $full: Boolean = true) {
        items { __typename name: title
            ... on Item { id }
            ... on Book { short: excerpt(length: $n) text @include(if: $full) }
            ...FilmParts
        }
    }
    fragment FilmParts on Film { minutes }";
    assert_eq!(
        post(&server, query, json!({ "n": 3 })).await,
        json!({ "data": { "items": [
            { "__typename": "Book", "name": "Dune", "id": "b1", "short": "A b", "text": "A beginning" },
            { "__typename": "Film", "name": "Alien", "id": "f1", "minutes": 117 },
        ] } })
    );
    assert_eq!(server.requests("library").len(), 1);
    assert_eq!(
        server.requests("library")[0].variables,
        *json!({ "n": 3 }).as_object().unwrap()
    );
}

#[tokio::test]
async fn answers_entities_with_null_for_unknown_and_errors_at_their_index() {
    let server = library_server().await;
    let query = "query ($representations: [_Any!]!) {
        _entities(representations: $representations) { ... on Book { title excerpt(length: 1) } }
    }";
    let representations = json!([
        { "__typename": "Book", "id": "b1" },
        { "__typename": "Book", "id": "b9" },
        { "__typename": "Book", "id": "secret" },
    ]);
    assert_eq!(
        post(
            &server,
            query,
            json!({ "representations": representations })
        )
        .await,
        json!({
            "data": { "_entities": [{ "title": "Dune", "excerpt": "A" }, null, null] },
            "errors": [{ "message": "not for you", "path": ["_entities", 2] }],
        })
    );
    assert_eq!(
        server.requests("library")[0].representations(),
        representations.as_array().unwrap().clone()
    );
}

#[tokio::test]
async fn rejects_one_response_key_for_two_different_fields() {
    let server = library_server().await;
    assert_eq!(
        post(&server, "{ items { id: title id } }", json!({})).await,
        json!({ "errors": [
            {
                "message": "operation must not select different types using the same name `id`",
                "locations": [{ "line": 1, "column": 21 }],
                "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" },
            },
            {
                "message": "cannot select different fields into the same alias `id`",
                "locations": [{ "line": 1, "column": 21 }],
                "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" },
            },
        ] })
    );
}

/// What the rules of `fixture_schema` make of `LIBRARY`: each subgraph
/// gets the types, fields and interfaces the join directives give it, and
/// federation's `_service`, plus `_entities` for its types with a key.
#[tokio::test]
async fn knows_its_schema_as_its_part_of_the_supergraph() {
    let server = library_server().await;
    assert_eq!(
        server.sdl("library"),
        "schema { query: Query }
type Query { items: [Item] _service: _Service! }
interface Item { id: ID! title: String }
type Book implements Item { id: ID! title: String text: String excerpt(length: Int!): String }
type Film implements Item { id: ID! title: String minutes: Int }
scalar _Any
type _Service { sdl: String }
union _Entity = Book
extend type Query { _entities(representations: [_Any!]!): [_Entity]! }
"
    );
    assert_eq!(
        server.sdl("ratings"),
        "schema { query: Query }
type Book { id: ID! rating: Int }
type Query { _service: _Service! }
scalar _Any
type _Service { sdl: String }
union _Entity = Book
extend type Query { _entities(representations: [_Any!]!): [_Entity]! }
"
    );
}

/// As a real server would: a request error naming the field, before
/// anything is resolved.
#[tokio::test]
async fn rejects_a_field_its_schema_does_not_have_though_another_subgraph_has_it() {
    let server = library_server().await;
    let query = "{ items { id ... on Book { rating } } }";
    assert_eq!(
        post_with_status(&server, query, json!({})).await,
        (
            400,
            json!({ "errors": [{
                "message": "type `Book` does not have a field `rating`",
                "locations": [{ "line": 1, "column": 28 }],
                "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" },
            }] })
        )
    );
    assert_eq!(server.requests("library").len(), 1, "recorded all the same");
}
