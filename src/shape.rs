//! Shaping the final response: project the merged subgraph data onto the
//! client's selection (response keys, field order, fragments by runtime
//! type, `@skip`/`@include`), complete `__typename`, and apply the spec's
//! null propagation for non-null fields.

use apollo_compiler::ast::Type;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Schema};
use indexmap::IndexMap;
use serde_json::{json, Map, Value};

use crate::operation::{conditions_met, Field, Selection, SelectionSet};

/// What the shaper reads.
pub struct ShapeInput<'a> {
    pub schema: &'a Valid<Schema>,
    pub variables: &'a Map<String, Value>,
    /// Results of `__schema` / `__type` root fields, already complete.
    pub introspection: Option<&'a Map<String, Value>>,
}

/// A non-null field was null: the null moves up to the nearest nullable parent.
struct NullPropagation;

/// Shapes `data` for the operation rooted at `root_type`; appends errors for
/// non-null violations not already explained by an error.
pub fn shape_response(
    input: &ShapeInput<'_>,
    root_type: &Name,
    selections: &SelectionSet,
    data: &Value,
    errors: &mut Vec<Value>,
) -> Value {
    let empty = Map::new();
    let source = data.as_object().unwrap_or(&empty);
    let mut path = Vec::new();
    match complete_object(
        input, root_type, selections, source, &mut path, errors, true,
    ) {
        Ok(object) => Value::Object(object),
        Err(NullPropagation) => Value::Null,
    }
}

fn complete_object(
    input: &ShapeInput<'_>,
    type_name: &Name,
    selections: &SelectionSet,
    source: &Map<String, Value>,
    path: &mut Vec<Value>,
    errors: &mut Vec<Value>,
    is_root: bool,
) -> Result<Map<String, Value>, NullPropagation> {
    let mut grouped: IndexMap<Name, Vec<&Field>> = IndexMap::new();
    collect_fields(input, type_name, selections, &mut grouped);
    let mut out = Map::with_capacity(grouped.len());
    for (key, fields) in grouped {
        let field = fields[0];
        if field.name == "__typename" {
            out.insert(key.to_string(), Value::String(type_name.to_string()));
            continue;
        }
        if is_root && (field.name == "__schema" || field.name == "__type") {
            let value = input
                .introspection
                .and_then(|i| i.get(key.as_str()))
                .cloned();
            out.insert(key.to_string(), value.unwrap_or(Value::Null));
            continue;
        }
        path.push(Value::String(key.to_string()));
        let sub: SelectionSet = fields
            .iter()
            .flat_map(|f| f.selections.iter().cloned())
            .collect();
        let raw = source.get(key.as_str()).unwrap_or(&Value::Null);
        let completed = complete_value(input, &field.ty, &sub, raw, path, errors);
        path.pop();
        out.insert(key.to_string(), completed?);
    }
    Ok(out)
}

fn complete_value(
    input: &ShapeInput<'_>,
    ty: &Type,
    selections: &SelectionSet,
    raw: &Value,
    path: &mut Vec<Value>,
    errors: &mut Vec<Value>,
) -> Result<Value, NullPropagation> {
    if ty.is_non_null() {
        let value = complete_nullable(input, ty, selections, raw, path, errors)?;
        if value.is_null() {
            report_null(path, errors);
            return Err(NullPropagation);
        }
        return Ok(value);
    }
    Ok(complete_nullable(input, ty, selections, raw, path, errors).unwrap_or(Value::Null))
}

fn complete_nullable(
    input: &ShapeInput<'_>,
    ty: &Type,
    selections: &SelectionSet,
    raw: &Value,
    path: &mut Vec<Value>,
    errors: &mut Vec<Value>,
) -> Result<Value, NullPropagation> {
    if raw.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::List(item) | Type::NonNullList(item) => {
            let Value::Array(items) = raw else {
                return Ok(Value::Null);
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, value) in items.iter().enumerate() {
                path.push(Value::from(i));
                let completed = complete_value(input, item, selections, value, path, errors);
                path.pop();
                out.push(completed?);
            }
            Ok(Value::Array(out))
        }
        Type::Named(name) | Type::NonNullNamed(name) => {
            complete_named(input, name, selections, raw, path, errors)
        }
    }
}

fn complete_named(
    input: &ShapeInput<'_>,
    name: &Name,
    selections: &SelectionSet,
    raw: &Value,
    path: &mut Vec<Value>,
    errors: &mut Vec<Value>,
) -> Result<Value, NullPropagation> {
    match input.schema.types.get(name) {
        Some(ExtendedType::Object(_)) => match raw {
            Value::Object(map) => {
                complete_object(input, name, selections, map, path, errors, false)
                    .map(Value::Object)
            }
            _ => Ok(Value::Null),
        },
        Some(ExtendedType::Interface(_) | ExtendedType::Union(_)) => {
            let Value::Object(map) = raw else {
                return Ok(Value::Null);
            };
            // An object known only through an `@interfaceObject` reports the
            // interface itself as its type; complete it at the interface.
            let runtime = map.get("__typename").and_then(Value::as_str);
            let Some(runtime) =
                runtime.filter(|r| input.schema.get_object(r).is_some() || *r == name.as_str())
            else {
                return Ok(Value::Null);
            };
            let runtime = Name::new(runtime).map_err(|_| NullPropagation)?;
            complete_object(input, &runtime, selections, map, path, errors, false)
                .map(Value::Object)
        }
        Some(ExtendedType::Enum(e)) => Ok(match raw.as_str() {
            Some(v) if e.values.contains_key(v) => raw.clone(),
            _ => Value::Null,
        }),
        _ => Ok(raw.clone()),
    }
}

/// CollectFields of the spec: fields by response key, fragments applied by runtime type.
fn collect_fields<'s>(
    input: &ShapeInput<'_>,
    type_name: &Name,
    selections: &'s SelectionSet,
    grouped: &mut IndexMap<Name, Vec<&'s Field>>,
) {
    for selection in selections {
        match selection {
            Selection::Field(field) => {
                if conditions_met(&field.conditions, input.variables) {
                    grouped
                        .entry(field.response_key().clone())
                        .or_default()
                        .push(field);
                }
            }
            Selection::InlineFragment(fragment) => {
                let applies = fragment
                    .type_condition
                    .as_ref()
                    .is_none_or(|c| c == type_name || input.schema.is_subtype(c, type_name));
                if applies && conditions_met(&fragment.conditions, input.variables) {
                    collect_fields(input, type_name, &fragment.selections, grouped);
                }
            }
        }
    }
}

fn report_null(path: &[Value], errors: &mut Vec<Value>) {
    let explained = errors
        .iter()
        .any(|e| match e.get("path").and_then(Value::as_array) {
            None => true,
            Some(p) => p.len() >= path.len() && p[..path.len()] == *path,
        });
    if !explained {
        errors.push(json!({
            "message": "Cannot return null for non-nullable field",
            "path": path,
            "extensions": { "code": "NON_NULL_VIOLATION" },
        }));
    }
}
