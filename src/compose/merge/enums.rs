//! Enums merge by how the supergraph uses them: only in output positions
//! (field types) their values are the union over graphs; only in input
//! positions (arguments, input fields) the intersection; in both, every
//! graph must define the same values (an `@inaccessible` value may be
//! missing elsewhere). An unused enum merges like an output one.

use std::collections::HashSet;

use apollo_compiler::Name;

use super::types::merge_common;
use super::Definitions;
use crate::compose::model::{Subgraph, SuperEnumValue, TypeKind};
use crate::compose::CompositionError;

/// Named types used in input positions and in output positions.
pub(super) struct Usage {
    input: HashSet<Name>,
    output: HashSet<Name>,
}

/// Where each named type is used, over all subgraphs.
pub(super) fn usage(subgraphs: &[Subgraph]) -> Usage {
    let mut usage = Usage {
        input: HashSet::new(),
        output: HashSet::new(),
    };
    for ty in subgraphs.iter().flat_map(|s| s.types.values()) {
        for field in ty.fields.values() {
            let named = field.ty.inner_named_type().clone();
            if ty.kind == TypeKind::InputObject {
                usage.input.insert(named);
            } else {
                usage.output.insert(named);
            }
            for argument in &field.args {
                usage.input.insert(argument.ty.inner_named_type().clone());
            }
        }
    }
    usage
}

/// The merged values of an enum, with the graphs defining each.
pub(super) fn merge_values(
    defs: &Definitions<'_>,
    usage: &Usage,
    subgraphs: &[Subgraph],
) -> Result<Vec<SuperEnumValue>, Vec<CompositionError>> {
    let mut values: Vec<SuperEnumValue> = Vec::new();
    for (graph, ty) in &defs.by_graph {
        for value in &ty.values {
            match values.iter_mut().find(|v| v.name == value.name) {
                Some(existing) => existing.graphs.push(*graph),
                None => values.push(SuperEnumValue {
                    name: value.name.clone(),
                    common: value.common.clone(),
                    graphs: vec![*graph],
                }),
            }
        }
    }
    for value in &mut values {
        let commons = defs
            .by_graph
            .iter()
            .flat_map(|(_, t)| t.values.iter().filter(|v| v.name == value.name))
            .map(|v| &v.common);
        value.common = merge_common(commons);
    }
    let definers = defs.by_graph.len();
    let (input, output) = (
        usage.input.contains(&defs.name),
        usage.output.contains(&defs.name),
    );
    if input && output {
        let missing: Vec<String> = values
            .iter()
            .filter(|v| v.graphs.len() < definers && !v.common.inaccessible)
            .map(|v| describe_missing(defs, v, subgraphs))
            .collect();
        if !missing.is_empty() {
            return Err(vec![CompositionError::new(
                "ENUM_VALUE_MISMATCH",
                format!(
                    "Enum \"{}\" appears both in inputs and in outputs, so every subgraph defining it must define the same values: {}",
                    defs.name,
                    missing.join("; ")
                ),
            )]);
        }
    } else if input {
        values.retain(|v| v.graphs.len() == definers);
        if values.is_empty() {
            return Err(vec![CompositionError::new(
                "EMPTY_MERGED_ENUM_TYPE",
                format!(
                    "Enum \"{}\" is used as an input, so it keeps only the values every defining subgraph has, and no value is in all of them",
                    defs.name
                ),
            )]);
        }
    }
    Ok(values)
}

fn describe_missing(
    defs: &Definitions<'_>,
    value: &SuperEnumValue,
    subgraphs: &[Subgraph],
) -> String {
    let absent: Vec<&str> = defs
        .by_graph
        .iter()
        .filter(|(g, _)| !value.graphs.contains(g))
        .map(|(g, _)| subgraphs[*g].name.as_str())
        .collect();
    format!(
        "value \"{}\" is missing in subgraph(s) \"{}\"",
        value.name,
        absent.join("\", \"")
    )
}
