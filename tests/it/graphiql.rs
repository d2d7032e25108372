//! GraphiQL on `GET /graphql` over real HTTP: a browser's navigation gets
//! the page (with its Content-Security-Policy) and every file it links,
//! from the binary; GraphQL clients' GETs still run their query; without
//! GraphiQL (production's default) a browser is answered as before; CSRF
//! prevention lets the page through and still refuses forgeable operations.

#![allow(clippy::unwrap_used)]

use axum::http::HeaderName;
use junction::cli::serve::http_settings;
use junction::config::{Config, Mode};
use junction::http::{
    graphiql_assets, CsrfSettings, GraphiqlSettings, HttpSettings, GRAPHIQL_BUILT, LICENCES_PATH,
};
use serde_json::json;

use crate::common::*;

/// What Chrome sends when it navigates to a URL.
const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";
/// What GraphiQL's fetcher sends with each operation.
const GRAPHIQL_FETCH: &str = "application/json, multipart/mixed";
const TYPENAME: &str = "/graphql?query=%7B__typename%7D";

fn with_graphiql() -> HttpSettings {
    HttpSettings {
        graphiql: Some(GraphiqlSettings::default()),
        ..HttpSettings::default()
    }
}

fn csrf() -> Option<CsrfSettings> {
    Some(CsrfSettings {
        required_headers: vec![HeaderName::from_static("apollo-require-preflight")],
    })
}

/// GraphiQL's files must be in the binary for these tests to mean anything.
fn assert_built() {
    if !GRAPHIQL_BUILT {
        panic!(
            "this build has no GraphiQL files: build.rs could not download them (see its \
             cargo warning). Build with network access and curl, or set \
             JUNCTION_GRAPHIQL_ASSETS to a directory holding them, then `touch build.rs`."
        );
    }
}

async fn text(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let content_type = header(&response, "content-type");
    (status, content_type, response.text().await.unwrap())
}

#[tokio::test]
async fn a_browser_gets_the_graphiql_page_with_a_strict_policy() {
    assert_built();
    let server = start_dev_with(with_graphiql()).await;
    let response = get(&server.url("/graphql"), Some(BROWSER)).await;
    let policy = header(&response, "content-security-policy");
    assert_eq!(header(&response, "cache-control"), "no-cache");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    let (status, content_type, html) = text(response).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/html; charset=utf-8")
    );
    for directive in [
        "default-src 'none'",
        "script-src 'self';",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} not in {policy}");
    }
    assert!(!policy.contains("http"), "no other origin: {policy}");
    let assets = graphiql_assets();
    assert_eq!(assets.len(), 5);
    for asset in assets {
        let tag = match asset.content_type.starts_with("text/css") {
            true => format!(r#"<link rel="stylesheet" href="{}">"#, asset.path),
            false => format!(r#"<script src="{}"></script>"#, asset.path),
        };
        assert!(html.contains(&tag), "{tag} not in {html}");
    }
    assert!(
        !html.contains("//unpkg") && !html.contains("//cdn"),
        "{html}"
    );

    // A link with a query opens it in the page; nothing is run.
    let (status, content_type, html) = text(get(&server.url(TYPENAME), Some(BROWSER)).await).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/html; charset=utf-8")
    );
    assert!(html.contains("junction-graphiql-config"), "{html}");
}

#[tokio::test]
async fn every_file_of_the_page_is_served_from_the_binary_for_a_year() {
    assert_built();
    let server = start_dev_with(with_graphiql()).await;
    for asset in graphiql_assets() {
        let response = get(&server.url(&asset.path), None).await;
        assert_eq!(response.status().as_u16(), 200, "{}", asset.path);
        assert_eq!(header(&response, "content-type"), asset.content_type);
        assert_eq!(
            header(&response, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        let body = response.bytes().await.unwrap();
        assert!(
            body == asset.bytes,
            "{} differs from the embedded file",
            asset.path
        );
    }
    let size = |name: &str| {
        let asset = graphiql_assets().iter().find(|a| a.path.contains(name));
        asset.map_or(0, |a| a.bytes.len())
    };
    assert!(
        size("/graphiql.min.") > 100_000 * 2,
        "graphiql.min.js and .css"
    );
    assert!(size("/react-dom.production.min.") > 100_000);
    assert!(size("/react.production.min.") > 5_000);

    let missing = get(&server.url("/graphql/_graphiql/graphiql.min.0000.js"), None).await;
    assert_eq!(missing.status().as_u16(), 404);
    let (status, content_type, licences) = text(get(&server.url(LICENCES_PATH), None).await).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/plain; charset=utf-8")
    );
    assert_eq!(licences.matches("MIT License").count(), 3, "{licences}");
}

#[tokio::test]
async fn graphql_gets_still_run_their_query_beside_graphiql() {
    let server = start_dev_with(with_graphiql()).await;
    let typename = json!({ "data": { "__typename": "Query" } });
    for (accept, media) in [
        (Some("application/json"), JSON),
        (
            Some("application/graphql-response+json"),
            GRAPHQL_RESPONSE_JSON,
        ),
        (Some("*/*"), GRAPHQL_RESPONSE_JSON),
        (Some("application/json, text/html"), JSON),
        (None, GRAPHQL_RESPONSE_JSON),
    ] {
        let (status, content_type, body) = parts(get(&server.url(TYPENAME), accept).await).await;
        assert_eq!(
            (status, content_type.as_str(), &body),
            (200, media, &typename)
        );
    }
}

#[tokio::test]
async fn graphiqls_fetcher_gets_deferred_fragments_incrementally() {
    let server = start_dev_with(with_graphiql()).await;
    let query = r#"{ topProducts(first: 1) { name ... @defer(label: "stock") { inStock } } }"#;
    let response = post(
        &server.url("/graphql"),
        json!({ "query": query }).to_string(),
        Some(GRAPHIQL_FETCH),
    )
    .await;
    assert_eq!(
        header(&response, "content-type"),
        "multipart/mixed; boundary=\"graphql\"; deferSpec=20220824"
    );
    let body = response.text().await.unwrap();
    assert!(body.contains(r#"{"data":{"topProducts":[{"name":"Table"}]},"hasNext":true}"#));
    assert!(body.contains(r#""data":{"inStock":true},"path":["topProducts",0],"label":"stock""#));
}

#[tokio::test]
async fn without_graphiql_a_browser_is_answered_as_before() {
    // Production's defaults: no GraphiQL, CSRF prevention on.
    let production = http_settings(&Config::default());
    assert!(production.graphiql.is_none() && production.csrf.is_some());
    let server = start_dev_with(production).await;
    for path in ["/graphql", TYPENAME] {
        let (status, content_type, body) = parts(get(&server.url(path), Some(BROWSER)).await).await;
        assert_eq!(
            (status, content_type.as_str(), first_error_code(&body)),
            (400, GRAPHQL_RESPONSE_JSON, "CSRF_ERROR")
        );
    }
    let page_file = server.url(LICENCES_PATH);
    assert_eq!(get(&page_file, None).await.status(), 404);

    // Without CSRF prevention either: the query runs, a missing one is a
    // request error, and text/html alone is not acceptable.
    let server = start_dev_with(HttpSettings::default()).await;
    let (status, _, body) = parts(get(&server.url(TYPENAME), Some(BROWSER)).await).await;
    assert_eq!(
        (status, body),
        (200, json!({ "data": { "__typename": "Query" } }))
    );
    let (status, content_type, body) =
        parts(get(&server.url("/graphql"), Some(BROWSER)).await).await;
    assert_eq!(
        (status, content_type.as_str(), first_error_code(&body)),
        (400, GRAPHQL_RESPONSE_JSON, "BAD_REQUEST")
    );
    let (status, _, body) = parts(get(&server.url("/graphql"), Some("text/html")).await).await;
    assert_eq!((status, first_error_code(&body)), (406, "NOT_ACCEPTABLE"));

    // Dev mode turns it on, and so does the config in production.
    let dev = Config {
        mode: Mode::Dev,
        ..Config::default()
    };
    assert!(http_settings(&dev).graphiql.is_some());
    let on = Config::from_yaml("graphiql:\n  enabled: true\n").unwrap();
    assert!(http_settings(&on).graphiql.is_some());
}

#[tokio::test]
async fn csrf_prevention_lets_the_page_through_and_refuses_forgeable_operations() {
    let server = start_dev_with(HttpSettings {
        csrf: csrf(),
        ..with_graphiql()
    })
    .await;
    let expected_page = if GRAPHIQL_BUILT { 200 } else { 501 };
    for path in ["/graphql", TYPENAME] {
        let (status, content_type, _) = text(get(&server.url(path), Some(BROWSER)).await).await;
        assert_eq!(
            (status, content_type.as_str()),
            (expected_page, "text/html; charset=utf-8")
        );
    }
    let (status, _, body) = parts(get(&server.url(TYPENAME), Some("application/json")).await).await;
    assert_eq!((status, first_error_code(&body)), (400, "CSRF_ERROR"));
    let preflighted = client()
        .get(server.url(TYPENAME))
        .header("accept", "application/json")
        .header("apollo-require-preflight", "true");
    let (status, _, body) = parts(preflighted.send().await.unwrap()).await;
    assert_eq!(
        (status, body),
        (200, json!({ "data": { "__typename": "Query" } }))
    );
}
