//! The request pipeline: one straight line of stages from a decoded GraphQL
//! request to an encoded response body, run against the live [`Snapshot`].
//!
//! The HTTP layer hands a [`GraphQLRequest`] to [`Gateway::execute`] and gets
//! back a [`GraphQLResponse`] whose body is already serialised (and, when
//! fragments are deferred, a stream of the payloads that follow). Every
//! error of every stage is mapped to a GraphQL error (with `extensions.code`)
//! here, in one place.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;
use bytes::Bytes;
use serde::Deserialize;

use crate::execute::{HealthState, ProbeSettings, SubgraphClient};
pub use errors::GatewayError;
pub use snapshot::Snapshot;

mod errors;
mod incremental;
mod respond;
mod snapshot;
mod stages;

/// Settings of the gateway that do not come from the supergraph.
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// Answer `__schema` / `__type` queries.
    pub introspection: bool,
    /// Timeout of one subgraph HTTP request.
    pub subgraph_timeout: Duration,
    /// Subgraph name → URL, replacing the URL the supergraph declares.
    pub subgraph_urls: std::collections::HashMap<String, String>,
    /// Maximum number of cached prepared operations and plans.
    pub cache_capacity: u64,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        Self {
            introspection: true,
            subgraph_timeout: Duration::from_secs(30),
            subgraph_urls: Default::default(),
            cache_capacity: 1024,
        }
    }
}

/// Stops the health checks when dropped.
pub struct HealthChecks(Option<tokio::task::JoinHandle<()>>);

impl Drop for HealthChecks {
    fn drop(&mut self) {
        if let Some(task) = &self.0 {
            task.abort();
        }
    }
}

/// One GraphQL request as decoded from HTTP (POST body or GET parameters).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphQLRequest {
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Option<serde_json::Map<String, serde_json::Value>>,
    pub extensions: Option<serde_json::Map<String, serde_json::Value>>,
}

/// How the request arrived; mutations are refused over GET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestMethod {
    Get,
    Post,
}

/// What kind of response this is, for the HTTP layer to choose a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// Execution started: the body has a `data` entry (maybe null) and maybe `errors`.
    Executed,
    /// The request was rejected before execution (parse, validation, variables):
    /// the body has `errors` and no `data`.
    RequestError,
    /// A mutation (or subscription) sent over GET.
    MethodNotAllowed,
    /// No supergraph is loaded yet.
    NotReady,
}

/// How the client can take a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// One response holding everything: deferred fragments are delivered inline.
    Complete,
    /// Deferred fragments may follow the initial payload (incremental delivery).
    Incremental,
}

/// The payloads that follow the initial one of an incremental response,
/// each a serialised JSON object (`{"incremental": […], "hasNext": …}`).
pub type Subsequent = futures::stream::BoxStream<'static, Bytes>;

/// A serialised GraphQL response body and its kind.
pub struct GraphQLResponse {
    pub kind: ResponseKind,
    /// The response, or the initial payload (with `"hasNext": true`) of an incremental one.
    pub body: Bytes,
    /// For an incremental response, the payloads still to come.
    pub subsequent: Option<Subsequent>,
}

impl std::fmt::Debug for GraphQLResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphQLResponse")
            .field("kind", &self.kind)
            .field("body", &self.body)
            .field("incremental", &self.subsequent.is_some())
            .finish()
    }
}

/// Why a supergraph could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Supergraph(#[from] crate::supergraph::SupergraphError),
}

/// The long-lived gateway: the live snapshot and the subgraph HTTP client.
pub struct Gateway {
    settings: GatewaySettings,
    live: ArcSwapOption<Snapshot>,
    client: SubgraphClient,
}

impl Gateway {
    pub fn new(settings: GatewaySettings) -> Self {
        let client = SubgraphClient::new(settings.subgraph_timeout);
        Self {
            settings,
            live: ArcSwapOption::empty(),
            client,
        }
    }

    /// Builds a snapshot from supergraph SDL and makes it live. On error the
    /// previous snapshot (if any) keeps serving.
    pub fn load_supergraph(&self, sdl: &str) -> Result<(), SnapshotError> {
        let snapshot = Snapshot::build(sdl, &self.settings)?;
        self.live.store(Some(Arc::new(snapshot)));
        Ok(())
    }

    /// True once a supergraph is loaded.
    pub fn is_ready(&self) -> bool {
        self.live.load().is_some()
    }

    /// The last health probe results of the live supergraph's subgraphs.
    pub fn subgraph_health(&self) -> Vec<(String, HealthState)> {
        self.client.health().snapshot()
    }

    /// Probes the live supergraph's subgraphs every `settings.interval`
    /// (none when it is zero) until the returned guard is dropped.
    pub fn start_health_checks(self: &Arc<Self>, settings: ProbeSettings) -> HealthChecks {
        if settings.interval.is_zero() {
            return HealthChecks(None);
        }
        let gateway = Arc::clone(self);
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(settings.interval);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Some(snapshot) = gateway.live.load_full() else {
                    continue;
                };
                let subgraphs: Vec<(String, String)> = snapshot
                    .supergraph
                    .subgraphs
                    .iter()
                    .map(|s| (s.name.clone(), s.url.clone()))
                    .collect();
                gateway.client.probe_all(&subgraphs, &settings).await;
            }
        });
        HealthChecks(Some(task))
    }

    /// Runs one request through the pipeline.
    pub async fn execute(
        &self,
        request: GraphQLRequest,
        method: RequestMethod,
        delivery: Delivery,
    ) -> GraphQLResponse {
        let Some(snapshot) = self.live.load_full() else {
            return respond::request_error(ResponseKind::NotReady, &[GatewayError::NotReady]);
        };
        let client = &self.client;
        match stages::run(&snapshot, &self.settings, client, request, method, delivery).await {
            Ok(response) => response,
            Err(errors) => respond::from_errors(&errors),
        }
    }

    /// The query plan of an operation, as text (`json = false`) or JSON.
    pub fn explain(
        &self,
        query: &str,
        operation_name: Option<&str>,
        json: bool,
    ) -> Result<String, String> {
        let snapshot = self.live.load_full().ok_or("no supergraph loaded")?;
        let prepared = snapshot
            .prepare(query, operation_name)
            .map_err(|e| respond::describe(&e))?;
        let plan = prepared.plan.as_ref().map_err(|e| e.to_string())?;
        Ok(if json {
            serde_json::to_string_pretty(&plan.to_json()).unwrap_or_default()
        } else {
            plan.to_string()
        })
    }
}
