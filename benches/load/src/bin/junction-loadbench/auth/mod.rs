//! The `--auth` option: run the gateway without authentication (`none`), or with
//! authentication required and a bearer JWT on every request (`jwt`).
//!
//! For `jwt` the harness is its own identity provider: it generates an RSA 2048 key
//! pair (`signing_key`), serves its JWKS over HTTP on a free port of 127.0.0.1
//! (`jwks_server`), writes a gateway configuration with `auth.required: true` and that
//! one provider (RS256 only, keys from the JWKS URL) into a temporary directory of its
//! own, and signs one RS256 token that every request then carries. Before the load,
//! [`check_refusals`] shows that authentication is really on: a request without the
//! token, and one whose token's signature was altered, are both refused with 401.

mod jwks_server;
mod signing_key;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use hyper::header::HeaderValue;
use serde_json::{json, Value};
use tempfile::TempDir;

use crate::load::{self, Workload};
use jwks_server::JwksServer;
use signing_key::{random_id, SigningKey};

/// The `iss` of the harness's tokens, and the provider's `issuer`.
const ISSUER: &str = "https://loadbench.junction.test/";
/// The `aud` of the harness's tokens, the one audience the provider accepts.
const AUDIENCE: &str = "junction-loadbench";
/// The `sub` of the harness's tokens.
const SUBJECT: &str = "loadbench-client";
/// How long the token is valid: far longer than any run.
const TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

/// How requests authenticate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuthMode {
    /// No authentication configured; requests carry no credential.
    None,
    /// `auth.required: true`, one JWT provider (RS256, JWKS over HTTP), and a
    /// bearer token on every request.
    Jwt,
}

impl AuthMode {
    /// The mode's name, as given to `--auth`.
    pub fn name(self) -> &'static str {
        match self {
            AuthMode::None => "none",
            AuthMode::Jwt => "jwt",
        }
    }

    /// What the mode means, for the report.
    pub fn description(self) -> &'static str {
        match self {
            AuthMode::None => "none (no authentication configured)",
            AuthMode::Jwt => {
                "jwt (auth.required, one provider, RS256 bearer token on every request, \
                 keys from a JWKS URL)"
            }
        }
    }
}

/// What `--auth jwt` sets up, alive for the whole run.
pub struct JwtAuth {
    authorization: HeaderValue,
    token: String,
    config: PathBuf,
    jwks: JwksServer,
    /// Holds the configuration file; removed when dropped.
    _dir: TempDir,
}

impl JwtAuth {
    /// Generates the key, serves its JWKS, writes the gateway's configuration and
    /// signs the token.
    pub async fn start() -> Result<JwtAuth> {
        // Prime generation takes a moment: off the runtime's worker threads.
        let key = tokio::task::spawn_blocking(SigningKey::generate).await??;
        let jwks = JwksServer::start(key.jwks()).await?;
        let dir = tempfile::Builder::new()
            .prefix("junction-loadbench-")
            .tempdir()
            .context("creating a temporary directory")?;
        let config = dir.path().join("junction.yaml");
        std::fs::write(&config, config_yaml(&jwks.url())?)
            .with_context(|| format!("writing {}", config.display()))?;
        let token = key.sign(&claims(unix_now()?, &random_id()?))?;
        let authorization = HeaderValue::try_from(format!("Bearer {token}"))
            .context("the token is not a header value")?;
        eprintln!(
            "JWKS at {} (kid {}); gateway configuration {}",
            jwks.url(),
            key.kid(),
            config.display()
        );
        Ok(JwtAuth {
            authorization,
            token,
            config,
            jwks,
            _dir: dir,
        })
    }

    /// `Bearer <token>`, the header value every request carries.
    pub fn authorization(&self) -> &HeaderValue {
        &self.authorization
    }

    /// The gateway's configuration file, for `--config`.
    pub fn config_path(&self) -> &Path {
        &self.config
    }

    /// How many times the gateway fetched the JWKS so far.
    pub fn jwks_fetches(&self) -> u64 {
        self.jwks.fetches()
    }
}

/// The gateway's configuration: authentication required, the harness as the one
/// provider. Everything else stays at its default, as in a run without `--auth`.
fn config_yaml(jwks_url: &str) -> Result<String> {
    let config = json!({
        "auth": {
            "required": true,
            "providers": [{
                "issuer": ISSUER,
                "jwks_url": jwks_url,
                "audiences": [AUDIENCE],
                "algorithms": ["RS256"],
            }],
        },
    });
    serde_yaml::to_string(&config).context("writing the configuration as YAML")
}

/// The token's claims, issued at `now` (seconds since the Unix epoch).
fn claims(now: u64, jti: &str) -> Value {
    json!({
        "sub": SUBJECT,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + TOKEN_LIFETIME.as_secs(),
        "jti": jti,
    })
}

fn unix_now() -> Result<u64> {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .context("the clock is before 1970")?;
    Ok(since_epoch.as_secs())
}

/// Shows that the gateway requires the token: a request without it, and one with
/// the token's signature altered, must each be answered 401 with the GraphQL error
/// code `UNAUTHENTICATED`.
pub async fn check_refusals(workload: &Workload, auth: &JwtAuth) -> Result<()> {
    expect_refused(workload, None, "without a token").await?;
    let forged = HeaderValue::try_from(format!("Bearer {}", altered_signature(&auth.token)?))?;
    expect_refused(workload, Some(&forged), "with an altered signature").await?;
    eprintln!("auth is on: requests without the token or with a forged one get 401");
    Ok(())
}

async fn expect_refused(
    workload: &Workload,
    authorization: Option<&HeaderValue>,
    what: &str,
) -> Result<()> {
    let (status, body) = load::send_with(workload, authorization)
        .await
        .with_context(|| format!("sending a request {what}"))?;
    let code = first_error_code(&body);
    if status != 401 || code.as_deref() != Some("UNAUTHENTICATED") {
        bail!(
            "a request {what} was answered {status} (error code {}), not 401 \
             UNAUTHENTICATED: authentication is not on",
            code.as_deref().unwrap_or("none")
        );
    }
    Ok(())
}

/// `errors[0].extensions.code` of a GraphQL response, if it has one.
fn first_error_code(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let code = value.pointer("/errors/0/extensions/code")?.as_str()?;
    Some(code.to_owned())
}

/// The token with the first character of its signature replaced: still well formed,
/// no longer signed by the key.
fn altered_signature(token: &str) -> Result<String> {
    let Some(signature_at) = token.rfind('.').map(|dot| dot + 1) else {
        bail!("the token has no signature part");
    };
    let Some(first) = token[signature_at..].chars().next() else {
        bail!("the token's signature is empty");
    };
    let replacement = if first == 'A' { "B" } else { "A" };
    let mut altered = token.to_owned();
    altered.replace_range(signature_at..signature_at + first.len_utf8(), replacement);
    Ok(altered)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_requires_auth_with_one_rs256_provider() -> Result<()> {
        let yaml = config_yaml("http://127.0.0.1:4999/jwks.json")?;
        let config: Value = serde_yaml::from_str(&yaml)?;
        assert_eq!(
            config,
            json!({"auth": {"required": true, "providers": [{
                "issuer": ISSUER,
                "jwks_url": "http://127.0.0.1:4999/jwks.json",
                "audiences": [AUDIENCE],
                "algorithms": ["RS256"],
            }]}})
        );
        Ok(())
    }

    #[test]
    fn the_token_lives_an_hour_for_the_configured_audience() {
        let claims = claims(1_700_000_000, "id-1");
        assert_eq!(
            claims,
            json!({
                "sub": SUBJECT, "iss": ISSUER, "aud": AUDIENCE,
                "iat": 1_700_000_000_u64, "exp": 1_700_003_600_u64, "jti": "id-1",
            })
        );
    }

    #[test]
    fn alters_only_the_first_character_of_the_signature() -> Result<()> {
        assert_eq!(altered_signature("h.p.sig")?, "h.p.Aig");
        assert_eq!(altered_signature("h.p.Asig")?, "h.p.Bsig");
        assert!(altered_signature("h.p.").is_err());
        assert!(altered_signature("no-dots").is_err());
        Ok(())
    }

    #[test]
    fn reads_the_first_error_code() {
        let body = br#"{"errors":[{"message":"m","extensions":{"code":"UNAUTHENTICATED"}}]}"#;
        assert_eq!(first_error_code(body).as_deref(), Some("UNAUTHENTICATED"));
        assert_eq!(first_error_code(br#"{"data":{}}"#), None);
        assert_eq!(first_error_code(b"Unauthorized"), None);
    }
}
