//! Persisted queries: Apollo's automatic persisted queries (APQ), and the
//! operation manifests SDK clients publish ([`manifest`] reads them,
//! [`library`] keeps them in the store, [`safelist`] serves them and
//! refuses what they do not hold when asked to).
//!
//! A client sends `extensions.persistedQuery = {version: 1, sha256Hash}`
//! without the query; the gateway answers with the query it knows under
//! that hash, or `PERSISTED_QUERY_NOT_FOUND` (HTTP 200), on which the client
//! sends the query and the hash together. The query is checked against the
//! hash (`PERSISTED_QUERY_HASH_MISMATCH` when they differ: a query is never
//! filed under another's hash) and, once it has parsed and validated,
//! registered: in this process's bounded cache, and in the store when one is
//! shared (Redis), with a time to live, so that every replica finds it.
//! A store that does not answer costs a cache miss, never a failed request.

pub mod library;
pub mod manifest;
pub mod safelist;

pub use library::{BrokenOperation, LibraryError, ManifestSummary, OperationLibrary};
pub use safelist::{Named, OperationSet, PersistedOperations, SafelistMode};

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::store::Store;

/// How long and how much is kept.
#[derive(Debug, Clone)]
pub struct ApqSettings {
    /// How long a registered query stays in the shared store.
    pub ttl: Duration,
    /// Bytes of query text this process keeps (the least recently used go).
    pub local_cache_bytes: u64,
}

/// Why a persisted query could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersistedError {
    #[error("PersistedQueryNotSupported")]
    NotSupported,
    #[error("PersistedQueryNotFound")]
    NotFound,
    #[error("The query does not match the persisted query's sha256Hash; it was not run.")]
    HashMismatch,
    #[error("This operation is not in the published operations list (the safelist): send the id or the exact text of an operation a client published.")]
    NotInList,
    #[error("No published operation has this documentId.")]
    UnknownDocument,
    #[error("Send either query or documentId, not both.")]
    QueryAndDocumentId,
    #[error("extensions.persistedQuery must be {{\"version\": 1, \"sha256Hash\": \"<64 hex digits>\"}}: {0}")]
    Invalid(&'static str),
}

impl PersistedError {
    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotSupported => "PERSISTED_QUERY_NOT_SUPPORTED",
            Self::NotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::HashMismatch => "PERSISTED_QUERY_HASH_MISMATCH",
            Self::NotInList => "PERSISTED_QUERY_NOT_IN_LIST",
            Self::UnknownDocument => "PERSISTED_QUERY_NOT_FOUND",
            Self::QueryAndDocumentId => "BAD_REQUEST",
            Self::Invalid(_) => "BAD_REQUEST",
        }
    }

    /// Errors the client recovers from by sending the full query: answered
    /// with HTTP 200, as Apollo Client's link expects.
    pub fn asks_for_the_query(&self) -> bool {
        matches!(self, Self::NotSupported | Self::NotFound)
    }
}

/// The hash a request names in `extensions.persistedQuery`, if it names one.
pub fn requested_hash(
    extensions: Option<&Map<String, Value>>,
) -> Result<Option<String>, PersistedError> {
    let Some(persisted) = extensions.and_then(|e| e.get("persistedQuery")) else {
        return Ok(None);
    };
    let Value::Object(persisted) = persisted else {
        return Err(PersistedError::Invalid("not an object"));
    };
    if persisted.get("version").and_then(Value::as_u64) != Some(1) {
        return Err(PersistedError::Invalid("only version 1 is supported"));
    }
    let Some(hash) = persisted.get("sha256Hash").and_then(Value::as_str) else {
        return Err(PersistedError::Invalid("sha256Hash is missing"));
    };
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(PersistedError::Invalid("sha256Hash is not 64 hex digits"));
    }
    Ok(Some(hash.to_ascii_lowercase()))
}

/// The SHA-256 of a query's text, as lowercase hex.
pub fn sha256_hex(query: &str) -> String {
    let digest = Sha256::digest(query.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    hex
}

/// Checks that `query` is the one `hash` names.
pub fn check_hash(query: &str, hash: &str) -> Result<(), PersistedError> {
    match sha256_hex(query) == hash {
        true => Ok(()),
        false => Err(PersistedError::HashMismatch),
    }
}

/// The registered queries: this process's cache, and the shared store.
pub struct AutomaticPersistedQueries {
    local: Cache<String, Arc<str>>,
    store: Option<Arc<dyn Store>>,
    ttl: Duration,
}

impl AutomaticPersistedQueries {
    pub fn new(settings: &ApqSettings, store: Option<Arc<dyn Store>>) -> Self {
        let local = Cache::builder()
            .max_capacity(settings.local_cache_bytes)
            .weigher(|hash: &String, query: &Arc<str>| {
                u32::try_from(hash.len() + query.len()).unwrap_or(u32::MAX)
            })
            .build();
        Self {
            local,
            store,
            ttl: settings.ttl,
        }
    }

    /// The query registered under `hash`, if any (the store is asked when
    /// this process does not know it).
    pub async fn lookup(&self, hash: &str) -> Option<Arc<str>> {
        if let Some(query) = self.local.get(hash) {
            return Some(query);
        }
        let store = self.store.as_ref()?;
        let found = match store.cache_get(&store_key(hash)).await {
            Ok(found) => found?,
            Err(error) => {
                tracing::warn!("persisted query lookup in the store failed: {error}");
                return None;
            }
        };
        let query: Arc<str> = String::from_utf8(found).ok()?.into();
        // Only a query that matches its hash is taken from the store.
        check_hash(&query, hash).ok()?;
        self.local.insert(hash.to_string(), Arc::clone(&query));
        Some(query)
    }

    /// Registers `query` (already checked against `hash`): here at once, in
    /// the store in the background.
    pub fn register(&self, hash: String, query: &str) {
        if self.local.contains_key(&hash) {
            return;
        }
        self.local.insert(hash.clone(), query.into());
        let Some(store) = self.store.clone() else {
            return;
        };
        let (query, ttl) = (query.to_string(), self.ttl);
        tokio::spawn(async move {
            if let Err(error) = store
                .cache_put(&store_key(&hash), query.as_bytes(), ttl)
                .await
            {
                tracing::warn!("registering a persisted query in the store failed: {error}");
            }
        });
    }
}

impl std::fmt::Debug for AutomaticPersistedQueries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutomaticPersistedQueries")
            .field("shared", &self.store.is_some())
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

fn store_key(hash: &str) -> String {
    format!("apq:{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn extensions(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }

    #[test]
    fn the_hash_is_sha256_in_lowercase_hex() {
        assert_eq!(
            sha256_hex("{ __typename }"),
            "7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b"
        );
        assert_eq!(
            check_hash("{ __typename }", &sha256_hex("{ __typename }")),
            Ok(())
        );
        assert_eq!(
            check_hash("{ a }", &sha256_hex("{ b }")),
            Err(PersistedError::HashMismatch)
        );
    }

    #[test]
    fn the_extension_must_be_version_1_with_a_full_hash() {
        let hash = "A".repeat(64);
        let ok = extensions(json!({"persistedQuery": {"version": 1, "sha256Hash": hash}}));
        assert_eq!(requested_hash(Some(&ok)), Ok(Some("a".repeat(64))));
        assert_eq!(requested_hash(None), Ok(None));
        assert_eq!(
            requested_hash(Some(&extensions(json!({"other": 1})))),
            Ok(None)
        );
        for bad in [
            json!({"persistedQuery": "x"}),
            json!({"persistedQuery": {"version": 2, "sha256Hash": hash}}),
            json!({"persistedQuery": {"version": 1}}),
            json!({"persistedQuery": {"version": 1, "sha256Hash": "abc"}}),
            json!({"persistedQuery": {"version": 1, "sha256Hash": "g".repeat(64)}}),
        ] {
            let error = requested_hash(Some(&extensions(bad.clone())));
            assert!(matches!(error, Err(PersistedError::Invalid(_))), "{bad}");
        }
    }
}
