//! Test harness: the demo subgraphs on an ephemeral port and a plain HTTP client for them.

#![allow(clippy::unwrap_used, dead_code)]

use std::net::SocketAddr;

use junction_subgraphs::DemoSubgraphs;
use serde_json::{json, Value};

/// The four subgraphs served on `127.0.0.1:0`, with a client that speaks to them.
pub struct Harness {
    pub subgraphs: DemoSubgraphs,
    pub http: reqwest::Client,
}

impl Harness {
    pub async fn start() -> Self {
        let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
        Self {
            subgraphs: junction_subgraphs::spawn(addr).await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    /// The whole GraphQL response of one subgraph to `query` with `variables`.
    pub async fn request(&self, subgraph: &str, query: &str, variables: Value) -> Value {
        let response = self
            .http
            .post(self.subgraphs.url(subgraph))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{subgraph}: HTTP {}",
            response.status()
        );
        response.json().await.unwrap()
    }

    /// The `data` of a response that must have no errors.
    pub async fn data(&self, subgraph: &str, query: &str, variables: Value) -> Value {
        let mut response = self.request(subgraph, query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "{subgraph} answered errors to {query}: {response}"
        );
        response["data"].take()
    }

    /// `_entities` for `representations`, selecting `selection` on `typename`.
    pub async fn entities(
        &self,
        subgraph: &str,
        typename: &str,
        representations: Vec<Value>,
        selection: &str,
    ) -> Vec<Value> {
        let query = format!(
            "query($representations: [_Any!]!) {{ _entities(representations: $representations) {{ ... on {typename} {{ {selection} }} }} }}"
        );
        let mut data = self
            .data(
                subgraph,
                &query,
                json!({ "representations": representations }),
            )
            .await;
        match data["_entities"].take() {
            Value::Array(entities) => entities,
            other => panic!("{subgraph}: _entities is not a list: {other}"),
        }
    }
}
