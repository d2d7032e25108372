//! Rate limits: the `throttle` stage's work (DESIGN.md §1). Each caller is
//! limited by its tier (`rate_limits.tiers`: a request rate and an
//! operation-cost budget, each a [`Rate`]), the caller being its user or
//! API key, or its client address when anonymous; every client address is
//! limited by `rate_limits.per_ip` too, as an outer bound.
//!
//! Decisions use the generic cell rate algorithm ([`gcra`]). With a Redis
//! store, every replica shares the cells: one script decides all the cells
//! of a request atomically, in one round trip ([`shared`]). With the
//! embedded store, or while Redis does not answer (then logged once per
//! outage), cells are kept in process ([`local`]); `fail_closed` refuses
//! instead. A caller whose tier limits nothing costs no round trip.

mod client_ip;
mod gcra;
mod headers;
mod local;
mod login;
mod overrides;
mod rate;
mod setup;
mod shared;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;

pub use client_ip::client_ip;
pub use gcra::Verdict;
pub use headers::{headers, seconds, PolicyState};
pub use local::LocalCells;
pub use login::{LoginLimits, ACCOUNT_FAILURES, ADDRESS_FAILURES};
pub use overrides::{check_caller, Override, OverridesError, StoredOverrides, MAX_OVERRIDES};
pub use rate::{Rate, RateError};
pub use setup::{from_config, settings, RateLimitsError, ANONYMOUS_ENV, ANONYMOUS_TIER};

use crate::store::Store;

/// What one tier allows; a limit left out is unlimited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tier {
    pub requests: Option<Rate>,
    pub cost: Option<Rate>,
}

/// What the limiter does when the shared store does not answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnStoreError {
    /// Limit in process, per replica, until the store answers again.
    #[default]
    FailOpenLocal,
    /// Refuse what cannot be decided.
    FailClosed,
}

/// How requests are limited.
#[derive(Debug, Clone, Default)]
pub struct RateLimitSettings {
    pub tiers: BTreeMap<String, Tier>,
    /// The tier of identified callers that name none (or an unknown one).
    pub default_tier: Option<String>,
    /// The tier of callers presenting no credential.
    pub anonymous_tier: Option<String>,
    /// Every client address's requests, whoever the caller.
    pub per_ip: Option<Rate>,
    /// Proxies whose forwarding headers name the client.
    pub trusted_proxies: Vec<IpNet>,
    pub on_store_error: OnStoreError,
    /// How long a shared decision may take before the store counts as down.
    pub store_timeout: Duration,
}

impl RateLimitSettings {
    /// Whether anything is limited at all.
    pub fn is_enabled(&self) -> bool {
        self.per_ip.is_some()
            || self
                .tiers
                .values()
                .any(|t| t.requests.is_some() || t.cost.is_some())
    }

    /// The longest period of any limit (how long a cell matters).
    fn longest_period(&self) -> Duration {
        let tiers = self
            .tiers
            .values()
            .flat_map(|t| [t.requests, t.cost])
            .flatten();
        tiers
            .chain(self.per_ip)
            .map(|rate| rate.period)
            .max()
            .unwrap_or(Duration::from_secs(60))
    }
}

/// Who a request is counted against.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// `user:<id>` or `api_key:<id>`; none for an anonymous caller (then
    /// its address stands for it).
    pub caller: Option<String>,
    /// The caller's tier, as its credential names it.
    pub tier: Option<&'a str>,
    /// The client's address (see [`client_ip`]).
    pub ip: Option<IpAddr>,
}

/// A refused request: how long until it would pass (none: it never can
/// within the caller's tier), and the limits' states for the headers.
#[derive(Debug, Clone)]
pub struct Limited {
    pub retry_after: Option<Duration>,
    pub policies: Vec<PolicyState>,
    /// Which limit refused it (`requests`, `cost`, `ip`).
    pub by: &'static str,
}

/// The limiter of one gateway.
pub struct RateLimiter {
    settings: RateLimitSettings,
    /// Per-caller overrides from the store, by caller key.
    overrides: arc_swap::ArcSwap<BTreeMap<String, Override>>,
    local: LocalCells,
    store: Option<Arc<dyn Store>>,
    /// Set while the shared store does not answer (logged on each change).
    degraded: AtomicBool,
    /// While degraded, the store is tried again only from this time on
    /// (ms since `epoch`): one request a second probes it, the others do
    /// not wait for it.
    next_probe_ms: AtomicU64,
    epoch: std::time::Instant,
    refused: AtomicU64,
}

/// How often a store that did not answer is tried again.
const PROBE_INTERVAL: Duration = Duration::from_secs(1);

impl RateLimiter {
    /// Limits shared through `store` when it can share them (Redis).
    pub fn new(settings: RateLimitSettings, store: Option<Arc<dyn Store>>) -> Self {
        Self {
            overrides: arc_swap::ArcSwap::from_pointee(BTreeMap::new()),
            local: LocalCells::new(settings.longest_period()),
            settings,
            store,
            degraded: AtomicBool::new(false),
            next_probe_ms: AtomicU64::new(0),
            epoch: std::time::Instant::now(),
            refused: AtomicU64::new(0),
        }
    }

    pub fn settings(&self) -> &RateLimitSettings {
        &self.settings
    }

    /// Whether some tier or override has a cost budget (requests' costs
    /// are counted).
    pub fn counts_cost(&self) -> bool {
        self.settings.tiers.values().any(|t| t.cost.is_some())
            || self.overrides.load().values().any(|o| o.cost.is_some())
    }

    /// Replaces the per-caller overrides (the store's, as they change).
    pub fn apply_overrides(&self, overrides: BTreeMap<String, Override>) {
        self.overrides.store(Arc::new(overrides));
    }

    /// The overrides in force.
    pub fn overrides(&self) -> Arc<BTreeMap<String, Override>> {
        self.overrides.load_full()
    }

    /// Who `subject` is counted as (`user:<id>`, `api_key:<id>`,
    /// `ip:<address>`), the name of its tier, and the limits it has.
    pub fn limits_of(&self, subject: &Subject<'_>) -> Option<(String, Option<String>, Tier)> {
        let who = match (&subject.caller, subject.ip) {
            (Some(caller), _) => caller.clone(),
            (None, Some(ip)) => format!("ip:{ip}"),
            (None, None) => return None,
        };
        let overrides = self.overrides.load();
        let over = overrides.get(&who);
        let named = over
            .and_then(|o| o.tier.clone())
            .filter(|name| self.settings.tiers.contains_key(name))
            .or_else(|| self.tier_name(subject));
        let base = named
            .as_ref()
            .and_then(|name| self.settings.tiers.get(name))
            .cloned()
            .unwrap_or_default();
        let tier = Tier {
            requests: over.and_then(|o| o.requests).or(base.requests),
            cost: over.and_then(|o| o.cost).or(base.cost),
        };
        Some((who, named, tier))
    }

    /// Where `subject` stands with each of its limits, spending nothing.
    pub async fn usage(&self, subject: &Subject<'_>) -> Vec<PolicyState> {
        let cells: Vec<Cell> = self
            .cells(subject, 0)
            .into_iter()
            .map(|cell| Cell { weight: 0, ..cell })
            .collect();
        let requests: Vec<(&str, Rate, u32)> =
            cells.iter().map(|c| (c.key.as_str(), c.rate, 0)).collect();
        let verdicts = self.decide(&requests).await;
        states(&cells, &verdicts)
    }

    /// Requests refused so far.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Counts a request of `cost` against `subject`'s limits: the limits'
    /// states when it may go on (none when nothing limits it), or why not.
    pub async fn check(
        &self,
        subject: &Subject<'_>,
        cost: u32,
    ) -> Result<Vec<PolicyState>, Limited> {
        let cells = self.cells(subject, cost);
        if cells.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(never) = never_fits(&cells) {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(never);
        }
        let requests: Vec<(&str, Rate, u32)> = cells
            .iter()
            .map(|c| (c.key.as_str(), c.rate, c.weight))
            .collect();
        let verdicts = match self.decide_shared(&requests).await {
            Some(Ok(verdicts)) => verdicts,
            Some(Err(())) => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                return Err(self.store_down_refusal(&cells));
            }
            None => self.local.decide_all(&requests),
        };
        let policies = states(&cells, &verdicts);
        let refusal = cells.iter().zip(&verdicts).find(|(_, v)| !v.allowed);
        match refusal {
            None => Ok(policies),
            Some((cell, verdict)) => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                Err(Limited {
                    retry_after: Some(verdict.retry_after),
                    policies,
                    by: cell.name,
                })
            }
        }
    }

    /// Decides `requests` (cells by key, rate and weight: all spent or
    /// none) where this limiter keeps its cells: shared when it can, else in
    /// process. While the shared store does not answer, in process whatever
    /// `on_store_error` says.
    pub async fn decide(&self, requests: &[(&str, Rate, u32)]) -> Vec<Verdict> {
        match self.decide_shared(requests).await {
            Some(Ok(verdicts)) => verdicts,
            _ => self.local.decide_all(requests),
        }
    }

    /// The cells a request of `cost` by `subject` is counted in.
    fn cells(&self, subject: &Subject<'_>, cost: u32) -> Vec<Cell> {
        let mut cells = Vec::new();
        if let Some((who, _, tier)) = self.limits_of(subject) {
            if let Some(rate) = tier.requests {
                cells.push(Cell::new("requests", format!("req:{who}"), rate, 1));
            }
            if let (Some(rate), true) = (tier.cost, cost > 0) {
                cells.push(Cell::new("cost", format!("cost:{who}"), rate, cost));
            }
        }
        if let (Some(rate), Some(ip)) = (self.settings.per_ip, subject.ip) {
            cells.push(Cell::new("ip", format!("addr:{ip}"), rate, 1));
        }
        cells
    }

    /// The name of `subject`'s tier by its credential (or the default or
    /// anonymous tier), when the settings list it.
    fn tier_name(&self, subject: &Subject<'_>) -> Option<String> {
        let tiers = &self.settings.tiers;
        let listed = |name: &str| tiers.contains_key(name).then(|| name.to_string());
        if subject.caller.is_none() {
            return listed(self.settings.anonymous_tier.as_deref()?);
        }
        subject
            .tier
            .and_then(listed)
            .or_else(|| listed(self.settings.default_tier.as_deref()?))
    }

    /// The shared store's verdicts: `None` when cells are kept in process
    /// (no shared store, or it does not answer and failing open);
    /// `Some(Err)` when it does not answer and failing closed.
    async fn decide_shared(
        &self,
        requests: &[(&str, Rate, u32)],
    ) -> Option<Result<Vec<Verdict>, ()>> {
        let store = self.store.as_ref()?;
        if self.degraded.load(Ordering::Relaxed) && !self.may_probe() {
            return self.while_down();
        }
        let asked = shared::decide_all(store.as_ref(), requests);
        let answer = tokio::time::timeout(self.settings.store_timeout, asked).await;
        match answer {
            Ok(Ok(Some(verdicts))) => {
                self.mark_answered();
                Some(Ok(verdicts))
            }
            Ok(Ok(None)) => None,
            Ok(Err(error)) => self.store_failed(&error.to_string()),
            Err(_) => self.store_failed("no answer in time"),
        }
    }

    fn mark_answered(&self) {
        if self.degraded.swap(false, Ordering::Relaxed) {
            tracing::warn!("rate limits: the store answers again; limits are shared again");
        }
    }

    /// Whether this request may try the store that did not answer (one a
    /// [`PROBE_INTERVAL`]).
    fn may_probe(&self) -> bool {
        let now = self.now_ms();
        let due = self.next_probe_ms.load(Ordering::Relaxed);
        now >= due
            && self
                .next_probe_ms
                .compare_exchange(
                    due,
                    now + interval_ms(),
                    Ordering::AcqRel,
                    Ordering::Relaxed,
                )
                .is_ok()
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    /// What a request does while the store does not answer.
    fn while_down(&self) -> Option<Result<Vec<Verdict>, ()>> {
        match self.settings.on_store_error {
            OnStoreError::FailOpenLocal => None,
            OnStoreError::FailClosed => Some(Err(())),
        }
    }

    fn store_failed(&self, reason: &str) -> Option<Result<Vec<Verdict>, ()>> {
        self.next_probe_ms
            .store(self.now_ms() + interval_ms(), Ordering::Relaxed);
        if !self.degraded.swap(true, Ordering::Relaxed) {
            let mode = match self.settings.on_store_error {
                OnStoreError::FailOpenLocal => "limiting in process until it answers",
                OnStoreError::FailClosed => "refusing requests until it answers",
            };
            tracing::warn!(reason, "rate limits: the store does not answer; {mode}");
        }
        self.while_down()
    }

    /// The refusal of `fail_closed` while the store does not answer.
    fn store_down_refusal(&self, cells: &[Cell]) -> Limited {
        Limited {
            retry_after: Some(Duration::from_secs(1)),
            policies: Vec::new(),
            by: cells.first().map_or("requests", |c| c.name),
        }
    }
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("settings", &self.settings)
            .field("shared", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

fn interval_ms() -> u64 {
    u64::try_from(PROBE_INTERVAL.as_millis()).unwrap_or(1000)
}

/// One cell a request is counted in.
struct Cell {
    name: &'static str,
    key: String,
    rate: Rate,
    weight: u32,
}

impl Cell {
    fn new(name: &'static str, key: String, rate: Rate, weight: u32) -> Self {
        Self {
            name,
            key,
            rate,
            weight,
        }
    }
}

/// Where each of `cells` stands after `verdicts`.
fn states(cells: &[Cell], verdicts: &[Verdict]) -> Vec<PolicyState> {
    cells
        .iter()
        .zip(verdicts)
        .map(|(cell, verdict)| PolicyState {
            name: cell.name,
            rate: cell.rate,
            remaining: verdict.remaining,
            reset: verdict.reset,
        })
        .collect()
}

/// A request heavier than a whole burst of one of its cells: refused, and
/// no wait would change that.
fn never_fits(cells: &[Cell]) -> Option<Limited> {
    let cell = cells.iter().find(|c| c.weight > c.rate.burst)?;
    Some(Limited {
        retry_after: None,
        policies: Vec::new(),
        by: cell.name,
    })
}

#[cfg(test)]
mod tests;
