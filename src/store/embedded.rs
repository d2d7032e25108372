//! The embedded store: one redb file, for a single Junction process.
//!
//! redb is synchronous, so every call runs on tokio's blocking pool. Each
//! write is one redb write transaction (redb runs them one at a time), which
//! is what makes compare-and-set atomic. Tables:
//!
//! - `values`: key → (version, bytes)
//! - `list_items`: (list, index) → bytes, index 0 the oldest
//! - `list_lengths`: list → number of items
//! - `cache`: key → (expiry in ms since the Unix epoch, bytes); read as
//!   absent once expired, swept when the table is full
//! - `expiring`: key → (version, expiry in ms, bytes), and `expiring_by_time`:
//!   (expiry, key) → (), so each write sweeps a few expired records
//!
//! Names are stored with the store's prefix in front. Pub/sub stays inside
//! the process: a `tokio::sync::broadcast` channel per channel name, shared
//! by every [`EmbeddedStore::with_prefix`] view of the file. redb locks the
//! file, so a second process (or a second `open` in this one) gets
//! [`StoreError::Locked`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition};
use tokio::sync::{broadcast, mpsc};

use super::{CasOutcome, Store, StoreError, Subscription, Versioned, CACHE_MAX_ENTRIES};

const VALUES: TableDefinition<&str, (u64, &[u8])> = TableDefinition::new("values");
const LIST_ITEMS: TableDefinition<(&str, u64), &[u8]> = TableDefinition::new("list_items");
const LIST_LENGTHS: TableDefinition<&str, u64> = TableDefinition::new("list_lengths");
const CACHE: TableDefinition<&str, (u64, &[u8])> = TableDefinition::new("cache");
const EXPIRING: TableDefinition<&str, (u64, u64, &[u8])> = TableDefinition::new("expiring");
const EXPIRING_BY_TIME: TableDefinition<(u64, &str), ()> = TableDefinition::new("expiring_by_time");
/// Most expired records one write removes.
const SWEEP_PER_WRITE: usize = 64;

/// Messages a slow subscriber may fall behind by before it misses some.
const CHANNEL_CAPACITY: usize = 1024;

/// A [`Store`] in one local redb file.
#[derive(Clone)]
pub struct EmbeddedStore {
    database: Arc<Database>,
    channels: Arc<Channels>,
    prefix: String,
}

impl EmbeddedStore {
    /// Opens (or creates) the redb file at `path`; names get `prefix` in front.
    pub async fn open(path: &Path, prefix: &str) -> Result<Self, StoreError> {
        let owned_path = path.to_path_buf();
        let database = tokio::task::spawn_blocking(move || open_database(&owned_path))
            .await
            .map_err(|e| StoreError::Backend(format!("opening the store failed: {e}")))??;
        Ok(Self {
            database: Arc::new(database),
            channels: Arc::new(Channels::default()),
            prefix: prefix.to_string(),
        })
    }

    /// Another view of the same file (and the same in-process channels) whose
    /// names get `prefix` in front instead.
    #[must_use]
    pub fn with_prefix(&self, prefix: &str) -> Self {
        Self {
            prefix: prefix.to_string(),
            ..self.clone()
        }
    }

    fn name(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// Runs `work` against the database on the blocking pool.
    async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Database) -> Result<T, redb::Error> + Send + 'static,
    {
        let database = Arc::clone(&self.database);
        tokio::task::spawn_blocking(move || work(&database))
            .await
            .map_err(|e| StoreError::Backend(format!("store task failed: {e}")))?
            .map_err(store_error)
    }
}

fn open_database(path: &Path) -> Result<Database, StoreError> {
    let database = Database::create(path).map_err(|e| match e {
        redb::DatabaseError::DatabaseAlreadyOpen => StoreError::Locked {
            path: path.to_path_buf(),
        },
        other => StoreError::Backend(format!("cannot open {}: {other}", path.display())),
    })?;
    // Create the tables up front so that readers never meet a missing one.
    let create = || -> Result<(), redb::Error> {
        let transaction = database.begin_write()?;
        transaction.open_table(VALUES)?;
        transaction.open_table(LIST_ITEMS)?;
        transaction.open_table(LIST_LENGTHS)?;
        transaction.open_table(CACHE)?;
        transaction.open_table(EXPIRING)?;
        transaction.open_table(EXPIRING_BY_TIME)?;
        transaction.commit()?;
        Ok(())
    };
    create().map_err(store_error)?;
    Ok(database)
}

/// Removes up to [`SWEEP_PER_WRITE`] records that expired by `now`, oldest
/// first, so expired records do not pile up in the file.
fn sweep_expired(
    table: &mut redb::Table<&str, (u64, u64, &[u8])>,
    by_time: &mut redb::Table<(u64, &str), ()>,
    now: u64,
) -> Result<(), redb::Error> {
    for _ in 0..SWEEP_PER_WRITE {
        let oldest = by_time.first()?.map(|(entry, _)| {
            let (expiry, key) = entry.value();
            (expiry, key.to_string())
        });
        let Some((expiry, key)) = oldest.filter(|(expiry, _)| *expiry <= now) else {
            break;
        };
        by_time.remove((expiry, key.as_str()))?;
        table.remove(key.as_str())?;
    }
    Ok(())
}

/// Milliseconds since the Unix epoch (0 for a clock before it).
fn now_ms() -> u64 {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

fn store_error(error: redb::Error) -> StoreError {
    match error {
        redb::Error::Corrupted(message) => StoreError::Corrupt(message),
        other => StoreError::Backend(other.to_string()),
    }
}

#[async_trait]
impl Store for EmbeddedStore {
    fn backend(&self) -> &'static str {
        "embedded"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.run(|database| {
            database.begin_read()?;
            Ok(())
        })
        .await
    }

    async fn get(&self, key: &str) -> Result<Option<Versioned>, StoreError> {
        let key = self.name(key);
        self.run(move |database| {
            let transaction = database.begin_read()?;
            let table = transaction.open_table(VALUES)?;
            let found = table.get(key.as_str())?.map(|entry| {
                let (version, value) = entry.value();
                Versioned {
                    version,
                    value: value.to_vec(),
                }
            });
            Ok(found)
        })
        .await
    }

    async fn compare_and_set(
        &self,
        key: &str,
        expected: u64,
        value: &[u8],
    ) -> Result<CasOutcome, StoreError> {
        let key = self.name(key);
        let value = value.to_vec();
        self.run(move |database| {
            let transaction = database.begin_write()?;
            let outcome = {
                let mut table = transaction.open_table(VALUES)?;
                let current = table.get(key.as_str())?.map_or(0, |entry| entry.value().0);
                if current == expected {
                    let version = current + 1;
                    table.insert(key.as_str(), (version, value.as_slice()))?;
                    CasOutcome::Stored { version }
                } else {
                    CasOutcome::Conflict { current }
                }
            };
            match outcome {
                CasOutcome::Stored { .. } => transaction.commit()?,
                CasOutcome::Conflict { .. } => transaction.abort()?,
            }
            Ok(outcome)
        })
        .await
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<u64, StoreError> {
        let key = self.name(key);
        let value = value.to_vec();
        self.run(move |database| {
            let transaction = database.begin_write()?;
            let version = {
                let mut table = transaction.open_table(VALUES)?;
                let version = table.get(key.as_str())?.map_or(0, |entry| entry.value().0) + 1;
                table.insert(key.as_str(), (version, value.as_slice()))?;
                version
            };
            transaction.commit()?;
            Ok(version)
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        let key = self.name(key);
        self.run(move |database| {
            let transaction = database.begin_write()?;
            let existed = transaction
                .open_table(VALUES)?
                .remove(key.as_str())?
                .is_some();
            transaction.commit()?;
            Ok(existed)
        })
        .await
    }

    async fn cache_put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        let key = self.name(key);
        let value = value.to_vec();
        let expires = now_ms().saturating_add(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX));
        self.run(move |database| {
            let transaction = database.begin_write()?;
            {
                let mut table = transaction.open_table(CACHE)?;
                let replacing = table.get(key.as_str())?.is_some();
                if !replacing && table.len()? >= CACHE_MAX_ENTRIES {
                    let now = now_ms();
                    table.retain(|_, (expiry, _)| expiry > now)?;
                }
                if replacing || table.len()? < CACHE_MAX_ENTRIES {
                    table.insert(key.as_str(), (expires, value.as_slice()))?;
                }
            }
            transaction.commit()?;
            Ok(())
        })
        .await
    }

    async fn cache_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let key = self.name(key);
        self.run(move |database| {
            let transaction = database.begin_read()?;
            let table = transaction.open_table(CACHE)?;
            let found = table.get(key.as_str())?.and_then(|entry| {
                let (expiry, value) = entry.value();
                (expiry > now_ms()).then(|| value.to_vec())
            });
            Ok(found)
        })
        .await
    }

    async fn get_expiring(&self, key: &str) -> Result<Option<Versioned>, StoreError> {
        let key = self.name(key);
        self.run(move |database| {
            let transaction = database.begin_read()?;
            let table = transaction.open_table(EXPIRING)?;
            let found = table.get(key.as_str())?.and_then(|entry| {
                let (version, expiry, value) = entry.value();
                (expiry > now_ms()).then(|| Versioned {
                    version,
                    value: value.to_vec(),
                })
            });
            Ok(found)
        })
        .await
    }

    async fn compare_and_set_expiring(
        &self,
        key: &str,
        expected: u64,
        value: &[u8],
        ttl: Duration,
    ) -> Result<CasOutcome, StoreError> {
        let key = self.name(key);
        let value = value.to_vec();
        let now = now_ms();
        let expires = now.saturating_add(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX));
        self.run(move |database| {
            let transaction = database.begin_write()?;
            let outcome = {
                let mut table = transaction.open_table(EXPIRING)?;
                let mut by_time = transaction.open_table(EXPIRING_BY_TIME)?;
                sweep_expired(&mut table, &mut by_time, now)?;
                let previous = table.get(key.as_str())?.map(|entry| {
                    let (version, expiry, _) = entry.value();
                    (version, expiry)
                });
                let current = previous
                    .filter(|(_, expiry)| *expiry > now)
                    .map_or(0, |(v, _)| v);
                if current == expected {
                    if let Some((_, expiry)) = previous {
                        by_time.remove((expiry, key.as_str()))?;
                    }
                    let version = current + 1;
                    table.insert(key.as_str(), (version, expires, value.as_slice()))?;
                    by_time.insert((expires, key.as_str()), ())?;
                    CasOutcome::Stored { version }
                } else {
                    CasOutcome::Conflict { current }
                }
            };
            transaction.commit()?;
            Ok(outcome)
        })
        .await
    }

    async fn append(&self, list: &str, value: &[u8]) -> Result<u64, StoreError> {
        let list = self.name(list);
        let value = value.to_vec();
        self.run(move |database| {
            let transaction = database.begin_write()?;
            let length = {
                let mut lengths = transaction.open_table(LIST_LENGTHS)?;
                let index = lengths.get(list.as_str())?.map_or(0, |entry| entry.value());
                let mut items = transaction.open_table(LIST_ITEMS)?;
                items.insert((list.as_str(), index), value.as_slice())?;
                lengths.insert(list.as_str(), index + 1)?;
                index + 1
            };
            transaction.commit()?;
            Ok(length)
        })
        .await
    }

    async fn append_capped(
        &self,
        list: &str,
        value: &[u8],
        max_len: u64,
    ) -> Result<u64, StoreError> {
        let (name, value, max_len) = (self.name(list), value.to_vec(), max_len.max(1));
        self.run(move |database| {
            let transaction = database.begin_write()?;
            let length = {
                let mut lengths = transaction.open_table(LIST_LENGTHS)?;
                let index = lengths.get(name.as_str())?.map_or(0, |entry| entry.value());
                let mut items = transaction.open_table(LIST_ITEMS)?;
                items.insert((name.as_str(), index), value.as_slice())?;
                lengths.insert(name.as_str(), index + 1)?;
                // Items are numbered from the oldest; the newest `max_len` stay.
                let keep_from = (index + 1).saturating_sub(max_len);
                let old: Vec<u64> = items
                    .range((name.as_str(), 0)..(name.as_str(), keep_from))?
                    .map(|item| item.map(|(key, _)| key.value().1))
                    .collect::<Result<_, _>>()?;
                for position in old {
                    items.remove((name.as_str(), position))?;
                }
                (index + 1).min(max_len)
            };
            transaction.commit()?;
            Ok(length)
        })
        .await
    }

    async fn newest(&self, list: &str, limit: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        let list = self.name(list);
        let limit = u64::try_from(limit).unwrap_or(u64::MAX);
        self.run(move |database| {
            let transaction = database.begin_read()?;
            let length = transaction
                .open_table(LIST_LENGTHS)?
                .get(list.as_str())?
                .map_or(0, |entry| entry.value());
            let oldest = length.saturating_sub(limit);
            let items = transaction.open_table(LIST_ITEMS)?;
            let mut newest = Vec::new();
            for item in items
                .range((list.as_str(), oldest)..(list.as_str(), length))?
                .rev()
            {
                newest.push(item?.1.value().to_vec());
            }
            Ok(newest)
        })
        .await
    }

    async fn publish(&self, channel: &str, message: &[u8]) -> Result<(), StoreError> {
        self.channels.publish(&self.name(channel), message);
        Ok(())
    }

    async fn subscribe(&self, channel: &str) -> Result<Subscription, StoreError> {
        let mut messages = self.channels.subscribe(&self.name(channel));
        let (sender, subscription) = Subscription::channel();
        tokio::spawn(async move {
            while let Some(message) = next_message(&mut messages, &sender).await {
                if sender.send(message).await.is_err() {
                    return;
                }
            }
        });
        Ok(subscription)
    }
}

/// The next message for `sender`, or `None` when the store is gone or the
/// subscription was dropped.
async fn next_message(
    messages: &mut broadcast::Receiver<Vec<u8>>,
    sender: &mpsc::Sender<Vec<u8>>,
) -> Option<Vec<u8>> {
    loop {
        let received = tokio::select! {
            received = messages.recv() => received,
            () = sender.closed() => return None,
        };
        match received {
            Ok(message) => return Some(message),
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "a store subscriber fell behind and missed messages");
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}

/// The in-process pub/sub channels of one embedded store, by prefixed name.
#[derive(Default)]
struct Channels {
    senders: Mutex<HashMap<String, broadcast::Sender<Vec<u8>>>>,
}

impl Channels {
    fn publish(&self, channel: &str, message: &[u8]) {
        let mut senders = self.senders.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(sender) = senders.get(channel) {
            if sender.send(message.to_vec()).is_err() {
                // Nobody listens any more: forget the channel.
                senders.remove(channel);
            }
        }
    }

    fn subscribe(&self, channel: &str) -> broadcast::Receiver<Vec<u8>> {
        let mut senders = self.senders.lock().unwrap_or_else(PoisonError::into_inner);
        senders
            .entry(channel.to_string())
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}
