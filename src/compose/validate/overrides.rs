//! `@override` rules. In one subgraph: not on interface fields, not from
//! the subgraph itself, not with `@external`, and a valid progressive
//! override label. Across subgraphs: the overridden field may not itself
//! override, nor carry `@requires`/`@provides`.

use super::{error_at, fields_of};
use crate::compose::model::{Subgraph, TypeKind};
use crate::compose::CompositionError;

pub(super) fn check_subgraph(subgraph: &Subgraph) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    let name = &subgraph.name;
    for (ty, field) in fields_of(subgraph) {
        let Some(from) = &field.override_from else {
            continue;
        };
        let at = |code, message: String| error_at(code, message, subgraph, field.common.location);
        let path = format!("{}.{}", ty.name, field.name);
        if ty.kind == TypeKind::Interface {
            errors.push(at(
                "OVERRIDE_ON_INTERFACE",
                format!("Interface field \"{path}\" in subgraph \"{name}\" has an @override; only object fields can take over resolution"),
            ));
            continue;
        }
        if from == name {
            errors.push(at(
                "OVERRIDE_FROM_SELF_ERROR",
                format!("Field \"{path}\" in subgraph \"{name}\" overrides itself: @override(from:) must name another subgraph"),
            ));
        }
        if field.external {
            errors.push(at(
                "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                format!("Field \"{path}\" in subgraph \"{name}\" is both @override and @external; an overriding field must be resolved here"),
            ));
        }
        if let Some(label) = field
            .override_label
            .as_deref()
            .filter(|l| !is_valid_label(l))
        {
            errors.push(at(
                "OVERRIDE_LABEL_INVALID",
                format!("The @override label \"{label}\" on \"{path}\" in subgraph \"{name}\" is neither percent(N) with N from 0 to 100 nor a name (a letter, then letters, digits or _-:./)"),
            ));
        }
    }
    errors
}

/// `percent(N)` (N from 0 to 100, up to 8 decimals), or a letter followed
/// by letters, digits and `_-:./`.
fn is_valid_label(label: &str) -> bool {
    if let Some(number) = label
        .strip_prefix("percent(")
        .and_then(|rest| rest.strip_suffix(')'))
    {
        let (whole, decimals) = number.split_once('.').unwrap_or((number, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        return !whole.is_empty()
            && digits(whole)
            && digits(decimals)
            && decimals.len() <= 8
            && (number.contains('.') != decimals.is_empty())
            && number
                .parse::<f64>()
                .is_ok_and(|n| (0.0..=100.0).contains(&n));
    }
    let mut chars = label.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_-:./".contains(c))
}

/// The overridden definition, when its subgraph exists.
pub(super) fn check_sources(subgraphs: &[Subgraph]) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for subgraph in subgraphs {
        for (ty, field) in fields_of(subgraph) {
            let Some(from) = &field.override_from else {
                continue;
            };
            if from == &subgraph.name || ty.kind == TypeKind::Interface {
                continue;
            }
            let Some(source) = subgraphs
                .iter()
                .find(|s| &s.name == from)
                .and_then(|s| s.types.get(&ty.name))
                .and_then(|t| t.fields.get(&field.name))
            else {
                continue;
            };
            let at =
                |code, message: String| error_at(code, message, subgraph, field.common.location);
            let path = format!("{}.{}", ty.name, field.name);
            let name = &subgraph.name;
            if source.override_from.is_some() {
                errors.push(at(
                    "OVERRIDE_SOURCE_HAS_OVERRIDE",
                    format!("Field \"{path}\" in subgraph \"{name}\" overrides subgraph \"{from}\", whose \"{path}\" has an @override of its own; a field can be taken over only once"),
                ));
            } else if source.requires.is_some() || source.provides.is_some() {
                errors.push(at(
                    "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                    format!("Field \"{path}\" in subgraph \"{name}\" overrides subgraph \"{from}\", where \"{path}\" has @requires or @provides; remove it there first"),
                ));
            }
        }
    }
    errors
}
