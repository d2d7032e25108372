//! `@provides` through abstract types in the shapes of the federation
//! gateway audit: a root field providing fields of an interface's
//! implementations (all of them, or one through a fragment) and a root
//! field providing a field of one union member.
//!
//! Resolvers a good plan does not need answer with "poor plan" field
//! errors, so a plan that ignores a `@provides` fails the assertion.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::{check, row};
use crate::common::fixture_subgraph::{field_error, Federation, Resolved, Subgraph};

/// What a resolver a good plan never calls answers.
fn poor_plan() -> Resolved {
    field_error("poor plan: this resolver should not be called")
}

/// b's `media` provides its animals' ids and names; a's `book` provides
/// the names of dogs only; c owns animals (and their ages) and books.
const MEDIA_ANIMALS: &str = r#"
interface Animal @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  id: ID!
  name: String @join__field(graph: B) @join__field(graph: C)
}

type Book implements Media
  @join__implements(graph: A, interface: "Media") @join__implements(graph: B, interface: "Media") @join__implements(graph: C, interface: "Media")
  @join__type(graph: A, key: "id") @join__type(graph: B) @join__type(graph: C, key: "id")
{
  id: ID!
  animals: [Animal] @join__field(graph: A) @join__field(graph: B, external: true) @join__field(graph: C)
}

type Cat implements Animal
  @join__implements(graph: A, interface: "Animal") @join__implements(graph: B, interface: "Animal") @join__implements(graph: C, interface: "Animal")
  @join__type(graph: A, key: "id") @join__type(graph: B) @join__type(graph: C, key: "id")
{
  id: ID! @join__field(graph: A, external: true) @join__field(graph: B, external: true) @join__field(graph: C)
  name: String @join__field(graph: B, external: true) @join__field(graph: C)
  age: Int @join__field(graph: C)
}

type Dog implements Animal
  @join__implements(graph: A, interface: "Animal") @join__implements(graph: B, interface: "Animal") @join__implements(graph: C, interface: "Animal")
  @join__type(graph: A, key: "id") @join__type(graph: B) @join__type(graph: C, key: "id")
{
  id: ID! @join__field(graph: A, external: true) @join__field(graph: B, external: true) @join__field(graph: C)
  name: String @join__field(graph: A, external: true) @join__field(graph: B, external: true) @join__field(graph: C)
  age: Int @join__field(graph: C)
}

interface Media @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  id: ID!
  animals: [Animal] @join__field(graph: B) @join__field(graph: C)
}

type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  media: Media @join__field(graph: A) @join__field(graph: B, provides: "animals { id name }")
  book: Book @join__field(graph: A, provides: "animals { ... on Dog { name } }")
}
"#;

fn media_animals() -> Vec<Subgraph> {
    let animals = json!([
        { "__typename": "Dog", "id": "a1", "name": "Fido", "age": 3 },
        { "__typename": "Cat", "id": "a2", "name": "Whiskers", "age": 6 },
    ]);
    let book = |animals: Value| json!({ "__typename": "Book", "id": "m1", "animals": animals });
    let a_book = book(json!([
        { "__typename": "Dog", "id": "a1", "name": "Fido" },
        { "__typename": "Cat", "id": "a2" },
    ]));
    let a = Subgraph::new("a")
        .possible_types("Media", &["Book"])
        .possible_types("Animal", &["Dog", "Cat"])
        .root("Query.media", |_| poor_plan())
        .root("Query.book", move |_| a_book.clone());
    let b_media = book(json!([
        { "__typename": "Dog", "id": "a1", "name": "Fido" },
        { "__typename": "Cat", "id": "a2", "name": "Whiskers" },
    ]));
    let b = Subgraph::new("b")
        .possible_types("Media", &["Book"])
        .possible_types("Animal", &["Dog", "Cat"])
        .root("Query.media", move |_| b_media.clone());
    let (c_book, cats) = (book(animals.clone()), animals);
    let c = Subgraph::new("c")
        .possible_types("Media", &["Book"])
        .possible_types("Animal", &["Dog", "Cat"])
        .entity("Book", move |rep| {
            if rep["id"] == "m1" {
                c_book.clone()
            } else {
                Value::Null
            }
        })
        .entity("Cat", move |rep| row(&cats, "id", &rep["id"]))
        .entity("Dog", |_| poor_plan());
    vec![a, b, c]
}

/// audit: provides-on-interface
#[tokio::test]
async fn provided_fields_of_interface_implementations_are_not_fetched_again() {
    let fed = Federation::start(MEDIA_ANIMALS, media_animals()).await;
    check!(
        &fed,
        "provides_on_interface_animal_names",
        "{ media { id animals { id name } } }",
        json!({ "data": { "media": { "id": "m1", "animals": [
            { "id": "a1", "name": "Fido" },
            { "id": "a2", "name": "Whiskers" },
        ] } } }),
    )
    .await;
    check!(
        &fed,
        "provides_on_interface_cat_age",
        "{ media { id animals { id name ... on Cat { age } } } }",
        json!({ "data": { "media": { "id": "m1", "animals": [
            { "id": "a1", "name": "Fido" },
            { "id": "a2", "name": "Whiskers", "age": 6 },
        ] } } }),
    )
    .await;
}

/// a and b serve the shareable `media`; only b's provides books' titles,
/// which c owns along with movies' titles.
const MEDIA_TITLES: &str = r#"
type Book @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") @join__type(graph: C, key: "id") {
  id: ID!
  title: String @join__field(graph: B, external: true) @join__field(graph: C)
}

union Media
  @join__type(graph: A) @join__type(graph: B)
  @join__unionMember(graph: A, member: "Book") @join__unionMember(graph: B, member: "Book")
  @join__unionMember(graph: A, member: "Movie") @join__unionMember(graph: B, member: "Movie")
 = Book | Movie

type Movie @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") @join__type(graph: C, key: "id") {
  id: ID!
  title: String @join__field(graph: C)
}

type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  media: [Media] @join__field(graph: A) @join__field(graph: B, provides: "... on Book { title }")
}
"#;

/// The title subgraphs; with `punish`, a's `media` and c's books answer
/// "poor plan" errors, as the audit's subgraphs do when told to.
fn media_titles(punish: bool) -> Vec<Subgraph> {
    let media =
        json!([{ "__typename": "Book", "id": "m1" }, { "__typename": "Movie", "id": "m2" }]);
    let titles = json!([
        { "__typename": "Book", "id": "m1", "title": "Book 1" },
        { "__typename": "Movie", "id": "m2", "title": "Movie 1" },
    ]);
    let a = Subgraph::new("a").root("Query.media", move |_| {
        if punish {
            poor_plan()
        } else {
            media.clone().into()
        }
    });
    let b = Subgraph::new("b").root("Query.media", |_| {
        json!([
            { "__typename": "Book", "id": "m1", "title": "Book 1" },
            { "__typename": "Movie", "id": "m2" },
        ])
    });
    let books = titles.clone();
    let c = Subgraph::new("c")
        .entity("Book", move |rep| {
            if punish {
                poor_plan()
            } else {
                row(&books, "id", &rep["id"]).into()
            }
        })
        .entity("Movie", move |rep| row(&titles, "id", &rep["id"]));
    vec![a, b, c]
}

/// The answers of the two provides-on-union cases.
fn media_title_cases() -> [(&'static str, &'static str, Value); 2] {
    [
        (
            "provides_on_union_book_title",
            "{ media { ... on Book { id title } ... on Movie { id } } }",
            json!({ "data": { "media": [{ "id": "m1", "title": "Book 1" }, { "id": "m2" }] } }),
        ),
        (
            "provides_on_union_book_and_movie_titles",
            "{ media { ... on Book { id title } ... on Movie { id title } } }",
            json!({ "data": { "media": [
                { "id": "m1", "title": "Book 1" },
                { "id": "m2", "title": "Movie 1" },
            ] } }),
        ),
    ]
}

/// audit: provides-on-union
#[tokio::test]
async fn union_member_fields_are_answered_through_either_shareable_root() {
    let fed = Federation::start(MEDIA_TITLES, media_titles(false)).await;
    for (name, query, expected) in media_title_cases() {
        check!(&fed, name, query, expected).await;
    }
}

/// audit: provides-on-union (its first case, with the audit's poor-plan
/// punishment on: b alone can answer it)
#[tokio::test]
async fn provided_field_of_a_union_member_is_not_fetched_again() {
    let fed = Federation::start(MEDIA_TITLES, media_titles(true)).await;
    let [(_, query, expected), _] = media_title_cases();
    assert_eq!(fed.query(query).await, expected, "{}", fed.plan(query));
}
