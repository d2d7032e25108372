//! What a candidate supergraph changes in the API schema clients see, and
//! which of those changes could make an existing client operation fail.
//!
//! The classification follows the usual rules of schema evolution:
//! - breaking: a type, field, argument, input field, enum value or union
//!   member removed; an interface dropped from a type's `implements`; a
//!   type's kind changed; a required argument or input field (non-null, no
//!   default) added; an output type loosened (`String!` → `String`) or an
//!   input type tightened (`String` → `String!`); any other change of a
//!   type's name or list wrapping; the default of a non-null argument or
//!   input field removed; `@oneOf` added to an input type;
//! - reported, not breaking, with "dangerous" in the detail where clients
//!   may see different data: an enum value, union member or implemented
//!   interface added; an argument's or input field's default changed;
//! - reported, not breaking: types, fields and optional arguments or input
//!   fields added, an output tightened or an input loosened, `@deprecated`
//!   added, removed or given another reason, `@oneOf` removed;
//! - ignored: descriptions.
//!
//! Output fields live in `fields`, arguments and input fields in `inputs`,
//! enum values, union members and implemented interfaces in `members`,
//! the rules on type references in `wrapping`, `@deprecated` in
//! `deprecation`.

mod deprecation;
mod fields;
mod inputs;
mod members;
mod wrapping;

use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{Name, Schema};
use serde::Serialize;

/// One change of the API schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaChange {
    pub kind: ChangeKind,
    /// `Type`, `Type.field`, `Type.field(arg:)` or `Enum.VALUE`; a union
    /// member or an implemented interface is reported on its type, named in
    /// the detail.
    pub coordinate: String,
    /// What it was and what it becomes, in words.
    pub detail: String,
    pub breaking: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChangeKind {
    Added,
    Removed,
    Changed,
}

/// The changes from `old` to `new` (both API schemas), sorted by coordinate
/// (changes of one coordinate in the order they were found).
pub fn diff_api_schemas(old: &Schema, new: &Schema) -> Vec<SchemaChange> {
    let mut changes = Vec::new();
    for (name, old_type) in old.types.iter().filter(|(_, t)| !t.is_built_in()) {
        match new.types.get(name) {
            None => changes.push(removed(name.to_string(), "type")),
            Some(new_type) if kind(new_type) != kind(old_type) => changes.push(changed(
                name.to_string(),
                format!("{} → {}", kind(old_type), kind(new_type)),
                true,
            )),
            Some(new_type) => diff_type(name, old_type, new_type, &mut changes),
        }
    }
    for (name, new_type) in new.types.iter().filter(|(_, t)| !t.is_built_in()) {
        if !old.types.contains_key(name) {
            changes.push(added(
                name.to_string(),
                format!("{} added", kind(new_type)),
                false,
            ));
        }
    }
    changes.sort_by(|a, b| a.coordinate.cmp(&b.coordinate));
    changes
}

fn kind(ty: &ExtendedType) -> &'static str {
    match ty {
        ExtendedType::Scalar(_) => "scalar",
        ExtendedType::Object(_) => "object type",
        ExtendedType::Interface(_) => "interface",
        ExtendedType::Union(_) => "union",
        ExtendedType::Enum(_) => "enum",
        ExtendedType::InputObject(_) => "input type",
    }
}

/// The changes inside a type whose kind stayed the same.
fn diff_type(name: &Name, old: &ExtendedType, new: &ExtendedType, changes: &mut Vec<SchemaChange>) {
    match (old, new) {
        (ExtendedType::Object(o), ExtendedType::Object(n)) => {
            members::diff_implements(
                name,
                &o.implements_interfaces,
                &n.implements_interfaces,
                changes,
            );
            fields::diff_fields(name, &o.fields, &n.fields, changes);
        }
        (ExtendedType::Interface(o), ExtendedType::Interface(n)) => {
            members::diff_implements(
                name,
                &o.implements_interfaces,
                &n.implements_interfaces,
                changes,
            );
            fields::diff_fields(name, &o.fields, &n.fields, changes);
        }
        (ExtendedType::InputObject(o), ExtendedType::InputObject(n)) => {
            inputs::diff_input_object(name, o, n, changes);
        }
        (ExtendedType::Enum(o), ExtendedType::Enum(n)) => members::diff_enum(name, o, n, changes),
        (ExtendedType::Union(o), ExtendedType::Union(n)) => {
            members::diff_union(name, &o.members, &n.members, changes);
        }
        _ => {}
    }
}

fn removed(coordinate: String, what: &str) -> SchemaChange {
    SchemaChange {
        kind: ChangeKind::Removed,
        coordinate,
        detail: format!("{what} removed"),
        breaking: true,
    }
}

fn added(coordinate: String, detail: String, breaking: bool) -> SchemaChange {
    SchemaChange {
        kind: ChangeKind::Added,
        coordinate,
        detail,
        breaking,
    }
}

fn changed(coordinate: String, detail: String, breaking: bool) -> SchemaChange {
    SchemaChange {
        kind: ChangeKind::Changed,
        coordinate,
        detail,
        breaking,
    }
}
