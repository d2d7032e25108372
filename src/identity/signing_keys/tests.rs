//! The signing keys over a real embedded store, as replicas share them:
//! one first key however many replicas read at once, rotation dropping
//! retired keys, a kid unknown to one replica read at once and an unknown
//! kid costing at most one read a second, and a file's key never touching
//! the store.

#![allow(clippy::unwrap_used)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::stored::{self, StoredKey, KEYS_KEY};
use super::*;
use crate::store::{open_store, StoreConfig, Subscription, Versioned};

const LIFETIME: Duration = Duration::from_secs(15 * 60 + 30);

/// A store that counts its reads of the signing keys.
struct Counting {
    inner: Arc<dyn Store>,
    reads: AtomicUsize,
}

#[async_trait]
impl Store for Counting {
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
    async fn ping(&self) -> Result<(), StoreError> {
        self.inner.ping().await
    }
    async fn get(&self, key: &str) -> Result<Option<Versioned>, StoreError> {
        if key == KEYS_KEY {
            self.reads.fetch_add(1, Ordering::SeqCst);
        }
        self.inner.get(key).await
    }
    async fn compare_and_set(
        &self,
        key: &str,
        expected: u64,
        value: &[u8],
    ) -> Result<CasOutcome, StoreError> {
        self.inner.compare_and_set(key, expected, value).await
    }
    async fn put(&self, key: &str, value: &[u8]) -> Result<u64, StoreError> {
        self.inner.put(key, value).await
    }
    async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        self.inner.delete(key).await
    }
    async fn cache_put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        self.inner.cache_put(key, value, ttl).await
    }
    async fn cache_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.inner.cache_get(key).await
    }
    async fn get_expiring(&self, key: &str) -> Result<Option<Versioned>, StoreError> {
        self.inner.get_expiring(key).await
    }
    async fn compare_and_set_expiring(
        &self,
        key: &str,
        expected: u64,
        value: &[u8],
        ttl: Duration,
    ) -> Result<CasOutcome, StoreError> {
        self.inner
            .compare_and_set_expiring(key, expected, value, ttl)
            .await
    }
    async fn append(&self, list: &str, value: &[u8]) -> Result<u64, StoreError> {
        self.inner.append(list, value).await
    }
    async fn append_capped(&self, list: &str, value: &[u8], max: u64) -> Result<u64, StoreError> {
        self.inner.append_capped(list, value, max).await
    }
    async fn newest(&self, list: &str, limit: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        self.inner.newest(list, limit).await
    }
    async fn publish(&self, channel: &str, message: &[u8]) -> Result<(), StoreError> {
        self.inner.publish(channel, message).await
    }
    async fn subscribe(&self, channel: &str) -> Result<Subscription, StoreError> {
        self.inner.subscribe(channel).await
    }
}

async fn store(dir: &std::path::Path) -> Arc<Counting> {
    let inner = open_store(&StoreConfig {
        redis_url: None,
        data_dir: dir.to_path_buf(),
        prefix: "test:".into(),
    })
    .await
    .unwrap();
    Arc::new(Counting {
        inner,
        reads: AtomicUsize::new(0),
    })
}

fn replica(store: &Arc<Counting>) -> SigningKeys {
    let store: Arc<dyn Store> = Arc::clone(store) as Arc<dyn Store>;
    SigningKeys::new(store, KeyAlgorithm::EdDsa, LIFETIME, None)
}

fn kids(published: &[PublishedKey]) -> Vec<String> {
    published.iter().map(|p| p.key.kid().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_reading_an_empty_store_at_once_share_one_first_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let replicas: Vec<SigningKeys> = (0..4).map(|_| replica(&store)).collect();
    let reads = replicas.iter().map(|r| r.signing_key());
    let keys = futures::future::join_all(reads).await;
    let kids: Vec<String> = keys
        .into_iter()
        .map(|k| k.unwrap().kid().to_string())
        .collect();
    assert!(kids.iter().all(|kid| *kid == kids[0]), "{kids:?}");
    let stored = stored::decode(&store.get(KEYS_KEY).await.unwrap().unwrap().value).unwrap();
    assert_eq!(stored.len(), 1);
}

#[tokio::test]
async fn a_rotation_drops_the_keys_whose_tokens_have_expired() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let now = super::now_ms();
    let hour = 3_600_000;
    // Rotated two hours ago and an hour ago: the first has retired.
    let mut old = StoredKey::generate(KeyAlgorithm::EdDsa, now - 2 * hour)
        .await
        .unwrap();
    let recent = StoredKey::generate(KeyAlgorithm::EdDsa, now - hour)
        .await
        .unwrap();
    old.kid = "junction-old".into();
    store
        .put(KEYS_KEY, &stored::encode(&[old, recent.clone()]).unwrap())
        .await
        .unwrap();
    let keys = replica(&store);
    assert_eq!(
        kids(&keys.published().await.unwrap()),
        [recent.kid.as_str()]
    );

    let rotation = keys.rotate().await.unwrap();
    assert_eq!(
        rotation.published,
        [recent.kid.clone(), rotation.kid.clone()]
    );
    let stored = stored::decode(&store.get(KEYS_KEY).await.unwrap().unwrap().value).unwrap();
    let stored: Vec<&str> = stored.iter().map(|k| k.kid.as_str()).collect();
    assert_eq!(stored, [recent.kid.as_str(), rotation.kid.as_str()]);
    assert_eq!(keys.signing_key().await.unwrap().kid(), rotation.kid);
}

#[tokio::test(start_paused = true)]
async fn an_unknown_kid_is_read_at_once_but_at_most_once_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let (a, b) = (replica(&store), replica(&store));
    let first = a.signing_key().await.unwrap();
    assert!(b.verifying_key(first.kid()).await.unwrap().is_some());

    let rotation = a.rotate().await.unwrap();
    let before = store.reads.load(Ordering::SeqCst);
    let found = b.verifying_key(&rotation.kid).await.unwrap();
    assert_eq!(found.unwrap().kid(), rotation.kid, "read again at once");
    assert_eq!(store.reads.load(Ordering::SeqCst), before + 1);

    for _ in 0..20 {
        assert!(b.verifying_key("junction-nobody").await.unwrap().is_none());
    }
    assert_eq!(
        store.reads.load(Ordering::SeqCst),
        before + 1,
        "no read within a second of the last"
    );
    tokio::time::advance(MIN_RELOAD_INTERVAL).await;
    assert!(b.verifying_key("junction-nobody").await.unwrap().is_none());
    assert_eq!(store.reads.load(Ordering::SeqCst), before + 2);
}

#[tokio::test]
async fn a_key_from_a_file_signs_alone_without_touching_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(dir.path()).await;
    let file_key = Arc::new(SigningKey::ed25519(&[5; 32], None, None).unwrap());
    let shared: Arc<dyn Store> = Arc::clone(&store) as Arc<dyn Store>;
    let keys = SigningKeys::new(
        shared,
        KeyAlgorithm::EdDsa,
        LIFETIME,
        Some(file_key.clone()),
    );
    assert_eq!(keys.signing_key().await.unwrap().kid(), file_key.kid());
    assert!(keys
        .verifying_key("junction-other")
        .await
        .unwrap()
        .is_none());
    let published = keys.published().await.unwrap();
    assert_eq!(kids(&published), [file_key.kid().to_string()]);
    assert!(published[0].signing);
    assert!(matches!(
        keys.rotate().await,
        Err(SigningKeyError::FromConfig)
    ));
    assert_eq!(store.reads.load(Ordering::SeqCst), 0);
}
