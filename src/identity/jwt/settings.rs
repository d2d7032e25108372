//! What a [`super::JwtVerifier`] is built from: one [`ProviderSettings`]
//! per trusted issuer, and the conversion from the `auth` config section.
//!
//! The rules that keep a provider safe (an allow-list of algorithms that
//! fits its keys, HS only with a shared secret, an audience unless any is
//! explicitly allowed) are checked here, so settings built by hand are held
//! to them as much as settings read from a file.

use std::str::FromStr;
use std::time::Duration;

use jsonwebtoken::Algorithm;

use crate::config::{AuthConfig, ClaimsConfig, JwtProviderConfig, MIN_SECRET_BYTES};

use super::claims::ClaimPath;

/// Every asymmetric algorithm a JWKS key may be used with.
pub const ASYMMETRIC_ALGORITHMS: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

/// The shared-secret algorithms.
pub const HMAC_ALGORITHMS: [Algorithm; 3] = [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];

/// Settings of a [`super::JwtVerifier`].
#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub providers: Vec<ProviderSettings>,
    /// Verified tokens kept (by digest, each until its `exp`); 0: none.
    pub cache_entries: u64,
}

impl Default for JwtSettings {
    fn default() -> Self {
        Self {
            providers: Vec::new(),
            cache_entries: 10_000,
        }
    }
}

/// One trusted issuer.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    /// The tokens' `iss`, exactly.
    pub issuer: String,
    pub keys: KeySource,
    pub audiences: Audiences,
    /// Accepted algorithms; empty: every one the key source fits
    /// ([`ASYMMETRIC_ALGORITHMS`] for a JWKS, [`HMAC_ALGORITHMS`] for a secret).
    pub algorithms: Vec<Algorithm>,
    pub claims: ClaimPaths,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`.
    pub leeway: Duration,
    pub jwks: JwksSettings,
}

impl ProviderSettings {
    /// A provider with the default algorithms, claim paths, leeway (30 s)
    /// and JWKS timing.
    pub fn new(issuer: impl Into<String>, keys: KeySource, audiences: Audiences) -> Self {
        Self {
            issuer: issuer.into(),
            keys,
            audiences,
            algorithms: Vec::new(),
            claims: ClaimPaths::default(),
            leeway: Duration::from_secs(30),
            jwks: JwksSettings::default(),
        }
    }

    /// The algorithms accepted: as set, else every one the keys fit.
    pub(super) fn allowed_algorithms(&self) -> Vec<Algorithm> {
        match (&self.keys, self.algorithms.is_empty()) {
            (_, false) => self.algorithms.clone(),
            (KeySource::Secret(_), true) => HMAC_ALGORITHMS.to_vec(),
            (_, true) => ASYMMETRIC_ALGORITHMS.to_vec(),
        }
    }

    /// The rules every provider follows.
    pub(super) fn check(&self) -> Result<(), JwtSetupError> {
        let refuse = |reason: String| JwtSetupError::Provider {
            issuer: self.issuer.clone(),
            reason,
        };
        if self.issuer.is_empty() {
            return Err(refuse("the issuer is empty".into()));
        }
        let secret = matches!(self.keys, KeySource::Secret(_));
        if let KeySource::Secret(bytes) = &self.keys {
            if bytes.len() < MIN_SECRET_BYTES {
                return Err(refuse(format!(
                    "the secret is shorter than {MIN_SECRET_BYTES} bytes"
                )));
            }
        }
        for algorithm in &self.algorithms {
            if HMAC_ALGORITHMS.contains(algorithm) != secret {
                return Err(refuse(format!(
                    "{algorithm:?} does not fit its keys: HS algorithms go with a secret, and a secret only with them"
                )));
            }
        }
        if let Audiences::OneOf(list) = &self.audiences {
            if list.is_empty() {
                return Err(refuse(
                    "no audience listed (use Audiences::Any to allow any)".into(),
                ));
            }
        }
        if self.leeway > Duration::from_secs(300) {
            return Err(refuse("the leeway is over 5 minutes".into()));
        }
        Ok(())
    }
}

/// Where a provider's keys come from.
#[derive(Clone)]
pub enum KeySource {
    /// A JWKS fetched from this http(s) URL, cached and refreshed.
    JwksUrl(String),
    /// A JWKS given inline.
    Jwks(serde_json::Value),
    /// A shared secret, for HS256/384/512.
    Secret(Vec<u8>),
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::JwksUrl(url) => f.debug_tuple("JwksUrl").field(url).finish(),
            Self::Jwks(_) => f.write_str("Jwks(..)"),
            Self::Secret(_) => f.write_str("Secret(<redacted>)"),
        }
    }
}

/// Which `aud` values a provider's tokens must carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audiences {
    /// `aud` is not checked: only when the operator asks for it.
    Any,
    /// `aud` (a string or an array) must name one of these.
    OneOf(Vec<String>),
}

/// How a JWKS URL is fetched and kept fresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksSettings {
    /// Age after which the keys are fetched again, in the background.
    pub refresh_interval: Duration,
    /// Least time between two fetches (also those for an unknown `kid`).
    pub min_refresh_interval: Duration,
    /// Timeout of one fetch, body included.
    pub fetch_timeout: Duration,
    /// Largest response read.
    pub max_bytes: usize,
}

impl Default for JwksSettings {
    fn default() -> Self {
        Self {
            refresh_interval: Duration::from_secs(600),
            min_refresh_interval: Duration::from_secs(10),
            fetch_timeout: Duration::from_secs(5),
            max_bytes: 1024 * 1024,
        }
    }
}

/// Where in a token's claims each part of the caller is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPaths {
    /// Required: a token without it is refused.
    pub subject: ClaimPath,
    pub org: Option<ClaimPath>,
    pub roles: Option<ClaimPath>,
    pub scopes: Option<ClaimPath>,
    pub tier: Option<ClaimPath>,
    pub token_id: Option<ClaimPath>,
}

impl Default for ClaimPaths {
    /// `sub`, `scope` and `jti`; org, roles and tier not mapped.
    fn default() -> Self {
        Self {
            subject: ClaimPath::new("sub"),
            org: None,
            roles: None,
            scopes: Some(ClaimPath::new("scope")),
            tier: None,
            token_id: Some(ClaimPath::new("jti")),
        }
    }
}

/// Why a verifier could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwtSetupError {
    #[error("JWT provider {issuer:?}: {reason}")]
    Provider { issuer: String, reason: String },
    #[error("JWT provider {0:?} is configured twice")]
    DuplicateIssuer(String),
}

impl TryFrom<&AuthConfig> for JwtSettings {
    type Error = JwtSetupError;

    fn try_from(config: &AuthConfig) -> Result<Self, Self::Error> {
        let providers = config
            .providers
            .iter()
            .map(provider)
            .collect::<Result<_, _>>()?;
        Ok(Self {
            providers,
            cache_entries: config.verified_token_cache,
        })
    }
}

fn provider(config: &JwtProviderConfig) -> Result<ProviderSettings, JwtSetupError> {
    let refuse = |reason: String| JwtSetupError::Provider {
        issuer: config.issuer.clone(),
        reason,
    };
    let keys = match (&config.jwks_url, &config.jwks, &config.secret) {
        (Some(url), None, None) => KeySource::JwksUrl(url.clone()),
        (None, Some(jwks), None) => KeySource::Jwks(inline_jwks(jwks).map_err(refuse)?),
        (None, None, Some(secret)) => KeySource::Secret(secret.expose().as_bytes().to_vec()),
        _ => {
            return Err(refuse(
                "needs exactly one of jwks_url, jwks and secret".into(),
            ))
        }
    };
    let algorithms = config
        .algorithms
        .iter()
        .map(|name| {
            Algorithm::from_str(name).map_err(|_| refuse(format!("unknown algorithm {name:?}")))
        })
        .collect::<Result<_, _>>()?;
    let audiences = match config.allow_any_audience {
        true => Audiences::Any,
        false => Audiences::OneOf(config.audiences.clone()),
    };
    Ok(ProviderSettings {
        issuer: config.issuer.clone(),
        keys,
        audiences,
        algorithms,
        claims: claim_paths(&config.claims),
        leeway: config.leeway,
        jwks: JwksSettings {
            refresh_interval: config.jwks_refresh_interval,
            min_refresh_interval: config.jwks_min_refresh_interval,
            fetch_timeout: config.jwks_fetch_timeout,
            max_bytes: config.jwks_max_bytes,
        },
    })
}

/// The inline JWKS: a mapping, or a string holding its JSON.
fn inline_jwks(jwks: &serde_json::Value) -> Result<serde_json::Value, String> {
    match jwks {
        serde_json::Value::String(text) => serde_json::from_str(text)
            .map_err(|error| format!("the inline jwks is not JSON: {error}")),
        value => Ok(value.clone()),
    }
}

fn claim_paths(config: &ClaimsConfig) -> ClaimPaths {
    let path = |p: &Option<String>| p.as_deref().map(ClaimPath::new);
    ClaimPaths {
        subject: ClaimPath::new(&config.subject),
        org: path(&config.org),
        roles: path(&config.roles),
        scopes: path(&config.scopes),
        tier: path(&config.tier),
        token_id: path(&config.token_id),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::config::Config;

    #[test]
    fn the_auth_section_becomes_provider_settings() {
        let yaml = r#"
auth:
  verified_token_cache: 5
  providers:
    - issuer: https://kc.example/realms/main
      jwks_url: https://kc.example/certs
      audiences: [api]
      algorithms: [RS256, ES256]
      claims:
        roles: realm_access.roles
    - issuer: first-party
      secret: 0123456789abcdef0123456789abcdef
      allow_any_audience: true
    - issuer: inline
      jwks: '{"keys": []}'
      audiences: [a]
"#;
        let config = Config::from_yaml(yaml).unwrap();
        config.validate().unwrap();
        let settings = JwtSettings::try_from(&config.auth).unwrap();
        assert_eq!(settings.cache_entries, 5);
        let [keycloak, shared, inline] = &settings.providers[..] else {
            panic!("three providers");
        };
        assert!(matches!(&keycloak.keys, KeySource::JwksUrl(u) if u == "https://kc.example/certs"));
        assert_eq!(keycloak.audiences, Audiences::OneOf(vec!["api".into()]));
        assert_eq!(
            keycloak.allowed_algorithms(),
            vec![Algorithm::RS256, Algorithm::ES256]
        );
        assert_eq!(
            keycloak.claims.roles,
            Some(ClaimPath::new("realm_access.roles"))
        );
        assert_eq!(shared.audiences, Audiences::Any);
        assert_eq!(shared.allowed_algorithms(), HMAC_ALGORITHMS.to_vec());
        assert!(!format!("{shared:?}").contains("0123456789abcdef"));
        assert!(matches!(&inline.keys, KeySource::Jwks(v) if v["keys"].is_array()));
        assert_eq!(inline.allowed_algorithms(), ASYMMETRIC_ALGORITHMS.to_vec());
    }

    #[test]
    fn settings_built_by_hand_follow_the_same_rules() {
        let jwks = KeySource::JwksUrl("http://idp/jwks".into());
        let mut hs_on_jwks = ProviderSettings::new("i", jwks.clone(), Audiences::Any);
        hs_on_jwks.algorithms = vec![Algorithm::HS256];
        assert!(hs_on_jwks.check().is_err());
        let no_audience = ProviderSettings::new("i", jwks, Audiences::OneOf(vec![]));
        assert!(no_audience.check().is_err());
        let short =
            ProviderSettings::new("i", KeySource::Secret(b"short".to_vec()), Audiences::Any);
        assert!(short.check().is_err());
    }
}
