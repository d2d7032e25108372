//! Deduplication of identical in-flight requests, safe against
//! cancellation: subgraph requests (keyed by [`RequestKey`]), and client
//! queries when inbound dedupe is on (keyed by the pipeline's own key).
//!
//! The first caller of a request (the leader) creates a shared fetch; callers
//! of an identical request that arrive while it runs (followers) await the
//! same fetch. The map holds the fetch only weakly, and the fetch itself owns
//! the guard that removes its entry:
//!
//! - whoever of the waiters is polled drives the fetch, so a leader that goes
//!   away hands the fetch over to its followers;
//! - the entry is removed exactly once, by the guard's `Drop`, when the fetch
//!   finishes *or* when the last waiter goes away (dropping the fetch, and
//!   with it the subgraph connection) — never by code after an `.await`;
//! - a caller joins only a fetch that still has a waiter and has not finished,
//!   so once a fetch has finished or been abandoned the next identical request
//!   goes to the subgraph.
//!
//! The key is the whole outgoing request (subgraph, URL, body and the headers
//! sent with it), so two requests that could be answered differently never
//! share a fetch.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use bytes::Bytes;
use futures::future::{BoxFuture, FutureExt, Shared, WeakShared};

/// Everything that makes one subgraph request differ from another.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestKey {
    pub subgraph: String,
    pub url: String,
    /// Headers sent to the subgraph besides the fixed ones (sorted by name).
    pub headers: Vec<(http::HeaderName, http::HeaderValue)>,
    pub body: Bytes,
}

type SharedFetch<T> = Shared<BoxFuture<'static, T>>;

struct Entry<T: Clone> {
    /// Tells this fetch's entry apart from a later one under the same key.
    id: u64,
    fetch: WeakShared<BoxFuture<'static, T>>,
}

struct Table<T: Clone, K> {
    next_id: u64,
    /// foldhash (randomly seeded), not SipHash: every subgraph request's
    /// whole body is hashed here.
    entries: HashMap<K, Entry<T>, foldhash::fast::RandomState>,
}

/// The in-flight fetches, by request (`K`: what makes two requests the
/// same; subgraph requests by default).
pub struct InFlight<T: Clone, K = RequestKey> {
    table: Arc<Mutex<Table<T, K>>>,
    /// Callers awaiting a shared fetch (leaders and followers).
    waiting: Arc<AtomicUsize>,
}

impl<T: Clone, K> Default for InFlight<T, K> {
    fn default() -> Self {
        Self {
            table: Arc::new(Mutex::new(Table {
                next_id: 0,
                entries: HashMap::default(),
            })),
            waiting: Arc::default(),
        }
    }
}

impl<T: Clone, K> Clone for InFlight<T, K> {
    fn clone(&self) -> Self {
        Self {
            table: Arc::clone(&self.table),
            waiting: Arc::clone(&self.waiting),
        }
    }
}

/// Counts one caller as waiting for as long as it lives.
struct Waiting(Arc<AtomicUsize>);

impl Waiting {
    fn new(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(count))
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<T, K> InFlight<T, K>
where
    T: Clone + Send + Sync + 'static,
    K: std::hash::Hash + Eq + Clone + Send + Sync + 'static,
{
    /// Runs `fetch` for `key`, or joins the identical fetch already in flight.
    pub async fn run<F>(&self, key: K, fetch: F) -> T
    where
        F: Future<Output = T> + Send + 'static,
    {
        // The shared fetch is taken out of the lock before it is awaited or
        // dropped: dropping the last waiter drops the fetch, whose guard
        // takes the lock.
        let _waiting = Waiting::new(&self.waiting);
        let shared = self.join_or_start(key, fetch);
        shared.await
    }

    /// Callers awaiting a fetch, leaders and followers.
    pub fn waiters(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Number of fetches in flight (entries in the map).
    pub fn len(&self) -> usize {
        lock(&self.table).entries.len()
    }

    /// True when no fetch is in flight.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn join_or_start<F>(&self, key: K, fetch: F) -> SharedFetch<T>
    where
        F: Future<Output = T> + Send + 'static,
    {
        let mut table = lock(&self.table);
        if let Some(running) = table.entries.get(&key).and_then(|e| e.fetch.upgrade()) {
            return running;
        }
        let id = table.next_id;
        table.next_id += 1;
        let guard = EntryGuard {
            table: Arc::downgrade(&self.table),
            key: key.clone(),
            id,
        };
        let shared = async move {
            let _guard = guard;
            fetch.await
        }
        .boxed()
        .shared();
        if let Some(weak) = shared.downgrade() {
            // Replaces an abandoned entry whose guard has not run yet; that
            // guard sees another id and leaves this entry alone.
            table.entries.insert(key, Entry { id, fetch: weak });
        }
        shared
    }
}

/// Removes its fetch's entry when the fetch finishes or is dropped.
struct EntryGuard<T: Clone, K: std::hash::Hash + Eq> {
    table: Weak<Mutex<Table<T, K>>>,
    key: K,
    id: u64,
}

impl<T: Clone, K: std::hash::Hash + Eq> Drop for EntryGuard<T, K> {
    fn drop(&mut self) {
        let Some(table) = self.table.upgrade() else {
            return;
        };
        let mut table = lock(&table);
        if table
            .entries
            .get(&self.key)
            .is_some_and(|e| e.id == self.id)
        {
            table.entries.remove(&self.key);
        }
    }
}

fn lock<T: Clone, K>(table: &Mutex<Table<T, K>>) -> std::sync::MutexGuard<'_, Table<T, K>> {
    table.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use tokio::sync::Notify;
    use tokio::task::JoinHandle;

    use super::*;

    fn key(body: &'static str) -> RequestKey {
        RequestKey {
            subgraph: "a".into(),
            url: "http://a/".into(),
            headers: Vec::new(),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    /// A map and fetches that count their starts and finish when the gate
    /// opens.
    #[derive(Default)]
    struct Fixture {
        in_flight: InFlight<u32>,
        starts: Arc<AtomicUsize>,
        gate: Arc<Notify>,
    }

    impl Fixture {
        /// A caller of `key`, whose own fetch (if it leads) answers `answer`.
        fn call(&self, key: RequestKey, answer: u32) -> JoinHandle<u32> {
            let in_flight = self.in_flight.clone();
            let (starts, gate) = (Arc::clone(&self.starts), Arc::clone(&self.gate));
            let fetch = async move {
                starts.fetch_add(1, Ordering::SeqCst);
                gate.notified().await;
                answer
            };
            tokio::spawn(async move { in_flight.run(key, fetch).await })
        }

        async fn until_started(&self, fetches: usize) {
            while self.starts.load(Ordering::SeqCst) < fetches {
                tokio::task::yield_now().await;
            }
        }

        fn started(&self) -> usize {
            self.starts.load(Ordering::SeqCst)
        }
    }

    #[tokio::test]
    async fn followers_share_the_leaders_fetch_and_the_entry_goes_when_it_ends() {
        let fixture = Fixture::default();
        let leader = fixture.call(key("q"), 1);
        fixture.until_started(1).await;
        let follower = fixture.call(key("q"), 2);
        tokio::task::yield_now().await;
        assert_eq!(fixture.in_flight.len(), 1);
        fixture.gate.notify_waiters();
        assert_eq!(leader.await.unwrap(), 1);
        assert_eq!(follower.await.unwrap(), 1, "the leader's answer");
        assert_eq!(fixture.started(), 1);
        assert!(fixture.in_flight.is_empty());
    }

    #[tokio::test]
    async fn a_dropped_leader_hands_the_fetch_to_its_follower() {
        let fixture = Fixture::default();
        let leader = fixture.call(key("q"), 1);
        fixture.until_started(1).await;
        let follower = fixture.call(key("q"), 2);
        tokio::task::yield_now().await;
        leader.abort();
        assert!(leader.await.unwrap_err().is_cancelled());
        assert_eq!(fixture.in_flight.len(), 1, "the follower still waits");
        fixture.gate.notify_waiters();
        assert_eq!(follower.await.unwrap(), 1);
        assert!(fixture.in_flight.is_empty());
    }

    #[tokio::test]
    async fn an_abandoned_fetch_leaves_no_entry_and_the_next_request_starts_anew() {
        let fixture = Fixture::default();
        for _ in 0..100 {
            let leader = fixture.call(key("q"), 1);
            tokio::task::yield_now().await;
            leader.abort();
            let _ = leader.await;
            assert!(fixture.in_flight.is_empty());
        }
        let next = fixture.call(key("q"), 7);
        while fixture.in_flight.is_empty() {
            tokio::task::yield_now().await;
        }
        fixture.gate.notify_waiters();
        assert_eq!(next.await.unwrap(), 7, "a new fetch, not an old answer");
        assert!(fixture.in_flight.is_empty());
    }

    #[tokio::test]
    async fn a_request_after_a_finished_fetch_starts_a_new_one() {
        let in_flight = InFlight::<u32>::default();
        let first = in_flight.run(key("q"), async { 1 }).await;
        let second = in_flight.run(key("q"), async { 2 }).await;
        assert_eq!((first, second), (1, 2));
        assert!(in_flight.is_empty());
    }

    #[tokio::test]
    async fn different_requests_never_share_a_fetch() {
        let fixture = Fixture::default();
        let mut other = key("q");
        other.headers.push((
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static("Bearer b"),
        ));
        let a = fixture.call(key("q"), 1);
        let b = fixture.call(other, 2);
        fixture.until_started(2).await;
        assert_eq!(fixture.in_flight.len(), 2);
        fixture.gate.notify_waiters();
        assert_eq!((a.await.unwrap(), b.await.unwrap()), (1, 2));
    }
}
