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
//! imports are elements that version defines (`imports`); a namespaced
//! directive newer than the version is an unknown directive.

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
}

impl FedDirective {
    const ALL: [Self; 18] = [
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
    fn spec_name(self) -> &'static str {
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
        }
    }

    fn from_spec_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.spec_name() == name)
    }

    /// The `federation/v2.N` minor version that brought the directive.
    fn since(self) -> u32 {
        match self {
            Self::ComposeDirective => 1,
            Self::InterfaceObject => 3,
            Self::Authenticated | Self::RequiresScopes => 5,
            Self::Policy => 6,
            Self::Context | Self::FromContext => 8,
            Self::Cost | Self::ListSize => 9,
            _ => 0,
        }
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
    /// Federation 2 only: namespaced names of directives newer than the
    /// linked version; unknown directives too.
    unavailable: HashSet<String>,
}

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

    /// `@name` is a federation directive this Federation 2 subgraph did
    /// not import, or the namespaced name of one its version lacks.
    pub(super) fn is_unimported(&self, name: &str) -> bool {
        self.unimported.contains(name) || self.unavailable.contains(name)
    }

    /// Why `@name` (on `owner`, for the message) is unknown here; for a
    /// name [`Self::is_unimported`] holds.
    pub(super) fn unknown_directive_message(&self, name: &str, owner: &str) -> String {
        let minor = self.version.minor.unwrap_or(0);
        if self.unavailable.contains(name) {
            return format!(
                "Unknown directive \"@{name}\" on \"{owner}\": federation v2.{minor} has no such directive; link a newer federation version to use it"
            );
        }
        format!(
            "Unknown directive \"@{name}\" on \"{owner}\": a federation 2 subgraph must import it in its federation @link, or use it as \"@{}__{name}\"",
            self.prefix
        )
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
            unavailable: HashSet::new(),
        }
    }

    fn fed2(minor: u32, link: &Directive, document: &Document) -> Result<Self, String> {
        let prefix = string_argument(link, "as")
            .unwrap_or("federation")
            .to_string();
        let (available, newer): (Vec<FedDirective>, Vec<FedDirective>) = FedDirective::ALL
            .into_iter()
            .partition(|d| d.since() <= minor);
        let namespaced = |d: &FedDirective| format!("{prefix}__{}", d.spec_name());
        let unavailable = newer.iter().map(namespaced).collect();
        let mut names: HashMap<String, FedDirective> =
            available.iter().map(|d| (namespaced(d), *d)).collect();
        for (name, local) in imports(link)? {
            if let Some(directive) = FedDirective::from_spec_name(name) {
                names.insert(local.to_string(), directive);
            }
        }
        check_federation_imports(link, minor)?;
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
            .map(FedDirective::spec_name)
            .filter(|name| !names.contains_key(*name) && !defined.contains(name))
            .collect();
        Ok(Self {
            version: FederationVersion { minor: Some(minor) },
            prefix,
            names,
            unimported,
            unavailable,
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

/// The directive imports of a `@link` as (spec name, local name), both
/// without `@`; imports of types (`"FieldSet"`) are left out.
pub(super) fn imports(link: &Directive) -> Result<Vec<(&str, &str)>, String> {
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
            continue;
        };
        let local = match alias {
            None => spec_name,
            Some(alias) => alias.strip_prefix('@').ok_or_else(|| {
                format!("The @link import of {name} renames it to \"{alias}\": a directive's new name must start with '@' too")
            })?,
        };
        out.push((spec_name, local));
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
