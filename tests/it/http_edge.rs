//! The HTTP edge over real HTTP: CORS (preflights and actual requests from
//! allowed and refused origins), compressed answers in every encoding and
//! compressed request bodies (within the body limit after decompression),
//! CSRF prevention, and batches.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use async_compression::tokio::bufread::{
    BrotliDecoder, GzipDecoder, GzipEncoder, ZlibDecoder, ZstdDecoder,
};
use axum::http::HeaderName;
use junction::http::{CompressionSettings, CorsSettings, CsrfSettings, HttpSettings};
use junction::pipeline::GatewaySettings;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::common::*;

const TYPENAME: &str = r#"{"query":"{ __typename }"}"#;
const PRODUCTS: &str =
    r#"{"query":"{ topProducts { upc name price reviews { body author { name } } } }"}"#;

fn cors(origins: &[&str], credentials: bool) -> CorsSettings {
    let strings = |list: &[&str]| list.iter().map(|s| s.to_string()).collect();
    CorsSettings {
        origins: strings(origins),
        methods: strings(&["GET", "POST"]),
        headers: strings(&["content-type", "authorization"]),
        expose_headers: strings(&["x-request-id"]),
        credentials,
        max_age: Duration::from_secs(600),
    }
}

fn compression(min_size_bytes: u16) -> CompressionSettings {
    CompressionSettings {
        br: true,
        zstd: true,
        gzip: true,
        deflate: true,
        min_size_bytes,
        level: 4,
        max_concurrent: 8,
    }
}

fn csrf() -> CsrfSettings {
    CsrfSettings {
        required_headers: vec![
            HeaderName::from_static("apollo-require-preflight"),
            HeaderName::from_static("x-apollo-operation-name"),
        ],
    }
}

async fn start_with_http(http: HttpSettings) -> TestServer {
    start_junction_with(Some(DEMO_SUPERGRAPH), GatewaySettings::default(), http).await
}

/// Asserts a refusal: its status, its error's code, and a word its message holds.
async fn assert_refused(response: reqwest::Response, status: u16, code: &str, word: &str) {
    let (got, _, body) = parts(response).await;
    assert_eq!((got, first_error_code(&body)), (status, code), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains(word), "{body}");
}

// ---- CORS ----------------------------------------------------------------------------

async fn preflight(server: &TestServer, origin: &str) -> reqwest::Response {
    client()
        .request(reqwest::Method::OPTIONS, server.url("/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap()
}

async fn from_origin(server: &TestServer, origin: &str) -> reqwest::Response {
    client()
        .post(server.url("/graphql"))
        .header("origin", origin)
        .header("content-type", "application/json")
        .body(TYPENAME)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_allows_listed_origins_and_patterns_and_no_other() {
    let http = HttpSettings {
        cors: cors(&["https://app.example.com", "http://localhost:*"], true),
        ..HttpSettings::default()
    };
    let server = start_with_http(http).await;
    for origin in ["https://app.example.com", "http://localhost:5173"] {
        let answer = preflight(&server, origin).await;
        assert!(answer.status().is_success(), "{origin}");
        assert_eq!(header(&answer, "access-control-allow-origin"), origin);
        assert_eq!(header(&answer, "access-control-allow-credentials"), "true");
        assert_eq!(header(&answer, "access-control-allow-methods"), "GET,POST");
        assert_eq!(header(&answer, "access-control-max-age"), "600");
        assert!(header(&answer, "access-control-allow-headers").contains("content-type"));

        let answer = from_origin(&server, origin).await;
        assert_eq!(header(&answer, "access-control-allow-origin"), origin);
        assert_eq!(
            header(&answer, "access-control-expose-headers"),
            "x-request-id"
        );
        assert!(header(&answer, "vary").contains("origin"));
        let (status, _, body) = parts(answer).await;
        assert_eq!(
            (status, body),
            (200, json!({ "data": { "__typename": "Query" } }))
        );
    }
    for origin in [
        "https://evil.example.org",
        "http://localhost",
        "https://app.example.com.evil.io",
    ] {
        let answer = preflight(&server, origin).await;
        assert_eq!(
            header(&answer, "access-control-allow-origin"),
            "",
            "{origin}"
        );
        let answer = from_origin(&server, origin).await;
        assert_eq!(
            header(&answer, "access-control-allow-origin"),
            "",
            "{origin}"
        );
    }
}

#[tokio::test]
async fn without_cors_settings_no_origin_gets_access_headers() {
    let server = start_with_http(HttpSettings::default()).await;
    let answer = preflight(&server, "http://localhost:3000").await;
    assert_eq!(header(&answer, "access-control-allow-origin"), "");
    let answer = from_origin(&server, "http://localhost:3000").await;
    assert_eq!(header(&answer, "access-control-allow-origin"), "");
    assert_eq!(answer.status().as_u16(), 200);
}

// ---- compression ----------------------------------------------------------------------

async fn decode(encoding: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut reader: Box<dyn AsyncRead + Unpin + Send + '_> = match encoding {
        "gzip" => Box::new(GzipDecoder::new(bytes)),
        "br" => Box::new(BrotliDecoder::new(bytes)),
        "zstd" => Box::new(ZstdDecoder::new(bytes)),
        "deflate" => Box::new(ZlibDecoder::new(bytes)),
        other => panic!("no decoder for {other}"),
    };
    reader.read_to_end(&mut out).await.unwrap();
    out
}

async fn post_accepting(
    server: &TestServer,
    body: &str,
    encoding: &str,
    accept: &str,
) -> reqwest::Response {
    client()
        .post(server.url("/graphql"))
        .header("content-type", "application/json")
        .header("accept", accept)
        .header("accept-encoding", encoding)
        .body(body.to_string())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn answers_in_every_encoding_decode_to_the_same_json() {
    let http = HttpSettings {
        compression: Some(compression(256)),
        ..HttpSettings::default()
    };
    let server = start_dev_with(http).await;
    let plain = post_accepting(&server, PRODUCTS, "identity", "application/json").await;
    assert_eq!(header(&plain, "content-encoding"), "");
    let plain: Value = serde_json::from_slice(&plain.bytes().await.unwrap()).unwrap();
    assert_eq!(
        plain["data"]["topProducts"][0]["reviews"][0]["author"]["name"],
        "Uri Goldshtein"
    );
    for encoding in ["gzip", "br", "zstd", "deflate"] {
        let answer = post_accepting(&server, PRODUCTS, encoding, "application/json").await;
        assert_eq!(answer.status().as_u16(), 200, "{encoding}");
        assert_eq!(header(&answer, "content-encoding"), encoding);
        let bytes = answer.bytes().await.unwrap();
        let decoded: Value = serde_json::from_slice(&decode(encoding, &bytes).await).unwrap();
        assert_eq!(decoded, plain, "{encoding}");
    }
    // The client's weights decide; an encoding it refuses is never used.
    let answer = post_accepting(
        &server,
        PRODUCTS,
        "gzip;q=0.5, br;q=0.9, zstd;q=0",
        "application/json",
    )
    .await;
    assert_eq!(header(&answer, "content-encoding"), "br");
    // Under the minimum size: sent as it is.
    let answer = post_accepting(&server, TYPENAME, "gzip", "application/json").await;
    assert_eq!(header(&answer, "content-encoding"), "");
    assert_eq!(
        answer.text().await.unwrap(),
        r#"{"data":{"__typename":"Query"}}"#
    );
}

#[tokio::test]
async fn past_the_concurrent_compression_limit_answers_go_out_uncompressed() {
    for (max_concurrent, expected) in [(0, ""), (1, "gzip")] {
        let http = HttpSettings {
            compression: Some(CompressionSettings {
                max_concurrent,
                ..compression(256)
            }),
            ..HttpSettings::default()
        };
        let server = start_dev_with(http).await;
        // One after the other: with one permit, each answer's permit is back
        // once its body is done, so every one is compressed.
        for _ in 0..3 {
            let answer = post_accepting(&server, PRODUCTS, "gzip", "application/json").await;
            assert_eq!(
                header(&answer, "content-encoding"),
                expected,
                "{max_concurrent}"
            );
            let bytes = answer.bytes().await.unwrap();
            let body = match expected {
                "gzip" => decode("gzip", &bytes).await,
                _ => bytes.to_vec(),
            };
            let json: Value = serde_json::from_slice(&body).unwrap();
            assert!(json["data"]["topProducts"].is_array(), "{json}");
        }
    }
}

#[tokio::test]
async fn incremental_answers_are_not_compressed() {
    let http = HttpSettings {
        compression: Some(compression(1)),
        ..HttpSettings::default()
    };
    let server = start_dev_with(http).await;
    let query = json!({ "query": "{ topProducts { upc ... @defer { reviews { body } } } }" });
    let answer = post_accepting(
        &server,
        &query.to_string(),
        "gzip, br",
        "multipart/mixed;deferSpec=20220824",
    )
    .await;
    assert_eq!(answer.status().as_u16(), 200);
    assert!(header(&answer, "content-type").starts_with("multipart/mixed"));
    assert_eq!(header(&answer, "content-encoding"), "");
    let text = answer.text().await.unwrap();
    assert!(text.contains(r#""hasNext":false"#), "{text}");
}

async fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    GzipEncoder::new(bytes).read_to_end(&mut out).await.unwrap();
    out
}

async fn post_gzipped(server: &TestServer, body: Vec<u8>) -> reqwest::Response {
    client()
        .post(server.url("/graphql"))
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn compressed_request_bodies_are_read_within_the_limit_after_decompression() {
    let http = HttpSettings {
        body_limit_bytes: 64 * 1024,
        compression: Some(compression(1024)),
        ..HttpSettings::default()
    };
    let server = start_with_http(http).await;
    let (status, _, body) =
        parts(post_gzipped(&server, gzip(TYPENAME.as_bytes()).await).await).await;
    assert_eq!(
        (status, body),
        (200, json!({ "data": { "__typename": "Query" } }))
    );

    // 10 MB of spaces compress to about 10 KB: under the limit as sent,
    // far over it once decompressed.
    let padding = " ".repeat(10 * 1024 * 1024);
    let bomb = gzip(format!(r#"{{"query":"{{ __typename }}"{padding}}}"#).as_bytes()).await;
    assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
    let (status, _, body) = parts(post_gzipped(&server, bomb).await).await;
    assert_eq!(status, 413);
    assert_eq!(first_error_code(&body), "PAYLOAD_TOO_LARGE");

    let (status, _, body) = parts(post_gzipped(&server, b"not gzip at all".to_vec()).await).await;
    assert_eq!(status, 400);
    assert_eq!(first_error_code(&body), "BAD_REQUEST");

    let compress = client()
        .post(server.url("/graphql"))
        .header("content-type", "application/json")
        .header("content-encoding", "compress")
        .body(TYPENAME)
        .send()
        .await
        .unwrap();
    assert_refused(compress, 415, "UNSUPPORTED_MEDIA_TYPE", "compress").await;
}

// ---- CSRF prevention ------------------------------------------------------------------

#[tokio::test]
async fn requests_a_browser_could_forge_are_refused_and_preflighted_ones_served() {
    let http = HttpSettings {
        csrf: Some(csrf()),
        ..HttpSettings::default()
    };
    let server = start_with_http(http).await;
    let url = server.url("/graphql");
    let get_url = format!("{url}?query=%7B__typename%7D");
    let forgeable = [
        client().get(&get_url),
        client()
            .post(&url)
            .header("content-type", "text/plain")
            .body(TYPENAME),
        client()
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(TYPENAME),
    ];
    for request in forgeable {
        let headers = "apollo-require-preflight, x-apollo-operation-name";
        assert_refused(request.send().await.unwrap(), 400, "CSRF_ERROR", headers).await;
    }
    let served = [
        client()
            .get(&get_url)
            .header("apollo-require-preflight", "true"),
        client()
            .post(&url)
            .header("content-type", "application/json")
            .body(TYPENAME),
        client()
            .get(&get_url)
            .header("x-apollo-operation-name", "Q"),
    ];
    for request in served {
        let (status, _, body) = parts(request.send().await.unwrap()).await;
        assert_eq!(
            (status, body),
            (200, json!({ "data": { "__typename": "Query" } }))
        );
    }
}

// ---- batching -------------------------------------------------------------------------

#[tokio::test]
async fn a_batch_is_answered_in_order_each_entry_with_its_own_errors() {
    let http = HttpSettings {
        max_batch: Some(3),
        ..HttpSettings::default()
    };
    let server = start_dev_with(http).await;
    let batch = json!([
        { "query": "{ topProducts(first: 1) { name } }" },
        { "query": "{ noSuchField }" },
        { "query": "query($id: ID!) { user(id: $id) { name } }", "variables": { "id": "1" } },
    ]);
    let (status, _, body) =
        parts(post(&server.url("/graphql"), batch.to_string(), None).await).await;
    assert_eq!(status, 200);
    let entries = body.as_array().unwrap();
    assert_eq!(entries.len(), 3, "{body}");
    assert_eq!(
        entries[0],
        json!({ "data": { "topProducts": [{ "name": "Table" }] } })
    );
    assert_eq!(first_error_code(&entries[1]), "GRAPHQL_VALIDATION_FAILED");
    assert!(entries[1].get("data").is_none(), "{}", entries[1]);
    assert_eq!(
        entries[2],
        json!({ "data": { "user": { "name": "Uri Goldshtein" } } })
    );

    // An entry that is not a request fails alone.
    let batch = r#"[{"query":"{ __typename }"}, 7]"#;
    let (status, _, body) = parts(post(&server.url("/graphql"), batch, None).await).await;
    assert_eq!(status, 200);
    assert_eq!(body[0], json!({ "data": { "__typename": "Query" } }));
    assert_eq!(first_error_code(&body[1]), "BAD_REQUEST");

    for (batch, message) in [
        (
            "[]",
            "the batch is empty: send at least one GraphQL request object",
        ),
        (
            r#"[{"query":"{a}"},{"query":"{a}"},{"query":"{a}"},{"query":"{a}"}]"#,
            "a batch holds at most 3 operations",
        ),
    ] {
        let (status, _, body) = parts(post(&server.url("/graphql"), batch, None).await).await;
        assert_eq!(status, 400, "{batch}");
        assert_eq!(body["errors"][0]["message"], message);
    }
}

// ---- subscriptions --------------------------------------------------------------------

#[tokio::test]
async fn subscription_transports_get_a_clear_refusal() {
    let server = start_with_http(HttpSettings::default()).await;
    let upgrade = client()
        .get(server.url("/graphql"))
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("sec-websocket-protocol", "graphql-transport-ws")
        .send()
        .await
        .unwrap();
    assert_refused(upgrade, 400, "SUBSCRIPTION_NOT_SUPPORTED", "WebSocket").await;

    let events = client()
        .post(server.url("/graphql"))
        .header("content-type", "application/json")
        .header("accept", "text/event-stream")
        .body(r#"{"query":"subscription { reviewAdded { id } }"}"#)
        .send()
        .await
        .unwrap();
    assert_refused(
        events,
        406,
        "SUBSCRIPTION_NOT_SUPPORTED",
        "text/event-stream",
    )
    .await;
}
