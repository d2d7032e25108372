//! Junction as a token issuer for its first-party users: access tokens are
//! JWTs signed with Junction's own Ed25519 key (EdDSA), generated on first
//! use and kept in the store so every replica signs and verifies with the
//! same key; its public half is published as a JWKS
//! (`/.well-known/jwks.json`).
//!
//! Junction's tokens are verified here too ([`Verify`]): the signature,
//! `iss`, `aud` and `exp` (with a 30 s leeway), and the user must still
//! exist and be enabled (each replica trusts what it read of a user for at
//! most a second, so disabling a user stops its tokens within a second).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use moka::future::Cache;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::refresh::{RefreshTokens, DEFAULT_REFRESH_TTL};
use super::revocation::Revocations;
use super::users::{UserRecord, Users};
use super::{Caller, CallerKind, IdentityError, Verify};
use crate::store::{CasOutcome, Store, StoreError};

const KEYS_KEY: &str = "identity:signing-keys";
/// The DER of a PKCS#8 Ed25519 private key before its 32-byte seed (RFC 8410).
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
const LEEWAY_SECONDS: u64 = 30;

/// Why a token could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("the signing keys are unreadable: {0}")]
    Corrupt(String),
    #[error("no randomness for a signing key: {0}")]
    Random(String),
    #[error("signing failed: {0}")]
    Sign(String),
}

/// One signing key as the store keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredKey {
    kid: String,
    /// The 32-byte Ed25519 seed, base64.
    seed: String,
    /// The public key, base64url (the JWK's `x`).
    x: String,
    created_at_ms: u64,
}

/// The claims of Junction's access tokens.
#[derive(Debug, Serialize, Deserialize)]
struct AccessClaims {
    iss: String,
    aud: String,
    sub: String,
    exp: u64,
    iat: u64,
    jti: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    org: Option<String>,
    #[serde(default)]
    roles: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tier: Option<String>,
}

/// An access token just issued.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub token: String,
    pub expires_in: Duration,
}

/// Issues and verifies Junction's own tokens.
#[derive(Clone)]
pub struct TokenIssuer {
    store: Arc<dyn Store>,
    users: Users,
    refresh: RefreshTokens,
    revocations: Revocations,
    issuer: String,
    access_ttl: Duration,
    /// What this replica read of each user, for at most a second.
    seen: Cache<String, Option<Arc<UserRecord>>>,
    /// The signing keys as this replica last read them.
    loaded: Cache<(), Arc<Vec<StoredKey>>>,
}

/// How long a replica keeps the signing keys it read.
const KEYS_TTL: Duration = Duration::from_secs(10);

impl TokenIssuer {
    /// Tokens of `issuer` (their `iss` and `aud`), living `access_ttl`.
    pub fn new(store: Arc<dyn Store>, issuer: &str, access_ttl: Duration) -> Self {
        Self {
            users: Users::new(Arc::clone(&store)),
            refresh: RefreshTokens::new(Arc::clone(&store), DEFAULT_REFRESH_TTL),
            revocations: Revocations::new(Arc::clone(&store)),
            store,
            issuer: issuer.to_string(),
            access_ttl,
            seen: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(1))
                .build(),
            loaded: Cache::builder()
                .max_capacity(1)
                .time_to_live(KEYS_TTL)
                .build(),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn users(&self) -> &Users {
        &self.users
    }

    /// The refresh tokens of this issuer's users.
    pub fn refresh_tokens(&self) -> &RefreshTokens {
        &self.refresh
    }

    /// The deny-list of revoked access tokens (Junction's and providers').
    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// An access token for `user`.
    pub async fn issue(&self, user: &UserRecord) -> Result<AccessToken, IssueError> {
        let key = self.current_key().await?;
        let now = now_seconds();
        let mut jti = [0u8; 16];
        getrandom::fill(&mut jti).map_err(|e| IssueError::Random(e.to_string()))?;
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.issuer.clone(),
            sub: user.id.clone(),
            exp: now + self.access_ttl.as_secs(),
            iat: now,
            jti: URL_SAFE_NO_PAD.encode(jti),
            org: user.org.clone(),
            roles: user.roles.clone(),
            tier: user.tier.clone(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(key.kid.clone());
        let seed = STANDARD
            .decode(&key.seed)
            .map_err(|e| IssueError::Corrupt(e.to_string()))?;
        let der = [PKCS8_ED25519_PREFIX.as_slice(), &seed].concat();
        let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(&der))
            .map_err(|e| IssueError::Sign(e.to_string()))?;
        Ok(AccessToken {
            token,
            expires_in: self.access_ttl,
        })
    }

    /// The public keys, as a JWKS.
    pub async fn jwks(&self) -> Result<Value, IssueError> {
        let keys: Vec<Value> = self
            .keys()
            .await?
            .iter()
            .map(|key| json!({ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": key.kid, "x": key.x }))
            .collect();
        Ok(json!({ "keys": keys }))
    }

    /// Whether `token` claims to be one of Junction's (its unverified `iss`).
    pub fn claims_to_be_ours(&self, token: &str) -> bool {
        let payload = token.split('.').nth(1).unwrap_or_default();
        URL_SAFE_NO_PAD
            .decode(payload)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .is_some_and(|claims| claims["iss"] == self.issuer.as_str())
    }

    async fn verify_token(&self, token: &str) -> Result<Caller, IdentityError> {
        let invalid = |reason: &str| IdentityError::Invalid(reason.to_string());
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("not a JWT"))?;
        if header.alg != Algorithm::EdDSA {
            return Err(invalid("Junction's tokens are EdDSA"));
        }
        let keys = self
            .keys()
            .await
            .map_err(|_| invalid("the signing keys cannot be read"))?;
        let key = keys
            .iter()
            .find(|key| header.kid.as_deref() == Some(key.kid.as_str()))
            .ok_or_else(|| invalid("unknown kid"))?;
        let decoding =
            DecodingKey::from_ed_components(&key.x).map_err(|_| invalid("a bad signing key"))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.issuer]);
        validation.leeway = LEEWAY_SECONDS;
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &decoding, &validation)
            .map_err(|e| IdentityError::Invalid(format!("Junction's token refused: {e}")))?
            .claims;
        let user = self.user(&claims.sub).await?;
        if user.disabled {
            return Err(invalid("the user is disabled"));
        }
        Ok(Caller {
            kind: CallerKind::User,
            subject: Some(claims.sub),
            org: claims.org,
            roles: claims.roles,
            scopes: Vec::new(),
            tier: claims.tier,
            token_id: Some(claims.jti),
        })
    }

    async fn user(&self, id: &str) -> Result<Arc<UserRecord>, IdentityError> {
        let (users, owned) = (self.users.clone(), id.to_string());
        self.seen
            .try_get_with(id.to_string(), async move {
                users.get(&owned).await.map(|found| found.map(Arc::new))
            })
            .await
            .map_err(|e| IdentityError::Invalid(format!("the user could not be read: {e}")))?
            .ok_or_else(|| IdentityError::Invalid("the user does not exist".into()))
    }

    /// The signing key in use: the newest, made now when there is none.
    async fn current_key(&self) -> Result<StoredKey, IssueError> {
        self.keys()
            .await?
            .last()
            .cloned()
            .ok_or_else(|| IssueError::Corrupt("no signing key".into()))
    }

    /// Every signing key, oldest first, as this replica read them at most
    /// [`KEYS_TTL`] ago (concurrent misses share one read): verifying a
    /// token costs no store round trip.
    async fn keys(&self) -> Result<Arc<Vec<StoredKey>>, IssueError> {
        let issuer = self.clone();
        self.loaded
            .try_get_with((), async move { issuer.load_keys().await.map(Arc::new) })
            .await
            .map_err(|e| IssueError::Corrupt(e.to_string()))
    }

    /// Every signing key from the store, oldest first; the first is made
    /// (once, whichever replica is first) when the store has none.
    async fn load_keys(&self) -> Result<Vec<StoredKey>, IssueError> {
        if let Some(found) = self.store.get(KEYS_KEY).await? {
            return decode(&found.value);
        }
        let keys = vec![new_key()?];
        let bytes = serde_json::to_vec(&keys).map_err(|e| IssueError::Corrupt(e.to_string()))?;
        match self.store.compare_and_set(KEYS_KEY, 0, &bytes).await? {
            CasOutcome::Stored { .. } => Ok(keys),
            // Another replica made it first: use theirs.
            CasOutcome::Conflict { .. } => match self.store.get(KEYS_KEY).await? {
                Some(found) => decode(&found.value),
                None => Err(IssueError::Corrupt("the signing keys vanished".into())),
            },
        }
    }
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("issuer", &self.issuer)
            .field("access_ttl", &self.access_ttl)
            .finish_non_exhaustive()
    }
}

/// The `iss` (and `aud`) of Junction's own tokens.
pub const DEFAULT_ISSUER: &str = "junction";
/// How long Junction's access tokens live.
pub const DEFAULT_ACCESS_TTL: Duration = Duration::from_secs(15 * 60);

#[async_trait]
impl Verify for TokenIssuer {
    async fn verify(&self, token: &str) -> Result<Caller, IdentityError> {
        self.verify_token(token).await
    }
}

/// Junction's own tokens first (by their `iss`), the providers' otherwise;
/// without providers, a token that is not Junction's is not Junction's to
/// check (it may be meant for a subgraph): the caller is anonymous.
pub struct TokenVerifiers {
    pub own: TokenIssuer,
    pub external: Option<Arc<dyn Verify>>,
}

#[async_trait]
impl Verify for TokenVerifiers {
    /// Then a token on the deny-list (by its `jti`) is refused, whoever
    /// issued it; a store that cannot say refuses it too.
    async fn verify(&self, token: &str) -> Result<Caller, IdentityError> {
        let caller = match (self.own.claims_to_be_ours(token), &self.external) {
            (true, _) => self.own.verify(token).await?,
            (false, Some(external)) => external.verify(token).await?,
            (false, None) => return Ok(Caller::anonymous()),
        };
        let Some(token_id) = &caller.token_id else {
            return Ok(caller);
        };
        match self.own.revocations().is_revoked(token_id).await {
            Ok(false) => Ok(caller),
            Ok(true) => Err(IdentityError::Invalid("the token was revoked".into())),
            Err(error) => Err(IdentityError::Invalid(format!(
                "the revoked tokens could not be read: {error}"
            ))),
        }
    }
}

/// The `exp` (Unix seconds) of a JWT, read without checking it: only for a
/// token that was verified already.
pub fn expiry_of_verified(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice::<Value>(&bytes).ok()?["exp"].as_u64()
}

fn new_key() -> Result<StoredKey, IssueError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| IssueError::Random(e.to_string()))?;
    let public = ed25519_dalek::SigningKey::from_bytes(&seed)
        .verifying_key()
        .to_bytes();
    let x = URL_SAFE_NO_PAD.encode(public);
    let created_at_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    Ok(StoredKey {
        kid: format!("junction-{}", &x[..12]),
        seed: STANDARD.encode(seed),
        x,
        created_at_ms,
    })
}

fn decode(bytes: &[u8]) -> Result<Vec<StoredKey>, IssueError> {
    serde_json::from_slice(bytes).map_err(|e| IssueError::Corrupt(e.to_string()))
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
