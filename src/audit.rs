//! The audit log: who did what to which target, with which outcome, when,
//! from where — every admin mutation and every refused credential — in a
//! capped stream in the store (the newest [`AuditLog::max_entries`]),
//! readable through the admin API with filters and cursor paging.
//!
//! Entries name actors and targets by kind and id (`api_key:<id>`,
//! `user:<subject>`, a subgraph's name); they never hold a secret, a
//! password, a token or a value from a request. Writing an entry never
//! holds up a request: refusals are written in the background, at most
//! [`MAX_PENDING`] at a time (the rest are counted and dropped, so a flood
//! of bad credentials cannot turn into a flood of store writes).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::store::{Store, StoreError};

/// Store list of entries, newest first.
const LOG_LIST: &str = "audit:log";
/// Background writes in flight at most.
pub const MAX_PENDING: usize = 64;
/// Entries kept by default.
pub const DEFAULT_MAX_ENTRIES: u64 = 10_000;
/// The request header carrying the request id entries name.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// How an audited action ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
    Refused,
}

/// One audited action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Orders entries (time, then a random part) and is the paging cursor.
    pub id: String,
    pub at_ms: u64,
    /// Who: `admin token`, `api_key:<id>`, `user:<subject>`, or `unknown`.
    pub actor: String,
    pub org: Option<String>,
    /// What: an admin mutation's name, or `authenticate`.
    pub action: String,
    /// On what: a subgraph, key or client name, or an endpoint.
    pub target: Option<String>,
    pub outcome: Outcome,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

/// What is known of an action before it is written.
#[derive(Debug, Clone, Default)]
pub struct Action {
    pub actor: String,
    pub org: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    /// Entries of this org only (an admin mutation's org is its actor's).
    pub org: Option<String>,
    pub action: Option<String>,
    pub outcome: Option<Outcome>,
    /// From this time on (ms since the Unix epoch, inclusive).
    pub from_ms: Option<u64>,
    /// Before this time (exclusive).
    pub to_ms: Option<u64>,
}

impl AuditFilter {
    fn admits(&self, entry: &AuditEntry) -> bool {
        self.actor.as_ref().is_none_or(|a| *a == entry.actor)
            && self
                .org
                .as_ref()
                .is_none_or(|o| entry.org.as_ref() == Some(o))
            && self.action.as_ref().is_none_or(|a| *a == entry.action)
            && self.outcome.is_none_or(|o| o == entry.outcome)
            && self.from_ms.is_none_or(|from| entry.at_ms >= from)
            && self.to_ms.is_none_or(|to| entry.at_ms < to)
    }
}

/// The audit log in one store.
#[derive(Clone)]
pub struct AuditLog {
    store: Arc<dyn Store>,
    max_entries: u64,
    pending: Arc<Semaphore>,
    dropped: Arc<AtomicU64>,
}

impl AuditLog {
    pub fn new(store: Arc<dyn Store>, max_entries: u64) -> Self {
        Self {
            store,
            max_entries: max_entries.max(1),
            pending: Arc::new(Semaphore::new(MAX_PENDING)),
            dropped: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Entries kept (the oldest go).
    pub fn max_entries(&self) -> u64 {
        self.max_entries
    }

    /// Entries dropped because too many writes were pending.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Writes an entry and waits for the store.
    pub async fn write(&self, action: Action, outcome: Outcome) -> Result<(), StoreError> {
        let entry = entry(action, outcome);
        let bytes = serde_json::to_vec(&entry).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.store
            .append_capped(LOG_LIST, &bytes, self.max_entries)
            .await
            .map(drop)
    }

    /// Writes an entry in the background, unless too many writes are
    /// pending (then it is counted in [`Self::dropped`]).
    pub fn record(&self, action: Action, outcome: Outcome) {
        let Ok(permit) = Arc::clone(&self.pending).try_acquire_owned() else {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let log = self.clone();
        tokio::spawn(async move {
            if let Err(error) = log.write(action, outcome).await {
                tracing::warn!("writing an audit entry failed: {error}");
            }
            drop(permit);
        });
    }

    /// At most `limit` entries the filter admits, newest first, older than
    /// the entry `before` (a cursor from an earlier page) when given; and
    /// the cursor of the next page, if there is one.
    pub async fn read(
        &self,
        filter: &AuditFilter,
        before: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<AuditEntry>, Option<String>), StoreError> {
        let all = self
            .store
            .newest(
                LOG_LIST,
                usize::try_from(self.max_entries).unwrap_or(usize::MAX),
            )
            .await?;
        let mut page = Vec::new();
        let mut more = false;
        let entries = all
            .iter()
            .filter_map(|bytes| serde_json::from_slice::<AuditEntry>(bytes).ok())
            .filter(|entry| before.is_none_or(|cursor| entry.id.as_str() < cursor))
            .filter(|entry| filter.admits(entry));
        for entry in entries {
            if page.len() == limit {
                more = true;
                break;
            }
            page.push(entry);
        }
        let next = match more {
            true => page.last().map(|entry| entry.id.clone()),
            false => None,
        };
        Ok((page, next))
    }
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog")
            .field("max_entries", &self.max_entries)
            .finish_non_exhaustive()
    }
}

fn entry(action: Action, outcome: Outcome) -> AuditEntry {
    let at_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let mut random = [0u8; 6];
    // Without randomness two entries of one millisecond may share an id;
    // paging then skips one of them, nothing worse.
    let _ = getrandom::fill(&mut random);
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    AuditEntry {
        id: format!("{at_ms:015}-{suffix}"),
        at_ms,
        actor: action.actor,
        org: action.org,
        action: action.action,
        target: action.target,
        outcome,
        client_ip: action.client_ip,
        request_id: action.request_id,
    }
}
