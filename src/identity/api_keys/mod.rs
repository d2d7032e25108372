//! API keys for machine clients and SDKs: created through the admin API
//! (the key's text shown once), kept in the store as a record holding the
//! SHA-256 digest of the secret, never the secret; verified per request
//! ([`Verify`]) against a per-replica cache that keeps a record for at most
//! half a second, so a revoked, rotated or expired key stops working on
//! every replica within a second.
//!
//! A rotated key's old secret keeps working for the grace period given at
//! rotation (default none). A key's roles, scopes and tier may be changed
//! ([`ApiKeyChanges`], with compare-and-set like every change of a record);
//! every replica uses them within a second, as it would a revocation. Its
//! org and name stay as they were made. When a key was last used is written at most
//! once a minute per replica, off the request path.

mod records;
mod secret;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use moka::future::Cache;

pub use records::{ApiKeyChanges, ApiKeyRecord, NewApiKey, PreviousSecret};

use super::{Caller, CallerKind, IdentityError, Verify};
use crate::store::{CasOutcome, Store, StoreError};
use records::{decode, encode, key_record, used_key, KEYS_INDEX};

/// How long a replica trusts a record it read.
const CACHE_TTL: Duration = Duration::from_millis(500);
/// Records (and misses) a replica keeps.
const CACHE_ENTRIES: u64 = 100_000;
/// How often a key's last use is written, per replica.
const USED_INTERVAL: Duration = Duration::from_secs(60);
/// Most keys the store holds.
pub const MAX_KEYS: usize = 100_000;
/// How often a change is retried when another replica changed it first.
const MAX_ATTEMPTS: usize = 16;

/// Why an API key operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiKeyError {
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
    #[error("no API key with id \"{0}\"")]
    NotFound(String),
    #[error("the key changed {MAX_ATTEMPTS} times while this change was made; try again")]
    Contended,
    #[error("an API key record is unreadable: {0}")]
    Corrupt(String),
    #[error("no randomness for a new key: {0}")]
    Random(String),
}

/// A key just created or rotated: its text, shown this once.
#[derive(Debug, Clone)]
pub struct IssuedKey {
    pub key: String,
    pub record: ApiKeyRecord,
}

/// The API keys in one store.
#[derive(Clone)]
pub struct ApiKeys {
    store: Arc<dyn Store>,
    cache: Cache<String, Option<Arc<ApiKeyRecord>>>,
    /// Keys whose last use this replica wrote within the last minute.
    used: moka::sync::Cache<String, ()>,
}

impl ApiKeys {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            cache: Cache::builder()
                .max_capacity(CACHE_ENTRIES)
                .time_to_live(CACHE_TTL)
                .build(),
            used: moka::sync::Cache::builder()
                .max_capacity(CACHE_ENTRIES)
                .time_to_live(USED_INTERVAL)
                .build(),
        }
    }

    /// Creates a key; its text is returned once and never stored.
    pub async fn create(&self, new: NewApiKey, by: &str) -> Result<IssuedKey, ApiKeyError> {
        new.check(now_ms())?;
        let (id, secret, text) =
            secret::generate().map_err(|e| ApiKeyError::Random(e.to_string()))?;
        let record = ApiKeyRecord::new(id.clone(), new, secret::digest(&secret), by, now_ms());
        for _ in 0..MAX_ATTEMPTS {
            let (mut index, version) = self.index().await?;
            if index.len() >= MAX_KEYS {
                return Err(ApiKeyError::Invalid(format!(
                    "the store holds {MAX_KEYS} API keys; delete revoked ones first"
                )));
            }
            index.push(id.clone());
            match self
                .store
                .compare_and_set(&key_record(&id), 0, &encode(&record)?)
                .await?
            {
                CasOutcome::Stored { .. } => {}
                CasOutcome::Conflict { .. } => return Err(ApiKeyError::Contended),
            }
            if self.commit_index(version, &index).await? {
                return Ok(IssuedKey { key: text, record });
            }
            self.store.delete(&key_record(&id)).await?;
        }
        Err(ApiKeyError::Contended)
    }

    /// Every key (revoked ones too), oldest first, with when each was
    /// last used.
    pub async fn list(&self) -> Result<Vec<(ApiKeyRecord, Option<u64>)>, ApiKeyError> {
        let (index, _) = self.index().await?;
        let mut keys = Vec::with_capacity(index.len());
        for id in index {
            if let Some((record, _)) = self.read(&id).await? {
                let used = self.last_used(&id).await?;
                keys.push((record, used));
            }
        }
        Ok(keys)
    }

    /// One key and when it was last used.
    pub async fn get(&self, id: &str) -> Result<Option<(ApiKeyRecord, Option<u64>)>, ApiKeyError> {
        match self.read(id).await? {
            Some((record, _)) => Ok(Some((record, self.last_used(id).await?))),
            None => Ok(None),
        }
    }

    /// Revokes a key: every replica refuses it within a second.
    pub async fn revoke(&self, id: &str, by: &str) -> Result<ApiKeyRecord, ApiKeyError> {
        let now = now_ms();
        self.apply(id, |record| {
            if record.revoked_at_ms.is_none() {
                record.revoked_at_ms = Some(now);
                record.revoked_by = Some(by.to_string());
            }
            Ok(())
        })
        .await
    }

    /// Gives a key a new secret; the old one keeps working for `grace`.
    pub async fn rotate(&self, id: &str, grace: Duration) -> Result<IssuedKey, ApiKeyError> {
        let (_, secret, _) = secret::generate().map_err(|e| ApiKeyError::Random(e.to_string()))?;
        let now = now_ms();
        let grace_ms = u64::try_from(grace.as_millis()).unwrap_or(u64::MAX);
        let record = self
            .apply(id, |record| {
                if record.revoked_at_ms.is_some() {
                    return Err(ApiKeyError::Invalid(format!(
                        "the API key \"{id}\" is revoked"
                    )));
                }
                record.previous = (grace_ms > 0).then(|| PreviousSecret {
                    digest: record.secret_digest.clone(),
                    valid_until_ms: now.saturating_add(grace_ms),
                });
                record.secret_digest = secret::digest(&secret);
                Ok(())
            })
            .await?;
        let key = format!("{}{}_{}", super::API_KEY_PREFIX, record.id, secret);
        Ok(IssuedKey { key, record })
    }

    /// Changes a key's roles, scopes or tier (a field left `None` stays).
    /// A revoked key is not changed. Every replica verifies the key with
    /// its new roles within a second (each keeps a record for at most
    /// half a second; this one forgets its copy at once).
    pub async fn update(
        &self,
        id: &str,
        changes: ApiKeyChanges,
    ) -> Result<ApiKeyRecord, ApiKeyError> {
        changes.check()?;
        self.apply(id, |record| {
            if record.revoked_at_ms.is_some() {
                return Err(ApiKeyError::Invalid(format!(
                    "the API key \"{id}\" is revoked"
                )));
            }
            changes.apply_to(record);
            Ok(())
        })
        .await
    }

    /// The caller `key` stands for at `now_ms`.
    async fn verify_at(&self, key: &str, now_ms: u64) -> Result<Caller, IdentityError> {
        let invalid = |reason: &str| IdentityError::Invalid(reason.to_string());
        let presented = secret::parse(key).ok_or_else(|| invalid("not an API key"))?;
        let mut record = self.cached(presented.id).await?;
        if record.admits(presented.secret, now_ms).is_err() {
            // The key may have been rotated since this replica read it: read
            // it again once (a wrong secret costs what an unknown id costs).
            self.cache.invalidate(presented.id).await;
            record = self.cached(presented.id).await?;
        }
        record.admits(presented.secret, now_ms).map_err(invalid)?;
        self.note_use(&record.id, now_ms);
        Ok(record.caller())
    }

    /// The record of key `id`, from this replica's cache (at most a second
    /// old) or the store; concurrent misses share one read.
    async fn cached(&self, id: &str) -> Result<Arc<ApiKeyRecord>, IdentityError> {
        let (keys, owned) = (self.clone(), id.to_string());
        self.cache
            .try_get_with(id.to_string(), async move {
                let found = keys.read(&owned).await?;
                Ok::<_, ApiKeyError>(found.map(|(record, _)| Arc::new(record)))
            })
            .await
            .map_err(|e| IdentityError::Invalid(format!("the API key could not be read: {e}")))?
            .ok_or_else(|| IdentityError::Invalid("unknown API key".into()))
    }

    /// Writes the key's last use, at most once a minute per replica, in
    /// the background.
    fn note_use(&self, id: &str, now_ms: u64) {
        if self.used.contains_key(id) {
            return;
        }
        self.used.insert(id.to_string(), ());
        let (store, key) = (Arc::clone(&self.store), used_key(id));
        tokio::spawn(async move {
            if let Err(error) = store.put(&key, now_ms.to_string().as_bytes()).await {
                tracing::warn!("recording an API key's last use failed: {error}");
            }
        });
    }

    async fn last_used(&self, id: &str) -> Result<Option<u64>, ApiKeyError> {
        Ok(self
            .store
            .get(&used_key(id))
            .await?
            .and_then(|found| String::from_utf8(found.value).ok()?.parse().ok()))
    }

    /// Applies `change` to the record with compare-and-set (retried when
    /// another replica changed it first), then forgets this replica's copy.
    async fn apply(
        &self,
        id: &str,
        change: impl Fn(&mut ApiKeyRecord) -> Result<(), ApiKeyError>,
    ) -> Result<ApiKeyRecord, ApiKeyError> {
        for _ in 0..MAX_ATTEMPTS {
            let (mut record, version) = self
                .read(id)
                .await?
                .ok_or_else(|| ApiKeyError::NotFound(id.to_string()))?;
            change(&mut record)?;
            let stored = self
                .store
                .compare_and_set(&key_record(id), version, &encode(&record)?)
                .await?;
            if matches!(stored, CasOutcome::Stored { .. }) {
                self.cache.invalidate(id).await;
                return Ok(record);
            }
        }
        Err(ApiKeyError::Contended)
    }

    async fn read(&self, id: &str) -> Result<Option<(ApiKeyRecord, u64)>, ApiKeyError> {
        match self.store.get(&key_record(id)).await? {
            None => Ok(None),
            Some(found) => Ok(Some((decode(&found.value)?, found.version))),
        }
    }

    async fn index(&self) -> Result<(Vec<String>, u64), ApiKeyError> {
        match self.store.get(KEYS_INDEX).await? {
            None => Ok((Vec::new(), 0)),
            Some(found) => Ok((decode(&found.value)?, found.version)),
        }
    }

    async fn commit_index(&self, version: u64, index: &[String]) -> Result<bool, ApiKeyError> {
        let stored = self
            .store
            .compare_and_set(KEYS_INDEX, version, &encode(&index)?)
            .await?;
        Ok(matches!(stored, CasOutcome::Stored { .. }))
    }
}

#[async_trait]
impl Verify for ApiKeys {
    async fn verify(&self, key: &str) -> Result<Caller, IdentityError> {
        self.verify_at(key, now_ms()).await
    }
}

impl ApiKeyRecord {
    /// The caller this key stands for.
    fn caller(&self) -> Caller {
        Caller {
            kind: CallerKind::ApiKey,
            subject: Some(self.id.clone()),
            org: self.org.clone(),
            roles: self.roles.clone(),
            scopes: self.scopes.clone(),
            tier: self.tier.clone(),
            token_id: Some(self.id.clone()),
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
