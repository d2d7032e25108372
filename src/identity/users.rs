//! First-party users, kept in the store: email (unique, compared in lower
//! case), an argon2id password hash (never the password), org, roles,
//! tier, disabled, and when and by whom they were made and changed.
//!
//! Records are found by id; an email index key (by the SHA-256 of the
//! lower-cased email, so the store's keys hold no address) makes emails
//! unique, written with compare-and-set so two replicas cannot give one
//! email to two users. A list of ids (compare-and-set too) pages them.
//! Passwords are hashed off the async threads.
//!
//! Reads and changes may be limited to the users a predicate admits (the
//! admin API's org admins pass "of my org"): a user it does not admit is
//! skipped by a list and `NotFound` to a change, the predicate checked on
//! the record the compare-and-set replaces.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::store::{CasOutcome, Store, StoreError};

const USERS_INDEX: &str = "identity:users";
/// Most users the store holds.
pub const MAX_USERS: usize = 100_000;
/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
const MAX_ATTEMPTS: usize = 16;

fn user_key(id: &str) -> String {
    format!("identity:user:{id}")
}

fn email_key(email: &str) -> String {
    let digest = Sha256::digest(email.to_lowercase().as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("identity:user-email:{hex}")
}

/// Why a user operation failed.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Invalid(String),
    #[error("a user with this email exists")]
    EmailTaken,
    #[error("no user with id \"{0}\"")]
    NotFound(String),
    #[error("the users changed {MAX_ATTEMPTS} times while this change was made; try again")]
    Contended,
    #[error("a user record is unreadable: {0}")]
    Corrupt(String),
    #[error("hashing the password failed: {0}")]
    Hash(String),
}

/// One user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRecord {
    pub id: String,
    pub email: String,
    /// argon2id, in PHC string form.
    pub password_hash: String,
    pub org: Option<String>,
    pub roles: Vec<String>,
    pub tier: Option<String>,
    pub disabled: bool,
    pub created_at_ms: u64,
    pub created_by: String,
    pub updated_at_ms: u64,
}

/// What a new user is.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub email: String,
    pub password: String,
    pub org: Option<String>,
    pub roles: Vec<String>,
    pub tier: Option<String>,
}

/// Changes to a user (`None`: unchanged).
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub org: Option<Option<String>>,
    pub roles: Option<Vec<String>>,
    pub tier: Option<Option<String>>,
    pub disabled: Option<bool>,
}

/// The users in one store.
#[derive(Clone)]
pub struct Users {
    store: Arc<dyn Store>,
}

impl Users {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Creates a user.
    pub async fn create(&self, new: NewUser, by: &str) -> Result<UserRecord, UserError> {
        let email = checked_email(&new.email)?;
        check_password(&new.password)?;
        let password_hash = hash_password(new.password).await?;
        let now = now_ms();
        let record = UserRecord {
            id: new_id()?,
            email: email.clone(),
            password_hash,
            org: new.org,
            roles: new.roles,
            tier: new.tier,
            disabled: false,
            created_at_ms: now,
            created_by: by.to_string(),
            updated_at_ms: now,
        };
        let claimed = self
            .store
            .compare_and_set(&email_key(&email), 0, record.id.as_bytes())
            .await?;
        if matches!(claimed, CasOutcome::Conflict { .. }) {
            return Err(UserError::EmailTaken);
        }
        self.store
            .put(&user_key(&record.id), &encode(&record)?)
            .await?;
        for _ in 0..MAX_ATTEMPTS {
            let (mut index, version) = self.index().await?;
            if index.len() >= MAX_USERS {
                return Err(UserError::Invalid(format!(
                    "the store holds {MAX_USERS} users"
                )));
            }
            index.push(record.id.clone());
            if self.commit_index(version, &index).await? {
                return Ok(record);
            }
        }
        Err(UserError::Contended)
    }

    /// A page of users, oldest first: at most `first`, after the user
    /// with id `after`.
    pub async fn list(
        &self,
        first: usize,
        after: Option<&str>,
    ) -> Result<Vec<UserRecord>, UserError> {
        self.list_where(first, after, |_| true).await
    }

    /// A page of the users `keep` admits, oldest first: at most `first`,
    /// after the user with id `after` (which need not be admitted). Users
    /// are read in order until `first` are admitted or none are left, so
    /// one call reads at most the whole list ([`MAX_USERS`]).
    pub async fn list_where(
        &self,
        first: usize,
        after: Option<&str>,
        keep: impl Fn(&UserRecord) -> bool,
    ) -> Result<Vec<UserRecord>, UserError> {
        let (index, _) = self.index().await?;
        let start = match after {
            Some(after) => index
                .iter()
                .position(|id| id == after)
                .map_or(index.len(), |i| i + 1),
            None => 0,
        };
        let mut users = Vec::new();
        for id in index.iter().skip(start) {
            if users.len() >= first {
                break;
            }
            if let Some((user, _)) = self.read(id).await? {
                if keep(&user) {
                    users.push(user);
                }
            }
        }
        Ok(users)
    }

    pub async fn get(&self, id: &str) -> Result<Option<UserRecord>, UserError> {
        Ok(self.read(id).await?.map(|(user, _)| user))
    }

    /// The user with this email, if any.
    pub async fn by_email(&self, email: &str) -> Result<Option<UserRecord>, UserError> {
        let Some(found) = self.store.get(&email_key(email.trim())).await? else {
            return Ok(None);
        };
        let id = String::from_utf8(found.value).map_err(|e| UserError::Corrupt(e.to_string()))?;
        self.get(&id).await
    }

    /// Changes a user's org, roles, tier or disabled state.
    pub async fn update(&self, id: &str, changes: UserChanges) -> Result<UserRecord, UserError> {
        self.update_where(id, changes, |_| true).await
    }

    /// [`Self::update`], if `visible` admits the user as it is when changed
    /// (checked in the same compare-and-set, so a concurrent change of its
    /// org cannot slip in between); `NotFound` otherwise.
    pub async fn update_where(
        &self,
        id: &str,
        changes: UserChanges,
        visible: impl Fn(&UserRecord) -> bool,
    ) -> Result<UserRecord, UserError> {
        self.change(id, visible, |user| {
            if let Some(org) = &changes.org {
                user.org = org.clone();
            }
            if let Some(roles) = &changes.roles {
                user.roles = roles.clone();
            }
            if let Some(tier) = &changes.tier {
                user.tier = tier.clone();
            }
            if let Some(disabled) = changes.disabled {
                user.disabled = disabled;
            }
        })
        .await
    }

    /// Sets a user's password.
    pub async fn set_password(&self, id: &str, password: String) -> Result<UserRecord, UserError> {
        self.set_password_where(id, password, |_| true).await
    }

    /// [`Self::set_password`], if `visible` admits the user (as
    /// [`Self::update_where`]); `NotFound` otherwise.
    pub async fn set_password_where(
        &self,
        id: &str,
        password: String,
        visible: impl Fn(&UserRecord) -> bool,
    ) -> Result<UserRecord, UserError> {
        check_password(&password)?;
        let hash = hash_password(password).await?;
        self.change(id, visible, |user| user.password_hash = hash.clone())
            .await
    }

    /// Deletes a user (its email may be used again).
    pub async fn delete(&self, id: &str) -> Result<(), UserError> {
        self.delete_where(id, |_| true).await
    }

    /// [`Self::delete`], if `visible` admits the user as it is read just
    /// before; `NotFound` otherwise.
    pub async fn delete_where(
        &self,
        id: &str,
        visible: impl Fn(&UserRecord) -> bool,
    ) -> Result<(), UserError> {
        let user = self
            .get(id)
            .await?
            .filter(|user| visible(user))
            .ok_or_else(|| UserError::NotFound(id.to_string()))?;
        for _ in 0..MAX_ATTEMPTS {
            let (mut index, version) = self.index().await?;
            index.retain(|known| known != id);
            if self.commit_index(version, &index).await? {
                self.store.delete(&user_key(id)).await?;
                self.store.delete(&email_key(&user.email)).await?;
                return Ok(());
            }
        }
        Err(UserError::Contended)
    }

    /// The user whose email and password these are, enabled; `None`
    /// otherwise, whichever check failed (the caller cannot tell). An
    /// unknown email costs a hash too, so timing does not tell either.
    pub async fn check_login(
        &self,
        email: &str,
        password: &str,
    ) -> Result<Option<UserRecord>, UserError> {
        let user = self.by_email(email).await?;
        let stored = user.as_ref().map(|u| u.password_hash.clone());
        let password = password.to_string();
        let matches = tokio::task::spawn_blocking(move || match stored {
            Some(stored) => verify_password(&password, &stored),
            None => {
                // The same work as a real check, against a hash of nothing.
                let _ = verify_password(&password, &dummy_hash());
                false
            }
        })
        .await
        .map_err(|e| UserError::Hash(e.to_string()))?;
        Ok(user.filter(|user| matches && !user.disabled))
    }

    /// Applies `edit` to the user with compare-and-set (retried when it
    /// changed meanwhile), if `visible` admits it as read each time.
    async fn change(
        &self,
        id: &str,
        visible: impl Fn(&UserRecord) -> bool,
        edit: impl Fn(&mut UserRecord),
    ) -> Result<UserRecord, UserError> {
        for _ in 0..MAX_ATTEMPTS {
            let (mut user, version) = self
                .read(id)
                .await?
                .filter(|(user, _)| visible(user))
                .ok_or_else(|| UserError::NotFound(id.to_string()))?;
            edit(&mut user);
            user.updated_at_ms = now_ms();
            let stored = self
                .store
                .compare_and_set(&user_key(id), version, &encode(&user)?)
                .await?;
            if matches!(stored, CasOutcome::Stored { .. }) {
                return Ok(user);
            }
        }
        Err(UserError::Contended)
    }

    async fn read(&self, id: &str) -> Result<Option<(UserRecord, u64)>, UserError> {
        match self.store.get(&user_key(id)).await? {
            None => Ok(None),
            Some(found) => Ok(Some((decode(&found.value)?, found.version))),
        }
    }

    async fn index(&self) -> Result<(Vec<String>, u64), UserError> {
        match self.store.get(USERS_INDEX).await? {
            None => Ok((Vec::new(), 0)),
            Some(found) => Ok((decode(&found.value)?, found.version)),
        }
    }

    async fn commit_index(&self, version: u64, index: &[String]) -> Result<bool, UserError> {
        let stored = self
            .store
            .compare_and_set(USERS_INDEX, version, &encode(&index)?)
            .await?;
        Ok(matches!(stored, CasOutcome::Stored { .. }))
    }
}

/// A random password (24 characters, about 143 bits), for a reset or a
/// first user.
pub fn generate_password() -> Result<String, UserError> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| UserError::Hash(e.to_string()))?;
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

fn checked_email(email: &str) -> Result<String, UserError> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    match valid {
        true => Ok(email),
        false => Err(UserError::Invalid("the email is not an address".into())),
    }
}

fn check_password(password: &str) -> Result<(), UserError> {
    let chars = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=1024).contains(&chars) {
        return Err(UserError::Invalid(format!(
            "a password has {MIN_PASSWORD_CHARS} to 1024 characters"
        )));
    }
    Ok(())
}

async fn hash_password(password: String) -> Result<String, UserError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| UserError::Hash(e.to_string()))
    })
    .await
    .map_err(|e| UserError::Hash(e.to_string()))?
}

fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A valid argon2id hash no password is known for (for unknown emails).
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(b"no password is this one", &salt)
                .map(|hash| hash.to_string())
                .unwrap_or_default()
        })
        .clone()
}

fn new_id() -> Result<String, UserError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| UserError::Hash(e.to_string()))?;
    Ok(format!(
        "u_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, UserError> {
    serde_json::to_vec(value).map_err(|e| UserError::Corrupt(e.to_string()))
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, UserError> {
    serde_json::from_slice(bytes).map_err(|e| UserError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(
            checked_email(" Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "ada",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "ada@.com",
        ] {
            assert!(checked_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_password_verifies_against_its_hash_only() {
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("anything", &dummy_hash()));
    }

    #[test]
    fn generated_passwords_are_long_enough_and_differ() {
        let (a, b) = (generate_password().unwrap(), generate_password().unwrap());
        assert!(a.len() == 24 && a != b && check_password(&a).is_ok());
        assert!(check_password("short").is_err());
    }
}
