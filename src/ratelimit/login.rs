//! Slowing down password guessing on `/oauth/token`: failed logins are
//! counted per account (by the SHA-256 of the lower-cased email, known
//! account or not, so the answer says nothing about whether it exists) and
//! per client address, each in a cell of its own (the generic cell rate
//! algorithm: [`ACCOUNT_FAILURES`] and [`ADDRESS_FAILURES`], coming back
//! evenly over the period). A login from an account or address with no
//! failure left is refused before any password is checked. With a Redis
//! store the cells are shared by every replica (the limiter's script);
//! otherwise, and while Redis does not answer, each process keeps its own.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::{Rate, RateLimitSettings, RateLimiter};
use crate::store::Store;

/// Failed logins of one account before it is refused: 10 per 15 minutes.
pub const ACCOUNT_FAILURES: Rate = Rate {
    burst: 10,
    period: Duration::from_secs(15 * 60),
};
/// Failed logins from one address before it is refused: 30 per 15 minutes.
pub const ADDRESS_FAILURES: Rate = Rate {
    burst: 30,
    period: Duration::from_secs(15 * 60),
};

/// Failed-login limits.
pub struct LoginLimits {
    cells: RateLimiter,
}

impl Default for LoginLimits {
    /// Kept in this process.
    fn default() -> Self {
        Self::shared(None)
    }
}

impl std::fmt::Debug for LoginLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginLimits").finish_non_exhaustive()
    }
}

impl LoginLimits {
    /// Shared through `store` when it can share cells (Redis).
    pub fn shared(store: Option<Arc<dyn Store>>) -> Self {
        let settings = RateLimitSettings {
            per_ip: Some(ADDRESS_FAILURES),
            store_timeout: Duration::from_millis(200),
            ..RateLimitSettings::default()
        };
        Self {
            cells: RateLimiter::new(settings, store),
        }
    }

    /// Whether a login for `email` from `address` may be tried now; when
    /// not, how long until it may.
    pub async fn allows(&self, email: &str, address: Option<IpAddr>) -> Result<(), Duration> {
        let keys = keys(email, address);
        let verdicts = self.cells.decide(&requests(&keys, 0)).await;
        let waits = verdicts.iter().zip(&keys).filter(|(v, _)| v.remaining == 0);
        match waits.map(|(_, (_, rate))| rate.interval()).max() {
            None => Ok(()),
            Some(wait) => Err(wait),
        }
    }

    /// Counts a failed login.
    pub async fn failed(&self, email: &str, address: Option<IpAddr>) {
        let keys = keys(email, address);
        for one in &keys {
            // Each cell on its own: a full one must not spare the other.
            let _ = self
                .cells
                .decide(&requests(std::slice::from_ref(one), 1))
                .await;
        }
    }
}

fn keys(email: &str, address: Option<IpAddr>) -> Vec<(String, Rate)> {
    let digest: [u8; 32] = Sha256::digest(email.trim().to_lowercase().as_bytes()).into();
    let account: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let mut keys = vec![(format!("login:acct:{account}"), ACCOUNT_FAILURES)];
    if let Some(address) = address {
        keys.push((format!("login:addr:{address}"), ADDRESS_FAILURES));
    }
    keys
}

fn requests(keys: &[(String, Rate)], weight: u32) -> Vec<(&str, Rate, u32)> {
    keys.iter()
        .map(|(key, rate)| (key.as_str(), *rate, weight))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn an_account_is_refused_after_its_limit_whoever_tries_and_whether_or_not_it_exists() {
        let limits = LoginLimits::default();
        for i in 1..=10u8 {
            let address = Some(IpAddr::from([10, 0, 0, i]));
            assert!(limits.allows("nobody@example.com", address).await.is_ok());
            limits.failed("Nobody@example.com", address).await;
        }
        let elsewhere = Some(IpAddr::from([10, 9, 9, 9]));
        let wait = limits
            .allows("nobody@example.com", elsewhere)
            .await
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(90), "one failure back every 90 s");
        assert!(limits.allows("other@example.com", elsewhere).await.is_ok());
        tokio::time::advance(wait).await;
        assert!(limits.allows("nobody@example.com", elsewhere).await.is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn an_address_is_refused_after_its_limit_whatever_the_account() {
        let limits = LoginLimits::default();
        let address = Some(IpAddr::from([192, 0, 2, 1]));
        for i in 0..30 {
            limits
                .failed(&format!("user{i}@example.com"), address)
                .await;
        }
        assert!(limits.allows("fresh@example.com", address).await.is_err());
        let other = Some(IpAddr::from([192, 0, 2, 2]));
        assert!(limits.allows("fresh@example.com", other).await.is_ok());
    }
}
