//! The rules on arguments and input fields the schema validator leaves
//! to `graphql_rules`: a default value must fit its type (GraphQL spec
//! §3.10, input coercion: no `"s"` for an `Int`, no unknown enum value or
//! input field), leniently where federation is (an out-of-range `Int`,
//! an enum value as a string, an input object missing a required field
//! are accepted); and a required argument or input field (non-null,
//! without a default) cannot be deprecated.

use apollo_compiler::ast::{FieldDefinition, InputValueDefinition, Type, Value};
use apollo_compiler::schema::{Component, ExtendedType};
use apollo_compiler::{Node, Schema};

use super::location_of;
use crate::compose::CompositionError;

/// Every violation in the subgraph's own definitions; `own` tells
/// whether a definition is the subgraph's.
pub(super) fn check(
    schema: &Schema,
    own: impl Fn(&Node<InputValueDefinition>) -> bool,
    subgraph: &str,
) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    let mut check_one = |def: &Node<InputValueDefinition>, what: String| {
        if !own(def) {
            return;
        }
        let required = def.ty.is_non_null() && def.default_value.is_none();
        if required && def.directives.has("deprecated") {
            let message = format!("Required {what} cannot be deprecated.");
            let location = location_of(def.location(), &schema.sources);
            errors.push(CompositionError::new("INVALID_GRAPHQL", message).at(subgraph, location));
        }
        let Some(default) = &def.default_value else {
            return;
        };
        if fits(schema, &def.ty, default) {
            return;
        }
        let message = format!(
            "Invalid default value (got: {}) provided for {what} of type {}.",
            default.serialize().no_indent(),
            def.ty
        );
        let location = location_of(default.location(), &schema.sources);
        errors.push(CompositionError::new("INVALID_GRAPHQL", message).at(subgraph, location));
    };
    for (name, ty) in &schema.types {
        match ty {
            ExtendedType::Object(o) => each_argument(name, o.fields.values(), &mut check_one),
            ExtendedType::Interface(i) => each_argument(name, i.fields.values(), &mut check_one),
            ExtendedType::InputObject(o) => {
                for field in o.fields.values() {
                    check_one(field, format!("input field {name}.{}", field.name));
                }
            }
            _ => {}
        }
    }
    for directive in schema.directive_definitions.values() {
        for arg in &directive.arguments {
            check_one(arg, format!("argument @{}({}:)", directive.name, arg.name));
        }
    }
    errors
}

fn each_argument<'a, F>(
    parent: &str,
    fields: impl Iterator<Item = &'a Component<FieldDefinition>>,
    check_one: &mut F,
) where
    F: FnMut(&Node<InputValueDefinition>, String),
{
    for field in fields {
        for arg in &field.arguments {
            check_one(
                arg,
                format!("argument {parent}.{}({}:)", field.name, arg.name),
            );
        }
    }
}

/// `value` is accepted by an input of type `ty` (literal coercion).
fn fits(schema: &Schema, ty: &Type, value: &Value) -> bool {
    match (value, ty) {
        (Value::Null, _) => !ty.is_non_null(),
        (Value::Variable(_), _) => false,
        (_, Type::Named(name) | Type::NonNullNamed(name)) => named_fits(schema, name, value),
        (Value::List(items), Type::List(inner) | Type::NonNullList(inner)) => {
            items.iter().all(|item| fits(schema, inner, item))
        }
        // A single value stands for a list of one.
        (_, Type::List(inner) | Type::NonNullList(inner)) => fits(schema, inner, value),
    }
}

fn named_fits(schema: &Schema, name: &str, value: &Value) -> bool {
    match schema.types.get(name) {
        Some(ExtendedType::Scalar(_)) => scalar_fits(name, value),
        Some(ExtendedType::Enum(e)) => match value {
            Value::Enum(v) => e.values.contains_key(v),
            Value::String(v) => e.values.keys().any(|name| name.as_str() == v.as_str()),
            _ => false,
        },
        Some(ExtendedType::InputObject(input)) => {
            let Value::Object(given) = value else {
                return false;
            };
            given.iter().all(|(field, v)| {
                input
                    .fields
                    .get(field)
                    .is_some_and(|def| fits(schema, &def.ty, v))
            })
        }
        // Unknown or output types are reported by the schema validator.
        _ => true,
    }
}

fn scalar_fits(name: &str, value: &Value) -> bool {
    match name {
        "Int" => matches!(value, Value::Int(_)),
        "Float" => matches!(value, Value::Int(_) | Value::Float(_)),
        "String" => matches!(value, Value::String(_)),
        "Boolean" => matches!(value, Value::Boolean(_)),
        "ID" => matches!(value, Value::String(_) | Value::Int(_)),
        // Custom scalars take any literal.
        _ => true,
    }
}
