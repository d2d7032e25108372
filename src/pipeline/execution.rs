//! The one execute-and-shape path of every operation: the primary fetches
//! (with every deferred fragment this request does not defer), the data
//! shaped and written once, and, when fragments are deferred, the
//! initial payload returned while [`super::incremental`] delivers the rest.

use crate::execute::ForwardedHeaders;
use std::sync::{Arc, Mutex};

use futures::{SinkExt, StreamExt};
use serde_json::{Map, Value};
use tracing::Instrument;

use super::snapshot::{PreparedRequest, Snapshot};
use super::{incremental, respond, GraphQLResponse};
use crate::execute::{lock, FetchContext, SubgraphClient};
use crate::json::{self, Data, ValueBudget};
use crate::plan::QueryPlan;
use crate::shape::{shape_response, OrgCheck, ShapeInput};

/// Everything one execution of a prepared operation needs, owned: shared
/// by identical requests (inbound dedupe), and kept by the delivery of
/// deferred fragments after the request has returned.
pub(super) struct Execution {
    pub snapshot: Arc<Snapshot>,
    pub client: SubgraphClient,
    pub prepared: Arc<PreparedRequest>,
    pub plan: Arc<QueryPlan>,
    /// The client's variables, coerced.
    pub variables: Map<String, Value>,
    pub introspection: Option<Map<String, Value>>,
    /// Ids of the fragments delivered after the initial payload.
    pub deferred: Vec<usize>,
    /// Delivery stops here (the request timeout), with `hasNext: false`.
    pub deadline: tokio::time::Instant,
    pub max_errors: usize,
    /// The values the request may receive from subgraphs, deferred
    /// fragments included.
    pub budget: ValueBudget,
    /// Headers every subgraph request carries (the caller's identity).
    pub forwarded: ForwardedHeaders,
    /// The caller's org, when objects of org-scoped types are checked.
    pub org_check: Option<OrgCheck>,
}

impl Execution {
    /// What every fetch of this execution reads.
    pub fn fetch_context(&self) -> FetchContext<'_> {
        FetchContext {
            supergraph: &self.snapshot.supergraph,
            client: &self.client,
            variables: &self.variables,
            budget: &self.budget,
            headers: &self.forwarded,
        }
    }

    /// What the shaper reads.
    pub fn shape_input(&self) -> ShapeInput<'_> {
        ShapeInput {
            schema: &self.snapshot.supergraph.api_schema,
            variables: &self.variables,
            introspection: self.introspection.as_ref(),
            deferred: &self.deferred,
            max_errors: self.max_errors,
            org_check: self.org_check.as_ref(),
        }
    }

    /// Runs the primary fetches, shapes the response and, if anything is
    /// deferred, starts delivering the rest.
    pub async fn run(self) -> GraphQLResponse {
        let data = Mutex::new(Data::Object(json::Object::new()));
        let mut errors = incremental::run_block(
            &self.plan,
            None,
            &self.deferred,
            self.fetch_context(),
            &data,
        )
        .await;
        let operation = &self.prepared.operation;
        let mut buffer = self.prepared.response_bytes.buffer();
        buffer.extend_from_slice(respond::DATA_PREFIX);
        let shaped = shape_response(
            &self.shape_input(),
            &operation.root_type,
            &operation.selections,
            &lock(&data),
            &mut errors,
            buffer,
        );
        self.prepared.response_bytes.record(shaped.buffer.len());
        if self.deferred.is_empty() {
            return respond::executed(shaped, errors, self.max_errors);
        }
        // What the client holds, to find where deferred fragments apply.
        let delivered: Data =
            json::read(shaped.data(), json::ReadLimits::default()).unwrap_or_default();
        let initial = respond::initial_payload(shaped, errors, self.max_errors);
        let (sender, receiver) = futures::channel::mpsc::channel(4);
        let data = data.into_inner().unwrap_or_else(|e| e.into_inner());
        let deadline = self.deadline;
        let span = tracing::Span::current();
        tokio::spawn(
            async move {
                let mut closer = sender.clone();
                let delivery = incremental::deliver(self, data, delivered, sender);
                if tokio::time::timeout_at(deadline, delivery).await.is_err() {
                    tracing::warn!("deferred fragments not delivered within the request timeout");
                    let _ = closer.send(respond::final_payload()).await;
                }
            }
            .instrument(span),
        );
        respond::incremental(initial, receiver.boxed())
    }
}
