//! A fixture subgraph's schema, read off the test's supergraph the way the
//! join spec defines it, so that each fixture subgraph can validate every
//! operation it receives as a real server validates against its own SDL.
//!
//! Written apart from Junction's own reading of the supergraph
//! (`src/supergraph/extract.rs`, which the gateway uses to check the
//! operations it plans) on purpose: a mistake there must not be repeated
//! here, or the fixture would agree with the gateway instead of checking it.
//!
//! The rules, per subgraph (a value of the `join__Graph` enum):
//! - a type is in the subgraph if it has `@join__type(graph:)` naming it,
//!   or no `@join__type` at all; an interface with `isInterfaceObject: true`
//!   for the subgraph is an object type there;
//! - a field (or input field) is in it if one of its `@join__field`s names
//!   the subgraph (`external` ones included: the subgraph declares them), or
//!   it has no `@join__field` at all; its type there is the `type:` argument
//!   when given. A `@join__field` without `graph` names no subgraph;
//! - interfaces implemented, union members and enum values are those of
//!   `@join__implements`, `@join__unionMember` and `@join__enumValue` for
//!   the subgraph when the element has any, else all declared ones (kept
//!   only if present in the subgraph);
//! - federation adds `scalar _Any`, `type _Service { sdl: String }`,
//!   `Query._service` and, when the subgraph has entities (object types
//!   with a resolvable `@key` there), `union _Entity` and
//!   `Query._entities(representations: [_Any!]!): [_Entity]!`.
//!
//! A type left without fields, values or members in a subgraph is left out.
//! Directives are not carried over (they do not matter to validating an
//! operation), nor are descriptions.

use std::collections::HashMap;
use std::fmt::Write;

use apollo_compiler::ast::{Directive, DirectiveList, FieldDefinition, InputValueDefinition};
use apollo_compiler::schema::{Component, ExtendedType};
use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;

/// One subgraph's schema, and its SDL for messages.
pub struct SubgraphSchema {
    pub sdl: String,
    pub schema: Valid<Schema>,
}

/// The schema of every subgraph the supergraph's `join__Graph` enum names,
/// by subgraph name (`@join__graph(name:)`). Panics, naming the subgraph
/// and showing its SDL, when a derived schema is not valid: the test's
/// supergraph then says something no subgraph could have served.
pub fn subgraph_schemas(supergraph: &str) -> HashMap<String, SubgraphSchema> {
    let supergraph = match Schema::parse(supergraph, "supergraph.graphql") {
        Ok(schema) => schema,
        Err(invalid) => invalid.partial,
    };
    let Some(ExtendedType::Enum(graphs)) = supergraph.types.get("join__Graph") else {
        return HashMap::new();
    };
    let mut schemas = HashMap::new();
    for (graph, value) in &graphs.values {
        let Some(name) = value
            .directives
            .get("join__graph")
            .and_then(|d| d.specified_argument_by_name("name"))
            .and_then(|name| name.as_str())
        else {
            continue;
        };
        let sdl = subgraph_sdl(&supergraph, graph.as_str());
        let schema = Schema::parse_and_validate(&sdl, format!("{name}.graphql"))
            .unwrap_or_else(|invalid| {
                panic!(
                    "subgraph {name}'s schema, as the test supergraph defines it, is invalid: {}\n{sdl}",
                    invalid.errors
                )
            });
        schemas.insert(name.to_string(), SubgraphSchema { sdl, schema });
    }
    schemas
}

/// What a type is in one subgraph.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Object,
    Interface,
    Other,
}

fn subgraph_sdl(supergraph: &Schema, graph: &str) -> String {
    let kinds: HashMap<&str, Kind> = supergraph
        .types
        .iter()
        .filter(|(name, ty)| !ty.is_built_in() && !is_machinery(name))
        .filter(|(_, ty)| type_in_graph(ty.directives(), graph))
        .map(|(name, ty)| {
            let kind = match ty {
                ExtendedType::Object(_) => Kind::Object,
                ExtendedType::Interface(i) if interface_object(&i.directives, graph) => {
                    Kind::Object
                }
                ExtendedType::Interface(_) => Kind::Interface,
                _ => Kind::Other,
            };
            (name.as_str(), kind)
        })
        .collect();
    let roots = &supergraph.schema_definition;
    let query = roots.query.as_ref().map_or("Query", |q| q.name.as_str());
    let mut out = String::new();
    let mut entities = Vec::new();
    for (name, ty) in &supergraph.types {
        let Some(&kind) = kinds.get(name.as_str()) else {
            continue;
        };
        let (fields, declared, directives) = match ty {
            ExtendedType::Object(o) => (&o.fields, &o.implements_interfaces, &o.directives),
            ExtendedType::Interface(i) => (&i.fields, &i.implements_interfaces, &i.directives),
            other => {
                out.push_str(&leaf_or_union(other, graph, &kinds));
                continue;
            }
        };
        let mut fields: Vec<String> = fields
            .values()
            .filter_map(|f| {
                let ty = field_type(&f.directives, graph, &f.ty.to_string())?;
                Some(field(f, &ty))
            })
            .collect();
        if name == query {
            fields.push("_service: _Service!".into());
        }
        if fields.is_empty() {
            continue;
        }
        let interfaces: Vec<&str> = match directives.get("join__implements") {
            Some(_) => directives
                .get_all("join__implements")
                .filter(|d| graph_of(d) == Some(graph))
                .filter_map(|d| string_argument(d, "interface"))
                .collect(),
            None => declared.iter().map(|i| i.name.as_str()).collect(),
        };
        let interfaces: Vec<&str> = interfaces
            .into_iter()
            .filter(|i| kinds.get(i) == Some(&Kind::Interface))
            .collect();
        let implements = match interfaces.is_empty() {
            true => String::new(),
            false => format!(" implements {}", interfaces.join(" & ")),
        };
        let keyword = match kind {
            Kind::Object => "type",
            _ => "interface",
        };
        if kind == Kind::Object && resolvable_key(directives, graph) {
            entities.push(name.as_str());
        }
        let fields = fields.join(" ");
        let _ = writeln!(out, "{keyword} {name}{implements} {{ {fields} }}");
    }
    if !out.contains(&format!("type {query} ")) {
        let _ = writeln!(out, "type {query} {{ _service: _Service! }}");
    }
    out.push_str("scalar _Any\ntype _Service { sdl: String }\n");
    if !entities.is_empty() {
        let _ = writeln!(out, "union _Entity = {}", entities.join(" | "));
        let _ = writeln!(
            out,
            "extend type {query} {{ _entities(representations: [_Any!]!): [_Entity]! }}"
        );
    }
    let mut schema = format!("schema {{ query: {query}");
    for (operation, root) in [
        ("mutation", &roots.mutation),
        ("subscription", &roots.subscription),
    ] {
        let root = root.as_ref().map(|r| r.name.as_str());
        if let Some(root) = root.filter(|r| out.contains(&format!("type {r} "))) {
            let _ = write!(schema, " {operation}: {root}");
        }
    }
    format!("{schema} }}\n{out}")
}

/// A scalar, enum, input object or union in the subgraph, as SDL (empty
/// when none of its values, fields or members is there).
fn leaf_or_union(ty: &ExtendedType, graph: &str, kinds: &HashMap<&str, Kind>) -> String {
    let name = ty.name();
    let (head, items, separator) = match ty {
        ExtendedType::Scalar(_) => return format!("scalar {name}\n"),
        ExtendedType::Enum(e) => {
            let tagged = e
                .values
                .values()
                .any(|v| v.directives.get("join__enumValue").is_some());
            let values = e
                .values
                .values()
                .filter(|v| !tagged || names_graph(&v.directives, "join__enumValue", graph))
                .map(|v| v.value.to_string());
            (format!("enum {name} {{"), values.collect::<Vec<_>>(), " ")
        }
        ExtendedType::InputObject(i) => {
            let fields = i.fields.values().filter_map(|f| {
                let ty = field_type(&f.directives, graph, &f.ty.to_string())?;
                Some(input_value(f, &ty))
            });
            (format!("input {name} {{"), fields.collect(), " ")
        }
        ExtendedType::Union(u) => {
            let tagged = u.directives.get("join__unionMember").is_some();
            let in_graph = |member: &str| {
                u.directives.get_all("join__unionMember").any(|d| {
                    graph_of(d) == Some(graph) && string_argument(d, "member") == Some(member)
                })
            };
            let members = u
                .members
                .iter()
                .map(|m| m.name.to_string())
                .filter(|m| !tagged || in_graph(m))
                .filter(|m| kinds.get(m.as_str()) == Some(&Kind::Object));
            (format!("union {name} ="), members.collect(), " | ")
        }
        ExtendedType::Object(_) | ExtendedType::Interface(_) => return String::new(),
    };
    if items.is_empty() {
        return String::new();
    }
    let close = if head.ends_with('{') { " }" } else { "" };
    format!("{head} {}{close}\n", items.join(separator))
}

/// A field's type in the subgraph, or `None` when the field is not there.
fn field_type(directives: &DirectiveList, graph: &str, declared: &str) -> Option<String> {
    let mut joins = directives.get_all("join__field").peekable();
    if joins.peek().is_none() {
        return Some(declared.to_string());
    }
    let join = joins.find(|d| graph_of(d) == Some(graph))?;
    Some(
        string_argument(join, "type")
            .unwrap_or(declared)
            .to_string(),
    )
}

fn field(definition: &Component<FieldDefinition>, ty: &str) -> String {
    let arguments: Vec<String> = definition
        .arguments
        .iter()
        .map(|a| input_value(a, &a.ty.to_string()))
        .collect();
    match arguments.is_empty() {
        true => format!("{}: {ty}", definition.name),
        false => format!("{}({}): {ty}", definition.name, arguments.join(", ")),
    }
}

fn input_value(value: &InputValueDefinition, ty: &str) -> String {
    match &value.default_value {
        Some(default) => format!("{}: {ty} = {default}", value.name),
        None => format!("{}: {ty}", value.name),
    }
}

fn type_in_graph(directives: &apollo_compiler::schema::DirectiveList, graph: &str) -> bool {
    let mut joins = directives.get_all("join__type").peekable();
    joins.peek().is_none() || joins.any(|d| graph_of(d) == Some(graph))
}

fn interface_object(directives: &apollo_compiler::schema::DirectiveList, graph: &str) -> bool {
    directives
        .get_all("join__type")
        .filter(|d| graph_of(d) == Some(graph))
        .any(|d| boolean_argument(d, "isInterfaceObject") == Some(true))
}

/// Whether the type has a `@key` in the subgraph that is not `resolvable: false`.
fn resolvable_key(directives: &apollo_compiler::schema::DirectiveList, graph: &str) -> bool {
    directives
        .get_all("join__type")
        .filter(|d| graph_of(d) == Some(graph))
        .filter(|d| d.specified_argument_by_name("key").is_some())
        .any(|d| boolean_argument(d, "resolvable") != Some(false))
}

fn names_graph(directives: &DirectiveList, name: &str, graph: &str) -> bool {
    directives.get_all(name).any(|d| graph_of(d) == Some(graph))
}

fn graph_of(directive: &Directive) -> Option<&str> {
    let graph = directive.specified_argument_by_name("graph")?;
    graph.as_enum().map(|g| g.as_str())
}

fn string_argument<'d>(directive: &'d Directive, name: &str) -> Option<&'d str> {
    directive.specified_argument_by_name(name)?.as_str()
}

fn boolean_argument(directive: &Directive, name: &str) -> Option<bool> {
    directive.specified_argument_by_name(name)?.to_bool()
}

fn is_machinery(name: &str) -> bool {
    ["join__", "link__", "core__"]
        .iter()
        .any(|prefix| name.starts_with(prefix))
}
