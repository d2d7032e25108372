//! An API key as the store keeps it: who it stands for (name, org, roles,
//! scopes, tier), when it expires, who made it, the digest of its secret
//! (and of the previous one during a rotation's grace period), and whether
//! it was revoked. Never the secret.

use serde::{Deserialize, Serialize};

use super::{secret, ApiKeyError};

/// Store key of the list of key ids.
pub(super) const KEYS_INDEX: &str = "identity:apikeys";

pub(super) fn key_record(id: &str) -> String {
    format!("identity:apikey:{id}")
}

pub(super) fn used_key(id: &str) -> String {
    format!("identity:apikey-used:{id}")
}

/// What a new key is for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewApiKey {
    pub name: String,
    pub org: Option<String>,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
    pub tier: Option<String>,
    /// When it stops working (milliseconds since the Unix epoch).
    pub expires_at_ms: Option<u64>,
}

impl NewApiKey {
    pub(super) fn check(&self, now_ms: u64) -> Result<(), ApiKeyError> {
        let invalid = |message: &str| Err(ApiKeyError::Invalid(message.to_string()));
        if self.name.trim().is_empty() || self.name.len() > 200 {
            return invalid("a key needs a name of 1 to 200 characters");
        }
        if self.roles.len() > 100 || self.scopes.len() > 100 {
            return invalid("a key may hold at most 100 roles and 100 scopes");
        }
        if self.expires_at_ms.is_some_and(|at| at <= now_ms) {
            return invalid("the expiry is in the past");
        }
        Ok(())
    }
}

/// Changes to a key (`None`: unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiKeyChanges {
    pub roles: Option<Vec<String>>,
    pub scopes: Option<Vec<String>>,
    pub tier: Option<Option<String>>,
}

impl ApiKeyChanges {
    pub(super) fn check(&self) -> Result<(), ApiKeyError> {
        let too_many = |list: &Option<Vec<String>>| list.as_ref().is_some_and(|l| l.len() > 100);
        if too_many(&self.roles) || too_many(&self.scopes) {
            return Err(ApiKeyError::Invalid(
                "a key may hold at most 100 roles and 100 scopes".into(),
            ));
        }
        Ok(())
    }

    pub(super) fn apply_to(&self, record: &mut ApiKeyRecord) {
        if let Some(roles) = &self.roles {
            record.roles = roles.clone();
        }
        if let Some(scopes) = &self.scopes {
            record.scopes = scopes.clone();
        }
        if let Some(tier) = &self.tier {
            record.tier = tier.clone();
        }
    }
}

/// A secret a rotated key still takes until `valid_until_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousSecret {
    pub digest: String,
    pub valid_until_ms: u64,
}

/// One API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRecord {
    pub id: String,
    pub name: String,
    pub org: Option<String>,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
    pub tier: Option<String>,
    pub expires_at_ms: Option<u64>,
    pub created_by: String,
    pub created_at_ms: u64,
    /// SHA-256 of the secret, hex.
    pub secret_digest: String,
    pub previous: Option<PreviousSecret>,
    pub revoked_at_ms: Option<u64>,
    pub revoked_by: Option<String>,
}

impl ApiKeyRecord {
    pub(super) fn new(id: String, new: NewApiKey, digest: String, by: &str, now_ms: u64) -> Self {
        Self {
            id,
            name: new.name,
            org: new.org,
            roles: new.roles,
            scopes: new.scopes,
            tier: new.tier,
            expires_at_ms: new.expires_at_ms,
            created_by: by.to_string(),
            created_at_ms: now_ms,
            secret_digest: digest,
            previous: None,
            revoked_at_ms: None,
            revoked_by: None,
        }
    }

    /// Whether `secret` opens this key at `now_ms`; why not, for the logs.
    pub(super) fn admits(&self, secret: &str, now_ms: u64) -> Result<(), &'static str> {
        if self.revoked_at_ms.is_some() {
            return Err("the API key is revoked");
        }
        if self.expires_at_ms.is_some_and(|at| at <= now_ms) {
            return Err("the API key has expired");
        }
        if secret::matches(secret, &self.secret_digest) {
            return Ok(());
        }
        match &self.previous {
            Some(previous)
                if previous.valid_until_ms > now_ms
                    && secret::matches(secret, &previous.digest) =>
            {
                Ok(())
            }
            _ => Err("the API key's secret does not match"),
        }
    }
}

pub(super) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, ApiKeyError> {
    serde_json::to_vec(value).map_err(|e| ApiKeyError::Corrupt(e.to_string()))
}

pub(super) fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiKeyError> {
    serde_json::from_slice(bytes).map_err(|e| ApiKeyError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(secret: &str) -> ApiKeyRecord {
        let new = NewApiKey {
            name: "ci".into(),
            expires_at_ms: Some(2_000),
            ..NewApiKey::default()
        };
        ApiKeyRecord::new("id".into(), new, secret::digest(secret), "admin", 1_000)
    }

    #[test]
    fn a_key_opens_with_its_secret_until_it_expires_or_is_revoked() {
        let mut key = record("s1");
        assert_eq!(key.admits("s1", 1_500), Ok(()));
        assert!(key.admits("s2", 1_500).is_err());
        assert!(key.admits("s1", 2_000).is_err(), "expired");
        key.revoked_at_ms = Some(1_200);
        assert!(key.admits("s1", 1_500).is_err(), "revoked");
    }

    #[test]
    fn a_rotated_key_takes_its_old_secret_only_during_the_grace_period() {
        let mut key = record("new");
        key.previous = Some(PreviousSecret {
            digest: secret::digest("old"),
            valid_until_ms: 1_600,
        });
        assert_eq!(key.admits("old", 1_500), Ok(()));
        assert!(key.admits("old", 1_600).is_err());
        assert_eq!(key.admits("new", 1_600), Ok(()));
    }

    #[test]
    fn changes_replace_only_the_fields_given() {
        let mut key = record("s");
        key.roles = vec!["viewer".into()];
        key.tier = Some("free".into());
        let changes = ApiKeyChanges {
            roles: Some(vec!["editor".into()]),
            ..ApiKeyChanges::default()
        };
        changes.apply_to(&mut key);
        assert_eq!(key.roles, ["editor"]);
        assert_eq!(key.tier.as_deref(), Some("free"));
        let too_many = ApiKeyChanges {
            scopes: Some(vec![String::new(); 101]),
            ..ApiKeyChanges::default()
        };
        assert!(too_many.check().is_err());
    }

    #[test]
    fn a_new_key_is_checked() {
        let ok = NewApiKey {
            name: "ci".into(),
            ..NewApiKey::default()
        };
        assert!(ok.check(1).is_ok());
        let unnamed = NewApiKey::default();
        assert!(unnamed.check(1).is_err());
        let past = NewApiKey {
            expires_at_ms: Some(1),
            ..ok
        };
        assert!(past.check(5).is_err());
    }
}
