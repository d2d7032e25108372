//! The `auth.issuer` section: how Junction issues its own tokens — the
//! name they carry (`iss` and `aud`), how long access and refresh tokens
//! live, the signing algorithm of the keys Junction makes, and an optional
//! private key file to sign with instead of keys kept in the store.
//!
//! Only the shape and the bounds live here; `identity` reads the key file
//! and turns the section into its own settings.

use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{invalid, ConfigError};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// The lifetimes an access token may be given: 1m to 24h.
pub const ACCESS_TOKEN_TTL_BOUNDS: RangeInclusive<Duration> = MINUTE..=DAY;
/// The lifetimes a refresh token may be given: 1h to 90d.
pub const REFRESH_TOKEN_TTL_BOUNDS: RangeInclusive<Duration> =
    HOUR..=Duration::from_secs(90 * 24 * 60 * 60);

/// The signing algorithm of Junction's tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum IssuerAlgorithm {
    /// Ed25519 signatures (RFC 8037): small keys and tokens, fast.
    #[default]
    #[serde(rename = "EdDSA")]
    EdDsa,
    /// RSASSA-PKCS1-v1_5 with SHA-256, for clients that cannot verify EdDSA.
    #[serde(rename = "RS256")]
    Rs256,
}

/// How Junction issues its own tokens.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct IssuerConfig {
    /// The `iss` and `aud` of Junction's tokens. Default `junction`.
    pub name: String,
    /// How long an access token lives, 1m to 24h. Default `15m`.
    #[serde(with = "humantime_serde")]
    pub access_token_ttl: Duration,
    /// How long a refresh token lives, 1h to 90d, and longer than an
    /// access token. Default `7d`.
    #[serde(with = "humantime_serde")]
    pub refresh_token_ttl: Duration,
    /// `EdDSA` (default) or `RS256`: the algorithm of the signing keys
    /// Junction makes (and of `signing_key_file`'s key).
    pub algorithm: IssuerAlgorithm,
    /// A PEM private key to sign with (PKCS#8 Ed25519 for EdDSA; PKCS#8 or
    /// PKCS#1 RSA of 2048 bits or more for RS256) instead of the keys kept
    /// in the store; rotating it is the operator's job then. A relative path
    /// is relative to the config file's directory. Default null.
    pub signing_key_file: Option<PathBuf>,
}

impl Default for IssuerConfig {
    fn default() -> Self {
        Self {
            name: "junction".to_string(),
            access_token_ttl: 15 * MINUTE,
            refresh_token_ttl: 7 * DAY,
            algorithm: IssuerAlgorithm::EdDsa,
            signing_key_file: None,
        }
    }
}

impl IssuerConfig {
    /// Checks the section; `providers` are the external issuers, none of
    /// which may take Junction's name (a token of that name would always
    /// be taken for Junction's own).
    pub(super) fn validate(&self, providers: &[String]) -> Result<(), ConfigError> {
        let name = self.name.trim();
        if name.is_empty() || name != self.name {
            let reason = "must be a non-empty name without surrounding spaces";
            return Err(invalid("auth.issuer.name", reason));
        }
        if let Some(index) = providers.iter().position(|p| *p == self.name) {
            let reason = format!("is also auth.providers[{index}].issuer: pick another name");
            return Err(invalid("auth.issuer.name", &reason));
        }
        within(
            "auth.issuer.access_token_ttl",
            self.access_token_ttl,
            &ACCESS_TOKEN_TTL_BOUNDS,
            "1m",
            "24h",
        )?;
        within(
            "auth.issuer.refresh_token_ttl",
            self.refresh_token_ttl,
            &REFRESH_TOKEN_TTL_BOUNDS,
            "1h",
            "90d",
        )?;
        if self.refresh_token_ttl <= self.access_token_ttl {
            let reason = "must be longer than auth.issuer.access_token_ttl";
            return Err(invalid("auth.issuer.refresh_token_ttl", reason));
        }
        if self
            .signing_key_file
            .as_ref()
            .is_some_and(|path| path.as_os_str().is_empty())
        {
            let reason = "must be a path (or null for keys kept in the store)";
            return Err(invalid("auth.issuer.signing_key_file", reason));
        }
        Ok(())
    }
}

fn within(
    key: &str,
    value: Duration,
    bounds: &RangeInclusive<Duration>,
    low: &str,
    high: &str,
) -> Result<(), ConfigError> {
    if bounds.contains(&value) {
        return Ok(());
    }
    Err(invalid(key, &format!("must be from {low} to {high}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use super::IssuerAlgorithm;
    use crate::config::Config;

    fn error_of(yaml: &str) -> String {
        let config = Config::from_yaml(yaml).unwrap();
        config.validate().unwrap_err().to_string()
    }

    #[test]
    fn the_defaults_are_junction_15_minutes_7_days_eddsa_and_keys_in_the_store() {
        let config = Config::from_yaml("auth:\n  issuer: {}\n").unwrap();
        config.validate().unwrap();
        let issuer = &config.auth.issuer;
        assert_eq!(issuer.name, "junction");
        assert_eq!(issuer.access_token_ttl, Duration::from_secs(900));
        assert_eq!(issuer.refresh_token_ttl, Duration::from_secs(7 * 86_400));
        assert_eq!(issuer.algorithm, IssuerAlgorithm::EdDsa);
        assert_eq!(issuer.signing_key_file, None);
    }

    #[test]
    fn every_setting_is_read() {
        let yaml = "auth:\n  issuer:\n    name: https://junction.example.com\n    access_token_ttl: 5m\n    refresh_token_ttl: 30d\n    algorithm: RS256\n    signing_key_file: keys/signing.pem\n";
        let config = Config::from_yaml(yaml).unwrap();
        config.validate().unwrap();
        let issuer = &config.auth.issuer;
        assert_eq!(issuer.name, "https://junction.example.com");
        assert_eq!(issuer.access_token_ttl, Duration::from_secs(300));
        assert_eq!(issuer.refresh_token_ttl, Duration::from_secs(30 * 86_400));
        assert_eq!(issuer.algorithm, IssuerAlgorithm::Rs256);
        assert_eq!(
            issuer.signing_key_file.as_deref(),
            Some(std::path::Path::new("keys/signing.pem"))
        );
    }

    #[test]
    fn values_that_cannot_work_are_refused_by_key() {
        let provider = "  providers:\n    - issuer: junction\n      jwks_url: https://a/j\n      audiences: [a]\n";
        let cases = [
            (
                "  issuer:\n    name: \"\"\n",
                "auth.issuer.name",
                "non-empty",
            ),
            (
                "  issuer:\n    name: \" j \"\n",
                "auth.issuer.name",
                "spaces",
            ),
            (provider, "auth.issuer.name", "auth.providers[0].issuer"),
            (
                "  issuer:\n    access_token_ttl: 30s\n",
                "auth.issuer.access_token_ttl",
                "from 1m to 24h",
            ),
            (
                "  issuer:\n    access_token_ttl: 25h\n",
                "auth.issuer.access_token_ttl",
                "from 1m to 24h",
            ),
            (
                "  issuer:\n    refresh_token_ttl: 30m\n",
                "auth.issuer.refresh_token_ttl",
                "from 1h to 90d",
            ),
            (
                "  issuer:\n    refresh_token_ttl: 91d\n",
                "auth.issuer.refresh_token_ttl",
                "from 1h to 90d",
            ),
            (
                "  issuer:\n    access_token_ttl: 2h\n    refresh_token_ttl: 1h\n",
                "auth.issuer.refresh_token_ttl",
                "longer than",
            ),
            (
                "  issuer:\n    signing_key_file: \"\"\n",
                "auth.issuer.signing_key_file",
                "a path",
            ),
        ];
        for (section, key, words) in cases {
            let error = error_of(&format!("auth:\n{section}"));
            assert!(error.contains(&format!("`{key}`")), "{section}: {error}");
            assert!(error.contains(words), "{section}: {error}");
        }
    }

    #[test]
    fn an_unknown_algorithm_or_key_is_refused_with_its_name() {
        let error = Config::from_yaml("auth:\n  issuer:\n    algorithm: HS256\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("HS256") && error.contains("EdDSA"),
            "{error}"
        );
        let error = Config::from_yaml("auth:\n  issuer:\n    ttl: 5m\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("ttl"), "{error}");
    }
}
