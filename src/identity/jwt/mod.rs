//! External JWTs: tokens signed by the identity providers the operator
//! trusts (Auth0, Keycloak, Okta, Clerk, any OIDC issuer), verified and
//! turned into a [`Caller`] of kind `User`.
//!
//! A token's `iss` (read unverified) chooses its provider; an unknown
//! issuer is refused. The provider's keys (a JWKS fetched and kept fresh by
//! `jwks`, a JWKS given inline, or a shared secret) verify the signature
//! with an algorithm that both the provider allows and the key fits
//! (`keys`); then the claims are checked and mapped (`claims`). A
//! verified token is cached by digest until its `exp` (`cache`).
//!
//! The signature check itself is `jsonwebtoken`'s (RustCrypto backend);
//! choosing the provider, key and algorithm, the JWKS cache and the claim
//! rules are ours. No token is ever logged: a refusal is logged (at debug)
//! with the first bytes of the token's SHA-256 digest and the reason.

mod cache;
mod claims;
mod clock;
mod jwks;
mod keys;
mod settings;
mod token;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use jsonwebtoken::{Algorithm, Validation};

pub use claims::ClaimPath;
pub use clock::Clock;
pub use settings::{
    Audiences, ClaimPaths, JwksSettings, JwtSettings, JwtSetupError, KeySource, ProviderSettings,
    ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS,
};
pub use token::MAX_TOKEN_BYTES;

use super::{Caller, IdentityError};
use cache::{TokenCache, TokenDigest, Verified};
use claims::{Claims, Expected};
use jwks::RemoteJwks;
use keys::{KeySet, VerifyKey};

/// Verifies external JWTs against the configured providers.
pub struct JwtVerifier {
    providers: HashMap<String, Provider>,
    cache: TokenCache,
    clock: Clock,
    signature_checks: AtomicU64,
}

/// One trusted issuer, ready to verify.
struct Provider {
    issuer: String,
    algorithms: Vec<Algorithm>,
    audiences: Audiences,
    claims: ClaimPaths,
    leeway: u64,
    keys: Keys,
}

enum Keys {
    Fixed(Arc<KeySet>),
    Remote(Arc<RemoteJwks>),
}

impl Keys {
    fn current(&self) -> Arc<KeySet> {
        match self {
            Self::Fixed(keys) => Arc::clone(keys),
            Self::Remote(jwks) => jwks.current(),
        }
    }
}

impl JwtVerifier {
    /// A verifier of `settings`' providers; JWKS URLs are fetched with
    /// `client`, on first use (or [`Self::prefetch`]).
    pub fn new(settings: JwtSettings, client: reqwest::Client) -> Result<Self, JwtSetupError> {
        Self::with_clock(settings, client, Clock::system())
    }

    /// The same, reading the time from `clock` (tests advance it).
    pub fn with_clock(
        settings: JwtSettings,
        client: reqwest::Client,
        clock: Clock,
    ) -> Result<Self, JwtSetupError> {
        let mut providers = HashMap::new();
        for provider in settings.providers {
            let issuer = provider.issuer.clone();
            let ready = Provider::new(provider, &client, &clock)?;
            if providers.insert(issuer.clone(), ready).is_some() {
                return Err(JwtSetupError::DuplicateIssuer(issuer));
            }
        }
        Ok(Self {
            providers,
            cache: TokenCache::new(settings.cache_entries),
            clock,
            signature_checks: AtomicU64::new(0),
        })
    }

    /// Whether no provider is configured (every token is refused).
    pub fn is_empty(&self) -> bool {
        self.providers.is_empty()
    }

    /// Fetches every JWKS URL's keys now (at start, so the first requests
    /// do not wait); failures are logged and retried on use.
    pub async fn prefetch(&self) {
        for provider in self.providers.values() {
            if let Keys::Remote(jwks) = &provider.keys {
                jwks.refresh_for_miss().await;
            }
        }
    }

    /// Signatures checked so far: a token served from the cache costs none.
    pub fn signature_checks(&self) -> u64 {
        self.signature_checks.load(Ordering::Relaxed)
    }

    /// The caller `token` stands for, or why it is refused (for the logs).
    pub async fn verify(&self, token: &str) -> Result<Caller, IdentityError> {
        let digest = cache::digest(token);
        self.verify_digested(token, &digest)
            .await
            .map_err(|reason| {
                let prefix = hex_prefix(&digest);
                tracing::debug!(token_digest = %prefix, %reason, "JWT refused");
                IdentityError::Invalid(reason)
            })
    }

    async fn verify_digested(&self, token: &str, digest: &TokenDigest) -> Result<Caller, String> {
        let now = self.clock.unix_seconds();
        if let Some(caller) = self.cached(digest, now) {
            return Ok(caller);
        }
        let peek = token::peek(token)?;
        let provider = self
            .providers
            .get(&peek.issuer)
            .ok_or("the token's issuer is not a configured provider")?;
        if !provider.algorithms.contains(&peek.algorithm) {
            return Err(format!(
                "{:?} is not allowed for issuer {}",
                peek.algorithm, provider.issuer
            ));
        }
        let candidates = provider
            .keys_for(peek.kid.as_deref(), peek.algorithm)
            .await?;
        let (claims, key) = self.check_signature(token, peek.algorithm, candidates)?;
        let expected = Expected {
            issuer: &provider.issuer,
            audiences: &provider.audiences,
            leeway: provider.leeway,
            now,
        };
        let exp = claims::check(&claims, &expected)?;
        let caller = claims::caller(&claims, &provider.claims)?;
        let verified = Verified::new(caller.clone(), exp, &provider.issuer, key, now);
        self.cache.insert(*digest, verified);
        Ok(caller)
    }

    /// A cached token's caller, while its key is still its provider's.
    fn cached(&self, digest: &TokenDigest, now: u64) -> Option<Caller> {
        let entry = self.cache.get(digest, now)?;
        let provider = self.providers.get(&entry.issuer)?;
        if let Keys::Remote(jwks) = &provider.keys {
            // Kept fresh on hits too, so a key withdrawn by the provider
            // stops serving its cached tokens within the refresh interval.
            jwks.refresh_if_due();
        }
        if !provider.keys.current().holds(&entry.key) {
            self.cache.remove(digest);
            return None;
        }
        Some(entry.caller.clone())
    }

    /// The verified claims and the key that verified them.
    fn check_signature(
        &self,
        token: &str,
        algorithm: Algorithm,
        candidates: Vec<Arc<VerifyKey>>,
    ) -> Result<(Claims, Arc<VerifyKey>), String> {
        let validation = signature_only(algorithm);
        let mut last = String::from("no key fits the token");
        for key in candidates {
            self.signature_checks.fetch_add(1, Ordering::Relaxed);
            match jsonwebtoken::decode::<Claims>(token, &key.key, &validation) {
                Ok(data) => return Ok((data.claims, key)),
                Err(error) => last = format!("the signature check failed: {error}"),
            }
        }
        Err(last)
    }
}

impl Provider {
    fn new(
        settings: ProviderSettings,
        client: &reqwest::Client,
        clock: &Clock,
    ) -> Result<Self, JwtSetupError> {
        settings.check()?;
        let algorithms = settings.allowed_algorithms();
        let refuse = |reason: String| JwtSetupError::Provider {
            issuer: settings.issuer.clone(),
            reason,
        };
        let keys = match &settings.keys {
            KeySource::Secret(secret) => Keys::Fixed(Arc::new(KeySet::secret(secret, &algorithms))),
            KeySource::Jwks(jwks) => {
                let keys =
                    KeySet::from_jwks(jwks, &algorithms, &settings.issuer).map_err(refuse)?;
                Keys::Fixed(Arc::new(keys))
            }
            KeySource::JwksUrl(url) => {
                match url::Url::parse(url) {
                    Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
                    _ => return Err(refuse("the JWKS URL is not an http(s) URL".into())),
                }
                Keys::Remote(Arc::new(RemoteJwks::new(
                    &settings.issuer,
                    url,
                    client.clone(),
                    settings.jwks.clone(),
                    algorithms.clone(),
                    clock.clone(),
                )))
            }
        };
        Ok(Self {
            issuer: settings.issuer,
            algorithms,
            audiences: settings.audiences,
            claims: settings.claims,
            leeway: settings.leeway.as_secs(),
            keys,
        })
    }

    /// The keys that may verify a token with this `kid` and algorithm: the
    /// cached ones, else those of a fresh JWKS when a fetch is allowed.
    async fn keys_for(
        &self,
        kid: Option<&str>,
        algorithm: Algorithm,
    ) -> Result<Vec<Arc<VerifyKey>>, String> {
        let Keys::Remote(jwks) = &self.keys else {
            let found = self.keys.current().candidates(kid, algorithm);
            return non_empty(found, &self.issuer);
        };
        jwks.refresh_if_due();
        let found = jwks.current().candidates(kid, algorithm);
        if !found.is_empty() {
            return Ok(found);
        }
        jwks.refresh_for_miss().await;
        non_empty(jwks.current().candidates(kid, algorithm), &self.issuer)
    }
}

fn non_empty(keys: Vec<Arc<VerifyKey>>, issuer: &str) -> Result<Vec<Arc<VerifyKey>>, String> {
    if keys.is_empty() {
        return Err(format!(
            "no key of issuer {issuer} fits the token's kid and algorithm"
        ));
    }
    Ok(keys)
}

/// A `jsonwebtoken` validation that checks the signature with `algorithm`
/// and nothing else: the claims are checked by [`claims::check`], against
/// the verifier's clock.
fn signature_only(algorithm: Algorithm) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation
}

/// The first 4 bytes of a digest, in hex: enough to match log lines.
fn hex_prefix(digest: &TokenDigest) -> String {
    digest[..4].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
