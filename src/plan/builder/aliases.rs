//! Internal aliases the planner gives fields it adds, so they never
//! clash with the client's response keys or with one another, and the
//! check that keeps conflicting representations in separate fetches.

use std::fmt::Write;

use apollo_compiler::Name;

use crate::operation::{Selection, SelectionSet};

/// The alias under which a field is fetched when its key must be renamed back.
pub(super) fn internal_alias(key: &Name) -> Name {
    Name::new(&format!("{}{key}", crate::plan::INTERNAL_ALIAS_PREFIX))
        .unwrap_or_else(|_| key.clone())
}

/// Required fields with arguments are fetched under an alias of their own
/// ([`crate::plan::REQUIRES_ALIAS_PREFIX`]), so they never clash with the client's
/// selection of the same field with other arguments; the representation
/// builder writes them back under the field's name.
pub(super) fn alias_fields_with_arguments(set: &SelectionSet) -> SelectionSet {
    set.iter()
        .map(|selection| match selection {
            Selection::Field(field) => {
                let mut field = field.clone();
                if !field.arguments.is_empty() {
                    let mut text = String::new();
                    for arg in &field.arguments {
                        let _ = write!(text, "{}:{},", arg.name, arg.value);
                    }
                    let alias = format!(
                        "{}{:x}_{}",
                        crate::plan::REQUIRES_ALIAS_PREFIX,
                        fnv1a(&text),
                        field.name
                    );
                    field.alias = Name::new(&alias).ok();
                }
                field.selections = alias_fields_with_arguments(&field.selections);
                Selection::Field(field)
            }
            Selection::InlineFragment(fragment) => {
                let mut fragment = fragment.clone();
                fragment.selections = alias_fields_with_arguments(&fragment.selections);
                Selection::InlineFragment(fragment)
            }
        })
        .collect()
}

/// Two representations conflict when they write the same field name from
/// differently aliased selections (the same required field with other arguments).
pub(super) fn representations_conflict(existing: &SelectionSet, new: &SelectionSet) -> bool {
    let mut written: Vec<(&str, &str)> = Vec::new();
    collect_written(existing, &mut written);
    let mut incoming: Vec<(&str, &str)> = Vec::new();
    collect_written(new, &mut incoming);
    incoming
        .iter()
        .any(|(name, key)| written.iter().any(|(n, k)| n == name && k != key))
}

fn collect_written<'s>(set: &'s SelectionSet, out: &mut Vec<(&'s str, &'s str)>) {
    for selection in set {
        match selection {
            Selection::Field(field) => {
                out.push((field.name.as_str(), field.response_key().as_str()))
            }
            Selection::InlineFragment(fragment) => collect_written(&fragment.selections, out),
        }
    }
}

/// The client's response keys on an object, with the fields they name.
pub(super) fn client_keys(input: &SelectionSet) -> std::sync::Arc<[(Name, Name)]> {
    fn collect(set: &SelectionSet, out: &mut Vec<(Name, Name)>) {
        for selection in set {
            match selection {
                Selection::Field(f) => out.push((f.response_key().clone(), f.name.clone())),
                Selection::InlineFragment(fragment) => collect(&fragment.selections, out),
            }
        }
    }
    let mut keys = Vec::new();
    collect(input, &mut keys);
    std::sync::Arc::from(keys)
}

/// Key and required fields whose name the client uses as the response key
/// of another field get an internal alias (written back under the field's
/// name in representations), so neither value overwrites the other.
pub(super) fn alias_client_keys(set: &SelectionSet, client_keys: &[(Name, Name)]) -> SelectionSet {
    set.iter()
        .map(|selection| match selection {
            Selection::Field(field) => {
                let mut field = field.clone();
                let clashes = field.alias.is_none()
                    && client_keys
                        .iter()
                        .any(|(key, name)| key == &field.name && name != &field.name);
                if clashes {
                    let alias = format!(
                        "{}{:x}_{}",
                        crate::plan::REQUIRES_ALIAS_PREFIX,
                        fnv1a(&field.name),
                        field.name
                    );
                    field.alias = Name::new(&alias).ok();
                }
                Selection::Field(field)
            }
            Selection::InlineFragment(fragment) => {
                let mut fragment = fragment.clone();
                fragment.selections = alias_client_keys(&fragment.selections, client_keys);
                Selection::InlineFragment(fragment)
            }
        })
        .collect()
}

fn fnv1a(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}
