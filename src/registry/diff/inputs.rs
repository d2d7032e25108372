//! What clients send: arguments of fields and fields of input types. Each
//! is removed (breaking), added (breaking when required: non-null without
//! a default), its type changed (breaking unless only loosened), its
//! default changed (dangerous; breaking when a non-null one loses it), or
//! deprecated. `@oneOf` added to an input type is breaking.

use apollo_compiler::ast::InputValueDefinition;
use apollo_compiler::schema::InputObjectType;
use apollo_compiler::{Name, Node};

use super::deprecation::diff_deprecation;
use super::wrapping::{input_change_is_safe, type_change_detail};
use super::{added, changed, removed, SchemaChange};

/// The changes of the arguments of `field` (`Type.field`).
pub(super) fn diff_arguments(
    field: &str,
    old: &[Node<InputValueDefinition>],
    new: &[Node<InputValueDefinition>],
    changes: &mut Vec<SchemaChange>,
) {
    for arg in old {
        let coordinate = format!("{field}({}:)", arg.name);
        match new.iter().find(|a| a.name == arg.name) {
            None => changes.push(removed(coordinate, "argument")),
            Some(now) => diff_input_value(&coordinate, arg, now, changes),
        }
    }
    for arg in new.iter().filter(|a| !old.iter().any(|o| o.name == a.name)) {
        let coordinate = format!("{field}({}:)", arg.name);
        changes.push(added_input_value(coordinate, arg, "argument"));
    }
}

/// The changes of the input type `parent`.
pub(super) fn diff_input_object(
    parent: &Name,
    old: &InputObjectType,
    new: &InputObjectType,
    changes: &mut Vec<SchemaChange>,
) {
    match (old.directives.has("oneOf"), new.directives.has("oneOf")) {
        (false, true) => changes.push(changed(
            parent.to_string(),
            "@oneOf added (exactly one field may be given)".to_string(),
            true,
        )),
        (true, false) => changes.push(changed(
            parent.to_string(),
            "@oneOf removed".to_string(),
            false,
        )),
        _ => {}
    }
    for (name, field) in &old.fields {
        let coordinate = format!("{parent}.{name}");
        match new.fields.get(name) {
            None => changes.push(removed(coordinate, "input field")),
            Some(now) => diff_input_value(&coordinate, field, now, changes),
        }
    }
    for (name, field) in new
        .fields
        .iter()
        .filter(|(n, _)| !old.fields.contains_key(*n))
    {
        let coordinate = format!("{parent}.{name}");
        changes.push(added_input_value(coordinate, field, "input field"));
    }
}

/// An argument or input field `what` added: breaking when required.
fn added_input_value(coordinate: String, value: &InputValueDefinition, what: &str) -> SchemaChange {
    let required = value.is_required();
    let detail = if required {
        format!("required {what} added")
    } else {
        format!("optional {what} added")
    };
    added(coordinate, detail, required)
}

/// The changes of one argument or input field present in both schemas.
fn diff_input_value(
    coordinate: &str,
    old: &InputValueDefinition,
    new: &InputValueDefinition,
    changes: &mut Vec<SchemaChange>,
) {
    if new.ty != old.ty {
        let safe = input_change_is_safe(&old.ty, &new.ty);
        let nullability = " (clients must now send a value)";
        let detail = type_change_detail(&old.ty, &new.ty, safe, nullability);
        changes.push(changed(coordinate.to_string(), detail, !safe));
    }
    diff_default(coordinate, old, new, changes);
    diff_deprecation(coordinate, &old.directives, &new.directives, changes);
}

/// A default value added, removed or changed. Dangerous, not breaking: a
/// client that omits the value now gets another one. Breaking when a
/// non-null value loses its default: omitting it becomes an error.
fn diff_default(
    coordinate: &str,
    old: &InputValueDefinition,
    new: &InputValueDefinition,
    changes: &mut Vec<SchemaChange>,
) {
    let print = |value: &Option<Node<apollo_compiler::ast::Value>>| {
        value
            .as_ref()
            .map(|v| v.serialize().no_indent().to_string())
    };
    let (was, now) = (print(&old.default_value), print(&new.default_value));
    if was == now {
        return;
    }
    let (detail, breaking) = match (was, now) {
        (Some(was), None) if new.ty.is_non_null() => {
            (format!("default {was} removed (now required)"), true)
        }
        (Some(was), None) => (
            format!("default {was} removed (dangerous: clients that omit it get null)"),
            false,
        ),
        (None, Some(now)) if new.ty.is_non_null() => (format!("default {now} added"), false),
        (None, Some(now)) => (
            format!("default {now} added (dangerous: clients that omit it get {now}, not null)"),
            false,
        ),
        (was, now) => (
            format!(
                "default {} → {} (dangerous: clients that omit it get the new default)",
                was.unwrap_or_default(),
                now.unwrap_or_default()
            ),
            false,
        ),
    };
    changes.push(changed(coordinate.to_string(), detail, breaking));
}
