//! Incremental delivery (`@defer`): which deferred fragments this request
//! really defers (`if:` true and a client that takes incremental responses),
//! running the others together with their parent, the initial payload as
//! soon as the primary fetches are done, then one payload per deferred
//! fragment as its fetches finish, nested fragments after their parent.

use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, SinkExt, StreamExt};
use serde_json::{Map, Value};
use tracing::Instrument;

use super::snapshot::Snapshot;
use super::{respond, Delivery, GraphQLResponse};
use crate::execute::{execute_stages, lock, FetchContext, SubgraphClient};
use crate::json::{self, Data, ValueBudget};
use crate::operation::{defer_enabled, PreparedOperation};
use crate::plan::QueryPlan;
use crate::shape::{shape_deferred, shape_response, ShapeInput};

/// Everything a request with deferred fragments needs, owned, so that the
/// deferred part can go on after the initial payload is returned.
pub(super) struct DeferredRun {
    pub snapshot: Arc<Snapshot>,
    pub client: SubgraphClient,
    pub operation: Arc<PreparedOperation>,
    pub plan: Arc<QueryPlan>,
    pub variables: Map<String, Value>,
    pub introspection: Option<Map<String, Value>>,
    /// Ids of the fragments delivered after the initial payload.
    pub deferred: Vec<usize>,
    /// Delivery stops here (the request timeout), with `hasNext: false`.
    pub deadline: tokio::time::Instant,
    pub max_errors: usize,
    /// The values the request may still receive from subgraphs, deferred
    /// fragments included.
    pub budget: ValueBudget,
}

/// The deferred fragments this request defers.
pub(super) fn deferred_ids(
    plan: &QueryPlan,
    variables: &Map<String, Value>,
    delivery: Delivery,
) -> Vec<usize> {
    if delivery == Delivery::Complete {
        return Vec::new();
    }
    plan.deferred
        .iter()
        .filter(|d| defer_enabled(d.if_variable.as_ref(), variables))
        .map(|d| d.id)
        .collect()
}

/// Runs the primary fetches (and every fragment not deferred), shapes the
/// initial payload and, if anything is deferred, starts delivering the rest.
pub(super) async fn run(run: DeferredRun) -> GraphQLResponse {
    let data = Mutex::new(Data::Object(json::Object::new()));
    let context = FetchContext {
        supergraph: &run.snapshot.supergraph,
        client: &run.client,
        variables: &run.variables,
        budget: &run.budget,
    };
    let mut errors = run_block(&run.plan, None, &run.deferred, context, &data).await;
    let input = ShapeInput {
        schema: &run.snapshot.supergraph.api_schema,
        variables: &run.variables,
        introspection: run.introspection.as_ref(),
        deferred: &run.deferred,
        max_errors: run.max_errors,
    };
    let operation = &run.operation;
    let shaped = shape_response(
        &input,
        &operation.root_type,
        &operation.selections,
        &lock(&data),
        &mut errors,
    );
    if run.deferred.is_empty() {
        return respond::executed(shaped, errors, run.max_errors);
    }
    // What the client holds, to find where deferred fragments apply.
    let delivered: Data =
        json::read(&shaped.data, json::ReadLimits::default()).unwrap_or_default();
    let initial = respond::initial_payload(shaped, errors, run.max_errors);
    let (sender, receiver) = futures::channel::mpsc::channel(4);
    let data = data.into_inner().unwrap_or_else(|e| e.into_inner());
    let deadline = run.deadline;
    let span = tracing::Span::current();
    tokio::spawn(
        async move {
            let mut closer = sender.clone();
            let delivered = tokio::time::timeout_at(deadline, deliver(run, data, delivered, sender));
            if delivered.await.is_err() {
                tracing::warn!("deferred fragments not delivered within the request timeout");
                let _ = closer.send(respond::final_payload()).await;
            }
        }
        .instrument(span),
    );
    respond::incremental(initial, receiver.boxed())
}

/// Runs each deferred fragment once its parent is delivered and sends its payload.
async fn deliver(
    run: DeferredRun,
    data: Data,
    mut delivered: Data,
    mut sender: futures::channel::mpsc::Sender<bytes::Bytes>,
) {
    let data = Mutex::new(data);
    let context = FetchContext {
        supergraph: &run.snapshot.supergraph,
        client: &run.client,
        variables: &run.variables,
        budget: &run.budget,
    };
    let input = ShapeInput {
        schema: &run.snapshot.supergraph.api_schema,
        variables: &run.variables,
        introspection: run.introspection.as_ref(),
        deferred: &run.deferred,
        max_errors: run.max_errors,
    };
    let (plan, deferred, data_ref) = (&run.plan, &run.deferred, &data);
    let start = |id: usize| -> BoxFuture<'_, (usize, Vec<Value>)> {
        async move {
            (
                id,
                run_block(plan, Some(id), deferred, context, data_ref).await,
            )
        }
        .boxed()
    };
    let mut pending: FuturesUnordered<_> = delivered_after(plan, None, deferred)
        .into_iter()
        .map(start)
        .collect();
    while let Some((id, errors)) = pending.next().await {
        let items = shape_deferred(
            &input,
            &run.operation.root_type,
            &run.operation.selections,
            id,
            &lock(&data),
            &mut delivered,
            errors,
        );
        pending.extend(
            delivered_after(plan, Some(id), deferred)
                .into_iter()
                .map(start),
        );
        let has_next = !pending.is_empty();
        if items.is_empty() && has_next {
            continue;
        }
        let label = plan
            .deferred
            .iter()
            .find(|d| d.id == id)
            .and_then(|d| d.label.as_deref());
        let payload = respond::subsequent_payload(items, label, has_next, run.max_errors);
        if sender.send(payload).await.is_err() {
            // The client is gone: nothing more to deliver.
            return;
        }
    }
}

/// Runs a block's fetches (`None`: the primary ones), then those of the
/// fragments nested in it that this request does not defer.
fn run_block<'a>(
    plan: &'a QueryPlan,
    block: Option<usize>,
    deferred: &'a [usize],
    context: FetchContext<'a>,
    data: &'a Mutex<Data>,
) -> BoxFuture<'a, Vec<Value>> {
    async move {
        let stages = match block {
            None => plan.stages.as_slice(),
            Some(id) => plan
                .deferred
                .iter()
                .find(|d| d.id == id)
                .map_or(&[][..], |d| d.stages.as_slice()),
        };
        let mut errors = execute_stages(stages, context, data).await;
        let inline = plan
            .deferred
            .iter()
            .filter(|d| d.parent == block && !deferred.contains(&d.id))
            .map(|d| run_block(plan, Some(d.id), deferred, context, data));
        for nested in futures::future::join_all(inline).await {
            errors.extend(nested);
        }
        errors
    }
    .boxed()
}

/// The deferred fragments delivered next after `block`: those whose
/// nearest deferred ancestor it is.
fn delivered_after(plan: &QueryPlan, block: Option<usize>, deferred: &[usize]) -> Vec<usize> {
    plan.deferred
        .iter()
        .filter(|d| deferred.contains(&d.id) && nearest_deferred(plan, d.parent, deferred) == block)
        .map(|d| d.id)
        .collect()
}

fn nearest_deferred(
    plan: &QueryPlan,
    mut parent: Option<usize>,
    deferred: &[usize],
) -> Option<usize> {
    while let Some(id) = parent {
        if deferred.contains(&id) {
            return Some(id);
        }
        parent = plan
            .deferred
            .iter()
            .find(|d| d.id == id)
            .and_then(|d| d.parent);
    }
    None
}
