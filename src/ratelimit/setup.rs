//! The `rate_limits` config section (and `JUNCTION_RATELIMIT_ANONYMOUS`)
//! turned into [`RateLimitSettings`]: rates parsed, proxies' networks
//! read, each error naming its key.

use std::time::Duration;

use ipnet::IpNet;

use super::{OnStoreError, Rate, RateLimitSettings, Tier};
use crate::config::{OnStoreErrorConfig, RateLimitsConfig};

/// The environment variable setting the anonymous tier's request rate.
pub const ANONYMOUS_ENV: &str = "JUNCTION_RATELIMIT_ANONYMOUS";
/// The tier `JUNCTION_RATELIMIT_ANONYMOUS` sets, unless the file names one.
pub const ANONYMOUS_TIER: &str = "anonymous";

/// A `rate_limits` value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid config: `{key}` {reason}")]
pub struct RateLimitsError {
    pub key: String,
    pub reason: String,
}

/// The settings `config` asks for, with `anonymous` (the environment
/// variable's value, if set) laid over them.
pub fn settings(
    config: &RateLimitsConfig,
    anonymous: Option<&str>,
) -> Result<RateLimitSettings, RateLimitsError> {
    let mut tiers = std::collections::BTreeMap::new();
    for (name, tier) in &config.tiers {
        let key = |limit: &str| format!("rate_limits.tiers.{name}.{limit}");
        tiers.insert(
            name.clone(),
            Tier {
                requests: rate(tier.requests.as_deref(), &key("requests"))?,
                cost: rate(tier.cost.as_deref(), &key("cost"))?,
            },
        );
    }
    let mut anonymous_tier = config.anonymous_tier.clone();
    if let Some(text) = anonymous {
        let requests = rate(Some(text), ANONYMOUS_ENV)?;
        let name = anonymous_tier.get_or_insert_with(|| ANONYMOUS_TIER.to_string());
        tiers.entry(name.clone()).or_default().requests = requests;
    }
    for (key, named) in [
        ("rate_limits.default_tier", &config.default_tier),
        ("rate_limits.anonymous_tier", &anonymous_tier),
    ] {
        if let Some(name) = named.as_ref().filter(|n| !tiers.contains_key(*n)) {
            return Err(invalid(
                key,
                &format!("names the tier {name:?}, which rate_limits.tiers does not list"),
            ));
        }
    }
    Ok(RateLimitSettings {
        tiers,
        default_tier: config.default_tier.clone(),
        anonymous_tier,
        per_ip: rate(config.per_ip.as_deref(), "rate_limits.per_ip")?,
        trusted_proxies: networks(&config.trusted_proxies)?,
        on_store_error: match config.on_store_error {
            OnStoreErrorConfig::FailOpenLocal => OnStoreError::FailOpenLocal,
            OnStoreErrorConfig::FailClosed => OnStoreError::FailClosed,
        },
        store_timeout: Duration::from_millis(config.store_timeout_ms.max(1)),
    })
}

/// The settings of `config` and this process's environment.
pub fn from_config(config: &RateLimitsConfig) -> Result<RateLimitSettings, RateLimitsError> {
    let anonymous = std::env::var(ANONYMOUS_ENV).ok();
    settings(
        config,
        anonymous.as_deref().filter(|v| !v.trim().is_empty()),
    )
}

fn rate(text: Option<&str>, key: &str) -> Result<Option<Rate>, RateLimitsError> {
    text.map(|t| t.parse::<Rate>().map_err(|e| invalid(key, &e.to_string())))
        .transpose()
}

fn networks(list: &[String]) -> Result<Vec<IpNet>, RateLimitsError> {
    list.iter()
        .map(|text| {
            let text = text.trim();
            text.parse::<IpNet>()
                .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    invalid(
                        "rate_limits.trusted_proxies",
                        &format!("has {text:?}, which is neither an address nor a CIDR"),
                    )
                })
        })
        .collect()
}

fn invalid(key: &str, reason: &str) -> RateLimitsError {
    RateLimitsError {
        key: key.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::config::TierConfig;

    #[test]
    fn the_environment_sets_the_anonymous_tier_over_the_file() {
        let none = settings(&RateLimitsConfig::default(), None).unwrap();
        assert!(!none.is_enabled());
        let env = settings(&RateLimitsConfig::default(), Some("20/10s")).unwrap();
        assert_eq!(env.anonymous_tier.as_deref(), Some("anonymous"));
        assert_eq!(
            env.tiers["anonymous"].requests,
            Some("20/10s".parse().unwrap())
        );
        assert!(env.is_enabled());
    }

    #[test]
    fn errors_name_the_key() {
        let mut config = RateLimitsConfig::default();
        config.tiers.insert(
            "free".into(),
            TierConfig {
                requests: Some("lots".into()),
                cost: None,
            },
        );
        let error = settings(&config, None).unwrap_err().to_string();
        assert!(error.contains("rate_limits.tiers.free.requests"), "{error}");
        let unknown = RateLimitsConfig {
            default_tier: Some("gold".into()),
            ..RateLimitsConfig::default()
        };
        let error = settings(&unknown, None).unwrap_err().to_string();
        assert!(error.contains("rate_limits.default_tier"), "{error}");
        let proxies = RateLimitsConfig {
            trusted_proxies: vec!["10.0.0.0/8".into(), "192.0.2.1".into(), "nope".into()],
            ..RateLimitsConfig::default()
        };
        let error = settings(&proxies, None).unwrap_err().to_string();
        assert!(error.contains("\"nope\""), "{error}");
        assert_eq!(
            settings(
                &RateLimitsConfig {
                    trusted_proxies: vec!["10.0.0.0/8".into(), "192.0.2.1".into()],
                    ..RateLimitsConfig::default()
                },
                None
            )
            .unwrap()
            .trusted_proxies
            .len(),
            2
        );
    }
}
