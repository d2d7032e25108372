//! The parser's and validator's diagnostics as the client sees them: one
//! syntax error (the first; what follows it is mostly the parser losing
//! its way), and no "must have a subselection set" for a field whose
//! selection set is there but held only unknown fields (the validator
//! builds the document without them, then finds the set empty; the unknown
//! fields are already reported).

use std::collections::HashSet;

use apollo_compiler::ast::{self, Definition, Selection};
use apollo_compiler::parser::{LineColumn, SourceMap};
use apollo_compiler::response::GraphQLError;
use apollo_compiler::validation::DiagnosticList;

use super::DocumentErrors;

/// The message apollo-compiler gives a field of composite type without a
/// selection set.
const MISSING_SELECTION_SET: &str =
    "interface, union and object types must have a subselection set";

/// The first syntax error alone.
pub fn syntax_errors(errors: &DiagnosticList) -> DocumentErrors {
    DocumentErrors {
        first: errors.iter().take(1).map(|d| d.to_json()).collect(),
        total: errors.len().min(1),
    }
}

/// The first `max` validation errors, less those about a selection set
/// that the document does have. Only the errors kept (and those dropped
/// on the way) are converted: each needs its line and column worked out.
pub fn validation_errors(
    errors: &DiagnosticList,
    ast: &ast::Document,
    max: usize,
) -> DocumentErrors {
    let mut kept: Vec<GraphQLError> = Vec::new();
    let mut with_selections = None;
    let mut dropped = 0;
    for diagnostic in errors.iter() {
        if kept.len() == max {
            break;
        }
        let error = diagnostic.to_json();
        if error.message == MISSING_SELECTION_SET {
            let fields = with_selections.get_or_insert_with(|| fields_with_selections(ast));
            if error
                .locations
                .iter()
                .any(|l| fields.contains(&(l.line, l.column)))
            {
                dropped += 1;
                continue;
            }
        }
        kept.push(error);
    }
    DocumentErrors {
        first: kept,
        total: errors.len() - dropped,
    }
}

/// Where (line, column) each field with a non-empty selection set starts.
fn fields_with_selections(document: &ast::Document) -> HashSet<(usize, usize)> {
    let mut found = HashSet::new();
    let mut pending: Vec<&[Selection]> = Vec::new();
    for definition in &document.definitions {
        match definition {
            Definition::OperationDefinition(operation) => pending.push(&operation.selection_set),
            Definition::FragmentDefinition(fragment) => pending.push(&fragment.selection_set),
            _ => {}
        }
    }
    while let Some(selections) = pending.pop() {
        for selection in selections {
            match selection {
                Selection::Field(field) if !field.selection_set.is_empty() => {
                    if let Some(start) = start_of(field, &document.sources) {
                        found.insert((start.line, start.column));
                    }
                    pending.push(&field.selection_set);
                }
                Selection::Field(_) | Selection::FragmentSpread(_) => {}
                Selection::InlineFragment(inline) => pending.push(&inline.selection_set),
            }
        }
    }
    found
}

fn start_of<T>(node: &apollo_compiler::Node<T>, sources: &SourceMap) -> Option<LineColumn> {
    node.line_column_range(sources).map(|range| range.start)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use apollo_compiler::Schema;

    use super::super::{prepare, OperationError};

    fn errors(query: &str) -> Vec<String> {
        let schema = Schema::parse_and_validate(
            "type Query { product: Product } type Product { name: String owner: User } type User { id: ID }",
            "schema.graphql",
        )
        .unwrap();
        match prepare(&schema, query, None) {
            Err(OperationError::Parse(e) | OperationError::Validation(e)) => {
                assert_eq!(e.total, e.first.len(), "{query}");
                e.first.into_iter().map(|e| e.message).collect()
            }
            other => panic!("{query}: {other:?}"),
        }
    }

    #[test]
    fn a_syntax_error_is_reported_once() {
        assert_eq!(errors("{ product { ").len(), 1);
        assert_eq!(errors("{ product { name } ").len(), 1);
    }

    #[test]
    fn a_selection_set_of_unknown_fields_is_reported_by_its_fields_only() {
        let found = errors("{ product { nope { x } } }");
        assert_eq!(found, ["type `Product` does not have a field `nope`"]);
        let found = errors("{ product { owner { nope } nada } }");
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found.iter().all(|m| m.contains("does not have a field")),
            "{found:?}"
        );
        // A missing selection set is still reported.
        let found = errors("{ product { owner } }");
        assert_eq!(found, [super::MISSING_SELECTION_SET]);
    }
}
