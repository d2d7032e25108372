//! What the hardening tests share: a gateway served over HTTP in front of
//! fixture subgraphs, and waiting for an event instead of for time.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use junction::http::{self, HttpSettings, ServerSettings};
use junction::pipeline::{Gateway, GatewaySettings};
use serde_json::{json, Value};

use crate::common::fixture_subgraph::{FixtureServer, Subgraph};
use crate::common::TestServer;

/// A gateway serving HTTP in front of fixture subgraphs.
pub struct Served {
    pub subgraphs: FixtureServer,
    pub server: TestServer,
}

impl Served {
    /// Fixture `subgraphs`, a gateway over `types` with `settings`, served
    /// over HTTP with `http` and `server` limits.
    pub async fn start(
        types: &str,
        subgraphs: Vec<Subgraph>,
        settings: GatewaySettings,
        http_settings: HttpSettings,
        server: ServerSettings,
    ) -> Self {
        let subgraphs = FixtureServer::start(types, subgraphs).await;
        let gateway = Arc::new(Gateway::new(settings));
        gateway
            .load_supergraph(subgraphs.supergraph())
            .expect("the test supergraph loads");
        let router = http::router(Arc::clone(&gateway), &http_settings);
        let server = TestServer::serve_with(gateway, router, server).await;
        Self { subgraphs, server }
    }

    /// Dev settings and default limits.
    pub async fn dev(types: &str, subgraphs: Vec<Subgraph>) -> Self {
        Self::start(
            types,
            subgraphs,
            GatewaySettings::dev(),
            HttpSettings::default(),
            ServerSettings::default(),
        )
        .await
    }

    pub fn gateway(&self) -> &Gateway {
        &self.server.gateway
    }

    /// POSTs `{ query, variables }` to `/graphql`: status and JSON body.
    pub async fn post(&self, query: &str, variables: Value) -> (u16, Value) {
        post_graphql(&self.server.url("/graphql"), query, variables).await
    }
}

/// POSTs a GraphQL request to `url`: status and JSON body.
pub async fn post_graphql(url: &str, query: &str, variables: Value) -> (u16, Value) {
    let response = crate::common::client()
        .post(url)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("the gateway answers");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("a body");
    let body = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, body)
}

/// Waits until `check` holds, checking again whenever other tasks have run;
/// fails the test if it never does (the limit only keeps a broken gateway
/// from hanging the test run). For the gateway's in-flight counts, which
/// offer nothing to wait on; a request reaching a fixture subgraph is
/// waited on with `FixtureServer::received`.
pub async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let waited = tokio::time::timeout(Duration::from_secs(20), async {
        while !check().await {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "never happened: {what}");
}
