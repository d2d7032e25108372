//! `@external` rules. In one subgraph: not on interface fields, not
//! together with `@requires`/`@provides`, no merged directive (`@tag`,
//! `@inaccessible`, a composed one) on an external field, and (Federation 2) used by some
//! field set or interface. Across subgraphs: some subgraph resolves the
//! field for real, and the external declaration matches that definition
//! (type, arguments, argument defaults).

use std::collections::HashSet;

use super::field_sets::{walk, Directive};
use super::{error_at, fields_of};
use crate::compose::model::{SubField, SubType, Subgraph, TypeKind};
use crate::compose::CompositionError;

/// A directive the supergraph merges from the field's definitions, if the
/// (external) field carries one.
fn merged_directive(field: &SubField) -> Option<String> {
    let common = &field.common;
    if common.inaccessible {
        return Some("@inaccessible".to_string());
    }
    if let Some(tag) = common.tags.first() {
        return Some(format!("@tag(name: \"{tag}\")"));
    }
    let (access, cost) = (&common.access, &common.cost);
    let merged = [
        ("@authenticated", access.authenticated),
        ("@requiresScopes", access.scopes.is_some()),
        ("@policy", access.policies.is_some()),
        ("@cost", cost.weight.is_some()),
        ("@listSize", cost.list_size.is_some()),
    ];
    if let Some((directive, _)) = merged.into_iter().find(|(_, applied)| *applied) {
        return Some(directive.to_string());
    }
    common
        .applied
        .first()
        .map(|applied| format!("@{}", applied.directive.name))
}

pub(super) fn check_subgraph(subgraph: &Subgraph) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    let used = used_fields(subgraph);
    for (ty, field) in fields_of(subgraph).filter(|(_, field)| field.external) {
        let at = |code, message: String| error_at(code, message, subgraph, field.common.location);
        let path = format!("{}.{}", ty.name, field.name);
        let name = &subgraph.name;
        let needed = used.contains(&(ty.name.to_string(), field.name.to_string()))
            || implements_field(subgraph, ty, field);
        let unused = !subgraph.federation.is_fed1() && !needed;
        // An unused external field is reported as such, and only that.
        if let Some(merged) = merged_directive(field).filter(|_| !unused) {
            errors.push(at(
                "MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL",
                format!("Field \"{path}\" in subgraph \"{name}\" is @external but carries {merged}; the subgraph resolving the field decides that, so an external declaration cannot"),
            ));
        }
        if ty.kind == TypeKind::Interface {
            errors.push(at(
                "EXTERNAL_ON_INTERFACE",
                format!("Interface field \"{path}\" in subgraph \"{name}\" is marked @external; interface fields cannot be"),
            ));
            continue;
        }
        if let Some(other) = [
            field.provides.as_ref().map(|_| "@provides"),
            field.requires.as_ref().map(|_| "@requires"),
        ]
        .into_iter()
        .flatten()
        .next()
        {
            errors.push(at(
                "EXTERNAL_COLLISION_WITH_ANOTHER_DIRECTIVE",
                format!("Field \"{path}\" in subgraph \"{name}\" is both @external and {other}; an external field is resolved elsewhere, so it cannot carry {other}"),
            ));
        }
        if unused {
            errors.push(at(
                "EXTERNAL_UNUSED",
                format!("Field \"{path}\" is marked @external in subgraph \"{name}\" but no @key, @requires or @provides there selects it, and no interface needs it; remove it or use it"),
            ));
        }
    }
    errors
}

/// Every (type, field) selected by a key, requires or provides.
fn used_fields(subgraph: &Subgraph) -> HashSet<(String, String)> {
    let mut used = HashSet::new();
    for ty in subgraph.types.values() {
        for key in &ty.keys {
            used.extend(walk(subgraph, &ty.name, &key.fields, Directive::Key).selected);
        }
        for field in ty.fields.values() {
            if let Some(fields) = &field.requires {
                used.extend(walk(subgraph, &ty.name, fields, Directive::Requires).selected);
            }
            if let Some(fields) = &field.provides {
                let target = field.ty.inner_named_type();
                used.extend(walk(subgraph, target, fields, Directive::Provides).selected);
            }
        }
    }
    used
}

/// The field exists on an interface the type implements here.
fn implements_field(subgraph: &Subgraph, ty: &SubType, field: &SubField) -> bool {
    ty.implements.iter().any(|interface| {
        subgraph
            .types
            .get(interface)
            .is_some_and(|i| i.fields.contains_key(&field.name))
    })
}

/// Each external field against the definitions resolving it elsewhere.
pub(super) fn check_bases(subgraphs: &[Subgraph]) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for subgraph in subgraphs {
        for (ty, field) in fields_of(subgraph) {
            if !field.external || ty.kind == TypeKind::Interface {
                continue;
            }
            let bases = bases_of(subgraphs, ty, &field.name);
            check_against_bases(subgraph, ty, field, &bases, &mut errors);
        }
    }
    errors
}

/// The non-external definitions of `ty.field` in any subgraph, including
/// those on `@interfaceObject` types standing for an interface of `ty`.
fn bases_of<'s>(subgraphs: &'s [Subgraph], ty: &SubType, field: &str) -> Vec<&'s SubField> {
    let interfaces: HashSet<&str> = subgraphs
        .iter()
        .filter_map(|s| s.types.get(&ty.name))
        .flat_map(|t| t.implements.iter().map(|i| i.as_str()))
        .collect();
    subgraphs
        .iter()
        .flat_map(|s| s.types.values())
        .filter(|t| {
            t.name == ty.name || (t.interface_object && interfaces.contains(t.name.as_str()))
        })
        .filter_map(|t| t.fields.get(field))
        .filter(|f| !f.external)
        .collect()
}

fn check_against_bases(
    subgraph: &Subgraph,
    ty: &SubType,
    field: &SubField,
    bases: &[&SubField],
    errors: &mut Vec<CompositionError>,
) {
    let at = |code, message: String| error_at(code, message, subgraph, field.common.location);
    let path = format!("{}.{}", ty.name, field.name);
    let name = &subgraph.name;
    if bases.is_empty() {
        errors.push(at(
            "EXTERNAL_MISSING_ON_BASE",
            format!("Field \"{path}\" is marked @external in subgraph \"{name}\", but no subgraph resolves it without @external"),
        ));
        return;
    }
    if !bases.iter().any(|base| base.ty == field.ty) {
        let expected = bases
            .first()
            .map(|base| base.ty.to_string())
            .unwrap_or_default();
        errors.push(at(
            "EXTERNAL_TYPE_MISMATCH",
            format!("Field \"{path}\" is declared @external with type {} in subgraph \"{name}\", but the subgraphs resolving it give it type {expected}", field.ty),
        ));
    }
    let Some(first) = bases.first() else { return };
    for arg in &first.args {
        let in_all = bases
            .iter()
            .all(|base| base.args.iter().any(|a| a.name == arg.name));
        let own = field.args.iter().find(|a| a.name == arg.name);
        let Some(own) = own else {
            if in_all {
                errors.push(at(
                    "EXTERNAL_ARGUMENT_MISSING",
                    format!("Field \"{path}\" is declared @external in subgraph \"{name}\" without argument \"{}\", which the subgraphs resolving it define", arg.name),
                ));
            }
            continue;
        };
        if own.ty != arg.ty {
            errors.push(at(
                "EXTERNAL_ARGUMENT_TYPE_MISMATCH",
                format!("Argument \"{}\" of external field \"{path}\" has type {} in subgraph \"{name}\", but {} where the field is resolved", arg.name, own.ty, arg.ty),
            ));
        } else if own.default.as_ref().map(ToString::to_string)
            != arg.default.as_ref().map(ToString::to_string)
        {
            let shown = |d: &Option<_>| {
                d.as_ref().map_or_else(
                    || "no default".to_string(),
                    |v: &apollo_compiler::Node<apollo_compiler::ast::Value>| format!("default {v}"),
                )
            };
            errors.push(at(
                "EXTERNAL_ARGUMENT_DEFAULT_MISMATCH",
                format!("Argument \"{}\" of external field \"{path}\" has {} in subgraph \"{name}\", but {} where the field is resolved", arg.name, shown(&own.default), shown(&arg.default)),
            ));
        }
    }
}
