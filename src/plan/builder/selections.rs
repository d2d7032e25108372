//! Small helpers over selection sets used while planning.

use apollo_compiler::ast::Type;
use apollo_compiler::{name, Name};

use super::super::PathSegment;
use crate::operation::{merge_into, Condition, Field, InlineFragment, Selection, SelectionSet};

/// Fields selected directly at `parent_type` (through condition-less or same-type fragments too).
pub(super) fn fields_at<'s>(set: &'s SelectionSet, parent_type: &Name) -> Vec<&'s Field> {
    let mut fields = Vec::new();
    for selection in set {
        match selection {
            Selection::Field(f) if f.name != "__typename" => fields.push(f),
            Selection::InlineFragment(frag)
                if frag
                    .type_condition
                    .as_ref()
                    .is_none_or(|c| c == parent_type) =>
            {
                fields.extend(fields_at(&frag.selections, parent_type));
            }
            _ => {}
        }
    }
    fields
}

pub(super) fn selection_conditions(selection: &Selection) -> &[Condition] {
    match selection {
        Selection::Field(f) => &f.conditions,
        Selection::InlineFragment(f) => &f.conditions,
    }
}

pub(super) fn selection_name(selection: &Selection) -> String {
    match selection {
        Selection::Field(f) => f.name.to_string(),
        Selection::InlineFragment(f) => f
            .type_condition
            .as_ref()
            .map_or_else(String::new, |t| format!("... on {t}")),
    }
}

pub(super) fn count_fields(set: &SelectionSet) -> usize {
    set.iter()
        .map(|s| match s {
            Selection::Field(f) => 1 + count_fields(&f.selections),
            Selection::InlineFragment(frag) => count_fields(&frag.selections),
        })
        .sum()
}

pub(super) fn typename_field() -> Selection {
    Selection::Field(Field::plain(
        name!("__typename"),
        Type::NonNullNamed(name!("String")),
        Vec::new(),
    ))
}

pub(super) fn push_fragment(
    out: &mut SelectionSet,
    condition: Option<Name>,
    conditions: &[Condition],
    selections: SelectionSet,
) {
    // A fragment left with nothing to select (its type conditions cannot
    // apply here) is dropped: `... on X {}` does not parse.
    if selections.is_empty() {
        return;
    }
    if condition.is_none() && conditions.is_empty() {
        merge_into(out, selections);
        return;
    }
    merge_into(
        out,
        vec![Selection::InlineFragment(InlineFragment {
            type_condition: condition,
            conditions: conditions.to_vec(),
            defer: None,
            selections,
        })],
    );
}

pub(super) fn push_field_path(path: &mut Vec<PathSegment>, field: &Field) {
    path.push(PathSegment::Field(field.response_key().clone()));
    let mut ty = &field.ty;
    while let Type::List(inner) | Type::NonNullList(inner) = ty {
        path.push(PathSegment::List);
        ty = inner;
    }
}
