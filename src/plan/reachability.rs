//! Reachability on the planner's graph: walking the API schema from its
//! root types, the fields some query can reach that no subgraph can resolve
//! there, and the shared fields whose subgraphs disagree on the runtime
//! types of their abstract type. Every question is asked of the [`Graph`]
//! the planner builds plans from, on the supergraph as the gateway loads it;
//! composition runs this on each supergraph it composes
//! (`SATISFIABILITY_ERROR`, `SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES`).
//!
//! A state is a type with the subgraphs that may have produced the object
//! along the path. From them a field is reachable when one of them resolves
//! it, or a subgraph entered through a resolvable `@key` whose fields the
//! subgraphs reached so far can supply (keys of an `@interfaceObject` of an
//! implemented interface included); a root type is entered in any
//! subgraph. A field with `@requires` counts only where its required fields
//! are reachable from the requiring subgraph itself, as Apollo's composition
//! asks; a field marked `@external` counts where a `@provides` of its
//! subgraph names it, and a key field always comes with its entity.

use std::collections::HashSet;

use apollo_compiler::executable::FieldSet;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::Name;

use super::graph::Graph;
use crate::supergraph::{SubgraphId, Supergraph};

/// A field some query reaches that no subgraph can resolve there.
#[derive(Debug, Clone)]
pub struct Unreachable {
    pub type_name: Name,
    pub field: Name,
    /// The query path to the type, as `Query.a.b`.
    pub path: String,
    /// A subgraph that may have produced the object there.
    pub from: SubgraphId,
    /// A subgraph that has the field but cannot meet its `@requires`.
    pub requires_unmet_in: Option<SubgraphId>,
}

/// A field several subgraphs resolve whose abstract type has no runtime
/// type in common across them.
#[derive(Debug, Clone)]
pub struct MismatchedRuntimeTypes {
    pub type_name: Name,
    pub field: Name,
    pub returns: Name,
    pub path: String,
    /// Each resolving subgraph with the object types it may return.
    pub per_subgraph: Vec<(SubgraphId, Vec<Name>)>,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Reachability {
    pub unreachable: Vec<Unreachable>,
    pub mismatched: Vec<MismatchedRuntimeTypes>,
}

/// Walks `supergraph`'s API schema from its roots on the planner's graph.
pub fn reachability(supergraph: &Supergraph) -> Reachability {
    let mut walk = Walk {
        graph: Graph { supergraph },
        provided: provided_names(supergraph),
        visited: HashSet::new(),
        reported: HashSet::new(),
        found: Reachability::default(),
    };
    let everywhere: Vec<SubgraphId> = (0..supergraph.subgraphs.len()).collect();
    let roots: Vec<Name> = supergraph
        .api_schema
        .schema_definition
        .iter_root_operations()
        .map(|(_, root)| root.name.clone())
        .collect();
    for root in roots {
        walk.visit(&root, &everywhere, root.as_str());
    }
    walk.found
}

/// Per subgraph, every field name its `@provides` selections name (at any
/// depth): computed once, where a per-question scan would be quadratic.
fn provided_names(supergraph: &Supergraph) -> Vec<HashSet<Name>> {
    let mut provided = vec![HashSet::new(); supergraph.subgraphs.len()];
    for meta in supergraph.type_metas() {
        for field in meta.fields.values() {
            for source in &field.sources {
                if let (Some(set), Some(names)) =
                    (&source.provides, provided.get_mut(source.subgraph))
                {
                    collect_names(&set.selection_set, names);
                }
            }
        }
    }
    provided
}

fn collect_names(set: &apollo_compiler::executable::SelectionSet, names: &mut HashSet<Name>) {
    for selection in &set.selections {
        match selection {
            apollo_compiler::executable::Selection::Field(field) => {
                names.insert(field.name.clone());
                collect_names(&field.selection_set, names);
            }
            apollo_compiler::executable::Selection::InlineFragment(fragment) => {
                collect_names(&fragment.selection_set, names);
            }
            apollo_compiler::executable::Selection::FragmentSpread(_) => {}
        }
    }
}

/// The top-level field names of a field set, or `None` when it selects a
/// fragment at the top level.
fn top_level_names(set: &FieldSet) -> Option<Vec<&Name>> {
    set.selection_set
        .selections
        .iter()
        .map(|selection| selection.as_field().map(|field| &field.name))
        .collect()
}

struct Walk<'a> {
    graph: Graph<'a>,
    provided: Vec<HashSet<Name>>,
    /// (type, subgraphs the object may come from) already checked.
    visited: HashSet<(Name, Vec<SubgraphId>)>,
    /// (type, field) pairs already reported.
    reported: HashSet<(Name, Name)>,
    found: Reachability,
}

impl Walk<'_> {
    fn api_type(&self, name: &str) -> Option<&ExtendedType> {
        self.graph.supergraph.api_schema.types.get(name)
    }

    fn is_root(&self, name: &str) -> bool {
        self.graph
            .supergraph
            .api_schema
            .schema_definition
            .iter_root_operations()
            .any(|(_, root)| root.name == name)
    }

    /// Checks type `name` as reached along `path`, produced by one of `from`.
    fn visit(&mut self, name: &Name, from: &[SubgraphId], path: &str) {
        let mut key = from.to_vec();
        key.sort_unstable();
        if from.is_empty() || !self.visited.insert((name.clone(), key)) {
            return;
        }
        match self.api_type(name) {
            Some(ExtendedType::Object(_)) => self.check_fields(name, from, path),
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_)) => {
                if from
                    .iter()
                    .any(|s| self.graph.is_interface_object_in(name, *s))
                {
                    self.check_fields(name, from, path);
                    return;
                }
                for object in self.possible_types(name, from) {
                    let knowing: Vec<SubgraphId> = from
                        .iter()
                        .copied()
                        .filter(|s| self.graph.type_in_subgraph(&object, *s))
                        .collect();
                    self.visit(&object, &knowing, path);
                }
            }
            _ => {}
        }
    }

    /// Object types of the API schema the subgraphs in `from` may return
    /// for an abstract type.
    fn possible_types(&self, abstract_type: &Name, from: &[SubgraphId]) -> Vec<Name> {
        let mut objects: Vec<Name> = Vec::new();
        for at in from {
            for object in self.graph.possible_types_in(abstract_type, *at) {
                let in_api = matches!(self.api_type(&object), Some(ExtendedType::Object(_)));
                if in_api && !objects.contains(&object) {
                    objects.push(object);
                }
            }
        }
        objects
    }

    fn check_fields(&mut self, name: &Name, from: &[SubgraphId], path: &str) {
        let fields: Vec<(Name, Name)> = match self.api_type(name) {
            Some(ExtendedType::Object(object)) => object
                .fields
                .values()
                .map(|f| (f.name.clone(), f.ty.inner_named_type().clone()))
                .collect(),
            Some(ExtendedType::Interface(interface)) => interface
                .fields
                .values()
                .map(|f| (f.name.clone(), f.ty.inner_named_type().clone()))
                .collect(),
            _ => return,
        };
        let mut reachable: Vec<SubgraphId> = Vec::new();
        for at in from {
            for reached in self.key_closure(name, *at) {
                if !reachable.contains(&reached) {
                    reachable.push(reached);
                }
            }
        }
        for (field, returns) in fields {
            let resolving: Vec<SubgraphId> = reachable
                .iter()
                .copied()
                .filter(|s| self.resolves(*s, name, &field))
                .collect();
            let resolvers: Vec<SubgraphId> = resolving
                .iter()
                .copied()
                .filter(|s| self.requires_met(*s, name, &field))
                .collect();
            if resolvers.is_empty() {
                if !self.contributed(name, &field) {
                    self.report(name, &field, from[0], path, resolving.first().copied());
                }
                continue;
            }
            let composite = matches!(
                self.api_type(&returns),
                Some(ExtendedType::Object(_) | ExtendedType::Interface(_) | ExtendedType::Union(_))
            );
            if composite {
                let child_path = format!("{path}.{field}");
                if resolvers.len() > 1 {
                    self.check_runtime_types(name, &field, &returns, &resolvers, &child_path);
                }
                self.visit(&returns, &resolvers, &child_path);
            }
        }
    }

    /// A field an `@interfaceObject` adds to the interface's
    /// implementations (a `@join__field` naming no subgraph): it is
    /// resolved through the interface, not reported here.
    fn contributed(&self, name: &str, field: &str) -> bool {
        self.graph
            .supergraph
            .type_meta(name)
            .and_then(|meta| meta.fields.get(field))
            .is_some_and(|f| f.has_join_field && f.sources.is_empty())
    }

    /// A field several subgraphs resolve with an abstract type must have
    /// some runtime type in common across them.
    fn check_runtime_types(
        &mut self,
        ty: &Name,
        field: &Name,
        returns: &Name,
        resolvers: &[SubgraphId],
        path: &str,
    ) {
        let abstract_type = matches!(
            self.api_type(returns),
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_))
        );
        let as_object = resolvers
            .iter()
            .any(|s| self.graph.is_interface_object_in(returns, *s));
        if !abstract_type || as_object {
            return;
        }
        let per_subgraph: Vec<(SubgraphId, Vec<Name>)> = resolvers
            .iter()
            .map(|s| (*s, self.graph.possible_types_in(returns, *s)))
            .collect();
        let common = per_subgraph[0]
            .1
            .iter()
            .any(|object| per_subgraph.iter().all(|(_, types)| types.contains(object)));
        if common || !self.reported.insert((ty.clone(), field.clone())) {
            return;
        }
        self.found.mismatched.push(MismatchedRuntimeTypes {
            type_name: ty.clone(),
            field: field.clone(),
            returns: returns.clone(),
            path: path.to_string(),
            per_subgraph,
        });
    }

    fn report(
        &mut self,
        ty: &Name,
        field: &Name,
        from: SubgraphId,
        path: &str,
        requires_unmet_in: Option<SubgraphId>,
    ) {
        if !self.reported.insert((ty.clone(), field.clone())) {
            return;
        }
        self.found.unreachable.push(Unreachable {
            type_name: ty.clone(),
            field: field.clone(),
            path: path.to_string(),
            from,
            requires_unmet_in,
        });
    }

    /// Subgraphs reachable from `at` for objects of `ty` through key jumps
    /// (`at` included); a root type is entered afresh in any subgraph. Key
    /// fields may come from any subgraph reached so far.
    fn key_closure(&self, ty: &str, at: SubgraphId) -> Vec<SubgraphId> {
        let count = self.graph.supergraph.subgraphs.len();
        if self.is_root(ty) {
            return (0..count).collect();
        }
        let mut reached = vec![at];
        loop {
            let before = reached.len();
            for target in 0..count {
                if !reached.contains(&target) && self.can_jump(ty, &reached, target) {
                    reached.push(target);
                }
            }
            if reached.len() == before {
                return reached;
            }
        }
    }

    /// Can the subgraphs reached so far supply a resolvable key of `ty` (or
    /// of an interface it implements that `to` has as `@interfaceObject`)?
    fn can_jump(&self, ty: &str, reached: &[SubgraphId], to: SubgraphId) -> bool {
        self.entry_types(ty, to).iter().any(|entry| {
            self.graph.supergraph.type_meta(entry).is_some_and(|meta| {
                meta.resolvable_keys(to)
                    .any(|key| self.supplies(ty, reached, key))
            })
        })
    }

    /// The types through which objects of `ty` can be entered in `to`.
    fn entry_types(&self, ty: &str, to: SubgraphId) -> Vec<Name> {
        let mut entries = Vec::new();
        if let Some(ExtendedType::Object(object)) = self.graph.supergraph.schema.types.get(ty) {
            if self.graph.type_in_subgraph(ty, to) {
                entries.push(object.name.clone());
            }
            for interface in &object.implements_interfaces {
                if self.graph.is_interface_object_in(interface, to) {
                    entries.push(interface.name.clone());
                }
            }
        } else if self.graph.type_in_subgraph(ty, to) {
            if let Ok(name) = Name::new(ty) {
                entries.push(name);
            }
        }
        entries
    }

    /// Do the subgraphs in `reached` resolve every top-level field of
    /// `fields` on `ty`?
    fn supplies(&self, ty: &str, reached: &[SubgraphId], fields: &FieldSet) -> bool {
        top_level_names(fields).is_some_and(|names| {
            names
                .iter()
                .all(|name| reached.iter().any(|s| self.resolves(*s, ty, name)))
        })
    }

    /// Does subgraph `at` resolve `ty.field`: itself, as a provided
    /// external or a key field, or through an `@interfaceObject` of an
    /// interface of `ty`?
    fn resolves(&self, at: SubgraphId, ty: &str, field: &str) -> bool {
        if self.graph.resolves(ty, field, at) {
            return true;
        }
        if let Some(source) = self.graph.source_in(ty, field, at) {
            return source.external
                && !source.used_overridden
                && (self.provided[at].contains(field) || self.graph.is_key_field(ty, field, at));
        }
        self.entry_types(ty, at)
            .iter()
            .any(|entry| entry != ty && self.graph.resolves(entry, field, at))
    }

    /// Can subgraph `at` obtain the fields `ty.field` `@requires` there? Each
    /// top-level required field must resolve in `at` or in a subgraph
    /// reached from `at` alone through keys of `ty`: the planner fetches
    /// them before entering `at`, but composition asks, as Apollo's does,
    /// that they be reachable from the requiring subgraph itself (a key
    /// field overridden away from `at` leaves it no way out).
    fn requires_met(&self, at: SubgraphId, ty: &str, field: &str) -> bool {
        let Some(requires) = self
            .graph
            .source_in(ty, field, at)
            .and_then(|source| source.requires.as_ref())
        else {
            return true;
        };
        let Some(names) = top_level_names(requires) else {
            return true;
        };
        let reached = self.key_closure(ty, at);
        names
            .iter()
            .all(|name| reached.iter().any(|s| self.resolves(*s, ty, name)))
    }
}
