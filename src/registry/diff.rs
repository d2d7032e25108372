//! What a candidate supergraph changes in the API schema clients see:
//! types, fields, arguments and enum values added, removed or changed,
//! each marked breaking when an existing client operation could stop
//! working (something removed, a type changed, a required argument added).

use apollo_compiler::schema::ExtendedType;
use apollo_compiler::Schema;
use serde::Serialize;

/// One change of the API schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaChange {
    pub kind: ChangeKind,
    /// `Type`, `Type.field`, `Type.field(arg:)` or `Enum.VALUE`.
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

/// The changes from `old` to `new` (both API schemas), sorted by coordinate.
pub fn diff_api_schemas(old: &Schema, new: &Schema) -> Vec<SchemaChange> {
    let mut changes = Vec::new();
    for (name, old_type) in old.types.iter().filter(|(_, t)| !t.is_built_in()) {
        match new.types.get(name) {
            None => changes.push(removed(name.to_string(), "type")),
            Some(new_type) if kind(new_type) != kind(old_type) => changes.push(SchemaChange {
                kind: ChangeKind::Changed,
                coordinate: name.to_string(),
                detail: format!("{} → {}", kind(old_type), kind(new_type)),
                breaking: true,
            }),
            Some(new_type) => diff_members(name, old_type, new_type, &mut changes),
        }
    }
    for (name, new_type) in new.types.iter().filter(|(_, t)| !t.is_built_in()) {
        if !old.types.contains_key(name) {
            changes.push(added(
                name.to_string(),
                &format!("{} added", kind(new_type)),
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

fn removed(coordinate: String, what: &str) -> SchemaChange {
    SchemaChange {
        kind: ChangeKind::Removed,
        coordinate,
        detail: format!("{what} removed"),
        breaking: true,
    }
}

fn added(coordinate: String, detail: &str, breaking: bool) -> SchemaChange {
    SchemaChange {
        kind: ChangeKind::Added,
        coordinate,
        detail: detail.to_string(),
        breaking,
    }
}

fn diff_members(
    name: &apollo_compiler::Name,
    old: &ExtendedType,
    new: &ExtendedType,
    changes: &mut Vec<SchemaChange>,
) {
    match (old, new) {
        (ExtendedType::Object(o), ExtendedType::Object(n)) => {
            diff_fields(
                name,
                o.fields.values().map(|f| &***f),
                n.fields.values().map(|f| &***f),
                changes,
            );
        }
        (ExtendedType::Interface(o), ExtendedType::Interface(n)) => {
            diff_fields(
                name,
                o.fields.values().map(|f| &***f),
                n.fields.values().map(|f| &***f),
                changes,
            );
        }
        (ExtendedType::InputObject(o), ExtendedType::InputObject(n)) => {
            diff_input_fields(name, o, n, changes);
        }
        (ExtendedType::Enum(o), ExtendedType::Enum(n)) => {
            for value in o.values.keys().filter(|v| !n.values.contains_key(*v)) {
                changes.push(removed(format!("{name}.{value}"), "enum value"));
            }
            for value in n.values.keys().filter(|v| !o.values.contains_key(*v)) {
                // A new value can reach a client that does not know it.
                changes.push(added(format!("{name}.{value}"), "enum value added", false));
            }
        }
        (ExtendedType::Union(o), ExtendedType::Union(n)) => {
            for member in o.members.iter().filter(|m| !n.members.contains(*m)) {
                changes.push(removed(format!("{name}"), &format!("member {member}")));
            }
            for member in n.members.iter().filter(|m| !o.members.contains(*m)) {
                changes.push(added(
                    name.to_string(),
                    &format!("member {member} added"),
                    false,
                ));
            }
        }
        _ => {}
    }
}

fn diff_fields<'a>(
    parent: &apollo_compiler::Name,
    old: impl Iterator<Item = &'a apollo_compiler::ast::FieldDefinition>,
    new: impl Iterator<Item = &'a apollo_compiler::ast::FieldDefinition> + Clone,
    changes: &mut Vec<SchemaChange>,
) {
    let old: Vec<_> = old.collect();
    for field in &old {
        let coordinate = format!("{parent}.{}", field.name);
        let Some(now) = new.clone().find(|f| f.name == field.name) else {
            changes.push(removed(coordinate, "field"));
            continue;
        };
        if now.ty != field.ty {
            changes.push(SchemaChange {
                kind: ChangeKind::Changed,
                coordinate: coordinate.clone(),
                detail: format!("type {} → {}", field.ty, now.ty),
                // An output may become non-null without breaking a client.
                breaking: !(!field.ty.is_non_null()
                    && now.ty.is_non_null()
                    && now.ty.clone().nullable() == field.ty),
            });
        }
        diff_arguments(&coordinate, &field.arguments, &now.arguments, changes);
    }
    for field in new.filter(|f| !old.iter().any(|o| o.name == f.name)) {
        changes.push(added(
            format!("{parent}.{}", field.name),
            "field added",
            false,
        ));
    }
}

fn diff_arguments(
    field: &str,
    old: &[apollo_compiler::Node<apollo_compiler::ast::InputValueDefinition>],
    new: &[apollo_compiler::Node<apollo_compiler::ast::InputValueDefinition>],
    changes: &mut Vec<SchemaChange>,
) {
    for arg in old {
        let coordinate = format!("{field}({}:)", arg.name);
        match new.iter().find(|a| a.name == arg.name) {
            None => changes.push(removed(coordinate, "argument")),
            Some(now) if now.ty != arg.ty => changes.push(SchemaChange {
                kind: ChangeKind::Changed,
                coordinate,
                detail: format!("type {} → {}", arg.ty, now.ty),
                // An input may become nullable without breaking a client.
                breaking: !(arg.ty.is_non_null() && *now.ty == (*arg.ty).clone().nullable()),
            }),
            Some(_) => {}
        }
    }
    for arg in new.iter().filter(|a| !old.iter().any(|o| o.name == a.name)) {
        let required = arg.ty.is_non_null() && arg.default_value.is_none();
        let detail = if required {
            "required argument added"
        } else {
            "optional argument added"
        };
        changes.push(added(format!("{field}({}:)", arg.name), detail, required));
    }
}

fn diff_input_fields(
    parent: &apollo_compiler::Name,
    old: &apollo_compiler::schema::InputObjectType,
    new: &apollo_compiler::schema::InputObjectType,
    changes: &mut Vec<SchemaChange>,
) {
    for (name, field) in &old.fields {
        let coordinate = format!("{parent}.{name}");
        match new.fields.get(name) {
            None => changes.push(removed(coordinate, "input field")),
            Some(now) if now.ty != field.ty => changes.push(SchemaChange {
                kind: ChangeKind::Changed,
                coordinate,
                detail: format!("type {} → {}", field.ty, now.ty),
                breaking: !(field.ty.is_non_null() && *now.ty == (*field.ty).clone().nullable()),
            }),
            Some(_) => {}
        }
    }
    for (name, field) in new
        .fields
        .iter()
        .filter(|(n, _)| !old.fields.contains_key(*n))
    {
        let required = field.ty.is_non_null() && field.default_value.is_none();
        let detail = if required {
            "required input field added"
        } else {
            "optional input field added"
        };
        changes.push(added(format!("{parent}.{name}"), detail, required));
    }
}
