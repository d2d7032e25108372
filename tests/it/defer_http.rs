//! `@defer` over HTTP: `multipart/mixed; deferSpec=20220824` when the
//! client accepts it, the initial part on the wire while deferred data is
//! still being fetched, and one JSON response otherwise.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use junction::http::{self, HttpSettings};
use junction::pipeline::{Gateway, GatewaySettings};
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use crate::common::fixture_subgraph::{FixtureServer, Subgraph};
use crate::common::{header, parts, post, start_dev, TestServer};

const MULTIPART: &str = "multipart/mixed;deferSpec=20220824,application/json";
const MULTIPART_CONTENT_TYPE: &str = "multipart/mixed; boundary=\"graphql\"; deferSpec=20220824";
const DELIMITER: &str = "\r\n--graphql";
const PART_HEADERS: &str = "\r\ncontent-type: application/json; charset=utf-8\r\n\r\n";

fn body(query: &str) -> String {
    json!({ "query": query }).to_string()
}

/// The JSON payloads of a complete multipart body, checking its framing.
fn payloads(body: &str) -> Vec<Value> {
    assert!(body.starts_with(DELIMITER), "{body:?}");
    assert!(body.ends_with("\r\n--graphql--\r\n"), "{body:?}");
    let inner = &body[DELIMITER.len()..body.len() - "\r\n--graphql--\r\n".len()];
    inner
        .split(DELIMITER)
        .map(|part| {
            let json = part
                .strip_prefix(PART_HEADERS)
                .unwrap_or_else(|| panic!("part without its headers: {part:?}"));
            serde_json::from_str(json).unwrap()
        })
        .collect()
}

/// The initial data with every incremental item merged in at its path.
fn assemble(payloads: &[Value]) -> Value {
    let mut data = payloads[0]["data"].clone();
    for item in payloads[1..]
        .iter()
        .flat_map(|p| p["incremental"].as_array().cloned().unwrap_or_default())
    {
        let mut place = &mut data;
        for step in item["path"].as_array().unwrap() {
            place = match step {
                Value::String(key) => &mut place[key.as_str()],
                _ => &mut place[step.as_u64().unwrap() as usize],
            };
        }
        for (key, value) in item["data"].as_object().unwrap() {
            place[key.as_str()] = value.clone();
        }
    }
    data
}

const DEMO_DEFERRED: &str = r#"{ topProducts { upc name ... @defer(label: "slow") { shippingEstimate reviews { body author { username } } } } }"#;

#[tokio::test]
async fn a_client_accepting_multipart_gets_the_deferred_fragment_in_later_parts() {
    let server = start_dev().await;
    let response = post(
        &server.url("/graphql"),
        body(DEMO_DEFERRED),
        Some(MULTIPART),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(header(&response, "content-type"), MULTIPART_CONTENT_TYPE);
    let text = response.text().await.unwrap();
    let payloads = payloads(&text);
    assert_eq!(payloads[0]["hasNext"], json!(true));
    assert!(
        payloads[0]["data"]["topProducts"][0]["reviews"].is_null(),
        "{text}"
    );
    assert_eq!(payloads.last().unwrap()["hasNext"], json!(false));
    let items: Vec<&Value> = payloads[1..]
        .iter()
        .flat_map(|p| p["incremental"].as_array().unwrap())
        .collect();
    assert_eq!(items.len(), 5, "one item per product: {text}");
    assert!(items.iter().all(|i| i["label"] == json!("slow")), "{text}");

    let complete = post(
        &server.url("/graphql"),
        body(&DEMO_DEFERRED.replace(r#"@defer(label: "slow")"#, "")),
        Some("application/json"),
    )
    .await;
    let (_, _, complete) = parts(complete).await;
    assert_eq!(assemble(&payloads), complete["data"]);
}

#[tokio::test]
async fn a_client_not_accepting_multipart_gets_one_json_response() {
    let server = start_dev().await;
    let response = post(&server.url("/graphql"), body(DEMO_DEFERRED), None).await;
    let (status, content_type, deferred) = parts(response).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, crate::common::GRAPHQL_RESPONSE_JSON);
    let plain = body(&DEMO_DEFERRED.replace(r#"@defer(label: "slow")"#, ""));
    let (_, _, complete) = parts(post(&server.url("/graphql"), plain, None).await).await;
    assert_eq!(deferred, complete);
    assert!(deferred.get("hasNext").is_none());
}

#[tokio::test]
async fn a_client_accepting_only_multipart_gets_other_responses_as_one_part() {
    let server = start_dev().await;
    let response = post(
        &server.url("/graphql"),
        body("{ topProducts(first: 1) { name } }"),
        Some("multipart/mixed"),
    )
    .await;
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(header(&response, "content-type"), MULTIPART_CONTENT_TYPE);
    let payloads = payloads(&response.text().await.unwrap());
    assert_eq!(
        payloads,
        vec![json!({ "data": { "topProducts": [{ "name": "Table" }] } })]
    );
}

const SHOP: &str = r#"
type Query @join__type(graph: ACCOUNTS) @join__type(graph: REVIEWS) {
  users: [User] @join__field(graph: ACCOUNTS)
}

type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  name: String @join__field(graph: ACCOUNTS)
  reviews: [String] @join__field(graph: REVIEWS)
}
"#;

/// Reads the response until `parts` parts are complete (each closed by the
/// delimiter that follows it); fails instead of waiting forever.
async fn read_parts(response: &mut reqwest::Response, buffer: &mut String, parts: usize) {
    let complete = |b: &str| b.matches(DELIMITER).count() > parts;
    let read = async {
        while !complete(buffer) {
            match response.chunk().await.unwrap() {
                Some(chunk) => buffer.push_str(std::str::from_utf8(&chunk).unwrap()),
                None => break,
            }
        }
    };
    if tokio::time::timeout(Duration::from_secs(10), read)
        .await
        .is_err()
    {
        panic!("part {parts} never arrived; received so far: {buffer:?}");
    }
}

#[tokio::test]
async fn the_initial_part_is_sent_while_the_deferred_fetch_is_still_held() {
    let gate = Arc::new(Semaphore::new(0));
    let accounts = Subgraph::new("accounts").root(
        "Query.users",
        |_| json!([{ "__typename": "User", "id": "u1", "name": "Ada" }]),
    );
    let reviews = Subgraph::new("reviews")
        .entity(
            "User",
            |rep| json!({ "__typename": "User", "id": rep["id"], "reviews": ["Bright"] }),
        )
        .gate(Arc::clone(&gate));
    let subgraphs = FixtureServer::start(SHOP, vec![accounts, reviews]).await;
    let gateway = Arc::new(Gateway::new(GatewaySettings::default()));
    gateway.load_supergraph(subgraphs.supergraph()).unwrap();
    let router = http::router(Arc::clone(&gateway), &HttpSettings::default());
    let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;

    let query = r#"{ users { name ... @defer(label: "reviews") { reviews } } }"#;
    let mut response = post(&server.url("/graphql"), body(query), Some(MULTIPART)).await;
    let mut buffer = String::new();
    // The reviews subgraph cannot answer before the gate opens: the first
    // part must arrive without it.
    read_parts(&mut response, &mut buffer, 1).await;
    assert_eq!(
        payloads(&format!("{buffer}--\r\n")),
        vec![json!({ "data": { "users": [{ "name": "Ada" }] }, "hasNext": true })]
    );
    gate.add_permits(1);
    read_parts(&mut response, &mut buffer, 2).await;
    while let Some(chunk) = response.chunk().await.unwrap() {
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    assert_eq!(
        payloads(&buffer)[1],
        json!({ "incremental": [{ "data": { "reviews": ["Bright"] }, "path": ["users", 0], "label": "reviews" }], "hasNext": false })
    );
}
