//! Refresh tokens of Junction's first-party users (RFC 6749 §1.5, §6):
//! opaque 256-bit random secrets, `jr_` and 43 base64url characters, kept
//! in the store only as SHA-256 digests, each living the refresh TTL
//! (7 days by default) as an expiring record.
//!
//! Every use rotates: the token presented is spent and a new one of the
//! same family (one login) is returned. Presenting a spent token again
//! means a copy of it is in someone else's hands: the whole family is
//! revoked, so its newest token is refused too (reuse detection). Spending
//! is one compare-and-set, so two concurrent uses of one token cannot both
//! succeed: the second counts as a reuse.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{CasOutcome, Store, StoreError, Versioned};

/// Refresh tokens start with this.
pub const REFRESH_TOKEN_PREFIX: &str = "jr_";
/// How long a refresh token lives by default.
pub const DEFAULT_REFRESH_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// How often a family change is retried when another one raced it.
const MAX_ATTEMPTS: usize = 8;

/// Why a refresh token was not accepted or made.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Unknown, expired, malformed, or of a revoked family.
    #[error("the refresh token is not valid: {0}")]
    Invalid(&'static str),
    /// A spent token was presented again; its family is now revoked.
    #[error("a spent refresh token was presented again; its family is revoked")]
    Reused { user: String },
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("a refresh token record is unreadable: {0}")]
    Corrupt(String),
    #[error("no randomness for a refresh token: {0}")]
    Random(String),
    #[error("the token family changed {MAX_ATTEMPTS} times while it was renewed; try again")]
    Contended,
}

/// One token, by its digest.
#[derive(Debug, Serialize, Deserialize)]
struct TokenRecord {
    user: String,
    family: String,
    spent: bool,
    expires_at_ms: u64,
}

/// One family: the tokens of one login, one rotation after another.
#[derive(Debug, Serialize, Deserialize)]
struct FamilyRecord {
    user: String,
    revoked: bool,
}

/// A token just spent and the one that replaces it.
#[derive(Debug)]
pub struct Rotated {
    /// The user the family belongs to.
    pub user: String,
    /// The new refresh token, for the client.
    pub token: String,
}

/// The refresh tokens of one store.
#[derive(Clone)]
pub struct RefreshTokens {
    store: Arc<dyn Store>,
    ttl: Duration,
}

impl RefreshTokens {
    pub fn new(store: Arc<dyn Store>, ttl: Duration) -> Self {
        Self { store, ttl }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The first token of a new family for `user` (a login).
    pub async fn start(&self, user: &str) -> Result<String, RefreshError> {
        let family = URL_SAFE_NO_PAD.encode(random::<16>()?);
        let record = FamilyRecord {
            user: user.to_string(),
            revoked: false,
        };
        let key = family_key(&family);
        let stored = self
            .store
            .compare_and_set_expiring(&key, 0, &encode(&record)?, self.ttl)
            .await?;
        if matches!(stored, CasOutcome::Conflict { .. }) {
            return Err(RefreshError::Corrupt("a new family's id was taken".into()));
        }
        self.mint(user, &family).await
    }

    /// Spends `token` and returns its replacement, or revokes its family
    /// when it was spent already.
    pub async fn rotate(&self, token: &str) -> Result<Rotated, RefreshError> {
        let key = token_key(token).ok_or(RefreshError::Invalid("not a refresh token"))?;
        let found = self.store.get_expiring(&key).await?;
        let found = found.ok_or(RefreshError::Invalid("unknown or expired"))?;
        let record: TokenRecord = decode(&found.value)?;
        let family = self.family(&record.family).await?;
        let family = family.ok_or(RefreshError::Invalid("its family expired"))?;
        if decode::<FamilyRecord>(&family.value)?.revoked {
            return Err(RefreshError::Invalid("its family is revoked"));
        }
        if record.spent || !self.spend(&key, found.version, &record).await? {
            self.revoke_family(&record.family).await?;
            return Err(RefreshError::Reused { user: record.user });
        }
        self.renew_family(&record.family).await?;
        let token = self.mint(&record.user, &record.family).await?;
        Ok(Rotated {
            user: record.user,
            token,
        })
    }

    /// Revokes the family of `token`; `false` when the token is unknown
    /// (RFC 7009: not an error).
    pub async fn revoke(&self, token: &str) -> Result<bool, RefreshError> {
        let Some(key) = token_key(token) else {
            return Ok(false);
        };
        let Some(found) = self.store.get_expiring(&key).await? else {
            return Ok(false);
        };
        let record: TokenRecord = decode(&found.value)?;
        self.revoke_family(&record.family).await?;
        Ok(true)
    }

    /// A new unspent token of `family`.
    async fn mint(&self, user: &str, family: &str) -> Result<String, RefreshError> {
        let token = format!(
            "{REFRESH_TOKEN_PREFIX}{}",
            URL_SAFE_NO_PAD.encode(random::<32>()?)
        );
        let record = TokenRecord {
            user: user.to_string(),
            family: family.to_string(),
            spent: false,
            expires_at_ms: now_ms().saturating_add(millis(self.ttl)),
        };
        let key = token_key(&token).ok_or(RefreshError::Invalid("a bad new token"))?;
        let stored = self
            .store
            .compare_and_set_expiring(&key, 0, &encode(&record)?, self.ttl)
            .await?;
        match stored {
            CasOutcome::Stored { .. } => Ok(token),
            CasOutcome::Conflict { .. } => Err(RefreshError::Corrupt("a token collided".into())),
        }
    }

    /// Marks the token spent, kept until it would have expired (so a reuse
    /// is recognised); `false` when another use spent it first.
    async fn spend(
        &self,
        key: &str,
        version: u64,
        record: &TokenRecord,
    ) -> Result<bool, RefreshError> {
        let spent = TokenRecord {
            user: record.user.clone(),
            family: record.family.clone(),
            spent: true,
            expires_at_ms: record.expires_at_ms,
        };
        let left = record.expires_at_ms.saturating_sub(now_ms()).max(1);
        let outcome = self
            .store
            .compare_and_set_expiring(key, version, &encode(&spent)?, Duration::from_millis(left))
            .await?;
        Ok(matches!(outcome, CasOutcome::Stored { .. }))
    }

    async fn family(&self, family: &str) -> Result<Option<Versioned>, RefreshError> {
        Ok(self.store.get_expiring(&family_key(family)).await?)
    }

    /// Keeps the family as long as its newest token: a full TTL from now.
    async fn renew_family(&self, family: &str) -> Result<(), RefreshError> {
        self.change_family(family, |_| {}).await
    }

    async fn revoke_family(&self, family: &str) -> Result<(), RefreshError> {
        self.change_family(family, |record| record.revoked = true)
            .await
            .or_else(|error| match error {
                // Revoked already, or expired: nothing left to revoke.
                RefreshError::Invalid(_) => Ok(()),
                other => Err(other),
            })
    }

    /// Applies `change` to the family and renews it for a full TTL; fails
    /// with [`RefreshError::Invalid`] when it is gone or revoked.
    async fn change_family(
        &self,
        family: &str,
        change: impl Fn(&mut FamilyRecord),
    ) -> Result<(), RefreshError> {
        let key = family_key(family);
        for _ in 0..MAX_ATTEMPTS {
            let found = self.store.get_expiring(&key).await?;
            let found = found.ok_or(RefreshError::Invalid("its family expired"))?;
            let mut record: FamilyRecord = decode(&found.value)?;
            if record.revoked {
                return Err(RefreshError::Invalid("its family is revoked"));
            }
            change(&mut record);
            let outcome = self
                .store
                .compare_and_set_expiring(&key, found.version, &encode(&record)?, self.ttl)
                .await?;
            if matches!(outcome, CasOutcome::Stored { .. }) {
                return Ok(());
            }
        }
        Err(RefreshError::Contended)
    }
}

impl std::fmt::Debug for RefreshTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshTokens")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// The record key of a token: by its digest, never the token. `None` for
/// text that is not a refresh token.
fn token_key(token: &str) -> Option<String> {
    let secret = token.strip_prefix(REFRESH_TOKEN_PREFIX)?;
    let well_formed = secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return None;
    }
    let digest = Sha256::digest(token.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Some(format!("identity:refresh-token:{hex}"))
}

fn family_key(family: &str) -> String {
    format!("identity:refresh-family:{family}")
}

fn random<const N: usize>() -> Result<[u8; N], RefreshError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| RefreshError::Random(e.to_string()))?;
    Ok(bytes)
}

fn encode<T: Serialize>(record: &T) -> Result<Vec<u8>, RefreshError> {
    serde_json::to_vec(record).map_err(|e| RefreshError::Corrupt(e.to_string()))
}

fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, RefreshError> {
    serde_json::from_slice(bytes).map_err(|e| RefreshError::Corrupt(e.to_string()))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, millis)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::store::EmbeddedStore;

    async fn tokens() -> (tempfile::TempDir, RefreshTokens) {
        let dir = tempfile::tempdir().unwrap();
        let store = EmbeddedStore::open(&dir.path().join("s.redb"), "")
            .await
            .unwrap();
        (
            dir,
            RefreshTokens::new(Arc::new(store), DEFAULT_REFRESH_TTL),
        )
    }

    #[tokio::test]
    async fn each_use_rotates_and_a_reuse_revokes_the_family() {
        let (_dir, tokens) = tokens().await;
        let first = tokens.start("u1").await.unwrap();
        assert!(first.starts_with(REFRESH_TOKEN_PREFIX) && first.len() == 46);
        let second = tokens.rotate(&first).await.unwrap();
        assert_eq!(second.user, "u1");
        assert_ne!(second.token, first);
        let third = tokens.rotate(&second.token).await.unwrap();
        let reused = tokens.rotate(&first).await;
        assert!(matches!(reused, Err(RefreshError::Reused { user }) if user == "u1"));
        let newest = tokens.rotate(&third.token).await;
        assert!(
            matches!(newest, Err(RefreshError::Invalid(_))),
            "{newest:?}"
        );
    }

    #[tokio::test]
    async fn families_are_apart_and_revocable() {
        let (_dir, tokens) = tokens().await;
        let mine = tokens.start("u1").await.unwrap();
        let other = tokens.start("u1").await.unwrap();
        assert!(tokens.revoke(&mine).await.unwrap());
        assert!(matches!(
            tokens.rotate(&mine).await,
            Err(RefreshError::Invalid(_))
        ));
        assert!(
            tokens.rotate(&other).await.is_ok(),
            "another login lives on"
        );
        assert!(!tokens.revoke("jr_unknown").await.unwrap());
        let unknown = format!("{REFRESH_TOKEN_PREFIX}{}", "A".repeat(43));
        assert!(!tokens.revoke(&unknown).await.unwrap());
        assert!(matches!(
            tokens.rotate(&unknown).await,
            Err(RefreshError::Invalid(_))
        ));
    }

    #[tokio::test]
    async fn concurrent_uses_of_one_token_let_one_through() {
        let (_dir, tokens) = tokens().await;
        let token = tokens.start("u1").await.unwrap();
        let uses = (0..4).map(|_| {
            let (tokens, token) = (tokens.clone(), token.clone());
            tokio::spawn(async move { tokens.rotate(&token).await })
        });
        let results = futures::future::join_all(uses).await;
        let through: Vec<Rotated> = results
            .into_iter()
            .filter_map(|r| r.unwrap().ok())
            .collect();
        assert!(through.len() <= 1, "{through:?}");
        // Whoever won, the family is revoked by the losers' reuse.
        if let Some(won) = through.first() {
            assert!(tokens.rotate(&won.token).await.is_err());
        }
    }
}
