//! Questions the planner asks of the supergraph: can this subgraph resolve
//! this field here, which subgraphs can take a jump to this entity, which
//! object types can a subgraph return for an abstract type.

use apollo_compiler::schema::ExtendedType;
use apollo_compiler::Name;

use crate::operation::{normalize_field_set, Selection, SelectionSet};
use crate::supergraph::{FieldSource, SubgraphId, Supergraph};

/// A subgraph that can take over a field through an entity fetch.
pub(super) struct JumpTarget {
    pub subgraph: SubgraphId,
    /// The type the target subgraph is entered at: the parent type, or an
    /// interface the parent implements that the target has as `@interfaceObject`.
    pub entity_type: Name,
    pub key: SelectionSet,
    pub requires: SelectionSet,
}

/// Read-only view of the supergraph for planning.
pub(super) struct Graph<'a> {
    pub supergraph: &'a Supergraph,
}

impl<'a> Graph<'a> {
    pub fn is_abstract(&self, type_name: &str) -> bool {
        matches!(
            self.supergraph.schema.types.get(type_name),
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_))
        )
    }

    pub fn is_union(&self, type_name: &str) -> bool {
        matches!(
            self.supergraph.schema.types.get(type_name),
            Some(ExtendedType::Union(_))
        )
    }

    /// Subgraphs that could resolve `parent_type.field` reached through a
    /// path `candidates` could resolve, the current one included. Below an
    /// entity or a root type the path starts afresh: every subgraph that
    /// resolves the field and can be entered at the parent counts; below a
    /// value type only those that could also resolve the path to it.
    pub fn path_candidates(
        &self,
        parent_type: &Name,
        field: &str,
        current: SubgraphId,
        candidates: &[SubgraphId],
    ) -> Vec<SubgraphId> {
        let is_root = self
            .supergraph
            .schema
            .schema_definition
            .iter_root_operations()
            .any(|(_, root)| root.name == *parent_type);
        let meta = self.supergraph.type_meta(parent_type);
        let mut out = vec![current];
        for subgraph in self.resolving_subgraphs(parent_type, field) {
            let enterable =
                is_root || meta.is_some_and(|m| m.resolvable_keys(subgraph).next().is_some());
            let reachable = enterable || candidates.contains(&subgraph);
            if reachable && !out.contains(&subgraph) {
                out.push(subgraph);
            }
        }
        out
    }

    /// Is the type abstract as the subgraph sees it (an `@interfaceObject` is an object there)?
    pub fn is_abstract_in(&self, type_name: &str, subgraph: SubgraphId) -> bool {
        self.is_abstract(type_name) && !self.is_interface_object_in(type_name, subgraph)
    }

    /// Does the subgraph define this interface as an `@interfaceObject`?
    pub fn is_interface_object_in(&self, type_name: &str, subgraph: SubgraphId) -> bool {
        self.supergraph
            .type_meta(type_name)
            .is_some_and(|t| t.is_interface_object_in(subgraph))
    }

    pub fn type_in_subgraph(&self, type_name: &str, subgraph: SubgraphId) -> bool {
        self.supergraph
            .type_meta(type_name)
            .is_some_and(|t| t.in_subgraph(subgraph))
    }

    fn sources(&self, type_name: &str, field: &str) -> Option<&'a [FieldSource]> {
        let meta = self.supergraph.type_meta(type_name)?;
        meta.fields.get(field).map(|f| f.sources.as_slice())
    }

    /// The `@join__field` of a field in one subgraph, if it has one.
    pub fn source_in(
        &self,
        type_name: &str,
        field: &str,
        subgraph: SubgraphId,
    ) -> Option<&'a FieldSource> {
        self.sources(type_name, field)?
            .iter()
            .find(|s| s.subgraph == subgraph)
    }

    /// Can `subgraph` resolve `type_name.field` by itself (ignoring `@provides`)?
    pub fn resolves(&self, type_name: &str, field: &str, subgraph: SubgraphId) -> bool {
        let Some(meta) = self.supergraph.type_meta(type_name) else {
            return false;
        };
        if !meta.in_subgraph(subgraph) {
            return false;
        }
        let Some(field_meta) = meta.fields.get(field) else {
            return false;
        };
        if field_meta.sources.is_empty() {
            return !field_meta.has_join_field;
        }
        match field_meta.sources.iter().find(|s| s.subgraph == subgraph) {
            Some(source) => !source.external && !source.used_overridden,
            None => self.is_key_field(type_name, field, subgraph),
        }
    }

    /// A key field without a `@join__field` for the subgraph is resolvable
    /// there (the key's fields come with every entity of the type); one
    /// marked external there is not: the subgraph cannot produce it.
    pub fn is_key_field(&self, type_name: &str, field: &str, subgraph: SubgraphId) -> bool {
        let Some(meta) = self.supergraph.type_meta(type_name) else {
            return false;
        };
        meta.keys(subgraph).any(|key| {
            key.selection_set
                .selections
                .iter()
                .any(|s| s.as_field().is_some_and(|f| f.name == field))
        })
    }

    /// Does the field carry `@requires` in this subgraph?
    pub fn has_requires(&self, type_name: &str, field: &str, subgraph: SubgraphId) -> bool {
        self.source_in(type_name, field, subgraph).is_some_and(|s| {
            s.requires
                .as_ref()
                .is_some_and(|r| !r.selection_set.selections.is_empty())
        })
    }

    /// Subgraphs that can resolve the field by themselves.
    pub fn resolving_subgraphs(&self, type_name: &str, field: &str) -> Vec<SubgraphId> {
        let Some(meta) = self.supergraph.type_meta(type_name) else {
            return Vec::new();
        };
        meta.subgraph_ids()
            .into_iter()
            .filter(|s| self.resolves(type_name, field, *s))
            .collect()
    }

    /// Subgraphs (other than `from`) that can resolve the field and can be
    /// entered at the type through a resolvable key; for an object type
    /// whose field comes from an `@interfaceObject`, the interface's subgraphs.
    pub fn jump_targets(
        &self,
        type_name: &Name,
        field: &str,
        from: Option<SubgraphId>,
    ) -> Vec<JumpTarget> {
        let mut targets = self.direct_targets(type_name, field, from);
        if targets.is_empty() {
            for interface in self.interfaces_of(type_name) {
                targets.extend(
                    self.direct_targets(&interface, field, from)
                        .into_iter()
                        .filter(|t| self.is_interface_object_in(&interface, t.subgraph)),
                );
            }
        }
        targets
    }

    /// Every way into an entity type: each subgraph with a resolvable key
    /// for it (used to fetch a deferred fragment on its own).
    pub fn entity_targets(&self, type_name: &Name) -> Vec<JumpTarget> {
        let Some(meta) = self.supergraph.type_meta(type_name) else {
            return Vec::new();
        };
        let mut targets = Vec::new();
        for subgraph in meta.subgraph_ids() {
            for key in meta.resolvable_keys(subgraph) {
                targets.push(JumpTarget {
                    subgraph,
                    entity_type: type_name.clone(),
                    key: normalize_field_set(key),
                    requires: Vec::new(),
                });
            }
        }
        targets
    }

    /// Subgraphs defining `interface` as a real interface entity, to learn an object's concrete type.
    pub fn interface_owner_targets(&self, interface: &Name, from: SubgraphId) -> Vec<JumpTarget> {
        let Some(meta) = self.supergraph.type_meta(interface) else {
            return Vec::new();
        };
        let mut targets = Vec::new();
        for subgraph in meta.subgraph_ids() {
            // The owner must know at least one implementation to answer `_entities`.
            if subgraph == from
                || meta.is_interface_object_in(subgraph)
                || self.possible_types_in(interface, subgraph).is_empty()
            {
                continue;
            }
            for key in meta.resolvable_keys(subgraph) {
                targets.push(JumpTarget {
                    subgraph,
                    entity_type: interface.clone(),
                    key: normalize_field_set(key),
                    requires: Vec::new(),
                });
            }
        }
        targets
    }

    fn direct_targets(
        &self,
        type_name: &Name,
        field: &str,
        from: Option<SubgraphId>,
    ) -> Vec<JumpTarget> {
        let Some(meta) = self.supergraph.type_meta(type_name) else {
            return Vec::new();
        };
        let mut targets = Vec::new();
        for subgraph in self.resolving_subgraphs(type_name, field) {
            if Some(subgraph) == from {
                continue;
            }
            let requires = self
                .source_in(type_name, field, subgraph)
                .and_then(|s| s.requires.as_ref())
                .map(|r| normalize_field_set(r))
                .unwrap_or_default();
            for key in meta.resolvable_keys(subgraph) {
                targets.push(JumpTarget {
                    subgraph,
                    entity_type: type_name.clone(),
                    key: normalize_field_set(key),
                    requires: requires.clone(),
                });
            }
        }
        targets
    }

    /// Interfaces an object or interface type implements in the supergraph.
    fn interfaces_of(&self, type_name: &str) -> Vec<Name> {
        match self.supergraph.schema.types.get(type_name) {
            Some(ExtendedType::Object(o)) => o
                .implements_interfaces
                .iter()
                .map(|i| i.name.clone())
                .collect(),
            Some(ExtendedType::Interface(i)) => i
                .implements_interfaces
                .iter()
                .map(|i| i.name.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Object types a subgraph may return where the schema expects `type_name`.
    pub fn possible_types_in(&self, type_name: &Name, subgraph: SubgraphId) -> Vec<Name> {
        let schema = &self.supergraph.schema;
        let Some(ty) = schema.types.get(type_name) else {
            return Vec::new();
        };
        let in_subgraph = |name: &Name| self.type_in_subgraph(name, subgraph);
        match ty {
            ExtendedType::Object(_) => vec![type_name.clone()],
            ExtendedType::Union(union) => {
                let meta = self.supergraph.type_meta(type_name);
                let declared: Vec<Name> = meta
                    .map(|m| {
                        m.union_members
                            .iter()
                            .filter(|(s, _)| *s == subgraph)
                            .map(|(_, n)| n.clone())
                            .collect()
                    })
                    .unwrap_or_default();
                if declared.is_empty() {
                    union
                        .members
                        .iter()
                        .map(|m| m.name.clone())
                        .filter(in_subgraph)
                        .collect()
                } else {
                    declared
                }
            }
            ExtendedType::Interface(_) => schema
                .types
                .iter()
                .filter_map(|(name, t)| match t {
                    ExtendedType::Object(o) if o.implements_interfaces.contains(type_name) => {
                        Some(name)
                    }
                    _ => None,
                })
                .filter(|name| self.implements_in(name, type_name, subgraph))
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Does `object` implement `interface` in `subgraph`?
    fn implements_in(&self, object: &Name, interface: &Name, subgraph: SubgraphId) -> bool {
        let Some(meta) = self.supergraph.type_meta(object) else {
            return false;
        };
        if !meta.in_subgraph(subgraph) {
            return false;
        }
        if meta.implements.is_empty() {
            return true;
        }
        meta.implements
            .iter()
            .any(|(s, i)| *s == subgraph && i == interface)
    }

    /// Object types that `type_name` may be at runtime, in the whole supergraph.
    pub fn possible_types(&self, type_name: &Name) -> Vec<Name> {
        let schema = &self.supergraph.schema;
        match schema.types.get(type_name) {
            Some(ExtendedType::Object(_)) => vec![type_name.clone()],
            Some(ExtendedType::Union(u)) => u.members.iter().map(|m| m.name.clone()).collect(),
            Some(ExtendedType::Interface(_)) => schema
                .types
                .iter()
                .filter_map(|(name, t)| match t {
                    ExtendedType::Object(o) if o.implements_interfaces.contains(type_name) => {
                        Some(name.clone())
                    }
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The sub-selection of a provided field, if `field` is in the provided set at this level.
pub(super) fn provided_child(
    provided: Option<&SelectionSet>,
    type_name: &str,
    field: &str,
) -> Option<SelectionSet> {
    let provided = provided?;
    for selection in provided {
        match selection {
            Selection::Field(f) if f.name == field => return Some(f.selections.clone()),
            Selection::InlineFragment(frag)
                if frag.type_condition.as_ref().is_none_or(|c| c == type_name) =>
            {
                if let Some(found) = provided_child(Some(&frag.selections), type_name, field) {
                    return Some(found);
                }
            }
            _ => {}
        }
    }
    None
}
