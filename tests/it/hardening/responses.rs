//! What a subgraph's answer can make the gateway spend: entity fan-out is
//! capped per subgraph request, a response over its size limit is cut off
//! unread, and nulls in non-null positions cost linear work with a capped
//! error list.

use axum::body::{Body, Bytes};
use junction::execute::{ErrorPolicy, SubgraphPolicy};
use junction::pipeline::GatewaySettings;
use serde_json::{json, Value};

use crate::common::fixture_subgraph::{Federation, Subgraph};

const ITEMS_WITH_DETAILS: &str = r#"
type Query @join__type(graph: ITEMS) @join__type(graph: DETAILS) {
  items: [Item] @join__field(graph: ITEMS)
}
type Item @join__type(graph: ITEMS, key: "id") @join__type(graph: DETAILS, key: "id") {
  id: ID!
  detail: String @join__field(graph: DETAILS)
}
"#;

fn items(count: usize) -> Subgraph {
    Subgraph::new("items").root("Query.items", move |_| {
        let items: Vec<Value> = (1..=count)
            .map(|i| json!({ "__typename": "Item", "id": i.to_string() }))
            .collect();
        json!(items)
    })
}

fn details() -> Subgraph {
    Subgraph::new("details").entity("Item", |rep| {
        json!({ "__typename": "Item", "id": rep["id"], "detail": format!("d{}", rep["id"].as_str().unwrap_or("?")) })
    })
}

fn with_representation_limit(limit: usize) -> GatewaySettings {
    let mut settings = GatewaySettings::dev();
    settings.client.max_entity_representations = limit;
    settings
}

#[tokio::test]
async fn an_entity_fetch_over_the_representation_limit_is_not_sent() {
    let fed = Federation::start_with(
        with_representation_limit(3),
        ITEMS_WITH_DETAILS,
        vec![items(5), details()],
    )
    .await;
    let response = fed.query("{ items { id detail } }").await;
    let ids: Vec<Value> = (1..=5)
        .map(|i| json!({ "id": i.to_string(), "detail": null }))
        .collect();
    assert_eq!(
        response,
        json!({
            "errors": [{
                "message": "The request to subgraph 'details' needs more than 3 entity representations (limits.max_entity_representations); it was not sent.",
                "path": ["items", 0],
                "extensions": { "code": "OPERATION_LIMIT_EXCEEDED", "service": "details" },
            }],
            "data": { "items": ids },
        })
    );
    assert!(
        fed.server.requests("details").is_empty(),
        "nothing was sent"
    );

    let within = Federation::start_with(
        with_representation_limit(5),
        ITEMS_WITH_DETAILS,
        vec![items(5), details()],
    )
    .await;
    let response = within.query("{ items { detail } }").await;
    assert_eq!(response["data"]["items"][4], json!({ "detail": "d5" }));
    assert_eq!(
        within.server.requests("details")[0].representations().len(),
        5
    );
}

#[tokio::test]
async fn twenty_thousand_nulls_in_non_null_positions_give_capped_errors() {
    let types = r#"
type Query @join__type(graph: ITEMS) { items: [Item] @join__field(graph: ITEMS) }
type Item @join__type(graph: ITEMS) { value: String! }
"#;
    let nulls = Subgraph::new("items").root("Query.items", |_| {
        json!(vec![json!({ "value": null }); 20_000])
    });
    let fed = Federation::start(types, vec![nulls]).await;
    let response = fed.query("{ items { value } }").await;
    assert_eq!(response["data"]["items"], json!(vec![Value::Null; 20_000]));
    let errors = response["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 101);
    assert_eq!(
        errors[0],
        json!({
            "message": "Cannot return null for non-nullable field",
            "path": ["items", 0, "value"],
            "extensions": { "code": "NON_NULL_VIOLATION" },
        })
    );
    assert_eq!(errors[99]["path"], json!(["items", 99, "value"]));
    assert_eq!(
        errors[100],
        json!({
            "message": "19900 more errors were left out (limits.max_errors).",
            "extensions": { "code": "TOO_MANY_ERRORS", "omitted": 19_900 },
        })
    );
}

const ITEMS_ONLY: &str = r#"
type Query @join__type(graph: ITEMS) @join__type(graph: OTHER) {
  items: [Item] @join__field(graph: ITEMS)
  other: String @join__field(graph: OTHER)
}
type Item @join__type(graph: ITEMS, key: "id") { id: ID! }
"#;

#[tokio::test]
async fn a_response_over_its_subgraphs_limit_is_refused_and_other_subgraphs_are_not() {
    let mut settings = GatewaySettings::dev();
    let small = SubgraphPolicy {
        max_response_bytes: 1024,
        errors: ErrorPolicy::Passthrough,
        ..SubgraphPolicy::default()
    };
    settings.client.subgraphs.insert("items".into(), small);
    let other = Subgraph::new("other").root("Query.other", |_| json!("x".repeat(4096)));
    let fed = Federation::start_with(settings, ITEMS_ONLY, vec![items(100), other]).await;
    let response = fed.query("{ items { id } other }").await;
    assert_eq!(
        response["errors"],
        json!([{
            "message": "HTTP fetch failed from 'items': the response is larger than the limit of 1024 bytes",
            "path": ["items"],
            "extensions": { "code": "SUBGRAPH_RESPONSE_TOO_LARGE", "service": "items" },
        }])
    );
    assert_eq!(response["data"]["items"], Value::Null);
    assert_eq!(response["data"]["other"].as_str().map(str::len), Some(4096));
}

/// A subgraph that answers 200 and then sends body bytes forever.
async fn endless_subgraph() -> String {
    let chunk = Bytes::from(vec![b' '; 16 * 1024]);
    let router = axum::Router::new().route(
        "/endless",
        axum::routing::post(move || {
            let chunk = chunk.clone();
            async move {
                let stream =
                    futures::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
                Body::from_stream(stream)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{address}/endless")
}

#[tokio::test]
async fn an_endless_response_is_cut_off_at_the_limit_instead_of_read() {
    let mut settings = GatewaySettings::dev();
    settings.client.default.max_response_bytes = 64 * 1024;
    settings
        .subgraph_urls
        .insert("items".into(), endless_subgraph().await);
    let fed =
        Federation::start_with(settings, ITEMS_ONLY, vec![items(1), Subgraph::new("other")]).await;
    let response = fed.query("{ items { id } }").await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"], "SUBGRAPH_RESPONSE_TOO_LARGE",
        "{response}"
    );
    assert_eq!(response["data"], json!({ "items": null }));
}

fn with_value_budget(values: usize) -> GatewaySettings {
    GatewaySettings {
        max_response_values: values,
        ..GatewaySettings::dev()
    }
}

#[tokio::test]
async fn a_response_with_more_values_than_the_request_may_receive_is_not_read_further() {
    // 200 items of 2 values each, the list and the response's objects: 403.
    let fed = Federation::start_with(
        with_value_budget(400),
        ITEMS_ONLY,
        vec![items(200), Subgraph::new("other")],
    )
    .await;
    assert_eq!(
        fed.query("{ items { id } }").await,
        json!({
            "errors": [{
                "message": "HTTP fetch failed from 'items': the request would receive more than 400 values from subgraphs (limits.max_response_values)",
                "path": ["items"],
                "extensions": { "code": "SUBGRAPH_RESPONSE_TOO_LARGE", "service": "items" },
            }],
            "data": { "items": null },
        })
    );
    let within = Federation::start_with(
        with_value_budget(403),
        ITEMS_ONLY,
        vec![items(200), Subgraph::new("other")],
    )
    .await;
    assert_eq!(
        within.query("{ items { id } }").await["data"]["items"][199],
        json!({ "id": "200" })
    );
}

#[tokio::test]
async fn copies_of_an_entity_for_every_object_it_belongs_to_are_paid_for() {
    // 100 items, all the same entity: one representation, its result
    // copied into 100 objects.
    let same = Subgraph::new("items").root("Query.items", |_| {
        json!(vec![json!({ "__typename": "Item", "id": "1" }); 100])
    });
    let big_details = Subgraph::new("details").entity(
        "Item",
        |rep| json!({ "__typename": "Item", "id": rep["id"], "detail": "x".repeat(10) }),
    );
    // The items, their paths and the one entity's answer: about 610
    // values; 99 copies of the result take it over 700.
    let fed = Federation::start_with(
        with_value_budget(700),
        ITEMS_WITH_DETAILS,
        vec![same, big_details],
    )
    .await;
    let response = fed.query("{ items { id detail } }").await;
    assert_eq!(
        response["errors"],
        json!([{
            "message": "The results of subgraph 'details' were not all merged: copying them to every object they belong to would take the request over 700 values from subgraphs (limits.max_response_values).",
            "path": ["items", 0],
            "extensions": { "code": "SUBGRAPH_RESPONSE_TOO_LARGE", "service": "details" },
        }])
    );
    assert_eq!(
        response["data"]["items"][99],
        json!({ "id": "1", "detail": null })
    );
}

#[tokio::test]
async fn an_invalid_value_in_a_non_null_position_gets_one_error() {
    let types = r#"
type Query @join__type(graph: ITEMS) { items: [Item] @join__field(graph: ITEMS) }
type Item @join__type(graph: ITEMS) { count: Int! }
"#;
    let invalid = Subgraph::new("items").root(
        "Query.items",
        |_| json!([{ "count": "many" }, { "count": 2 }]),
    );
    let fed = Federation::start(types, vec![invalid]).await;
    assert_eq!(
        fed.query("{ items { count } }").await,
        json!({
            "errors": [{
                "message": "Invalid value from subgraph: expected Int",
                "path": ["items", 0, "count"],
                "extensions": { "code": "INVALID_SUBGRAPH_VALUE" },
            }],
            "data": { "items": [null, { "count": 2 }] },
        })
    );
}

/// A subgraph whose policy asks for HTTP/2 is spoken to over HTTP/2
/// (cleartext, prior knowledge); the others stay on HTTP/1.1.
#[tokio::test]
async fn a_subgraph_can_be_spoken_to_over_http2() {
    let mut settings = GatewaySettings::dev();
    let h2 = SubgraphPolicy {
        http2: true,
        ..SubgraphPolicy::default()
    };
    settings.client.subgraphs.insert("items".into(), h2);
    let other = Subgraph::new("other").root("Query.other", |_| json!("x"));
    let fed = Federation::start_with(settings, ITEMS_ONLY, vec![items(2), other]).await;
    let response = fed.query("{ items { id } other }").await;
    assert!(response.get("errors").is_none(), "{response}");
    assert_eq!(
        fed.server.requests("items")[0].version,
        axum::http::Version::HTTP_2
    );
    assert_eq!(
        fed.server.requests("other")[0].version,
        axum::http::Version::HTTP_11
    );
}
