//! A provider's JWKS fetched from its URL, cached and kept fresh.
//!
//! Requests read the cached keys without waiting or locking. When the keys
//! are older than the refresh interval, the first request to notice starts
//! a fetch in the background and goes on with the cached keys. A token whose
//! `kid` is not in the cache waits for one fetch, single flight: concurrent
//! misses share it. No two fetches start within the minimum refresh
//! interval, whatever the cause, so unknown `kid`s cannot make the gateway
//! hammer the provider. A failed fetch (timeout, error status, oversized or
//! unusable document) keeps the last good keys.
//!
//! A fetch runs in a spawned task holding the fetch lock, so a request that
//! gives up waiting does not cut it short or leave the lock held.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwap;
use jsonwebtoken::Algorithm;
use tokio::sync::{Mutex, OwnedMutexGuard};
use tokio::time::Instant;

use super::clock::Clock;
use super::keys::KeySet;
use super::settings::JwksSettings;

/// `last_*` of a JWKS never fetched.
const NEVER: u64 = u64::MAX;

/// The JWKS of one provider.
pub(super) struct RemoteJwks {
    issuer: String,
    url: String,
    client: reqwest::Client,
    settings: JwksSettings,
    allowed: Vec<Algorithm>,
    clock: Clock,
    keys: ArcSwap<KeySet>,
    /// What `last_attempt_ms` and `last_success_ms` count from.
    epoch: Instant,
    last_attempt_ms: AtomicU64,
    last_success_ms: AtomicU64,
    /// Fetches finished, whatever their outcome.
    finished: AtomicU64,
    fetch_lock: Arc<Mutex<()>>,
}

/// Why a fetch brought no keys.
#[derive(Debug, thiserror::Error)]
enum FetchError {
    #[error("the request failed: {0}")]
    Request(#[from] reqwest::Error),
    #[error("timed out")]
    Timeout,
    #[error("HTTP status {0}")]
    Status(reqwest::StatusCode),
    #[error("the response is over {0} bytes")]
    TooLarge(usize),
    #[error("the response is not JSON: {0}")]
    NotJson(serde_json::Error),
    #[error("{0}")]
    NotJwks(String),
    #[error("it has no key this provider can use")]
    NoUsableKey,
}

impl RemoteJwks {
    pub(super) fn new(
        issuer: &str,
        url: &str,
        client: reqwest::Client,
        settings: JwksSettings,
        allowed: Vec<Algorithm>,
        clock: Clock,
    ) -> Self {
        let epoch = clock.instant();
        Self {
            issuer: issuer.to_string(),
            url: url.to_string(),
            client,
            settings,
            allowed,
            clock,
            keys: ArcSwap::from_pointee(KeySet::default()),
            epoch,
            last_attempt_ms: AtomicU64::new(NEVER),
            last_success_ms: AtomicU64::new(NEVER),
            finished: AtomicU64::new(0),
            fetch_lock: Arc::new(Mutex::new(())),
        }
    }

    /// The cached keys.
    pub(super) fn current(&self) -> Arc<KeySet> {
        self.keys.load_full()
    }

    /// Starts a background fetch when the keys are due for one and no
    /// fetch is running; never waits.
    pub(super) fn refresh_if_due(self: &Arc<Self>) {
        if !self.due() {
            return;
        }
        if let Ok(guard) = Arc::clone(&self.fetch_lock).try_lock_owned() {
            if self.due() {
                drop(self.spawn_fetch(guard));
            }
        }
    }

    /// For a token no cached key fits: waits for a fetch (this one's, or
    /// one already running), unless one started within the minimum
    /// refresh interval.
    pub(super) async fn refresh_for_miss(self: &Arc<Self>) {
        let seen = self.finished.load(Ordering::Acquire);
        let guard = Arc::clone(&self.fetch_lock).lock_owned().await;
        if self.finished.load(Ordering::Acquire) != seen || !self.may_fetch() {
            return;
        }
        // The spawned fetch outlives this request if it is dropped.
        let _ = self.spawn_fetch(guard).await;
    }

    fn spawn_fetch(self: &Arc<Self>, guard: OwnedMutexGuard<()>) -> tokio::task::JoinHandle<()> {
        self.last_attempt_ms.store(self.now_ms(), Ordering::Release);
        let this = Arc::clone(self);
        tokio::spawn(async move {
            this.fetch_and_keep().await;
            drop(guard);
        })
    }

    async fn fetch_and_keep(&self) {
        let fetched = tokio::time::timeout(self.settings.fetch_timeout, self.fetch())
            .await
            .unwrap_or(Err(FetchError::Timeout));
        match fetched {
            Ok(keys) => {
                let keys = keys.reusing(&self.current());
                self.keys.store(Arc::new(keys));
                self.last_success_ms.store(self.now_ms(), Ordering::Release);
                tracing::debug!(issuer = %self.issuer, "JWKS fetched");
            }
            Err(error) => {
                tracing::warn!(issuer = %self.issuer, url = %self.url, %error, "JWKS fetch failed; keeping the last keys");
            }
        }
        self.finished.fetch_add(1, Ordering::AcqRel);
    }

    async fn fetch(&self) -> Result<KeySet, FetchError> {
        let mut response = self
            .client
            .get(&self.url)
            .header(http::header::ACCEPT, "application/json")
            .timeout(self.settings.fetch_timeout)
            .send()
            .await?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status()));
        }
        let limit = self.settings.max_bytes;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(FetchError::TooLarge(limit));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await? {
            if body.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge(limit));
            }
            body.extend_from_slice(&chunk);
        }
        let document = serde_json::from_slice(&body).map_err(FetchError::NotJson)?;
        let keys = KeySet::from_jwks(&document, &self.allowed, &self.issuer)
            .map_err(FetchError::NotJwks)?;
        if keys.is_empty() {
            return Err(FetchError::NoUsableKey);
        }
        Ok(keys)
    }

    /// No fetch started within the minimum refresh interval.
    fn may_fetch(&self) -> bool {
        let min = self.settings.min_refresh_interval.as_millis() as u64;
        self.elapsed_since(&self.last_attempt_ms)
            .is_none_or(|ms| ms >= min)
    }

    /// The keys are older than the refresh interval (or were never
    /// fetched), and a fetch may start.
    fn due(&self) -> bool {
        let interval = self.settings.refresh_interval.as_millis() as u64;
        let stale = self
            .elapsed_since(&self.last_success_ms)
            .is_none_or(|ms| ms >= interval);
        stale && self.may_fetch()
    }

    /// Milliseconds since the time in `at`; none if it was never set.
    fn elapsed_since(&self, at: &AtomicU64) -> Option<u64> {
        let at = at.load(Ordering::Acquire);
        (at != NEVER).then(|| self.now_ms().saturating_sub(at))
    }

    fn now_ms(&self) -> u64 {
        let elapsed = self.clock.instant().saturating_duration_since(self.epoch);
        u64::try_from(elapsed.as_millis()).unwrap_or(NEVER - 1)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::identity::jwt::settings::ASYMMETRIC_ALGORITHMS;

    /// A JWKS whose every fetch fails at once (nothing listens on port 1).
    fn unreachable(clock: &Clock) -> Arc<RemoteJwks> {
        Arc::new(RemoteJwks::new(
            "https://idp.test",
            "http://127.0.0.1:1/jwks",
            reqwest::Client::new(),
            JwksSettings::default(),
            ASYMMETRIC_ALGORITHMS.to_vec(),
            clock.clone(),
        ))
    }

    #[tokio::test]
    async fn fetches_are_spaced_by_the_minimum_interval_whatever_their_outcome() {
        let clock = Clock::system();
        let jwks = unreachable(&clock);
        assert!(jwks.due() && jwks.may_fetch(), "never fetched");
        jwks.refresh_for_miss().await;
        assert_eq!(jwks.finished.load(Ordering::Acquire), 1);
        assert!(
            jwks.current().is_empty(),
            "the failed fetch brought nothing"
        );
        assert!(!jwks.may_fetch() && !jwks.due());
        jwks.refresh_for_miss().await;
        assert_eq!(
            jwks.finished.load(Ordering::Acquire),
            1,
            "too soon: no fetch"
        );
        clock.advance(Duration::from_secs(10));
        assert!(
            jwks.due(),
            "a failed fetch is retried after the minimum interval"
        );
        jwks.refresh_for_miss().await;
        assert_eq!(jwks.finished.load(Ordering::Acquire), 2);
    }

    #[tokio::test]
    async fn a_due_refresh_runs_in_the_background_once() {
        let clock = Clock::system();
        let jwks = unreachable(&clock);
        jwks.refresh_if_due();
        jwks.refresh_if_due();
        // Waiting for the lock waits for the background fetch; it was the
        // only one, and this miss, coming right after it, starts none.
        jwks.refresh_for_miss().await;
        assert_eq!(jwks.finished.load(Ordering::Acquire), 1);
    }
}
