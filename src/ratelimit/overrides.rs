//! Per-caller overrides, set and cleared through the admin API and kept in
//! the store: a caller (`user:<id>`, `api_key:<id>` or `ip:<address>`) gets
//! another tier, or its own request rate or cost budget, in place of its
//! tier's. One versioned value (a JSON map), changed with compare-and-set
//! and announced to every replica (each also checks once a second), so an
//! override reaches every replica within a second.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Rate;
use crate::store::{CasOutcome, Store, StoreError, Subscription};

const OVERRIDES_KEY: &str = "ratelimit:overrides";
const CHANGED_CHANNEL: &str = "ratelimit:changed";
/// Most overrides the store holds.
pub const MAX_OVERRIDES: usize = 100_000;
const MAX_ATTEMPTS: usize = 16;

/// What one caller gets instead of its tier's limits; a limit left out is
/// its tier's (the override's tier, when it names one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Override {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<Rate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Rate>,
}

/// Why an overrides operation failed.
#[derive(Debug, thiserror::Error)]
pub enum OverridesError {
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("the stored overrides are unreadable: {0}")]
    Corrupt(String),
    #[error("{0:?} is not a caller: write user:<id>, api_key:<id> or ip:<address>")]
    NotACaller(String),
    #[error("the store holds {MAX_OVERRIDES} overrides")]
    Full,
    #[error("the overrides changed {MAX_ATTEMPTS} times while this change was made; try again")]
    Contended,
}

/// The overrides of one store.
#[derive(Clone)]
pub struct StoredOverrides {
    store: Arc<dyn Store>,
}

impl StoredOverrides {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Every override by caller, and their version (0: none ever stored).
    pub async fn read(&self) -> Result<(BTreeMap<String, Override>, u64), OverridesError> {
        let Some(found) = self.store.get(OVERRIDES_KEY).await? else {
            return Ok((BTreeMap::new(), 0));
        };
        let map = serde_json::from_slice(&found.value)
            .map_err(|e| OverridesError::Corrupt(e.to_string()))?;
        Ok((map, found.version))
    }

    /// Sets `caller`'s override (replacing one it had).
    pub async fn set(&self, caller: &str, over: Override) -> Result<(), OverridesError> {
        check_caller(caller)?;
        self.change(|map| {
            if !map.contains_key(caller) && map.len() >= MAX_OVERRIDES {
                return Err(OverridesError::Full);
            }
            Ok(map.insert(caller.to_string(), over.clone()).as_ref() != Some(&over))
        })
        .await
        .map(drop)
    }

    /// Clears `caller`'s override; `false` when it had none.
    pub async fn clear(&self, caller: &str) -> Result<bool, OverridesError> {
        self.change(|map| Ok(map.remove(caller).is_some())).await
    }

    /// Announcements of changes.
    pub async fn subscribe(&self) -> Result<Subscription, StoreError> {
        self.store.subscribe(CHANGED_CHANNEL).await
    }

    async fn change(
        &self,
        change: impl Fn(&mut BTreeMap<String, Override>) -> Result<bool, OverridesError>,
    ) -> Result<bool, OverridesError> {
        for _ in 0..MAX_ATTEMPTS {
            let (mut map, version) = self.read().await?;
            if !change(&mut map)? {
                return Ok(false);
            }
            let bytes =
                serde_json::to_vec(&map).map_err(|e| OverridesError::Corrupt(e.to_string()))?;
            let outcome = self
                .store
                .compare_and_set(OVERRIDES_KEY, version, &bytes)
                .await?;
            if matches!(outcome, CasOutcome::Stored { .. }) {
                if let Err(error) = self.store.publish(CHANGED_CHANNEL, b"changed").await {
                    tracing::warn!("a rate limit override was not announced (replicas find it within a second): {error}");
                }
                return Ok(true);
            }
        }
        Err(OverridesError::Contended)
    }
}

/// A caller key as the limiter counts requests under it.
pub fn check_caller(caller: &str) -> Result<(), OverridesError> {
    let well_formed = match caller.split_once(':') {
        Some(("user" | "api_key", id)) => !id.is_empty() && id.len() <= 256,
        Some(("ip", address)) => address.parse::<std::net::IpAddr>().is_ok(),
        _ => false,
    };
    match well_formed {
        true => Ok(()),
        false => Err(OverridesError::NotACaller(caller.to_string())),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn callers_are_users_keys_or_addresses() {
        for good in [
            "user:u1",
            "api_key:k_1",
            "ip:198.51.100.7",
            "ip:2001:db8::1",
        ] {
            assert!(check_caller(good).is_ok(), "{good}");
        }
        for bad in ["", "user:", "bob", "ip:nowhere", "group:x"] {
            assert!(check_caller(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn overrides_serialise_rates_as_text() {
        let over = Override {
            tier: None,
            requests: Some("5/1s".parse().unwrap()),
            cost: None,
        };
        let text = serde_json::to_string(&over).unwrap();
        assert_eq!(text, r#"{"requests":"5/1s"}"#);
        assert_eq!(serde_json::from_str::<Override>(&text).unwrap(), over);
    }
}
