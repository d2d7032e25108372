//! A subgraph's schema, as far as the supergraph tells it: the types,
//! fields, enum values, union members and interfaces the join directives
//! give that subgraph, plus the federation entry points (`_entities`,
//! `_service`). Used to check that every operation the gateway sends a
//! subgraph is valid for it.
//!
//! What the supergraph does not keep is not reproduced (the subgraph's own
//! directives, descriptions, `@external` marks): the schema is exactly what
//! an operation needs to be validated against.

use std::fmt::Write;

use apollo_compiler::ast::{FieldDefinition, InputValueDefinition};
use apollo_compiler::schema::{Component, ExtendedType};
use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;

use super::{SubgraphId, Supergraph};

/// The schema of subgraph `id`, or why it could not be built.
pub(super) fn subgraph_schema(
    supergraph: &Supergraph,
    id: SubgraphId,
) -> Result<Valid<Schema>, String> {
    let sdl = subgraph_sdl(supergraph, id);
    let name = format!("{}.graphql", supergraph.subgraphs[id].name);
    Schema::parse_and_validate(sdl, name).map_err(|e| e.errors.to_string())
}

fn subgraph_sdl(supergraph: &Supergraph, id: SubgraphId) -> String {
    let graph = supergraph.subgraphs[id].enum_value.as_str();
    let schema = &supergraph.schema;
    let query = schema
        .schema_definition
        .query
        .as_ref()
        .map(|n| n.name.as_str());
    let mut out = String::new();
    let mut entities: Vec<&str> = Vec::new();
    let mut query_seen = false;
    for (name, ty) in &schema.types {
        if ty.is_built_in() || is_machinery(name) {
            continue;
        }
        let extra_query_fields = Some(name.as_str()) == query;
        match ty {
            ExtendedType::Scalar(_) if in_graph(ty.directives(), graph, true) => {
                let _ = writeln!(out, "scalar {name}");
            }
            ExtendedType::Enum(e) if in_graph(&e.directives, graph, true) => {
                let tagged = e
                    .values
                    .values()
                    .any(|v| v.directives.get("join__enumValue").is_some());
                let values: Vec<&str> = e
                    .values
                    .iter()
                    .filter(|(_, v)| {
                        !tagged || in_graph_list(&v.directives, "join__enumValue", graph)
                    })
                    .map(|(n, _)| n.as_str())
                    .collect();
                if !values.is_empty() {
                    let _ = writeln!(out, "enum {name} {{ {} }}", values.join(" "));
                }
            }
            ExtendedType::InputObject(i) if in_graph(&i.directives, graph, true) => {
                let fields: Vec<String> = i
                    .fields
                    .values()
                    .filter(|f| field_in_graph(&f.directives, graph))
                    .map(|f| input_value(f))
                    .collect();
                if !fields.is_empty() {
                    let _ = writeln!(out, "input {name} {{ {} }}", fields.join(" "));
                }
            }
            ExtendedType::Object(_) | ExtendedType::Interface(_) => {
                let Some(meta) = supergraph.type_meta(name) else {
                    continue;
                };
                if !meta.in_subgraph(id) {
                    continue;
                }
                let fields = composite_fields(supergraph, ty, id);
                let mut fields = fields;
                if extra_query_fields {
                    query_seen = true;
                    fields.push("_service: _Service!".to_string());
                }
                if fields.is_empty() {
                    continue;
                }
                let is_object =
                    matches!(ty, ExtendedType::Object(_)) || meta.is_interface_object_in(id);
                let keyword = if is_object { "type" } else { "interface" };
                let implements: Vec<&str> = meta
                    .implements
                    .iter()
                    .filter(|(g, _)| *g == id)
                    .map(|(_, i)| i.as_str())
                    .filter(|i| {
                        supergraph
                            .type_meta(i)
                            .is_some_and(|m| m.in_subgraph(id) && !m.is_interface_object_in(id))
                    })
                    .collect();
                let implements = match implements.is_empty() {
                    true => String::new(),
                    false => format!(" implements {}", implements.join(" & ")),
                };
                if is_object && meta.resolvable_keys(id).next().is_some() {
                    entities.push(name.as_str());
                }
                let _ = writeln!(
                    out,
                    "{keyword} {name}{implements} {{ {} }}",
                    fields.join(" ")
                );
            }
            ExtendedType::Union(u) => {
                let Some(meta) = supergraph.type_meta(name) else {
                    continue;
                };
                if !meta.in_subgraph(id) {
                    continue;
                }
                let tagged = !meta.union_members.is_empty();
                let members: Vec<&str> = u
                    .members
                    .iter()
                    .map(|m| m.name.as_str())
                    .filter(|m| {
                        !tagged || meta.union_members.iter().any(|(g, n)| *g == id && n == m)
                    })
                    .filter(|m| supergraph.type_meta(m).is_some_and(|t| t.in_subgraph(id)))
                    .collect();
                if !members.is_empty() {
                    let _ = writeln!(out, "union {name} = {}", members.join(" | "));
                }
            }
            _ => {}
        }
    }
    let query = query.unwrap_or("Query");
    if !query_seen {
        let _ = writeln!(out, "type {query} {{ _service: _Service! }}");
    }
    let _ = writeln!(out, "scalar _Any\ntype _Service {{ sdl: String }}");
    if !entities.is_empty() {
        let _ = writeln!(out, "union _Entity = {}", entities.join(" | "));
        let _ = writeln!(
            out,
            "extend type {query} {{ _entities(representations: [_Any!]!): [_Entity]! }}"
        );
    }
    let mut roots = format!("query: {query}");
    for (kind, root) in [
        ("mutation", &schema.schema_definition.mutation),
        ("subscription", &schema.schema_definition.subscription),
    ] {
        if let Some(root) = root {
            if out.contains(&format!("type {} ", root.name)) {
                let _ = write!(roots, " {kind}: {}", root.name);
            }
        }
    }
    format!("schema {{ {roots} }}\n{out}")
}

/// The fields of an object or interface in the subgraph, as SDL.
fn composite_fields(supergraph: &Supergraph, ty: &ExtendedType, id: SubgraphId) -> Vec<String> {
    let fields: Vec<(&apollo_compiler::Name, &Component<FieldDefinition>)> = match ty {
        ExtendedType::Object(o) => o.fields.iter().collect(),
        ExtendedType::Interface(i) => i.fields.iter().collect(),
        _ => Vec::new(),
    };
    let meta = supergraph.type_meta(ty.name());
    fields
        .into_iter()
        .filter_map(|(name, field)| {
            let field_meta = meta.and_then(|m| m.fields.get(name));
            let field_type = match field_meta {
                Some(f) if f.has_join_field => {
                    let source = f.sources.iter().find(|s| s.subgraph == id)?;
                    source
                        .type_in_subgraph
                        .clone()
                        .unwrap_or_else(|| field.ty.to_string())
                }
                _ => field.ty.to_string(),
            };
            let arguments: Vec<String> = field.arguments.iter().map(|a| input_value(a)).collect();
            let arguments = match arguments.is_empty() {
                true => String::new(),
                false => format!("({})", arguments.join(", ")),
            };
            Some(format!("{name}{arguments}: {field_type}"))
        })
        .collect()
}

fn input_value(value: &InputValueDefinition) -> String {
    match &value.default_value {
        Some(default) => format!("{}: {} = {default}", value.name, value.ty),
        None => format!("{}: {}", value.name, value.ty),
    }
}

fn is_machinery(name: &str) -> bool {
    name.starts_with("join__") || name.starts_with("link__") || name.starts_with("core__")
}

/// True when `@join__type(graph:)` names the graph, or (with `untagged`)
/// when the element has no `@join__type` at all.
fn in_graph(
    directives: &apollo_compiler::schema::DirectiveList,
    graph: &str,
    untagged: bool,
) -> bool {
    let mut tags = directives.get_all("join__type").peekable();
    if tags.peek().is_none() {
        return untagged;
    }
    tags.any(|d| graph_of(d) == Some(graph))
}

fn in_graph_list(
    directives: &apollo_compiler::ast::DirectiveList,
    name: &str,
    graph: &str,
) -> bool {
    directives.get_all(name).any(|d| graph_of(d) == Some(graph))
}

/// An input field: in every graph without `@join__field`, else where named.
fn field_in_graph(directives: &apollo_compiler::ast::DirectiveList, graph: &str) -> bool {
    let mut tags = directives.get_all("join__field").peekable();
    if tags.peek().is_none() {
        return true;
    }
    tags.any(|d| graph_of(d) == Some(graph))
}

fn graph_of(directive: &apollo_compiler::ast::Directive) -> Option<&str> {
    directive
        .specified_argument_by_name("graph")
        .and_then(|v| v.as_enum())
        .map(|v| v.as_str())
}
