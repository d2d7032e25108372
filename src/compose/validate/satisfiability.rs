//! Satisfiability, asked of the planner itself: the printed supergraph is
//! loaded as the gateway loads it and walked on the planner's graph
//! ([`crate::plan::reachability`]); each field some query reaches that no
//! subgraph can resolve there is a SATISFIABILITY_ERROR, and each shared
//! field whose subgraphs have no runtime type in common a
//! SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES. A supergraph our own loader
//! refuses is an error too: composition never hands out one the gateway
//! cannot serve.

use crate::plan::{reachability, MismatchedRuntimeTypes, Unreachable};
use crate::supergraph::Supergraph as LoadedSupergraph;

use super::super::model::Subgraph;
use super::CompositionError;

/// The errors of the printed supergraph `sdl` composed from `subgraphs`.
pub(in crate::compose) fn check(subgraphs: &[Subgraph], sdl: &str) -> Vec<CompositionError> {
    let loaded = match LoadedSupergraph::parse(sdl) {
        Ok(loaded) => loaded,
        Err(error) => {
            return vec![CompositionError::new(
                "INVALID_SUPERGRAPH",
                format!("The composed supergraph does not load: {error}"),
            )]
        }
    };
    let found = reachability(&loaded);
    let names: Vec<&str> = loaded.subgraphs.iter().map(|s| s.name.as_str()).collect();
    let named = |id: usize| {
        subgraphs
            .iter()
            .find(|s| Some(&s.name.as_str()) == names.get(id))
    };
    let mut errors: Vec<CompositionError> = found
        .unreachable
        .iter()
        .map(|u| unreachable_error(u, &named))
        .collect();
    errors.extend(found.mismatched.iter().map(|m| mismatched_error(m, &named)));
    errors
}

fn unreachable_error<'a>(
    unreachable: &Unreachable,
    named: &impl Fn(usize) -> Option<&'a Subgraph>,
) -> CompositionError {
    let Unreachable {
        type_name: ty,
        field,
        path,
        ..
    } = unreachable;
    let from = named(unreachable.from);
    let from_name = from.map(|s| s.name.as_str()).unwrap_or_default();
    let mut message = format!(
        "Field \"{ty}.{field}\" cannot be resolved for some queries: when \"{ty}\" is reached through query path {path} (from subgraph \"{from_name}\"), no subgraph that can produce it there, nor any subgraph reachable through a @key of \"{ty}\", resolves the field"
    );
    if let Some(blocked) = unreachable.requires_unmet_in.and_then(named) {
        message.push_str(&format!(
            " (subgraph \"{}\" has it, but cannot satisfy its @requires: the required fields are not reachable from \"{}\" through keys it can supply)",
            blocked.name, blocked.name
        ));
    }
    let error = CompositionError::new("SATISFIABILITY_ERROR", message);
    match from {
        Some(subgraph) => {
            let location = subgraph
                .types
                .get(ty.as_str())
                .map(|t| t.common.location)
                .unwrap_or_default();
            error.at(&subgraph.name, location)
        }
        None => error,
    }
}

fn mismatched_error<'a>(
    mismatched: &MismatchedRuntimeTypes,
    named: &impl Fn(usize) -> Option<&'a Subgraph>,
) -> CompositionError {
    let MismatchedRuntimeTypes {
        type_name: ty,
        field,
        returns,
        path,
        per_subgraph,
    } = mismatched;
    let described: Vec<String> = per_subgraph
        .iter()
        .map(|(s, types)| {
            let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
            format!(
                "in subgraph \"{}\": \"{}\"",
                named(*s).map(|s| s.name.as_str()).unwrap_or_default(),
                names.join("\", \"")
            )
        })
        .collect();
    let mut error = CompositionError::new(
        "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
        format!(
            "Shared field \"{ty}.{field}\" (query path {path}) returns \"{returns}\" with no runtime type in common across the subgraphs resolving it ({}): a shared field must resolve the same way in every subgraph",
            described.join("; ")
        ),
    );
    for (s, _) in per_subgraph {
        let Some(subgraph) = named(*s) else {
            continue;
        };
        let definition = subgraph
            .types
            .get(ty.as_str())
            .and_then(|t| t.fields.get(field.as_str()));
        if let Some(definition) = definition {
            error = error.at(&subgraph.name, definition.common.location);
        }
    }
    error
}
