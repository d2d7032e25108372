//! Deferred fragments (`@defer`): each becomes a block of fetch groups of
//! its own, run after its parent block (the primary plan, or the deferred
//! fragment it is nested in) and delivered on its own.
//!
//! A deferred fragment at an entity is fetched through an entity jump, to
//! whichever subgraph answers most of it (the current one included), with
//! the key selected by the parent block. At the root, its fields are root
//! fetches of their own. At a value type (or an abstract type) nothing can
//! fetch the fragment by itself: its fields come with the parent's fetch,
//! and only fields beyond a further jump, and the delivery, are deferred.

use apollo_compiler::Name;

use super::selections::fields_at;
use super::{Builder, Position};
use crate::operation::{
    merge_into, Condition, Defer, Field, InlineFragment, Selection, SelectionSet,
};
use crate::plan::{PathSegment, PlanError};

/// A deferred fragment as the planner met it.
pub(super) struct DeferBlock {
    pub id: usize,
    /// The deferred fragment it is nested in (`None`: the primary block).
    pub parent: Option<usize>,
    pub label: Option<String>,
    pub if_variable: Option<Name>,
    /// Where the fragment was first met (for plan output).
    pub path: Vec<PathSegment>,
}

impl Builder<'_> {
    /// Root fields, with root-level fragments flattened (their conditions
    /// moved onto the fields), each with the deferred fragment it is in.
    pub(super) fn root_fields(
        &mut self,
        selections: &SelectionSet,
        inherited: &[Condition],
        defer: Option<usize>,
    ) -> Vec<(Field, Option<usize>)> {
        let mut fields = Vec::new();
        for selection in selections {
            match selection {
                Selection::Field(field) => {
                    let mut field = field.clone();
                    field.conditions.extend(inherited.iter().cloned());
                    fields.push((field, defer));
                }
                Selection::InlineFragment(fragment) => {
                    let mut conditions = inherited.to_vec();
                    conditions.extend(fragment.conditions.iter().cloned());
                    let inner = match &fragment.defer {
                        Some(d) => {
                            self.register_defer(d, defer, &[]);
                            Some(d.id)
                        }
                        None => defer,
                    };
                    fields.extend(self.root_fields(&fragment.selections, &conditions, inner));
                }
            }
        }
        fields
    }

    fn register_defer(&mut self, defer: &Defer, parent: Option<usize>, path: &[PathSegment]) {
        if self.defers.iter().any(|b| b.id == defer.id) {
            return;
        }
        self.defers.push(DeferBlock {
            id: defer.id,
            parent,
            label: defer.label.clone(),
            if_variable: defer.if_variable.clone(),
            path: path.to_vec(),
        });
    }

    /// Plans a deferred fragment (its `@skip`/`@include` already in `at`).
    /// `... on T @defer { … }` is planned as `... on T { ... @defer { … } }`,
    /// so that the deferred part starts where the object's type is known.
    pub(super) fn plan_deferred(
        &mut self,
        at: &Position,
        parent_type: &Name,
        fragment: &InlineFragment,
        defer: &Defer,
        out: &mut SelectionSet,
    ) -> Result<(), PlanError> {
        let plain = InlineFragment {
            type_condition: None,
            conditions: Vec::new(),
            defer: None,
            selections: fragment.selections.clone(),
        };
        if fragment
            .type_condition
            .as_ref()
            .is_some_and(|t| t != parent_type)
        {
            let narrowed = InlineFragment {
                type_condition: fragment.type_condition.clone(),
                conditions: Vec::new(),
                defer: None,
                selections: vec![Selection::InlineFragment(InlineFragment {
                    defer: Some(defer.clone()),
                    ..plain
                })],
            };
            return self.plan_fragment(at, parent_type, &narrowed, out);
        }
        self.register_defer(defer, at.defer, &at.path);
        let mut inner = at.clone();
        inner.defer = Some(defer.id);
        if self.plan_deferred_jump(&inner, parent_type, &plain, out) {
            return Ok(());
        }
        let selections = self.plan_set(&inner, parent_type, &plain.selections)?;
        merge_into(out, selections);
        Ok(())
    }

    /// Fetches a deferred fragment at an entity through an entity jump;
    /// false (nothing planned) when the type is no entity or no jump works.
    fn plan_deferred_jump(
        &mut self,
        at: &Position,
        parent_type: &Name,
        fragment: &InlineFragment,
        out: &mut SelectionSet,
    ) -> bool {
        if self.graph.is_abstract(parent_type)
            || fields_at(&fragment.selections, parent_type).is_empty()
        {
            return false;
        }
        let targets = self.graph.entity_targets(parent_type);
        if targets.is_empty() {
            return false;
        }
        let saved = (self.groups.clone(), self.touched.clone());
        let mut attempt = out.clone();
        let selection = Selection::InlineFragment(fragment.clone());
        match self.plan_jump(at, parent_type, &targets, &selection, &mut attempt) {
            Ok(()) => {
                *out = attempt;
                true
            }
            Err(_) => {
                (self.groups, self.touched) = saved;
                false
            }
        }
    }
}
