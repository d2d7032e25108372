//! Two unions of one name with different members in two subgraphs, in the
//! shape of the federation gateway audit: shareable root fields and fields
//! of a shareable value type return them, so only the members both
//! subgraphs share can be asked of either, and members of one subgraph
//! only must be asked of that one.
//!
//! Each subgraph knows its types and rejects fragments on any other, as a
//! real server does.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::check;
use crate::common::fixture_subgraph::{Federation, Subgraph};

/// `Media` and `ViewerMedia` are `Book | Song` in a and `Book | Movie` in b.
const MEDIA: &str = r#"
type Book @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  title: String!
  aTitle: String! @join__field(graph: A)
  bTitle: String! @join__field(graph: B)
}

union Media
  @join__type(graph: A) @join__type(graph: B)
  @join__unionMember(graph: A, member: "Book") @join__unionMember(graph: B, member: "Book")
  @join__unionMember(graph: A, member: "Song") @join__unionMember(graph: B, member: "Movie")
 = Book | Song | Movie

type Movie @join__type(graph: B, key: "id") {
  id: ID!
  title: String!
  bTitle: String!
}

type Query @join__type(graph: A) @join__type(graph: B) {
  media: Media
  aMedia: Media @join__field(graph: A)
  book: Media @join__field(graph: A, type: "Book") @join__field(graph: B, type: "Media")
  song: Media @join__field(graph: A)
  viewer: Viewer
  bMedia: Media @join__field(graph: B)
}

type Song @join__type(graph: A, key: "id") {
  id: ID!
  title: String!
  aTitle: String!
}

type Viewer @join__type(graph: A) @join__type(graph: B) {
  media: ViewerMedia
  aMedia: ViewerMedia @join__field(graph: A)
  book: ViewerMedia @join__field(graph: A, type: "Book") @join__field(graph: B, type: "ViewerMedia")
  song: ViewerMedia @join__field(graph: A)
  bMedia: ViewerMedia @join__field(graph: B)
}

union ViewerMedia
  @join__type(graph: A) @join__type(graph: B)
  @join__unionMember(graph: A, member: "Book") @join__unionMember(graph: B, member: "Book")
  @join__unionMember(graph: A, member: "Song") @join__unionMember(graph: B, member: "Movie")
 = Book | Song | Movie
"#;

const TITLE: &str = "The Lord of the Rings";

fn media() -> Vec<Subgraph> {
    let book_a = json!({ "__typename": "Book", "id": "b1", "title": TITLE, "aTitle": format!("A: {TITLE}") });
    let song = json!({ "__typename": "Song", "id": "s2", "title": "Song Title", "aTitle": "A: Song Title" });
    let viewer_a = json!({ "__typename": "Viewer", "media": book_a, "aMedia": book_a, "book": book_a, "song": song });
    let mut a = Subgraph::new("a")
        .possible_types("Media", &["Book", "Song"])
        .possible_types("ViewerMedia", &["Book", "Song"]);
    for root in ["media", "aMedia", "book"] {
        let book = book_a.clone();
        a = a.root(&format!("Query.{root}"), move |_| book.clone());
    }
    let (a_song, song_entity) = (song.clone(), song);
    let a = a
        .root("Query.song", move |_| a_song.clone())
        .root("Query.viewer", move |_| viewer_a.clone())
        .entity("Book", move |rep| {
            if rep["id"] == "b1" {
                book_a.clone()
            } else {
                Value::Null
            }
        })
        .entity("Song", move |rep| {
            if rep["id"] == "s2" {
                song_entity.clone()
            } else {
                Value::Null
            }
        });

    let book_b = json!({ "__typename": "Book", "id": "b1", "title": TITLE, "bTitle": format!("B: {TITLE}") });
    let movie = json!({ "__typename": "Movie", "id": "m3", "title": "A Movie Title", "bTitle": "B Movie Title" });
    let viewer_b =
        json!({ "__typename": "Viewer", "media": book_b, "bMedia": movie, "book": book_b });
    let mut b = Subgraph::new("b")
        .possible_types("Media", &["Book", "Movie"])
        .possible_types("ViewerMedia", &["Book", "Movie"]);
    for root in ["media", "bMedia", "book"] {
        let book = book_b.clone();
        b = b.root(&format!("Query.{root}"), move |_| book.clone());
    }
    let b = b
        .root("Query.viewer", move |_| viewer_b.clone())
        .entity("Book", move |rep| {
            if rep["id"] == "b1" {
                book_b.clone()
            } else {
                Value::Null
            }
        })
        .entity("Movie", move |rep| {
            if rep["id"] == "m3" {
                movie.clone()
            } else {
                Value::Null
            }
        });
    vec![a, b]
}

/// `... on Song { <song> } ... on Movie { <movie> } ... on Book { <book> }`
/// with `__typename`, under each of `viewer`'s `media`, `book` and `song`.
fn viewer_query(song: &str, movie: &str, book: &str) -> String {
    let members = format!("{{ __typename ... on Song {{ {song} }} ... on Movie {{ {movie} }} ... on Book {{ {book} }} }}");
    format!("{{ viewer {{ media {members} book {members} song {members} }} }}")
}

/// audit: union-intersection
#[tokio::test]
async fn members_of_one_subgraphs_union_are_asked_only_there_from_shared_roots() {
    let fed = Federation::start(MEDIA, media()).await;
    let cases = [
        (
            "media_as_movie",
            "{ media { ... on Movie { title } } }",
            json!({ "media": {} }),
        ),
        (
            "media_as_book",
            "{ media { ... on Book { title } } }",
            json!({ "media": { "title": TITLE } }),
        ),
        (
            "media_as_book_or_movie",
            "{ media { ... on Book { title } ... on Movie { title } } }",
            json!({ "media": { "title": TITLE } }),
        ),
        (
            "viewer_media_as_movie",
            "{ viewer { media { ... on Movie { title } } } }",
            json!({ "viewer": { "media": {} } }),
        ),
        (
            "viewer_media_as_book",
            "{ viewer { media { ... on Book { title } } } }",
            json!({ "viewer": { "media": { "title": TITLE } } }),
        ),
        (
            "viewer_media_as_book_or_movie",
            "{ viewer { media { ... on Book { title } ... on Movie { title } } } }",
            json!({ "viewer": { "media": { "title": TITLE } } }),
        ),
    ];
    for (name, query, data) in cases {
        let name = format!("union_intersection_{name}");
        check!(&fed, &name, query, json!({ "data": data })).await;
    }
    check!(
        &fed,
        "union_intersection_viewer_titles",
        &viewer_query("title", "title", "title"),
        json!({ "data": { "viewer": {
            "media": { "__typename": "Book", "title": TITLE },
            "book": { "__typename": "Book", "title": TITLE },
            "song": { "__typename": "Song", "title": "Song Title" },
        } } }),
    )
    .await;
}

/// audit: union-intersection
#[tokio::test]
async fn fields_of_one_subgraph_are_fetched_by_entity_calls_for_shared_members() {
    let fed = Federation::start(MEDIA, media()).await;
    check!(
        &fed,
        "union_intersection_a_media_as_movie",
        "{ aMedia { ... on Movie { title bTitle } } }",
        json!({ "data": { "aMedia": {} } }),
    )
    .await;
    check!(
        &fed,
        "union_intersection_a_media_as_book",
        "{ aMedia { ... on Book { title aTitle bTitle } } }",
        json!({ "data": { "aMedia": { "title": TITLE, "aTitle": format!("A: {TITLE}"), "bTitle": format!("B: {TITLE}") } } }),
    )
    .await;
    let book = json!({ "__typename": "Book", "title": TITLE, "aTitle": format!("A: {TITLE}"), "bTitle": format!("B: {TITLE}") });
    check!(
        &fed,
        "union_intersection_viewer_all_titles",
        &viewer_query("title aTitle", "title bTitle", "title aTitle bTitle"),
        json!({ "data": { "viewer": {
            "media": book,
            "book": book,
            "song": { "__typename": "Song", "title": "Song Title", "aTitle": "A: Song Title" },
        } } }),
    )
    .await;
    check!(
        &fed,
        "union_intersection_viewer_a_media_and_b_media",
        "{ viewer { aMedia { ... on Movie { title bTitle } } bMedia { ... on Movie { title bTitle } } } }",
        json!({ "data": { "viewer": {
            "aMedia": {},
            "bMedia": { "title": "A Movie Title", "bTitle": "B Movie Title" },
        } } }),
    )
    .await;
}
