//! Rendering a query plan for people (an indented tree of stages and
//! fetches) and for programs (JSON).

use std::fmt;

use serde_json::{json, Value};

use crate::operation::print_selection_set;

use super::{FetchNode, PathSegment, QueryPlan};

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
        if !self.stages.is_empty() {
            writeln!(f, "  Sequence {{")?;
            for stage in &self.stages {
                writeln!(f, "    Parallel {{")?;
                for fetch in stage {
                    write_fetch(f, fetch, "      ")?;
                }
                writeln!(f, "    }},")?;
            }
            writeln!(f, "  }},")?;
        }
        writeln!(f, "}}")
    }
}

fn write_fetch(f: &mut fmt::Formatter<'_>, fetch: &FetchNode, indent: &str) -> fmt::Result {
    if fetch.path.is_empty() {
        writeln!(f, "{indent}Fetch(service: \"{}\") {{", fetch.subgraph_name)?;
    } else {
        writeln!(
            f,
            "{indent}Flatten(path: \"{}\") {{",
            format_path(&fetch.path)
        )?;
        writeln!(
            f,
            "{indent}  Fetch(service: \"{}\") {{",
            fetch.subgraph_name
        )?;
    }
    let inner = if fetch.path.is_empty() {
        format!("{indent}  ")
    } else {
        format!("{indent}    ")
    };
    if let Some(requires) = &fetch.requires {
        let mut text = String::new();
        print_selection_set(&mut text, requires);
        writeln!(f, "{inner}{text} =>")?;
    }
    writeln!(f, "{inner}{}", fetch.operation)?;
    if fetch.path.is_empty() {
        writeln!(f, "{indent}}},")
    } else {
        writeln!(f, "{indent}  }},")?;
        writeln!(f, "{indent}}},")
    }
}

impl QueryPlan {
    /// The plan as JSON: `{"kind":"Sequence","nodes":[{"kind":"Parallel","nodes":[Fetch…]}]}`.
    pub fn to_json(&self) -> Value {
        let stages: Vec<Value> = self
            .stages
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
}

fn fetch_json(fetch: &FetchNode) -> Value {
    let requires = fetch.requires.as_ref().map(|r| {
        let mut text = String::new();
        print_selection_set(&mut text, r);
        text
    });
    json!({
        "kind": "Fetch",
        "serviceName": fetch.subgraph_name,
        "path": format_path(&fetch.path),
        "requires": requires,
        "variableUsages": fetch.variables.iter().map(|v| v.as_str()).collect::<Vec<_>>(),
        "operation": fetch.operation,
    })
}
