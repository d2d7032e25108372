//! A subgraph may define the federation directives it uses (Federation 1
//! subgraphs and tools generating SDL often do); such a definition must
//! agree with the federation spec on the types of the arguments it
//! declares, or the subgraph would read them differently from the
//! supergraph (DIRECTIVE_DEFINITION_INVALID).

use apollo_compiler::ast::{Definition, Document, Type};

use super::link::{FedDirective, FederationLink};
use super::location_of;
use crate::compose::CompositionError;

/// What an argument of a federation directive must be.
#[derive(Clone, Copy)]
enum Expected {
    /// A field set: `FieldSet!`, `_FieldSet!`, `federation__FieldSet!`,
    /// or any other required type.
    FieldSet,
    /// Exactly this type.
    Exactly(&'static str),
}

/// The arguments of a federation directive whose types are checked.
fn spec_arguments(directive: FedDirective) -> &'static [(&'static str, Expected)] {
    use Expected::{Exactly, FieldSet};
    match directive {
        FedDirective::Key => &[("fields", FieldSet), ("resolvable", Exactly("Boolean"))],
        FedDirective::Requires | FedDirective::Provides => &[("fields", FieldSet)],
        FedDirective::Tag => &[("name", Exactly("String!"))],
        FedDirective::Override => &[("from", Exactly("String!")), ("label", Exactly("String"))],
        FedDirective::Context => &[("name", Exactly("String!"))],
        FedDirective::Cost => &[("weight", Exactly("Int!"))],
        _ => &[],
    }
}

/// Every federation directive definition of `document` with an argument
/// of the wrong type.
pub(super) fn check_definitions(
    document: &Document,
    link: &FederationLink,
    subgraph: &str,
) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for definition in &document.definitions {
        let Definition::DirectiveDefinition(def) = definition else {
            continue;
        };
        let Some(meaning) = link.meaning(def.name.as_str()) else {
            continue;
        };
        for arg in &def.arguments {
            let Some((_, expected)) = spec_arguments(meaning)
                .iter()
                .find(|(name, _)| *name == arg.name.as_str())
            else {
                continue;
            };
            if !matches(*expected, &arg.ty) {
                let wanted = match expected {
                    Expected::FieldSet => "FieldSet!".to_string(),
                    Expected::Exactly(ty) => (*ty).to_string(),
                };
                let message = format!(
                    "Directive \"@{}\" is defined with argument \"{}: {}\", but federation's \"{}\" argument is of type {wanted}",
                    def.name, arg.name, arg.ty, arg.name
                );
                errors.push(
                    CompositionError::new("DIRECTIVE_DEFINITION_INVALID", message)
                        .at(subgraph, location_of(arg.location(), &document.sources)),
                );
            }
        }
    }
    errors
}

fn matches(expected: Expected, ty: &Type) -> bool {
    match expected {
        Expected::Exactly(wanted) => ty.to_string() == wanted,
        // Apollo only insists that a field set be required: `String!`,
        // `FieldSet!` and even `Int!` are taken (a value that does not fit
        // is then INVALID_GRAPHQL where the directive is applied).
        Expected::FieldSet => ty.is_non_null(),
    }
}
