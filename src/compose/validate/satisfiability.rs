//! Satisfiability: every field of the API schema must be resolvable
//! wherever a query can reach its type. The walk starts at the root types
//! and follows each field into the subgraphs that resolve it; at each type
//! it reaches (with the set of subgraphs that could have produced the
//! object along that path), every API field of the type must be resolvable
//! by one of them or by a subgraph they can jump to through a `@key` whose
//! fields they can supply (keys of an `@interfaceObject` of an implemented
//! interface included). A root type can be entered in any subgraph.
//!
//! It is a conservative model of what the planner does: a field with
//! `@requires` counts only where its required fields are reachable from the
//! requiring subgraph through keys (other rules check they exist), and a field
//! a subgraph marks `@external` counts as resolvable there when one of its
//! `@provides` names it.

use std::collections::HashSet;

use apollo_compiler::Name;

use super::super::model::{SubType, Subgraph, SuperType, Supergraph, TypeKind};
use super::super::subgraph::{names_in_field_set, parse_field_set, Selection};
use super::CompositionError;

/// The rule's errors: one per field that some query path cannot resolve.
pub(super) fn check(subgraphs: &[Subgraph], supergraph: &Supergraph) -> Vec<CompositionError> {
    let mut walk = Walk {
        subgraphs,
        supergraph,
        visited: HashSet::new(),
        reported: HashSet::new(),
        errors: Vec::new(),
    };
    let everywhere: Vec<usize> = (0..subgraphs.len()).collect();
    for root in ["Query", "Mutation", "Subscription"] {
        walk.visit(root, &everywhere, root);
    }
    walk.errors
}

struct Walk<'a> {
    subgraphs: &'a [Subgraph],
    supergraph: &'a Supergraph,
    /// (type, subgraphs the object may come from) already checked.
    visited: HashSet<(String, Vec<usize>)>,
    /// (type, field) pairs already reported.
    reported: HashSet<(String, String)>,
    errors: Vec<CompositionError>,
}

impl Walk<'_> {
    fn super_type(&self, name: &str) -> Option<&SuperType> {
        self.supergraph.types.iter().find(|t| t.name == name)
    }

    /// Checks type `name` as reached along `path`, produced by one of `from`.
    fn visit(&mut self, name: &str, from: &[usize], path: &str) {
        if from.is_empty() || !self.visited.insert((name.to_string(), from.to_vec())) {
            return;
        }
        let Some(ty) = self.super_type(name).filter(|t| !t.common.inaccessible) else {
            return;
        };
        match ty.kind {
            TypeKind::Interface | TypeKind::Union => {
                let as_object = from.iter().any(|s| {
                    self.subgraphs[*s]
                        .types
                        .get(name)
                        .is_some_and(|t| t.interface_object)
                });
                if as_object {
                    self.check_fields(name, from, path);
                    return;
                }
                for object in self.possible_types(name, from) {
                    let knowing: Vec<usize> = from
                        .iter()
                        .copied()
                        .filter(|s| self.subgraphs[*s].types.contains_key(&object))
                        .collect();
                    self.visit(&object, &knowing, path);
                }
            }
            TypeKind::Object => self.check_fields(name, from, path),
            _ => {}
        }
    }

    /// Object types the subgraphs in `from` may return for an abstract type.
    fn possible_types(&self, abstract_type: &str, from: &[usize]) -> Vec<Name> {
        let mut objects: Vec<Name> = Vec::new();
        for at in from {
            let local = self.subgraphs[*at].types.get(abstract_type);
            let found: Vec<Name> = match local.map(|t| t.kind) {
                Some(TypeKind::Union) => local.map(|t| t.members.clone()).unwrap_or_default(),
                _ => self.local_possible_types(abstract_type, *at),
            };
            for object in found {
                if !objects.contains(&object) {
                    objects.push(object);
                }
            }
        }
        objects
    }

    /// Object types implementing `interface` that subgraph `at` defines.
    fn local_possible_types(&self, interface: &str, at: usize) -> Vec<Name> {
        self.subgraphs[at]
            .types
            .values()
            .filter(|t| t.kind == TypeKind::Object && t.implements.iter().any(|i| i == interface))
            .map(|t| t.name.clone())
            .collect()
    }

    fn check_fields(&mut self, name: &str, from: &[usize], path: &str) {
        let Some(ty) = self.super_type(name) else {
            return;
        };
        let fields: Vec<(Name, Name, bool)> = ty
            .fields
            .iter()
            .filter(|f| !f.common.inaccessible)
            .map(|f| {
                let contributed = f.join_fields.iter().any(|j| j.graph.is_none());
                (f.name.clone(), f.ty.inner_named_type().clone(), contributed)
            })
            .collect();
        let mut reachable: Vec<usize> = Vec::new();
        for at in from {
            for reached in self.key_closure(name, *at) {
                if !reachable.contains(&reached) {
                    reachable.push(reached);
                }
            }
        }
        for (field, returns, contributed) in fields {
            let resolving: Vec<usize> = reachable
                .iter()
                .copied()
                .filter(|s| self.resolves(*s, name, &field))
                .collect();
            let resolvers: Vec<usize> = resolving
                .iter()
                .copied()
                .filter(|s| self.requires_satisfied(*s, name, &field))
                .collect();
            if resolvers.is_empty() {
                if !contributed {
                    let blocked = resolving.first().map(|s| self.subgraphs[*s].name.clone());
                    self.report(name, &field, from[0], path, blocked.as_deref());
                }
                continue;
            }
            let composite = self.super_type(&returns).is_some_and(|t| {
                matches!(
                    t.kind,
                    TypeKind::Object | TypeKind::Interface | TypeKind::Union
                )
            });
            if composite {
                let child_path = format!("{path}.{field}");
                if resolvers.len() > 1 {
                    self.check_runtime_types(name, &field, &returns, &resolvers, &child_path);
                }
                self.visit(&returns, &resolvers, &child_path);
            }
        }
    }

    /// A field several subgraphs resolve with an abstract type must have
    /// some runtime type in common across them: otherwise the answer
    /// depends on which subgraph the planner asks.
    fn check_runtime_types(
        &mut self,
        ty: &str,
        field: &str,
        returns: &str,
        resolvers: &[usize],
        path: &str,
    ) {
        let abstract_type = self
            .super_type(returns)
            .is_some_and(|t| matches!(t.kind, TypeKind::Interface | TypeKind::Union));
        let as_object = resolvers.iter().any(|s| {
            self.subgraphs[*s]
                .types
                .get(returns)
                .is_some_and(|t| t.interface_object)
        });
        if !abstract_type || as_object {
            return;
        }
        let per_subgraph: Vec<(usize, Vec<Name>)> = resolvers
            .iter()
            .map(|s| (*s, self.possible_types(returns, &[*s])))
            .collect();
        let common = per_subgraph[0]
            .1
            .iter()
            .any(|object| per_subgraph.iter().all(|(_, types)| types.contains(object)));
        if common || !self.reported.insert((ty.to_string(), field.to_string())) {
            return;
        }
        let described: Vec<String> = per_subgraph
            .iter()
            .map(|(s, types)| {
                let names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
                format!(
                    "in subgraph \"{}\": \"{}\"",
                    self.subgraphs[*s].name,
                    names.join("\", \"")
                )
            })
            .collect();
        let mut error = CompositionError::new(
            "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
            format!(
                "Shared field \"{ty}.{field}\" (query path {path}) returns \"{returns}\" with no runtime type in common across the subgraphs resolving it ({}): a shared field must resolve the same way in every subgraph",
                described.join("; ")
            ),
        );
        for (s, _) in &per_subgraph {
            let subgraph = &self.subgraphs[*s];
            if let Some(definition) = subgraph.types.get(ty).and_then(|t| t.fields.get(field)) {
                error = error.at(&subgraph.name, definition.common.location);
            }
        }
        self.errors.push(error);
    }

    /// Reports `ty.field` unreachable along `path`; `blocked` names a
    /// subgraph that resolves it there but cannot satisfy its `@requires`.
    fn report(&mut self, ty: &str, field: &str, at: usize, path: &str, blocked: Option<&str>) {
        if !self.reported.insert((ty.to_string(), field.to_string())) {
            return;
        }
        let subgraph = &self.subgraphs[at];
        let mut message = format!(
            "Field \"{ty}.{field}\" cannot be resolved for some queries: when \"{ty}\" is reached through query path {path} (from subgraph \"{}\"), no subgraph that can produce it there, nor any subgraph reachable through a @key of \"{ty}\", resolves the field",
            subgraph.name
        );
        if let Some(blocked) = blocked {
            message.push_str(&format!(
                " (subgraph \"{blocked}\" has it, but cannot satisfy its @requires: the required fields are not reachable from \"{blocked}\" through keys it can supply)"
            ));
        }
        let location = subgraph
            .types
            .get(ty)
            .map(|t| t.common.location)
            .unwrap_or_default();
        self.errors.push(
            CompositionError::new("SATISFIABILITY_ERROR", message).at(&subgraph.name, location),
        );
    }

    /// Subgraphs reachable from `at` for objects of `ty` through key jumps
    /// (`at` included); a root type is entered afresh in any subgraph. Key
    /// fields may come from any subgraph reached so far.
    fn key_closure(&self, ty: &str, at: usize) -> Vec<usize> {
        if matches!(ty, "Query" | "Mutation" | "Subscription") {
            return (0..self.subgraphs.len()).collect();
        }
        let mut reached = vec![at];
        loop {
            let before = reached.len();
            for target in 0..self.subgraphs.len() {
                if !reached.contains(&target) && self.can_jump(ty, &reached, target) {
                    reached.push(target);
                }
            }
            if reached.len() == before {
                return reached;
            }
        }
    }

    /// Can the subgraphs reached so far supply a resolvable key of `ty`
    /// (or of an interface it implements that `to` has as `@interfaceObject`) in `to`?
    fn can_jump(&self, ty: &str, reached: &[usize], to: usize) -> bool {
        let entries = self.entry_types(ty, to);
        entries.iter().any(|entry| {
            entry
                .keys
                .iter()
                .filter(|k| k.resolvable != Some(false))
                .any(|k| self.supplies_key(ty, reached, &k.fields))
        })
    }

    /// The definitions in `to` through which objects of `ty` can be entered.
    fn entry_types(&self, ty: &str, to: usize) -> Vec<&SubType> {
        let types = &self.subgraphs[to].types;
        let mut entries: Vec<&SubType> = types.get(ty).into_iter().collect();
        if let Some(object) = self.super_type(ty) {
            for interface in &object.implements {
                entries.extend(types.get(interface).filter(|t| t.interface_object));
            }
        }
        entries
    }

    /// Do the reached subgraphs resolve every top-level field of the key on `ty`?
    fn supplies_key(&self, ty: &str, reached: &[usize], fields: &str) -> bool {
        let Some(selections) = parse_field_set(fields) else {
            return false;
        };
        selections.iter().all(|selection| match selection {
            Selection::Field { name, .. } => reached.iter().any(|s| self.resolves(*s, ty, name)),
            Selection::Fragment { .. } => false,
        })
    }

    /// A field named by one of the type's own keys in that subgraph comes
    /// with its entities (even where it is marked `@external`).
    fn is_key_field(&self, at: usize, ty: &str, field: &str) -> bool {
        self.subgraphs[at].types.get(ty).is_some_and(|t| {
            t.fields.contains_key(field)
                && t.keys.iter().any(|k| {
                    parse_field_set(&k.fields).is_some_and(|s| {
                        s.iter().any(
                            |sel| matches!(sel, Selection::Field { name, .. } if name == field),
                        )
                    })
                })
        })
    }

    /// Does subgraph `at` resolve `ty.field` (itself, through an
    /// `@interfaceObject` of an interface of `ty`, or as a provided external)?
    fn resolves(&self, at: usize, ty: &str, field: &str) -> bool {
        let subgraph = &self.subgraphs[at];
        let own = subgraph.types.get(ty).and_then(|t| t.fields.get(field));
        if let Some(definition) = own {
            if self.overridden_away(at, ty, field) {
                return false;
            }
            return !definition.external
                || self.provided(at, field)
                || self.is_key_field(at, ty, field);
        }
        self.entry_types(ty, at)
            .iter()
            .any(|t| t.interface_object && t.fields.get(field).is_some_and(|f| !f.external))
    }

    /// Can subgraph `at` obtain the fields `ty.field` `@requires` there? Each
    /// top-level required field must resolve in `at` or in a subgraph reached
    /// from `at` alone through keys of `ty` (the planner fetches the required
    /// fields before entering `at`, but composition asks, as Apollo does,
    /// that they be reachable from the requiring subgraph itself: a key
    /// field overridden away from `at` leaves it no way out).
    fn requires_satisfied(&self, at: usize, ty: &str, field: &str) -> bool {
        let requires = self.subgraphs[at]
            .types
            .get(ty)
            .and_then(|t| t.fields.get(field))
            .and_then(|f| f.requires.as_deref());
        let Some(requires) = requires else {
            return true;
        };
        let Some(selections) = parse_field_set(requires) else {
            return true;
        };
        let reached = self.key_closure(ty, at);
        selections.iter().all(|selection| match selection {
            Selection::Field { name, .. } => reached.iter().any(|s| self.resolves(*s, ty, name)),
            Selection::Fragment { .. } => true,
        })
    }

    /// Another subgraph takes the field over from this one (without a label).
    fn overridden_away(&self, at: usize, ty: &str, field: &str) -> bool {
        let name = &self.subgraphs[at].name;
        self.subgraphs.iter().any(|other| {
            other
                .types
                .get(ty)
                .and_then(|t| t.fields.get(field))
                .is_some_and(|f| {
                    f.override_from.as_ref() == Some(name) && f.override_label.is_none()
                })
        })
    }

    /// Does a `@provides` of this subgraph name `field` (on any path)?
    fn provided(&self, at: usize, field: &str) -> bool {
        self.subgraphs[at].types.values().any(|t| {
            t.fields.values().any(|f| {
                f.provides
                    .as_deref()
                    .is_some_and(|p| names_in_field_set(p).any(|w| w == field))
            })
        })
    }
}
