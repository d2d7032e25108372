//! The `auth` config section turned into identity's own settings: where a
//! request's token is read from, whether a credential is required, the
//! JWT providers, and how Junction issues its own tokens (whose signing
//! key file, when one is configured, is read here, once). (The config
//! module knows nothing of identity; this is the one place that reads its
//! `auth` section.)

use std::sync::Arc;
use std::time::Duration;

use crate::config::{AuthConfig, IssuerAlgorithm, IssuerConfig, TokenConfig};

use super::jwt::{JwtSettings, JwtSetupError};
use super::signing_keys::{KeyAlgorithm, SigningKey};
use super::TokenSource;

/// Everything the `identify` stage is built from.
#[derive(Debug, Clone)]
pub struct AuthSettings {
    /// A request presenting no credential is refused.
    pub required: bool,
    pub token_source: TokenSource,
    pub jwt: JwtSettings,
}

/// Why the `auth` section cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthSetupError {
    #[error(transparent)]
    Jwt(#[from] JwtSetupError),
    #[error("auth.token.header {0:?} is not a header name")]
    Header(String),
    #[error("auth.issuer.signing_key_file {path} {reason}")]
    SigningKeyFile { path: String, reason: String },
}

/// How Junction issues its own tokens.
#[derive(Debug, Clone)]
pub struct IssuerSettings {
    /// The tokens' `iss` and `aud`.
    pub name: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// The algorithm of the keys Junction makes.
    pub algorithm: KeyAlgorithm,
    /// The key of `signing_key_file`, which then signs instead of the
    /// keys in the store.
    pub signing_key: Option<Arc<SigningKey>>,
}

impl Default for IssuerSettings {
    /// The defaults of the `auth.issuer` section.
    fn default() -> Self {
        Self::without_key_file(&IssuerConfig::default())
    }
}

impl IssuerSettings {
    fn without_key_file(config: &IssuerConfig) -> Self {
        Self {
            name: config.name.clone(),
            access_ttl: config.access_token_ttl,
            refresh_ttl: config.refresh_token_ttl,
            algorithm: match config.algorithm {
                IssuerAlgorithm::EdDsa => KeyAlgorithm::EdDsa,
                IssuerAlgorithm::Rs256 => KeyAlgorithm::Rs256,
            },
            signing_key: None,
        }
    }
}

impl TryFrom<&IssuerConfig> for IssuerSettings {
    type Error = AuthSetupError;

    /// Reads and checks `signing_key_file` when one is configured.
    fn try_from(config: &IssuerConfig) -> Result<Self, Self::Error> {
        let mut settings = Self::without_key_file(config);
        if let Some(path) = &config.signing_key_file {
            let failed = |reason: String| AuthSetupError::SigningKeyFile {
                path: path.display().to_string(),
                reason,
            };
            let pem = std::fs::read_to_string(path)
                .map_err(|e| failed(format!("cannot be read: {e}")))?;
            let key = SigningKey::from_pem(&pem, settings.algorithm)
                .map_err(|e| failed(e.to_string()))?;
            settings.signing_key = Some(Arc::new(key));
        }
        Ok(settings)
    }
}

impl TryFrom<&AuthConfig> for AuthSettings {
    type Error = AuthSetupError;

    fn try_from(config: &AuthConfig) -> Result<Self, Self::Error> {
        Ok(Self {
            required: config.required,
            token_source: TokenSource::try_from(&config.token)?,
            jwt: JwtSettings::try_from(config)?,
        })
    }
}

impl TryFrom<&TokenConfig> for TokenSource {
    type Error = AuthSetupError;

    /// The cookie when one is named, else the header (with its scheme).
    fn try_from(config: &TokenConfig) -> Result<Self, Self::Error> {
        if let Some(cookie) = &config.cookie {
            return Ok(Self::Cookie(cookie.clone()));
        }
        let name = http::HeaderName::try_from(config.header.as_str())
            .map_err(|_| AuthSetupError::Header(config.header.clone()))?;
        Ok(Self::Header {
            name,
            scheme: config.scheme.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::config::Config;

    #[test]
    fn the_default_section_reads_bearer_tokens_and_requires_nothing() {
        let settings = AuthSettings::try_from(&AuthConfig::default()).unwrap();
        assert!(!settings.required);
        assert_eq!(settings.token_source, TokenSource::default());
        assert!(settings.jwt.providers.is_empty());
    }

    #[test]
    fn a_cookie_replaces_the_header() {
        let yaml = "auth:\n  required: true\n  token:\n    header: x-token\n    scheme: null\n";
        let config = Config::from_yaml(yaml).unwrap();
        let settings = AuthSettings::try_from(&config.auth).unwrap();
        assert!(settings.required);
        let expected = TokenSource::Header {
            name: http::HeaderName::from_static("x-token"),
            scheme: None,
        };
        assert_eq!(settings.token_source, expected);
        let cookie = TokenConfig {
            cookie: Some("session".into()),
            ..TokenConfig::default()
        };
        let source = TokenSource::try_from(&cookie).unwrap();
        assert_eq!(source, TokenSource::Cookie("session".into()));
    }

    #[test]
    fn the_issuer_defaults_are_the_config_defaults() {
        let settings = IssuerSettings::default();
        assert_eq!(settings.name, "junction");
        assert_eq!(settings.access_ttl, Duration::from_secs(900));
        assert_eq!(settings.refresh_ttl, Duration::from_secs(7 * 86_400));
        assert_eq!(settings.algorithm, KeyAlgorithm::EdDsa);
        assert!(settings.signing_key.is_none());
    }

    #[test]
    fn a_signing_key_file_is_read_and_its_problems_name_the_file() {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("signing.pem");
        let pem = ed25519_dalek::SigningKey::from_bytes(&[9; 32])
            .to_pkcs8_pem(rsa::pkcs8::LineEnding::LF)
            .unwrap();
        std::fs::write(&path, pem.as_bytes()).unwrap();
        let config = IssuerConfig {
            signing_key_file: Some(path.clone()),
            ..IssuerConfig::default()
        };
        let settings = IssuerSettings::try_from(&config).unwrap();
        let key = settings.signing_key.unwrap();
        assert_eq!(key.algorithm(), KeyAlgorithm::EdDsa);

        let rs256 = IssuerConfig {
            algorithm: IssuerAlgorithm::Rs256,
            ..config.clone()
        };
        let error = IssuerSettings::try_from(&rs256).unwrap_err().to_string();
        assert!(
            error.starts_with("auth.issuer.signing_key_file "),
            "{error}"
        );
        assert!(
            error.contains("signing.pem") && error.contains("RSA"),
            "{error}"
        );
        assert!(!error.contains("PRIVATE KEY-----"), "{error}");

        let missing = IssuerConfig {
            signing_key_file: Some(dir.path().join("missing.pem")),
            ..config
        };
        let error = IssuerSettings::try_from(&missing).unwrap_err().to_string();
        assert!(error.contains("missing.pem cannot be read"), "{error}");
    }
}
