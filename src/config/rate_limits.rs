//! The `rate_limits` section: request rates and cost budgets per tier, a
//! bound per client address, and who may say where a request comes from
//! (the `ratelimit` module). Off unless a limit is configured.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Who may send how much.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitsConfig {
    /// Named tiers, each with a request rate and an operation-cost budget
    /// written `n/period` (`100/1m`: a burst of 100, refilled evenly over a
    /// minute; periods in ms, s, m, h, d); a limit left out is unlimited,
    /// and a tier with neither costs no store round trip. A caller's tier
    /// comes from its API key, user record or token claim. Default none.
    pub tiers: BTreeMap<String, TierConfig>,
    /// The tier of identified callers that name none, or one not listed.
    /// Default none: they are unlimited (but for `per_ip`).
    pub default_tier: Option<String>,
    /// The tier of callers presenting no credential, counted by client
    /// address. `JUNCTION_RATELIMIT_ANONYMOUS=<n>/<period>` sets its request
    /// rate (a tier `anonymous`) whatever this file says. Default none.
    pub anonymous_tier: Option<String>,
    /// An outer bound on each client address, whoever the caller, as
    /// `n/period`. Default none.
    pub per_ip: Option<String>,
    /// Proxies (CIDRs, `10.0.0.0/8`) whose `Forwarded` / `X-Forwarded-For`
    /// name the client; hops they did not add are ignored. Default none:
    /// the connection's address counts.
    pub trusted_proxies: Vec<String>,
    /// What happens while Redis does not answer: `fail_open_local` (limit
    /// in each replica on its own until it answers) or `fail_closed`
    /// (refuse with 429). Default `fail_open_local`.
    pub on_store_error: OnStoreErrorConfig,
    /// How long one shared decision may take before Redis counts as down.
    /// Default 100 ms.
    pub store_timeout_ms: u64,
}

impl Default for RateLimitsConfig {
    fn default() -> Self {
        Self {
            tiers: BTreeMap::new(),
            default_tier: None,
            anonymous_tier: None,
            per_ip: None,
            trusted_proxies: Vec::new(),
            on_store_error: OnStoreErrorConfig::default(),
            store_timeout_ms: 100,
        }
    }
}

/// One tier's limits, each `n/period` or left out (unlimited).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TierConfig {
    pub requests: Option<String>,
    pub cost: Option<String>,
}

/// The `rate_limits.on_store_error` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnStoreErrorConfig {
    #[default]
    FailOpenLocal,
    FailClosed,
}
