//! The schema a caller may see, for introspection when
//! `access.hide_denied_in_introspection` is on: the API schema without the
//! fields the caller may not query (by the same decisions the analysis
//! makes of an operation), then without the types left with no field, the
//! fields returning them, and union members and interfaces that are gone.
//! The root query type always stays; an emptied mutation or subscription
//! root goes from the schema definition too.

use apollo_compiler::collections::HashMap;
use apollo_compiler::schema::{ExtendedType, Implementers};
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Schema};

use super::analysis::Analysis;
use super::Action;

/// A caller's view of the API schema and its implementers.
#[derive(Debug)]
pub struct VisibleSchema {
    pub schema: Valid<Schema>,
    pub implementers: HashMap<Name, Implementers>,
}

impl<A: Fn(&str, Action) -> bool, P: Fn(&str) -> bool> Analysis<'_, A, P> {
    /// The API schema as this caller may see it.
    pub fn visible_schema(&self) -> VisibleSchema {
        let mut schema = self.schema.clone();
        self.remove_denied_fields(&mut schema);
        remove_empty_types(&mut schema);
        let implementers = schema.implementers_map();
        // Only fields, types that nothing can return any more, and
        // references to those were removed: the schema stays valid.
        VisibleSchema {
            schema: Valid::assume_valid(schema),
            implementers,
        }
    }

    fn remove_denied_fields(&self, schema: &mut Schema) {
        let root_action = |name: &Name| {
            let roots = &self.schema.schema_definition;
            if roots.mutation.as_ref().is_some_and(|m| m.name == *name) {
                Action::Write
            } else if roots.subscription.as_ref().is_some_and(|s| s.name == *name) {
                Action::Subscribe
            } else {
                Action::Read
            }
        };
        for (type_name, ty) in schema.types.iter_mut() {
            if ty.is_built_in() {
                continue;
            }
            let action = root_action(type_name);
            match ty {
                ExtendedType::Object(object) => object
                    .make_mut()
                    .fields
                    .retain(|field, _| self.field_allowed(type_name, field, action)),
                ExtendedType::Interface(interface) => interface
                    .make_mut()
                    .fields
                    .retain(|field, _| self.field_allowed(type_name, field, action)),
                _ => {}
            }
        }
    }
}

/// Removes object and interface types without fields (but the query root)
/// and everything that refers to them, until nothing more goes.
fn remove_empty_types(schema: &mut Schema) {
    let query_root = schema
        .schema_definition
        .query
        .as_ref()
        .map(|q| q.name.clone());
    loop {
        let empty: Vec<Name> = schema
            .types
            .iter()
            .filter(|(name, ty)| {
                Some(*name) != query_root.as_ref() && !ty.is_built_in() && has_no_fields(ty)
            })
            .map(|(name, _)| name.clone())
            .collect();
        if empty.is_empty() {
            return;
        }
        for name in &empty {
            schema.types.shift_remove(name);
        }
        remove_references(schema, &empty);
    }
}

/// An object or interface type with no field left, or a union with no
/// member left.
fn has_no_fields(ty: &ExtendedType) -> bool {
    match ty {
        ExtendedType::Object(object) => object.fields.is_empty(),
        ExtendedType::Interface(interface) => interface.fields.is_empty(),
        ExtendedType::Union(union) => union.members.is_empty(),
        _ => false,
    }
}

fn remove_references(schema: &mut Schema, gone: &[Name]) {
    let is_gone = |name: &Name| gone.contains(name);
    let roots = schema.schema_definition.make_mut();
    if roots.mutation.as_ref().is_some_and(|m| is_gone(&m.name)) {
        roots.mutation = None;
    }
    if roots
        .subscription
        .as_ref()
        .is_some_and(|s| is_gone(&s.name))
    {
        roots.subscription = None;
    }
    for ty in schema.types.values_mut() {
        match ty {
            ExtendedType::Object(object) => {
                let object = object.make_mut();
                object
                    .fields
                    .retain(|_, field| !is_gone(field.ty.inner_named_type()));
                object
                    .implements_interfaces
                    .retain(|interface| !is_gone(&interface.name));
            }
            ExtendedType::Interface(interface) => {
                let interface = interface.make_mut();
                interface
                    .fields
                    .retain(|_, field| !is_gone(field.ty.inner_named_type()));
                interface
                    .implements_interfaces
                    .retain(|parent| !is_gone(&parent.name));
            }
            ExtendedType::Union(union) => {
                union
                    .make_mut()
                    .members
                    .retain(|member| !is_gone(&member.name));
            }
            _ => {}
        }
    }
}
