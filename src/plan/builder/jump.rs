//! Entity jumps: entering another subgraph through `@key`, with the key
//! and `@requires` fields planned first, into a fetch group that batches
//! every jump of the same subgraph, type, path and conditions.

use std::collections::BTreeSet;
use std::rc::Rc;

use apollo_compiler::Name;

use super::aliases::{alias_client_keys, alias_fields_with_arguments, representations_conflict};
use super::selections::{count_fields, selection_conditions, selection_name, typename_field};
use super::{Builder, Group, GroupId, Position};
use crate::operation::{merge_into, Field, InlineFragment, Selection, SelectionSet};
use crate::plan::graph::JumpTarget;
use crate::plan::PathSegment;
use crate::plan::PlanError;
use crate::supergraph::SubgraphId;

impl Builder<'_> {
    /// Plans a selection the current subgraph cannot resolve, through an
    /// entity fetch. Targets are tried best first; a target that leads to a
    /// dead end (a key or requirement nobody can supply) is rolled back.
    pub(super) fn plan_jump(
        &mut self,
        at: &Position,
        parent_type: &Name,
        targets: &[JumpTarget],
        selection: &Selection,
        out: &mut SelectionSet,
    ) -> Result<(), PlanError> {
        let mut ranked: Vec<&JumpTarget> = targets.iter().collect();
        ranked.sort_by_key(|t| {
            let key_local =
                self.local_score(at.subgraph, parent_type, &t.key, at.provided.as_ref())
                    == count_fields(&t.key);
            let requires_local =
                self.local_score(at.subgraph, parent_type, &t.requires, at.provided.as_ref())
                    == count_fields(&t.requires);
            let existing = self
                .find_group(t.subgraph, &t.entity_type, &at.path, at.defer)
                .is_some();
            // How much of the selection the target answers without jumping further.
            let answered =
                self.local_score(t.subgraph, &t.entity_type, &vec![selection.clone()], None);
            std::cmp::Reverse((
                key_local,
                requires_local,
                answered,
                existing,
                std::cmp::Reverse(t.subgraph),
            ))
        });
        let guard = (
            at.subgraph,
            at.path.clone(),
            parent_type.clone(),
            selection_name(selection),
            at.defer,
        );
        if self.jumping.contains(&guard) {
            return Err(PlanError::Unresolvable {
                type_name: parent_type.to_string(),
                field: selection_name(selection),
                reason: format!(
                    "reaching it from subgraph '{}' would come back to the same subgraph for the same selection (a cycle)",
                    self.graph.supergraph.subgraphs[at.subgraph].name
                ),
            });
        }
        self.jumping.push(guard);
        let mut last_error = None;
        for target in ranked {
            self.candidate_paths += 1;
            let saved_groups = self.groups.clone();
            let saved_touched = self.touched.clone();
            let mut attempt = out.clone();
            match self.jump_to(at, parent_type, target, selection, &mut attempt) {
                Ok(()) => {
                    *out = attempt;
                    last_error = None;
                    break;
                }
                Err(error) => {
                    self.groups = saved_groups;
                    self.touched = saved_touched;
                    last_error = Some(error);
                }
            }
        }
        self.jumping.pop();
        match last_error {
            Some(error) => Err(error),
            None if targets.is_empty() => Err(PlanError::Unresolvable {
                type_name: parent_type.to_string(),
                field: selection_name(selection),
                reason: format!(
                    "no subgraph resolving it can be entered at \"{parent_type}\" from subgraph '{}'",
                    self.graph.supergraph.subgraphs[at.subgraph].name
                ),
            }),
            None => Ok(()),
        }
    }

    pub(super) fn jump_to(
        &mut self,
        at: &Position,
        parent_type: &Name,
        target: &JumpTarget,
        selection: &Selection,
        out: &mut SelectionSet,
    ) -> Result<(), PlanError> {
        let at = &at.with_conditions(selection_conditions(selection));
        let outer_touched = std::mem::take(&mut self.touched);
        let mut inputs = vec![typename_field()];
        let key = alias_client_keys(&target.key, &at.client_keys);
        let requires = alias_client_keys(
            &alias_fields_with_arguments(&target.requires),
            &at.client_keys,
        );
        let planned_inputs = self.plan_set(at, parent_type, &key).and_then(|key| {
            merge_into(&mut inputs, key);
            self.plan_set(at, parent_type, &requires)
        });
        let required = match planned_inputs {
            Ok(required) => required,
            Err(error) => {
                self.touched = outer_touched;
                return Err(error);
            }
        };
        merge_into(&mut inputs, required);
        let mut deps: BTreeSet<GroupId> = std::mem::replace(&mut self.touched, outer_touched)
            .into_iter()
            .collect();
        if self.in_representation(at, parent_type, &inputs) {
            // Everything the jump needs came with the current entity group's
            // own representation, so it is already in the response: the jump
            // can run beside that group rather than after it.
            deps.remove(&at.group);
            deps.extend(self.groups[at.group].deps.iter().copied());
        } else {
            deps.insert(at.group);
        }
        merge_into(out, inputs);

        let entity_type = &target.entity_type;
        let mut representation = vec![typename_field()];
        merge_into(&mut representation, key);
        merge_into(&mut representation, requires);
        let group = self.entity_group(target.subgraph, entity_type, at, deps, &representation);
        merge_into(
            &mut Rc::make_mut(&mut self.groups[group]).requires,
            vec![Selection::InlineFragment(InlineFragment {
                type_condition: Some(entity_type.clone()),
                conditions: Vec::new(),
                defer: None,
                selections: representation,
            })],
        );
        let inner = Position {
            group,
            subgraph: target.subgraph,
            path: at.path.clone(),
            // The key's fields come with the representation: the target can
            // return them even where it marks them `@external`.
            provided: Some(target.key.clone()),
            conditions: at.conditions.clone(),
            client_keys: at.client_keys.clone(),
            candidates: std::sync::Arc::from(vec![target.subgraph]),
            defer: at.defer,
        };
        let selected = match selection {
            // The target resolves this field (its requirements are now in the representation).
            Selection::Field(field)
                if self
                    .graph
                    .has_requires(entity_type, &field.name, target.subgraph) =>
            {
                let mut selected = Vec::new();
                self.plan_local_field(&inner, entity_type, field, None, &mut selected)?;
                selected
            }
            Selection::Field(field) => {
                let mut selected = Vec::new();
                self.plan_field(&inner, entity_type, field, &mut selected)?;
                selected
            }
            Selection::InlineFragment(_) => {
                self.plan_set(&inner, entity_type, &vec![selection.clone()])?
            }
        };
        merge_into(
            &mut Rc::make_mut(&mut self.groups[group]).selections,
            selected,
        );
        self.touched.push(group);
        Ok(())
    }

    /// Are all these fields (at the entity group's own path) part of the
    /// representation the group is fetched with?
    fn in_representation(&self, at: &Position, parent_type: &Name, inputs: &SelectionSet) -> bool {
        let group = &self.groups[at.group];
        if !group.is_entity || group.path != at.path {
            return false;
        }
        let mut available = Vec::new();
        for selection in &group.requires {
            if let Selection::InlineFragment(fragment) = selection {
                if fragment
                    .type_condition
                    .as_ref()
                    .is_none_or(|t| t == parent_type)
                {
                    merge_into(&mut available, fragment.selections.clone());
                }
            }
        }
        fields_within(inputs, &available)
    }

    pub(super) fn subgraph_output_type(
        &self,
        parent_type: &Name,
        field: &Field,
        subgraph: SubgraphId,
    ) -> Name {
        self.graph
            .source_in(parent_type, &field.name, subgraph)
            .and_then(|s| s.type_in_subgraph.as_deref())
            .and_then(|t| apollo_compiler::ast::Type::parse(t, "type.graphql").ok())
            .map(|t| t.inner_named_type().clone())
            .filter(|t| self.graph.supergraph.schema.types.contains_key(t))
            .or_else(|| self.declared_type(parent_type, field))
            .unwrap_or_else(|| field.type_name().clone())
    }

    /// The field's type as `parent_type` itself declares it: an object may
    /// narrow an interface field's type (`related: Book` for `related:
    /// Item`), and once an interface selection is split per object type,
    /// the sub-selection must be planned for the narrower type, or it keeps
    /// type conditions that can never apply there.
    fn declared_type(&self, parent_type: &Name, field: &Field) -> Option<Name> {
        let schema = &self.graph.supergraph.schema;
        let definition = schema.type_field(parent_type, &field.name).ok()?;
        Some(definition.ty.inner_named_type().clone())
    }

    pub(super) fn type_differs_in_subgraph(
        &self,
        parent_type: &Name,
        field: &Field,
        subgraph: SubgraphId,
    ) -> bool {
        self.graph
            .source_in(parent_type, &field.name, subgraph)
            .and_then(|s| s.type_in_subgraph.as_deref())
            .is_some_and(|t| t != field.ty.to_string())
    }

    pub(super) fn find_group(
        &self,
        subgraph: SubgraphId,
        parent_type: &Name,
        path: &[PathSegment],
        defer: Option<usize>,
    ) -> Option<GroupId> {
        self.groups.iter().position(|g| {
            g.is_entity
                && g.subgraph == subgraph
                && &g.parent_type == parent_type
                && g.path == path
                && g.defer == defer
        })
    }

    pub(super) fn entity_group(
        &mut self,
        subgraph: SubgraphId,
        parent_type: &Name,
        at: &Position,
        deps: BTreeSet<GroupId>,
        representation: &SelectionSet,
    ) -> GroupId {
        let existing = self.groups.iter().position(|g| {
            g.is_entity
                && g.subgraph == subgraph
                && &g.parent_type == parent_type
                && g.path == at.path
                && g.conditions == at.conditions
                && g.defer == at.defer
                && g.deps == deps
                && !representations_conflict(&g.requires, representation)
        });
        if let Some(group) = existing {
            return group;
        }
        self.groups.push(Rc::new(Group {
            subgraph,
            parent_type: parent_type.clone(),
            is_entity: true,
            path: at.path.clone(),
            requires: Vec::new(),
            selections: Vec::new(),
            deps,
            renames: false,
            conditions: at.conditions.clone(),
            defer: at.defer,
        }));
        self.groups.len() - 1
    }
}

/// Is every field of `inner` (by response key and name, recursively) in `outer`?
fn fields_within(inner: &SelectionSet, outer: &SelectionSet) -> bool {
    inner.iter().all(|selection| match selection {
        Selection::Field(field) => outer.iter().any(|o| match o {
            Selection::Field(candidate) => {
                candidate.response_key() == field.response_key()
                    && candidate.name == field.name
                    && candidate.arguments == field.arguments
                    && fields_within(&field.selections, &candidate.selections)
            }
            Selection::InlineFragment(_) => false,
        }),
        Selection::InlineFragment(_) => false,
    })
}
