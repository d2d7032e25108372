//! Rendering a query plan for people (an indented tree of stages and
//! fetches) and for programs (JSON).

use std::fmt;

use serde_json::{json, Value};

use crate::operation::{merge_into, print_selection_set};

use super::{EntityPart, FetchNode, PathSegment, QueryPlan};

/// Renders a path the way plans usually show it: `users.@.reviews|[Review]`.
pub fn format_path(path: &[PathSegment]) -> String {
    let mut out = String::new();
    for segment in path {
        match segment {
            PathSegment::Field(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            PathSegment::List => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('@');
            }
            PathSegment::Cast(ty) => {
                out.push_str("|[");
                out.push_str(ty);
                out.push(']');
            }
        }
    }
    out
}

impl fmt::Display for QueryPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "QueryPlan {{")?;
        write_stages(f, &self.stages, "  ")?;
        for deferred in &self.deferred {
            write!(f, "  Defer(")?;
            if let Some(label) = &deferred.label {
                write!(f, "label: \"{label}\", ")?;
            }
            write!(f, "path: \"{}\"", format_path(&deferred.path))?;
            if let Some(parent) = deferred.parent {
                write!(f, ", after: #{parent}")?;
            }
            if let Some(variable) = &deferred.if_variable {
                write!(f, ", if: ${variable}")?;
            }
            writeln!(f, ") #{} {{", deferred.id)?;
            write_stages(f, &deferred.stages, "    ")?;
            writeln!(f, "  }},")?;
        }
        writeln!(f, "}}")
    }
}

fn write_stages(
    f: &mut fmt::Formatter<'_>,
    stages: &[Vec<FetchNode>],
    indent: &str,
) -> fmt::Result {
    if stages.is_empty() {
        return Ok(());
    }
    writeln!(f, "{indent}Sequence {{")?;
    for stage in stages {
        writeln!(f, "{indent}  Parallel {{")?;
        for fetch in stage {
            write_fetch(f, fetch, &format!("{indent}    "))?;
        }
        writeln!(f, "{indent}  }},")?;
    }
    writeln!(f, "{indent}}},")
}

fn write_fetch(f: &mut fmt::Formatter<'_>, fetch: &FetchNode, indent: &str) -> fmt::Result {
    if !fetch.conditions.is_empty() {
        writeln!(f, "{indent}{} {{", conditions_text(fetch))?;
        write_unconditional_fetch(f, fetch, &format!("{indent}  "))?;
        return writeln!(f, "{indent}}},");
    }
    write_unconditional_fetch(f, fetch, indent)
}

/// `Include(if: $a) Skip(if: $b)`: when the fetch runs.
fn conditions_text(fetch: &FetchNode) -> String {
    let parts: Vec<String> = fetch
        .conditions
        .iter()
        .map(|c| {
            let kind = if c.include { "Include" } else { "Skip" };
            format!("{kind}(if: {})", c.value)
        })
        .collect();
    parts.join(" ")
}

fn write_unconditional_fetch(
    f: &mut fmt::Formatter<'_>,
    fetch: &FetchNode,
    indent: &str,
) -> fmt::Result {
    if !fetch.is_entity_fetch() {
        writeln!(f, "{indent}Fetch(service: \"{}\") {{", fetch.subgraph_name)?;
        writeln!(f, "{indent}  {}", fetch.operation)?;
        return writeln!(f, "{indent}}},");
    }
    let paths: Vec<String> = fetch
        .entities
        .iter()
        .flat_map(|part| &part.inputs)
        .map(|e| format!("\"{}\"", format_path(&e.path)))
        .collect();
    if paths.len() == 1 {
        writeln!(f, "{indent}Flatten(path: {}) {{", paths[0])?;
    } else {
        writeln!(f, "{indent}Flatten(paths: [{}]) {{", paths.join(", "))?;
    }
    writeln!(
        f,
        "{indent}  Fetch(service: \"{}\") {{",
        fetch.subgraph_name
    )?;
    if let [part] = fetch.entities.as_slice() {
        writeln!(f, "{indent}    {} =>", part_requires(part))?;
    } else {
        for part in &fetch.entities {
            let paths: Vec<String> = part
                .inputs
                .iter()
                .map(|e| format!("\"{}\"", format_path(&e.path)))
                .collect();
            writeln!(
                f,
                "{indent}    ${} from {}: {} =>",
                part.variable,
                paths.join(", "),
                part_requires(part)
            )?;
        }
    }
    writeln!(f, "{indent}    {}", fetch.operation)?;
    writeln!(f, "{indent}  }},")?;
    writeln!(f, "{indent}}},")
}

/// The representations' selection of one `_entities` field, all its paths merged.
fn part_requires(part: &EntityPart) -> String {
    let mut requires = Vec::new();
    for input in &part.inputs {
        merge_into(&mut requires, input.requires.clone());
    }
    let mut text = String::new();
    print_selection_set(&mut text, &requires);
    text
}

impl QueryPlan {
    /// The plan as JSON: `{"kind":"Sequence","nodes":[{"kind":"Parallel","nodes":[Fetch…]}]}`,
    /// plus `"deferred": [{"id", "label", "parent", "if", "path", "kind":"Sequence", "nodes"}]`
    /// when the operation defers fragments.
    pub fn to_json(&self) -> Value {
        let mut plan = stages_json(&self.stages);
        if !self.deferred.is_empty() {
            let deferred: Vec<Value> = self
                .deferred
                .iter()
                .map(|d| {
                    let mut node = stages_json(&d.stages);
                    if let Value::Object(map) = &mut node {
                        map.insert("id".into(), json!(d.id));
                        map.insert("label".into(), json!(d.label));
                        map.insert("parent".into(), json!(d.parent));
                        map.insert(
                            "if".into(),
                            json!(d.if_variable.as_ref().map(|v| format!("${v}"))),
                        );
                        map.insert("path".into(), json!(format_path(&d.path)));
                    }
                    node
                })
                .collect();
            if let Value::Object(map) = &mut plan {
                map.insert("deferred".into(), Value::Array(deferred));
            }
        }
        plan
    }
}

fn stages_json(stages: &[Vec<FetchNode>]) -> Value {
    let stages: Vec<Value> = stages
        .iter()
        .map(|stage| {
            json!({
                "kind": "Parallel",
                "nodes": stage.iter().map(fetch_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "kind": "Sequence", "nodes": stages })
}

fn fetch_json(fetch: &FetchNode) -> Value {
    let entities: Vec<Value> = fetch
        .entities
        .iter()
        .map(|part| {
            json!({
                "responseKey": part.response_key.as_str(),
                "variable": part.variable.as_str(),
                "paths": part.inputs.iter().map(|e| format_path(&e.path)).collect::<Vec<_>>(),
                "requires": part_requires(part),
            })
        })
        .collect();
    let conditions: Vec<Value> = fetch
        .conditions
        .iter()
        .map(|c| json!({ "include": c.include, "if": c.value.to_string() }))
        .collect();
    json!({
        "kind": "Fetch",
        "id": fetch.id,
        "dependsOn": fetch.depends_on,
        "serviceName": fetch.subgraph_name,
        "conditions": conditions,
        "entities": entities,
        "variableUsages": fetch.variables.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "operation": fetch.operation,
    })
}
