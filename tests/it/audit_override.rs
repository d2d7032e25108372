//! `@override` in the shapes of the federation gateway audit: a shareable
//! field taken over by another subgraph (whose old resolver now answers
//! wrongly), an override from a subgraph that does not exist, an overridden
//! field that two other subgraphs `@require`, and an overridden field of a
//! type that implements different interfaces in each subgraph.
//!
//! Where a subgraph lost a field to an override its resolver answers
//! "NEVER", so a plan that still asks it fails the assertion.

#![allow(clippy::unwrap_used)]

use serde_json::json;

use crate::common::audit_helpers::{check, row};
use crate::common::fixture_subgraph::{field_error, Federation, Resolved, Subgraph};

/// Both subgraphs serve the shareable `feed`; b took `createdAt` over from a.
const OVERRIDDEN_CREATED_AT: &str = r#"
type Post @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  createdAt: String! @join__field(graph: B, override: "a")
}

type Query @join__type(graph: A) @join__type(graph: B) {
  feed: [Post]
  aFeed: [Post] @join__field(graph: A)
  bFeed: [Post] @join__field(graph: B)
}
"#;

/// The same subgraphs, but b's override names a subgraph that does not
/// exist, so composition kept `createdAt` in both.
const UNAVAILABLE_OVERRIDE: &str = r#"
type Post @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  createdAt: String!
}

type Query @join__type(graph: A) @join__type(graph: B) {
  feed: [Post]
  aFeed: [Post] @join__field(graph: A)
  bFeed: [Post] @join__field(graph: B)
}
"#;

/// The post subgraphs; a's `createdAt` answers "NEVER" when `a_lost_it`.
fn posts(a_lost_it: bool) -> Vec<Subgraph> {
    let posts = json!([
        { "__typename": "Post", "id": "p1", "createdAt": "p1-createdAt" },
        { "__typename": "Post", "id": "p2", "createdAt": "p2-createdAt" },
    ]);
    let serve = |name: &str, own: usize| {
        let (feed, own_feed, table) = (posts.clone(), posts[own].clone(), posts.clone());
        Subgraph::new(name)
            .root("Query.feed", move |_| feed.clone())
            .root(&format!("Query.{name}Feed"), move |_| json!([own_feed]))
            .entity("Post", move |rep| row(&table, "id", &rep["id"]))
    };
    let mut a = serve("a", 1);
    if a_lost_it {
        a = a.field("Post.createdAt", |_, _| json!("NEVER"));
    }
    vec![a, serve("b", 0)]
}

/// The cases of both override suites, whose answers are the same.
async fn check_feeds(fed: &Federation, suite: &str) {
    check!(
        fed,
        &format!("{suite}_feed"),
        "{ feed { createdAt } }",
        json!({ "data": { "feed": [{ "createdAt": "p1-createdAt" }, { "createdAt": "p2-createdAt" }] } }),
    )
    .await;
    check!(
        fed,
        &format!("{suite}_a_feed_and_b_feed"),
        "{ aFeed { createdAt } bFeed { createdAt } }",
        json!({ "data": {
            "aFeed": [{ "createdAt": "p2-createdAt" }],
            "bFeed": [{ "createdAt": "p1-createdAt" }],
        } }),
    )
    .await;
}

/// audit: simple-override
#[tokio::test]
async fn overridden_field_comes_only_from_the_subgraph_that_took_it_over() {
    let fed = Federation::start(OVERRIDDEN_CREATED_AT, posts(true)).await;
    check_feeds(&fed, "simple_override").await;
}

/// audit: unavailable-override
#[tokio::test]
async fn override_from_an_unknown_subgraph_leaves_the_field_shared() {
    let fed = Federation::start(UNAVAILABLE_OVERRIDE, posts(false)).await;
    check_feeds(&fed, "unavailable_override").await;
}

/// b took `name` over from c; a and c compute from it with `@requires`.
const OVERRIDDEN_NAME: &str = r#"
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  userInA: User @join__field(graph: A)
  userInB: User @join__field(graph: B)
  userInC: User @join__field(graph: C)
}

type User @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") @join__type(graph: C, key: "id") {
  id: ID!
  name: String! @join__field(graph: A, external: true) @join__field(graph: B, override: "c") @join__field(graph: C, external: true)
  aName: String! @join__field(graph: A, requires: "name")
  cName: String! @join__field(graph: C, requires: "name")
}
"#;

fn overridden_name() -> Vec<Subgraph> {
    let user = |id: &str| json!({ "__typename": "User", "id": id, "name": format!("{id}-name") });
    // a and c: a user from the representation; `<prefix>Name` from the sent name.
    let requiring = |name: &str, root: &'static str, prefix: &'static str| {
        Subgraph::new(name)
            .root(
                &format!("Query.userIn{root}"),
                move |_| json!({ "__typename": "User", "id": format!("u{}", root_number(root)) }),
            )
            .entity("User", |rep| rep.clone())
            .field("User.name", |_, _| json!("NEVER"))
            .field(&format!("User.{prefix}Name"), move |user, _| -> Resolved {
                match user["name"].as_str() {
                    Some(name) => json!(format!("{prefix}__{name}")).into(),
                    None => field_error("requirement not sent: name"),
                }
            })
    };
    let b = Subgraph::new("b")
        .root("Query.userInB", move |_| user("u2"))
        .entity("User", move |rep| user(rep["id"].as_str().unwrap()));
    vec![requiring("a", "A", "a"), b, requiring("c", "C", "c")]
}

/// The number of the user `Query.userIn<root>` returns.
fn root_number(root: &str) -> u32 {
    match root {
        "A" => 1,
        "B" => 2,
        _ => 3,
    }
}

/// audit: override-with-requires
#[tokio::test]
async fn overridden_field_is_required_from_the_subgraph_that_took_it_over() {
    let fed = Federation::start(OVERRIDDEN_NAME, overridden_name()).await;
    let user = |n: u32| {
        json!({ "id": format!("u{n}"), "name": format!("u{n}-name"),
                "aName": format!("a__u{n}-name"), "cName": format!("c__u{n}-name") })
    };
    check!(
        &fed,
        "override_with_requires_all_users",
        "{ userInA { id name aName cName } userInB { id name aName cName } userInC { id name aName cName } }",
        json!({ "data": { "userInA": user(1), "userInB": user(2), "userInC": user(3) } }),
    )
    .await;
    let cases = [
        (
            "c_name_in_c",
            "{ userInC { cName } }",
            json!({ "userInC": { "cName": "c__u3-name" } }),
        ),
        (
            "c_name_in_a",
            "{ userInA { cName } }",
            json!({ "userInA": { "cName": "c__u1-name" } }),
        ),
        (
            "a_name_in_a",
            "{ userInA { aName } }",
            json!({ "userInA": { "aName": "a__u1-name" } }),
        ),
    ];
    for (name, query, data) in cases {
        let name = format!("override_with_requires_{name}");
        check!(&fed, &name, query, json!({ "data": data })).await;
    }
}

/// `ImagePost` implements `Post` in a and `AnotherPost` in b, which took
/// its `createdAt` over; `TextPost` implements `Post` in b only.
const POST_INTERFACES: &str = r#"
interface AnotherPost @join__type(graph: B) {
  id: ID!
  createdAt: String!
}

type ImagePost implements Post & AnotherPost
  @join__implements(graph: A, interface: "Post")
  @join__implements(graph: B, interface: "AnotherPost")
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id")
{
  id: ID!
  createdAt: String! @join__field(graph: A, usedOverridden: true) @join__field(graph: B, override: "a")
}

interface Post @join__type(graph: A) @join__type(graph: B) {
  id: ID!
  createdAt: String!
}

type Query @join__type(graph: A) @join__type(graph: B) {
  feed: [Post] @join__field(graph: A)
  anotherFeed: [AnotherPost] @join__field(graph: B)
}

type TextPost implements Post @join__implements(graph: B, interface: "Post") @join__type(graph: B, key: "id") {
  id: ID!
  createdAt: String!
  body: String!
}
"#;

fn post_interfaces() -> Vec<Subgraph> {
    let images = json!([
        { "__typename": "ImagePost", "id": "i1", "createdAt": "i1-createdAt" },
        { "__typename": "ImagePost", "id": "i2", "createdAt": "i2-createdAt" },
    ]);
    let texts = json!([
        { "__typename": "TextPost", "id": "t1", "createdAt": "t1-createdAt", "body": "t1-body" },
        { "__typename": "TextPost", "id": "t2", "createdAt": "t2-createdAt", "body": "t2-body" },
    ]);
    let (a_feed, a_images, b_feed, b_images) =
        (images.clone(), images.clone(), images.clone(), images);
    let a = Subgraph::new("a")
        .possible_types("Post", &["ImagePost"])
        .root("Query.feed", move |_| a_feed.clone())
        .entity("ImagePost", move |rep| row(&a_images, "id", &rep["id"]))
        .field("ImagePost.createdAt", |_, _| json!("NEVER"));
    let b = Subgraph::new("b")
        .possible_types("Post", &["TextPost"])
        .possible_types("AnotherPost", &["ImagePost"])
        .root("Query.anotherFeed", move |_| b_feed.clone())
        .entity("ImagePost", move |rep| row(&b_images, "id", &rep["id"]))
        .entity("TextPost", move |rep| row(&texts, "id", &rep["id"]));
    vec![a, b]
}

/// audit: override-type-interface
#[tokio::test]
async fn overridden_field_of_an_implementation_comes_from_its_new_owner_under_each_interface() {
    let fed = Federation::start(POST_INTERFACES, post_interfaces()).await;
    let both = json!([
        { "createdAt": "i1-createdAt", "id": "i1" },
        { "createdAt": "i2-createdAt", "id": "i2" },
    ]);
    let cases = [
        (
            "feed",
            "{ feed { id createdAt } }",
            json!({ "feed": [{ "id": "i1", "createdAt": "i1-createdAt" }, { "id": "i2", "createdAt": "i2-createdAt" }] }),
        ),
        (
            "feed_as_text_post",
            "{ feed { ... on TextPost { id body } } }",
            json!({ "feed": [{}, {}] }),
        ),
        (
            "another_feed",
            "{ anotherFeed { createdAt } }",
            json!({ "anotherFeed": [{ "createdAt": "i1-createdAt" }, { "createdAt": "i2-createdAt" }] }),
        ),
        (
            "another_feed_as_image_post",
            "{ anotherFeed { createdAt id ... on ImagePost { createdAt id } } }",
            json!({ "anotherFeed": both }),
        ),
    ];
    for (name, query, data) in cases {
        let name = format!("override_type_interface_{name}");
        check!(&fed, &name, query, json!({ "data": data })).await;
    }
}
