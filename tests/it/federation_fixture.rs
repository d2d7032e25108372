//! The fixture subgraph server itself, spoken to over HTTP like the gateway
//! does: the rules the other `federation_*` tests rely on.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::fixture_subgraph::{field_error, FixtureServer, Subgraph};

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

async fn post(server: &FixtureServer, query: &str, variables: Value) -> Value {
    let body = json!({ "query": query, "variables": variables });
    let response = reqwest::Client::new()
        .post(server.url("library"))
        .json(&body)
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

#[tokio::test]
async fn projects_values_onto_aliases_fragments_and_field_resolvers() {
    let server = FixtureServer::start(vec![library()]).await;
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
    let server = FixtureServer::start(vec![library()]).await;
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
    let server = FixtureServer::start(vec![library()]).await;
    assert_eq!(
        post(&server, "{ items { id: title id } }", json!({})).await,
        json!({ "errors": [{ "message": "fields `id` conflict: different fields or arguments" }] })
    );
}
