//! Shared state for the control path: one [`Store`] trait with two backends.
//!
//! The registry keeps the current supergraph, its history and the subgraph
//! list here; identity, access, rate limits and webhooks keep their records
//! here too. Every replica of Junction reads the same store and learns about
//! changes through its pub/sub channels (DESIGN.md §2).
//!
//! - [`RedisStore`] when a Redis URL is configured: many replicas share one
//!   Redis (standalone, cluster or sentinel).
//! - [`EmbeddedStore`] otherwise: one local redb file, for a single process
//!   (`junction dev`, small deployments, tests).
//!
//! Both backends behave the same way (the conformance tests in
//! `tests/it/store_conformance.rs` run against each): a versioned value per key
//! with compare-and-set, append-only lists read newest first, and
//! fire-and-forget pub/sub. All names live under a prefix, so several
//! Junctions (or tests) can share one Redis without seeing each other.
//!
//! [`open_store`] picks the backend from [`StoreConfig`].

mod embedded;
mod lazy;
mod redis;

use std::fmt;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_trait::async_trait;
use futures::Stream;
use tokio::sync::mpsc;

pub use self::embedded::EmbeddedStore;
pub use self::lazy::LazyRedisStore;
pub use self::redis::RedisStore;

/// The embedded store's file name inside [`StoreConfig::data_dir`].
pub const EMBEDDED_FILE_NAME: &str = "junction.redb";

/// A value together with its version: 1 after the first write, +1 per write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Versioned {
    pub version: u64,
    pub value: Vec<u8>,
}

/// What [`Store::compare_and_set`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CasOutcome {
    /// The value was written; `version` is its new version.
    Stored { version: u64 },
    /// Nothing was written: the key's version is `current` (0 = absent).
    Conflict { current: u64 },
}

/// What went wrong in the store, in the store's words.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend cannot be reached (connection refused, timed out, lost).
    /// Worth retrying later.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Stored data is not in the shape the store wrote it in.
    #[error("store data is corrupt: {0}")]
    Corrupt(String),
    /// The store settings cannot work (bad URL, unsupported topology,
    /// authentication refused).
    #[error("store configuration: {0}")]
    Config(String),
    /// The embedded store's file is open in another process (or another
    /// store in this one); redb allows one owner per file.
    #[error("store file {} is already open in another process", path.display())]
    Locked { path: PathBuf },
    /// The backend reported an error that fits none of the above.
    #[error("store backend failed: {0}")]
    Backend(String),
}

/// Shared key-value state with versions, lists and notifications.
///
/// Object safe: the rest of Junction holds an `Arc<dyn Store>`. Names (keys,
/// lists, channels) are free-form strings; keys and lists are separate
/// namespaces, so one name can be both.
#[async_trait]
pub trait Store: Send + Sync {
    /// `"redis"` or `"embedded"`, for logs and `/ready`.
    fn backend(&self) -> &'static str;

    /// Succeeds when the backend answers.
    async fn ping(&self) -> Result<(), StoreError>;

    /// The key's value and version, or `None` when the key is absent.
    async fn get(&self, key: &str) -> Result<Option<Versioned>, StoreError>;

    /// Stores `value` only if the key's version is `expected` (0 = the key
    /// must be absent); version increments by 1 per write.
    async fn compare_and_set(
        &self,
        key: &str,
        expected: u64,
        value: &[u8],
    ) -> Result<CasOutcome, StoreError>;

    /// Stores `value` whatever the key's version is; returns the new version.
    async fn put(&self, key: &str, value: &[u8]) -> Result<u64, StoreError>;

    /// Removes the key; `true` when it existed. A deleted key is absent, so
    /// its next write has version 1 again.
    async fn delete(&self, key: &str) -> Result<bool, StoreError>;

    /// Keeps `value` under `key` in the cache namespace (apart from the
    /// versioned keys) for `ttl`, replacing what was there. A cache may
    /// drop entries before they expire (the embedded store keeps at most
    /// [`CACHE_MAX_ENTRIES`]); callers can always do without one.
    async fn cache_put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError>;

    /// A cached value, or `None` when absent or expired.
    async fn cache_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// An expiring record's value and version (records are a namespace of
    /// their own, apart from the versioned keys and the cache), or `None`
    /// when absent or expired.
    async fn get_expiring(&self, key: &str) -> Result<Option<Versioned>, StoreError>;

    /// Stores the record `value` only if its version is `expected` (0 = the
    /// record is absent or expired), to expire `ttl` from now. Unlike the
    /// cache, a record is never dropped before it expires: revocations and
    /// refresh tokens are kept here.
    async fn compare_and_set_expiring(
        &self,
        key: &str,
        expected: u64,
        value: &[u8],
        ttl: Duration,
    ) -> Result<CasOutcome, StoreError>;

    /// Adds `value` at the newest end of `list`; returns the list's new length.
    async fn append(&self, list: &str, value: &[u8]) -> Result<u64, StoreError>;

    /// Adds `value` at the newest end of `list` and drops its oldest
    /// values beyond `max_len` (at least 1); returns the list's length.
    async fn append_capped(
        &self,
        list: &str,
        value: &[u8],
        max_len: u64,
    ) -> Result<u64, StoreError>;

    /// At most `limit` values of `list`, newest first (empty when absent).
    async fn newest(&self, list: &str, limit: usize) -> Result<Vec<Vec<u8>>, StoreError>;

    /// Sends `message` to the current subscribers of `channel`, if any.
    async fn publish(&self, channel: &str, message: &[u8]) -> Result<(), StoreError>;

    /// Messages published on `channel` from now on. Survives connection loss:
    /// the Redis backend re-subscribes after reconnecting (messages published
    /// during the outage may be lost — callers have a periodic check as
    /// backstop). Ends only when the store is dropped.
    async fn subscribe(&self, channel: &str) -> Result<Subscription, StoreError>;

    /// Runs `script` atomically where every replica sees its effect (Redis),
    /// on `keys` (in a namespace of their own) with integer `args`: its
    /// integers. `None` from a backend that one process owns alone (the
    /// embedded store), where the caller decides in process instead.
    async fn run_atomic(
        &self,
        _script: &AtomicScript,
        _keys: &[&str],
        _args: &[i64],
    ) -> Result<Option<Vec<i64>>, StoreError> {
        Ok(None)
    }
}

/// A Lua script for [`Store::run_atomic`], loaded once per connection and
/// then called by its digest.
pub struct AtomicScript(::redis::Script);

impl AtomicScript {
    pub fn new(source: &str) -> Self {
        Self(::redis::Script::new(source))
    }

    pub(crate) fn script(&self) -> &::redis::Script {
        &self.0
    }
}

/// Most entries the embedded store's cache namespace holds: once full, expired
/// entries are swept and, if it is still full, a new entry is not kept.
pub const CACHE_MAX_ENTRIES: u64 = 100_000;

/// The messages of one channel, oldest first, as [`Store::subscribe`] returns
/// them. Dropping it unsubscribes.
#[derive(Debug)]
pub struct Subscription {
    receiver: mpsc::Receiver<Vec<u8>>,
}

/// How many received messages a subscription buffers before its backend
/// waits for the reader.
const SUBSCRIPTION_BUFFER: usize = 256;

impl Subscription {
    /// A subscription fed through the returned sender; it ends when every
    /// sender is dropped.
    fn channel() -> (mpsc::Sender<Vec<u8>>, Self) {
        let (sender, receiver) = mpsc::channel(SUBSCRIPTION_BUFFER);
        (sender, Self { receiver })
    }

    /// The next message, or `None` once the store is gone.
    pub async fn next(&mut self) -> Option<Vec<u8>> {
        self.receiver.recv().await
    }
}

impl Stream for Subscription {
    type Item = Vec<u8>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Vec<u8>>> {
        self.receiver.poll_recv(cx)
    }
}

/// Where the store lives.
#[derive(Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// Redis when set (`redis://`, `redis+cluster://`, several comma-separated
    /// `redis://` URLs for a cluster, or `redis+sentinel://`; see
    /// [`RedisStore::connect`]); otherwise the embedded store.
    pub redis_url: Option<String>,
    /// The embedded store's directory (created when missing); its file is
    /// [`EMBEDDED_FILE_NAME`]. Default `./.junction`.
    pub data_dir: PathBuf,
    /// Put in front of every key, list and channel name. Default `junction:`.
    pub prefix: String,
}

impl Default for StoreConfig {
    fn default() -> Self {
        Self {
            redis_url: None,
            data_dir: PathBuf::from(".junction"),
            prefix: "junction:".to_string(),
        }
    }
}

/// Debug without the Redis password.
impl fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreConfig")
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("data_dir", &self.data_dir)
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// Opens the store `config` describes: Redis when `redis_url` is set (and
/// answers), otherwise the embedded file `<data_dir>/junction.redb`.
pub async fn open_store(config: &StoreConfig) -> Result<Arc<dyn Store>, StoreError> {
    match &config.redis_url {
        Some(url) => Ok(Arc::new(RedisStore::connect(url, &config.prefix).await?)),
        None => {
            let path = embedded_path(&config.data_dir).await?;
            Ok(Arc::new(EmbeddedStore::open(&path, &config.prefix).await?))
        }
    }
}

/// Like [`open_store`], but a Redis store is connected on first use (and
/// again on later calls while Redis does not answer) instead of now: for a
/// server that must start while its store may be down.
pub async fn open_store_lazily(config: &StoreConfig) -> Result<Arc<dyn Store>, StoreError> {
    match &config.redis_url {
        Some(url) => Ok(Arc::new(LazyRedisStore::new(url, &config.prefix))),
        None => open_store(config).await,
    }
}

/// The embedded file's path in `data_dir`, creating the directory.
async fn embedded_path(data_dir: &Path) -> Result<PathBuf, StoreError> {
    tokio::fs::create_dir_all(data_dir).await.map_err(|e| {
        StoreError::Config(format!(
            "cannot create the data directory {}: {e}",
            data_dir.display()
        ))
    })?;
    Ok(data_dir.join(EMBEDDED_FILE_NAME))
}

/// `url` with the password of every `user:password@` replaced by `***`, for
/// messages and logs: `redis://user:pass@host` → `redis://user:***@host`.
/// Handles comma-separated node lists.
pub fn redact_url(url: &str) -> String {
    let mut redacted = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(scheme_end) = rest.find("://") {
        redacted.push_str(&rest[..scheme_end + 3]);
        rest = &rest[scheme_end + 3..];
        // The user info ends at the last `@` before the next URL, so a
        // password holding a raw `@`, `/` or `,` is still hidden whole.
        let this_url = &rest[..rest.find("://").unwrap_or(rest.len())];
        let Some(at) = this_url.rfind('@') else {
            continue;
        };
        if let Some(colon) = this_url[..at].find(':') {
            redacted.push_str(&this_url[..=colon]);
            redacted.push_str("***");
            rest = &rest[at..];
        }
    }
    redacted.push_str(rest);
    redacted
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn redact_url_hides_passwords_only() {
        assert_eq!(
            redact_url("redis://user:secret@host:6379/0"),
            "redis://user:***@host:6379/0"
        );
        assert_eq!(redact_url("redis://:secret@host"), "redis://:***@host");
        assert_eq!(redact_url("redis://user@host"), "redis://user@host");
        assert_eq!(redact_url("redis://host:6379"), "redis://host:6379");
        assert_eq!(
            redact_url("redis://:a@h1:1,redis://:b@h2:2"),
            "redis://:***@h1:1,redis://:***@h2:2"
        );
        assert_eq!(
            redact_url("redis+sentinel://u:p@s1:26379,s2:26379/primary"),
            "redis+sentinel://u:***@s1:26379,s2:26379/primary"
        );
        assert_eq!(
            redact_url("redis://u:we/i,rd@pass@host"),
            "redis://u:***@host"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn store_config_debug_hides_the_password() {
        let config = StoreConfig {
            redis_url: Some("redis://admin:hunter2@redis:6379".to_string()),
            ..StoreConfig::default()
        };
        let debug = format!("{config:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("redis://admin:***@redis:6379"), "{debug}");
    }
}
