//! How an `@interfaceObject` is entered and left, in the shapes of the
//! federation gateway audit: an interface object value whose concrete type
//! is extended by a third subgraph, and interface objects whose keys are
//! not resolvable (so fields cannot be fetched through them).

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::check;
use crate::common::fixture_subgraph::{field_error, Federation, Subgraph};

/// a owns media (`Video`, `Article`); b extends `Video` with its author's
/// name; c's playlists hold media through an interface object.
const PLAYLISTS: &str = r#"
type Article implements Media @join__implements(graph: A, interface: "Media") @join__type(graph: A, key: "id") {
  id: ID!
  title: String
  wordCount: Int
}

type Author @join__type(graph: B, key: "id") {
  id: ID!
  name: String
}

interface Media @join__type(graph: A, key: "id") @join__type(graph: C, key: "id", isInterfaceObject: true) {
  id: ID!
  title: String @join__field(graph: A)
}

type Playlist @join__type(graph: C, key: "id") {
  id: ID!
  name: String
  media: Media
}

type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  media: Media @join__field(graph: A)
  author: Author @join__field(graph: B)
  playlist: Playlist @join__field(graph: C)
}

type Video implements Media
  @join__implements(graph: A, interface: "Media")
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id", extension: true)
{
  id: ID!
  title: String @join__field(graph: A)
  duration: Int @join__field(graph: A)
  authorName: String @join__field(graph: B)
}
"#;

/// audit: interface-object-indirect-extension
#[tokio::test]
async fn interface_object_value_is_completed_by_the_subgraphs_of_its_concrete_type() {
    let video = |id: &Value| {
        let n: u64 = id.as_str().unwrap().parse().unwrap();
        json!({ "__typename": "Video", "id": id, "title": format!("title for {n}"), "duration": 100 * n })
    };
    let a = Subgraph::new("a")
        .possible_types("Media", &["Video", "Article"])
        .root("Query.media", move |_| video(&json!("1")))
        .entity("Video", move |rep| video(&rep["id"]))
        .entity("Article", |rep| {
            let n: u64 = rep["id"].as_str().unwrap().parse().unwrap();
            json!({ "__typename": "Article", "id": rep["id"], "title": format!("title for {n}"), "wordCount": 900 * n })
        })
        // Without a reference resolver of its own, the interface's
        // reference goes to its concrete type's resolver.
        .entity("Media", move |rep| video(&rep["id"]));
    let author = |id: &Value| json!({ "__typename": "Author", "id": id, "name": format!("name for {}", id.as_str().unwrap()) });
    let b = Subgraph::new("b")
        .root("Query.author", move |_| author(&json!("1")))
        .entity("Author", move |rep| author(&rep["id"]))
        .entity(
            "Video",
            |rep| json!({ "id": rep["id"], "authorName": "John Doe" }),
        );
    let playlist = |id: &Value| {
        let name = format!("name for {}", id.as_str().unwrap());
        json!({ "__typename": "Playlist", "id": id, "name": name, "media": { "__typename": "Media", "id": id } })
    };
    let c = Subgraph::new("c")
        .root("Query.playlist", move |_| playlist(&json!("1")))
        .entity("Playlist", move |rep| playlist(&rep["id"]))
        .entity("Media", |rep| json!({ "id": rep["id"] }));
    let fed = Federation::start(PLAYLISTS, vec![a, b, c]).await;
    check!(
        &fed,
        "interface_object_indirect_extension",
        "{
            media { id title ... on Video { duration authorName } ... on Article { wordCount } }
            author { id name }
            playlist { id name media { id ... on Video { duration } } }
        }",
        json!({ "data": {
            "media": { "id": "1", "title": "title for 1", "duration": 100, "authorName": "John Doe" },
            "author": { "id": "1", "name": "name for 1" },
            "playlist": { "id": "1", "name": "name for 1", "media": { "id": "1", "duration": 100 } },
        } }),
    )
    .await;
}

/// `Node` is an interface in a and an interface object with an
/// unresolvable key in b; `Product` is the reverse.
const UNRESOLVABLE_INTERFACE_OBJECTS: &str = r#"
type Bread implements Product @join__implements(graph: B, interface: "Product") @join__type(graph: B, key: "id") {
  id: ID!
  name: String!
}

interface Node
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id", resolvable: false, isInterfaceObject: true)
{
  id: ID!
  field: String @join__field(graph: B)
}

interface Product
  @join__type(graph: A, key: "id", resolvable: false, isInterfaceObject: true)
  @join__type(graph: B, key: "id")
{
  id: ID!
}

type Query @join__type(graph: A) @join__type(graph: B) {
  a: Node @join__field(graph: A)
  product: Product! @join__field(graph: A)
  b: Node @join__field(graph: B)
}
"#;

fn unresolvable_interface_objects() -> Vec<Subgraph> {
    // a's `Node` has no implementation, so its value has no concrete type.
    let a = Subgraph::new("a")
        .root("Query.a", |_| {
            field_error("Abstract type \"Node\" must resolve to an Object type at runtime for field \"Query.a\"")
        })
        .root("Query.product", |_| json!({ "__typename": "Product", "id": "p1" }))
        .entity("Node", |_| field_error("Not resolvable as it is an interface object"));
    let bread = json!({ "__typename": "Bread", "id": "p1", "name": "Bread" });
    let b_bread = bread.clone();
    let b = Subgraph::new("b")
        .possible_types("Product", &["Bread"])
        .root("Query.b", |_| json!({ "__typename": "Node", "id": "n1" }))
        .field("Node.field", |_, _| json!("foo"))
        .entity("Node", |_| field_error("Not resolvable"))
        .entity("Product", move |rep| {
            if rep["id"] == "p1" {
                bread.clone()
            } else {
                Value::Null
            }
        })
        .entity("Bread", move |rep| {
            if rep["id"] == "p1" {
                b_bread.clone()
            } else {
                Value::Null
            }
        });
    vec![a, b]
}

/// audit: non-resolvable-interface-object
#[tokio::test]
async fn interface_object_with_an_unresolvable_key_answers_only_its_own_fields() {
    let fed = Federation::start(
        UNRESOLVABLE_INTERFACE_OBJECTS,
        unresolvable_interface_objects(),
    )
    .await;
    check!(
        &fed,
        "non_resolvable_interface_object_b",
        "{ b { id field } }",
        json!({ "data": { "b": { "id": "n1", "field": "foo" } } }),
    )
    .await;
    check!(
        &fed,
        "non_resolvable_interface_object_b_id",
        "{ b { id } }",
        json!({ "data": { "b": { "id": "n1" } } }),
    )
    .await;
    check!(
        &fed,
        "non_resolvable_interface_object_product",
        "{ product { id } }",
        json!({ "data": { "product": { "id": "p1" } } }),
    )
    .await;
    check!(
        &fed,
        "non_resolvable_interface_object_product_as_bread",
        "{ product { ... on Bread { id } } }",
        json!({ "data": { "product": { "id": "p1" } } }),
    )
    .await;
}

/// audit: non-resolvable-interface-object
#[tokio::test]
async fn field_behind_an_unresolvable_interface_object_key_is_an_error() {
    let fed = Federation::start(
        UNRESOLVABLE_INTERFACE_OBJECTS,
        unresolvable_interface_objects(),
    )
    .await;
    check!(
        &fed,
        "non_resolvable_interface_object_a_field",
        "{ a { field } }",
        json!({ "errors": [{
            "message": "no subgraph can resolve field \"Node.field\": subgraph 'a' returns \"Node\" here, cannot resolve the field on it, and knows no object type of it to resolve it through",
            "extensions": { "code": "QUERY_PLANNING_FAILED" },
        }] }),
    )
    .await;
    check!(
        &fed,
        "non_resolvable_interface_object_a_id",
        "{ a { id } }",
        json!({
            "errors": [{
                "message": "Abstract type \"Node\" must resolve to an Object type at runtime for field \"Query.a\"",
                "path": ["a"],
            }],
            "data": { "a": null },
        }),
    )
    .await;
    check!(
        &fed,
        "non_resolvable_interface_object_product_name",
        "{ product { id name } }",
        json!({ "errors": [{
            "message": "type `Product` does not have a field `name`",
            "locations": [{ "line": 1, "column": 16 }],
            "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" },
        }] }),
    )
    .await;
}
