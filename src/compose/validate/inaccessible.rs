//! `@inaccessible` rules on the merged supergraph: what remains visible
//! (the API schema) must stand on its own. The query root stays visible;
//! visible elements never point at hidden types; a visible type keeps
//! some visible member; required inputs stay visible; a hidden field
//! cannot implement a visible interface field; visible defaults use only
//! visible values.

use std::collections::HashMap;

use apollo_compiler::ast::{Type, Value};

use super::at_definitions;
use crate::compose::model::{Subgraph, SuperType, Supergraph, TypeKind};
use crate::compose::CompositionError;

pub(super) fn check(subgraphs: &[Subgraph], supergraph: &Supergraph) -> Vec<CompositionError> {
    if !supergraph.uses_inaccessible {
        return Vec::new();
    }
    let types: HashMap<&str, &SuperType> = supergraph
        .types
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let mut rules = Rules {
        subgraphs,
        types,
        errors: Vec::new(),
    };
    for ty in &supergraph.types {
        if ty.common.inaccessible {
            if ty.name == "Query" {
                rules.report(
                    "QUERY_ROOT_TYPE_INACCESSIBLE",
                    "The query root type \"Query\" is @inaccessible; the API schema needs a visible query root"
                        .to_string(),
                    &ty.name,
                    None,
                );
            }
            continue;
        }
        rules.check_type(ty);
    }
    rules.errors
}

struct Rules<'a> {
    subgraphs: &'a [Subgraph],
    types: HashMap<&'a str, &'a SuperType>,
    errors: Vec<CompositionError>,
}

impl Rules<'_> {
    fn report(&mut self, code: &'static str, message: String, ty: &str, field: Option<&str>) {
        let error = CompositionError::new(code, message);
        self.errors
            .push(at_definitions(error, self.subgraphs, ty, field));
    }

    fn hidden(&self, ty: &Type) -> bool {
        self.types
            .get(ty.inner_named_type().as_str())
            .is_some_and(|t| t.common.inaccessible)
    }

    /// A visible type.
    fn check_type(&mut self, ty: &SuperType) {
        let name = &ty.name;
        let children = match ty.kind {
            TypeKind::Enum => ty.values.iter().map(|v| v.common.inaccessible).collect(),
            TypeKind::Union => ty
                .members
                .iter()
                .map(|m| {
                    self.types
                        .get(m.as_str())
                        .is_some_and(|t| t.common.inaccessible)
                })
                .collect(),
            _ => ty
                .fields
                .iter()
                .map(|f| f.common.inaccessible)
                .collect::<Vec<_>>(),
        };
        if !children.is_empty() && children.iter().all(|hidden| *hidden) {
            self.report(
                "ONLY_INACCESSIBLE_CHILDREN",
                format!("Type \"{name}\" is visible but every one of its fields, values or members is @inaccessible; hide the type too, or keep one visible"),
                name,
                None,
            );
        }
        for field in &ty.fields {
            let path = format!("{name}.{}", field.name);
            if field.common.inaccessible {
                if ty.kind == TypeKind::InputObject
                    && field.ty.is_non_null()
                    && field.default.is_none()
                {
                    self.report(
                        "REQUIRED_INACCESSIBLE",
                        format!("Input field \"{path}\" is required but @inaccessible; a required input must stay visible"),
                        name,
                        Some(&field.name),
                    );
                }
                self.check_implemented_by_hidden(ty, &field.name);
                continue;
            }
            if self.hidden(&field.ty) {
                self.report(
                    "REFERENCED_INACCESSIBLE",
                    format!(
                        "Field \"{path}\" is visible but its type \"{}\" is @inaccessible",
                        field.ty.inner_named_type()
                    ),
                    name,
                    Some(&field.name),
                );
            }
            if let Some(default) = &field.default {
                self.check_default(&path, &field.ty, default, name, &field.name);
            }
            for arg in &field.args {
                let arg_path = format!("{path}({}:)", arg.name);
                if arg.common.inaccessible {
                    if arg.ty.is_non_null() && arg.default.is_none() {
                        self.report(
                            "REQUIRED_INACCESSIBLE",
                            format!("Argument \"{arg_path}\" is required but @inaccessible; a required argument must stay visible"),
                            name,
                            Some(&field.name),
                        );
                    }
                    continue;
                }
                if self.hidden(&arg.ty) {
                    self.report(
                        "REFERENCED_INACCESSIBLE",
                        format!("Argument \"{arg_path}\" is visible but its type \"{}\" is @inaccessible", arg.ty.inner_named_type()),
                        name,
                        Some(&field.name),
                    );
                }
                if let Some(default) = &arg.default {
                    self.check_default(&arg_path, &arg.ty, default, name, &field.name);
                }
            }
        }
    }

    /// A hidden field of `ty` implementing a visible interface field.
    fn check_implemented_by_hidden(&mut self, ty: &SuperType, field: &str) {
        let visible_in = ty.implements.iter().find(|i| {
            self.types.get(i.as_str()).is_some_and(|i| {
                !i.common.inaccessible
                    && i.fields
                        .iter()
                        .any(|f| f.name == field && !f.common.inaccessible)
            })
        });
        if let Some(interface) = visible_in {
            self.report(
                "IMPLEMENTED_BY_INACCESSIBLE",
                format!("Field \"{}.{field}\" is @inaccessible but implements the visible field \"{interface}.{field}\"; hide the interface field too, or show this one", ty.name),
                &ty.name,
                Some(field),
            );
        }
    }

    fn check_default(&mut self, path: &str, ty: &Type, default: &Value, owner: &str, field: &str) {
        if let Some(hidden) = self.hidden_in_value(ty.inner_named_type().as_str(), default) {
            self.report(
                "DEFAULT_VALUE_USES_INACCESSIBLE",
                format!("The default value of \"{path}\" uses \"{hidden}\", which is @inaccessible; a visible default may use only visible values"),
                owner,
                Some(field),
            );
        }
    }

    /// The first hidden enum value or input field `value` uses, read as `ty`.
    fn hidden_in_value(&self, ty: &str, value: &Value) -> Option<String> {
        let named = self.types.get(ty)?;
        match value {
            Value::Enum(v) => named
                .values
                .iter()
                .find(|e| e.name == *v && e.common.inaccessible)
                .map(|e| format!("{ty}.{}", e.name)),
            Value::List(items) => items.iter().find_map(|item| self.hidden_in_value(ty, item)),
            Value::Object(fields) => fields.iter().find_map(|(key, v)| {
                let field = named.fields.iter().find(|f| f.name == *key)?;
                if field.common.inaccessible {
                    return Some(format!("{ty}.{key}"));
                }
                self.hidden_in_value(field.ty.inner_named_type().as_str(), v)
            }),
            _ => None,
        }
    }
}
