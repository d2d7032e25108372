//! Revoked access tokens: a deny-list of token ids (`jti`) in the store,
//! each entry kept until the token it names has expired (plus the leeway
//! verification allows), never longer, so the list stays as small as the
//! set of live revoked tokens.
//!
//! Every replica reads the list through a cache that trusts an answer for
//! at most half a second (concurrent misses for one id share one read), so
//! a revocation written through one replica holds on every replica within
//! a second, and a token used many times a second costs at most two store
//! reads a second. Entries are keyed by the SHA-256 of the id, so an
//! external provider's long `jti` cannot make long store keys.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use moka::future::Cache;
use sha2::{Digest, Sha256};

use crate::store::{Store, StoreError};

/// How long a replica trusts what it read of one id.
const CACHE_TTL: Duration = Duration::from_millis(500);
/// Ids a replica keeps answers for.
const CACHE_ENTRIES: u64 = 100_000;
/// How long after its `exp` a token is still accepted (the verifiers'
/// leeway): its revocation is kept that much longer.
const LEEWAY: Duration = Duration::from_secs(30);

/// The deny-list of one store.
#[derive(Clone)]
pub struct Revocations {
    store: Arc<dyn Store>,
    seen: Cache<String, bool>,
}

impl Revocations {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            seen: Cache::builder()
                .max_capacity(CACHE_ENTRIES)
                .time_to_live(CACHE_TTL)
                .build(),
        }
    }

    /// Puts `token_id` on the list until `expires_at` (Unix seconds, the
    /// token's `exp`) has passed by the leeway. A token already expired
    /// that long needs no entry.
    pub async fn revoke(&self, token_id: &str, expires_at: u64) -> Result<(), StoreError> {
        let until = Duration::from_secs(expires_at) + LEEWAY;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let Some(ttl) = until.checked_sub(now).filter(|ttl| !ttl.is_zero()) else {
            return Ok(());
        };
        // A conflict means it is on the list already.
        self.store
            .compare_and_set_expiring(&entry_key(token_id), 0, b"revoked", ttl)
            .await?;
        self.seen.insert(token_id.to_string(), true).await;
        Ok(())
    }

    /// Whether `token_id` is on the list.
    pub async fn is_revoked(&self, token_id: &str) -> Result<bool, Arc<StoreError>> {
        let (store, key) = (Arc::clone(&self.store), entry_key(token_id));
        self.seen
            .try_get_with(token_id.to_string(), async move {
                store.get_expiring(&key).await.map(|found| found.is_some())
            })
            .await
    }
}

fn entry_key(token_id: &str) -> String {
    let digest = Sha256::digest(token_id.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("identity:revoked-token:{hex}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::store::EmbeddedStore;

    async fn store() -> (tempfile::TempDir, Arc<dyn Store>) {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(&dir.path().join("s.redb"), "")
            .await
            .unwrap();
        (dir, Arc::new(store))
    }

    fn in_seconds(seconds: i64) -> u64 {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        now.as_secs().saturating_add_signed(seconds)
    }

    #[tokio::test]
    async fn a_revoked_id_is_listed_for_every_reader_of_the_store() {
        let (_dir, store) = store().await;
        let here = Revocations::new(Arc::clone(&store));
        let there = Revocations::new(store);
        assert!(!there.is_revoked("t-1").await.unwrap());
        here.revoke("t-1", in_seconds(600)).await.unwrap();
        assert!(here.is_revoked("t-1").await.unwrap(), "at once here");
        tokio::time::sleep(CACHE_TTL + Duration::from_millis(50)).await;
        assert!(there.is_revoked("t-1").await.unwrap(), "after the cache");
        assert!(!there.is_revoked("t-2").await.unwrap());
        here.revoke("t-1", in_seconds(600)).await.unwrap();
    }

    #[tokio::test]
    async fn a_long_dead_token_needs_no_entry() {
        let (_dir, store) = store().await;
        let list = Revocations::new(Arc::clone(&store));
        list.revoke("old", in_seconds(-3600)).await.unwrap();
        assert!(!list.is_revoked("old").await.unwrap());
        let key = entry_key("old");
        assert_eq!(store.get_expiring(&key).await.unwrap(), None);
    }
}
