//! What a client sees when subgraphs fail: unreachable, slow, HTTP errors,
//! malformed answers, field errors inside entity fetches, and non-null
//! violations. Also: mutation fields run one after another, in order.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use junction::pipeline::GatewaySettings;
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use crate::common::fixture_subgraph::{field_error, refused_url, Federation, Subgraph};

/// directory lists people; profiles knows their names (but keeps one
/// private); reviews adds their reviews.
const TEAM: &str = r#"
type Query @join__type(graph: DIRECTORY) @join__type(graph: PROFILES) @join__type(graph: REVIEWS) {
  users: [User] @join__field(graph: DIRECTORY)
  team: [Member!] @join__field(graph: DIRECTORY)
  reviews: [Review] @join__field(graph: REVIEWS)
}

type Mutation @join__type(graph: DIRECTORY) @join__type(graph: REVIEWS) {
  createUser(name: String!): User @join__field(graph: DIRECTORY)
  addReview(body: String!): Review @join__field(graph: REVIEWS)
}

type User @join__type(graph: DIRECTORY, key: "id") @join__type(graph: PROFILES, key: "id") @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  name: String @join__field(graph: PROFILES)
  reviews: [Review] @join__field(graph: REVIEWS)
}

type Member @join__type(graph: DIRECTORY, key: "id") @join__type(graph: PROFILES, key: "id") {
  id: ID!
  name: String! @join__field(graph: PROFILES)
}

type Review @join__type(graph: REVIEWS) {
  body: String
}
"#;

fn directory() -> Subgraph {
    directory_of(&["u1", "u2", "u3"])
}

/// The directory, listing these user ids as `users`.
fn directory_of(ids: &[&str]) -> Subgraph {
    let users: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "__typename": "User", "id": id }))
        .collect();
    Subgraph::new("directory")
        .root("Query.users", move |_| json!(users))
        .root("Query.team", |_| json!([{ "__typename": "Member", "id": "u1" }, { "__typename": "Member", "id": "u2" }]))
}

fn profiles() -> Subgraph {
    let name = |id: &Value| match id.as_str() {
        Some("u1") => json!("Ada").into(),
        Some("u2") => field_error("name is private"),
        _ => json!("Linus").into(),
    };
    Subgraph::new("profiles")
        .entity("User", |rep| json!({ "id": rep["id"] }))
        .entity("Member", |rep| json!({ "id": rep["id"] }))
        .field("User.name", move |user, _| name(&user["id"]))
        .field("Member.name", move |member, _| name(&member["id"]))
}

fn reviews() -> Subgraph {
    Subgraph::new("reviews")
        .root("Query.reviews", |_| json!([{ "body": "Great" }]))
        .entity(
            "User",
            |rep| json!({ "id": rep["id"], "reviews": [{ "body": format!("by {}", rep["id"]) }] }),
        )
}

/// Error messages cut before their first `": "`: the rest names ports and
/// operating-system errors that differ between runs.
fn message_heads(mut body: Value) -> Value {
    if let Some(Value::Array(errors)) = body.get_mut("errors") {
        for error in errors {
            let message = error["message"].as_str().unwrap();
            let head = message.split(": ").next().unwrap().to_string();
            error["message"] = json!(head);
        }
    }
    body
}

async fn team_with_reviews(reviews: Subgraph) -> Federation {
    Federation::start(TEAM, vec![directory(), profiles(), reviews]).await
}

#[tokio::test]
async fn unreachable_subgraph_leaves_partial_data_and_a_subgraph_request_failed_error() {
    let settings = GatewaySettings {
        subgraph_urls: HashMap::from([("reviews".to_string(), refused_url())]),
        ..Default::default()
    };
    let fed =
        Federation::start_with(settings, TEAM, vec![directory(), profiles(), reviews()]).await;
    let query = "{ users { id reviews { body } } }";
    assert_eq!(
        message_heads(fed.query(query).await),
        json!({
            "data": { "users": [
                { "id": "u1", "reviews": null },
                { "id": "u2", "reviews": null },
                { "id": "u3", "reviews": null },
            ] },
            // One error at each object the failed entity fetch was for.
            "errors": ([0, 1, 2].map(|i| json!({
                "message": "HTTP fetch failed from 'reviews'",
                "path": ["users", i],
                "extensions": { "code": "SUBGRAPH_REQUEST_FAILED", "service": "reviews" },
            }))),
        }),
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn failed_root_fetch_nulls_only_its_own_root_fields() {
    let fed = team_with_reviews(reviews().http_status(500)).await;
    let query = "{ users { id } reviews { body } }";
    assert_eq!(
        fed.query(query).await,
        json!({
            "data": { "users": [{ "id": "u1" }, { "id": "u2" }, { "id": "u3" }], "reviews": null },
            "errors": [{
                "message": "HTTP fetch failed from 'reviews': 500",
                "path": ["reviews"],
                "extensions": { "code": "SUBGRAPH_REQUEST_FAILED", "service": "reviews" },
            }],
        }),
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn slow_subgraph_times_out_instead_of_holding_the_response() {
    let settings = GatewaySettings {
        client: junction::execute::ClientSettings {
            timeout: Duration::from_millis(200),
            ..Default::default()
        },
        ..Default::default()
    };
    // A reviews subgraph that never answers: only the gateway's timeout can
    // end the wait. (The gateway's timer is real: the subgraphs are reached
    // over real sockets, which a paused clock would race.)
    let never = Arc::new(Semaphore::new(0));
    let slow = reviews().gate(Arc::clone(&never));
    let fed = Federation::start_with(settings, TEAM, vec![directory(), profiles(), slow]).await;
    let response = tokio::time::timeout(
        Duration::from_secs(30),
        fed.query("{ users { id } reviews { body } }"),
    )
    .await
    .expect("the gateway answers once its subgraph timeout has passed");
    assert_eq!(
        response,
        json!({
            "data": { "users": [{ "id": "u1" }, { "id": "u2" }, { "id": "u3" }], "reviews": null },
            "errors": [{
                "message": "HTTP fetch failed from 'reviews': request timed out",
                "path": ["reviews"],
                "extensions": { "code": "SUBGRAPH_REQUEST_FAILED", "service": "reviews" },
            }],
        })
    );
}

#[tokio::test]
async fn http_500_from_an_entity_fetch_nulls_the_entity_fields() {
    let fed = team_with_reviews(reviews().http_status(500)).await;
    let query = "{ users { id reviews { body } } }";
    assert_eq!(
        fed.query(query).await,
        json!({
            "data": { "users": [
                { "id": "u1", "reviews": null },
                { "id": "u2", "reviews": null },
                { "id": "u3", "reviews": null },
            ] },
            // One error at each object the failed entity fetch was for.
            "errors": ([0, 1, 2].map(|i| json!({
                "message": "HTTP fetch failed from 'reviews': 500",
                "path": ["users", i],
                "extensions": { "code": "SUBGRAPH_REQUEST_FAILED", "service": "reviews" },
            }))),
        }),
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn malformed_json_from_a_subgraph_is_a_subgraph_request_failure() {
    let fed = team_with_reviews(reviews().malformed_json()).await;
    let query = "{ users { id } reviews { body } }";
    assert_eq!(
        message_heads(fed.query(query).await),
        json!({
            "data": { "users": [{ "id": "u1" }, { "id": "u2" }, { "id": "u3" }], "reviews": null },
            "errors": [{
                "message": "HTTP fetch failed from 'reviews'",
                "path": ["reviews"],
                "extensions": { "code": "SUBGRAPH_REQUEST_FAILED", "service": "reviews" },
            }],
        }),
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn field_error_inside_an_entity_fetch_is_reported_at_the_clients_path() {
    let fed = team_with_reviews(reviews()).await;
    let query = "{ users { id name } }";
    assert_eq!(
        fed.query(query).await,
        json!({
            "data": { "users": [
                { "id": "u1", "name": "Ada" },
                { "id": "u2", "name": null },
                { "id": "u3", "name": "Linus" },
            ] },
            "errors": [{ "message": "name is private", "path": ["users", 1, "name"] }],
        }),
        "{}",
        fed.plan(query)
    );
}

/// Two paths ask different things of the same entities: one request with two
/// aliased `_entities` fields; each part's errors land at its own paths.
#[tokio::test]
async fn field_errors_of_each_batched_entity_part_are_reported_at_that_parts_paths() {
    let fed = team_with_reviews(reviews()).await;
    let query = "{ a: users { name } b: users { nick: name } }";
    let plan = fed.plan(query);
    assert!(plan.contains("_entities_1: _entities"), "{plan}");
    assert_eq!(
        fed.query(query).await,
        json!({
            "data": {
                "a": [{ "name": "Ada" }, { "name": null }, { "name": "Linus" }],
                "b": [{ "nick": "Ada" }, { "nick": null }, { "nick": "Linus" }],
            },
            "errors": [
                { "message": "name is private", "path": ["a", 1, "name"] },
                { "message": "name is private", "path": ["b", 1, "nick"] },
            ],
        }),
        "{plan}"
    );
    assert_eq!(fed.server.requests("profiles").len(), 1, "{plan}");
}

#[tokio::test]

async fn field_error_in_an_entity_listed_twice_is_reported_at_both_paths() {
    let fed = Federation::start(
        TEAM,
        vec![directory_of(&["u2", "u1", "u2"]), profiles(), reviews()],
    )
    .await;
    let query = "{ users { id name } }";
    assert_eq!(
        fed.query(query).await,
        json!({
            "data": { "users": [
                { "id": "u2", "name": null },
                { "id": "u1", "name": "Ada" },
                { "id": "u2", "name": null },
            ] },
            "errors": [
                { "message": "name is private", "path": ["users", 0, "name"] },
                { "message": "name is private", "path": ["users", 2, "name"] },
            ],
        }),
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn subgraph_errors_keep_their_extensions_and_lose_subgraph_locations() {
    let fed = team_with_reviews(reviews().errors(vec![json!({
        "message": "rate limited",
        "locations": [{ "line": 1, "column": 3 }],
        "path": ["reviews"],
        "extensions": { "code": "RATE_LIMITED", "retryAfter": 5 },
    })]))
    .await;
    assert_eq!(
        fed.query("{ reviews { body } }").await,
        json!({
            "data": { "reviews": [{ "body": "Great" }] },
            "errors": [{ "message": "rate limited", "path": ["reviews"], "extensions": { "code": "RATE_LIMITED", "retryAfter": 5 } }],
        })
    );
}

#[tokio::test]
async fn null_in_a_non_null_field_propagates_to_the_nearest_nullable_parent() {
    let fed = team_with_reviews(reviews()).await;
    let query = "{ team { id name } users { id } }";
    assert_eq!(
        fed.query(query).await,
        json!({
            "data": { "team": null, "users": [{ "id": "u1" }, { "id": "u2" }, { "id": "u3" }] },
            "errors": [{ "message": "name is private", "path": ["team", 1, "name"] }],
        }),
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn mutation_fields_run_one_after_another_in_document_order() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let (directory_log, reviews_log) = (Arc::clone(&log), Arc::clone(&log));
    // Not to wait for anything: a slow directory gives a gateway that
    // wrongly ran the mutations at once the time to log them out of order.
    let directory = Subgraph::new("directory")
        .delay(Duration::from_millis(50))
        .root("Mutation.createUser", move |args| {
            let mut log = directory_log.lock().unwrap();
            log.push(format!("createUser {}", args["name"].as_str().unwrap()));
            json!({ "__typename": "User", "id": format!("u{}", log.len()) })
        });
    let reviews = Subgraph::new("reviews").root("Mutation.addReview", move |args| {
        let mut log = reviews_log.lock().unwrap();
        log.push(format!("addReview {}", args["body"].as_str().unwrap()));
        json!({ "__typename": "Review", "body": args["body"] })
    });
    let fed = Federation::start(TEAM, vec![directory, profiles(), reviews]).await;
    let query = r#"mutation {
        first: createUser(name: "Ada") { id }
        review: addReview(body: "Welcome") { body }
        second: createUser(name: "Grace") { id name }
    }"#;
    assert_eq!(
        fed.query(query).await,
        json!({ "data": {
            "first": { "id": "u1" },
            "review": { "body": "Welcome" },
            "second": { "id": "u3", "name": "Linus" },
        } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        *log.lock().unwrap(),
        vec!["createUser Ada", "addReview Welcome", "createUser Grace"]
    );
}

/// catalog answers values that do not fit the schema's types.
const MISTYPED: &str = r#"
type Query @join__type(graph: CATALOG) {
  item: Item
  strict: Strict
}

type Item @join__type(graph: CATALOG) {
  count: Int
  name: String
  size: Size
  child: Item
  tags: [String]
  valid: Boolean
}

type Strict @join__type(graph: CATALOG) {
  count: Int!
}

enum Size @join__type(graph: CATALOG) {
  SMALL @join__enumValue(graph: CATALOG)
  LARGE @join__enumValue(graph: CATALOG)
}
"#;

fn mistyped_catalog() -> Subgraph {
    Subgraph::new("catalog")
        .root("Query.item", |_| {
            json!({ "count": "ten", "name": { "first": "Ada" }, "size": "HUGE", "child": "none", "tags": { "a": 1 }, "valid": true })
        })
        .root("Query.strict", |_| json!({ "count": "ten" }))
}

fn error_paths(body: &Value) -> Vec<Value> {
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    errors.iter().map(|e| e["path"].clone()).collect()
}

#[tokio::test]

async fn subgraph_value_of_the_wrong_type_becomes_null_with_a_field_error() {
    let fed = Federation::start(MISTYPED, vec![mistyped_catalog()]).await;
    let body = fed
        .query("{ item { count name size child { count } tags valid } }")
        .await;
    assert_eq!(
        body["data"],
        json!({ "item": { "count": null, "name": null, "size": null, "child": null, "tags": null, "valid": true } })
    );
    assert_eq!(
        error_paths(&body),
        vec![
            json!(["item", "count"]),
            json!(["item", "name"]),
            json!(["item", "size"]),
            json!(["item", "child"]),
            json!(["item", "tags"]),
        ]
    );
}

#[tokio::test]

async fn subgraph_value_of_the_wrong_type_in_a_non_null_field_nulls_the_parent() {
    let fed = Federation::start(MISTYPED, vec![mistyped_catalog()]).await;
    let body = fed.query("{ strict { count } }").await;
    assert_eq!(body["data"], json!({ "strict": null }));
    assert_eq!(error_paths(&body), vec![json!(["strict", "count"])]);
}

/// A fetch starts once the fetches it reads from are done, not when its
/// whole stage is: `profiles` (reading from `directory`) runs while the
/// `reviews` root fetch of the same stage is still held. `reviews` is held
/// until `profiles` is called, so a gateway that waited for the whole
/// stage would never finish (and answer GATEWAY_TIMEOUT instead).
#[tokio::test]
async fn a_fetch_starts_when_its_inputs_are_ready_not_when_its_stage_is_done() {
    let held = Arc::new(tokio::sync::Semaphore::new(0));
    let release = Arc::clone(&held);
    let profiles = Subgraph::new("profiles")
        .entity("User", move |rep| {
            release.add_permits(1);
            json!({ "id": rep["id"] })
        })
        .field("User.name", |user, _| {
            json!(format!("name of {}", user["id"].as_str().unwrap_or("?")))
        });
    let settings = GatewaySettings {
        request_timeout: Duration::from_secs(10),
        ..GatewaySettings::dev()
    };
    let fed = Federation::start_with(
        settings,
        TEAM,
        vec![directory_of(&["u1"]), profiles, reviews().gate(held)],
    )
    .await;
    let body = fed.query("{ users { name } reviews { body } }").await;
    assert_eq!(
        body,
        json!({ "data": {
            "users": [{ "name": "name of u1" }],
            "reviews": [{ "body": "Great" }],
        } })
    );
}
