//! A type every subgraph only extends (`extend type`, `@extends`) has no
//! definition to extend.

use std::collections::HashSet;

use crate::compose::model::Subgraph;
use crate::compose::CompositionError;

pub(super) fn check(subgraphs: &[Subgraph]) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for ty in subgraphs.iter().flat_map(|s| s.types.values()) {
        if !seen.insert(ty.name.clone()) {
            continue;
        }
        let declaring: Vec<&Subgraph> = subgraphs
            .iter()
            .filter(|s| s.types.contains_key(&ty.name))
            .collect();
        let only_extended = declaring
            .iter()
            .all(|s| s.types.get(&ty.name).is_some_and(|t| t.only_extensions));
        if !only_extended {
            continue;
        }
        let names: Vec<&str> = declaring.iter().map(|s| s.name.as_str()).collect();
        let mut error = CompositionError::new(
            "EXTENSION_WITH_NO_BASE",
            format!(
                "Type \"{}\" is only extended (in subgraph(s) \"{}\"), never defined; some subgraph must define it",
                ty.name,
                names.join("\", \"")
            ),
        );
        for subgraph in declaring {
            if let Some(t) = subgraph.types.get(&ty.name) {
                error = error.at(&subgraph.name, t.common.location);
            }
        }
        errors.push(error);
    }
    errors
}
