//! The admin endpoint and the registry's input: credentials are checked
//! before a body is read, the body has a small limit of its own, malformed
//! bodies get plain messages, and a published subgraph URL must be http(s)
//! to a host the gateway may call.

use std::sync::Arc;
use std::time::Duration;

use junction::admin;
use junction::egress::AllowedHosts;
use junction::http::{self, AdminEndpoint, HttpSettings};
use junction::pipeline::{Gateway, GatewaySettings};
use junction::registry::Registry;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{client, TestServer};

const TOKEN: &str = "hardening-test-admin-token";

/// A gateway with the admin API over an embedded store in `dir`, whose
/// registry allows `hosts`.
async fn admin_server(dir: &tempfile::TempDir, hosts: AllowedHosts) -> TestServer {
    let store = crate::common::embedded_store(dir.path()).await;
    let registry = Registry::new(store).with_allowed_hosts(hosts);
    let settings = HttpSettings {
        admin: Some(AdminEndpoint::new(admin::schema(registry), TOKEN)),
        ..HttpSettings::default()
    };
    let gateway = Arc::new(Gateway::new(GatewaySettings::default()));
    let router = http::router(Arc::clone(&gateway), &settings);
    TestServer::serve(gateway, router, Duration::from_secs(5)).await
}

#[tokio::test]
async fn without_the_token_the_body_is_never_read() {
    let dir = tempfile::tempdir().unwrap();
    let server = admin_server(&dir, AllowedHosts::default()).await;
    let address = server.base_url.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    // Announces 10 MB and sends none of it: the answer comes anyway.
    let head = "POST /admin/graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 1024];
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer[..read.expect("an answer").unwrap()]).into_owned();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("UNAUTHENTICATED"), "{answer}");
}

async fn admin_post(server: &TestServer, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let response = client()
        .post(server.url("/admin/graphql"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn admin_bodies_have_a_small_limit_and_malformed_ones_plain_messages() {
    let dir = tempfile::tempdir().unwrap();
    let server = admin_server(&dir, AllowedHosts::default()).await;
    let large = format!(
        r#"{{"query":"{{ subgraphs {{ name }} }}","x":"{}"}}"#,
        "y".repeat(2 << 20)
    );
    let (status, body) = admin_post(&server, large).await;
    assert_eq!(status, 413);
    assert_eq!(body["errors"][0]["extensions"]["code"], "PAYLOAD_TOO_LARGE");

    let (status, body) = admin_post(&server, r#"{"query": 1}"#).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({ "errors": [{
                "message": "the request body is not valid JSON: expected a GraphQL request object with a `query` string (line 1, column 11)",
                "extensions": { "code": "BAD_REQUEST" },
            }] })
        )
    );
    let (status, body) = admin_post(&server, r#"{"query": "#).await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"][0]["message"],
        "the request body is not valid JSON: EOF while parsing a value at line 1 column 10"
    );
}

const PUBLISH: &str = "mutation($url: String!) { publishSubgraph(name: \"greetings\", url: $url, sdl: \"type Query { hello: String }\") { ok } }";

async fn publish(server: &TestServer, url: &str) -> Value {
    let body = json!({ "query": PUBLISH, "variables": { "url": url } });
    crate::common::admin_request(&server.base_url, TOKEN, &body).await
}

#[tokio::test]
async fn a_published_subgraph_url_must_be_http_to_an_allowed_host() {
    let dir = tempfile::tempdir().unwrap();
    let server = admin_server(&dir, AllowedHosts::default()).await;
    let refused = [
        ("file:///etc/passwd", "the URL must be http or https, not file"),
        ("gopher://example.com/", "the URL must be http or https, not gopher"),
        (
            "http://169.254.169.254/latest/meta-data",
            "the host 169.254.169.254 is not allowed (link-local and metadata addresses are refused)",
        ),
        (
            "http://metadata.google.internal/computeMetadata/v1",
            "the host metadata.google.internal is not allowed (link-local and metadata addresses are refused)",
        ),
    ];
    for (url, reason) in refused {
        let body = publish(&server, url).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.ends_with(reason), "{url}: {message}");
    }
    let body = publish(&server, "http://127.0.0.1:4001/graphql").await;
    assert_eq!(body["data"]["publishSubgraph"]["ok"], true, "{body}");

    let dir = tempfile::tempdir().unwrap();
    let listed = AllowedHosts::parse(&["*.svc.cluster.local"]).unwrap();
    let server = admin_server(&dir, listed).await;
    let body = publish(&server, "http://127.0.0.1:4001/graphql").await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.ends_with("the host 127.0.0.1 is not in the allowed subgraph hosts"),
        "{body}"
    );
    let body = publish(&server, "http://greetings.team.svc.cluster.local/graphql").await;
    assert_eq!(body["data"]["publishSubgraph"]["ok"], true, "{body}");
}
