//! The `auth` config section turned into identity's own settings: where a
//! request's token is read from, whether a credential is required, and the
//! JWT providers. (The config module knows nothing of identity; this is
//! the one place that reads its `auth` section.)

use crate::config::{AuthConfig, TokenConfig};

use super::jwt::{JwtSettings, JwtSetupError};
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
}
