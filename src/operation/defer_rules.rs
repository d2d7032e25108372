//! Validation rules of `@defer` that apollo-compiler does not apply (it
//! only checks the directive against its definition): a label must be a
//! static string and unique in the document, and a mutation's root
//! selection set cannot defer (its fields run in order, all of them).

use apollo_compiler::ast::{OperationType, Value};
use apollo_compiler::executable::{self as exe, ExecutableDocument, Operation};
use apollo_compiler::response::GraphQLError;
use apollo_compiler::Node;

/// The `@defer` rule violations of a document, for the operation that runs.
pub(super) fn check(document: &ExecutableDocument, operation: &Operation) -> Vec<GraphQLError> {
    let mut errors = Vec::new();
    let mut labels: Vec<String> = Vec::new();
    let sets = document
        .operations
        .iter()
        .map(|o| &o.selection_set)
        .chain(document.fragments.values().map(|f| &f.selection_set));
    for set in sets {
        for directive in defer_directives(set) {
            check_label(document, directive, &mut labels, &mut errors);
        }
    }
    if operation.operation_type == OperationType::Mutation {
        check_root(
            document,
            &operation.selection_set,
            &mut Vec::new(),
            &mut errors,
        );
    }
    errors
}

fn check_label(
    document: &ExecutableDocument,
    directive: &Node<exe::Directive>,
    labels: &mut Vec<String>,
    errors: &mut Vec<GraphQLError>,
) {
    let Some(label) = directive.specified_argument_by_name("label") else {
        return;
    };
    let error = |message: &str| GraphQLError::new(message, label.location(), &document.sources);
    match label.as_ref() {
        Value::String(text) if labels.contains(text) => errors.push(error(
            "The label of a @defer directive must be unique in the document.",
        )),
        Value::String(text) => labels.push(text.clone()),
        Value::Null => {}
        _ => errors.push(error(
            "The label of a @defer directive must be a static string, not a variable.",
        )),
    }
}

/// Every `@defer` in a selection set (nested ones included, not through spreads).
fn defer_directives(set: &exe::SelectionSet) -> Vec<&Node<exe::Directive>> {
    let mut found = Vec::new();
    for selection in &set.selections {
        match selection {
            exe::Selection::Field(field) => found.extend(defer_directives(&field.selection_set)),
            exe::Selection::InlineFragment(fragment) => {
                found.extend(fragment.directives.get("defer"));
                found.extend(defer_directives(&fragment.selection_set));
            }
            exe::Selection::FragmentSpread(spread) => found.extend(spread.directives.get("defer")),
        }
    }
    found
}

/// Fragments directly in the mutation's root selection set must not defer.
fn check_root(
    document: &ExecutableDocument,
    set: &exe::SelectionSet,
    visited: &mut Vec<exe::Name>,
    errors: &mut Vec<GraphQLError>,
) {
    for selection in &set.selections {
        let (directives, inner) = match selection {
            exe::Selection::Field(_) => continue,
            exe::Selection::InlineFragment(fragment) => {
                (&fragment.directives, &fragment.selection_set)
            }
            exe::Selection::FragmentSpread(spread) => {
                let Some(fragment) = document.fragments.get(&spread.fragment_name) else {
                    continue;
                };
                if visited.contains(&spread.fragment_name) {
                    continue;
                }
                visited.push(spread.fragment_name.clone());
                (&spread.directives, &fragment.selection_set)
            }
        };
        if let Some(directive) = directives.get("defer") {
            errors.push(GraphQLError::new(
                "@defer cannot be used on the root selection set of a mutation: its fields run in order.",
                directive.location(),
                &document.sources,
            ));
        }
        check_root(document, inner, visited, errors);
    }
}
