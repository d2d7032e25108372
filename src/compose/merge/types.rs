//! Type-level merge rules shared by every kind: descriptions (the most
//! common one wins, ties to the first graph), `@inaccessible` (any),
//! `@tag` (all distinct), `@deprecated` (the first), composed custom
//! directives (every distinct application of a repeatable one, the first
//! of any other), implemented interfaces and union members (union over
//! graphs, first-appearance order), and reconciling one field's types
//! across graphs.

use apollo_compiler::ast::Type;
use apollo_compiler::Name;
use indexmap::IndexMap;

use super::Definitions;
use crate::compose::model::{Access, AccessUse, Common, Cost, SuperType};

/// Merges the common directives of one element's definitions.
pub(super) fn merge_common<'c>(commons: impl Iterator<Item = &'c Common> + Clone) -> Common {
    let mut counts: IndexMap<&str, usize> = IndexMap::new();
    for common in commons.clone() {
        if let Some(description) = &common.description {
            *counts.entry(description.as_str()).or_default() += 1;
        }
    }
    let description = counts
        .iter()
        .rev()
        .max_by_key(|(_, count)| **count)
        .map(|(text, _)| text.to_string());
    let mut tags: Vec<String> = Vec::new();
    for tag in commons.clone().flat_map(|c| &c.tags) {
        if !tags.contains(tag) {
            tags.push(tag.clone());
        }
    }
    let mut merged = Common {
        description,
        inaccessible: commons.clone().any(|c| c.inaccessible),
        tags,
        deprecated: commons.clone().find_map(|c| c.deprecated.clone()),
        applied: Vec::new(),
        access: Access::default(),
        cost: Cost::default(),
        location: commons
            .clone()
            .next()
            .map(|c| c.location)
            .unwrap_or_default(),
    };
    for common in commons {
        for directive in &common.applied {
            merged.add_applied(directive);
        }
        merged.access.merge(&common.access);
        merged.cost.merge(&common.cost);
    }
    merged
}

/// Which access-control and demand-control directives the types use.
pub(super) fn access_use(types: &[SuperType]) -> AccessUse {
    AccessUse {
        authenticated: any_common(types, |c| c.access.authenticated),
        scopes: any_common(types, |c| c.access.scopes.is_some()),
        policies: any_common(types, |c| c.access.policies.is_some()),
        cost: any_common(types, |c| c.cost.weight.is_some()),
        list_size: any_common(types, |c| c.cost.list_size.is_some()),
    }
}

/// True if any element of the supergraph has the property.
pub(super) fn any_common(types: &[SuperType], has: impl Fn(&Common) -> bool) -> bool {
    types.iter().any(|t| {
        has(&t.common)
            || t.values.iter().any(|v| has(&v.common))
            || t.fields
                .iter()
                .any(|f| has(&f.common) || f.args.iter().any(|a| has(&a.common)))
    })
}

/// `implements` (union) and `@join__implements` (graph order, then declaration order).
pub(super) fn merge_implements(defs: &Definitions<'_>, merged: &mut SuperType) {
    for (graph, ty) in &defs.by_graph {
        for interface in &ty.implements {
            if !merged.implements.contains(interface) {
                merged.implements.push(interface.clone());
            }
            merged.join_implements.push((*graph, interface.clone()));
        }
    }
}

/// Union members (union over graphs) and `@join__unionMember`, grouped by member.
pub(super) fn merge_members(defs: &Definitions<'_>, merged: &mut SuperType) {
    for (_, ty) in &defs.by_graph {
        for member in &ty.members {
            if !merged.members.contains(member) {
                merged.members.push(member.clone());
            }
        }
    }
    for member in &merged.members {
        for (graph, ty) in &defs.by_graph {
            if ty.members.contains(member) {
                merged.join_members.push((*graph, member.clone()));
            }
        }
    }
}

/// Is `sub` the same as `sup` or a subtype of it (an object implementing
/// an interface, a member of a union), by name?
pub(super) type IsSubtype<'a> = dyn Fn(&Name, &Name) -> bool + 'a;

/// The most general of two compatible output types (nullable wins, a
/// supertype wins), or `None` when they are incompatible.
pub(super) fn more_general(a: &Type, b: &Type, is_subtype: &IsSubtype<'_>) -> Option<Type> {
    let nullable = |t: Type| t.nullable();
    match (a, b) {
        (Type::NonNullNamed(x) | Type::Named(x), Type::NonNullNamed(y) | Type::Named(y)) => {
            let name = if x == y || is_subtype(y, x) {
                x
            } else if is_subtype(x, y) {
                y
            } else {
                return None;
            };
            let both_non_null = a.is_non_null() && b.is_non_null();
            Some(if both_non_null {
                Type::NonNullNamed(name.clone())
            } else {
                Type::Named(name.clone())
            })
        }
        (Type::List(x) | Type::NonNullList(x), Type::List(y) | Type::NonNullList(y)) => {
            let inner = more_general(x, y, is_subtype)?;
            let list = Type::List(Box::new(inner));
            Some(if a.is_non_null() && b.is_non_null() {
                list.non_null()
            } else {
                nullable(list)
            })
        }
        _ => None,
    }
}

/// The most restrictive of two compatible input types (non-null wins), or
/// `None` when their named types or list shapes differ.
pub(super) fn more_restrictive(a: &Type, b: &Type) -> Option<Type> {
    match (a, b) {
        (Type::NonNullNamed(x) | Type::Named(x), Type::NonNullNamed(y) | Type::Named(y))
            if x == y =>
        {
            Some(if a.is_non_null() || b.is_non_null() {
                Type::NonNullNamed(x.clone())
            } else {
                Type::Named(x.clone())
            })
        }
        (Type::List(x) | Type::NonNullList(x), Type::List(y) | Type::NonNullList(y)) => {
            let list = Type::List(Box::new(more_restrictive(x, y)?));
            Some(if a.is_non_null() || b.is_non_null() {
                list.non_null()
            } else {
                list
            })
        }
        _ => None,
    }
}
