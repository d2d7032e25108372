//! The two gateways of a run, each a child process serving one suite's
//! supergraph, killed when dropped.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Result};
use serde_json::{json, Value};

use crate::generate::Generated;

pub struct Gateway {
    child: Child,
    url: String,
    client: reqwest::Client,
}

impl Gateway {
    /// `junction serve` in dev mode (subgraph errors passed through, as a
    /// black-box router passes them).
    pub async fn junction(binary: &Path, supergraph: &Path, port: u16) -> Result<Self> {
        let config = supergraph.with_extension("yaml");
        std::fs::write(&config, "mode: dev\n")?;
        let child = Command::new(binary)
            .args(["serve", "--config"])
            .arg(&config)
            .arg("--supergraph")
            .arg(supergraph)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Self::ready(child, port).await
    }

    /// The other gateway, from its command line.
    pub async fn other(command: &str, supergraph: &Path, port: u16) -> Result<Self> {
        let child = Command::new("sh")
            .args(["-c", &format!("exec {command}")])
            .env("SUPERGRAPH", supergraph)
            .env("SUPERGRAPH_FILE_PATH", supergraph)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Self::ready(child, port).await
    }

    async fn ready(child: Child, port: u16) -> Result<Self> {
        let gateway = Self {
            child,
            url: format!("http://127.0.0.1:{port}/graphql"),
            client: reqwest::Client::new(),
        };
        for _ in 0..200 {
            let probe = gateway
                .client
                .post(&gateway.url)
                .json(&json!({ "query": "{ __typename }" }))
                .send()
                .await;
            if probe.is_ok_and(|r| r.status().is_success()) {
                return Ok(gateway);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("no gateway answered on port {port}")
    }

    /// The gateway's answer to an operation, as JSON.
    pub async fn query(&self, operation: &Generated) -> Result<Value> {
        let response = self
            .client
            .post(&self.url)
            .header("accept", "application/json")
            .json(&json!({ "query": operation.query, "variables": operation.variables }))
            .timeout(Duration::from_secs(30))
            .send()
            .await?;
        let body = response.bytes().await?;
        Ok(serde_json::from_slice(&body)
            .unwrap_or_else(|_| json!({ "unparsable": String::from_utf8_lossy(&body) })))
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
