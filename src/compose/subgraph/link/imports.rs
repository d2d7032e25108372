//! What a `@link` may import. The federation spec's elements each came
//! with some `federation/v2.N`; importing one from an older version, a
//! name the spec does not define, or a directive without its `@` is an
//! INVALID_LINK_DIRECTIVE_USAGE. From the link spec itself only `@link`
//! may be imported (its types always have their namespaced definitions
//! in a subgraph).

use apollo_compiler::ast::{Directive, Value};

use super::{FedDirective, LINK_IDENTITY};

/// The federation spec's types a subgraph may import, with the minor
/// version that brought each.
const FEDERATION_TYPES: [(&str, u32); 4] = [
    ("FieldSet", 0),
    ("Scope", 5),
    ("Policy", 6),
    ("ContextFieldValue", 8),
];
/// Federation directives the composer gives no meaning but a subgraph
/// may import, with the minor version that brought each.
const OTHER_FEDERATION_DIRECTIVES: [(&str, u32); 1] = [("cacheTag", 12)];

/// The federation `@link` imports only what its version defines.
pub(super) fn check_federation_imports(link: &Directive, minor: u32) -> Result<(), String> {
    for name in import_names(link) {
        match federation_element_since(name) {
            Some(since) if since <= minor => {}
            Some(since) => {
                return Err(format!(
                    "Cannot import \"{name}\": federation v2.{minor} does not define it yet, it came with v2.{since} (link federation/v2.{since} or later)"
                ))
            }
            None => {
                let directive = format!("@{name}");
                let hint = if federation_element_since(&directive).is_some_and(|since| since <= minor) {
                    format!("; to import the directive, write \"{directive}\"")
                } else {
                    String::new()
                };
                return Err(format!(
                    "Cannot import \"{name}\": the federation spec defines no such element{hint}"
                ));
            }
        }
    }
    Ok(())
}

/// The minor version that brought federation element `name` (`@key`,
/// `FieldSet`), or `None` if the federation spec has no such element.
fn federation_element_since(name: &str) -> Option<u32> {
    let known = |table: &[(&str, u32)], name: &str| {
        table
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, since)| *since)
    };
    match name.strip_prefix('@') {
        Some(directive) => FedDirective::from_spec_name(directive)
            .map(FedDirective::since)
            .or_else(|| known(&OTHER_FEDERATION_DIRECTIVES, directive)),
        None => known(&FEDERATION_TYPES, name),
    }
}

/// The link spec's `@link` may import `@link` itself, nothing else (its
/// types always have their namespaced definitions in a subgraph).
pub(super) fn check_link_imports(link: &Directive) -> Result<(), String> {
    match import_names(link).into_iter().find(|name| *name != "@link") {
        None => Ok(()),
        Some(name) => Err(format!(
            "Cannot import \"{name}\" from the link spec \"{LINK_IDENTITY}\": only \"@link\" can be imported from it"
        )),
    }
}

/// The names an `import:` list imports, as written (`@key`, `FieldSet`);
/// malformed entries are left out.
fn import_names(link: &Directive) -> Vec<&str> {
    let Some(Value::List(items)) = link.specified_argument_by_name("import").map(|v| &**v) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match &**item {
            Value::String(name) => Some(name.as_str()),
            Value::Object(fields) => fields
                .iter()
                .find(|(key, _)| key == "name")
                .and_then(|(_, value)| value.as_str()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn federation_elements_arrive_with_their_versions() {
        assert_eq!(federation_element_since("@key"), Some(0));
        assert_eq!(federation_element_since("FieldSet"), Some(0));
        assert_eq!(federation_element_since("@composeDirective"), Some(1));
        assert_eq!(federation_element_since("@interfaceObject"), Some(3));
        assert_eq!(federation_element_since("Scope"), Some(5));
        assert_eq!(federation_element_since("@policy"), Some(6));
        assert_eq!(federation_element_since("ContextFieldValue"), Some(8));
        assert_eq!(federation_element_since("@listSize"), Some(9));
        assert_eq!(federation_element_since("@cacheTag"), Some(12));
        assert_eq!(federation_element_since("key"), None);
        assert_eq!(federation_element_since("@link"), None);
        assert_eq!(federation_element_since("_FieldSet"), None);
    }
}
