//! Comparing two supergraphs by meaning: the same types (and kinds),
//! fields (and types), and the same `@join__type`, `@join__field`,
//! `@join__implements`, `@join__unionMember` and `@join__enumValue`
//! applications on each element, whatever their order, the whitespace of
//! field sets and the names of the `join__Graph` values (compared by the
//! subgraph names they stand for). Used to check our composer against
//! supergraphs composed by other tools.

use std::collections::BTreeMap;

use apollo_compiler::ast::{Directive, Value};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{Node, Schema};

/// Every difference between two supergraph SDLs, described; empty when equal in meaning.
pub fn compare_supergraphs(ours: &str, theirs: &str) -> Vec<String> {
    let (ours, theirs) = match (facts(ours), facts(theirs)) {
        (Ok(ours), Ok(theirs)) => (ours, theirs),
        (Err(e), _) => return vec![format!("ours does not parse: {e}")],
        (_, Err(e)) => return vec![format!("theirs does not parse: {e}")],
    };
    let mut differences = Vec::new();
    for (element, mine) in &ours {
        match theirs.get(element) {
            None => differences.push(format!("{element}: only in ours ({})", mine.join(" "))),
            Some(other) if other != mine => differences.push(format!(
                "{element}: ours {} / theirs {}",
                mine.join(" "),
                other.join(" ")
            )),
            Some(_) => {}
        }
    }
    for (element, other) in &theirs {
        if !ours.contains_key(element) {
            differences.push(format!("{element}: only in theirs ({})", other.join(" ")));
        }
    }
    differences
}

/// Element path (`Type`, `Type.field`, `Enum.VALUE`) → its sorted facts.
type Facts = BTreeMap<String, Vec<String>>;

fn facts(sdl: &str) -> Result<Facts, String> {
    let schema = Schema::builder()
        .adopt_orphan_extensions()
        .parse(sdl, "supergraph.graphql")
        .build()
        .map_err(|e| e.errors.to_string())?;
    let graphs = graph_names(&schema);
    let mut facts = Facts::new();
    for (name, ty) in &schema.types {
        if is_machinery(name) || ty.is_built_in() {
            continue;
        }
        let mut own = vec![format!("kind={}", kind(ty))];
        own.extend(join_facts(ty.directives().iter().map(|d| &***d), &graphs));
        add(&mut facts, name.to_string(), own);
        type_children(&mut facts, name, ty, &graphs);
    }
    Ok(facts)
}

fn type_children(
    facts: &mut Facts,
    name: &str,
    ty: &ExtendedType,
    graphs: &BTreeMap<String, String>,
) {
    match ty {
        ExtendedType::Object(o) => {
            for (field, def) in &o.fields {
                let mut own = vec![format!("type={}", def.ty)];
                own.extend(join_facts(def.directives.iter().map(|d| &**d), graphs));
                add(facts, format!("{name}.{field}"), own);
            }
        }
        ExtendedType::Interface(i) => {
            for (field, def) in &i.fields {
                let mut own = vec![format!("type={}", def.ty)];
                own.extend(join_facts(def.directives.iter().map(|d| &**d), graphs));
                add(facts, format!("{name}.{field}"), own);
            }
        }
        ExtendedType::InputObject(i) => {
            for (field, def) in &i.fields {
                let mut own = vec![format!("type={}", def.ty)];
                own.extend(join_facts(def.directives.iter().map(|d| &**d), graphs));
                add(facts, format!("{name}.{field}"), own);
            }
        }
        ExtendedType::Enum(e) => {
            for (value, def) in &e.values {
                let own = join_facts(def.directives.iter().map(|d| &**d), graphs);
                add(facts, format!("{name}.{value}"), own);
            }
        }
        _ => {}
    }
}

fn add(facts: &mut Facts, element: String, mut own: Vec<String>) {
    own.sort();
    facts.insert(element, own);
}

fn is_machinery(name: &str) -> bool {
    name.starts_with("join__") || name.starts_with("link__")
}

fn kind(ty: &ExtendedType) -> &'static str {
    match ty {
        ExtendedType::Object(_) => "object",
        ExtendedType::Interface(_) => "interface",
        ExtendedType::Union(_) => "union",
        ExtendedType::Enum(_) => "enum",
        ExtendedType::InputObject(_) => "input",
        ExtendedType::Scalar(_) => "scalar",
    }
}

/// `join__Graph` value → subgraph name.
fn graph_names(schema: &Schema) -> BTreeMap<String, String> {
    let Some(ExtendedType::Enum(graphs)) = schema.types.get("join__Graph") else {
        return BTreeMap::new();
    };
    graphs
        .values
        .iter()
        .filter_map(|(value, def)| {
            let name = def
                .directives
                .get("join__graph")?
                .specified_argument_by_name("name")?
                .as_str()?
                .to_string();
            Some((value.to_string(), name))
        })
        .collect()
}

/// Each `@join__*` application, normalised: `join__field(graph=b,external=true)`.
fn join_facts<'d>(
    directives: impl Iterator<Item = &'d Directive>,
    graphs: &BTreeMap<String, String>,
) -> Vec<String> {
    directives
        .filter(|d| d.name.starts_with("join__") || d.name == "inaccessible")
        .map(|d| {
            let mut args: Vec<String> = d
                .arguments
                .iter()
                .map(|a| format!("{}={}", a.name, normalise(&a.value, graphs)))
                .collect();
            args.sort();
            format!("{}({})", d.name, args.join(","))
        })
        .collect()
}

fn normalise(value: &Node<Value>, graphs: &BTreeMap<String, String>) -> String {
    match value.as_ref() {
        Value::Enum(name) => graphs
            .get(name.as_str())
            .cloned()
            .unwrap_or_else(|| name.to_string()),
        Value::String(text) => normalise_field_set(text),
        other => other.to_string(),
    }
}

/// Field-set whitespace does not matter: `a{b c}` = `a { b c }`.
fn normalise_field_set(text: &str) -> String {
    text.replace('{', " { ")
        .replace('}', " } ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"
schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION) { query: Query }
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
"#;

    fn supergraph(graphs: &str, types: &str) -> String {
        format!("{HEADER}\nenum join__Graph {{ {graphs} }}\n{types}")
    }

    #[test]
    fn graph_value_names_order_and_field_set_whitespace_do_not_matter() {
        let ours = supergraph(
            r#"A @join__graph(name: "a", url: "u") B @join__graph(name: "b", url: "v")"#,
            r#"type Query @join__type(graph: A) @join__type(graph: B) { t: T @join__field(graph: A) }
               type T @join__type(graph: B, key: "id {x y}") @join__type(graph: A, key: "id") { id: ID }"#,
        );
        let theirs = supergraph(
            r#"GA @join__graph(name: "a", url: "u") GB @join__graph(name: "b", url: "v")"#,
            r#"type T @join__type(graph: GA, key: "id") @join__type(graph: GB, key: "id { x y }") { id: ID }
               type Query @join__type(graph: GB) @join__type(graph: GA) { t: T @join__field(graph: GA) }"#,
        );
        assert_eq!(compare_supergraphs(&ours, &theirs), Vec::<String>::new());
    }

    #[test]
    fn a_missing_join_field_or_a_different_type_is_reported() {
        let graphs = r#"A @join__graph(name: "a", url: "u") B @join__graph(name: "b", url: "v")"#;
        let ours = supergraph(
            graphs,
            r#"type Query @join__type(graph: A) @join__type(graph: B) { t: Int @join__field(graph: A) u: Int }"#,
        );
        let theirs = supergraph(
            graphs,
            r#"type Query @join__type(graph: A) @join__type(graph: B) { t: Int u: String }"#,
        );
        let differences = compare_supergraphs(&ours, &theirs);
        assert_eq!(differences.len(), 2, "{differences:?}");
        assert!(
            differences[0].starts_with("Query.t: ours"),
            "{differences:?}"
        );
        assert!(
            differences[1].starts_with("Query.u: ours type=Int"),
            "{differences:?}"
        );
    }
}
