//! Personal data redaction: fields marked `@pii(kind:, strategy:)` in the
//! supergraph (a directive subgraphs import from Junction's spec,
//! `https://specs.junction.dev/pii/v0.1`, and keep with
//! `@composeDirective`) are answered redacted to callers who may not
//! `unmask` their coordinate: `MASK` keeps the shape (`j***@example.com`,
//! `+49 *** *** 12`, `J. D.`), `HASH` gives a stable keyed pseudonym
//! (HMAC-SHA256 with a configured secret, so equal values give equal
//! pseudonyms on every replica and can still be joined on), `NULL` gives
//! null. Only what the client receives is redacted: the gateway's own use
//! of a value (keys, `@requires`) sees it in clear.
//!
//! The redaction of one value is here; where it applies is decided with
//! the other access decisions, and applied by the shaper.

use std::collections::HashMap;
use std::sync::Arc;

use apollo_compiler::ast::Value;
use apollo_compiler::schema::{Directive, ExtendedType};
use apollo_compiler::{Name, Schema};
use compact_str::CompactString;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::json::Data;

/// The spec `@pii` comes from.
pub const PII_SPEC: &str = "https://specs.junction.dev/pii/v0.";

/// What kind of personal data a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiiKind {
    Email,
    Phone,
    Name,
    Address,
    Ip,
    Card,
    FreeText,
}

impl PiiKind {
    /// The kind as the directive and the rules file name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "EMAIL",
            Self::Phone => "PHONE",
            Self::Name => "NAME",
            Self::Address => "ADDRESS",
            Self::Ip => "IP",
            Self::Card => "CARD",
            Self::FreeText => "FREE_TEXT",
        }
    }
}

/// How a value is redacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiiStrategy {
    Mask,
    Hash,
    Null,
}

impl PiiStrategy {
    /// The strategy as the directive and the rules file name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mask => "MASK",
            Self::Hash => "HASH",
            Self::Null => "NULL",
        }
    }
}

/// How one field is redacted, with the key pseudonyms are made with.
#[derive(Clone)]
pub struct Redaction {
    pub kind: PiiKind,
    pub strategy: PiiStrategy,
    key: Arc<[u8]>,
}

impl std::fmt::Debug for Redaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redaction")
            .field("kind", &self.kind)
            .field("strategy", &self.strategy)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Redaction {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.strategy == other.strategy
    }
}

/// The `@pii` fields of a supergraph, by coordinate.
#[derive(Debug, Default)]
pub struct PiiFields {
    fields: HashMap<(Name, Name), (PiiKind, PiiStrategy)>,
}

impl PiiFields {
    /// The fields `supergraph` marks with `@pii` (named as its `@link` to
    /// [`PII_SPEC`] says).
    pub fn of(supergraph: &Schema) -> Self {
        let mut found = Self::default();
        let Some(name) = directive_name(supergraph) else {
            return found;
        };
        for (type_name, ty) in &supergraph.types {
            let fields: Vec<_> = match ty {
                ExtendedType::Object(o) => {
                    o.fields.iter().map(|(n, f)| (n, &f.directives)).collect()
                }
                ExtendedType::Interface(i) => {
                    i.fields.iter().map(|(n, f)| (n, &f.directives)).collect()
                }
                _ => Vec::new(),
            };
            for (field, directives) in fields {
                let marked = directives.iter().find(|d| d.name == name);
                if let Some(rule) = marked.and_then(|d| rule_of(d)) {
                    found
                        .fields
                        .insert((type_name.clone(), field.clone()), rule);
                }
            }
        }
        found
    }

    /// Rules by coordinate from a YAML map (`policies/pii.yaml`): `User.email:
    /// { kind: EMAIL, strategy: MASK }` (strategy `MASK` when left out), for
    /// subgraphs whose SDL the operator does not control.
    pub fn from_yaml(text: &str) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Entry {
            kind: String,
            #[serde(default)]
            strategy: Option<String>,
        }
        let entries: std::collections::BTreeMap<String, Entry> = match text.trim() {
            "" => Default::default(),
            _ => serde_yaml::from_str(text).map_err(|e| e.to_string())?,
        };
        let mut found = Self::default();
        for (coordinate, entry) in entries {
            let parsed = coordinate
                .split_once('.')
                .and_then(|(ty, field)| Some((Name::new(ty).ok()?, Name::new(field).ok()?)));
            let Some(key) = parsed else {
                return Err(format!("{coordinate:?} is not a coordinate (Type.field)"));
            };
            let kind = parse_kind(&entry.kind)
                .ok_or_else(|| format!("{coordinate}: kind {:?} is none of EMAIL, PHONE, NAME, ADDRESS, IP, CARD, FREE_TEXT", entry.kind))?;
            let strategy = match entry.strategy.as_deref() {
                None | Some("MASK") => PiiStrategy::Mask,
                Some("HASH") => PiiStrategy::Hash,
                Some("NULL") => PiiStrategy::Null,
                Some(other) => {
                    return Err(format!(
                        "{coordinate}: strategy {other:?} is none of MASK, HASH, NULL"
                    ))
                }
            };
            found.fields.insert(key, (kind, strategy));
        }
        Ok(found)
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The coordinates marked, as `Type.field`.
    pub fn coordinates(&self) -> impl Iterator<Item = String> + '_ {
        self.fields
            .keys()
            .map(|(ty, field)| format!("{ty}.{field}"))
    }

    /// Every rule: the coordinate (`Type.field`), its kind and strategy, by
    /// coordinate.
    pub fn entries(&self) -> Vec<(String, PiiKind, PiiStrategy)> {
        let mut entries: Vec<_> = self
            .fields
            .iter()
            .map(|((ty, field), (kind, strategy))| (format!("{ty}.{field}"), *kind, *strategy))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries
    }

    /// How `parent.field` is marked, if it is.
    pub fn get(&self, parent: &Name, field: &Name) -> Option<(PiiKind, PiiStrategy)> {
        self.fields.get(&(parent.clone(), field.clone())).copied()
    }
}

/// The name `@pii` has in `supergraph`, when it links the spec.
fn directive_name(supergraph: &Schema) -> Option<Name> {
    supergraph
        .schema_definition
        .directives
        .get_all("link")
        .find_map(|link| {
            let url = link.specified_argument_by_name("url")?.as_str()?;
            if !url.starts_with(PII_SPEC) {
                return None;
            }
            let imported = link
                .specified_argument_by_name("import")
                .and_then(|v| {
                    v.as_list()
                        .map(|l| l.iter().filter_map(|i| i.as_str()).any(|i| i == "@pii"))
                })
                .unwrap_or(false);
            let name = if imported { "pii" } else { "pii__pii" };
            Name::new(name).ok()
        })
}

fn rule_of(directive: &Directive) -> Option<(PiiKind, PiiStrategy)> {
    let text = |argument: &str| -> Option<String> {
        match &**directive.specified_argument_by_name(argument)? {
            Value::Enum(name) => Some(name.to_string()),
            Value::String(text) => Some(text.clone()),
            _ => None,
        }
    };
    let kind = parse_kind(&text("kind")?)?;
    let strategy = match text("strategy").as_deref() {
        None | Some("MASK") => PiiStrategy::Mask,
        Some("HASH") => PiiStrategy::Hash,
        Some("NULL") => PiiStrategy::Null,
        Some(_) => return None,
    };
    Some((kind, strategy))
}

fn parse_kind(text: &str) -> Option<PiiKind> {
    Some(match text {
        "EMAIL" => PiiKind::Email,
        "PHONE" => PiiKind::Phone,
        "NAME" => PiiKind::Name,
        "ADDRESS" => PiiKind::Address,
        "IP" => PiiKind::Ip,
        "CARD" => PiiKind::Card,
        "FREE_TEXT" => PiiKind::FreeText,
        _ => return None,
    })
}

impl Redaction {
    pub fn new(kind: PiiKind, strategy: PiiStrategy, key: Arc<[u8]>) -> Self {
        Self {
            kind,
            strategy,
            key,
        }
    }

    /// `value` redacted: strings masked or hashed, inside lists too; a
    /// value of another kind (a number) is null unless `NULL` was asked
    /// for anyway.
    pub fn apply(&self, value: &Data) -> Data {
        match value {
            Data::Null => Data::Null,
            Data::List(items) => Data::List(items.iter().map(|item| self.apply(item)).collect()),
            _ if self.strategy == PiiStrategy::Null => Data::Null,
            other => match other.as_str() {
                Some(text) => Data::String(CompactString::from(self.redact(text))),
                None => Data::Null,
            },
        }
    }

    fn redact(&self, text: &str) -> String {
        match self.strategy {
            PiiStrategy::Hash => self.pseudonym(text),
            _ => mask(self.kind, text),
        }
    }

    /// `pii_` and 24 hex digits of HMAC-SHA256(key, kind ":" value).
    fn pseudonym(&self, text: &str) -> String {
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key) else {
            return "pii_".to_string();
        };
        mac.update(format!("{:?}:", self.kind).as_bytes());
        mac.update(text.as_bytes());
        let digest = mac.finalize().into_bytes();
        let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
        format!("pii_{hex}")
    }
}

impl crate::operation::Rewrite for Redaction {
    fn rewrite(&self, value: &Data) -> Data {
        self.apply(value)
    }
}

/// A value masked so that its shape stays.
pub fn mask(kind: PiiKind, text: &str) -> String {
    match kind {
        PiiKind::Email => mask_email(text),
        PiiKind::Phone => mask_digits(text, 2, 2),
        PiiKind::Card => mask_digits(text, 0, 4),
        PiiKind::Name => initials(text),
        PiiKind::Ip => mask_ip(text),
        PiiKind::Address | PiiKind::FreeText => "***".to_string(),
    }
}

/// `j***@example.com`.
fn mask_email(text: &str) -> String {
    match text.split_once('@') {
        Some((local, domain)) => {
            let first = local.chars().next().map(String::from).unwrap_or_default();
            format!("{first}***@{domain}")
        }
        None => "***".to_string(),
    }
}

/// Every digit but the first `head` and the last `tail` replaced by `*`;
/// the rest (`+`, spaces, dashes) kept.
fn mask_digits(text: &str, head: usize, tail: usize) -> String {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    let mut seen = 0;
    text.chars()
        .map(|c| {
            if !c.is_ascii_digit() {
                return c;
            }
            seen += 1;
            match seen <= head || seen > digits.saturating_sub(tail) {
                true => c,
                false => '*',
            }
        })
        .collect()
}

/// `Jane Doe` → `J. D.`.
fn initials(text: &str) -> String {
    let parts: Vec<String> = text
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .map(|c| format!("{c}."))
        .collect();
    parts.join(" ")
}

/// `192.168.1.20` → `192.168.*.*`; an IPv6 address keeps its first group.
fn mask_ip(text: &str) -> String {
    if text.contains('.') {
        let groups: Vec<&str> = text.split('.').collect();
        let kept = groups.iter().take(2).copied();
        let masked = groups.iter().skip(2).map(|_| "*");
        return kept.chain(masked).collect::<Vec<_>>().join(".");
    }
    let first = text.split(':').next().unwrap_or_default();
    format!("{first}:*")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn masks_keep_the_shape() {
        assert_eq!(
            mask(PiiKind::Email, "jane.doe@example.com"),
            "j***@example.com"
        );
        assert_eq!(
            mask(PiiKind::Phone, "+49 151 2345 6712"),
            "+49 *** **** **12"
        );
        assert_eq!(
            mask(PiiKind::Card, "4111 1111 1111 1234"),
            "**** **** **** 1234"
        );
        assert_eq!(mask(PiiKind::Name, "Jane  Doe"), "J. D.");
        assert_eq!(mask(PiiKind::Ip, "192.168.1.20"), "192.168.*.*");
        assert_eq!(mask(PiiKind::Ip, "2001:db8::1"), "2001:*");
        assert_eq!(mask(PiiKind::FreeText, "anything"), "***");
        assert_eq!(mask(PiiKind::Email, "no-at-sign"), "***");
    }

    #[test]
    fn pseudonyms_are_stable_per_key_and_kind() {
        let key: Arc<[u8]> = Arc::from(&b"a key of thirty-two bytes or more!!"[..]);
        let other: Arc<[u8]> = Arc::from(&b"another key of thirty-two bytes!!!!"[..]);
        let hash = |kind, key: &Arc<[u8]>| {
            let redaction = Redaction::new(kind, PiiStrategy::Hash, Arc::clone(key));
            redaction.apply(&Data::String("ada@example.com".into()))
        };
        let first = hash(PiiKind::Email, &key);
        assert_eq!(first, hash(PiiKind::Email, &key));
        assert_ne!(first, hash(PiiKind::Email, &other));
        assert_ne!(first, hash(PiiKind::Name, &key));
        assert!(first.as_str().unwrap().starts_with("pii_"));
        assert!(!first.as_str().unwrap().contains("ada"));
    }

    #[test]
    fn rules_files_name_coordinates_kinds_and_strategies() {
        let rules = PiiFields::from_yaml(
            "User.email: { kind: EMAIL, strategy: HASH }\nUser.name: { kind: NAME }\n",
        )
        .unwrap();
        let email = rules.get(&Name::new("User").unwrap(), &Name::new("email").unwrap());
        assert_eq!(email, Some((PiiKind::Email, PiiStrategy::Hash)));
        let name = rules.get(&Name::new("User").unwrap(), &Name::new("name").unwrap());
        assert_eq!(name, Some((PiiKind::Name, PiiStrategy::Mask)));
        assert!(PiiFields::from_yaml("# none\n").unwrap().is_empty());
        for (bad, says) in [
            ("email: { kind: EMAIL }", "not a coordinate"),
            ("User.email: { kind: MAIL }", "kind"),
            ("User.email: { kind: EMAIL, strategy: SHRED }", "strategy"),
            ("User.email: { kind: EMAIL, mode: X }", "unknown field"),
        ] {
            let error = PiiFields::from_yaml(bad).unwrap_err();
            assert!(error.contains(says), "{bad}: {error}");
        }
    }

    #[test]
    fn lists_are_redacted_item_by_item_and_numbers_become_null() {
        let key: Arc<[u8]> = Arc::from(&b"k"[..]);
        let redaction = Redaction::new(PiiKind::Email, PiiStrategy::Mask, key);
        let list = Data::List(vec![Data::String("a@b.c".into()), Data::Null]);
        assert_eq!(
            redaction.apply(&list),
            Data::List(vec![Data::String("a***@b.c".into()), Data::Null])
        );
        assert_eq!(redaction.apply(&Data::Bool(true)), Data::Null);
    }
}
