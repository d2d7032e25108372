//! The keys that sign Junction's own tokens. Either kept in the store
//! (made on first start, of the configured algorithm, shared by every
//! replica, rotated through the admin API), or one key read from a PEM
//! file at start (`auth.issuer.signing_key_file`), which the operator
//! rotates by replacing the file.
//!
//! Of the stored keys the newest signs. A rotation adds a key (a
//! compare-and-set on the list, retried when another replica changed it
//! first); an older key stays published — in the JWKS and for
//! verification — until its tokens have expired: the token lifetime (with
//! its leeway) after the next key was made, plus [`KEYS_TTL`], as long
//! as another replica may go on signing with it before it reads the list
//! again. Retired keys leave the list at the next rotation; at most
//! [`MAX_KEYS`] are published. When no published key has the configured
//! algorithm (the store has none yet, or the setting changed), the first
//! replica to notice adds one.
//!
//! Each replica keeps the list it read for [`KEYS_TTL`]; one caller
//! re-reads it when it is older (the others go on with it meanwhile). A
//! token naming a `kid` this replica does not know makes it re-read the
//! list at once — single flight, at most once per [`MIN_RELOAD_INTERVAL`]
//! for such `kid`s — so a key another replica just added is accepted
//! everywhere at once, and made-up `kid`s cost one read a second at most.

mod key;
mod stored;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use arc_swap::ArcSwapOption;
use tokio::sync::{Mutex, MutexGuard};
use tokio::time::Instant;

pub use key::{KeyAlgorithm, KeyError, SigningKey, MIN_RSA_BITS};
pub use stored::MAX_KEYS;

use crate::store::{CasOutcome, Store, StoreError};
use stored::{StoredKey, KEYS_KEY};

/// How long a replica keeps the keys it read.
pub const KEYS_TTL: Duration = Duration::from_secs(10);
/// Least time between two reads of the keys for unknown `kid`s (or after
/// a failed read).
pub const MIN_RELOAD_INTERVAL: Duration = Duration::from_secs(1);
/// How often a change of the list is tried when other replicas changed it first.
const MAX_ATTEMPTS: usize = 16;

/// Why the signing keys cannot be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("the signing keys changed {MAX_ATTEMPTS} times while this change was made; try again")]
    Contended,
    #[error("the signing keys are unreadable: {0}")]
    Corrupt(String),
    #[error("no new signing key could be made: {0}")]
    Generate(String),
    #[error("the signing key comes from auth.issuer.signing_key_file: replace the file (and restart) to rotate it")]
    FromConfig,
    #[error("{MAX_KEYS} signing keys are published already; rotate again once the oldest has retired (when its tokens have expired)")]
    TooMany,
}

impl From<KeyError> for SigningKeyError {
    fn from(error: KeyError) -> Self {
        Self::Corrupt(format!("a key {error}"))
    }
}

/// A published key, as the admin API lists it.
#[derive(Debug, Clone)]
pub struct PublishedKey {
    pub key: Arc<SigningKey>,
    /// It signs new tokens (the newest).
    pub signing: bool,
    /// When it stops being published (ms since the Unix epoch); `None`
    /// while it signs.
    pub retires_at_ms: Option<u64>,
}

/// What a rotation did.
#[derive(Debug, Clone)]
pub struct Rotation {
    /// The new signing key's `kid`.
    pub kid: String,
    /// Every published `kid`, oldest first (the new one last).
    pub published: Vec<String>,
}

/// The signing keys of one issuer; clones share them.
#[derive(Clone)]
pub struct SigningKeys {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    /// The algorithm of the keys made here.
    algorithm: KeyAlgorithm,
    /// How long an older key stays published after the next one was made.
    retention: Duration,
    /// The key of `signing_key_file`, which replaces the stored keys.
    file_key: Option<Arc<Ring>>,
    loaded: ArcSwapOption<Loaded>,
    /// Held by the one caller reading the keys; when the keys were last
    /// read for an unknown `kid`.
    reload: Mutex<Option<Instant>>,
}

/// The keys as read, in memory, oldest first.
struct Ring {
    /// The list's version in the store (0 for a file's key).
    version: u64,
    keys: Vec<RingKey>,
}

struct RingKey {
    key: Arc<SigningKey>,
    retires_at_ms: Option<u64>,
}

/// A ring and until when it is used without reading the keys again.
struct Loaded {
    ring: Arc<Ring>,
    fresh_until: Instant,
}

impl SigningKeys {
    /// The keys in `store`: new ones of `algorithm`; an older key stays
    /// published `token_lifetime` (a token's lifetime with its leeway),
    /// plus [`KEYS_TTL`], after the next one was made. With `file_key`,
    /// that key alone signs and is published, and the store is not read.
    pub fn new(
        store: Arc<dyn Store>,
        algorithm: KeyAlgorithm,
        token_lifetime: Duration,
        file_key: Option<Arc<SigningKey>>,
    ) -> Self {
        let file_key = file_key.map(|key| {
            Arc::new(Ring {
                version: 0,
                keys: vec![RingKey {
                    key,
                    retires_at_ms: None,
                }],
            })
        });
        Self {
            inner: Arc::new(Inner {
                store,
                algorithm,
                retention: token_lifetime + KEYS_TTL,
                file_key,
                loaded: ArcSwapOption::empty(),
                reload: Mutex::new(None),
            }),
        }
    }

    /// The key new tokens are signed with.
    pub async fn signing_key(&self) -> Result<Arc<SigningKey>, SigningKeyError> {
        let ring = self.ring().await?;
        ring.keys
            .last()
            .map(|newest| Arc::clone(&newest.key))
            .ok_or_else(|| SigningKeyError::Corrupt("no signing key".into()))
    }

    /// The published key named `kid`, re-reading the keys first when
    /// this replica does not know it (see the module's summary).
    pub async fn verifying_key(
        &self,
        kid: &str,
    ) -> Result<Option<Arc<SigningKey>>, SigningKeyError> {
        let ring = self.ring().await?;
        if let Some(key) = ring.find(kid, now_ms()) {
            return Ok(Some(key));
        }
        if self.inner.file_key.is_some() {
            return Ok(None);
        }
        self.reload_for(kid).await
    }

    /// The published keys, oldest first.
    pub async fn published(&self) -> Result<Vec<PublishedKey>, SigningKeyError> {
        let ring = self.ring().await?;
        let newest = ring.keys.len().saturating_sub(1);
        let now = now_ms();
        Ok(ring
            .keys
            .iter()
            .enumerate()
            .filter(|(_, entry)| stored::is_live(entry.retires_at_ms, now))
            .map(|(index, entry)| PublishedKey {
                key: Arc::clone(&entry.key),
                signing: index == newest,
                retires_at_ms: entry.retires_at_ms,
            })
            .collect())
    }

    /// Adds a new key of the configured algorithm, which signs from now
    /// on (at once on this replica, within [`KEYS_TTL`] on the others).
    /// Refused for a key from a file, and when [`MAX_KEYS`] are published.
    pub async fn rotate(&self) -> Result<Rotation, SigningKeyError> {
        if self.inner.file_key.is_some() {
            return Err(SigningKeyError::FromConfig);
        }
        let new = StoredKey::generate(self.inner.algorithm, now_ms()).await?;
        let kid = new.kid.clone();
        let ring = self
            .change(|keys, now| stored::rotated(keys, new.clone(), now, self.retention_ms()))
            .await?;
        self.install(Arc::clone(&ring));
        let published = ring.kids(now_ms());
        Ok(Rotation { kid, published })
    }

    fn retention_ms(&self) -> u64 {
        u64::try_from(self.inner.retention.as_millis()).unwrap_or(u64::MAX)
    }

    /// The keys, as this replica last read them unless that was more than
    /// [`KEYS_TTL`] ago.
    async fn ring(&self) -> Result<Arc<Ring>, SigningKeyError> {
        if let Some(ring) = &self.inner.file_key {
            return Ok(Arc::clone(ring));
        }
        if let Some(loaded) = self.inner.loaded.load_full() {
            if Instant::now() < loaded.fresh_until {
                return Ok(Arc::clone(&loaded.ring));
            }
            // Stale: one caller re-reads; the others go on with these.
            return match self.inner.reload.try_lock() {
                Ok(guard) => Ok(self.reload_stale(&loaded, guard).await),
                Err(_) => Ok(Arc::clone(&loaded.ring)),
            };
        }
        let _guard = self.inner.reload.lock().await;
        if let Some(loaded) = self.inner.loaded.load_full() {
            return Ok(Arc::clone(&loaded.ring));
        }
        let ring = self.load().await?;
        self.install(Arc::clone(&ring));
        Ok(ring)
    }

    /// Re-reads stale keys; when the store fails, keeps them (for
    /// another [`MIN_RELOAD_INTERVAL`]): tokens go on being verified.
    async fn reload_stale(
        &self,
        stale: &Loaded,
        _guard: MutexGuard<'_, Option<Instant>>,
    ) -> Arc<Ring> {
        match self.load().await {
            Ok(ring) => {
                self.install(Arc::clone(&ring));
                ring
            }
            Err(error) => {
                tracing::warn!(
                    "the signing keys could not be read again; keeping those read before: {error}"
                );
                self.inner.loaded.store(Some(Arc::new(Loaded {
                    ring: Arc::clone(&stale.ring),
                    fresh_until: Instant::now() + MIN_RELOAD_INTERVAL,
                })));
                Arc::clone(&stale.ring)
            }
        }
    }

    /// For a `kid` this replica does not know: waits for a read of the
    /// keys (its own, or the one under way), unless one was made for an
    /// unknown `kid` less than [`MIN_RELOAD_INTERVAL`] ago. (Reads when the
    /// keys are due do not count: a key made just after one is found.)
    async fn reload_for(&self, kid: &str) -> Result<Option<Arc<SigningKey>>, SigningKeyError> {
        let mut last_miss = self.inner.reload.lock().await;
        if let Some(loaded) = self.inner.loaded.load_full() {
            if let Some(key) = loaded.ring.find(kid, now_ms()) {
                return Ok(Some(key));
            }
        }
        if last_miss.is_some_and(|at| at.elapsed() < MIN_RELOAD_INTERVAL) {
            return Ok(None);
        }
        *last_miss = Some(Instant::now());
        let ring = self.load().await?;
        self.install(Arc::clone(&ring));
        Ok(ring.find(kid, now_ms()))
    }

    /// Makes `ring` the keys this replica uses, unless it holds a newer
    /// version of the list, fresh (a read that started before a rotation
    /// here may end after it).
    fn install(&self, ring: Arc<Ring>) {
        let now = Instant::now();
        self.inner.loaded.rcu(|current| match current {
            Some(current) if current.ring.version > ring.version && now < current.fresh_until => {
                Some(Arc::clone(current))
            }
            _ => Some(Arc::new(Loaded {
                ring: Arc::clone(&ring),
                fresh_until: now + KEYS_TTL,
            })),
        });
    }

    /// The keys from the store; a key of the configured algorithm is
    /// added first when none is published.
    async fn load(&self) -> Result<Arc<Ring>, SigningKeyError> {
        let (version, keys) = self.read().await?;
        let (now, retention) = (now_ms(), self.retention_ms());
        if !stored::lacks(&keys, self.inner.algorithm, now, retention) {
            return self.ring_of(version, &keys);
        }
        let new = StoredKey::generate(self.inner.algorithm, now).await?;
        let algorithm = self.inner.algorithm;
        let ring = self
            .change(
                |keys, now| match stored::lacks(keys, algorithm, now, retention) {
                    true => stored::rotated(keys, new.clone(), now, retention).map(Some),
                    // Another replica added one meanwhile.
                    false => Ok(None),
                },
            )
            .await?;
        if ring.keys.last().is_some_and(|k| k.key.kid() == new.kid) {
            let why = match keys.is_empty() {
                true => "the store had no signing key: the first was made",
                false => "no published signing key had the configured algorithm: one was added",
            };
            tracing::info!(kid = new.kid, algorithm = algorithm.as_str(), "{why}");
        }
        Ok(ring)
    }

    /// The list and its version (0: none stored yet).
    async fn read(&self) -> Result<(u64, Vec<StoredKey>), SigningKeyError> {
        match self.inner.store.get(KEYS_KEY).await? {
            Some(found) => Ok((found.version, stored::decode(&found.value)?)),
            None => Ok((0, Vec::new())),
        }
    }

    /// Applies `change` to the stored list (compare-and-set, read again
    /// and retried when another replica changed it first); `None` from
    /// `change` leaves the list as it is. The list after it, in memory.
    async fn change<F, R>(&self, change: F) -> Result<Arc<Ring>, SigningKeyError>
    where
        F: Fn(&[StoredKey], u64) -> Result<R, SigningKeyError>,
        R: Into<Option<Vec<StoredKey>>>,
    {
        for _ in 0..MAX_ATTEMPTS {
            let (version, keys) = self.read().await?;
            let Some(changed) = change(&keys, now_ms())?.into() else {
                return self.ring_of(version, &keys);
            };
            let bytes = stored::encode(&changed)?;
            match self
                .inner
                .store
                .compare_and_set(KEYS_KEY, version, &bytes)
                .await?
            {
                CasOutcome::Stored { version } => return self.ring_of(version, &changed),
                CasOutcome::Conflict { .. } => continue,
            }
        }
        Err(SigningKeyError::Contended)
    }

    /// The keys of the list at `version` in memory; the ring this replica
    /// holds when it is of that version already (nothing to decode again).
    fn ring_of(&self, version: u64, keys: &[StoredKey]) -> Result<Arc<Ring>, SigningKeyError> {
        if let Some(loaded) = self.inner.loaded.load_full() {
            if loaded.ring.version == version {
                return Ok(Arc::clone(&loaded.ring));
            }
        }
        Ring::open(version, keys, now_ms(), self.retention_ms()).map(Arc::new)
    }
}

impl Ring {
    /// The published keys of `keys` (a list at `version`) in memory.
    fn open(
        version: u64,
        keys: &[StoredKey],
        now_ms: u64,
        retention_ms: u64,
    ) -> Result<Self, SigningKeyError> {
        let mut opened = Vec::with_capacity(keys.len());
        for (index, stored) in keys.iter().enumerate() {
            let retires_at_ms = stored::retires_at_ms(keys, index, retention_ms);
            if !stored::is_live(retires_at_ms, now_ms) {
                continue;
            }
            opened.push(RingKey {
                key: Arc::new(stored.open()?),
                retires_at_ms,
            });
        }
        Ok(Self {
            version,
            keys: opened,
        })
    }

    /// The key named `kid`, if it is published at `now_ms`.
    fn find(&self, kid: &str, now_ms: u64) -> Option<Arc<SigningKey>> {
        self.keys
            .iter()
            .find(|entry| entry.key.kid() == kid && stored::is_live(entry.retires_at_ms, now_ms))
            .map(|entry| Arc::clone(&entry.key))
    }

    /// The `kid`s published at `now_ms`, oldest first.
    fn kids(&self, now_ms: u64) -> Vec<String> {
        self.keys
            .iter()
            .filter(|entry| stored::is_live(entry.retires_at_ms, now_ms))
            .map(|entry| entry.key.kid().to_string())
            .collect()
    }
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys")
            .field("algorithm", &self.inner.algorithm)
            .field("from_file", &self.inner.file_key.is_some())
            .finish_non_exhaustive()
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
