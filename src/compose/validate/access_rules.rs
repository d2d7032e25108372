//! Rules for the access-control directives (`@authenticated`,
//! `@requiresScopes`, `@policy`).
//!
//! They may not sit on an interface, an interface field or an
//! `@interfaceObject` type: an interface is never resolved itself, so its
//! requirements belong on its implementations
//! (AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE).
//!
//! A field whose `@requires` reads fields with access requirements must
//! itself demand at least as much (MISSING_TRANSITIVE_AUTH_REQUIREMENTS):
//! otherwise a caller allowed to see it would make the router fetch data
//! the caller may not see. What a field demands is its own requirements
//! and its type's, merged over every subgraph; what a required field
//! demands also includes the requirements of the type it returns.
//! "At least as much" is implication, one directive at a time:
//! `@authenticated` needs `@authenticated`; a scope (or policy)
//! requirement, a disjunction of conjunctions, is implied when every
//! alternative of the requiring field contains some alternative of the
//! required one.

use super::{error_at, fields_of};
use crate::compose::access::{Access, Requirement};
use crate::compose::model::{Common, SubType, Subgraph, SuperType, Supergraph, TypeKind};
use crate::compose::subgraph::{parse_field_set, Selection};
use crate::compose::CompositionError;

const CODE_ON_INTERFACE: &str = "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE";

/// No access directive on interfaces, their fields, or interface objects.
pub(super) fn check_interfaces(subgraph: &Subgraph) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for ty in subgraph.types.values() {
        let what = match (ty.kind, ty.interface_object) {
            (TypeKind::Interface, _) => "interface",
            (TypeKind::Object, true) => "interface object",
            _ => continue,
        };
        errors.extend(on_interface(
            subgraph,
            &ty.common,
            &format!("{what} \"{}\"", ty.name),
        ));
    }
    for (ty, field) in fields_of(subgraph) {
        if ty.kind == TypeKind::Interface {
            let element = format!("field \"{}.{}\"", ty.name, field.name);
            errors.extend(on_interface(subgraph, &field.common, &element));
        }
    }
    errors
}

/// One error per access directive `common` carries.
fn on_interface(subgraph: &Subgraph, common: &Common, element: &str) -> Vec<CompositionError> {
    let access = &common.access;
    [
        ("@authenticated", access.authenticated),
        ("@requiresScopes", access.scopes.is_some()),
        ("@policy", access.policies.is_some()),
    ]
    .into_iter()
    .filter(|(_, applied)| *applied)
    .map(|(directive, _)| {
        error_at(
            CODE_ON_INTERFACE,
            format!("{directive} on {element}: access requirements cannot be put on interfaces, their fields or interface objects; put them on the implementing types and their fields"),
            subgraph,
            common.location,
        )
    })
    .collect()
}

/// Every `@requires` demands at least the requirements of what it reads.
pub(super) fn check_transitive(
    subgraphs: &[Subgraph],
    supergraph: &Supergraph,
) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for subgraph in subgraphs {
        for (ty, field) in fields_of(subgraph) {
            let Some(requires) = &field.requires else {
                continue;
            };
            let Some(selections) = parse_field_set(requires) else {
                continue;
            };
            let demanded = demanded_by(supergraph, ty, &field.name);
            if let Some(read) = first_stronger(supergraph, &ty.name, &selections, &demanded) {
                let coordinate = format!("{}.{}", ty.name, field.name);
                errors.push(error_at(
                    "MISSING_TRANSITIVE_AUTH_REQUIREMENTS",
                    format!("Field \"{coordinate}\" @requires \"{read}\", whose access requirements (@authenticated, @requiresScopes, @policy) it does not demand itself; give \"{coordinate}\" at least the requirements of \"{read}\""),
                    subgraph,
                    field.common.location,
                ));
            }
        }
    }
    errors
}

/// What a caller needs to read `ty.field`: the field's requirements and
/// its type's, merged over every subgraph.
fn demanded_by(supergraph: &Supergraph, ty: &SubType, field: &str) -> Access {
    let mut access = Access::default();
    if let Some(merged) = super_type(supergraph, &ty.name) {
        access.merge(&merged.common.access);
        if let Some(f) = merged.fields.iter().find(|f| f.name == field) {
            access.merge(&f.common.access);
        }
    }
    access
}

/// The first field `selections` reads (on type `parent`) that needs
/// more than `demanded`, as `Type.field`.
fn first_stronger(
    supergraph: &Supergraph,
    parent: &str,
    selections: &[Selection],
    demanded: &Access,
) -> Option<String> {
    for selection in selections {
        let found = match selection {
            Selection::Fragment { on, selections } => {
                let on = on.as_deref().unwrap_or(parent);
                first_stronger(supergraph, on, selections, demanded)
            }
            Selection::Field {
                name, selections, ..
            } => {
                let Some(field) = super_type(supergraph, parent)
                    .and_then(|t| t.fields.iter().find(|f| f.name == name.as_str()))
                else {
                    continue;
                };
                let returned = field.ty.inner_named_type().as_str();
                let mut needed = field.common.access.clone();
                if let Some(returned) = super_type(supergraph, returned) {
                    needed.merge(&returned.common.access);
                }
                if implies(demanded, &needed) {
                    first_stronger(supergraph, returned, selections, demanded)
                } else {
                    Some(format!("{parent}.{name}"))
                }
            }
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn super_type<'s>(supergraph: &'s Supergraph, name: &str) -> Option<&'s SuperType> {
    supergraph.types.iter().find(|t| t.name == name)
}

/// Whoever meets `have` also meets `need`.
fn implies(have: &Access, need: &Access) -> bool {
    (!need.authenticated || have.authenticated)
        && requirement_implies(have.scopes.as_ref(), need.scopes.as_ref())
        && requirement_implies(have.policies.as_ref(), need.policies.as_ref())
}

/// Every alternative of `have` contains some alternative of `need`.
fn requirement_implies(have: Option<&Requirement>, need: Option<&Requirement>) -> bool {
    let Some(need) = need else {
        return true;
    };
    let Some(have) = have else {
        return false;
    };
    have.iter().all(|all| {
        need.iter()
            .any(|needed| needed.iter().all(|item| all.contains(item)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::access::tests::req;

    #[test]
    fn a_requirement_implies_another_when_each_alternative_covers_one_of_it() {
        let s1 = req(&[&["s1"]]);
        assert!(requirement_implies(Some(&req(&[&["s1", "s2"]])), Some(&s1)));
        assert!(requirement_implies(
            Some(&s1),
            Some(&req(&[&["s1"], &["s2"]]))
        ));
        assert!(!requirement_implies(
            Some(&req(&[&["s1"], &["s2"]])),
            Some(&s1)
        ));
        assert!(!requirement_implies(Some(&req(&[&["s2"]])), Some(&s1)));
        assert!(!requirement_implies(None, Some(&s1)));
        assert!(requirement_implies(None, None));
    }

    #[test]
    fn authenticated_and_scopes_do_not_stand_for_each_other() {
        let authenticated = Access {
            authenticated: true,
            ..Access::default()
        };
        let scoped = Access {
            scopes: Some(req(&[&["s"]])),
            ..Access::default()
        };
        assert!(!implies(&authenticated, &scoped));
        assert!(!implies(&scoped, &authenticated));
        assert!(implies(&authenticated, &Access::default()));
    }
}
