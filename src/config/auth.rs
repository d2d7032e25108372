//! The `auth` section: whether a request must present a credential, where
//! its token is read from, the external identity providers whose JWTs
//! the gateway accepts (issuer, keys, audiences, algorithms, claim mapping),
//! and how Junction issues its own tokens (`issuer`: name, lifetimes,
//! algorithm, signing key).
//!
//! Only the shape and the rules a value must follow live here; `identity`
//! turns the section into its own settings.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::issuer::IssuerConfig;
use super::{invalid, ConfigError};

/// JWS algorithms a provider may allow (RFC 7518 names). `none` is not one
/// of them, and never will be.
pub const JWT_ALGORITHMS: [&str; 12] = [
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA", "HS256",
    "HS384", "HS512",
];

/// The shared-secret (HMAC) algorithms: only for a provider with a `secret`.
pub const HMAC_ALGORITHMS: [&str; 3] = ["HS256", "HS384", "HS512"];

/// Shortest shared secret accepted, in bytes (RFC 7518 §3.2: at least the
/// hash size of HS256).
pub const MIN_SECRET_BYTES: usize = 32;

/// Authentication of requests.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Refuse requests that present no credential (HTTP 401,
    /// `UNAUTHENTICATED`). A credential that is presented and fails is
    /// refused either way. Default `false`.
    pub required: bool,
    /// Where a request's token is read from.
    pub token: TokenConfig,
    /// Verified tokens kept in memory (by digest, each until its `exp`), so
    /// a repeated token costs no signature check. `0` turns the cache off.
    /// Default `10000`.
    pub verified_token_cache: u64,
    /// External identity providers whose JWTs are accepted. Default none.
    pub providers: Vec<JwtProviderConfig>,
    /// The headers telling subgraphs who the caller is.
    pub forward: ForwardConfig,
    /// Junction's own tokens (the password grant's access tokens).
    pub issuer: IssuerConfig,
}

/// The headers Junction sets on subgraph requests to tell them the caller;
/// null leaves one out. A client's own copies are never forwarded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForwardConfig {
    /// The caller's subject (user id, or API key id). Default `x-junction-subject`.
    pub subject: Option<String>,
    /// The caller's organisation. Default `x-junction-org`.
    pub org: Option<String>,
    /// The caller's roles, comma-separated. Default `x-junction-roles`.
    pub roles: Option<String>,
    /// `user`, `api_key` or `anonymous`. Default `x-junction-caller-kind`.
    pub kind: Option<String>,
}

impl Default for ForwardConfig {
    fn default() -> Self {
        Self {
            subject: Some("x-junction-subject".to_string()),
            org: Some("x-junction-org".to_string()),
            roles: Some("x-junction-roles".to_string()),
            kind: Some("x-junction-caller-kind".to_string()),
        }
    }
}

impl ForwardConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        let names = [
            ("auth.forward.subject", &self.subject),
            ("auth.forward.org", &self.org),
            ("auth.forward.roles", &self.roles),
            ("auth.forward.kind", &self.kind),
        ];
        for (key, name) in names {
            let Some(name) = name else { continue };
            if http::HeaderName::try_from(name.as_str()).is_err() {
                return Err(invalid(key, "is not a header name"));
            }
        }
        Ok(())
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            required: false,
            token: TokenConfig::default(),
            verified_token_cache: 10_000,
            providers: Vec::new(),
            forward: ForwardConfig::default(),
            issuer: IssuerConfig::default(),
        }
    }
}

/// Where a request's token is read from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TokenConfig {
    /// The header holding the token. Default `authorization`.
    pub header: String,
    /// The scheme before the token in that header (compared without regard
    /// to case); null for a header holding the bare token. Default `Bearer`.
    pub scheme: Option<String>,
    /// When set, the token is read from this cookie instead of the header.
    /// Default null.
    pub cookie: Option<String>,
}

impl Default for TokenConfig {
    fn default() -> Self {
        Self {
            header: "authorization".to_string(),
            scheme: Some("Bearer".to_string()),
            cookie: None,
        }
    }
}

/// One external identity provider (Auth0, Keycloak, Okta, Clerk, any OIDC
/// issuer). Exactly one of `jwks_url`, `jwks` and `secret` gives its keys.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct JwtProviderConfig {
    /// The tokens' `iss`, exactly. Required; one provider per issuer.
    pub issuer: String,
    /// Where the provider publishes its public keys (JWKS), http or https.
    pub jwks_url: Option<String>,
    /// The JWKS itself: a mapping with `keys`, or a string holding its JSON.
    pub jwks: Option<serde_json::Value>,
    /// A shared secret (32 bytes or more), for HS256/384/512 tokens.
    pub secret: Option<Secret>,
    /// Accepted `aud` values: a token must name one of them. Required
    /// unless `allow_any_audience`.
    pub audiences: Vec<String>,
    /// Accept a token whatever its `aud` says (or when it has none).
    /// Default `false`: a provider must list its audiences, since a token
    /// the same provider issued for another application would pass too.
    pub allow_any_audience: bool,
    /// Accepted JWS algorithms. Default (empty): every asymmetric one
    /// (RS*, PS*, ES256, ES384, EdDSA) for keys from a JWKS, the HS ones for
    /// a `secret`. HS* only with a `secret`; `none` never.
    pub algorithms: Vec<String>,
    /// Clock skew tolerated on `exp`, `nbf` and `iat`. Default `30s`, at most `5m`.
    #[serde(with = "humantime_serde")]
    pub leeway: Duration,
    /// Time after which the JWKS is fetched again (in the background;
    /// requests keep using the cached keys). Default `10m`.
    #[serde(with = "humantime_serde")]
    pub jwks_refresh_interval: Duration,
    /// Least time between two fetches of the JWKS, also those caused by a
    /// token whose `kid` is unknown. Default `10s`.
    #[serde(with = "humantime_serde")]
    pub jwks_min_refresh_interval: Duration,
    /// Timeout of one JWKS fetch. Default `5s`.
    #[serde(with = "humantime_serde")]
    pub jwks_fetch_timeout: Duration,
    /// Largest JWKS response read, in bytes. Default `1048576` (1 MiB).
    pub jwks_max_bytes: usize,
    /// Which claims make the caller.
    pub claims: ClaimsConfig,
}

impl Default for JwtProviderConfig {
    fn default() -> Self {
        Self {
            issuer: String::new(),
            jwks_url: None,
            jwks: None,
            secret: None,
            audiences: Vec::new(),
            allow_any_audience: false,
            algorithms: Vec::new(),
            leeway: Duration::from_secs(30),
            jwks_refresh_interval: Duration::from_secs(600),
            jwks_min_refresh_interval: Duration::from_secs(10),
            jwks_fetch_timeout: Duration::from_secs(5),
            jwks_max_bytes: 1024 * 1024,
            claims: ClaimsConfig::default(),
        }
    }
}

/// Claim paths: a claim name, or names joined by dots into nested objects
/// (`realm_access.roles`). A claim whose own name holds dots (Auth0's
/// `https://example.com/roles`) is found too: the longest name present wins.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClaimsConfig {
    /// The caller's id; a token without it is refused. Default `sub`.
    pub subject: String,
    /// The caller's organisation. Default null (not mapped).
    pub org: Option<String>,
    /// The caller's roles: an array, or a string of space-separated
    /// roles. Default null (not mapped: a token grants no role unless the
    /// operator says where roles are).
    pub roles: Option<String>,
    /// The caller's scopes: a space-separated string (OAuth `scope`) or an
    /// array. Default `scope`.
    pub scopes: Option<String>,
    /// The caller's rate-limit tier. Default null (not mapped).
    pub tier: Option<String>,
    /// The token's id. Default `jti`.
    pub token_id: Option<String>,
}

impl Default for ClaimsConfig {
    fn default() -> Self {
        Self {
            subject: "sub".to_string(),
            org: None,
            roles: None,
            scopes: Some("scope".to_string()),
            tier: None,
            token_id: Some("jti".to_string()),
        }
    }
}

/// A secret read from the configuration; never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl AuthConfig {
    /// Checks the section; the error names the first offending key.
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        self.token.validate()?;
        self.forward.validate()?;
        for (index, provider) in self.providers.iter().enumerate() {
            let key = format!("auth.providers[{index}]");
            provider.validate(&key)?;
            let earlier = &self.providers[..index];
            if earlier.iter().any(|p| p.issuer == provider.issuer) {
                return Err(invalid(
                    &format!("{key}.issuer"),
                    "repeats an earlier issuer",
                ));
            }
        }
        let providers: Vec<String> = self.providers.iter().map(|p| p.issuer.clone()).collect();
        self.issuer.validate(&providers)
    }
}

impl TokenConfig {
    fn validate(&self) -> Result<(), ConfigError> {
        if http::HeaderName::try_from(self.header.as_str()).is_err() {
            return Err(invalid("auth.token.header", "is not a header name"));
        }
        if let Some(scheme) = &self.scheme {
            if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_graphic()) {
                return Err(invalid(
                    "auth.token.scheme",
                    "must be one word, like Bearer",
                ));
            }
        }
        if let Some(cookie) = &self.cookie {
            let token_char = |c: char| c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?={}".contains(c);
            if cookie.is_empty() || !cookie.chars().all(token_char) {
                return Err(invalid("auth.token.cookie", "is not a cookie name"));
            }
        }
        Ok(())
    }
}

impl JwtProviderConfig {
    fn validate(&self, key: &str) -> Result<(), ConfigError> {
        let at = |field: &str| format!("{key}.{field}");
        if self.issuer.trim().is_empty() {
            return Err(invalid(&at("issuer"), "is required"));
        }
        self.validate_keys(key)?;
        self.validate_algorithms(key)?;
        if self.audiences.is_empty() && !self.allow_any_audience {
            let reason = "must list at least one audience (or set allow_any_audience: true)";
            return Err(invalid(&at("audiences"), reason));
        }
        if self.audiences.iter().any(|a| a.is_empty()) {
            return Err(invalid(&at("audiences"), "has an empty audience"));
        }
        if self.leeway > Duration::from_secs(300) {
            return Err(invalid(&at("leeway"), "must be at most 5m"));
        }
        self.validate_jwks_timing(key)?;
        self.claims.validate(&at("claims"))
    }

    fn validate_keys(&self, key: &str) -> Result<(), ConfigError> {
        let given = [
            self.jwks_url.is_some(),
            self.jwks.is_some(),
            self.secret.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            let reason = "needs exactly one of jwks_url, jwks and secret";
            return Err(invalid(key, reason));
        }
        if let Some(url) = &self.jwks_url {
            match url::Url::parse(url) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
                _ => {
                    return Err(invalid(
                        &format!("{key}.jwks_url"),
                        "must be an http(s) URL",
                    ))
                }
            }
        }
        if let Some(jwks) = &self.jwks {
            if !has_keys_array(jwks) {
                let reason = "must be a JWKS: an object with a `keys` array (or its JSON text)";
                return Err(invalid(&format!("{key}.jwks"), reason));
            }
        }
        if let Some(secret) = &self.secret {
            if secret.expose().len() < MIN_SECRET_BYTES {
                let reason = format!("must be at least {MIN_SECRET_BYTES} bytes");
                return Err(invalid(&format!("{key}.secret"), &reason));
            }
        }
        Ok(())
    }

    fn validate_algorithms(&self, key: &str) -> Result<(), ConfigError> {
        let key = format!("{key}.algorithms");
        for name in &self.algorithms {
            if name.eq_ignore_ascii_case("none") {
                return Err(invalid(
                    &key,
                    "has none: unsigned tokens are never accepted",
                ));
            }
            if !JWT_ALGORITHMS.contains(&name.as_str()) {
                let reason = format!("has {name:?}, not one of {}", JWT_ALGORITHMS.join(", "));
                return Err(invalid(&key, &reason));
            }
            let hmac = HMAC_ALGORITHMS.contains(&name.as_str());
            if hmac != self.secret.is_some() {
                let reason = if hmac {
                    format!("has {name}: HS algorithms need a secret (and only a secret)")
                } else {
                    format!("has {name}: a secret is only for HS algorithms")
                };
                return Err(invalid(&key, &reason));
            }
        }
        Ok(())
    }

    fn validate_jwks_timing(&self, key: &str) -> Result<(), ConfigError> {
        let at = |field: &str| format!("{key}.{field}");
        if self.jwks_min_refresh_interval < Duration::from_secs(1) {
            return Err(invalid(
                &at("jwks_min_refresh_interval"),
                "must be at least 1s",
            ));
        }
        if self.jwks_refresh_interval < self.jwks_min_refresh_interval {
            let reason = "must be at least jwks_min_refresh_interval";
            return Err(invalid(&at("jwks_refresh_interval"), reason));
        }
        if self.jwks_fetch_timeout.is_zero() {
            return Err(invalid(&at("jwks_fetch_timeout"), "must be greater than 0"));
        }
        if self.jwks_max_bytes == 0 {
            return Err(invalid(&at("jwks_max_bytes"), "must be greater than 0"));
        }
        Ok(())
    }
}

impl ClaimsConfig {
    fn validate(&self, key: &str) -> Result<(), ConfigError> {
        let paths = [
            ("subject", Some(&self.subject)),
            ("org", self.org.as_ref()),
            ("roles", self.roles.as_ref()),
            ("scopes", self.scopes.as_ref()),
            ("tier", self.tier.as_ref()),
            ("token_id", self.token_id.as_ref()),
        ];
        for (field, path) in paths {
            if path.is_some_and(|p| p.split('.').any(str::is_empty)) {
                let reason = "must be a claim name or names joined by dots, none empty";
                return Err(invalid(&format!("{key}.{field}"), reason));
            }
        }
        Ok(())
    }
}

/// Whether `jwks` is (or holds the JSON text of) an object with a `keys` array.
fn has_keys_array(jwks: &serde_json::Value) -> bool {
    let parsed;
    let value = match jwks {
        serde_json::Value::String(text) => match serde_json::from_str(text) {
            Ok(value) => {
                parsed = value;
                &parsed
            }
            Err(_) => return false,
        },
        value => value,
    };
    value.get("keys").is_some_and(serde_json::Value::is_array)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use crate::config::Config;

    fn error_of(yaml: &str) -> String {
        let config = Config::from_yaml(yaml).unwrap();
        config.validate().unwrap_err().to_string()
    }

    const PROVIDER: &str = "auth:\n  providers:\n    - issuer: https://idp.example/\n";

    #[test]
    fn a_provider_with_jwks_url_and_audience_is_valid() {
        let yaml = format!(
            "{PROVIDER}      jwks_url: https://idp.example/jwks.json\n      audiences: [api]\n      claims:\n        roles: realm_access.roles\n"
        );
        let config = Config::from_yaml(&yaml).unwrap();
        config.validate().unwrap();
        let provider = &config.auth.providers[0];
        assert_eq!(provider.leeway, std::time::Duration::from_secs(30));
        assert_eq!(provider.claims.subject, "sub");
        assert_eq!(provider.claims.roles.as_deref(), Some("realm_access.roles"));
    }

    #[test]
    fn provider_values_that_cannot_work_are_refused_by_key() {
        let secret = "0123456789abcdef0123456789abcdef";
        let cases = [
            ("      audiences: [api]\n", "auth.providers[0]", "exactly one"),
            (
                "      jwks_url: https://a/j\n      secret: x\n      audiences: [a]\n",
                "auth.providers[0]",
                "exactly one",
            ),
            (
                "      jwks_url: ftp://a/j\n      audiences: [a]\n",
                "auth.providers[0].jwks_url",
                "http",
            ),
            (
                "      jwks_url: https://a/j\n",
                "auth.providers[0].audiences",
                "allow_any_audience",
            ),
            (
                "      jwks_url: https://a/j\n      audiences: [a]\n      algorithms: [none]\n",
                "auth.providers[0].algorithms",
                "never",
            ),
            (
                "      jwks_url: https://a/j\n      audiences: [a]\n      algorithms: [HS256]\n",
                "auth.providers[0].algorithms",
                "secret",
            ),
            (
                &format!("      secret: {secret}\n      audiences: [a]\n      algorithms: [RS256]\n"),
                "auth.providers[0].algorithms",
                "only for HS",
            ),
            (
                "      jwks_url: https://a/j\n      audiences: [a]\n      algorithms: [ES512]\n",
                "auth.providers[0].algorithms",
                "not one of",
            ),
            (
                "      secret: short\n      audiences: [a]\n",
                "auth.providers[0].secret",
                "32 bytes",
            ),
            (
                "      jwks: {}\n      audiences: [a]\n",
                "auth.providers[0].jwks",
                "keys",
            ),
            (
                "      jwks_url: https://a/j\n      audiences: [a]\n      leeway: 10m\n",
                "auth.providers[0].leeway",
                "5m",
            ),
            (
                "      jwks_url: https://a/j\n      audiences: [a]\n      jwks_refresh_interval: 5s\n",
                "auth.providers[0].jwks_refresh_interval",
                "min",
            ),
            (
                "      jwks_url: https://a/j\n      audiences: [a]\n      claims:\n        roles: a..b\n",
                "auth.providers[0].claims.roles",
                "dots",
            ),
        ];
        for (rest, key, words) in cases {
            let error = error_of(&format!("{PROVIDER}{rest}"));
            assert!(error.contains(&format!("`{key}`")), "{rest}: {error}");
            assert!(error.contains(words), "{rest}: {error}");
        }
    }

    #[test]
    fn issuers_are_unique_and_any_audience_must_be_asked_for() {
        let twice = "auth:\n  providers:\n    - issuer: i\n      jwks_url: http://a/j\n      allow_any_audience: true\n    - issuer: i\n      jwks_url: http://b/j\n      audiences: [x]\n";
        assert!(error_of(twice).contains("`auth.providers[1].issuer`"));
        let any = "auth:\n  providers:\n    - issuer: i\n      jwks: '{\"keys\": []}'\n      allow_any_audience: true\n";
        Config::from_yaml(any).unwrap().validate().unwrap();
    }

    #[test]
    fn token_source_values_are_checked() {
        let cases = [
            (
                "auth:\n  token:\n    header: \"bad header\"\n",
                "auth.token.header",
            ),
            ("auth:\n  token:\n    scheme: \"\"\n", "auth.token.scheme"),
            (
                "auth:\n  token:\n    cookie: \"a=b\"\n",
                "auth.token.cookie",
            ),
        ];
        for (yaml, key) in cases {
            assert!(error_of(yaml).contains(&format!("`{key}`")), "{yaml}");
        }
    }

    #[test]
    fn a_secret_is_never_shown() {
        let yaml = format!(
            "{PROVIDER}      secret: the-very-secret-value-0123456789abcdef\n      audiences: [a]\n"
        );
        let config = Config::from_yaml(&yaml).unwrap();
        config.validate().unwrap();
        assert!(!format!("{config:?}").contains("the-very-secret"));
    }
}
