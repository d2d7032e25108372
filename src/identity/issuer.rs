//! Junction as a token issuer for its first-party users: access tokens are
//! JWTs signed with Junction's own key (EdDSA, or RS256 when configured),
//! kept in the store so every replica signs and verifies with the same
//! keys, or read from a file ([`SigningKeys`]); their public halves are
//! published as a JWKS (`/.well-known/jwks.json`).
//!
//! Junction's tokens are verified here too ([`Verify`]): the signature
//! (by the key its `kid` names, with that key's algorithm only), `iss`,
//! `aud` and `exp` (with a 30 s leeway), and the user must still exist
//! and be enabled (each replica trusts what it read of a user for at most
//! a second, so disabling a user stops its tokens within a second).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Header, Validation};
use moka::future::Cache;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::refresh::RefreshTokens;
use super::revocation::Revocations;
use super::signing_keys::{
    KeyAlgorithm, PublishedKey, Rotation, SigningKey, SigningKeyError, SigningKeys,
};
use super::users::{UserRecord, Users};
use super::{Caller, CallerKind, IdentityError, IssuerSettings, Verify};
use crate::store::{Store, StoreError};

/// Clock skew tolerated on a token's `exp`.
const LEEWAY: Duration = Duration::from_secs(30);

/// Why a token could not be issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueError {
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keys(#[from] SigningKeyError),
    #[error("no randomness: {0}")]
    Random(String),
    #[error("signing failed: {0}")]
    Sign(String),
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

/// Issues and verifies Junction's own tokens; clones share everything.
#[derive(Clone)]
pub struct TokenIssuer {
    users: Users,
    refresh: RefreshTokens,
    revocations: Revocations,
    store: Arc<dyn Store>,
    issuer: Arc<str>,
    access_ttl: Duration,
    refresh_ttl: Duration,
    /// What this replica read of each user, for at most a second.
    seen: Cache<String, Option<Arc<UserRecord>>>,
    keys: SigningKeys,
}

impl TokenIssuer {
    /// Tokens as `settings` say, signed with the keys in `store` (or the
    /// configured key).
    pub fn new(store: Arc<dyn Store>, settings: IssuerSettings) -> Self {
        let keys = SigningKeys::new(
            Arc::clone(&store),
            settings.algorithm,
            settings.access_ttl + LEEWAY,
            settings.signing_key,
        );
        Self {
            users: Users::new(Arc::clone(&store)),
            refresh: RefreshTokens::new(Arc::clone(&store), settings.refresh_ttl),
            revocations: Revocations::new(Arc::clone(&store)),
            store,
            issuer: Arc::from(settings.name),
            access_ttl: settings.access_ttl,
            refresh_ttl: settings.refresh_ttl,
            seen: Cache::builder()
                .max_capacity(100_000)
                .time_to_live(Duration::from_secs(1))
                .build(),
            keys,
        }
    }

    /// The store its users, keys and tokens are kept in.
    pub fn store(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }

    /// The tokens' `iss` (and `aud`).
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

    /// How long an access token lives.
    pub fn access_ttl(&self) -> Duration {
        self.access_ttl
    }

    /// How long a refresh token lives (`auth.issuer.refresh_token_ttl`).
    pub fn refresh_ttl(&self) -> Duration {
        self.refresh_ttl
    }

    /// An access token for `user`.
    pub async fn issue(&self, user: &UserRecord) -> Result<AccessToken, IssueError> {
        let key = self.keys.signing_key().await?;
        let now = now_seconds();
        let mut jti = [0u8; 16];
        getrandom::fill(&mut jti).map_err(|e| IssueError::Random(e.to_string()))?;
        let claims = AccessClaims {
            iss: self.issuer.to_string(),
            aud: self.issuer.to_string(),
            sub: user.id.clone(),
            exp: now + self.access_ttl.as_secs(),
            iat: now,
            jti: URL_SAFE_NO_PAD.encode(jti),
            org: user.org.clone(),
            roles: user.roles.clone(),
            tier: user.tier.clone(),
        };
        let token = sign(&key, claims).await?;
        Ok(AccessToken {
            token,
            expires_in: self.access_ttl,
        })
    }

    /// The public keys, as a JWKS.
    pub async fn jwks(&self) -> Result<Value, IssueError> {
        let keys: Vec<Value> = self
            .keys
            .published()
            .await?
            .iter()
            .map(|published| published.key.jwk().clone())
            .collect();
        Ok(json!({ "keys": keys }))
    }

    /// The published signing keys, oldest first.
    pub async fn signing_keys(&self) -> Result<Vec<PublishedKey>, SigningKeyError> {
        self.keys.published().await
    }

    /// Adds a new signing key (see [`SigningKeys::rotate`]).
    pub async fn rotate(&self) -> Result<Rotation, SigningKeyError> {
        self.keys.rotate().await
    }

    /// Whether `token` claims to be one of Junction's (its unverified `iss`).
    pub fn claims_to_be_ours(&self, token: &str) -> bool {
        unverified_claims(token).is_some_and(|claims| claims["iss"] == *self.issuer)
    }

    async fn verify_token(&self, token: &str) -> Result<Caller, IdentityError> {
        let invalid = |reason: &str| IdentityError::Invalid(reason.to_string());
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("not a JWT"))?;
        let kid = header.kid.as_deref().ok_or_else(|| invalid("no kid"))?;
        let key = self
            .keys
            .verifying_key(kid)
            .await
            .map_err(|_| invalid("the signing keys cannot be read"))?
            .ok_or_else(|| invalid("unknown kid"))?;
        // Only the algorithm of the key the kid names: no confusion.
        if header.alg != key.algorithm().jwt() {
            return Err(invalid("the token's alg is not its key's"));
        }
        let mut validation = Validation::new(key.algorithm().jwt());
        validation.set_issuer(&[&*self.issuer]);
        validation.set_audience(&[&*self.issuer]);
        validation.leeway = LEEWAY.as_secs();
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<AccessClaims>(token, key.decoding(), &validation)
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
}

impl std::fmt::Debug for TokenIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenIssuer")
            .field("issuer", &self.issuer)
            .field("access_ttl", &self.access_ttl)
            .field("keys", &self.keys)
            .finish_non_exhaustive()
    }
}

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
    unverified_claims(token)?["exp"].as_u64()
}

/// A JWT's claims as its payload says, signature unchecked.
fn unverified_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `claims` signed with `key`; an RSA signature (milliseconds of work)
/// on a blocking thread.
async fn sign(key: &SigningKey, claims: AccessClaims) -> Result<String, IssueError> {
    let mut header = Header::new(key.algorithm().jwt());
    header.kid = Some(key.kid().to_string());
    let encoding = key.encoding().clone();
    let work = move || {
        jsonwebtoken::encode(&header, &claims, &encoding)
            .map_err(|e| IssueError::Sign(e.to_string()))
    };
    match key.algorithm() {
        KeyAlgorithm::EdDsa => work(),
        KeyAlgorithm::Rs256 => tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| IssueError::Sign(e.to_string()))?,
    }
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
