//! `@shareable` once per place: its definition is repeatable (so that a
//! type definition and each of its extensions may carry it), yet applying
//! it twice to one type block or one field is a mistake Apollo refuses
//! (`INVALID_SHAREABLE_USAGE`).

use apollo_compiler::ast::{DirectiveList, Document};

use super::block::Block;
use super::link::{FedDirective, FederationLink};
use super::location_of;
use crate::compose::CompositionError;

/// Every block or field of `document` with `@shareable` applied twice.
pub(super) fn check_repeated_shareable(
    document: &Document,
    link: &FederationLink,
    subgraph: &str,
) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for block in document.definitions.iter().filter_map(Block::of) {
        if let Some(second) = second_shareable(block.directives, link) {
            errors.push(duplicate(
                format!("the type declaration of \"{}\"", block.name),
                second,
                document,
                subgraph,
            ));
        }
        for field in block.fields {
            if let Some(second) = second_shareable(&field.directives, link) {
                errors.push(duplicate(
                    format!("field \"{}.{}\"", block.name, field.name),
                    second,
                    document,
                    subgraph,
                ));
            }
        }
    }
    errors
}

/// The second `@shareable` (by whatever local name) in `directives`.
fn second_shareable<'d>(
    directives: &'d DirectiveList,
    link: &FederationLink,
) -> Option<&'d apollo_compiler::Node<apollo_compiler::ast::Directive>> {
    directives
        .iter()
        .filter(|d| link.meaning(&d.name) == Some(FedDirective::Shareable))
        .nth(1)
}

fn duplicate(
    what: String,
    at: &apollo_compiler::Node<apollo_compiler::ast::Directive>,
    document: &Document,
    subgraph: &str,
) -> CompositionError {
    let location = location_of(at.location(), &document.sources);
    CompositionError::new(
        "INVALID_SHAREABLE_USAGE",
        format!(
            "@shareable is applied twice to {what} in subgraph \"{subgraph}\": it may mark a type definition and each of its extensions once, never one place twice"
        ),
    )
    .at(subgraph, location)
}
