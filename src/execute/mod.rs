//! Running a query plan: each stage's fetches in parallel, stages in
//! sequence; entity representations collected from the response so far,
//! deduplicated and batched into one `_entities` request per fetch; results
//! and errors merged back at the right paths. A failing subgraph yields
//! errors, never a panic: its part of the data stays missing and the shaper
//! nulls it.

mod client;
mod response_tree;

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use serde_json::{json, Map, Value};

pub use client::{FetchError, SubgraphClient};

use crate::plan::{FetchNode, QueryPlan};
use crate::supergraph::Supergraph;
use response_tree::{get_mut, merge, objects_at, path_json, write_representation, Step};

/// The data and errors gathered from the subgraphs.
#[derive(Debug, Default)]
pub struct ExecutionOutput {
    pub data: Value,
    pub errors: Vec<Value>,
}

struct State {
    data: Value,
    errors: Vec<Value>,
}

/// Runs a plan with the client's variables.
pub async fn execute_plan(
    plan: &QueryPlan,
    supergraph: &Supergraph,
    client: &SubgraphClient,
    variables: &Map<String, Value>,
) -> ExecutionOutput {
    let state = Mutex::new(State {
        data: Value::Object(Map::new()),
        errors: Vec::new(),
    });
    for stage in &plan.stages {
        let fetches = stage
            .iter()
            .map(|fetch| run_fetch(fetch, supergraph, client, variables, &state));
        futures::future::join_all(fetches).await;
    }
    let state = state.into_inner().unwrap_or_else(|e| e.into_inner());
    ExecutionOutput {
        data: state.data,
        errors: state.errors,
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

async fn run_fetch(
    fetch: &FetchNode,
    supergraph: &Supergraph,
    client: &SubgraphClient,
    variables: &Map<String, Value>,
    state: &Mutex<State>,
) {
    if !crate::operation::conditions_met(&fetch.conditions, variables) {
        return;
    }
    let entities = match &fetch.requires {
        Some(requires) => {
            let batch = {
                let state = lock(state);
                collect_representations(&state.data, fetch, requires, supergraph)
            };
            if batch.representations.is_empty() {
                return;
            }
            Some(batch)
        }
        None => None,
    };
    let body = request_body(fetch, variables, entities.as_ref());
    let subgraph = &supergraph.subgraphs[fetch.subgraph];
    let deduplicate = fetch.kind == apollo_compiler::ast::OperationType::Query;
    let response = client
        .post(&subgraph.name, &subgraph.url, body, deduplicate)
        .await
        .and_then(|bytes| parse_response(&subgraph.name, &bytes))
        .map(|mut response| {
            if fetch.renames {
                if let Some(data) = &mut response.data {
                    response_tree::strip_internal_aliases(data);
                }
            }
            response
        });
    let mut state = lock(state);
    match (response, entities) {
        (Err(error), None) => {
            for key in &fetch.root_keys {
                state.errors.push(fetch_error(
                    &error,
                    &subgraph.name,
                    vec![Value::String(key.to_string())],
                ));
            }
        }
        (Err(error), Some(batch)) => {
            let path = batch
                .targets
                .first()
                .and_then(|t| t.first())
                .map(|p| path_json(p))
                .unwrap_or_default();
            state.errors.push(fetch_error(&error, &subgraph.name, path));
        }
        (Ok(response), None) => merge_root(&mut state, response),
        (Ok(response), Some(batch)) => merge_entities(
            &mut state,
            response,
            &batch,
            fetch.interface_object.is_some(),
        ),
    }
}

struct EntityBatch {
    /// Distinct representations, as JSON text.
    representations: Vec<Vec<u8>>,
    /// For each representation, the objects it stands for.
    targets: Vec<Vec<Vec<Step>>>,
}

fn collect_representations(
    data: &Value,
    fetch: &FetchNode,
    requires: &crate::operation::SelectionSet,
    supergraph: &Supergraph,
) -> EntityBatch {
    let mut batch = EntityBatch {
        representations: Vec::new(),
        targets: Vec::new(),
    };
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    let typename = fetch.interface_object.as_ref().map(|n| n.as_str());
    for (path, object) in objects_at(data, &fetch.path, supergraph) {
        let mut text = Vec::new();
        if !write_representation(object, requires, supergraph, typename, &mut text) {
            continue;
        }
        match index.get(&text) {
            Some(&i) => batch.targets[i].push(path),
            None => {
                index.insert(text.clone(), batch.representations.len());
                batch.representations.push(text);
                batch.targets.push(vec![path]);
            }
        }
    }
    batch
}

/// The subgraph request body: the operation, the variables it uses and,
/// for entity fetches, the representations (already JSON text).
fn request_body(
    fetch: &FetchNode,
    variables: &Map<String, Value>,
    entities: Option<&EntityBatch>,
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
    let mut body: Vec<u8> = Vec::with_capacity(fetch.operation.len() + 256);
    body.extend_from_slice(b"{\"query\":");
    let _ = serde_json::to_writer(&mut body, &fetch.operation);
    body.extend_from_slice(b",\"variables\":");
    let used_text = serde_json::to_vec(&used).unwrap_or_else(|_| b"{}".to_vec());
    match entities {
        None => body.extend_from_slice(&used_text),
        Some(batch) => {
            body.extend_from_slice(b"{\"representations\":[");
            for (i, representation) in batch.representations.iter().enumerate() {
                if i > 0 {
                    body.push(b',');
                }
                body.extend_from_slice(representation);
            }
            body.push(b']');
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

struct SubgraphResponse {
    data: Option<Value>,
    errors: Vec<Value>,
}

fn parse_response(subgraph: &str, bytes: &[u8]) -> Result<SubgraphResponse, FetchError> {
    let invalid = |reason: String| FetchError::InvalidResponse {
        subgraph: subgraph.to_string(),
        reason,
    };
    let value: Value = serde_json::from_slice(bytes).map_err(|e| invalid(e.to_string()))?;
    let Value::Object(mut map) = value else {
        return Err(invalid("not a JSON object".into()));
    };
    let errors = match map.remove("errors") {
        Some(Value::Array(errors)) => errors,
        Some(Value::Null) | None => Vec::new(),
        Some(_) => return Err(invalid("\"errors\" is not a list".into())),
    };
    let data = map.remove("data").filter(|d| !d.is_null());
    if data.is_none() && errors.is_empty() {
        return Err(invalid("no \"data\" and no \"errors\"".into()));
    }
    Ok(SubgraphResponse { data, errors })
}

fn merge_root(state: &mut State, response: SubgraphResponse) {
    if let Some(data) = response.data {
        merge(&mut state.data, data);
    }
    state
        .errors
        .extend(response.errors.into_iter().map(normalise_error));
}

fn merge_entities(
    state: &mut State,
    response: SubgraphResponse,
    batch: &EntityBatch,
    drop_typename: bool,
) {
    let entities = response
        .data
        .and_then(|mut d| d.get_mut("_entities").map(Value::take));
    if let Some(Value::Array(entities)) = entities {
        for (mut entity, targets) in entities.into_iter().zip(&batch.targets) {
            if entity.is_null() {
                continue;
            }
            if let (true, Value::Object(map)) = (drop_typename, &mut entity) {
                map.remove("__typename");
            }
            let (last, rest) = match targets.split_last() {
                Some(split) => split,
                None => continue,
            };
            for target in rest {
                if let Some(object) = get_mut(&mut state.data, target) {
                    merge(object, entity.clone());
                }
            }
            if let Some(object) = get_mut(&mut state.data, last) {
                merge(object, entity);
            }
        }
    }
    for error in response.errors {
        let relocated = relocate_entity_error(normalise_error(error), batch);
        state.errors.extend(relocated);
    }
}

/// Rewrites an error path `["_entities", i, …rest]` to the paths of the
/// objects the entity stands for: one error per object.
fn relocate_entity_error(error: Value, batch: &EntityBatch) -> Vec<Value> {
    let Some(path) = error.get("path").and_then(Value::as_array).cloned() else {
        return vec![error];
    };
    let index = match (
        path.first().and_then(Value::as_str),
        path.get(1).and_then(Value::as_u64),
    ) {
        (Some("_entities"), Some(i)) => i as usize,
        _ => return vec![error],
    };
    let Some(targets) = batch.targets.get(index) else {
        return vec![error];
    };
    targets
        .iter()
        .map(|target| {
            let mut relocated = error.clone();
            let mut new_path = path_json(target);
            new_path.extend(path.iter().skip(2).cloned());
            if let Value::Object(map) = &mut relocated {
                map.insert("path".into(), Value::Array(new_path));
            }
            relocated
        })
        .collect()
}

/// Keeps a subgraph error's message, path and extensions; drops locations
/// (they point into the subgraph operation, not the client's).
fn normalise_error(error: Value) -> Value {
    let Value::Object(mut map) = error else {
        return json!({ "message": "invalid error from subgraph" });
    };
    map.remove("locations");
    if !map.get("message").is_some_and(Value::is_string) {
        map.insert("message".into(), Value::String("subgraph error".into()));
    }
    Value::Object(map)
}

/// The error reported at `path` when a subgraph request fails as a whole.
fn fetch_error(error: &FetchError, subgraph: &str, path: Vec<Value>) -> Value {
    let mut value = json!({
        "message": error.to_string(),
        "extensions": { "code": "SUBGRAPH_REQUEST_FAILED", "service": subgraph },
    });
    if let (Value::Object(map), false) = (&mut value, path.is_empty()) {
        map.insert("path".into(), Value::Array(path));
    }
    value
}
