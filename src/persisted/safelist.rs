//! The published operations a replica serves, and the safelist over them.
//!
//! [`OperationSet`] is every operation of every published manifest, found
//! by id (`documentId`, or `extensions.persistedQuery.sha256Hash`) or by
//! the SHA-256 of its text (a client that sends the full text of a
//! published operation). [`PersistedOperations`] holds the set the
//! replica serves now (swapped whole when a manifest is published or
//! removed, never locked on the request path) and the safelist mode: off
//! (anything runs), log (an operation outside the set runs and is logged
//! by name and hash, never by text), refuse (it does not run).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arc_swap::ArcSwap;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::manifest::PersistedOperation;
use super::PersistedError;

/// What happens to an operation no published manifest holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SafelistMode {
    /// It runs.
    #[default]
    Off,
    /// It runs, and a warning names it (operation name and hash).
    Log,
    /// It is refused with `PERSISTED_QUERY_NOT_IN_LIST`.
    Refuse,
}

/// The published operations, by id and by the digest of their text.
#[derive(Debug, Default)]
pub struct OperationSet {
    by_id: HashMap<String, Arc<str>>,
    digests: HashSet<[u8; 32]>,
}

impl OperationSet {
    /// The set of `operations` (ids are unique across manifests: the
    /// library refuses a manifest that reuses an id for another text).
    pub fn new<'a>(operations: impl IntoIterator<Item = &'a PersistedOperation>) -> Self {
        let mut set = Self::default();
        for operation in operations {
            set.digests.insert(digest(&operation.body));
            set.by_id
                .entry(operation.id.clone())
                .or_insert_with(|| operation.body.as_str().into());
        }
        set
    }

    /// The text of the operation published under `id`.
    pub fn by_id(&self, id: &str) -> Option<Arc<str>> {
        self.by_id.get(id).cloned()
    }

    /// Whether `text` is the exact text of a published operation.
    pub fn holds_text(&self, text: &str) -> bool {
        self.digests.contains(&digest(text))
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// The operation set a replica serves now, and its safelist mode.
#[derive(Debug)]
pub struct PersistedOperations {
    set: ArcSwap<OperationSet>,
    mode: SafelistMode,
    /// Callers holding one of these roles are not held to the safelist.
    exempt_roles: Vec<String>,
}

/// How a request named its operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// By a published id: it is in the set.
    ById,
    /// By its text (sent, or found in the APQ cache).
    ByText,
}

impl PersistedOperations {
    pub fn new(mode: SafelistMode) -> Self {
        Self {
            set: ArcSwap::from_pointee(OperationSet::default()),
            mode,
            exempt_roles: Vec::new(),
        }
    }

    /// Callers holding one of `roles` may run any operation.
    #[must_use]
    pub fn exempting(mut self, roles: Vec<String>) -> Self {
        self.exempt_roles = roles;
        self
    }

    /// Whether a caller with `roles` is held to the safelist.
    pub fn applies_to(&self, roles: &[String]) -> bool {
        !roles.iter().any(|role| self.exempt_roles.contains(role))
    }

    pub fn mode(&self) -> SafelistMode {
        self.mode
    }

    /// Serves `set` from now on (requests already running keep theirs).
    pub fn replace(&self, set: OperationSet) {
        self.set.store(Arc::new(set));
    }

    /// The text published under `id`.
    pub fn lookup(&self, id: &str) -> Option<Arc<str>> {
        self.set.load().by_id(id)
    }

    /// How many operations are served.
    pub fn len(&self) -> usize {
        self.set.load().len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.load().is_empty()
    }

    /// Applies the safelist to an operation about to run.
    pub fn admit(
        &self,
        text: &str,
        named: Named,
        operation_name: Option<&str>,
    ) -> Result<(), PersistedError> {
        if self.mode == SafelistMode::Off || named == Named::ById {
            return Ok(());
        }
        if self.set.load().holds_text(text) {
            return Ok(());
        }
        match self.mode {
            SafelistMode::Refuse => Err(PersistedError::NotInList),
            _ => {
                tracing::warn!(
                    operation = loggable_name(operation_name),
                    sha256 = %super::sha256_hex(text),
                    "an operation outside the published manifests ran (safelist: log)"
                );
                Ok(())
            }
        }
    }
}

/// The operation name as a log may show it: a GraphQL name of at most 128
/// characters (the request's text is the client's, and not parsed yet).
fn loggable_name(name: Option<&str>) -> &str {
    let Some(name) = name else {
        return "(anonymous)";
    };
    let mut chars = name.chars();
    let starts = chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic());
    let rest = chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
    match starts && rest && name.len() <= 128 {
        true => name,
        false => "(not a GraphQL name)",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn operation(id: &str, body: &str) -> PersistedOperation {
        PersistedOperation {
            id: id.into(),
            name: None,
            body: body.into(),
        }
    }

    fn served(mode: SafelistMode) -> PersistedOperations {
        let operations = PersistedOperations::new(mode);
        let published = [operation("a", "{ me { id } }"), operation("b", "{ b }")];
        operations.replace(OperationSet::new(&published));
        operations
    }

    #[test]
    fn published_operations_are_found_by_id_and_by_exact_text() {
        let operations = served(SafelistMode::Refuse);
        assert_eq!(operations.lookup("a").as_deref(), Some("{ me { id } }"));
        assert_eq!(operations.lookup("c"), None);
        assert_eq!(
            operations.admit("{ me { id } }", Named::ByText, None),
            Ok(())
        );
        assert_eq!(operations.admit("{ b }", Named::ById, None), Ok(()));
        // Not the same text: refused (no normalisation, no partial match).
        assert_eq!(
            operations.admit("{ me { id }}", Named::ByText, None),
            Err(PersistedError::NotInList)
        );
    }

    #[test]
    fn only_graphql_names_reach_the_log() {
        assert_eq!(loggable_name(Some("GetUser_2")), "GetUser_2");
        assert_eq!(loggable_name(None), "(anonymous)");
        for bad in ["", "a b", "x\n[fake] line", "9lives", &"a".repeat(129)] {
            assert_eq!(loggable_name(Some(bad)), "(not a GraphQL name)", "{bad}");
        }
    }

    #[test]
    fn exempt_roles_are_not_held_to_the_safelist() {
        let operations = served(SafelistMode::Refuse).exempting(vec!["admin".into()]);
        assert!(operations.applies_to(&[]));
        assert!(operations.applies_to(&["viewer".into()]));
        assert!(!operations.applies_to(&["viewer".into(), "admin".into()]));
    }

    #[test]
    fn off_and_log_let_everything_run() {
        for mode in [SafelistMode::Off, SafelistMode::Log] {
            let operations = served(mode);
            assert_eq!(operations.admit("{ other }", Named::ByText, None), Ok(()));
        }
    }

    #[test]
    fn a_replaced_set_is_served_whole() {
        let operations = served(SafelistMode::Refuse);
        operations.replace(OperationSet::new(&[operation("c", "{ c }")]));
        assert_eq!(operations.lookup("a"), None);
        assert_eq!(operations.len(), 1);
        assert_eq!(operations.admit("{ c }", Named::ByText, None), Ok(()));
        assert!(operations.admit("{ b }", Named::ByText, None).is_err());
    }
}
