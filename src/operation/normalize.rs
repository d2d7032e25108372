//! Turning apollo-compiler's executable selections (with named fragments)
//! into our [`SelectionSet`] tree, fragment spreads inlined as inline
//! fragments, `@skip`/`@include` kept as [`Condition`]s.

use apollo_compiler::executable::{self as exe, ExecutableDocument, FieldSet, Operation};
use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;

use super::selection::{Condition, Field, InlineFragment, Selection, SelectionSet};

/// Normalises the selections of an operation.
pub(super) fn normalize_operation(
    _schema: &Valid<Schema>,
    document: &Valid<ExecutableDocument>,
    operation: &Operation,
) -> SelectionSet {
    convert(Some(document), &operation.selection_set)
}

/// Normalises a field set (`@key`, `@requires`, `@provides`).
pub fn normalize_field_set(field_set: &FieldSet) -> SelectionSet {
    convert(None, &field_set.selection_set)
}

fn convert(document: Option<&ExecutableDocument>, set: &exe::SelectionSet) -> SelectionSet {
    set.selections
        .iter()
        .filter_map(|selection| match selection {
            exe::Selection::Field(field) => Some(Selection::Field(Field {
                alias: field.alias.clone(),
                name: field.name.clone(),
                arguments: field.arguments.clone(),
                conditions: conditions(&field.directives),
                ty: field.definition.ty.clone(),
                selections: convert(document, &field.selection_set),
            })),
            exe::Selection::InlineFragment(fragment) => {
                Some(Selection::InlineFragment(InlineFragment {
                    type_condition: fragment.type_condition.clone(),
                    conditions: conditions(&fragment.directives),
                    selections: convert(document, &fragment.selection_set),
                }))
            }
            exe::Selection::FragmentSpread(spread) => {
                let fragment = document?.fragments.get(&spread.fragment_name)?;
                Some(Selection::InlineFragment(InlineFragment {
                    type_condition: Some(fragment.type_condition().clone()),
                    conditions: conditions(&spread.directives),
                    selections: convert(document, &fragment.selection_set),
                }))
            }
        })
        .collect()
}

fn conditions(directives: &exe::DirectiveList) -> Vec<Condition> {
    directives
        .iter()
        .filter(|d| d.name == "skip" || d.name == "include")
        .filter_map(|d| {
            let value = d.specified_argument_by_name("if")?.clone();
            Some(Condition {
                include: d.name == "include",
                value,
            })
        })
        .collect()
}
