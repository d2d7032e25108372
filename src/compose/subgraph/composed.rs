//! `@composeDirective(name: "@x")`: the custom directives a subgraph keeps
//! in the supergraph. Each must be imported by a `@link` to a feature
//! other than federation's (its identity and version travel with it) and
//! defined in the subgraph; built-in and federation directives cannot be
//! composed.

use apollo_compiler::ast::{Definition, Directive, Document};
use apollo_compiler::Node;

use super::link::{imports, schema_links, FedDirective, FederationLink, FEDERATION_IDENTITY};
use super::location_of;
use crate::compose::model::ComposedDirective;
use crate::compose::CompositionError;

const CODE: &str = "DIRECTIVE_COMPOSITION_ERROR";
const BUILT_IN: [&str; 5] = ["deprecated", "specifiedBy", "skip", "include", "oneOf"];

/// The directives `subgraph` composes, or why one of them cannot be.
pub(super) fn read_composed(
    document: &Document,
    link: &FederationLink,
    subgraph: &str,
) -> Result<Vec<ComposedDirective>, Vec<CompositionError>> {
    let mut composed: Vec<ComposedDirective> = Vec::new();
    let mut errors = Vec::new();
    for directive in compose_directives(document, link) {
        match read_one(document, link, directive) {
            Ok(read) if composed.iter().any(|c| c.name == read.name) => {}
            Ok(read) => composed.push(read),
            Err(message) => errors.push(CompositionError::new(CODE, message).at(
                subgraph,
                location_of(directive.location(), &document.sources),
            )),
        }
    }
    if errors.is_empty() {
        Ok(composed)
    } else {
        Err(errors)
    }
}

/// Every `@composeDirective` (whatever its local name) on the schema.
fn compose_directives<'d>(
    document: &'d Document,
    link: &FederationLink,
) -> Vec<&'d Node<Directive>> {
    let is_compose =
        |d: &Node<Directive>| link.meaning(d.name.as_str()) == Some(FedDirective::ComposeDirective);
    document
        .definitions
        .iter()
        .flat_map(|definition| match definition {
            Definition::SchemaDefinition(d) => {
                d.directives.iter().filter(|d| is_compose(d)).collect()
            }
            Definition::SchemaExtension(d) => {
                d.directives.iter().filter(|d| is_compose(d)).collect()
            }
            _ => Vec::new(),
        })
        .collect()
}

fn read_one(
    document: &Document,
    link: &FederationLink,
    directive: &Node<Directive>,
) -> Result<ComposedDirective, String> {
    let Some(argument) = directive
        .specified_argument_by_name("name")
        .and_then(|v| v.as_str())
    else {
        return Err("@composeDirective needs a string \"name\" argument, as in @composeDirective(name: \"@myDirective\")".to_string());
    };
    let Some(name) = argument.strip_prefix('@') else {
        return Err(format!(
            "@composeDirective(name: \"{argument}\"): the name must start with \"@\" (\"@{argument}\")"
        ));
    };
    if link.meaning(name).is_some() || BUILT_IN.contains(&name) {
        return Err(format!(
            "@composeDirective(name: \"@{name}\"): \"@{name}\" is a built-in or federation directive, which the supergraph carries by its own rules"
        ));
    }
    let (spec_name, url) = linked_import(document, name)?.ok_or_else(|| {
        format!("Directive \"@{name}\" cannot be composed: no @link to a feature imports it (add it to the `import:` of its feature's @link)")
    })?;
    let (identity, major, minor) = split_versioned_url(url)
        .ok_or_else(|| format!("Directive \"@{name}\" cannot be composed: the url \"{url}\" of its @link does not end in a version vMAJOR.MINOR"))?;
    let definition = directive_definition(document, name).ok_or_else(|| {
        format!("Directive \"@{name}\" cannot be composed: the subgraph does not define it (add its `directive @{name} … on …` definition)")
    })?;
    Ok(ComposedDirective {
        name: definition.name.clone(),
        spec_name: spec_name.to_string(),
        identity: identity.to_string(),
        major,
        minor,
        url: url.to_string(),
        location: location_of(directive.location(), &document.sources),
        definition,
    })
}

/// The (spec name, link url) of the non-federation `@link` importing `@name`.
fn linked_import<'d>(
    document: &'d Document,
    name: &str,
) -> Result<Option<(&'d str, &'d str)>, String> {
    for link in schema_links(document) {
        let Some(url) = link
            .specified_argument_by_name("url")
            .and_then(|v| v.as_str())
        else {
            continue;
        };
        if url.starts_with(FEDERATION_IDENTITY) {
            continue;
        }
        if let Some((spec_name, _)) = imports(link)?.into_iter().find(|(_, local)| *local == name) {
            return Ok(Some((spec_name, url)));
        }
    }
    Ok(None)
}

/// `https://x.dev/feature/v1.2` → (`https://x.dev/feature`, 1, 2).
fn split_versioned_url(url: &str) -> Option<(&str, u32, u32)> {
    let (identity, version) = url.trim_end_matches('/').rsplit_once('/')?;
    let (major, minor) = version.strip_prefix('v')?.split_once('.')?;
    Some((identity, major.parse().ok()?, minor.parse().ok()?))
}

fn directive_definition(
    document: &Document,
    name: &str,
) -> Option<Node<apollo_compiler::ast::DirectiveDefinition>> {
    document.definitions.iter().find_map(|d| match d {
        Definition::DirectiveDefinition(d) if d.name == name => Some(d.clone()),
        _ => None,
    })
}
