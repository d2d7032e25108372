//! Members of a type that are names: enum values, union members and the
//! interfaces an object type or interface implements. Removing one is
//! breaking (a client may send or select it); adding one is dangerous, not
//! breaking (a client may receive something it does not handle).

use apollo_compiler::collections::IndexSet;
use apollo_compiler::schema::{ComponentName, EnumType};
use apollo_compiler::Name;

use super::deprecation::diff_deprecation;
use super::{added, removed, SchemaChange};

/// Values of the enum `parent`, and their deprecation.
pub(super) fn diff_enum(
    parent: &Name,
    old: &EnumType,
    new: &EnumType,
    changes: &mut Vec<SchemaChange>,
) {
    for (value, definition) in &old.values {
        let coordinate = format!("{parent}.{value}");
        match new.values.get(value) {
            None => changes.push(removed(coordinate, "enum value")),
            Some(now) => {
                diff_deprecation(
                    &coordinate,
                    &definition.directives,
                    &now.directives,
                    changes,
                );
            }
        }
    }
    for value in new.values.keys().filter(|v| !old.values.contains_key(*v)) {
        let detail = "enum value added (dangerous: clients may receive a value they do not know)";
        changes.push(added(
            format!("{parent}.{value}"),
            detail.to_string(),
            false,
        ));
    }
}

/// Member types of the union `parent`.
pub(super) fn diff_union(
    parent: &Name,
    old: &IndexSet<ComponentName>,
    new: &IndexSet<ComponentName>,
    changes: &mut Vec<SchemaChange>,
) {
    let dangerous = "dangerous: clients may receive a type they do not handle";
    diff_names(parent, old, new, "member", dangerous, changes);
}

/// Interfaces implemented by the object type or interface `parent`.
pub(super) fn diff_implements(
    parent: &Name,
    old: &IndexSet<ComponentName>,
    new: &IndexSet<ComponentName>,
    changes: &mut Vec<SchemaChange>,
) {
    let dangerous = "dangerous: fragments on the interface now match it";
    diff_names(parent, old, new, "implements", dangerous, changes);
}

fn diff_names(
    parent: &Name,
    old: &IndexSet<ComponentName>,
    new: &IndexSet<ComponentName>,
    what: &str,
    dangerous: &str,
    changes: &mut Vec<SchemaChange>,
) {
    for name in old.iter().filter(|n| !new.contains(*n)) {
        changes.push(removed(parent.to_string(), &format!("{what} {name}")));
    }
    for name in new.iter().filter(|n| !old.contains(*n)) {
        let detail = format!("{what} {name} added ({dangerous})");
        changes.push(added(parent.to_string(), detail, false));
    }
}
