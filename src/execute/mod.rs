//! Running a query plan: each fetch as soon as the fetches it reads from
//! are done (independent fetches in parallel); entity representations
//! collected from the response so far, deduplicated and batched into one
//! `_entities` request per fetch; results and errors merged back at the
//! right paths. A failing subgraph yields
//! errors, never a panic: its part of the data stays missing and the shaper
//! nulls it.
//!
//! [`execute_stages`] runs any list of stages against a shared response
//! tree, so that a deferred fragment's fetches (see
//! [`crate::plan::DeferredNode`]) run later against the same data.

mod client;
mod entities;
mod errors;
mod forwarded;
mod health;
mod in_flight;
mod policy;
mod resolver;
mod response_tree;
mod transport;

use std::sync::Mutex;

use bytes::Bytes;
use serde_json::{Map, Value};

pub use client::{FetchError, Recorded, SubgraphClient};
pub use forwarded::ForwardedHeaders;
pub use health::{HealthState, ProbeSettings, SubgraphHealth, FAILURES_BEFORE_UNHEALTHY};
pub use in_flight::{InFlight, RequestKey};
pub use policy::{ClientSettings, ErrorPolicy, SubgraphPolicy};

use crate::graphql_error::{Cause, GraphQLError, PathElement};
use crate::json::{self, Data, ValueBudget};
use crate::plan::{FetchNode, QueryPlan};
use crate::supergraph::Supergraph;
use response_tree::merge;

/// The data and errors gathered from the subgraphs.
#[derive(Debug, Default)]
pub struct ExecutionOutput {
    pub data: Data,
    pub errors: Vec<GraphQLError>,
}

/// What every fetch of one request reads.
#[derive(Clone, Copy)]
pub struct FetchContext<'a> {
    pub supergraph: &'a Supergraph,
    pub client: &'a SubgraphClient,
    /// The client's variables, coerced.
    pub variables: &'a Map<String, Value>,
    /// The JSON values the request may still receive from subgraphs (or
    /// copy while merging their answers).
    pub budget: &'a ValueBudget,
    /// Headers sent with every subgraph request (the caller's identity).
    pub headers: &'a ForwardedHeaders,
}

/// Runs a plan's primary stages.
pub async fn execute_plan(plan: &QueryPlan, context: FetchContext<'_>) -> ExecutionOutput {
    let data = Mutex::new(Data::Object(json::Object::new()));
    let errors = execute_stages(&plan.stages, context, &data).await;
    ExecutionOutput {
        data: data.into_inner().unwrap_or_else(|e| e.into_inner()),
        errors,
    }
}

/// Runs the fetches of a block's stages against the response tree `data`,
/// merging their results into it; returns their errors (in plan order,
/// whatever order the fetches finish in).
///
/// Each fetch starts as soon as the fetches it reads from
/// ([`FetchNode::depends_on`]) are done, not when its whole stage is: a slow
/// subgraph holds back only what depends on it.
pub async fn execute_stages(
    stages: &[Vec<FetchNode>],
    context: FetchContext<'_>,
    data: &Mutex<Data>,
) -> Vec<GraphQLError> {
    use futures::stream::{FuturesUnordered, StreamExt};

    let fetches: Vec<&FetchNode> = stages.iter().flatten().collect();
    let schedule = Schedule::of(&fetches);
    let mut waiting = schedule.waiting.clone();
    let mut errors: Vec<Vec<GraphQLError>> = vec![Vec::new(); fetches.len()];
    let mut running = FuturesUnordered::new();
    let start = |index: usize| {
        let fetch = fetches[index];
        async move { (index, run_fetch(fetch, context, data).await) }
    };
    for (index, count) in waiting.iter().enumerate() {
        if *count == 0 {
            running.push(start(index));
        }
    }
    while let Some((done, fetch_errors)) = running.next().await {
        errors[done] = fetch_errors;
        for dependent in &schedule.dependents[done] {
            waiting[*dependent] -= 1;
            if waiting[*dependent] == 0 {
                running.push(start(*dependent));
            }
        }
    }
    errors.into_iter().flatten().collect()
}

/// Which fetches wait on which, by position in the block's fetch list.
struct Schedule {
    /// How many fetches each one waits for.
    waiting: Vec<usize>,
    /// The fetches waiting on each one.
    dependents: Vec<Vec<usize>>,
}

impl Schedule {
    /// Dependencies count only on fetches listed before the fetch (the
    /// planner's stages are in dependency order), so every fetch runs.
    fn of(fetches: &[&FetchNode]) -> Self {
        let mut waiting = vec![0; fetches.len()];
        let mut dependents = vec![Vec::new(); fetches.len()];
        for (index, fetch) in fetches.iter().enumerate() {
            for id in &fetch.depends_on {
                if let Some(dep) = fetches[..index].iter().position(|f| f.id == *id) {
                    waiting[index] += 1;
                    dependents[dep].push(index);
                }
            }
        }
        Self {
            waiting,
            dependents,
        }
    }
}

/// The response tree, locked (a panic elsewhere cannot poison it for good).
pub fn lock(data: &Mutex<Data>) -> std::sync::MutexGuard<'_, Data> {
    data.lock().unwrap_or_else(|e| e.into_inner())
}

async fn run_fetch(
    fetch: &FetchNode,
    context: FetchContext<'_>,
    data: &Mutex<Data>,
) -> Vec<GraphQLError> {
    let FetchContext {
        supergraph,
        client,
        variables,
        budget,
        headers,
    } = context;
    if !crate::operation::conditions_met(&fetch.conditions, variables) {
        return Vec::new();
    }
    let subgraph = &supergraph.subgraphs[fetch.subgraph];
    let entities = if fetch.is_entity_fetch() {
        let limit = client.settings().max_entity_representations;
        match entities::collect(&lock(data), fetch, supergraph, limit, budget) {
            Ok(Some(batches)) => Some(batches),
            Ok(None) => return Vec::new(),
            Err(refused) => return vec![refused.to_graphql(&subgraph.name)],
        }
    } else {
        None
    };
    let body = request_body(fetch, variables, entities.as_deref());
    let response = send(fetch, subgraph, client, body, budget, headers).await;
    let origin = errors::Origin {
        subgraph: &subgraph.name,
        policy: client.settings().policy(&subgraph.name).errors,
    };
    match (response, entities) {
        (Err(error), None) => fetch
            .root_keys
            .iter()
            .map(|key| {
                fetch_error(
                    &error,
                    &subgraph.name,
                    vec![PathElement::Key(key.as_str().into())],
                )
            })
            .collect(),
        (Err(error), Some(batches)) => {
            let one = fetch_error(&error, &subgraph.name, Vec::new());
            let paths = entities::failure_paths(&batches, budget, entities::values_in(&one));
            paths
                .into_iter()
                .map(|path| fetch_error(&error, &subgraph.name, path))
                .collect()
        }
        (Ok(response), None) => merge_root(&mut lock(data), response, origin),
        (Ok(response), Some(batches)) => {
            entities::merge_results(&mut lock(data), response, &batches, origin, budget)
        }
    }
}

/// Sends a fetch's request (queries shared with identical ones in flight)
/// and parses the answer; a failure is logged with its full cause.
async fn send(
    fetch: &FetchNode,
    subgraph: &crate::supergraph::Subgraph,
    client: &SubgraphClient,
    body: Bytes,
    budget: &ValueBudget,
    headers: &ForwardedHeaders,
) -> Result<SubgraphResponse, FetchError> {
    let deduplicate = fetch.kind == apollo_compiler::ast::OperationType::Query;
    let forward_authorization = client
        .settings()
        .policy(&subgraph.name)
        .forward_authorization;
    let headers = headers.for_subgraph(forward_authorization);
    let response = client
        .post(&subgraph.name, &subgraph.url, body, headers, deduplicate)
        .await
        .and_then(|bytes| parse_response(&subgraph.name, &bytes, budget))
        .map(|mut response| {
            if fetch.renames {
                if let Some(data) = &mut response.data {
                    response_tree::strip_internal_aliases(data);
                }
            }
            response
        });
    if let Err(error) = &response {
        tracing::warn!(subgraph = %subgraph.name, "subgraph request failed: {}", error.detail());
    }
    response
}

/// The subgraph request body: the operation, the variables it uses and,
/// for entity fetches, the representations (already JSON text).
fn request_body(
    fetch: &FetchNode,
    variables: &Map<String, Value>,
    entities: Option<&[entities::PartBatch<'_>]>,
) -> Bytes {
    let used: Map<String, Value> = fetch
        .variables
        .iter()
        .filter_map(|v| {
            variables
                .get(v.as_str())
                .map(|value| (v.to_string(), value.clone()))
        })
        .collect();
    let mut body: Vec<u8> = Vec::with_capacity(fetch.body_prefix.len() + 256);
    body.extend_from_slice(&fetch.body_prefix);
    let used_text = serde_json::to_vec(&used).unwrap_or_else(|_| b"{}".to_vec());
    match entities {
        None => body.extend_from_slice(&used_text),
        Some(batches) => {
            body.push(b'{');
            entities::write_variables(batches, &mut body);
            if used_text.len() > 2 {
                body.push(b',');
                body.extend_from_slice(&used_text[1..used_text.len() - 1]);
            }
            body.push(b'}');
        }
    }
    body.push(b'}');
    Bytes::from(body)
}

/// A subgraph's answer: its data, and its errors as it sent them (taken
/// by [`errors::Origin::client_error`]).
struct SubgraphResponse {
    data: Option<Data>,
    errors: Vec<Data>,
}

/// Reads a subgraph's answer within the request's value budget.
fn parse_response(
    subgraph: &str,
    bytes: &Bytes,
    budget: &ValueBudget,
) -> Result<SubgraphResponse, FetchError> {
    let invalid = |detail: String| FetchError::InvalidResponse {
        subgraph: subgraph.to_string(),
        detail,
    };
    let limits = json::ReadLimits {
        max_list_length: None,
        budget: Some(budget),
    };
    let value: Data = json::read_shared(bytes, limits).map_err(|error| match error {
        json::ReadError::Limit(_) => FetchError::TooManyValues {
            subgraph: subgraph.to_string(),
            limit: budget.limit(),
        },
        json::ReadError::Invalid(error) => invalid(error.to_string()),
    })?;
    let Data::Object(mut map) = value else {
        return Err(invalid("not a JSON object".into()));
    };
    let errors = match map.remove("errors") {
        Some(Data::List(errors)) => errors,
        Some(Data::Null) | None => Vec::new(),
        Some(_) => return Err(invalid("\"errors\" is not a list".into())),
    };
    let data = map.remove("data").filter(|d| !d.is_null());
    if data.is_none() && errors.is_empty() {
        return Err(invalid("no \"data\" and no \"errors\"".into()));
    }
    Ok(SubgraphResponse { data, errors })
}

/// Merges a root fetch's data; returns its errors.
fn merge_root(
    data: &mut Data,
    response: SubgraphResponse,
    origin: errors::Origin<'_>,
) -> Vec<GraphQLError> {
    if let Some(fetched) = response.data {
        merge(data, fetched);
    }
    response
        .errors
        .iter()
        .map(|error| origin.client_error(error))
        .collect()
}

/// The error reported at `path` when a subgraph request fails as a whole.
/// The error reported at `path` (none when empty) when a subgraph request
/// fails as a whole.
fn fetch_error(error: &FetchError, subgraph: &str, path: Vec<PathElement>) -> GraphQLError {
    let reported =
        GraphQLError::new(error.to_string(), Cause::Fetch(error.failure())).from_service(subgraph);
    match path.is_empty() {
        true => reported,
        false => reported.at(path),
    }
}
