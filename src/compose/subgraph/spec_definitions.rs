//! The definitions a subgraph's SDL uses but does not write: its
//! federation directives under their local names (imported, renamed or
//! namespaced), with the arguments and locations the federation version
//! it links gives them, the spec's scalars (`FieldSet`, `Scope` …),
//! `@link` and its types, and the `_Any`/`_Service` machinery. Added to
//! the subgraph so it can be validated as a GraphQL schema
//! (`graphql_rules`). A definition the subgraph gives itself is never
//! added again: the subgraph's own is the one validated against.

use std::collections::HashSet;
use std::fmt::Write;

use apollo_compiler::ast::{Definition, Document};

use super::link::{FedDirective, FederationLink, SPEC_TYPES};

/// Where `@tag` and `@inaccessible` may go (Federation 2.0).
const EVERYWHERE: &str = "FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION";
/// Where the access control directives may go.
const ACCESS: &str = "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM";

/// SDL of every definition `document` needs and lacks.
pub(super) fn missing_definitions(document: &Document, link: &FederationLink) -> String {
    let defined = defined_names(document);
    let mut sdl = String::new();
    let mut directives: Vec<(&str, FedDirective)> = link
        .local_names()
        .filter(|(name, meaning)| link.available(*meaning) && !defined.contains(*name))
        .collect();
    directives.sort_unstable_by_key(|(name, _)| *name);
    for (name, meaning) in directives {
        let _ = writeln!(sdl, "directive @{name}{}", signature(meaning, link));
    }
    let minor = link.version.minor.unwrap_or(0);
    let spec_types = SPEC_TYPES
        .into_iter()
        .filter(|(_, since)| *since <= minor)
        .filter_map(|(name, _)| link.type_name(name));
    let mut scalars: Vec<&str> = spec_types.chain(["_Any", "link__Import"]).collect();
    if link.version.is_fed1() {
        // Federation 1 subgraphs may name `_Entity` without defining it.
        scalars.push("_Entity");
    }
    for scalar in scalars.into_iter().filter(|name| !defined.contains(*name)) {
        let _ = writeln!(sdl, "scalar {scalar}");
    }
    let machinery = [
        ("_Service", "type _Service { sdl: String }"),
        ("link__Purpose", "enum link__Purpose { SECURITY EXECUTION }"),
        ("link", "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA"),
    ];
    for (name, definition) in machinery {
        if !defined.contains(name) {
            let _ = writeln!(sdl, "{definition}");
        }
    }
    sdl
}

/// Names of the directives and types `document` defines or extends.
fn defined_names(document: &Document) -> HashSet<&str> {
    document
        .definitions
        .iter()
        .filter_map(|definition| match definition {
            Definition::DirectiveDefinition(d) => Some(d.name.as_str()),
            _ => definition.name().map(|name| name.as_str()),
        })
        .collect()
}

/// Arguments, repeatability and locations of a federation directive in
/// the version `link` targets.
fn signature(directive: FedDirective, link: &FederationLink) -> String {
    let minor = link.version.minor.unwrap_or(0);
    let ty = |name: &str| link.type_name(name).unwrap_or(name).to_string();
    let field_set = ty("FieldSet");
    match directive {
        FedDirective::Key => format!(
            "(fields: {field_set}!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE"
        ),
        FedDirective::Requires | FedDirective::Provides => {
            format!("(fields: {field_set}!) on FIELD_DEFINITION")
        }
        FedDirective::External => "(reason: String) on OBJECT | FIELD_DEFINITION".to_string(),
        FedDirective::Shareable if minor >= 2 => " repeatable on OBJECT | FIELD_DEFINITION".into(),
        FedDirective::Shareable => " on OBJECT | FIELD_DEFINITION".to_string(),
        FedDirective::Tag if minor >= 3 => {
            format!("(name: String!) repeatable on {EVERYWHERE} | SCHEMA")
        }
        FedDirective::Tag => format!("(name: String!) repeatable on {EVERYWHERE}"),
        FedDirective::Inaccessible => format!(" on {EVERYWHERE}"),
        FedDirective::Override if minor >= 7 => {
            "(from: String!, label: String) on FIELD_DEFINITION".to_string()
        }
        FedDirective::Override => "(from: String!) on FIELD_DEFINITION".to_string(),
        FedDirective::InterfaceObject => " on OBJECT".to_string(),
        FedDirective::Extends => " on OBJECT | INTERFACE".to_string(),
        FedDirective::ComposeDirective => "(name: String) repeatable on SCHEMA".to_string(),
        FedDirective::Authenticated => format!(" on {ACCESS}"),
        FedDirective::RequiresScopes => {
            format!("(scopes: [[{}!]!]!) on {ACCESS}", ty("Scope"))
        }
        FedDirective::Policy => format!("(policies: [[{}!]!]!) on {ACCESS}", ty("Policy")),
        FedDirective::Context => "(name: String!) repeatable on INTERFACE | OBJECT | UNION".into(),
        FedDirective::FromContext => {
            format!("(field: {}) on ARGUMENT_DEFINITION", ty("ContextFieldValue"))
        }
        FedDirective::Cost => "(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR".to_string(),
        FedDirective::ListSize => "(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION".to_string(),
        FedDirective::CacheTag => "(format: String!) repeatable on OBJECT | FIELD_DEFINITION".to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn added(sdl: &str) -> String {
        let document = Document::parse(sdl, "test.graphql").unwrap();
        let link = FederationLink::read(&document, "a").unwrap();
        missing_definitions(&document, &link)
    }

    fn link(version: &str, imports: &str) -> String {
        format!("extend schema @link(url: \"https://specs.apollo.dev/federation/{version}\", import: [{imports}])\ntype Query {{ a: Int }}")
    }

    #[test]
    fn federation_1_gets_the_federation_1_directives_only() {
        let sdl = added("type Query { a: Int }");
        assert!(sdl.contains("directive @key(fields: _FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE"), "{sdl}");
        assert!(sdl.contains("scalar _FieldSet\n"), "{sdl}");
        assert!(sdl.contains("scalar _Entity\n"), "{sdl}");
        assert!(!sdl.contains("@shareable"), "{sdl}");
        assert!(!sdl.contains("@inaccessible"), "{sdl}");
    }

    #[test]
    fn imports_get_their_local_names_and_the_version_s_signature() {
        let v20 = added(&link(
            "v2.0",
            r#"{name: "@shareable", as: "@share"}, "FieldSet""#,
        ));
        assert!(
            v20.contains("directive @share on OBJECT | FIELD_DEFINITION\n"),
            "{v20}"
        );
        assert!(!v20.contains("@federation__shareable"), "{v20}");
        assert!(
            v20.contains("directive @federation__key(fields: FieldSet!"),
            "{v20}"
        );
        assert!(!v20.contains("interfaceObject"), "{v20}");
        let v27 = added(&link("v2.7", r#""@shareable", "@override""#));
        assert!(
            v27.contains("directive @shareable repeatable on OBJECT | FIELD_DEFINITION\n"),
            "{v27}"
        );
        assert!(
            v27.contains("directive @override(from: String!, label: String) on FIELD_DEFINITION\n"),
            "{v27}"
        );
        assert!(v27.contains("scalar federation__Policy\n"), "{v27}");
    }

    #[test]
    fn definitions_the_subgraph_writes_are_not_added() {
        let sdl = added(&format!(
            "{}\nscalar FieldSet\ndirective @key(fields: FieldSet!) repeatable on OBJECT\ntype _Service {{ sdl: String }}",
            link("v2.3", r#""@key", "FieldSet""#)
        ));
        assert!(!sdl.contains("directive @key("), "{sdl}");
        assert!(!sdl.contains("scalar FieldSet\n"), "{sdl}");
        assert!(!sdl.contains("_Service"), "{sdl}");
        assert!(sdl.contains("directive @link("), "{sdl}");
    }
}
