//! The federation `@link` of one subgraph, as the mutation rules need it:
//! its version, its import list, the name a federation directive goes by
//! in that subgraph, and adding an import so a rule can apply a directive
//! the base subgraph did not use.

use apollo_compiler::ast::{Definition, Directive, Value};
use apollo_compiler::Node;

use crate::sdl::{directives_mut, set_arg, string_arg, Doc};

const FEDERATION: &str = "https://specs.apollo.dev/federation/v";

/// The federation version that introduced each directive we apply.
const INTRODUCED: &[(&str, (u32, u32))] = &[
    ("key", (2, 0)),
    ("external", (2, 0)),
    ("requires", (2, 0)),
    ("provides", (2, 0)),
    ("extends", (2, 0)),
    ("shareable", (2, 0)),
    ("inaccessible", (2, 0)),
    ("override", (2, 0)),
    ("tag", (2, 0)),
    ("composeDirective", (2, 1)),
    ("interfaceObject", (2, 3)),
    ("authenticated", (2, 5)),
    ("requiresScopes", (2, 5)),
    ("policy", (2, 6)),
    ("context", (2, 8)),
    ("fromContext", (2, 8)),
    ("cost", (2, 9)),
    ("listSize", (2, 9)),
];

/// The directives a Federation 1 subgraph knows without a `@link`.
const FED1: &[&str] = &["key", "external", "requires", "provides", "extends"];

/// The version a federation directive needs (`None`: not a federation directive).
pub fn introduced(directive: &str) -> Option<(u32, u32)> {
    INTRODUCED
        .iter()
        .find(|(name, _)| *name == directive)
        .map(|(_, v)| *v)
}

/// Where the federation `@link` is: (definition index, directive index).
pub fn federation_link(doc: &Doc) -> Option<(usize, usize)> {
    doc.ast.definitions.iter().enumerate().find_map(|(i, def)| {
        if !matches!(
            def,
            Definition::SchemaDefinition(_) | Definition::SchemaExtension(_)
        ) {
            return None;
        }
        def.directives()
            .iter()
            .position(|d| {
                d.name == "link" && link_url(d).is_some_and(|u| u.starts_with(FEDERATION))
            })
            .map(|j| (i, j))
    })
}

fn link_url(directive: &Directive) -> Option<String> {
    string_arg(directive, "url")
}

pub fn is_fed2(doc: &Doc) -> bool {
    federation_link(doc).is_some()
}

pub fn link(doc: &Doc) -> Option<&Node<Directive>> {
    let (i, j) = federation_link(doc)?;
    doc.ast.definitions[i].directives().0.get(j)
}

pub fn link_mut(doc: &mut Doc) -> Option<&mut Node<Directive>> {
    let (i, j) = federation_link(doc)?;
    directives_mut(&mut doc.ast.definitions[i])?.get_mut(j)
}

/// The federation version of a Federation 2 subgraph.
pub fn version(doc: &Doc) -> Option<(u32, u32)> {
    let url = link_url(link(doc)?)?;
    let (major, minor) = url.strip_prefix(FEDERATION)?.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

pub fn set_url(doc: &mut Doc, url: &str) -> Option<()> {
    set_arg(link_mut(doc)?, "url", Value::String(url.to_string()));
    Some(())
}

pub fn set_version(doc: &mut Doc, (major, minor): (u32, u32)) -> Option<()> {
    set_url(doc, &format!("{FEDERATION}{major}.{minor}"))
}

/// The import list's entries (strings or `{name, as}` objects).
pub fn imports(doc: &Doc) -> Vec<Node<Value>> {
    match link(doc).and_then(|d| d.specified_argument_by_name("import")) {
        Some(v) => match &**v {
            Value::List(items) => items.clone(),
            _ => Vec::new(),
        },
        None => Vec::new(),
    }
}

pub fn set_imports(doc: &mut Doc, items: Vec<Node<Value>>) -> Option<()> {
    set_arg(link_mut(doc)?, "import", Value::List(items));
    Some(())
}

/// The imported name (`@key`) and local name (`@key` or its alias) of an import entry.
pub fn import_names(item: &Value) -> Option<(String, String)> {
    match item {
        Value::String(s) => Some((s.clone(), s.clone())),
        Value::Object(fields) => {
            let get = |key: &str| {
                fields.iter().find_map(|(k, v)| match &**v {
                    Value::String(s) if k == key => Some(s.clone()),
                    _ => None,
                })
            };
            let name = get("name")?;
            let local = get("as").unwrap_or_else(|| name.clone());
            Some((name, local))
        }
        _ => None,
    }
}

/// The name federation directive `directive` (no `@`) goes by in `doc`,
/// if it can be used there without a prefix.
pub fn local_name(doc: &Doc, directive: &str) -> Option<String> {
    if !is_fed2(doc) {
        return FED1.contains(&directive).then(|| directive.to_string());
    }
    let wanted = format!("@{directive}");
    imports(doc).iter().find_map(|item| {
        let (name, local) = import_names(item)?;
        (name == wanted).then(|| local.trim_start_matches('@').to_string())
    })
}

/// The local name of `directive`, importing it first when the subgraph's
/// federation version has it; `None` for Federation 1 subgraphs that lack it.
pub fn ensure_import(doc: &mut Doc, directive: &str) -> Option<String> {
    if let Some(name) = local_name(doc, directive) {
        return Some(name);
    }
    if !is_fed2(doc) || version(doc)? < introduced(directive)? {
        return None;
    }
    let mut items = imports(doc);
    items.push(Node::new(Value::String(format!("@{directive}"))));
    set_imports(doc, items)?;
    Some(directive.to_string())
}
