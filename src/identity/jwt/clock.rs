//! The time JWT verification reads: wall-clock seconds for a token's
//! `exp`/`nbf`/`iat`, and a monotonic instant for when the JWKS was last
//! fetched. Both move together when a test advances the clock, so expiry
//! and refresh timing are tested without sleeping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The real clock, plus whatever a test has advanced it by.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    advanced_ms: Arc<AtomicU64>,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Self {
        Self::default()
    }

    /// Moves this clock (and every clone of it) forward; for tests.
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.advanced_ms.fetch_add(ms, Ordering::Relaxed);
    }

    fn advanced(&self) -> Duration {
        Duration::from_millis(self.advanced_ms.load(Ordering::Relaxed))
    }

    /// Seconds since the Unix epoch.
    pub(super) fn unix_seconds(&self) -> u64 {
        let now = SystemTime::now() + self.advanced();
        now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
    }

    /// A monotonic instant (tokio's, so a paused runtime clock applies too).
    pub(super) fn instant(&self) -> tokio::time::Instant {
        tokio::time::Instant::now() + self.advanced()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_both_readings_and_every_clone() {
        let clock = Clock::system();
        let copy = clock.clone();
        let (seconds, instant) = (clock.unix_seconds(), clock.instant());
        copy.advance(Duration::from_secs(100));
        assert!(clock.unix_seconds() >= seconds + 100);
        assert!(clock.instant() >= instant + Duration::from_secs(100));
    }
}
