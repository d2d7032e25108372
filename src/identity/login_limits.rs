//! Slowing down password guessing: failed logins are counted per account
//! (by the SHA-256 of the lower-cased email, known account or not, so the
//! answer says nothing about whether it exists) and per client address,
//! over a window; past a limit, logins from that account or address are
//! refused until the window passes, before any password is checked.
//!
//! Counts are kept per replica, bounded in memory (the least recently
//! used go first).

use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;
use sha2::{Digest, Sha256};

/// Failures per account within the window before it is refused.
pub const ACCOUNT_LIMIT: u32 = 10;
/// Failures per client address within the window before it is refused.
pub const ADDRESS_LIMIT: u32 = 30;
/// How long failures count.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Failed-login counts.
#[derive(Clone)]
pub struct LoginLimits {
    accounts: Cache<[u8; 32], Arc<AtomicU32>>,
    addresses: Cache<IpAddr, Arc<AtomicU32>>,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            accounts: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(WINDOW)
                .build(),
            addresses: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(WINDOW)
                .build(),
        }
    }
}

impl std::fmt::Debug for LoginLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginLimits").finish_non_exhaustive()
    }
}

impl LoginLimits {
    /// Whether a login for `email` from `address` may be tried now.
    pub fn allows(&self, email: &str, address: Option<IpAddr>) -> bool {
        let over = |count: Option<Arc<AtomicU32>>, limit| {
            count.is_some_and(|c| c.load(Ordering::Relaxed) >= limit)
        };
        !over(self.accounts.get(&account(email)), ACCOUNT_LIMIT)
            && !over(address.and_then(|a| self.addresses.get(&a)), ADDRESS_LIMIT)
    }

    /// Counts a failed login.
    pub fn failed(&self, email: &str, address: Option<IpAddr>) {
        let count = self.accounts.get_with(account(email), Default::default);
        count.fetch_add(1, Ordering::Relaxed);
        if let Some(address) = address {
            let count = self.addresses.get_with(address, Default::default);
            count.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn account(email: &str) -> [u8; 32] {
    Sha256::digest(email.trim().to_lowercase().as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_refused_after_its_limit_whoever_tries_and_whether_or_not_it_exists() {
        let limits = LoginLimits::default();
        let addresses: Vec<IpAddr> = (1..=ACCOUNT_LIMIT as u8)
            .map(|i| IpAddr::from([10, 0, 0, i]))
            .collect();
        for address in &addresses {
            assert!(limits.allows("nobody@example.com", Some(*address)));
            limits.failed("Nobody@example.com", Some(*address));
        }
        assert!(!limits.allows("nobody@example.com", Some(IpAddr::from([10, 9, 9, 9]))));
        assert!(limits.allows("other@example.com", Some(IpAddr::from([10, 9, 9, 9]))));
    }

    #[test]
    fn an_address_is_refused_after_its_limit_whatever_the_account() {
        let limits = LoginLimits::default();
        let address = Some(IpAddr::from([192, 0, 2, 1]));
        for i in 0..ADDRESS_LIMIT {
            limits.failed(&format!("user{i}@example.com"), address);
        }
        assert!(!limits.allows("fresh@example.com", address));
        assert!(limits.allows("fresh@example.com", Some(IpAddr::from([192, 0, 2, 2]))));
    }
}
