//! The gateway over the real demo subgraphs (in-process, ephemeral port):
//! the benchmark's heavy query answers exactly the reference response, and
//! the demo's @requires/@provides paths answer correctly.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use junction::pipeline::{Gateway, GatewaySettings, GraphQLRequest, RequestMethod, ResponseKind};
use junction_subgraphs::{spawn, DemoSubgraphs, SUBGRAPH_NAMES};
use serde_json::{json, Value};

const SUPERGRAPH: &str = include_str!("../../schema/supergraph.graphql");
const HEAVY_QUERY: &str = include_str!("../fixtures/heavy_query.graphql");
const HEAVY_RESPONSE: &str = include_str!("../fixtures/heavy_response.json");

async fn demo_gateway() -> (Gateway, DemoSubgraphs) {
    let subgraphs = spawn("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let urls: HashMap<String, String> = SUBGRAPH_NAMES
        .iter()
        .map(|name| (name.to_string(), subgraphs.url(name)))
        .collect();
    let gateway = Gateway::new(GatewaySettings {
        subgraph_urls: urls,
        ..Default::default()
    });
    gateway.load_supergraph(SUPERGRAPH).unwrap();
    (gateway, subgraphs)
}

async fn query(gateway: &Gateway, query: &str) -> (ResponseKind, Value) {
    let request = GraphQLRequest {
        query: Some(query.to_string()),
        ..Default::default()
    };
    let response = gateway
        .execute(
            request,
            RequestMethod::Post,
            junction::pipeline::Delivery::Complete,
        )
        .await;
    (
        response.kind,
        serde_json::from_slice(&response.body).unwrap(),
    )
}

#[tokio::test]
async fn heavy_query_matches_reference_response() {
    let (gateway, _subgraphs) = demo_gateway().await;
    let expected: Value = serde_json::from_str(HEAVY_RESPONSE).unwrap();
    let (kind, body) = query(&gateway, HEAVY_QUERY).await;
    assert_eq!(kind, ResponseKind::Executed);
    assert_eq!(body, expected);
}

#[tokio::test]
async fn heavy_query_is_answered_the_same_from_the_plan_cache() {
    let (gateway, _subgraphs) = demo_gateway().await;
    let first = query(&gateway, HEAVY_QUERY).await;
    let second = query(&gateway, HEAVY_QUERY).await;
    assert_eq!(first, second);
}

#[tokio::test]
async fn shipping_estimate_uses_price_and_weight_from_products() {
    let (gateway, _subgraphs) = demo_gateway().await;
    let (_, body) = query(
        &gateway,
        "{ topProducts(first: 2) { upc price weight shippingEstimate } }",
    )
    .await;
    let expected: Value = serde_json::from_str(HEAVY_RESPONSE).unwrap();
    let reference: Vec<Value> = expected["data"]["topProducts"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|p| json!({ "upc": p["upc"], "price": p["price"], "weight": p["weight"], "shippingEstimate": p["shippingEstimate"] }))
        .collect();
    assert_eq!(body, json!({ "data": { "topProducts": reference } }));
}

#[tokio::test]
async fn typename_and_aliases_are_answered_at_every_level() {
    let (gateway, _subgraphs) = demo_gateway().await;
    let (_, body) = query(
        &gateway,
        "{ __typename first: topProducts(first: 1) { __typename code: upc } }",
    )
    .await;
    assert_eq!(
        body,
        json!({ "data": { "__typename": "Query", "first": [{ "__typename": "Product", "code": "1" }] } })
    );
}

#[tokio::test]
async fn unknown_field_is_a_validation_error_with_location() {
    let (gateway, _subgraphs) = demo_gateway().await;
    let (kind, body) = query(&gateway, "{ topProducts { nope } }").await;
    assert_eq!(kind, ResponseKind::RequestError);
    let errors = body["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .all(|e| e["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    assert!(
        errors.contains(&json!({
            "message": "type `Product` does not have a field `nope`",
            "locations": [{ "line": 1, "column": 17 }],
            "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" },
        })),
        "{body}"
    );
    assert!(body.get("data").is_none(), "{body}");
}
