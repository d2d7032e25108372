//! GraphQL over HTTP, over real HTTP: content types, Accept negotiation,
//! status codes, GET parameters, body limit, probes and request ids.
//!
//! Each test starts Junction's router in-process on an ephemeral port.

#![allow(clippy::unwrap_used)]

use junction::http::HttpSettings;
use junction::pipeline::GatewaySettings;
use serde_json::{json, Value};

use crate::common::*;

const TYPENAME: &str = r#"{"query":"{ __typename }"}"#;

// ---- probes -------------------------------------------------------------------------

#[tokio::test]
async fn health_is_ok_even_without_a_supergraph() {
    let server = start_junction(None).await;
    let (status, _, body) = parts(get(&server.url("/health"), None).await).await;
    assert_eq!((status, body), (200, json!({ "status": "ok" })));
}

#[tokio::test]
async fn ready_turns_200_once_a_supergraph_is_loaded() {
    let server = start_junction(None).await;
    let (status, _, body) = parts(get(&server.url("/ready"), None).await).await;
    assert_eq!((status, body), (503, json!({ "status": "not_ready" })));

    server.gateway.load_supergraph(DEMO_SUPERGRAPH).unwrap();
    let (status, _, body) = parts(get(&server.url("/ready"), None).await).await;
    assert_eq!((status, body), (200, json!({ "status": "ready" })));
}

#[tokio::test]
async fn graphql_without_a_supergraph_is_503_in_both_media_types() {
    let server = start_junction(None).await;
    for accept in [None, Some("application/json")] {
        let (status, _, body) = parts(post(&server.url("/graphql"), TYPENAME, accept).await).await;
        assert_eq!(status, 503, "accept {accept:?}");
        assert_eq!(first_error_code(&body), "SERVICE_UNAVAILABLE");
        assert!(body.get("data").is_none());
    }
}

// ---- POST content type and body -------------------------------------------------------

#[tokio::test]
async fn post_that_is_not_json_is_415() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    for content_type in [
        "text/plain",
        "application/graphql",
        "application/json; charset=latin1",
    ] {
        let response = client()
            .post(server.url("/graphql"))
            .header("content-type", content_type)
            .body("{ __typename }")
            .send()
            .await
            .unwrap();
        let (status, media, body) = parts(response).await;
        assert_eq!(status, 415, "{content_type}");
        assert_eq!(media, GRAPHQL_RESPONSE_JSON);
        assert_eq!(first_error_code(&body), "UNSUPPORTED_MEDIA_TYPE");
    }
}

#[tokio::test]
async fn post_without_content_type_is_415() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let response = client()
        .post(server.url("/graphql"))
        .body(TYPENAME)
        .send()
        .await
        .unwrap();
    let (status, _, body) = parts(response).await;
    assert_eq!(status, 415);
    assert_eq!(first_error_code(&body), "UNSUPPORTED_MEDIA_TYPE");
}

#[tokio::test]
async fn post_with_json_charset_is_accepted() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let response = client()
        .post(server.url("/graphql"))
        .header("content-type", "application/json; charset=utf-8")
        .body(TYPENAME)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn malformed_json_is_400_in_both_media_types() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    for (accept, media) in [
        (None, GRAPHQL_RESPONSE_JSON),
        (Some("application/json"), JSON),
    ] {
        for body in ["NONSENSE", r#"{"query":"#] {
            let (status, content_type, json) =
                parts(post(&server.url("/graphql"), body, accept).await).await;
            assert_eq!((status, content_type.as_str()), (400, media), "{body}");
            assert_eq!(first_error_code(&json), "BAD_REQUEST");
            let message = json["errors"][0]["message"].as_str().unwrap();
            assert!(
                message.starts_with("the request body is not valid JSON"),
                "{message}"
            );
        }
    }
}

#[tokio::test]
async fn ill_shaped_request_bodies_are_400_with_a_reason() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let cases = [
        (
            r#""{ __typename }""#,
            "the request body must be a JSON object",
        ),
        (r#"{"query": 7}"#, "`query` must be a string"),
        (
            r#"{"query": "{ __typename }", "variables": [7]}"#,
            "`variables` must be an object",
        ),
        (
            r#"{"query": "{ __typename }", "operationName": 1}"#,
            "`operationName` must be a string",
        ),
        (
            r#"{"query": "{ __typename }", "extensions": "x"}"#,
            "`extensions` must be an object",
        ),
        (
            r#"[{"query": "{ __typename }"}]"#,
            "batching is not enabled: send one GraphQL request object, not an array",
        ),
    ];
    for (body, message) in cases {
        let (status, _, json) = parts(post(&server.url("/graphql"), body, None).await).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(
            json,
            json!({ "errors": [{ "message": message, "extensions": { "code": "BAD_REQUEST" } }] })
        );
    }
}

#[tokio::test]
async fn body_over_the_limit_is_413_with_a_graphql_error() {
    let http = HttpSettings {
        body_limit_bytes: 1024,
        ..HttpSettings::default()
    };
    let server = start_junction_with(Some(DEMO_SUPERGRAPH), GatewaySettings::default(), http).await;
    let padding = " ".repeat(2048);
    let body = format!(r#"{{"query":"{{ __typename }}"{padding}}}"#);
    let (status, media, json) = parts(post(&server.url("/graphql"), body, None).await).await;
    assert_eq!((status, media.as_str()), (413, GRAPHQL_RESPONSE_JSON));
    assert_eq!(
        json,
        json!({ "errors": [{
            "message": "the request body is larger than the limit of 1024 bytes",
            "extensions": { "code": "PAYLOAD_TOO_LARGE" }
        }] })
    );

    // Just under the limit is fine.
    let padding = " ".repeat(1024 - TYPENAME.len());
    let body = format!("{TYPENAME}{padding}");
    assert_eq!(
        post(&server.url("/graphql"), body, None)
            .await
            .status()
            .as_u16(),
        200
    );
}

#[tokio::test]
async fn chunked_body_over_the_limit_is_413() {
    let http = HttpSettings {
        body_limit_bytes: 1024,
        ..HttpSettings::default()
    };
    let server = start_junction_with(Some(DEMO_SUPERGRAPH), GatewaySettings::default(), http).await;
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        (0..8).map(|_| Ok(vec![b' '; 512])).collect();
    let body = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let (status, _, json) = parts(post(&server.url("/graphql"), body, None).await).await;
    assert_eq!(status, 413);
    assert_eq!(first_error_code(&json), "PAYLOAD_TOO_LARGE");
}

// ---- Accept negotiation ---------------------------------------------------------------

#[tokio::test]
async fn response_media_type_follows_accept() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let cases = [
        (None, GRAPHQL_RESPONSE_JSON),
        (
            Some("application/graphql-response+json"),
            GRAPHQL_RESPONSE_JSON,
        ),
        (Some("application/json"), JSON),
        (Some("*/*"), GRAPHQL_RESPONSE_JSON),
        (
            Some(
                "application/graphql-response+json; charset=utf-8, application/json; charset=utf-8",
            ),
            GRAPHQL_RESPONSE_JSON,
        ),
        (
            Some("application/graphql-response+json;q=0.5, application/json"),
            JSON,
        ),
        (Some("text/html, application/json;q=0.1"), JSON),
    ];
    for (accept, media) in cases {
        let response = post(&server.url("/graphql"), TYPENAME, accept).await;
        assert_eq!(response.status().as_u16(), 200, "{accept:?}");
        assert_eq!(header(&response, "content-type"), media, "{accept:?}");
    }
}

#[tokio::test]
async fn unacceptable_accept_is_406_before_anything_else() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    // Even a body that would be refused for its content type gets 406 first.
    let response = client()
        .post(server.url("/graphql"))
        .header("content-type", "text/plain")
        .header("accept", "text/html")
        .body("x")
        .send()
        .await
        .unwrap();
    let (status, media, body) = parts(response).await;
    assert_eq!((status, media.as_str()), (406, JSON));
    assert_eq!(first_error_code(&body), "NOT_ACCEPTABLE");

    let url = server.url(&format!("/graphql?query={}", encode("{ __typename }")));
    assert_eq!(
        get(&url, Some("application/xml")).await.status().as_u16(),
        406
    );
}

// ---- GET --------------------------------------------------------------------------------

#[tokio::test]
async fn get_with_malformed_variables_is_400() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let query = encode("query Q($id: ID!) { user(id: $id) { name } }");
    for (variables, reason) in [
        ("%7B", "the `variables` parameter is not valid JSON"),
        ("%5B1%5D", "`variables` must be a JSON-encoded object"),
    ] {
        let url = server.url(&format!("/graphql?query={query}&variables={variables}"));
        let (status, _, body) = parts(get(&url, None).await).await;
        assert_eq!(status, 400);
        assert_eq!(first_error_code(&body), "BAD_REQUEST");
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with(reason));
    }
}

#[tokio::test]
async fn get_without_query_is_a_request_error() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let (status, _, body) = parts(get(&server.url("/graphql"), None).await).await;
    assert_eq!(status, 400);
    assert!(body.get("data").is_none());
    let (status, _, _) = parts(get(&server.url("/graphql"), Some("application/json")).await).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn mutation_over_get_is_405_with_allow_post() {
    let server = start_junction(Some(COUNTER_SUPERGRAPH)).await;
    let url = server.url(&format!(
        "/graphql?query={}",
        encode("mutation { increment }")
    ));
    for accept in [None, Some("application/json")] {
        let response = get(&url, accept).await;
        assert_eq!(header(&response, "allow"), "POST");
        let (status, _, body) = parts(response).await;
        assert_eq!(status, 405, "{accept:?}");
        assert_eq!(first_error_code(&body), "METHOD_NOT_ALLOWED");
    }
}

#[tokio::test]
async fn other_methods_on_graphql_are_405() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let response = client().put(server.url("/graphql")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 405);
}

// ---- status codes of request errors -------------------------------------------------------

#[tokio::test]
async fn validation_error_is_400_as_graphql_response_json_and_200_as_json() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let body = r#"{"query":"{ noSuchField }"}"#;
    let (status, _, json) = parts(post(&server.url("/graphql"), body, None).await).await;
    assert_eq!(status, 400);
    assert_eq!(first_error_code(&json), "GRAPHQL_VALIDATION_FAILED");
    assert!(json.get("data").is_none());

    let (status, _, legacy) =
        parts(post(&server.url("/graphql"), body, Some("application/json")).await).await;
    assert_eq!(status, 200);
    assert_eq!(legacy, json);
}

#[tokio::test]
async fn parse_error_is_400_as_graphql_response_json() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let (status, _, json) =
        parts(post(&server.url("/graphql"), r#"{"query":"{"}"#, None).await).await;
    assert_eq!(status, 400);
    assert_eq!(first_error_code(&json), "GRAPHQL_PARSE_FAILED");
}

// ---- request ids ----------------------------------------------------------------------------

#[tokio::test]
async fn every_response_carries_a_request_id_and_keeps_the_clients() {
    let server = start_junction(None).await;
    let generated = header(&get(&server.url("/health"), None).await, "x-request-id");
    assert_eq!(generated.len(), 36, "a UUID: {generated:?}");

    let response = client()
        .get(server.url("/health"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&response, "x-request-id"), "abc-123");
}

// ---- answers of the real pipeline ----------------------------------------------------------

#[tokio::test]
async fn typename_query_is_answered_exactly() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let response = post(&server.url("/graphql"), TYPENAME, None).await;
    assert_eq!(response.status().as_u16(), 200);
    let body = response.text().await.unwrap();
    assert_eq!(body, r#"{"data":{"__typename":"Query"}}"#);
}

#[tokio::test]
async fn get_parameters_are_decoded_into_the_request() {
    let server = start_dev().await;
    let query = "query Other { __typename } query User($id: ID!) { user(id: $id) { id username } }";
    let url = server.url(&format!(
        "/graphql?query={}&operationName=User&variables={}&extensions=%7B%7D",
        encode(query),
        encode(r#"{"id":"1"}"#),
    ));
    let (status, _, body) = parts(get(&url, None).await).await;
    assert_eq!(status, 200);
    let expected = demo_user("1");
    assert_eq!(body, json!({ "data": { "user": expected } }));
}

#[tokio::test]
async fn post_operation_name_and_variables_are_honoured() {
    let server = start_dev().await;
    let body = json!({
        "query": "query Other { __typename } query User($id: ID!) { user(id: $id) { id username } }",
        "operationName": "User",
        "variables": { "id": "2" },
    });
    let (status, _, body) =
        parts(post(&server.url("/graphql"), body.to_string(), None).await).await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({ "data": { "user": demo_user("2") } }));
}

#[tokio::test]
async fn heavy_query_through_the_dev_setup_returns_the_reference_response() {
    let server = start_dev().await;
    let body = json!({ "query": HEAVY_QUERY }).to_string();
    let (status, media, body) = parts(post(&server.url("/graphql"), body, None).await).await;
    assert_eq!((status, media.as_str()), (200, GRAPHQL_RESPONSE_JSON));
    let expected: Value = serde_json::from_str(HEAVY_RESPONSE).unwrap();
    assert_eq!(body, expected);
}

/// `{ id username }` of a demo user, as the heavy query's reference response has it.
fn demo_user(id: &str) -> Value {
    let reference: Value = serde_json::from_str(HEAVY_RESPONSE).unwrap();
    let user = reference["data"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|user| user["id"] == id)
        .unwrap();
    json!({ "id": id, "username": user["username"] })
}
