//! Interface rules. Entity interfaces (`@key` on an interface): every
//! implementation in the subgraph carries the interface's keys (the same
//! fields in any order; its first such key resolvable where the
//! interface's key is), and the
//! subgraph knows every implementation the supergraph has. An
//! `@interfaceObject` stands for an interface some subgraph defines.
//! After merging, every implementation has every field of its interfaces.

use std::collections::HashSet;

use super::{at_definitions, error_at};
use crate::compose::model::{Key, Subgraph, Supergraph, TypeKind};
use crate::compose::subgraph::{parse_field_set, Selection};
use crate::compose::CompositionError;

pub(super) fn check_entity_interfaces(subgraphs: &[Subgraph]) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for subgraph in subgraphs {
        for interface in subgraph.types.values() {
            if interface.kind != TypeKind::Interface || interface.keys.is_empty() {
                continue;
            }
            let name = &subgraph.name;
            for ty in subgraph.types.values() {
                if ty.kind != TypeKind::Object || !ty.implements.contains(&interface.name) {
                    continue;
                }
                for key in &interface.keys {
                    // The implementation's first key with the same fields counts.
                    let same = ty.keys.iter().find(|k| same_fields(k, key));
                    let message = if same.is_none() {
                        format!(
                            "Type \"{}\" implements entity interface \"{}\" in subgraph \"{name}\" but lacks its @key(fields: \"{}\"); each implementation must have the interface's keys",
                            ty.name, interface.name, key.fields
                        )
                    } else if key.resolvable != Some(false)
                        && same.is_some_and(|k| k.resolvable == Some(false))
                    {
                        format!(
                            "Type \"{}\" implements entity interface \"{}\" in subgraph \"{name}\" with @key(fields: \"{}\", resolvable: false), but the interface's key is resolvable, so it must be on every implementation",
                            ty.name, interface.name, key.fields
                        )
                    } else {
                        continue;
                    };
                    errors.push(error_at(
                        "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
                        message,
                        subgraph,
                        ty.common.location,
                    ));
                }
            }
            if interface.keys.iter().all(|k| k.resolvable == Some(false)) {
                continue;
            }
            let missing: Vec<&str> = implementations(subgraphs, &interface.name)
                .into_iter()
                .filter(|t| !subgraph.types.contains_key(*t))
                .collect();
            if !missing.is_empty() {
                errors.push(error_at(
                    "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                    format!(
                        "Entity interface \"{}\" has a resolvable @key in subgraph \"{name}\", which must then define every implementation of it, but lacks \"{}\"",
                        interface.name,
                        missing.join("\", \"")
                    ),
                    subgraph,
                    interface.common.location,
                ));
            }
        }
        for ty in subgraph.types.values().filter(|t| t.interface_object) {
            let defined = subgraphs.iter().any(|s| {
                s.types
                    .get(&ty.name)
                    .is_some_and(|t| t.kind == TypeKind::Interface)
            });
            if !defined {
                errors.push(error_at(
                    "INTERFACE_OBJECT_USAGE_ERROR",
                    format!(
                        "Type \"{}\" is an @interfaceObject in subgraph \"{}\", but no subgraph defines an interface \"{}\" for it to stand for",
                        ty.name, subgraph.name, ty.name
                    ),
                    subgraph,
                    ty.common.location,
                ));
            }
        }
    }
    errors
}

/// Object types implementing `interface` in any subgraph, first-seen order.
fn implementations<'s>(subgraphs: &'s [Subgraph], interface: &str) -> Vec<&'s str> {
    let mut seen = HashSet::new();
    subgraphs
        .iter()
        .flat_map(|s| s.types.values())
        .filter(|t| t.kind == TypeKind::Object && t.implements.iter().any(|i| i == interface))
        .map(|t| t.name.as_str())
        .filter(|name| seen.insert(*name))
        .collect()
}

/// Two keys select the same fields (however they are spelled and in
/// whatever order).
fn same_fields(a: &Key, b: &Key) -> bool {
    match (parse_field_set(&a.fields), parse_field_set(&b.fields)) {
        (Some(mut a), Some(mut b)) => {
            sort_selections(&mut a);
            sort_selections(&mut b);
            a == b
        }
        _ => a.fields.split_whitespace().eq(b.fields.split_whitespace()),
    }
}

/// Orders a selection set (recursively) so that equal sets compare equal.
fn sort_selections(selections: &mut [Selection]) {
    for selection in selections.iter_mut() {
        match selection {
            Selection::Field { selections, .. } | Selection::Fragment { selections, .. } => {
                sort_selections(selections);
            }
        }
    }
    selections.sort_by_key(|selection| format!("{selection:?}"));
}

/// Every merged implementation has every field of its merged interfaces.
pub(super) fn check_implementations(
    subgraphs: &[Subgraph],
    supergraph: &Supergraph,
) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for ty in &supergraph.types {
        for interface_name in &ty.implements {
            let Some(interface) = supergraph.types.iter().find(|t| &t.name == interface_name)
            else {
                continue;
            };
            for field in &interface.fields {
                if ty.fields.iter().any(|f| f.name == field.name) {
                    continue;
                }
                let error = CompositionError::new(
                    "INTERFACE_FIELD_NO_IMPLEM",
                    format!(
                        "Type \"{}\" implements interface \"{interface_name}\" but has no field \"{interface_name}.{}\" in any subgraph; some subgraph defining \"{}\" must add it",
                        ty.name, field.name, ty.name
                    ),
                );
                errors.push(at_definitions(error, subgraphs, &ty.name, None));
            }
        }
    }
    errors
}
