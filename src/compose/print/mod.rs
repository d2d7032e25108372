//! Writes a [`Supergraph`] in Apollo's supergraph format (brief §1), so our
//! output can be compared byte for byte with Apollo's: the `schema` block
//! with its `@link`s, then every directive definition, then every type
//! (ours and the `join__`/`link__` machinery), each list sorted the way
//! JavaScript's `localeCompare` sorts names ([`collate`]). Blocks are
//! separated by one blank line; the text has no trailing newline.

mod access;
mod collate;
mod custom;
mod graph_names;
mod text;
mod types;

#[cfg(test)]
mod tests;

pub(super) use collate::collate;
pub(super) use graph_names::graph_enum_values;

use super::model::{Graph, JoinVersion, Supergraph};
use text::quoted;

/// The supergraph SDL in Apollo's format (no trailing newline).
pub(super) fn print_supergraph(supergraph: &Supergraph) -> String {
    let mut blocks = vec![schema_block(supergraph)];
    blocks.extend(sorted(directive_definitions(supergraph)));
    blocks.extend(sorted(type_definitions(supergraph)));
    blocks.join("\n\n")
}

/// The definitions' text in collation order of their names.
fn sorted(mut definitions: Vec<(String, String)>) -> Vec<String> {
    definitions.sort_by(|(a, _), (b, _)| collate(a, b));
    definitions.into_iter().map(|(_, text)| text).collect()
}

/// `schema @link(…)… { query: Query … }`.
fn schema_block(supergraph: &Supergraph) -> String {
    let mut links = vec![
        "@link(url: \"https://specs.apollo.dev/link/v1.0\")".to_string(),
        format!(
            "@link(url: \"https://specs.apollo.dev/join/{}\", for: EXECUTION)",
            join_spec(supergraph.join_version)
        ),
    ];
    if supergraph.uses_tag {
        links.push("@link(url: \"https://specs.apollo.dev/tag/v0.3\")".to_string());
    }
    if supergraph.uses_inaccessible {
        links.push(
            "@link(url: \"https://specs.apollo.dev/inaccessible/v0.2\", for: SECURITY)".to_string(),
        );
    }
    if supergraph.uses_context {
        links.push(
            "@link(url: \"https://specs.apollo.dev/context/v0.1\", for: SECURITY)".to_string(),
        );
    }
    links.extend(access::links(supergraph.uses_access));
    links.extend(supergraph.features.iter().map(custom::feature_link));
    let mut out = String::from("schema\n");
    for link in &links {
        out.push_str("  ");
        out.push_str(link);
        out.push('\n');
    }
    out.push_str("{\n  query: Query\n");
    if supergraph.has_mutation {
        out.push_str("  mutation: Mutation\n");
    }
    if supergraph.has_subscription {
        out.push_str("  subscription: Subscription\n");
    }
    out.push('}');
    out
}

/// The join spec version in its URL.
fn join_spec(version: JoinVersion) -> &'static str {
    match version {
        JoinVersion::V0_3 => "v0.3",
        JoinVersion::V0_4 => "v0.4",
        JoinVersion::V0_5 => "v0.5",
    }
}

const JOIN_DIRECTIVE: &str = "directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION";
const JOIN_ENUM_VALUE: &str =
    "directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE";
const JOIN_GRAPH: &str = "directive @join__graph(name: String!, url: String!) on ENUM_VALUE";
const JOIN_IMPLEMENTS: &str = "directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE";
const JOIN_TYPE: &str = "directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR";
const JOIN_UNION_MEMBER: &str =
    "directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION";
const ONE_OF: &str = "directive @oneOf on INPUT_OBJECT";
const CONTEXT: &str = "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION";
const FROM_CONTEXT: &str =
    "directive @context__fromContext(field: context__ContextFieldValue) on ARGUMENT_DEFINITION";
const LINK: &str = "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA";
const INACCESSIBLE: &str = "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION";
const TAG: &str = "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA";

/// Every directive definition with its name, unsorted.
fn directive_definitions(supergraph: &Supergraph) -> Vec<(String, String)> {
    let version = supergraph.join_version;
    let mut definitions = vec![
        ("join__enumValue", JOIN_ENUM_VALUE.to_string()),
        ("join__field", join_field_definition(version)),
        ("join__graph", JOIN_GRAPH.to_string()),
        ("join__implements", JOIN_IMPLEMENTS.to_string()),
        ("join__type", JOIN_TYPE.to_string()),
        ("join__unionMember", JOIN_UNION_MEMBER.to_string()),
        ("link", LINK.to_string()),
    ];
    if version >= JoinVersion::V0_4 {
        definitions.push(("join__directive", JOIN_DIRECTIVE.to_string()));
    }
    if supergraph.uses_inaccessible {
        definitions.push(("inaccessible", INACCESSIBLE.to_string()));
    }
    if supergraph.uses_tag {
        definitions.push(("tag", TAG.to_string()));
    }
    let mut definitions: Vec<(String, String)> = definitions
        .into_iter()
        .map(|(name, text)| (name.to_string(), text))
        .collect();
    if supergraph.uses_one_of {
        definitions.push(("oneOf".to_string(), ONE_OF.to_string()));
    }
    if supergraph.uses_context {
        definitions.push(("context".to_string(), CONTEXT.to_string()));
        definitions.push(("context__fromContext".to_string(), FROM_CONTEXT.to_string()));
    }
    definitions.extend(access::directive_definitions(supergraph.uses_access));
    let custom = supergraph.features.iter().flat_map(|f| &f.definitions);
    definitions.extend(custom.map(|def| (def.name.to_string(), custom::definition(def))));
    definitions
}

/// `@join__field`: v0.4 adds `overrideLabel`, v0.5 `contextArguments`.
fn join_field_definition(version: JoinVersion) -> String {
    let mut args = String::from("graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean");
    if version >= JoinVersion::V0_4 {
        args.push_str(", overrideLabel: String");
    }
    if version >= JoinVersion::V0_5 {
        args.push_str(", contextArguments: [join__ContextArgument!]");
    }
    format!(
        "directive @join__field({args}) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION"
    )
}

const LINK_PURPOSE: &str = r#"enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}"#;
const JOIN_CONTEXT_ARGUMENT: &str = "input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}";

/// Every type definition (the supergraph's and the machinery) with its
/// name, unsorted.
fn type_definitions(supergraph: &Supergraph) -> Vec<(String, String)> {
    let mut definitions: Vec<(String, String)> = supergraph
        .types
        .iter()
        .map(|ty| {
            (
                ty.name.to_string(),
                types::print_type(&supergraph.graphs, ty),
            )
        })
        .collect();
    let mut machinery = vec![
        ("join__FieldSet", "scalar join__FieldSet".to_string()),
        ("join__Graph", join_graph_enum(&supergraph.graphs)),
        ("link__Import", "scalar link__Import".to_string()),
        ("link__Purpose", LINK_PURPOSE.to_string()),
    ];
    if supergraph.join_version >= JoinVersion::V0_4 {
        let arguments = "scalar join__DirectiveArguments".to_string();
        machinery.push(("join__DirectiveArguments", arguments));
    }
    if supergraph.join_version >= JoinVersion::V0_5 {
        machinery.push(("join__ContextArgument", JOIN_CONTEXT_ARGUMENT.to_string()));
        machinery.push(("join__FieldValue", "scalar join__FieldValue".to_string()));
    }
    definitions.extend(
        machinery
            .into_iter()
            .map(|(name, text)| (name.to_string(), text)),
    );
    definitions.extend(access::scalars(supergraph.uses_access));
    if supergraph.uses_context {
        let scalar = "scalar context__ContextFieldValue".to_string();
        definitions.push(("context__ContextFieldValue".to_string(), scalar));
    }
    definitions
}

/// `enum join__Graph { NAME @join__graph(name:, url:) … }`, in graph order.
fn join_graph_enum(graphs: &[Graph]) -> String {
    let values: Vec<(Option<&str>, String)> = graphs
        .iter()
        .map(|graph| {
            let line = format!(
                "{} @join__graph(name: {}, url: {})",
                graph.enum_value,
                quoted(&graph.name),
                quoted(&graph.url)
            );
            (None, line)
        })
        .collect();
    format!("enum join__Graph{}", types::block(&values, true))
}
