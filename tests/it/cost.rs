//! Operation cost end to end: `@cost` and `@listSize` in a subgraph's SDL,
//! composed by Junction's composer, and default weights elsewhere; an
//! operation over `limits.max_cost` is refused before any subgraph is
//! called; the estimate comes back in `extensions.cost` when the client
//! asks; and a caller's cost budget refuses the operation that would
//! exceed it, then lets it through once the budget refills.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use junction::compose::{compose, SubgraphInput};
use junction::http::{self, HttpSettings};
use junction::pipeline::{CostSettings, Gateway, GatewaySettings};
use junction::ratelimit::{RateLimitSettings, RateLimiter, Tier};
use serde_json::{json, Value};

use crate::common::fixture_subgraph::{FixtureServer, Subgraph};
use crate::common::{client, TestServer};

/// The fixture serves these (and validates requests against them).
const TYPES: &str = r#"
type Query @join__type(graph: CATALOG) {
  books(first: Int): [Book] @join__field(graph: CATALOG)
  shelves: [Shelf] @join__field(graph: CATALOG)
  search(term: String): [Book] @join__field(graph: CATALOG)
}
type Book @join__type(graph: CATALOG) { title: String }
type Shelf @join__type(graph: CATALOG) { books: [Book] }
"#;

/// The subgraph's own SDL, with its demand-control directives.
const CATALOG_SDL: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@cost", "@listSize"])
type Query {
  books(first: Int): [Book] @listSize(slicingArguments: ["first"])
  shelves: [Shelf] @listSize(assumedSize: 4)
  search(term: String): [Book] @cost(weight: 25)
}
type Book { title: String }
type Shelf { books: [Book] }
"#;

const HEADER: &str = "x-junction-cost";

async fn setup(max_cost: Option<u64>, budget: Option<&str>) -> (TestServer, FixtureServer) {
    let catalog = Subgraph::new("catalog")
        .root("Query.books", |_| json!([{ "title": "Dune" }]))
        .root("Query.shelves", |_| json!([]))
        .root("Query.search", |_| json!([]));
    let fixture = FixtureServer::start(TYPES, vec![catalog]).await;
    let supergraph = compose(&[SubgraphInput {
        name: "catalog".into(),
        url: fixture.url("catalog"),
        sdl: CATALOG_SDL.into(),
    }])
    .unwrap();
    assert!(supergraph.contains("@listSize("), "{supergraph}");
    let settings = GatewaySettings {
        cost: CostSettings {
            max_cost,
            default_list_size: 10,
            header: Some(reqwest::header::HeaderName::from_static(HEADER)),
        },
        ..GatewaySettings::default()
    };
    let mut gateway = Gateway::new(settings);
    if let Some(budget) = budget {
        let limits = RateLimitSettings {
            tiers: BTreeMap::from([(
                "anonymous".to_string(),
                Tier {
                    requests: None,
                    cost: Some(budget.parse().unwrap()),
                },
            )]),
            anonymous_tier: Some("anonymous".into()),
            store_timeout: Duration::from_millis(500),
            ..RateLimitSettings::default()
        };
        gateway = gateway.with_rate_limiter(Arc::new(RateLimiter::new(limits, None)));
    }
    let gateway = Arc::new(gateway);
    gateway.load_supergraph(&supergraph).unwrap();
    let router = http::router(Arc::clone(&gateway), &HttpSettings::default());
    let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
    (server, fixture)
}

async fn ask(server: &TestServer, query: &str, asks_cost: bool) -> (u16, Value, String) {
    let mut request = client()
        .post(server.url("/graphql"))
        .json(&json!({ "query": query }));
    if asks_cost {
        request = request.header(HEADER, "1");
    }
    let response = request.send().await.unwrap();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        response.status().as_u16(),
        response.json().await.unwrap(),
        retry,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_just_over_the_max_cost_are_refused_before_any_subgraph_call() {
    let (server, fixture) = setup(Some(20), None).await;
    let (status, body, _) = ask(&server, "{ books(first: 20) { title } }", false).await;
    assert_eq!(
        (status, &body),
        (200, &json!({ "data": { "books": [{ "title": "Dune" }] } }))
    );
    let (status, body, _) = ask(&server, "{ books(first: 21) { title } }", false).await;
    assert_eq!(
        status, 400,
        "a request error (application/graphql-response+json): {body}"
    );
    assert_eq!(
        body,
        json!({ "errors": [{
            "message": "The operation's estimated cost, 21, is over the limit of 20.",
            "extensions": { "code": "COST_ESTIMATED_TOO_EXPENSIVE", "cost": 21, "max": 20 },
        }] })
    );
    // Default weights: 4 shelves (assumed) × (1 + 10 books × 1) = 44.
    let (_, body, _) = ask(&server, "{ shelves { books { title } } }", false).await;
    assert_eq!(body["errors"][0]["extensions"]["cost"], 44, "{body}");
    // `@listSize(slicingArguments:)` requires exactly one of them by default.
    let (status, body, _) = ask(&server, "{ books { title } }", false).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert_eq!(
        body["errors"][0]["message"],
        "Query.books needs exactly one of its slicing arguments (first), given 0."
    );
    assert_eq!(
        fixture.requests("catalog").len(),
        1,
        "only the first was sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_estimate_comes_back_when_asked() {
    let (server, _fixture) = setup(None, None).await;
    let (_, body, _) = ask(&server, "{ search(term: \"x\") { title } }", true).await;
    assert_eq!(
        body,
        json!({ "data": { "search": [] }, "extensions": { "cost": 25 } })
    );
    let (_, body, _) = ask(&server, "{ books(first: 3) { title } }", false).await;
    assert!(body.get("extensions").is_none(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cost_budget_refuses_what_would_exceed_it_and_recovers() {
    let (server, fixture) = setup(None, Some("60/2s")).await;
    let query = "{ books(first: 20) { title } }";
    for _ in 0..3 {
        assert_eq!(ask(&server, query, false).await.0, 200);
    }
    let (status, body, retry) = ask(&server, query, false).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["limit"], "cost");
    // A cheaper one fits what is left? None is left: refused too.
    assert_eq!(
        ask(&server, "{ books(first: 1) { title } }", false).await.0,
        429
    );
    assert_eq!(fixture.requests("catalog").len(), 3);
    // What is under test is the wait the server asked for.
    tokio::time::sleep(Duration::from_secs(retry.parse().unwrap())).await;
    assert_eq!(ask(&server, query, false).await.0, 200);
    // More than the whole budget can never pass, and says so.
    let (status, body, retry) = ask(&server, "{ books(first: 61) { title } }", false).await;
    assert_eq!((status, retry.as_str()), (429, ""), "{body}");
    assert_eq!(
        body["errors"][0]["message"],
        "This operation costs more than the caller's whole cost budget."
    );
}
