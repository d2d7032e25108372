//! A subgraph's federation `@link`: which federation version it targets
//! and what its federation directives are called locally, so the reader
//! can resolve any spelling (`@key`, an imported `@myKey`, the namespaced
//! `@federation__key` or `@<as>__key`) to its meaning.
//!
//! No federation `@link` means Federation 1: the directives go by their
//! plain names and need no import.
//!
//! The `@link`s are checked on the way: every url names a feature and its
//! version (`url`), the federation version is one we know, and the
//! imports are elements that version defines (`imports`).

use std::collections::{HashMap, HashSet};

use apollo_compiler::ast::{Definition, Directive, Document, Value};
use apollo_compiler::Node;

mod imports;
mod url;

use self::imports::{check_federation_imports, check_link_imports};
use super::location_of;
use crate::compose::model::FederationVersion;
use crate::compose::CompositionError;

/// The federation spec's identity: a `@link` url minus its `/vX.Y`.
pub(super) const FEDERATION_IDENTITY: &str = "https://specs.apollo.dev/federation";
/// The link spec's identity.
const LINK_IDENTITY: &str = "https://specs.apollo.dev/link";
/// The newest `federation/v2.N` known.
const MAX_MINOR: u32 = 14;

/// A federation directive, by its meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum FedDirective {
    Key,
    Requires,
    Provides,
    External,
    Shareable,
    Override,
    Inaccessible,
    Tag,
    InterfaceObject,
    Extends,
    ComposeDirective,
    Authenticated,
    RequiresScopes,
    Policy,
    Context,
    FromContext,
    Cost,
    ListSize,
    CacheTag,
}

impl FedDirective {
    pub(super) const ALL: [Self; 19] = [
        Self::Key,
        Self::Requires,
        Self::Provides,
        Self::External,
        Self::Shareable,
        Self::Override,
        Self::Inaccessible,
        Self::Tag,
        Self::InterfaceObject,
        Self::Extends,
        Self::ComposeDirective,
        Self::Authenticated,
        Self::RequiresScopes,
        Self::Policy,
        Self::Context,
        Self::FromContext,
        Self::Cost,
        Self::ListSize,
        Self::CacheTag,
    ];

    /// What the Federation 1 spec defines.
    const FED1_SPEC: [Self; 6] = [
        Self::Key,
        Self::Requires,
        Self::Provides,
        Self::External,
        Self::Extends,
        Self::Tag,
    ];

    /// What a Federation 1 subgraph may use without any import.
    const FED1: [Self; 8] = [
        Self::Key,
        Self::Requires,
        Self::Provides,
        Self::External,
        Self::Extends,
        Self::Inaccessible,
        Self::Tag,
        Self::Shareable,
    ];

    /// The name in the federation spec.
    pub(super) fn spec_name(self) -> &'static str {
        match self {
            Self::Key => "key",
            Self::Requires => "requires",
            Self::Provides => "provides",
            Self::External => "external",
            Self::Shareable => "shareable",
            Self::Override => "override",
            Self::Inaccessible => "inaccessible",
            Self::Tag => "tag",
            Self::InterfaceObject => "interfaceObject",
            Self::Extends => "extends",
            Self::ComposeDirective => "composeDirective",
            Self::Authenticated => "authenticated",
            Self::RequiresScopes => "requiresScopes",
            Self::Policy => "policy",
            Self::Context => "context",
            Self::FromContext => "fromContext",
            Self::Cost => "cost",
            Self::ListSize => "listSize",
            Self::CacheTag => "cacheTag",
        }
    }

    /// The `federation/v2.N` that introduced it.
    pub(super) fn since(self) -> u32 {
        match self {
            Self::ComposeDirective => 1,
            Self::InterfaceObject => 3,
            Self::Authenticated | Self::RequiresScopes => 5,
            Self::Policy => 6,
            Self::Context | Self::FromContext => 8,
            Self::Cost | Self::ListSize => 9,
            Self::CacheTag => 12,
            _ => 0,
        }
    }

    fn from_spec_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.spec_name() == name)
    }
}

/// What the directive names of one subgraph mean.
#[derive(Debug)]
pub(super) struct FederationLink {
    pub(super) version: FederationVersion,
    /// Prefix of namespaced federation elements: `federation`, or the link's `as:`.
    pub(super) prefix: String,
    /// Local directive name (without `@`) → meaning.
    names: HashMap<String, FedDirective>,
    /// Federation 2 only: spec names neither imported nor defined here;
    /// using one is an error, as it would be an unknown directive.
    unimported: HashSet<&'static str>,
    /// Spec type name (`FieldSet`, `Scope` …) → its local name.
    types: HashMap<&'static str, String>,
}

/// The types of the federation spec, with the `federation/v2.N` that
/// introduced each.
pub(super) const SPEC_TYPES: [(&str, u32); 4] = [
    ("FieldSet", 0),
    ("Scope", 5),
    ("Policy", 6),
    ("ContextFieldValue", 8),
];

impl FederationLink {
    /// Finds the federation `@link` on `schema`/`extend schema`, if any,
    /// checking the url of every `@link` on the way. A schema linking
    /// neither the link spec nor the federation spec is Federation 1, its
    /// `@link`s unknown directives, unchecked.
    pub(super) fn read(document: &Document, subgraph: &str) -> Result<Self, CompositionError> {
        let core = schema_links(document).any(|link| {
            string_argument(link, "url")
                .is_some_and(|url| url::names_core_spec(url, &[LINK_IDENTITY, FEDERATION_IDENTITY]))
        });
        if !core {
            return Ok(Self::fed1());
        }
        let mut federation: Option<(u32, &Node<Directive>)> = None;
        for link in schema_links(document) {
            let error = |code, message: String| {
                CompositionError::new(code, message)
                    .at(subgraph, location_of(link.location(), &document.sources))
            };
            let Some(url) = string_argument(link, "url") else {
                return Err(error(
                    "INVALID_LINK_DIRECTIVE_USAGE",
                    "@link must have a string \"url\" argument".to_string(),
                ));
            };
            let feature =
                url::parse(url).map_err(|message| error("INVALID_LINK_IDENTIFIER", message))?;
            if feature.identity == LINK_IDENTITY {
                check_link_imports(link)
                    .map_err(|message| error("INVALID_LINK_DIRECTIVE_USAGE", message))?;
                continue;
            }
            if feature.identity != FEDERATION_IDENTITY {
                continue;
            }
            if federation.is_some() {
                return Err(error(
                    "INVALID_LINK_DIRECTIVE_USAGE",
                    format!("The federation spec \"{FEDERATION_IDENTITY}\" is linked more than once; link it once"),
                ));
            }
            let minor = federation_minor(feature.major, feature.minor)
                .map_err(|message| error("UNKNOWN_FEDERATION_LINK_VERSION", message))?;
            federation = Some((minor, link));
        }
        match federation {
            None => Ok(Self::fed1()),
            Some((minor, link)) => Self::fed2(minor, link, document).map_err(|message| {
                CompositionError::new("INVALID_LINK_DIRECTIVE_USAGE", message)
                    .at(subgraph, location_of(link.location(), &document.sources))
            }),
        }
    }

    /// The meaning of directive `@name`, if it is a federation directive.
    pub(super) fn meaning(&self, name: &str) -> Option<FedDirective> {
        self.names.get(name).copied()
    }

    /// `@name` is a federation directive this Federation 2 subgraph did not import.
    pub(super) fn is_unimported(&self, name: &str) -> bool {
        self.unimported.contains(name)
    }

    /// The directive is part of the federation spec this subgraph targets.
    /// Federation 1 subgraphs get the directives Federation 1 defined;
    /// the others this reader accepts there (`@shareable`,
    /// `@inaccessible`) must then be defined by the subgraph itself.
    pub(super) fn available(&self, directive: FedDirective) -> bool {
        match self.version.minor {
            None => FedDirective::FED1_SPEC.contains(&directive),
            Some(minor) => directive.since() <= minor,
        }
    }

    /// Every local directive name and its meaning.
    pub(super) fn local_names(&self) -> impl Iterator<Item = (&str, FedDirective)> {
        self.names.iter().map(|(name, d)| (name.as_str(), *d))
    }

    /// The local name of the spec type `name` (`FieldSet` …).
    pub(super) fn type_name(&self, name: &str) -> Option<&str> {
        self.types.get(name).map(String::as_str)
    }

    fn fed1() -> Self {
        Self {
            version: FederationVersion::FED1,
            prefix: "federation".to_string(),
            names: FedDirective::FED1
                .into_iter()
                .map(|d| (d.spec_name().to_string(), d))
                .collect(),
            unimported: HashSet::new(),
            types: [("FieldSet", "_FieldSet".to_string())].into(),
        }
    }

    fn fed2(minor: u32, link: &Directive, document: &Document) -> Result<Self, String> {
        let prefix = string_argument(link, "as")
            .unwrap_or("federation")
            .to_string();
        let mut names: HashMap<String, FedDirective> = FedDirective::ALL
            .into_iter()
            .filter(|d| d.since() <= minor)
            .map(|d| (format!("{prefix}__{}", d.spec_name()), d))
            .collect();
        let mut types: HashMap<&'static str, String> = SPEC_TYPES
            .into_iter()
            .filter(|(_, since)| *since <= minor)
            .map(|(name, _)| (name, format!("{prefix}__{name}")))
            .collect();
        check_federation_imports(link, minor)?;
        for import in link_imports(link)? {
            let known = if import.directive {
                FedDirective::from_spec_name(import.name)
                    .filter(|d| d.since() <= minor)
                    .map(|d| {
                        // An imported directive goes by its imported name only.
                        names.remove(&format!("{prefix}__{}", d.spec_name()));
                        names.insert(import.local.to_string(), d);
                    })
            } else {
                types
                    .get_mut(import.name)
                    .map(|local| *local = import.local.to_string())
            };
            if known.is_none() {
                let shown = if import.directive { "@" } else { "" };
                return Err(format!(
                    "Cannot import \"{shown}{}\": federation v2.{minor} has no such element",
                    import.name
                ));
            }
        }
        let defined: HashSet<&str> = document
            .definitions
            .iter()
            .filter_map(|d| match d {
                Definition::DirectiveDefinition(d) => Some(d.name.as_str()),
                _ => None,
            })
            .collect();
        let unimported = FedDirective::ALL
            .into_iter()
            .filter(|d| d.since() <= minor)
            .map(FedDirective::spec_name)
            .filter(|name| !names.contains_key(*name) && !defined.contains(name))
            .collect();
        Ok(Self {
            version: FederationVersion { minor: Some(minor) },
            prefix,
            names,
            unimported,
            types,
        })
    }
}

/// Every `@link` applied to `schema` or `extend schema`.
pub(super) fn schema_links(document: &Document) -> impl Iterator<Item = &Node<Directive>> {
    document
        .definitions
        .iter()
        .flat_map(|definition| match definition {
            Definition::SchemaDefinition(d) => d.directives.get_all("link").collect(),
            Definition::SchemaExtension(d) => d.directives.get_all("link").collect(),
            _ => Vec::new(),
        })
}

/// `v2.N` → `N`, if this composer knows federation version 2.N.
fn federation_minor(major: u32, minor: u32) -> Result<u32, String> {
    if major == 2 && minor <= MAX_MINOR {
        Ok(minor)
    } else {
        Err(format!(
            "Federation version \"v{major}.{minor}\" in @link is not one this composer knows (v2.0 to v2.{MAX_MINOR})"
        ))
    }
}

/// One element of a `@link`'s `import:`.
pub(super) struct Import<'a> {
    /// The spec name, without `@`.
    pub(super) name: &'a str,
    /// The local name, without `@`.
    pub(super) local: &'a str,
    /// A directive (`"@key"`) rather than a type (`"FieldSet"`).
    pub(super) directive: bool,
}

/// The directive imports of a `@link` as (spec name, local name), both
/// without `@`; imports of types (`"FieldSet"`) are left out.
pub(super) fn imports(link: &Directive) -> Result<Vec<(&str, &str)>, String> {
    Ok(link_imports(link)?
        .into_iter()
        .filter(|import| import.directive)
        .map(|import| (import.name, import.local))
        .collect())
}

/// Every element of a `@link`'s `import:`, directives and types.
pub(super) fn link_imports(link: &Directive) -> Result<Vec<Import<'_>>, String> {
    let Some(Value::List(items)) = link.specified_argument_by_name("import").map(|v| &**v) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in items {
        let (name, alias) = match &**item {
            Value::String(name) => (name.as_str(), None),
            Value::Object(fields) => {
                let field = |key: &str| {
                    fields
                        .iter()
                        .find(|(k, _)| k == key)
                        .and_then(|(_, v)| v.as_str())
                };
                let Some(name) = field("name") else {
                    return Err(
                        "Invalid @link import: an object import needs a string \"name\""
                            .to_string(),
                    );
                };
                (name, field("as"))
            }
            _ => {
                return Err(format!(
                    "Invalid @link import {item}: expected a string or an object"
                ))
            }
        };
        let Some(spec_name) = name.strip_prefix('@') else {
            if alias.is_some_and(|alias| alias.starts_with('@')) {
                return Err(format!("The @link import of type \"{name}\" renames it to \"{}\": a type's new name must not start with '@'", alias.unwrap_or_default()));
            }
            out.push(Import {
                name,
                local: alias.unwrap_or(name),
                directive: false,
            });
            continue;
        };
        let local = match alias {
            None => spec_name,
            Some(alias) => alias.strip_prefix('@').ok_or_else(|| {
                format!("The @link import of {name} renames it to \"{alias}\": a directive's new name must start with '@' too")
            })?,
        };
        out.push(Import {
            name: spec_name,
            local,
            directive: true,
        });
    }
    Ok(out)
}

fn string_argument<'a>(directive: &'a Directive, name: &str) -> Option<&'a str> {
    directive.specified_argument_by_name(name)?.as_str()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn link_of(sdl: &str) -> Result<FederationLink, CompositionError> {
        let document = Document::parse(sdl, "test.graphql").unwrap();
        FederationLink::read(&document, "a")
    }

    const FED: &str = "https://specs.apollo.dev/federation";

    #[test]
    fn no_federation_link_is_fed1_with_plain_names() {
        let link = link_of("type Query { a: Int }").unwrap();
        assert_eq!(link.version, FederationVersion::FED1);
        assert_eq!(link.meaning("key"), Some(FedDirective::Key));
        assert_eq!(link.meaning("override"), None);
        assert!(!link.is_unimported("override"));
    }

    #[test]
    fn imports_renames_and_namespaces_resolve_to_their_meaning() {
        let link = link_of(&format!(
            r#"extend schema @link(url: "{FED}/v2.3", import: [{{name: "@key", as: "@myKey"}}, "@external", "FieldSet"])"#
        ))
        .unwrap();
        assert_eq!(link.version, FederationVersion { minor: Some(3) });
        assert_eq!(link.meaning("myKey"), Some(FedDirective::Key));
        assert_eq!(link.meaning("external"), Some(FedDirective::External));
        assert_eq!(
            link.meaning("federation__shareable"),
            Some(FedDirective::Shareable)
        );
        assert_eq!(link.meaning("key"), None);
        assert_eq!(link.meaning("federation__key"), None);
        assert!(link.is_unimported("key"));
        assert!(link.is_unimported("shareable"));
    }

    #[test]
    fn link_as_changes_the_namespace() {
        let link = link_of(&format!(
            r#"schema @link(url: "{FED}/v2.0", as: "fed") {{ query: Query }}"#
        ))
        .unwrap();
        assert_eq!(link.prefix, "fed");
        assert_eq!(link.meaning("fed__extends"), Some(FedDirective::Extends));
        assert_eq!(link.meaning("federation__extends"), None);
    }

    #[test]
    fn locally_defined_directives_are_not_unimported() {
        let link = link_of(&format!(
            "extend schema @link(url: \"{FED}/v2.3\")\ndirective @tag(name: String!) repeatable on FIELD_DEFINITION"
        ))
        .unwrap();
        assert!(!link.is_unimported("tag"));
        assert!(link.is_unimported("key"));
    }

    #[test]
    fn bad_versions_and_double_links_are_rejected() {
        let code = |sdl: String| link_of(&sdl).unwrap_err().code;
        assert_eq!(
            code(format!(r#"extend schema @link(url: "{FED}/v2.99")"#)),
            "UNKNOWN_FEDERATION_LINK_VERSION"
        );
        assert_eq!(
            code(format!(r#"extend schema @link(url: "{FED}/v1.0")"#)),
            "UNKNOWN_FEDERATION_LINK_VERSION"
        );
        assert_eq!(
            code(format!(r#"extend schema @link(url: "{FED}/vx")"#)),
            "INVALID_LINK_IDENTIFIER"
        );
        assert_eq!(
            code(format!(
                r#"extend schema @link(url: "{FED}/v2.3") @link(url: "{FED}/v2.3")"#
            )),
            "INVALID_LINK_DIRECTIVE_USAGE"
        );
    }

    #[test]
    fn other_links_do_not_make_a_fed2_subgraph() {
        let link =
            link_of(r#"extend schema @link(url: "https://specs.apollo.dev/link/v1.0")"#).unwrap();
        assert!(link.version.is_fed1());
    }
}
