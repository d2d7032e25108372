//! A subgraph must be a valid GraphQL schema (the type system rules of
//! the spec, §3): implementations satisfy their interfaces, default
//! values fit their types, every named type and directive exists,
//! nothing is defined twice, directive applications have the arguments
//! and locations their definitions allow. The subgraph is validated with
//! the federation definitions it uses but does not write
//! (`spec_definitions`), extensions of types it does not define are
//! accepted (as federation does), and every violation is an
//! `INVALID_GRAPHQL` located in the subgraph's SDL.

use std::collections::HashSet;

use apollo_compiler::ast::{Definition, DirectiveList, Document, InputValueDefinition};
use apollo_compiler::diagnostic::{Diagnostic, ToCliReport};
use apollo_compiler::parser::SourceSpan;
use apollo_compiler::validation::{DiagnosticData, DiagnosticList};
use apollo_compiler::{Node, Schema};

use super::block::Block;
use super::input_values;
use super::link::{FedDirective, FederationLink};
use super::location_of;
use super::spec_definitions::missing_definitions;
use crate::compose::model::Location;
use crate::compose::CompositionError;

const CODE: &str = "INVALID_GRAPHQL";

/// Every GraphQL validation error of `document` (empty when valid).
pub(super) fn check(
    document: &Document,
    link: &FederationLink,
    subgraph: &str,
) -> Vec<CompositionError> {
    let added = missing_definitions(document, link);
    let built = Schema::builder()
        .adopt_orphan_extensions()
        .ignore_builtin_redefinitions()
        .add_ast(document)
        .parse(added, "federation definitions")
        .build();
    let mut errors = Vec::new();
    let schema = match built {
        Ok(schema) => schema,
        Err(with_errors) => {
            errors.extend(report(&with_errors.errors, document, link, subgraph));
            with_errors.partial
        }
    };
    let schema = match schema.validate() {
        Ok(valid) => valid.into_inner(),
        Err(with_errors) => {
            for error in report(&with_errors.errors, document, link, subgraph) {
                if !errors.contains(&error) {
                    errors.push(error);
                }
            }
            with_errors.partial
        }
    };
    let own = |def: &Node<InputValueDefinition>| {
        def.location()
            .is_some_and(|span| document.sources.contains_key(&span.file_id()))
    };
    errors.extend(input_values::check(&schema, own, subgraph));
    errors.extend(built_in_extensions(document, subgraph));
    errors
}

/// `extend scalar String …`: the built-in scalars cannot be extended.
fn built_in_extensions(document: &Document, subgraph: &str) -> Vec<CompositionError> {
    document
        .definitions
        .iter()
        .filter_map(|definition| match definition {
            Definition::ScalarTypeExtension(ext) => Some(&ext.name),
            _ => None,
        })
        .filter(|name| matches!(name.as_str(), "Int" | "Float" | "String" | "Boolean" | "ID"))
        .map(|name| {
            let message = format!("Cannot extend built-in type \"{name}\"");
            let location = location_of(name.location(), &document.sources);
            CompositionError::new(CODE, message).at(subgraph, location)
        })
        .collect()
}

fn report(
    diagnostics: &DiagnosticList,
    document: &Document,
    link: &FederationLink,
    subgraph: &str,
) -> Vec<CompositionError> {
    let null_arguments = null_directive_arguments(document);
    diagnostics
        .iter()
        .filter(|d| match d.error.unstable_error_name() {
            // A subgraph may leave its query type to federation
            // (`_service`); federation also accepts directive definitions
            // that use themselves and repeated argument names.
            Some(
                "QueryRootOperationType" | "RecursiveDirectiveDefinition" | "UniqueInputValue",
            ) => false,
            // … and a second `schema` definition.
            None => !d
                .error
                .to_string()
                .starts_with("must not have multiple `schema`"),
            // An explicit `null` given to a directive is left to the
            // federation rules of that directive (`KEY_INVALID_FIELDS_TYPE`
            // …), as Apollo does.
            Some("UnsupportedValueType") => d
                .error
                .location()
                .is_none_or(|span| !null_arguments.values.contains(&span)),
            Some("RequiredArgument") => {
                let compat = d.error.unstable_compat_message().unwrap_or_default();
                let argument = compat.split('"').nth(3).unwrap_or_default();
                d.error.location().is_none_or(|span| {
                    !null_arguments
                        .directives
                        .contains(&(span, argument.to_string()))
                })
            }
            _ => true,
        })
        .map(|d| {
            let error = CompositionError::new(CODE, message(&d, link));
            match location(&d, document) {
                Some(location) => error.at(subgraph, location),
                None => error,
            }
        })
        .collect()
}

/// The `null`s given to directive arguments.
struct NullArguments {
    /// Where each `null` value is.
    values: HashSet<SourceSpan>,
    /// Where each directive given one is, with the argument's name.
    directives: HashSet<(SourceSpan, String)>,
}

fn null_directive_arguments(document: &Document) -> NullArguments {
    let mut lists: Vec<&DirectiveList> = Vec::new();
    for definition in &document.definitions {
        lists.push(definition.directives());
        let Some(block) = Block::of(definition) else {
            continue;
        };
        for field in block.fields {
            lists.push(&field.directives);
            lists.extend(field.arguments.iter().map(|arg| &arg.directives));
        }
        lists.extend(block.input_fields.iter().map(|field| &field.directives));
        lists.extend(block.values.iter().map(|value| &value.directives));
    }
    let mut nulls = NullArguments {
        values: HashSet::new(),
        directives: HashSet::new(),
    };
    for directive in lists.into_iter().flat_map(|list| list.iter()) {
        for arg in directive.arguments.iter().filter(|arg| arg.value.is_null()) {
            nulls.values.extend(arg.value.location());
            if let Some(span) = directive.location() {
                nulls.directives.insert((span, arg.name.to_string()));
            }
        }
    }
    nulls
}

/// Where in the subgraph's own SDL (not in the added definitions).
fn location(diagnostic: &Diagnostic<'_, DiagnosticData>, document: &Document) -> Option<Location> {
    let span = diagnostic.error.location()?;
    if !document.sources.contains_key(&span.file_id()) {
        return None;
    }
    let start = diagnostic.line_column_range()?.start;
    Some(Location {
        line: start.line,
        column: start.column,
    })
}

/// The message GraphQL tools print (graphql-js wording where the
/// validator has one), with a hint when an unknown directive is a
/// federation directive under another name.
fn message(diagnostic: &Diagnostic<'_, DiagnosticData>, link: &FederationLink) -> String {
    let compat = diagnostic.error.unstable_compat_message();
    match diagnostic.error.unstable_error_name() {
        Some("UndefinedDirective") => {
            let name = compat.as_deref().and_then(quoted).unwrap_or_default();
            unknown_directive(name.trim_start_matches('@'), link)
        }
        Some("UndefinedDefinition") => {
            let name = compat.as_deref().and_then(quoted).unwrap_or_default();
            format!("Unknown type {name}")
        }
        Some("UndefinedArgument") => compat
            .unwrap_or_default()
            .replace("on field \"@", "on directive \"@"),
        Some(name @ ("MissingInterfaceField" | "TransitiveImplementedInterfaces")) => {
            let display = diagnostic.error.to_string();
            let mut names = display.split('`').skip(1).step_by(2);
            match (name, names.next(), names.next(), names.next()) {
                ("MissingInterfaceField", Some(ty), Some(interface), Some(field)) => format!(
                    "Interface field {interface}.{field} expected but {ty} does not provide it."
                ),
                (_, Some(ty), Some(through), Some(interface)) => format!(
                    "Type {ty} must implement {interface} because it is implemented by {through}."
                ),
                _ => display,
            }
        }
        _ => compat.unwrap_or_else(|| capitalized(&diagnostic.error.to_string())),
    }
}

fn capitalized(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The first `"…"` of a message.
fn quoted(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once('"')?;
    Some(rest.split_once('"')?.0)
}

fn unknown_directive(name: &str, link: &FederationLink) -> String {
    let renamed = link
        .local_names()
        .filter(|(local, meaning)| {
            meaning.spec_name() == name && *local != name && !local.contains("__")
        })
        .map(|(local, _)| local)
        .next();
    let fed2_only = FedDirective::ALL
        .into_iter()
        .any(|d| d.spec_name() == name && !link.available(d));
    if let Some(local) = renamed {
        format!("Unknown directive \"@{name}\": this subgraph imports the federation directive \"@{name}\" under the name \"@{local}\"; use that name")
    } else if link.is_unimported(name) {
        format!(
            "Unknown directive \"@{name}\": a federation 2 subgraph must import it in its federation @link, or use it as \"@{}__{name}\"",
            link.prefix
        )
    } else if fed2_only && link.version.is_fed1() {
        format!("Unknown directive \"@{name}\": \"@{name}\" is a federation 2 directive, and this subgraph is a federation 1 schema (it has no @link to the federation spec v2)")
    } else if fed2_only {
        format!("Unknown directive \"@{name}\": the federation version this subgraph links does not have \"@{name}\"")
    } else {
        format!("Unknown directive \"@{name}\".")
    }
}
