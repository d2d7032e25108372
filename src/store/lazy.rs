//! A Redis store that may be down when Junction starts: the connection is
//! made on first use, and tried again on each later call until it succeeds
//! (at most one attempt at a time; callers meanwhile get `Unavailable`).
//! A replica can so start serving — not ready — before its store answers,
//! and follow the registry as soon as it does.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::OnceCell;

use super::{AtomicScript, CasOutcome, RedisStore, Store, StoreError, Subscription, Versioned};

/// Connects to Redis on first use.
pub struct LazyRedisStore {
    url: String,
    prefix: String,
    inner: OnceCell<Arc<RedisStore>>,
}

impl LazyRedisStore {
    pub fn new(url: &str, prefix: &str) -> Self {
        Self {
            url: url.to_string(),
            prefix: prefix.to_string(),
            inner: OnceCell::new(),
        }
    }

    async fn store(&self) -> Result<&Arc<RedisStore>, StoreError> {
        self.inner
            .get_or_try_init(|| async {
                RedisStore::connect(&self.url, &self.prefix)
                    .await
                    .map(Arc::new)
            })
            .await
    }
}

#[async_trait]
impl Store for LazyRedisStore {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.store().await?.ping().await
    }

    async fn get(&self, key: &str) -> Result<Option<Versioned>, StoreError> {
        self.store().await?.get(key).await
    }

    async fn compare_and_set(
        &self,
        key: &str,
        expected: u64,
        value: &[u8],
    ) -> Result<CasOutcome, StoreError> {
        self.store()
            .await?
            .compare_and_set(key, expected, value)
            .await
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<u64, StoreError> {
        self.store().await?.put(key, value).await
    }

    async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        self.store().await?.delete(key).await
    }

    async fn cache_put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        self.store().await?.cache_put(key, value, ttl).await
    }

    async fn cache_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.store().await?.cache_get(key).await
    }

    async fn get_expiring(&self, key: &str) -> Result<Option<Versioned>, StoreError> {
        self.store().await?.get_expiring(key).await
    }

    async fn compare_and_set_expiring(
        &self,
        key: &str,
        expected: u64,
        value: &[u8],
        ttl: Duration,
    ) -> Result<CasOutcome, StoreError> {
        self.store()
            .await?
            .compare_and_set_expiring(key, expected, value, ttl)
            .await
    }

    async fn append(&self, list: &str, value: &[u8]) -> Result<u64, StoreError> {
        self.store().await?.append(list, value).await
    }

    async fn append_capped(
        &self,
        list: &str,
        value: &[u8],
        max_len: u64,
    ) -> Result<u64, StoreError> {
        self.store()
            .await?
            .append_capped(list, value, max_len)
            .await
    }

    async fn newest(&self, list: &str, limit: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        self.store().await?.newest(list, limit).await
    }

    async fn publish(&self, channel: &str, message: &[u8]) -> Result<(), StoreError> {
        self.store().await?.publish(channel, message).await
    }

    async fn subscribe(&self, channel: &str) -> Result<Subscription, StoreError> {
        self.store().await?.subscribe(channel).await
    }

    async fn run_atomic(
        &self,
        script: &AtomicScript,
        keys: &[&str],
        args: &[i64],
    ) -> Result<Option<Vec<i64>>, StoreError> {
        self.store().await?.run_atomic(script, keys, args).await
    }
}
