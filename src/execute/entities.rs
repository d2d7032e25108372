//! The entity side of a fetch: representations collected from the response
//! so far (each distinct one once per `_entities` field), written into the
//! request, and the results and errors merged back at every object a
//! representation stands for.

use std::collections::HashMap;

use serde_json::Value;

use super::errors::Origin;
use super::response_tree::{get_mut, merge, objects_at, path_json, write_representation, Step};
use super::SubgraphResponse;
use crate::plan::{EntityPart, FetchNode};
use crate::supergraph::Supergraph;

/// The representations of one `_entities` field of a fetch.
pub(super) struct PartBatch<'p> {
    part: &'p EntityPart,
    /// Distinct representations, as JSON text.
    representations: Vec<Vec<u8>>,
    /// For each representation, the objects it stands for.
    targets: Vec<Vec<Vec<Step>>>,
    /// For each representation: it names an `@interfaceObject`, so the
    /// subgraph's `__typename` in the result is not the object's.
    interface_object: Vec<bool>,
    /// Collection stopped: more representations than the budget allowed.
    over: bool,
}

/// An entity fetch would send more representations than allowed.
#[derive(Debug)]
pub(super) struct TooManyRepresentations {
    limit: usize,
    /// Where the fetch's first object is.
    path: Vec<Value>,
}

impl TooManyRepresentations {
    /// The error reported for the fetch (nothing is sent).
    pub fn to_graphql(&self, subgraph: &str) -> Value {
        let mut error = serde_json::json!({
            "message": format!(
                "The request to subgraph '{subgraph}' needs more than {} entity representations (limits.max_entity_representations); it was not sent.",
                self.limit
            ),
            "extensions": { "code": "OPERATION_LIMIT_EXCEEDED", "service": subgraph },
        });
        if let Value::Object(map) = &mut error {
            map.insert("path".into(), Value::Array(self.path.clone()));
        }
        error
    }
}

/// The representations of every part of an entity fetch; `None` when no
/// object needs the fetch. Collection stops as soon as the distinct
/// representations exceed `limit`.
pub(super) fn collect<'p>(
    data: &Value,
    fetch: &'p FetchNode,
    supergraph: &Supergraph,
    limit: usize,
) -> Result<Option<Vec<PartBatch<'p>>>, TooManyRepresentations> {
    let mut budget = limit;
    let mut batches: Vec<PartBatch<'p>> = Vec::with_capacity(fetch.entities.len());
    for part in &fetch.entities {
        let batch = collect_part(data, part, supergraph, &mut budget);
        let exceeded = batch.over;
        batches.push(batch);
        if exceeded {
            return Err(TooManyRepresentations {
                limit,
                path: first_path(&batches),
            });
        }
    }
    Ok(batches
        .iter()
        .any(|b| !b.representations.is_empty())
        .then_some(batches))
}

fn collect_part<'p>(
    data: &Value,
    part: &'p EntityPart,
    supergraph: &Supergraph,
    budget: &mut usize,
) -> PartBatch<'p> {
    let mut batch = PartBatch {
        part,
        representations: Vec::new(),
        targets: Vec::new(),
        interface_object: Vec::new(),
        over: false,
    };
    let mut index: HashMap<Vec<u8>, usize> = HashMap::new();
    for input in &part.inputs {
        let typename = input.interface_object.as_ref().map(|n| n.as_str());
        for (path, object) in objects_at(data, &input.path, supergraph) {
            let mut text = Vec::new();
            if !write_representation(object, &input.requires, supergraph, typename, &mut text) {
                continue;
            }
            match index.get(&text) {
                Some(&i) => batch.targets[i].push(path),
                None => {
                    if *budget == 0 {
                        batch.over = true;
                        return batch;
                    }
                    *budget -= 1;
                    index.insert(text.clone(), batch.representations.len());
                    batch.representations.push(text);
                    batch.targets.push(vec![path]);
                    batch.interface_object.push(typename.is_some());
                }
            }
        }
    }
    batch
}

/// Writes `"representations":[…],"representations_1":[…]` (no braces).
pub(super) fn write_variables(batches: &[PartBatch<'_>], body: &mut Vec<u8>) {
    for (i, batch) in batches.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        let _ = serde_json::to_writer(&mut *body, batch.part.variable.as_str());
        body.extend_from_slice(b":[");
        for (j, representation) in batch.representations.iter().enumerate() {
            if j > 0 {
                body.push(b',');
            }
            body.extend_from_slice(representation);
        }
        body.push(b']');
    }
}

/// Where a whole-fetch failure is reported: the first object it was for.
pub(super) fn first_path(batches: &[PartBatch<'_>]) -> Vec<Value> {
    batches
        .iter()
        .find_map(|b| b.targets.first().and_then(|t| t.first()))
        .map(|p| path_json(p))
        .unwrap_or_default()
}

/// Merges each part's results into the objects they stand for; returns
/// the entity errors, relocated to those objects' paths.
pub(super) fn merge_results(
    tree: &mut Value,
    response: SubgraphResponse,
    batches: &[PartBatch<'_>],
    origin: Origin<'_>,
) -> Vec<Value> {
    if let Some(Value::Object(mut data)) = response.data {
        for batch in batches {
            if let Some(Value::Array(entities)) = data.remove(batch.part.response_key.as_str()) {
                merge_part(tree, entities, batch);
            }
        }
    }
    response
        .errors
        .into_iter()
        .flat_map(|error| relocate_error(origin.client_error(error), batches))
        .collect()
}

fn merge_part(tree: &mut Value, entities: Vec<Value>, batch: &PartBatch<'_>) {
    let per_entity = batch.targets.iter().zip(&batch.interface_object);
    for (mut entity, (targets, drop_typename)) in entities.into_iter().zip(per_entity) {
        if entity.is_null() {
            continue;
        }
        if let (true, Value::Object(map)) = (*drop_typename, &mut entity) {
            map.remove("__typename");
        }
        let Some((last, rest)) = targets.split_last() else {
            continue;
        };
        for target in rest {
            if let Some(object) = get_mut(tree, target) {
                merge(object, entity.clone());
            }
        }
        if let Some(object) = get_mut(tree, last) {
            merge(object, entity);
        }
    }
}

/// Rewrites an error path `["_entities", i, …rest]` to the paths of the
/// objects the entity stands for: one error per object.
fn relocate_error(error: Value, batches: &[PartBatch<'_>]) -> Vec<Value> {
    let Some(path) = error.get("path").and_then(Value::as_array).cloned() else {
        return vec![error];
    };
    let (Some(key), Some(index)) = (
        path.first().and_then(Value::as_str),
        path.get(1).and_then(Value::as_u64),
    ) else {
        return vec![error];
    };
    let targets = batches
        .iter()
        .find(|b| b.part.response_key == key)
        .and_then(|b| b.targets.get(index as usize));
    let Some(targets) = targets else {
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
