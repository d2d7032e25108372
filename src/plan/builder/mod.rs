//! The planning algorithm.
//!
//! A walk over the operation's selection tree that keeps, at every point,
//! the fetch group being filled (one subgraph, one entry path). A field the
//! group's subgraph resolves (by itself or through an ancestor's
//! `@provides`) is added to the group. Any other field is a jump: the
//! group also selects `__typename` and a key the target subgraph accepts,
//! the `@requires` fields are planned from the group (jumping further if
//! needed), and the field is planned inside an entity group of the target
//! subgraph at the same path, which depends on every group that supplies
//! its representation. Abstract types are expanded into their object types
//! where a subgraph cannot answer an interface field as a whole. A deferred
//! fragment starts groups of its own block (see `defer`).

mod aliases;
mod batch;
mod defer;
mod fetch;
mod jump;
mod selections;

use std::collections::BTreeSet;
use std::rc::Rc;

use apollo_compiler::ast::OperationType;
use apollo_compiler::Name;

use super::graph::{provided_child, Graph};
use super::{PathSegment, PlanError, QueryPlan};
use crate::operation::{
    merge_into, Condition, Field, InlineFragment, LimitExceeded, PreparedOperation, Selection,
    SelectionSet,
};
use crate::supergraph::{SubgraphId, Supergraph};
use aliases::{client_keys, internal_alias};
use selections::{count_fields, fields_at, push_field_path, push_fragment, typename_field};

type GroupId = usize;

#[derive(Clone)]
struct Group {
    subgraph: SubgraphId,
    /// The entity type for entity groups, the root type for root groups.
    parent_type: Name,
    is_entity: bool,
    path: Vec<PathSegment>,
    requires: SelectionSet,
    selections: SelectionSet,
    deps: BTreeSet<GroupId>,
    /// Some fields carry an internal alias the executor renames back.
    renames: bool,
    /// The fetch runs only when these `@skip`/`@include` conditions hold.
    conditions: Vec<Condition>,
    /// The deferred fragment whose block the group belongs to (`None`: the primary block).
    defer: Option<usize>,
}

/// Where the walk is: the group being filled and the response path.
/// One jump being planned (see `Builder::jumping`).
type JumpGuard = (SubgraphId, Vec<PathSegment>, Name, String, Option<usize>);

#[derive(Clone)]
struct Position {
    group: GroupId,
    subgraph: SubgraphId,
    path: Vec<PathSegment>,
    /// Fields a `@provides` of an ancestor makes resolvable here.
    provided: Option<SelectionSet>,
    /// `@skip`/`@include` conditions of the ancestors: a fetch created here
    /// runs only when they hold.
    conditions: Vec<Condition>,
    /// Response keys the client uses on the object here, with their field
    /// names: fields the planner adds must not land under one of them.
    client_keys: std::sync::Arc<[(Name, Name)]>,
    /// Subgraphs that could resolve the path to the object here, from its
    /// nearest entity (or root) ancestor: only abstract-type members common
    /// to all of them are planned (see `Graph::path_candidates`).
    candidates: std::sync::Arc<[SubgraphId]>,
    /// The deferred fragment being planned (`None`: the primary block):
    /// groups created here belong to its block.
    defer: Option<usize>,
}

impl Position {
    fn with_conditions(&self, conditions: &[Condition]) -> Position {
        let mut inner = self.clone();
        for condition in conditions {
            if !inner.conditions.contains(condition) {
                inner.conditions.push(condition.clone());
            }
        }
        inner
    }
}

struct Builder<'a> {
    graph: Graph<'a>,
    /// Shared so that saving the groups before a tentative jump copies
    /// pointers, not selections; a group is copied when changed after a save.
    groups: Vec<Rc<Group>>,
    /// Groups that received fields during the current sub-walk (dependencies of a jump).
    touched: Vec<GroupId>,
    /// Jumps being planned (subgraph, response path, type, selection,
    /// deferred fragment), to refuse cycles: planning a jump's key or
    /// `@requires` inputs at the same path must not need the same jump
    /// again. A deeper path is a new jump (a → b → a → b).
    jumping: Vec<JumpGuard>,
    /// Deferred fragments met so far, in the order first met.
    defers: Vec<defer::DeferBlock>,
    /// Candidate ways to reach a field tried so far (see `QueryPlan::candidate_paths`).
    candidate_paths: usize,
    /// Selections planned so far, and how many may be.
    planned: usize,
    max_planned: usize,
}

pub(super) fn build(
    supergraph: &Supergraph,
    operation: &PreparedOperation,
    max_planned: usize,
) -> Result<QueryPlan, PlanError> {
    let mut builder = Builder {
        graph: Graph { supergraph },
        groups: Vec::new(),
        touched: Vec::new(),
        jumping: Vec::new(),
        defers: Vec::new(),
        candidate_paths: 0,
        planned: 0,
        max_planned,
    };
    let root_type = supergraph_root_type(supergraph, operation);
    builder.plan_root(&root_type, &operation.selections, operation.kind)?;
    Ok(builder.finish(operation))
}

fn supergraph_root_type(supergraph: &Supergraph, operation: &PreparedOperation) -> Name {
    supergraph
        .schema
        .root_operation(operation.kind)
        .cloned()
        .unwrap_or_else(|| operation.root_type.clone())
}

impl Builder<'_> {
    fn plan_root(
        &mut self,
        root_type: &Name,
        selections: &SelectionSet,
        kind: OperationType,
    ) -> Result<(), PlanError> {
        let mut previous: Option<GroupId> = None;
        for (field, defer) in self.root_fields(selections, &[], None) {
            if field.name.starts_with("__") {
                continue;
            }
            let tried = &mut Vec::new();
            self.plan_root_field(root_type, field, kind, defer, &mut previous, tried)?;
        }
        Ok(())
    }

    /// Plans one root field, in the subgraph that answers most of it first;
    /// when planning there dead-ends (a field no jump can reach from it),
    /// the attempt is rolled back and the next subgraph resolving the root
    /// field is tried.
    fn plan_root_field(
        &mut self,
        root_type: &Name,
        field: Field,
        kind: OperationType,
        defer: Option<usize>,
        previous: &mut Option<GroupId>,
        tried: &mut Vec<SubgraphId>,
    ) -> Result<(), PlanError> {
        let subgraph = self.choose_root_subgraph(root_type, &field, tried)?;
        self.candidate_paths += 1;
        tried.push(subgraph);
        if !self.has_untried_root(root_type, &field, tried) {
            // No other subgraph to fall back on: nothing to save (after a
            // save, every group changed is copied).
            return self
                .plan_root_field_in(subgraph, root_type, field, kind, defer, previous, tried);
        }
        let saved = (self.groups.clone(), self.touched.clone(), *previous);
        // Subgraphs the attempt tries for parts it cannot reach are tried
        // afresh after a rollback.
        let tried_before = tried.len();
        let attempt = self.plan_root_field_in(
            subgraph,
            root_type,
            field.clone(),
            kind,
            defer,
            previous,
            tried,
        );
        let Err(error @ PlanError::Unresolvable { .. }) = attempt else {
            return attempt;
        };
        (self.groups, self.touched, *previous) = saved;
        tried.truncate(tried_before);
        // When every subgraph fails, the first (best) one's reason is told.
        self.plan_root_field(root_type, field, kind, defer, previous, tried)
            .map_err(|later| match later {
                PlanError::Unresolvable { .. } => error,
                other => other,
            })
    }

    /// Plans one root field in `subgraph`. When that subgraph cannot reach
    /// part of the field's subtree (and no entity key leads there), that
    /// part is planned as the same root field in another subgraph (shared
    /// roots).
    #[allow(clippy::too_many_arguments)]
    fn plan_root_field_in(
        &mut self,
        subgraph: SubgraphId,
        root_type: &Name,
        field: Field,
        kind: OperationType,
        defer: Option<usize>,
        previous: &mut Option<GroupId>,
        tried: &mut Vec<SubgraphId>,
    ) -> Result<(), PlanError> {
        let group = match kind {
            OperationType::Mutation if defer.is_none() => match *previous {
                Some(g) if self.groups[g].subgraph == subgraph => g,
                _ => self.new_root_group(subgraph, root_type, *previous, None),
            },
            _ => self.root_group(subgraph, root_type, defer),
        };
        *previous = Some(group);
        let position = Position {
            group,
            subgraph,
            path: Vec::new(),
            provided: None,
            conditions: Vec::new(),
            client_keys: std::sync::Arc::from(Vec::new()),
            candidates: std::sync::Arc::from(vec![subgraph]),
            defer,
        };
        let (reachable, unreachable) = self.split_reachable(&position, root_type, &field);
        let has_other = self.has_untried_root(root_type, &field, tried);
        let mut local = field.clone();
        if !unreachable.is_empty() && has_other {
            local.selections = reachable;
        }
        let mut out = Vec::new();
        self.plan_field(&position, root_type, &local, &mut out)?;
        merge_into(&mut Rc::make_mut(&mut self.groups[group]).selections, out);
        if !unreachable.is_empty() && has_other {
            let mut rest = field;
            rest.selections = unreachable;
            self.plan_root_field(root_type, rest, kind, defer, previous, tried)?;
        }
        Ok(())
    }

    /// Does a subgraph not tried yet resolve this root field?
    fn has_untried_root(&self, root_type: &Name, field: &Field, tried: &[SubgraphId]) -> bool {
        self.graph
            .resolving_subgraphs(root_type, &field.name)
            .iter()
            .any(|s| !tried.contains(s))
    }

    fn choose_root_subgraph(
        &self,
        root_type: &Name,
        field: &Field,
        tried: &[SubgraphId],
    ) -> Result<SubgraphId, PlanError> {
        let mut candidates = self.graph.resolving_subgraphs(root_type, &field.name);
        candidates.retain(|s| !tried.contains(s));
        let existing: Vec<SubgraphId> = self.groups.iter().map(|g| g.subgraph).collect();
        candidates
            .iter()
            .copied()
            .max_by_key(|s| {
                let provided = self.provided_below(root_type, &field.name, *s, None);
                let local =
                    self.local_score(*s, field.type_name(), &field.selections, provided.as_ref());
                (local, existing.contains(s), std::cmp::Reverse(*s))
            })
            .ok_or_else(|| {
                let reason = match tried.is_empty() {
                    true => "no subgraph defines it at the root".to_string(),
                    false => format!(
                        "every subgraph defining it at the root was tried ({}) and failed",
                        self.names(tried)
                    ),
                };
                unresolvable(root_type, &field.name, reason)
            })
    }

    /// Subgraph names, for error messages.
    fn names(&self, subgraphs: &[SubgraphId]) -> String {
        subgraphs
            .iter()
            .map(|s| format!("'{}'", self.graph.supergraph.subgraphs[*s].name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// How many fields of the tree a subgraph resolves without a jump.
    fn local_score(
        &self,
        subgraph: SubgraphId,
        type_name: &Name,
        set: &SelectionSet,
        provided: Option<&SelectionSet>,
    ) -> usize {
        let mut score = 0;
        for selection in set {
            match selection {
                Selection::Field(f) if f.name == "__typename" => score += 1,
                Selection::Field(f) => {
                    let provided_here = provided_child(provided, type_name, &f.name);
                    if self.graph.resolves(type_name, &f.name, subgraph) || provided_here.is_some()
                    {
                        let provided_below =
                            self.provided_below(type_name, &f.name, subgraph, provided_here);
                        score += 1 + self.local_score(
                            subgraph,
                            f.type_name(),
                            &f.selections,
                            provided_below.as_ref(),
                        );
                    }
                }
                Selection::InlineFragment(frag) => {
                    let ty = frag.type_condition.as_ref().unwrap_or(type_name);
                    score += self.local_score(subgraph, ty, &frag.selections, provided);
                }
            }
        }
        score
    }

    /// What is provided below a field in a subgraph: what an ancestor's
    /// `@provides` provides there, plus the field's own `@provides`.
    fn provided_below(
        &self,
        parent_type: &Name,
        field: &Name,
        subgraph: SubgraphId,
        provided_here: Option<SelectionSet>,
    ) -> Option<SelectionSet> {
        let own_provides = self
            .graph
            .source_in(parent_type, field, subgraph)
            .and_then(|s| s.provides.as_ref())
            .map(|p| crate::operation::normalize_field_set(p));
        match (provided_here, own_provides) {
            (Some(mut a), Some(b)) => {
                merge_into(&mut a, b);
                Some(a)
            }
            (a, b) => a.or(b),
        }
    }

    fn root_group(
        &mut self,
        subgraph: SubgraphId,
        root_type: &Name,
        defer: Option<usize>,
    ) -> GroupId {
        match self
            .groups
            .iter()
            .position(|g| !g.is_entity && g.subgraph == subgraph && g.defer == defer)
        {
            Some(g) => g,
            None => self.new_root_group(subgraph, root_type, None, defer),
        }
    }

    fn new_root_group(
        &mut self,
        subgraph: SubgraphId,
        root_type: &Name,
        after: Option<GroupId>,
        defer: Option<usize>,
    ) -> GroupId {
        self.groups.push(Rc::new(Group {
            subgraph,
            parent_type: root_type.clone(),
            is_entity: false,
            path: Vec::new(),
            requires: Vec::new(),
            selections: Vec::new(),
            deps: after.into_iter().collect(),
            renames: false,
            conditions: Vec::new(),
            defer,
        }));
        self.groups.len() - 1
    }

    /// Plans a selection set at `parent_type`, returning what the current group selects.
    fn plan_set(
        &mut self,
        at: &Position,
        parent_type: &Name,
        input: &SelectionSet,
    ) -> Result<SelectionSet, PlanError> {
        if self.graph.is_abstract_in(parent_type, at.subgraph)
            && self.needs_expansion(at, parent_type, input)
        {
            return self.plan_expanded(at, parent_type, input);
        }
        self.spend(input.len())?;
        let mut out = Vec::new();
        for selection in input {
            match selection {
                Selection::Field(field) if field.name == "__typename" => {
                    merge_into(&mut out, vec![selection.clone()]);
                }
                Selection::Field(field) => self.plan_field(at, parent_type, field, &mut out)?,
                Selection::InlineFragment(fragment) => {
                    self.plan_fragment(at, parent_type, fragment, &mut out)?
                }
            }
        }
        if self.graph.is_abstract(parent_type) {
            merge_into(&mut out, vec![typename_field()]);
        }
        Ok(out)
    }

    /// Objects a `@provides` brings come with their keys: below a
    /// `@provides`, a key field of the object's type in this subgraph is
    /// answered there even where the subgraph marks it `@external`.
    fn provided_key(
        &self,
        at: &Position,
        parent_type: &Name,
        field: &Field,
    ) -> Option<SelectionSet> {
        (at.provided.is_some()
            && self
                .graph
                .is_key_field(parent_type, &field.name, at.subgraph))
        .then(|| field.selections.clone())
    }

    /// Is this an object, interface or union type?
    fn is_composite(&self, type_name: &Name) -> bool {
        use apollo_compiler::schema::ExtendedType;
        matches!(
            self.graph.supergraph.schema.types.get(type_name),
            Some(ExtendedType::Object(_) | ExtendedType::Interface(_) | ExtendedType::Union(_))
        )
    }

    /// Counts `selections` more planned selections; an error once past the limit.
    fn spend(&mut self, selections: usize) -> Result<(), PlanError> {
        self.planned = self.planned.saturating_add(selections);
        if self.planned > self.max_planned {
            return Err(PlanError::TooLarge(LimitExceeded {
                limit: "max_plan_fields",
                max: self.max_planned,
                actual: self.planned as u64,
            }));
        }
        Ok(())
    }

    /// An abstract selection must be split per object type when the subgraph
    /// cannot resolve one of its fields for every object type it may return
    /// (unless an `@interfaceObject` subgraph can take the field for the interface as a whole).
    fn needs_expansion(&self, at: &Position, parent_type: &Name, input: &SelectionSet) -> bool {
        let objects = self.graph.possible_types_in(parent_type, at.subgraph);
        fields_at(input, parent_type).iter().any(|field| {
            let provided = provided_child(at.provided.as_ref(), parent_type, &field.name).is_some();
            let interface_ok =
                provided || self.graph.resolves(parent_type, &field.name, at.subgraph);
            let objects_ok = provided
                || objects
                    .iter()
                    .all(|o| self.graph.resolves(o, &field.name, at.subgraph));
            let interface_jump = !interface_ok
                && self
                    .graph
                    .jump_targets(parent_type, &field.name, Some(at.subgraph))
                    .iter()
                    .any(|t| {
                        self.graph
                            .is_interface_object_in(&t.entity_type, t.subgraph)
                    });
            !(interface_jump || interface_ok && objects_ok)
        })
    }

    fn plan_expanded(
        &mut self,
        at: &Position,
        parent_type: &Name,
        input: &SelectionSet,
    ) -> Result<SelectionSet, PlanError> {
        let mut out = vec![typename_field()];
        let objects = self.graph.possible_types_in(parent_type, at.subgraph);
        if objects.is_empty() {
            // No object type to split into: a field the subgraph cannot resolve stays unreachable.
            if let Some(field) = fields_at(input, parent_type)
                .into_iter()
                .find(|f| !self.graph.resolves(parent_type, &f.name, at.subgraph))
            {
                let reason = format!(
                    "subgraph '{}' returns \"{parent_type}\" here, cannot resolve the field on it, and knows no object type of it to resolve it through",
                    self.graph.supergraph.subgraphs[at.subgraph].name
                );
                return Err(unresolvable(parent_type, &field.name, reason));
            }
        }
        for object in objects {
            let mut inner = at.clone();
            inner.path.push(PathSegment::Cast(object.clone()));
            let selections = self.plan_set(&inner, &object, input)?;
            out.push(Selection::InlineFragment(InlineFragment {
                type_condition: Some(object),
                conditions: Vec::new(),
                defer: None,
                selections,
            }));
        }
        Ok(out)
    }

    fn plan_fragment(
        &mut self,
        at: &Position,
        parent_type: &Name,
        fragment: &InlineFragment,
        out: &mut SelectionSet,
    ) -> Result<(), PlanError> {
        let at = &at.with_conditions(&fragment.conditions);
        let condition = fragment.type_condition.as_ref().unwrap_or(parent_type);
        if let Some(defer) = &fragment.defer {
            return self.plan_deferred(at, parent_type, fragment, defer, out);
        }
        if condition == parent_type {
            let selections = self.plan_set(at, parent_type, &fragment.selections)?;
            push_fragment(out, None, &fragment.conditions, selections);
            return Ok(());
        }
        if self.graph.is_interface_object_in(parent_type, at.subgraph) {
            let targets = self.graph.interface_owner_targets(parent_type, at.subgraph);
            let selection = Selection::InlineFragment(fragment.clone());
            return self.plan_jump(at, parent_type, &targets, &selection, out);
        }
        let runtime_types = self.common_possible_types(at, parent_type);
        if self.graph.type_in_subgraph(condition, at.subgraph)
            && !self.graph.is_abstract(parent_type)
            && runtime_types.contains(condition)
        {
            let selections = self.plan_set(at, condition, &fragment.selections)?;
            push_fragment(
                out,
                Some(condition.clone()),
                &fragment.conditions,
                selections,
            );
            return Ok(());
        }
        let condition_types = self.graph.possible_types(condition);
        for object in runtime_types
            .into_iter()
            .filter(|o| condition_types.contains(o))
        {
            let mut inner = at.clone();
            if &object != parent_type {
                inner.path.push(PathSegment::Cast(object.clone()));
            }
            let selections = self.plan_set(&inner, &object, &fragment.selections)?;
            push_fragment(out, Some(object), &fragment.conditions, selections);
        }
        Ok(())
    }

    /// The object types the subgraph may return for an abstract type here,
    /// limited to those every subgraph that could resolve this path knows:
    /// a member known to only some of them is not safe to ask for.
    fn common_possible_types(&self, at: &Position, abstract_type: &Name) -> Vec<Name> {
        let mut types = self.graph.possible_types_in(abstract_type, at.subgraph);
        if self.graph.is_union(abstract_type) {
            for other in at.candidates.iter().filter(|s| **s != at.subgraph) {
                let theirs = self.graph.possible_types_in(abstract_type, *other);
                types.retain(|t| theirs.contains(t));
            }
        }
        types
    }

    fn plan_field(
        &mut self,
        at: &Position,
        parent_type: &Name,
        field: &Field,
        out: &mut SelectionSet,
    ) -> Result<(), PlanError> {
        if field.name == "__typename" {
            merge_into(out, vec![Selection::Field(field.clone())]);
            return Ok(());
        }
        let provided_here = provided_child(at.provided.as_ref(), parent_type, &field.name)
            .or_else(|| self.provided_key(at, parent_type, field));
        let needs_requires = provided_here.is_none()
            && self
                .graph
                .has_requires(parent_type, &field.name, at.subgraph);
        if needs_requires
            || (provided_here.is_none()
                && !self.graph.resolves(parent_type, &field.name, at.subgraph))
        {
            // A field with `@requires` is fetched through an entity fetch even
            // from its own subgraph, once the required fields are in hand.
            let from = if needs_requires {
                None
            } else {
                Some(at.subgraph)
            };
            let targets = self.graph.jump_targets(parent_type, &field.name, from);
            if targets.is_empty() {
                let defining = self.graph.resolving_subgraphs(parent_type, &field.name);
                let here = &self.graph.supergraph.subgraphs[at.subgraph].name;
                let reason = match defining.is_empty() {
                    true => format!("subgraph '{here}' reached \"{parent_type}\" and no subgraph resolves the field"),
                    false => format!(
                        "subgraph '{here}' reached \"{parent_type}\" without it, and none of the subgraphs resolving it ({}) can be entered there: no @key of theirs that '{here}' can provide",
                        self.names(&defining)
                    ),
                };
                return Err(unresolvable(parent_type, &field.name, reason));
            }
            return self.plan_jump(
                at,
                parent_type,
                &targets,
                &Selection::Field(field.clone()),
                out,
            );
        }
        let (reachable, unreachable) = self.split_reachable(at, parent_type, field);
        if !unreachable.is_empty() {
            // Parent entity call: fetch the rest of this field's subtree from
            // another subgraph that resolves the field, entered at the parent.
            let targets = self
                .graph
                .jump_targets(parent_type, &field.name, Some(at.subgraph));
            let mut rest = field.clone();
            rest.selections = unreachable;
            let mut attempt = out.clone();
            let saved = (self.groups.clone(), self.touched.clone());
            if !targets.is_empty()
                && self
                    .plan_jump(
                        at,
                        parent_type,
                        &targets,
                        &Selection::Field(rest),
                        &mut attempt,
                    )
                    .is_ok()
            {
                *out = attempt;
                if reachable.is_empty() {
                    // The jump fetches the whole field: nothing is left for this subgraph.
                    return Ok(());
                }
                let mut local = field.clone();
                local.selections = reachable;
                return self.plan_local_field(at, parent_type, &local, provided_here, out);
            }
            (self.groups, self.touched) = saved;
        }
        self.plan_local_field(at, parent_type, field, provided_here, out)
    }

    /// Splits a field's direct sub-selections into those the current
    /// subgraph can reach (itself or through a key it can provide) and the rest.
    fn split_reachable(
        &self,
        at: &Position,
        parent_type: &Name,
        field: &Field,
    ) -> (SelectionSet, SelectionSet) {
        let type_name = field.type_name();
        if field.selections.is_empty() || self.graph.is_abstract(type_name) {
            return (field.selections.clone(), Vec::new());
        }
        let provided = provided_child(at.provided.as_ref(), parent_type, &field.name);
        self.split_selections(at, type_name, provided.as_ref(), &field.selections)
    }

    /// Splits selections on `type_name` into what `at.subgraph` can answer
    /// (itself or by an entity jump it can key) and the rest. Inline
    /// fragments on the type itself are split through, so that a fragment
    /// around fields of another subgraph splits like the fields alone.
    fn split_selections(
        &self,
        at: &Position,
        type_name: &Name,
        provided: Option<&SelectionSet>,
        selections: &SelectionSet,
    ) -> (SelectionSet, SelectionSet) {
        let mut reachable = Vec::new();
        let mut unreachable = Vec::new();
        for selection in selections {
            match selection {
                Selection::Field(child) if child.name != "__typename" => {
                    let here = provided_child(provided, type_name, &child.name).is_some()
                        || self.graph.resolves(type_name, &child.name, at.subgraph)
                        || self
                            .graph
                            .jump_targets(type_name, &child.name, Some(at.subgraph))
                            .iter()
                            .any(|t| {
                                self.local_score(at.subgraph, type_name, &t.key, None)
                                    == count_fields(&t.key)
                            });
                    match here {
                        true => reachable.push(selection.clone()),
                        false => unreachable.push(selection.clone()),
                    }
                }
                Selection::InlineFragment(fragment)
                    if fragment.defer.is_none()
                        && fragment
                            .type_condition
                            .as_ref()
                            .is_none_or(|c| c == type_name) =>
                {
                    let (yes, no) =
                        self.split_selections(at, type_name, provided, &fragment.selections);
                    for (part, into) in [(yes, &mut reachable), (no, &mut unreachable)] {
                        if !part.is_empty() {
                            let mut piece = fragment.clone();
                            piece.selections = part;
                            into.push(Selection::InlineFragment(piece));
                        }
                    }
                }
                _ => reachable.push(selection.clone()),
            }
        }
        (reachable, unreachable)
    }

    fn plan_local_field(
        &mut self,
        at: &Position,
        parent_type: &Name,
        field: &Field,
        provided_here: Option<SelectionSet>,
        out: &mut SelectionSet,
    ) -> Result<(), PlanError> {
        let mut planned = field.clone();
        if field.selections.is_empty() && self.is_composite(field.type_name()) {
            // Every sub-selection was switched off by a literal condition:
            // the subgraph still needs one (the client gets `{}`).
            planned.selections.push(typename_field());
        }
        if !field.selections.is_empty() {
            let provided =
                self.provided_below(parent_type, &field.name, at.subgraph, provided_here);
            let mut inner = Position {
                group: at.group,
                subgraph: at.subgraph,
                path: at.path.clone(),
                provided,
                conditions: at.with_conditions(&field.conditions).conditions,
                client_keys: client_keys(&field.selections),
                candidates: self
                    .graph
                    .path_candidates(parent_type, &field.name, at.subgraph, &at.candidates)
                    .into(),
                defer: at.defer,
            };
            push_field_path(&mut inner.path, field);
            // A subgraph may declare a narrower type for the field (`@join__field(type:)`).
            let subgraph_type = self.subgraph_output_type(parent_type, field, at.subgraph);
            planned.selections = self.plan_set(&inner, &subgraph_type, &field.selections)?;
            if planned.selections.is_empty() {
                // Everything selected lies in fragments that cannot apply
                // here: the subgraph still needs a selection.
                planned.selections.push(typename_field());
            }
            if &subgraph_type != field.type_name() && self.graph.is_abstract(field.type_name()) {
                merge_into(&mut planned.selections, vec![typename_field()]);
            }
            if self
                .graph
                .is_interface_object_in(field.type_name(), at.subgraph)
                && needs_concrete_type(field.type_name(), &field.selections)
            {
                // The subgraph only knows the interface: learn the concrete type from one that knows it.
                let targets = self
                    .graph
                    .interface_owner_targets(field.type_name(), at.subgraph);
                if !targets.is_empty() {
                    self.plan_jump(
                        &inner,
                        field.type_name(),
                        &targets,
                        &typename_field(),
                        &mut planned.selections,
                    )?;
                }
            }
        }
        if self.type_differs_in_subgraph(parent_type, field, at.subgraph) {
            // The subgraph's type for this field differs from the supergraph's
            // (e.g. `ID!` vs `ID` across union members): alias it so the
            // subgraph's own validation never sees two shapes under one key.
            planned.alias = Some(internal_alias(field.response_key()));
            Rc::make_mut(&mut self.groups[at.group]).renames = true;
        }
        merge_into(out, vec![Selection::Field(planned)]);
        Ok(())
    }
}

fn unresolvable(type_name: &Name, field: &Name, reason: String) -> PlanError {
    PlanError::Unresolvable {
        type_name: type_name.to_string(),
        field: field.to_string(),
        reason,
    }
}

/// Does a selection on an interface depend on each object's concrete type
/// (`__typename`, or a fragment on another type)? Plain interface fields do not.
fn needs_concrete_type(interface: &Name, selections: &SelectionSet) -> bool {
    selections.iter().any(|selection| match selection {
        Selection::Field(field) => field.name == "__typename",
        Selection::InlineFragment(fragment) => match &fragment.type_condition {
            Some(condition) if condition != interface => true,
            _ => needs_concrete_type(interface, &fragment.selections),
        },
    })
}
