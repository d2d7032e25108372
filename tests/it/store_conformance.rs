//! The store conformance suite: the same behaviour asked of both backends.
//!
//! Each test in `conformance!` runs twice, as `embedded::<name>` (a redb file
//! in a temporary directory) and `redis::<name>` (a private redis-server from
//! `common/redis_server.rs`, with a prefix named after the test). The tests
//! after it cover what only one backend has: the embedded file's lifetime
//! and locking; Redis outages, passwords, URLs and data it did not write.

#![allow(clippy::unwrap_used)]

// Only the Redis harness: `common/mod.rs` is the HTTP tests' harness.

use std::sync::Arc;
use std::time::{Duration, Instant};

use junction::store::{
    open_store, CasOutcome, EmbeddedStore, Store, StoreConfig, StoreError, Subscription, Versioned,
    EMBEDDED_FILE_NAME,
};
use tempfile::TempDir;

use crate::common::redis_server::RedisServer;

/// How long a published message may take to arrive.
const DELIVERY: Duration = Duration::from_secs(2);

/// One backend under test and what keeps it alive.
struct Backend {
    prefix: String,
    /// The embedded file's directory.
    _dir: Option<TempDir>,
    embedded: Option<EmbeddedStore>,
    redis: Option<RedisServer>,
}

impl Backend {
    async fn embedded(test: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(&dir.path().join(EMBEDDED_FILE_NAME), "")
            .await
            .unwrap();
        Self {
            prefix: format!("{test}:"),
            _dir: Some(dir),
            embedded: Some(store),
            redis: None,
        }
    }

    async fn redis(test: &str) -> Self {
        Self {
            prefix: format!("{test}:"),
            _dir: None,
            embedded: None,
            redis: Some(
                tokio::task::spawn_blocking(RedisServer::start)
                    .await
                    .unwrap(),
            ),
        }
    }

    /// The store under the test's own prefix.
    async fn store(&self) -> Arc<dyn Store> {
        self.store_with_prefix(&self.prefix).await
    }

    /// Another store on the same data, its names under `prefix`.
    async fn store_with_prefix(&self, prefix: &str) -> Arc<dyn Store> {
        match (&self.embedded, &self.redis) {
            (Some(embedded), _) => Arc::new(embedded.with_prefix(prefix)),
            (_, Some(server)) => open_store(&StoreConfig {
                redis_url: Some(server.url()),
                prefix: prefix.to_string(),
                ..StoreConfig::default()
            })
            .await
            .unwrap(),
            _ => unreachable!("a backend is either embedded or Redis"),
        }
    }

    fn name(&self) -> &'static str {
        if self.embedded.is_some() {
            "embedded"
        } else {
            "redis"
        }
    }
}

fn versioned(version: u64, value: &[u8]) -> Option<Versioned> {
    Some(Versioned {
        version,
        value: value.to_vec(),
    })
}

/// The next message of `subscription`, failing the test after [`DELIVERY`].
async fn receive(subscription: &mut Subscription) -> Vec<u8> {
    tokio::time::timeout(DELIVERY, subscription.next())
        .await
        .expect("no message within the delivery time")
        .expect("the subscription ended")
}

/// Fails the test if `subscription` yields a message within `quiet`.
async fn receive_nothing(subscription: &mut Subscription, quiet: Duration) {
    if let Ok(message) = tokio::time::timeout(quiet, subscription.next()).await {
        panic!("unexpected message {message:?}");
    }
}

// ---------------------------------------------------------------------------
// Behaviour common to both backends.

async fn names_its_backend_and_answers_ping(backend: Backend) {
    let store = backend.store().await;
    assert_eq!(store.backend(), backend.name());
    store.ping().await.unwrap();
}

async fn absent_names_read_as_empty(backend: Backend) {
    let store = backend.store().await;
    assert_eq!(store.get("missing").await.unwrap(), None);
    assert!(!store.delete("missing").await.unwrap());
    assert_eq!(
        store.newest("missing", 10).await.unwrap(),
        Vec::<Vec<u8>>::new()
    );
}

async fn put_counts_versions_from_one(backend: Backend) {
    let store = backend.store().await;
    assert_eq!(store.put("k", b"first").await.unwrap(), 1);
    assert_eq!(store.get("k").await.unwrap(), versioned(1, b"first"));
    assert_eq!(store.put("k", b"second").await.unwrap(), 2);
    assert_eq!(store.put("k", b"third").await.unwrap(), 3);
    assert_eq!(store.get("k").await.unwrap(), versioned(3, b"third"));
}

async fn values_are_bytes_kept_exactly(backend: Backend) {
    let store = backend.store().await;
    let binary = [0u8, 255, 13, 10, 0, 128];
    store.put("binary", &binary).await.unwrap();
    store.put("empty", b"").await.unwrap();
    assert_eq!(store.get("binary").await.unwrap(), versioned(1, &binary));
    assert_eq!(store.get("empty").await.unwrap(), versioned(1, b""));
    store.append("list", b"").await.unwrap();
    store.append("list", &binary).await.unwrap();
    assert_eq!(
        store.newest("list", 5).await.unwrap(),
        [binary.to_vec(), Vec::new()]
    );
}

async fn compare_and_set_expecting_zero_creates_an_absent_key(backend: Backend) {
    let store = backend.store().await;
    assert_eq!(
        store.compare_and_set("k", 0, b"created").await.unwrap(),
        CasOutcome::Stored { version: 1 }
    );
    assert_eq!(store.get("k").await.unwrap(), versioned(1, b"created"));
    assert_eq!(
        store.compare_and_set("k", 0, b"again").await.unwrap(),
        CasOutcome::Conflict { current: 1 }
    );
    assert_eq!(store.get("k").await.unwrap(), versioned(1, b"created"));
}

async fn compare_and_set_with_a_wrong_version_conflicts(backend: Backend) {
    let store = backend.store().await;
    assert_eq!(
        store.compare_and_set("absent", 3, b"x").await.unwrap(),
        CasOutcome::Conflict { current: 0 }
    );
    assert_eq!(store.get("absent").await.unwrap(), None);
    store.put("k", b"one").await.unwrap();
    store.put("k", b"two").await.unwrap();
    for stale in [1, 3, 100] {
        assert_eq!(
            store.compare_and_set("k", stale, b"lost").await.unwrap(),
            CasOutcome::Conflict { current: 2 }
        );
    }
    assert_eq!(store.get("k").await.unwrap(), versioned(2, b"two"));
}

async fn compare_and_set_with_the_current_version_stores(backend: Backend) {
    let store = backend.store().await;
    store.put("k", b"one").await.unwrap();
    assert_eq!(
        store.compare_and_set("k", 1, b"two").await.unwrap(),
        CasOutcome::Stored { version: 2 }
    );
    assert_eq!(
        store.compare_and_set("k", 2, b"three").await.unwrap(),
        CasOutcome::Stored { version: 3 }
    );
    assert_eq!(store.get("k").await.unwrap(), versioned(3, b"three"));
}

async fn delete_removes_the_key_and_its_versions(backend: Backend) {
    let store = backend.store().await;
    store.put("k", b"one").await.unwrap();
    store.put("k", b"two").await.unwrap();
    store.put("other", b"stays").await.unwrap();
    assert!(store.delete("k").await.unwrap());
    assert_eq!(store.get("k").await.unwrap(), None);
    assert!(!store.delete("k").await.unwrap());
    assert_eq!(
        store.compare_and_set("k", 0, b"new").await.unwrap(),
        CasOutcome::Stored { version: 1 }
    );
    assert_eq!(store.get("other").await.unwrap(), versioned(1, b"stays"));
}

async fn newest_lists_latest_first_up_to_the_limit(backend: Backend) {
    let store = backend.store().await;
    for (length, value) in [b"a", b"b", b"c", b"d"].iter().enumerate() {
        assert_eq!(
            store.append("history", *value).await.unwrap(),
            length as u64 + 1
        );
    }
    let all: Vec<Vec<u8>> = [b"d", b"c", b"b", b"a"].map(|v| v.to_vec()).into();
    assert_eq!(store.newest("history", 10).await.unwrap(), all);
    assert_eq!(store.newest("history", 4).await.unwrap(), all);
    assert_eq!(store.newest("history", 2).await.unwrap(), all[..2]);
    assert_eq!(store.newest("history", 1).await.unwrap(), all[..1]);
    assert!(store.newest("history", 0).await.unwrap().is_empty());
    assert_eq!(store.newest("history", usize::MAX).await.unwrap(), all);
}

async fn capped_lists_keep_their_newest_values(backend: Backend) {
    let store = backend.store().await;
    let mut lengths = Vec::new();
    for value in [b"a", b"b", b"c", b"d", b"e"] {
        lengths.push(store.append_capped("log", value, 3).await.unwrap());
    }
    assert_eq!(lengths, [1, 2, 3, 3, 3]);
    let newest: Vec<Vec<u8>> = [b"e", b"d", b"c"].map(|v| v.to_vec()).into();
    assert_eq!(store.newest("log", 10).await.unwrap(), newest);
    assert_eq!(store.append_capped("log", b"f", 1).await.unwrap(), 1);
    assert_eq!(store.newest("log", 10).await.unwrap(), [b"f".to_vec()]);
}

async fn keys_and_lists_are_separate_namespaces(backend: Backend) {
    let store = backend.store().await;
    store.put("name", b"value").await.unwrap();
    assert_eq!(store.append("name", b"item").await.unwrap(), 1);
    assert_eq!(store.get("name").await.unwrap(), versioned(1, b"value"));
    assert_eq!(store.newest("name", 5).await.unwrap(), [b"item".to_vec()]);
    assert!(store.delete("name").await.unwrap());
    assert_eq!(store.newest("name", 5).await.unwrap(), [b"item".to_vec()]);
}

async fn cached_values_are_apart_from_keys_and_prefixes_and_expire(backend: Backend) {
    let store = backend.store().await;
    let hour = Duration::from_secs(3600);
    assert_eq!(store.cache_get("q").await.unwrap(), None);
    store.cache_put("q", b"{ a }", hour).await.unwrap();
    store.put("q", b"versioned").await.unwrap();
    assert_eq!(store.cache_get("q").await.unwrap(), Some(b"{ a }".to_vec()));
    assert_eq!(store.get("q").await.unwrap(), versioned(1, b"versioned"));
    store.cache_put("q", b"{ b }", hour).await.unwrap();
    assert_eq!(store.cache_get("q").await.unwrap(), Some(b"{ b }".to_vec()));
    let theirs = backend.store_with_prefix("tenant-b:").await;
    assert_eq!(theirs.cache_get("q").await.unwrap(), None);

    // A short-lived entry is there, then gone (waited for, at most 5 s).
    store
        .cache_put("brief", b"x", Duration::from_millis(300))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while store.cache_get("brief").await.unwrap().is_some() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the entry never expired"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(store.cache_get("q").await.unwrap(), Some(b"{ b }".to_vec()));
}

async fn expiring_records_are_versioned_apart_and_expire(backend: Backend) {
    let store = backend.store().await;
    let hour = Duration::from_secs(3600);
    assert_eq!(store.get_expiring("r").await.unwrap(), None);
    let first = store.compare_and_set_expiring("r", 0, b"one", hour).await;
    assert_eq!(first.unwrap(), CasOutcome::Stored { version: 1 });
    let stale = store.compare_and_set_expiring("r", 0, b"two", hour).await;
    assert_eq!(stale.unwrap(), CasOutcome::Conflict { current: 1 });
    let next = store.compare_and_set_expiring("r", 1, b"two", hour).await;
    assert_eq!(next.unwrap(), CasOutcome::Stored { version: 2 });
    assert_eq!(store.get_expiring("r").await.unwrap(), versioned(2, b"two"));
    // Apart from the versioned keys, the cache and other prefixes.
    assert_eq!(store.get("r").await.unwrap(), None);
    assert_eq!(store.cache_get("r").await.unwrap(), None);
    let theirs = backend.store_with_prefix("tenant-b:").await;
    assert_eq!(theirs.get_expiring("r").await.unwrap(), None);

    // A short-lived record is there, then gone, and then absent for
    // compare-and-set too (waited for, at most 5 s).
    let brief = Duration::from_millis(300);
    store
        .compare_and_set_expiring("brief", 0, b"x", brief)
        .await
        .unwrap();
    assert_eq!(
        store.get_expiring("brief").await.unwrap(),
        versioned(1, b"x")
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while store.get_expiring("brief").await.unwrap().is_some() {
        assert!(tokio::time::Instant::now() < deadline, "never expired");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let again = store.compare_and_set_expiring("brief", 0, b"y", hour).await;
    assert_eq!(again.unwrap(), CasOutcome::Stored { version: 1 });
    assert_eq!(store.get_expiring("r").await.unwrap(), versioned(2, b"two"));
}

async fn concurrent_expiring_claims_have_one_winner(backend: Backend) {
    let store = backend.store().await;
    let claims = (0..8).map(|i| {
        let store = Arc::clone(&store);
        tokio::spawn(async move {
            let value = format!("claim {i}");
            store
                .compare_and_set_expiring("token", 0, value.as_bytes(), Duration::from_secs(60))
                .await
                .unwrap()
        })
    });
    let outcomes = futures::future::join_all(claims).await;
    let won = outcomes
        .into_iter()
        .filter(|outcome| matches!(outcome, Ok(CasOutcome::Stored { .. })))
        .count();
    assert_eq!(won, 1);
}

async fn published_messages_reach_a_subscriber_in_order(backend: Backend) {
    let store = backend.store().await;
    let mut subscription = store.subscribe("changes").await.unwrap();
    store.publish("nobody-listens", b"dropped").await.unwrap();
    for message in [b"one", b"two", b"six"] {
        store.publish("changes", message).await.unwrap();
    }
    assert_eq!(receive(&mut subscription).await, b"one");
    assert_eq!(receive(&mut subscription).await, b"two");
    assert_eq!(receive(&mut subscription).await, b"six");
}

async fn every_subscriber_receives_each_message(backend: Backend) {
    let store = backend.store().await;
    let mut first = store.subscribe("changes").await.unwrap();
    let mut second = store.subscribe("changes").await.unwrap();
    let mut elsewhere = store.subscribe("other").await.unwrap();
    store.publish("changes", b"hello").await.unwrap();
    assert_eq!(receive(&mut first).await, b"hello");
    assert_eq!(receive(&mut second).await, b"hello");
    receive_nothing(&mut elsewhere, Duration::from_millis(200)).await;
    // One subscriber leaving does not end the other's subscription.
    drop(first);
    store.publish("changes", b"again").await.unwrap();
    assert_eq!(receive(&mut second).await, b"again");
}

async fn prefixes_hide_keys_lists_and_channels(backend: Backend) {
    let ours = backend.store_with_prefix("tenant-a:").await;
    let theirs = backend.store_with_prefix("tenant-b:").await;
    ours.put("k", b"ours").await.unwrap();
    ours.append("list", b"ours").await.unwrap();
    assert_eq!(theirs.get("k").await.unwrap(), None);
    assert!(theirs.newest("list", 10).await.unwrap().is_empty());
    assert!(!theirs.delete("k").await.unwrap());
    assert_eq!(theirs.put("k", b"theirs").await.unwrap(), 1);
    assert_eq!(ours.get("k").await.unwrap(), versioned(1, b"ours"));

    let mut our_subscription = ours.subscribe("changes").await.unwrap();
    let mut their_subscription = theirs.subscribe("changes").await.unwrap();
    ours.publish("changes", b"for a").await.unwrap();
    assert_eq!(receive(&mut our_subscription).await, b"for a");
    receive_nothing(&mut their_subscription, Duration::from_millis(200)).await;
}

async fn concurrent_compare_and_set_loses_no_update(backend: Backend) {
    let store = backend.store().await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                loop {
                    let (expected, count) = match store.get("counter").await.unwrap() {
                        Some(current) => {
                            let count: u64 =
                                String::from_utf8(current.value).unwrap().parse().unwrap();
                            (current.version, count)
                        }
                        None => (0, 0),
                    };
                    let next = (count + 1).to_string();
                    match store
                        .compare_and_set("counter", expected, next.as_bytes())
                        .await
                        .unwrap()
                    {
                        CasOutcome::Stored { .. } => return,
                        CasOutcome::Conflict { .. } => tokio::task::yield_now().await,
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(store.get("counter").await.unwrap(), versioned(20, b"20"));
}

async fn dropping_the_store_ends_its_subscriptions(mut backend: Backend) {
    let store = backend.store().await;
    let mut subscription = store.subscribe("changes").await.unwrap();
    drop(store);
    // Every view of an embedded file shares its channels: drop them all.
    backend.embedded = None;
    let ended = tokio::time::timeout(DELIVERY, subscription.next()).await;
    assert_eq!(ended, Ok(None));
}

/// Runs each named test against both backends, as `embedded::<name>` and
/// `redis::<name>`.
macro_rules! conformance {
    ($($test:ident),+ $(,)?) => {
        mod embedded {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::Backend::embedded(stringify!($test)).await).await;
                }
            )+
        }
        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    super::$test(super::Backend::redis(stringify!($test)).await).await;
                }
            )+
        }
    };
}

conformance!(
    names_its_backend_and_answers_ping,
    absent_names_read_as_empty,
    put_counts_versions_from_one,
    values_are_bytes_kept_exactly,
    compare_and_set_expecting_zero_creates_an_absent_key,
    compare_and_set_with_a_wrong_version_conflicts,
    compare_and_set_with_the_current_version_stores,
    delete_removes_the_key_and_its_versions,
    newest_lists_latest_first_up_to_the_limit,
    capped_lists_keep_their_newest_values,
    keys_and_lists_are_separate_namespaces,
    cached_values_are_apart_from_keys_and_prefixes_and_expire,
    expiring_records_are_versioned_apart_and_expire,
    concurrent_expiring_claims_have_one_winner,
    published_messages_reach_a_subscriber_in_order,
    every_subscriber_receives_each_message,
    prefixes_hide_keys_lists_and_channels,
    concurrent_compare_and_set_loses_no_update,
    dropping_the_store_ends_its_subscriptions,
);

// ---------------------------------------------------------------------------
// The embedded file.

fn embedded_config(data_dir: &std::path::Path) -> StoreConfig {
    StoreConfig {
        redis_url: None,
        data_dir: data_dir.to_path_buf(),
        prefix: "junction:".to_string(),
    }
}

#[tokio::test]
async fn embedded_data_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("not-yet-created");
    let store = open_store(&embedded_config(&data_dir)).await.unwrap();
    assert_eq!(store.backend(), "embedded");
    store.put("supergraph", b"v1").await.unwrap();
    store.put("supergraph", b"v2").await.unwrap();
    store.append("history", b"v1").await.unwrap();
    store.append("history", b"v2").await.unwrap();
    drop(store);

    assert!(data_dir.join(EMBEDDED_FILE_NAME).is_file());
    let reopened = open_store(&embedded_config(&data_dir)).await.unwrap();
    assert_eq!(
        reopened.get("supergraph").await.unwrap(),
        versioned(2, b"v2")
    );
    assert_eq!(
        reopened.newest("history", 10).await.unwrap(),
        [b"v2".to_vec(), b"v1".to_vec()]
    );
    assert_eq!(
        reopened
            .compare_and_set("supergraph", 2, b"v3")
            .await
            .unwrap(),
        CasOutcome::Stored { version: 3 }
    );
}

#[tokio::test]
async fn embedded_file_open_elsewhere_is_reported_locked() {
    let dir = tempfile::tempdir().unwrap();
    let _first = open_store(&embedded_config(dir.path())).await.unwrap();
    let Err(error) = open_store(&embedded_config(dir.path())).await else {
        panic!("a second open of the same file succeeded");
    };
    let StoreError::Locked { path } = &error else {
        panic!("expected Locked, got {error:?}");
    };
    assert_eq!(path, &dir.path().join(EMBEDDED_FILE_NAME));
    assert!(error.to_string().contains("already open"), "{error}");
}

// ---------------------------------------------------------------------------
// Redis outages and settings.

fn redis_config(url: String) -> StoreConfig {
    StoreConfig {
        redis_url: Some(url),
        prefix: "outage:".to_string(),
        ..StoreConfig::default()
    }
}

/// How long a store call may take before the test calls it hung: well
/// past the store's own deadline (`CALL_DEADLINE`, 2 s), so that only a
/// call that ignores it fails the test; not a timing claim.
const HUNG: Duration = Duration::from_secs(10);

/// Asserts that `call` fails as unavailable instead of hanging.
async fn assert_unavailable_quickly<T: std::fmt::Debug>(
    what: &str,
    call: impl std::future::Future<Output = Result<T, StoreError>>,
) {
    let result = tokio::time::timeout(HUNG, call)
        .await
        .unwrap_or_else(|_| panic!("{what} hung while Redis was down"));
    assert!(
        matches!(result, Err(StoreError::Unavailable(_))),
        "{what} while Redis was down: {result:?}"
    );
}

/// Waits (up to 10 s) until `store` answers again.
async fn wait_until_reachable(store: &dyn Store) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Err(error) = store.ping().await {
        assert!(
            Instant::now() < deadline,
            "Redis still unreachable: {error}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_fails_fast_and_recovers_after_restart() {
    let mut server = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let store = open_store(&redis_config(server.url())).await.unwrap();
    let mut subscription = store.subscribe("changes").await.unwrap();
    store.put("k", b"before").await.unwrap();

    server.stop();
    assert_unavailable_quickly("ping", store.ping()).await;
    assert_unavailable_quickly("get", store.get("k")).await;
    assert_unavailable_quickly("put", store.put("k", b"during")).await;
    assert_unavailable_quickly("compare_and_set", store.compare_and_set("k", 1, b"x")).await;
    assert_unavailable_quickly("append", store.append("list", b"during")).await;
    assert_unavailable_quickly("newest", store.newest("list", 1)).await;
    assert_unavailable_quickly("publish", store.publish("changes", b"lost")).await;
    assert_unavailable_quickly("subscribe", store.subscribe("other")).await;

    let mut server = tokio::task::spawn_blocking(move || {
        server.restart();
        server
    })
    .await
    .unwrap();
    wait_until_reachable(store.as_ref()).await;
    // The restarted server has no data (no persistence): the store works on.
    assert_eq!(store.get("k").await.unwrap(), None);
    assert_eq!(store.put("k", b"after").await.unwrap(), 1);
    assert_eq!(store.append("list", b"after").await.unwrap(), 1);

    // The old subscription comes back by itself; until it has re-subscribed,
    // messages are lost, so publish until one arrives.
    let deadline = Instant::now() + Duration::from_secs(10);
    let received = loop {
        store.publish("changes", b"after restart").await.unwrap();
        if let Ok(message) =
            tokio::time::timeout(Duration::from_millis(100), subscription.next()).await
        {
            break message;
        }
        assert!(
            Instant::now() < deadline,
            "the subscription did not come back"
        );
    };
    assert_eq!(received.as_deref(), Some(&b"after restart"[..]));
    let mut fresh = store.subscribe("changes").await.unwrap();
    store.publish("changes", b"both").await.unwrap();
    // The resubscribed one may still hold copies of the retries: skip them.
    while receive(&mut subscription).await != b"both" {}
    assert_eq!(receive(&mut fresh).await, b"both");
    server.stop();
}

#[tokio::test]
async fn redis_unreachable_at_open_is_unavailable_without_the_password() {
    let port = crate::common::redis_server::free_port();
    let url = format!("redis://admin:hunter2@127.0.0.1:{port}");
    let opened = tokio::time::timeout(HUNG, open_store(&redis_config(url)))
        .await
        .expect("opening a store on a port where nothing listens hung");
    let Err(error) = opened else {
        panic!("opened a store on a port where nothing listens");
    };
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
    let message = error.to_string();
    assert!(!message.contains("hunter2"), "{message}");
    assert!(message.contains("admin:***@127.0.0.1"), "{message}");
}

#[tokio::test]
async fn redis_password_is_used_and_never_shown() {
    let server =
        tokio::task::spawn_blocking(|| RedisServer::start_with(&["--requirepass", "s3cret-pw"]))
            .await
            .unwrap();
    let with_password = format!("redis://:s3cret-pw@127.0.0.1:{}", server.port());
    let store = open_store(&redis_config(with_password)).await.unwrap();
    store.put("k", b"v").await.unwrap();
    let mut subscription = store.subscribe("changes").await.unwrap();
    store.publish("changes", b"authenticated").await.unwrap();
    assert_eq!(receive(&mut subscription).await, b"authenticated");

    let wrong = format!("redis://:wrong-pw@127.0.0.1:{}", server.port());
    let Err(error) = open_store(&redis_config(wrong)).await else {
        panic!("a wrong password was accepted");
    };
    assert!(matches!(error, StoreError::Config(_)), "{error:?}");
    assert!(
        !format!("{error} {error:?}").contains("wrong-pw"),
        "{error:?}"
    );
}

#[tokio::test]
async fn redis_data_the_store_did_not_write_is_reported_corrupt() {
    let server = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let mut redis = ::redis::Client::open(server.url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let _: () = ::redis::pipe()
        .set("outage:kv:string", "not a hash")
        .hset("outage:kv:no-data", "v", "1")
        .hset("outage:kv:bad-version", "v", "x")
        .hset("outage:kv:bad-version", "d", "y")
        .set("outage:list:string", "not a list")
        .query_async(&mut redis)
        .await
        .unwrap();
    let store = open_store(&redis_config(server.url())).await.unwrap();
    for key in ["string", "no-data", "bad-version"] {
        let result = store.get(key).await;
        assert!(
            matches!(result, Err(StoreError::Corrupt(_))),
            "{key}: {result:?}"
        );
    }
    let put = store.put("string", b"v").await;
    assert!(matches!(put, Err(StoreError::Corrupt(_))), "{put:?}");
    let cas = store.compare_and_set("string", 0, b"v").await;
    assert!(matches!(cas, Err(StoreError::Corrupt(_))), "{cas:?}");
    let append = store.append("string", b"v").await;
    assert!(matches!(append, Err(StoreError::Corrupt(_))), "{append:?}");
}

#[tokio::test]
async fn redis_urls_the_build_cannot_serve_are_config_errors() {
    for url in [
        "rediss://:hunter2@cache.example:6380",
        "redis+sentinel://:hunter2@127.0.0.1:1",
        "ftp://:hunter2@cache.example",
    ] {
        let Err(error) = open_store(&redis_config(url.to_string())).await else {
            panic!("{url} was accepted");
        };
        assert!(matches!(error, StoreError::Config(_)), "{url}: {error:?}");
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }
}
