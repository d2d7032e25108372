//! Fields of object types and interfaces: added, removed, their type
//! changed, deprecated; and their arguments (see `inputs`).

use apollo_compiler::collections::IndexMap;
use apollo_compiler::schema::{Component, FieldDefinition};
use apollo_compiler::Name;

use super::deprecation::diff_deprecation;
use super::inputs::diff_arguments;
use super::wrapping::{output_change_is_safe, type_change_detail};
use super::{added, changed, removed, SchemaChange};

type Fields = IndexMap<Name, Component<FieldDefinition>>;

/// The changes of the fields of `parent` from `old` to `new`.
pub(super) fn diff_fields(
    parent: &Name,
    old: &Fields,
    new: &Fields,
    changes: &mut Vec<SchemaChange>,
) {
    for (name, field) in old {
        let coordinate = format!("{parent}.{name}");
        let Some(now) = new.get(name) else {
            changes.push(removed(coordinate, "field"));
            continue;
        };
        if now.ty != field.ty {
            let safe = output_change_is_safe(&field.ty, &now.ty);
            let nullability = " (clients may now receive null)";
            let detail = type_change_detail(&field.ty, &now.ty, safe, nullability);
            changes.push(changed(coordinate.clone(), detail, !safe));
        }
        diff_deprecation(&coordinate, &field.directives, &now.directives, changes);
        diff_arguments(&coordinate, &field.arguments, &now.arguments, changes);
    }
    for name in new.keys().filter(|name| !old.contains_key(*name)) {
        let coordinate = format!("{parent}.{name}");
        changes.push(added(coordinate, "field added".to_string(), false));
    }
}
