//! The `apq` section (automatic persisted queries, Apollo's protocol) and
//! the `persisted_operations` section (the manifests SDK clients publish,
//! and the safelist over them).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Automatic persisted queries.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApqConfig {
    /// Take queries by their SHA-256 hash (`extensions.persistedQuery`);
    /// when off, such requests get `PERSISTED_QUERY_NOT_SUPPORTED` and
    /// clients send full queries. Default `true`.
    pub enabled: bool,
    /// How long a registered query stays in the shared store (Redis, when
    /// `redis_url` is set; otherwise queries are kept in this process only).
    /// Default `24h`.
    #[serde(with = "humantime_serde")]
    pub ttl: Duration,
    /// Bytes of query text each process keeps in memory (least recently
    /// used go first). Default `16777216` (16 MiB).
    pub local_cache_bytes: u64,
}

impl Default for ApqConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            ttl: Duration::from_secs(24 * 3600),
            local_cache_bytes: 16 * 1024 * 1024,
        }
    }
}

/// The operations SDK clients publish (`junction operations publish`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PersistedOperationsConfig {
    /// What happens to an operation that no published manifest holds (by
    /// id or by exact text): `off` (it runs), `log` (it runs and a warning
    /// names it by operation name and hash), `refuse` (it is refused with
    /// `PERSISTED_QUERY_NOT_IN_LIST`). Default `off`.
    pub safelist: Safelist,
    /// Callers holding one of these roles (from their token or API key)
    /// may run any operation, safelist or not (for example `admin`, or a
    /// role for your own tooling). Default none.
    pub exempt_roles: Vec<String>,
}

/// The safelist mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safelist {
    #[default]
    Off,
    Log,
    Refuse,
}
