//! Incremental delivery (`@defer`): which deferred fragments this request
//! really defers (`if:` true and a client that takes incremental responses),
//! the blocks of fetches (a block runs with the fragments nested in it that
//! are not deferred), and, once the initial payload is out (see
//! [`super::execution`]), one payload per deferred fragment as its fetches
//! finish, nested fragments after their parent.

use std::sync::Mutex;

use futures::future::BoxFuture;
use futures::stream::FuturesUnordered;
use futures::{FutureExt, SinkExt, StreamExt};
use serde_json::{Map, Value};

use super::execution::Execution;
use super::{respond, Delivery};
use crate::execute::{execute_stages, lock, FetchContext};
use crate::graphql_error::GraphQLError;
use crate::json::Data;
use crate::operation::defer_enabled;
use crate::plan::QueryPlan;
use crate::shape::shape_deferred;

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

/// Runs each deferred fragment once its parent is delivered and sends its payload.
pub(super) async fn deliver(
    run: Execution,
    data: Data,
    mut delivered: Data,
    mut sender: futures::channel::mpsc::Sender<bytes::Bytes>,
) {
    let data = Mutex::new(data);
    let context = run.fetch_context();
    let input = run.shape_input();
    let operation = &run.prepared.operation;
    let (plan, deferred, data_ref) = (&run.plan, &run.deferred, &data);
    let start = |id: usize| -> BoxFuture<'_, (usize, Vec<GraphQLError>)> {
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
            &operation.root_type,
            &operation.selections,
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
pub(super) fn run_block<'a>(
    plan: &'a QueryPlan,
    block: Option<usize>,
    deferred: &'a [usize],
    context: FetchContext<'a>,
    data: &'a Mutex<Data>,
) -> BoxFuture<'a, Vec<GraphQLError>> {
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
