//! The response being assembled: finding the objects at a plan path,
//! building entity representations from them, and deep-merging subgraph
//! results back in.

use serde_json::{Map, Value};

use crate::operation::{Selection, SelectionSet};
use crate::plan::PathSegment;
use crate::supergraph::Supergraph;

/// One step of a concrete path into the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Concrete paths of the objects reached by a plan path.
pub fn objects_at(data: &Value, path: &[PathSegment], supergraph: &Supergraph) -> Vec<Vec<Step>> {
    let mut found = Vec::new();
    let mut current = Vec::new();
    walk(data, path, supergraph, &mut current, &mut found);
    found
}

fn walk(
    value: &Value,
    path: &[PathSegment],
    supergraph: &Supergraph,
    current: &mut Vec<Step>,
    found: &mut Vec<Vec<Step>>,
) {
    if let Value::Array(items) = value {
        // Lists are flattened wherever they appear, `List` segments or not.
        let rest = match path.first() {
            Some(PathSegment::List) => &path[1..],
            _ => path,
        };
        for (i, item) in items.iter().enumerate() {
            current.push(Step::Index(i));
            walk(item, rest, supergraph, current, found);
            current.pop();
        }
        return;
    }
    let Value::Object(object) = value else {
        return;
    };
    match path.first() {
        None => found.push(current.clone()),
        Some(PathSegment::List) => walk(value, &path[1..], supergraph, current, found),
        Some(PathSegment::Cast(type_name)) => {
            if is_of_type(object, type_name, supergraph) {
                walk(value, &path[1..], supergraph, current, found);
            }
        }
        Some(PathSegment::Field(key)) => {
            if let Some(child) = object.get(key.as_str()) {
                current.push(Step::Key(key.to_string()));
                walk(child, &path[1..], supergraph, current, found);
                current.pop();
            }
        }
    }
}

fn is_of_type(object: &Map<String, Value>, type_name: &str, supergraph: &Supergraph) -> bool {
    match object.get("__typename").and_then(Value::as_str) {
        Some(runtime) => runtime == type_name || supergraph.schema.is_subtype(type_name, runtime),
        None => false,
    }
}

/// The value at a concrete path.
pub fn get<'v>(data: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(data, |value, step| match step {
        Step::Key(k) => value.get(k.as_str()),
        Step::Index(i) => value.get(*i),
    })
}

/// The value at a concrete path, mutably.
pub fn get_mut<'v>(data: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    path.iter().try_fold(data, |value, step| match step {
        Step::Key(k) => value.get_mut(k.as_str()),
        Step::Index(i) => value.get_mut(*i),
    })
}

/// Builds the representation of an object for an entity fetch, or `None`
/// if the object does not match or lacks a key field.
pub fn representation(
    object: &Value,
    requires: &SelectionSet,
    supergraph: &Supergraph,
) -> Option<Value> {
    let Value::Object(map) = object else {
        return None;
    };
    let mut out = Map::new();
    if !select_into(map, requires, supergraph, &mut out) || !out.contains_key("__typename") {
        return None;
    }
    Some(Value::Object(out))
}

fn select_into(
    object: &Map<String, Value>,
    set: &SelectionSet,
    supergraph: &Supergraph,
    out: &mut Map<String, Value>,
) -> bool {
    for selection in set {
        match selection {
            Selection::Field(field) => {
                let key = field.response_key().as_str();
                let Some(value) = object.get(key) else {
                    return false;
                };
                let selected = if field.selections.is_empty() {
                    value.clone()
                } else {
                    match select_value(value, &field.selections, supergraph) {
                        Some(v) => v,
                        None => return false,
                    }
                };
                let written = if key.starts_with(crate::plan::REQUIRES_ALIAS_PREFIX) {
                    field.name.as_str()
                } else {
                    key
                };
                out.insert(written.to_string(), selected);
            }
            Selection::InlineFragment(fragment) => {
                let applies = fragment
                    .type_condition
                    .as_ref()
                    .is_none_or(|t| is_of_type(object, t, supergraph));
                if applies && !select_into(object, &fragment.selections, supergraph, out) {
                    return false;
                }
            }
        }
    }
    true
}

fn select_value(value: &Value, set: &SelectionSet, supergraph: &Supergraph) -> Option<Value> {
    match value {
        Value::Null => Some(Value::Null),
        Value::Array(items) => items
            .iter()
            .map(|item| select_value(item, set, supergraph))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        Value::Object(map) => {
            let mut out = Map::new();
            select_into(map, set, supergraph, &mut out).then_some(Value::Object(out))
        }
        _ => None,
    }
}

/// Deep-merges `source` into `target`.
pub fn merge(target: &mut Value, source: Value) {
    match (target, source) {
        (Value::Object(t), Value::Object(s)) => {
            for (key, value) in s {
                match t.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        t.insert(key, value);
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(s)) if t.len() == s.len() => {
            for (existing, value) in t.iter_mut().zip(s) {
                merge(existing, value);
            }
        }
        (_, Value::Null) => {}
        (t, s) => *t = s,
    }
}

/// Converts a concrete path to the JSON form of a GraphQL error path.
pub fn path_json(path: &[Step]) -> Vec<Value> {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => Value::String(k.clone()),
            Step::Index(i) => Value::from(*i),
        })
        .collect()
}

/// Renames keys the planner aliased internally back to their response keys.
pub fn strip_internal_aliases(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let aliased: Vec<String> = map
                .keys()
                .filter(|k| k.starts_with(crate::plan::INTERNAL_ALIAS_PREFIX))
                .cloned()
                .collect();
            for key in aliased {
                if let Some(v) = map.remove(&key) {
                    map.insert(
                        key[crate::plan::INTERNAL_ALIAS_PREFIX.len()..].to_string(),
                        v,
                    );
                }
            }
            map.values_mut().for_each(strip_internal_aliases);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_internal_aliases),
        _ => {}
    }
}
