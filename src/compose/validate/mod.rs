//! Validation: the federation rules a set of subgraphs must follow beyond
//! merging cleanly. Two passes, each a list of rule families read top to
//! bottom: [`validate_subgraphs`] before merging (arguments newer than the
//! linked federation version, field sets, `@external`, `@override`,
//! `@shareable`, access-control directives on interfaces, `@cost` and
//! `@listSize`, entity interfaces, extensions: rules about what each
//! subgraph says, alone or next to the others), and [`validate`] on the
//! merged supergraph (interface implementations, the `@inaccessible`
//! rules of the API schema, the access requirements `@requires` carries
//! over), then [`validate_printed`] on the printed supergraph as the
//! gateway loads it (satisfiability, walked on the planner's graph).
//!
//! Every rule reports all its violations as [`CompositionError`]s naming
//! the subgraph, type and field, located in the subgraph SDL.

mod access_rules;
mod cost_rules;
mod extensions;
mod external;
mod field_sets;
mod inaccessible;
mod interfaces;
mod keys;
mod overrides;
mod requires_provides;
mod satisfiability;
mod shareable;

use super::model::{Location, SubField, SubType, Subgraph, Supergraph, TypeKind};
use super::CompositionError;

/// The rules checked on the subgraphs as read, before merging.
pub(super) fn validate_subgraphs(subgraphs: &[Subgraph]) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for subgraph in subgraphs {
        errors.extend(keys::check(subgraph));
        errors.extend(requires_provides::check(subgraph));
        errors.extend(external::check_subgraph(subgraph));
        errors.extend(overrides::check_subgraph(subgraph));
        errors.extend(shareable::check(subgraph));
        errors.extend(access_rules::check_interfaces(subgraph));
        errors.extend(cost_rules::check(subgraph));
    }
    errors.extend(external::check_bases(subgraphs));
    errors.extend(overrides::check_sources(subgraphs));
    errors.extend(interfaces::check_entity_interfaces(subgraphs));
    errors.extend(extensions::check(subgraphs));
    errors
}

/// The rules checked on the merged supergraph.
pub(super) fn validate(subgraphs: &[Subgraph], supergraph: &Supergraph) -> Vec<CompositionError> {
    let mut errors = interfaces::check_implementations(subgraphs, supergraph);
    errors.extend(inaccessible::check(subgraphs, supergraph));
    errors.extend(access_rules::check_transitive(subgraphs, supergraph));
    errors
}

/// The rules checked on the printed supergraph, loaded as the gateway loads
/// it (only meaningful on an otherwise valid one).
pub(super) fn validate_printed(subgraphs: &[Subgraph], sdl: &str) -> Vec<CompositionError> {
    satisfiability::check(subgraphs, sdl)
}

/// Every (type, field) of a subgraph, in declaration order.
fn fields_of(subgraph: &Subgraph) -> impl Iterator<Item = (&SubType, &SubField)> {
    subgraph
        .types
        .values()
        .flat_map(|ty| ty.fields.values().map(move |field| (ty, field)))
}

/// Object and interface types can carry federation field directives.
fn is_composite(kind: TypeKind) -> bool {
    matches!(
        kind,
        TypeKind::Object | TypeKind::Interface | TypeKind::Union
    )
}

/// An error located at one place of one subgraph.
fn error_at(
    code: &'static str,
    message: String,
    subgraph: &Subgraph,
    location: Location,
) -> CompositionError {
    CompositionError::new(code, message).at(&subgraph.name, location)
}

/// Locates `error` at every definition of `ty` (or of its `field`).
fn at_definitions(
    mut error: CompositionError,
    subgraphs: &[Subgraph],
    ty: &str,
    field: Option<&str>,
) -> CompositionError {
    for subgraph in subgraphs {
        let Some(t) = subgraph.types.get(ty) else {
            continue;
        };
        let location = match field {
            None => Some(t.common.location),
            Some(field) => t.fields.get(field).map(|f| f.common.location),
        };
        if let Some(location) = location {
            error = error.at(&subgraph.name, location);
        }
    }
    error
}
