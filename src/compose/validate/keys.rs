//! `@key` rules: the field set must select existing fields of the type,
//! without arguments, directives or abstract-typed fields, and interfaces
//! may only carry keys from Federation 2.3 on.

use super::error_at;
use super::field_sets::{walk, Directive, Problem};
use crate::compose::model::{Subgraph, TypeKind};
use crate::compose::CompositionError;

/// The first federation minor version that allows `@key` on interfaces.
const INTERFACE_KEYS_SINCE: u32 = 3;

pub(super) fn check(subgraph: &Subgraph) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for ty in subgraph.types.values() {
        for key in &ty.keys {
            let at = |code, message: String| error_at(code, message, subgraph, key.location);
            let fields = &key.fields;
            let subject = format!(
                "The @key(fields: \"{fields}\") of type \"{}\" in subgraph \"{}\"",
                ty.name, subgraph.name
            );
            if ty.kind == TypeKind::Interface
                && subgraph
                    .federation
                    .minor
                    .is_none_or(|minor| minor < INTERFACE_KEYS_SINCE)
            {
                errors.push(at(
                    "KEY_UNSUPPORTED_ON_INTERFACE",
                    format!(
                        "Interface \"{}\" in subgraph \"{}\" has a @key, which needs federation v2.3 or later",
                        ty.name, subgraph.name
                    ),
                ));
            }
            for problem in walk(subgraph, &ty.name, fields, Directive::Key).problems {
                errors.push(match problem {
                    Problem::Unparsable => at(
                        "KEY_INVALID_FIELDS",
                        format!("{subject} is not a selection of fields"),
                    ),
                    Problem::Invalid(what) => at(
                        "KEY_INVALID_FIELDS",
                        format!("{subject} selects {what}"),
                    ),
                    Problem::Directive => at(
                        "KEY_DIRECTIVE_IN_FIELDS_ARG",
                        format!("{subject} applies a directive; key fields cannot carry directives"),
                    ),
                    Problem::HasArgs(path) => at(
                        "KEY_FIELDS_HAS_ARGS",
                        format!("{subject} selects \"{path}\", which takes arguments; key fields cannot"),
                    ),
                    Problem::AbstractType(path) => at(
                        "KEY_FIELDS_SELECT_INVALID_TYPE",
                        format!("{subject} selects \"{path}\", whose type is an interface or a union; key fields cannot be"),
                    ),
                    Problem::NotExternal(_) => continue,
                });
            }
        }
    }
    errors
}
