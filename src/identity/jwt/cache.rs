//! Verified tokens, so a repeated token costs no signature check: keyed by
//! the SHA-256 digest of the token (the token itself is not kept), bounded
//! in entries, and never served past the token's `exp`.
//!
//! An entry also remembers the key that verified it: once that key has
//! left its provider's JWKS, the entry is no longer served, and the token
//! is verified again (and refused) like any other.

use std::sync::Arc;
use std::time::{Duration, Instant};

use moka::sync::Cache;
use sha2::{Digest, Sha256};

use crate::identity::Caller;

use super::keys::VerifyKey;

/// The SHA-256 digest of a token.
pub(super) type TokenDigest = [u8; 32];

pub(super) fn digest(token: &str) -> TokenDigest {
    Sha256::digest(token.as_bytes()).into()
}

/// What a verified token came to.
pub(super) struct Verified {
    pub caller: Caller,
    /// The token's `exp`, in seconds since the Unix epoch.
    pub exp: u64,
    /// Its provider's issuer.
    pub issuer: String,
    pub key: Arc<VerifyKey>,
    /// How long it may stay, from when it is cached.
    ttl: Duration,
}

impl Verified {
    pub(super) fn new(
        caller: Caller,
        exp: u64,
        issuer: &str,
        key: Arc<VerifyKey>,
        now: u64,
    ) -> Self {
        Self {
            caller,
            exp,
            issuer: issuer.to_string(),
            key,
            ttl: Duration::from_secs(exp.saturating_sub(now)),
        }
    }
}

/// Evicts each entry when its token expires (served entries are also
/// checked against `exp` on every hit, by the verifier's own clock).
struct UntilExp;

impl moka::Expiry<TokenDigest, Arc<Verified>> for UntilExp {
    fn expire_after_create(
        &self,
        _: &TokenDigest,
        value: &Arc<Verified>,
        _: Instant,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// The cache of verified tokens.
pub(super) struct TokenCache {
    entries: Option<Cache<TokenDigest, Arc<Verified>>>,
}

impl TokenCache {
    /// A cache of at most `capacity` tokens; none when 0.
    pub(super) fn new(capacity: u64) -> Self {
        let entries = (capacity > 0).then(|| {
            Cache::builder()
                .max_capacity(capacity)
                .expire_after(UntilExp)
                .build()
        });
        Self { entries }
    }

    /// The token's entry, while `now` has not passed its `exp`.
    pub(super) fn get(&self, digest: &TokenDigest, now: u64) -> Option<Arc<Verified>> {
        let entry = self.entries.as_ref()?.get(digest)?;
        (now < entry.exp).then_some(entry)
    }

    pub(super) fn insert(&self, digest: TokenDigest, verified: Verified) {
        if let Some(entries) = &self.entries {
            if !verified.ttl.is_zero() {
                entries.insert(digest, Arc::new(verified));
            }
        }
    }

    pub(super) fn remove(&self, digest: &TokenDigest) {
        if let Some(entries) = &self.entries {
            entries.invalidate(digest);
        }
    }
}
