//! Turning apollo-compiler's executable selections (with named fragments)
//! into our [`SelectionSet`] tree, fragment spreads inlined as inline
//! fragments, `@skip`/`@include` kept as [`Condition`]s and `@defer` as
//! [`Defer`] (each deferred fragment numbered in document order).

use apollo_compiler::ast::Value;
use apollo_compiler::executable::{self as exe, ExecutableDocument, FieldSet, Operation};
use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;

use super::selection::{Condition, Defer, Field, InlineFragment, Selection, SelectionSet};

/// Normalises the selections of an operation.
pub(super) fn normalize_operation(
    _schema: &Valid<Schema>,
    document: &Valid<ExecutableDocument>,
    operation: &Operation,
) -> SelectionSet {
    Normalizer {
        document: Some(document),
        next_defer: 0,
    }
    .convert(&operation.selection_set)
}

/// Normalises a field set (`@key`, `@requires`, `@provides`).
pub fn normalize_field_set(field_set: &FieldSet) -> SelectionSet {
    Normalizer {
        document: None,
        next_defer: 0,
    }
    .convert(&field_set.selection_set)
}

struct Normalizer<'d> {
    document: Option<&'d ExecutableDocument>,
    /// The id the next deferred fragment gets.
    next_defer: usize,
}

impl Normalizer<'_> {
    fn convert(&mut self, set: &exe::SelectionSet) -> SelectionSet {
        let mut converted = SelectionSet::with_capacity(set.selections.len());
        let mut conditional_leaf = false;
        for selection in &set.selections {
            if let Some(selection) = self.convert_one(selection) {
                conditional_leaf |= leaf_with_conditions(&selection, true);
                converted.push(selection);
            }
        }
        if conditional_leaf {
            drop_covered_conditional_leaves(&mut converted);
        }
        converted
    }

    fn convert_one(&mut self, selection: &exe::Selection) -> Option<Selection> {
        if switched_off(selection.directives()) {
            return None;
        }
        Some(match selection {
            exe::Selection::Field(field) => Selection::Field(Field {
                alias: field.alias.clone(),
                name: field.name.clone(),
                arguments: field.arguments.clone(),
                conditions: conditions(&field.directives),
                ty: field.definition.ty.clone(),
                selections: self.convert(&field.selection_set),
                denied: None,
                rewrite: None,
            }),
            exe::Selection::InlineFragment(fragment) => {
                let defer = self.defer(&fragment.directives);
                Selection::InlineFragment(InlineFragment {
                    type_condition: fragment.type_condition.clone(),
                    conditions: conditions(&fragment.directives),
                    defer,
                    selections: self.convert(&fragment.selection_set),
                })
            }
            exe::Selection::FragmentSpread(spread) => {
                let fragment = self.document?.fragments.get(&spread.fragment_name)?;
                let defer = self.defer(&spread.directives);
                Selection::InlineFragment(InlineFragment {
                    type_condition: Some(fragment.type_condition().clone()),
                    conditions: conditions(&spread.directives),
                    defer,
                    selections: self.convert(&fragment.selection_set),
                })
            }
        })
    }

    /// The fragment's `@defer`, unless it has none or `if: false`.
    fn defer(&mut self, directives: &exe::DirectiveList) -> Option<Defer> {
        let directive = directives.get("defer")?;
        let if_variable = match directive
            .specified_argument_by_name("if")
            .map(|v| v.as_ref())
        {
            Some(Value::Boolean(false)) => return None,
            Some(Value::Variable(name)) => Some(name.clone()),
            _ => None,
        };
        let label = directive
            .specified_argument_by_name("label")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let id = self.next_defer;
        self.next_defer += 1;
        Some(Defer {
            id,
            label,
            if_variable,
        })
    }
}

/// Drops a conditional leaf field when the same set also selects it (same
/// response key, name and arguments) without conditions: the field is in
/// the response either way (CollectFields merges them), and a conditional
/// copy would only cost a fetch of its own. Called only for sets with a
/// conditional leaf (few), so the others allocate nothing more.
fn drop_covered_conditional_leaves(set: &mut SelectionSet) {
    let covered: Vec<bool> = set
        .iter()
        .map(|selection| match selection {
            Selection::Field(field) if leaf_with_conditions(selection, true) => {
                set.iter().any(|other| match other {
                    Selection::Field(plain) if leaf_with_conditions(other, false) => {
                        plain.response_key() == field.response_key()
                            && plain.name == field.name
                            && plain.arguments == field.arguments
                    }
                    _ => false,
                })
            }
            _ => false,
        })
        .collect();
    let mut index = 0;
    set.retain(|_| {
        let keep = !covered[index];
        index += 1;
        keep
    });
}

/// `selection` is a leaf field with (`conditional`) or without conditions.
fn leaf_with_conditions(selection: &Selection, conditional: bool) -> bool {
    matches!(selection, Selection::Field(f)
        if f.selections.is_empty() && f.conditions.is_empty() != conditional)
}

/// The `@skip`/`@include` conditions that depend on variables; literal
/// ones are settled here (see [`switched_off`]): `@include(if: true)` and
/// `@skip(if: false)` change nothing and are dropped.
fn conditions(directives: &exe::DirectiveList) -> Vec<Condition> {
    directives
        .iter()
        .filter(|d| d.name == "skip" || d.name == "include")
        .filter_map(|d| {
            let value = d.specified_argument_by_name("if")?.clone();
            if matches!(value.as_ref(), Value::Boolean(_)) {
                return None;
            }
            Some(Condition {
                include: d.name == "include",
                value,
            })
        })
        .collect()
}

/// A selection a literal `@include(if: false)` or `@skip(if: true)` turns
/// off: it is dropped before planning, as if it were not there.
fn switched_off(directives: &exe::DirectiveList) -> bool {
    directives.iter().any(|d| {
        let literal = d.specified_argument_by_name("if").and_then(|v| v.to_bool());
        matches!(
            (d.name.as_str(), literal),
            ("include", Some(false)) | ("skip", Some(true))
        )
    })
}
