//! `@requires` and `@provides` rules: not on interface fields; the field
//! set must be valid, free of directives and select only `@external`
//! leaves; `@provides` only on fields returning a composite type, and
//! never selecting fields with arguments.

use super::field_sets::{walk, Directive, Problem};
use super::{error_at, fields_of, is_composite};
use crate::compose::model::{SubField, SubType, Subgraph, TypeKind};
use crate::compose::CompositionError;

pub(super) fn check(subgraph: &Subgraph) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for (ty, field) in fields_of(subgraph) {
        if let Some(fields) = &field.requires {
            check_requires(subgraph, ty, field, fields, &mut errors);
        }
        if let Some(fields) = &field.provides {
            check_provides(subgraph, ty, field, fields, &mut errors);
        }
    }
    errors
}

fn check_requires(
    subgraph: &Subgraph,
    ty: &SubType,
    field: &SubField,
    fields: &str,
    errors: &mut Vec<CompositionError>,
) {
    let at = |code, message: String| error_at(code, message, subgraph, field.common.location);
    let path = format!("{}.{}", ty.name, field.name);
    let subject = format!(
        "The @requires(fields: \"{fields}\") on \"{path}\" in subgraph \"{}\"",
        subgraph.name
    );
    if ty.kind == TypeKind::Interface {
        errors.push(at(
            "REQUIRES_UNSUPPORTED_ON_INTERFACE",
            format!(
                "Interface field \"{path}\" in subgraph \"{}\" has a @requires; only object fields may",
                subgraph.name
            ),
        ));
        return;
    }
    for problem in walk(subgraph, &ty.name, fields, Directive::Requires).problems {
        errors.push(match problem {
            Problem::Unparsable => at(
                "REQUIRES_INVALID_FIELDS",
                format!("{subject} is not a selection of fields"),
            ),
            Problem::Invalid(what) => at(
                "REQUIRES_INVALID_FIELDS",
                format!("{subject} selects {what}"),
            ),
            Problem::Directive => at(
                "REQUIRES_DIRECTIVE_IN_FIELDS_ARG",
                format!("{subject} applies a directive; required fields cannot carry directives"),
            ),
            Problem::NotExternal(selected) => at(
                "REQUIRES_FIELDS_MISSING_EXTERNAL",
                format!(
                    "{subject} needs \"{selected}\", which is not marked @external in that subgraph"
                ),
            ),
            Problem::HasArgs(_) | Problem::AbstractType(_) => continue,
        });
    }
}

fn check_provides(
    subgraph: &Subgraph,
    ty: &SubType,
    field: &SubField,
    fields: &str,
    errors: &mut Vec<CompositionError>,
) {
    let at = |code, message: String| error_at(code, message, subgraph, field.common.location);
    let path = format!("{}.{}", ty.name, field.name);
    let subject = format!(
        "The @provides(fields: \"{fields}\") on \"{path}\" in subgraph \"{}\"",
        subgraph.name
    );
    if ty.kind == TypeKind::Interface {
        errors.push(at(
            "PROVIDES_UNSUPPORTED_ON_INTERFACE",
            format!(
                "Interface field \"{path}\" in subgraph \"{}\" has a @provides; only object fields may",
                subgraph.name
            ),
        ));
        return;
    }
    let target = field.ty.inner_named_type();
    let composite = subgraph
        .types
        .get(target)
        .is_some_and(|t| is_composite(t.kind));
    if !composite {
        errors.push(at(
            "PROVIDES_ON_NON_OBJECT_FIELD",
            format!(
                "Field \"{path}\" in subgraph \"{}\" has a @provides but returns \"{target}\", which has no fields to provide",
                subgraph.name
            ),
        ));
        return;
    }
    for problem in walk(subgraph, target, fields, Directive::Provides).problems {
        errors.push(match problem {
            Problem::Unparsable => at(
                "PROVIDES_INVALID_FIELDS",
                format!("{subject} is not a selection of fields"),
            ),
            Problem::Invalid(what) => at(
                "PROVIDES_INVALID_FIELDS",
                format!("{subject} selects {what}"),
            ),
            Problem::Directive => at(
                "PROVIDES_DIRECTIVE_IN_FIELDS_ARG",
                format!("{subject} applies a directive; provided fields cannot carry directives"),
            ),
            Problem::HasArgs(selected) => at(
                "PROVIDES_FIELDS_HAS_ARGS",
                format!("{subject} selects \"{selected}\", which takes arguments; provided fields cannot"),
            ),
            // Federation 1 tolerated providing fields it resolves itself.
            Problem::NotExternal(_) if subgraph.federation.is_fed1() => continue,
            Problem::NotExternal(selected) => at(
                "PROVIDES_FIELDS_MISSING_EXTERNAL",
                format!(
                    "{subject} provides \"{selected}\", which is not marked @external in that subgraph"
                ),
            ),
            Problem::AbstractType(_) => continue,
        });
    }
}
