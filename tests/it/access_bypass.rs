//! No way around access control: each route a client could try to reach a
//! denied field or a clear personal value by — aliases, named and inline
//! fragments, fragments on interfaces and unions, `@include`/`@skip`,
//! `@defer`, batches, automatic and published persisted operations, GET,
//! aliased mutations — against the demo behind the seed policy, as the
//! anonymous `viewer` (who may not read `User.birthday` and gets
//! `User.email`/`User.phone` masked). Each test fails if a birthday or a
//! clear email or phone of the demo data reaches the client, and checks
//! the denial was made where the field was asked. (`_entities`, `_service`
//! and introspection have their own tests in `access`.)

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use junction::access::{Access, AccessMode, AccessPolicy, AccessSettings, DEFAULT_MODEL};
use junction::http::{self, HttpSettings};
use junction::persisted::manifest::PersistedOperation;
use junction::persisted::OperationSet;
use junction::pipeline::{Gateway, GatewaySettings};
use serde_json::{json, Value};

use crate::access::{ask, setup_with, Options, Setup};
use crate::common::fixture_subgraph::{FixtureServer, Subgraph};
use crate::common::{ask_graphql, client, TestServer};

/// The demo's birthdays, emails and phones, in clear.
const CLEAR: [&str; 18] = [
    "428112000",
    "501465600",
    "640224000",
    "827971200",
    "696643200",
    "756518400",
    "urigo@example.com",
    "dotansimha@example.com",
    "kamilkisiela@example.com",
    "ardatan@example.com",
    "gilgardosh@example.com",
    "laurin@example.com",
    "+49 151 2345 6701",
    "+49 151 2345 6702",
    "+48 512 345 603",
    "+90 532 345 6704",
    "+972 52 345 6705",
    "+49 170 2345 6706",
];

fn assert_no_clear_value(text: &str) {
    for value in CLEAR {
        assert!(!text.contains(value), "{value} reached the client: {text}");
    }
}

/// `User.birthday` was denied in `text` (a `FORBIDDEN` error naming it).
fn assert_birthday_denied(text: &str) {
    assert!(
        text.contains("Access to User.birthday is denied."),
        "no denial: {text}"
    );
}

async fn demo() -> Setup {
    setup_with(Options::new(AccessMode::Filter)).await
}

/// The viewer's answer to `query`, as text, after checking nothing leaked.
async fn viewer_text(setup: &Setup, query: &str) -> String {
    let (_, body) = ask(setup, query, None).await;
    let text = body.to_string();
    assert_no_clear_value(&text);
    text
}

async fn post_raw(setup: &Setup, body: Value, accept: &str) -> String {
    client()
        .post(setup.server.url("/graphql"))
        .header("accept", accept)
        .json(&body)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases_reach_nothing_denied_or_clear() {
    let setup = demo().await;
    let text = viewer_text(
        &setup,
        "{ me { b: birthday e: email p: phone again: birthday } users { x: birthday } }",
    )
    .await;
    assert_birthday_denied(&text);
    assert!(text.contains("u***@example.com"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_named_fragments_reach_nothing_denied_or_clear() {
    let setup = demo().await;
    let query = "query { me { ...Outer } users { ...Inner } }
        fragment Outer on User { name ...Inner }
        fragment Inner on User { birthday email phone }";
    let text = viewer_text(&setup, query).await;
    assert_birthday_denied(&text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_fragments_with_and_without_type_conditions_reach_nothing() {
    let setup = demo().await;
    let query = "{ me { ... on User { ... { birthday email } } ... { phone } } }";
    let text = viewer_text(&setup, query).await;
    assert_birthday_denied(&text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn include_and_skip_cannot_switch_a_denied_field_back_on() {
    let setup = demo().await;
    let query = "query($yes: Boolean = true, $no: Boolean = false) {
        me {
          birthday @include(if: $yes)
          b: birthday @skip(if: $no)
          ... @include(if: true) { email phone }
          birthday @skip(if: true)
        }
      }";
    let text = viewer_text(&setup, query).await;
    assert_birthday_denied(&text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deferred_payloads_reach_nothing_denied_or_clear() {
    let setup = demo().await;
    let body = json!({ "query": "{ me { name ... @defer { birthday email phone } } }" });
    let text = post_raw(&setup, body, "multipart/mixed;deferSpec=20220824").await;
    assert!(text.contains("hasNext"), "not incremental: {text}");
    assert_no_clear_value(&text);
    assert_birthday_denied(&text);
    assert!(text.contains("u***@example.com"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_of_a_batch_is_held_to_the_policy() {
    let setup = setup_with(Options {
        http: HttpSettings {
            max_batch: Some(10),
            ..HttpSettings::default()
        },
        ..Options::new(AccessMode::Filter)
    })
    .await;
    let batch = json!([
        { "query": "{ me { name } }" },
        { "query": "{ me { birthday } }" },
        { "query": "{ users { email phone } }" },
    ]);
    let text = post_raw(&setup, batch, "application/json").await;
    let answers: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answers.as_array().map(Vec::len), Some(3), "{text}");
    assert_no_clear_value(&text);
    assert_birthday_denied(&answers[1].to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automatic_persisted_queries_are_held_to_the_policy() {
    let setup = demo().await;
    let query = "{ me { birthday email } }";
    let hash = junction::persisted::sha256_hex(query);
    let persisted = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let registered = post_raw(
        &setup,
        json!({ "query": query, "extensions": persisted }),
        "application/json",
    )
    .await;
    assert_no_clear_value(&registered);
    let by_hash = post_raw(
        &setup,
        json!({ "extensions": persisted }),
        "application/json",
    )
    .await;
    assert_no_clear_value(&by_hash);
    assert_birthday_denied(&by_hash);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_operations_are_held_to_the_policy() {
    let setup = demo().await;
    let published = PersistedOperation {
        id: "profile-v1".into(),
        name: None,
        body: "{ me { birthday email phone } }".into(),
    };
    setup
        .server
        .gateway
        .persisted_operations()
        .replace(OperationSet::new([&published]));
    let text = post_raw(
        &setup,
        json!({ "documentId": "profile-v1" }),
        "application/json",
    )
    .await;
    assert_no_clear_value(&text);
    assert_birthday_denied(&text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_requests_are_held_to_the_policy() {
    let setup = demo().await;
    let url = format!(
        "{}?query={}",
        setup.server.url("/graphql"),
        crate::common::encode("{ me { birthday email } }")
    );
    let text = client()
        .get(url)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_no_clear_value(&text);
    assert_birthday_denied(&text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliased_and_fragmented_mutations_are_denied_as_mutations() {
    let setup = demo().await;
    let mutation = "mutation { a: createReview(upc: \"1\", body: \"x\") { id } ... on Mutation { b: createReview(upc: \"2\", body: \"y\") { id } } }";
    let (status, body) = ask(&setup, mutation, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], json!({ "a": null, "b": null }), "{body}");
    let text = body.to_string();
    assert_eq!(
        text.matches("Access to Mutation.createReview is denied.")
            .count(),
        2,
        "{text}"
    );
    // An editor may write.
    let (_, editor) = ask(&setup, mutation, Some(&["editor"])).await;
    assert!(editor["data"]["a"]["id"].is_string(), "{editor}");
}

/// `Person.name` denied, `Pet.name` allowed: a name asked through the
/// `Named` interface or the `Anything` union is denied, since one of the
/// types it can be denies it.
const ABSTRACT: &str = r#"
type Query @join__type(graph: ZOO) {
  named: [Named] @join__field(graph: ZOO)
  anything: [Anything] @join__field(graph: ZOO)
}

interface Named @join__type(graph: ZOO) {
  name: String
}

union Anything @join__type(graph: ZOO) @join__unionMember(graph: ZOO, member: "Person") @join__unionMember(graph: ZOO, member: "Pet") = Person | Pet

type Person implements Named @join__type(graph: ZOO) @join__implements(graph: ZOO, interface: "Named") {
  name: String
}

type Pet implements Named @join__type(graph: ZOO) @join__implements(graph: ZOO, interface: "Named") {
  name: String
}
"#;

const ABSTRACT_RULES: &str = "p, viewer, *, Query.*, read\np, viewer, *, Pet.*, read\n";

async fn zoo() -> (TestServer, FixtureServer) {
    let animals = || {
        json!([
            { "__typename": "Person", "name": "Ada Secret" },
            { "__typename": "Pet", "name": "Rex" },
        ])
    };
    let zoo = Subgraph::new("zoo")
        .root("Query.named", move |_| animals())
        .root("Query.anything", move |_| animals())
        .possible_types("Named", &["Person", "Pet"])
        .possible_types("Anything", &["Person", "Pet"]);
    let fixture = FixtureServer::start(ABSTRACT, vec![zoo]).await;
    let settings = AccessSettings {
        anonymous_role: Some("viewer".into()),
        ..AccessSettings::default()
    };
    let policy = AccessPolicy::load(DEFAULT_MODEL, ABSTRACT_RULES)
        .await
        .unwrap();
    let gateway = Gateway::new(GatewaySettings::default())
        .with_access(Arc::new(Access::new(settings, policy)));
    let gateway = Arc::new(gateway);
    gateway.load_supergraph(fixture.supergraph()).unwrap();
    let router = http::router(Arc::clone(&gateway), &HttpSettings::default());
    let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
    (server, fixture)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fragments_on_interfaces_and_unions_reach_no_denied_field() {
    let (server, _fixture) = zoo().await;
    for query in [
        "{ named { name } }",
        "{ named { ... on Named { name } } }",
        "{ anything { ... on Named { name } } }",
        "{ anything { ... on Person { name } } }",
        "{ anything { ... on Pet { n: name } ... on Person { n: name } } }",
    ] {
        let text = ask_graphql(&server.url("/graphql"), query, None)
            .await
            .to_string();
        assert!(!text.contains("Ada Secret"), "{query}: {text}");
        assert!(text.contains("FORBIDDEN"), "{query}: {text}");
    }
    // The pet's name alone, on the pet's own type, is served.
    let pets = "{ anything { ... on Pet { name } } }";
    let body = ask_graphql(&server.url("/graphql"), pets, None).await;
    assert_eq!(
        body,
        json!({ "data": { "anything": [{}, { "name": "Rex" }] } })
    );
}
