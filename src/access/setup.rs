//! The `access` config section turned into a live [`Access`] (the config
//! module knows nothing of access; this is the one place that reads its
//! section), and the seed policy `junction dev` runs with.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Access, AccessMode, AccessPolicy, AccessSettings, OrgScoped, PiiFields, PolicyError};
use crate::config::{AccessConfig, AccessModeConfig};

/// Junction's Casbin model (`policies/model.conf`).
pub const DEFAULT_MODEL: &str = include_str!("../../policies/model.conf");
/// The seed policy for the demo supergraph (`policies/policy.csv`).
pub const SEED_POLICY: &str = include_str!("../../policies/policy.csv");
/// Where `junction dev` looks for the policy first (from its working
/// directory); without it, the seed built in.
pub const DEV_POLICY_PATH: &str = "policies/policy.csv";

/// Why access control cannot start.
#[derive(Debug, thiserror::Error)]
pub enum AccessSetupError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Policy { path: PathBuf, source: PolicyError },
    #[error("{}: {message}", path.display())]
    PiiRules { path: PathBuf, message: String },
    #[error("{}: {message}", path.display())]
    OrgScoped { path: PathBuf, message: String },
}

/// The access control `config` asks for: the supergraph's directives
/// always, and the policy when one is given.
pub async fn from_config(config: &AccessConfig) -> Result<Access, AccessSetupError> {
    let settings = AccessSettings {
        mode: match config.mode {
            AccessModeConfig::Filter => AccessMode::Filter,
            AccessModeConfig::Reject => AccessMode::Reject,
        },
        anonymous_role: config.anonymous_role.clone(),
        pii_hash_key: config
            .pii_hash_secret
            .as_ref()
            .map(|secret| Arc::from(secret.expose().as_bytes())),
        pii_rules: Arc::new(pii_rules(config.pii_rules.as_deref()).await?),
        org_scoped: Arc::new(org_scoped(config.org_scoped.as_deref()).await?),
        hide_denied_in_introspection: config.hide_denied_in_introspection.unwrap_or(true),
    };
    let Some(policy_path) = &config.policy else {
        return Ok(Access::directives_only(settings));
    };
    let model = match &config.model {
        Some(path) => read(path).await?,
        None => DEFAULT_MODEL.to_string(),
    };
    let rules = read(policy_path).await?;
    let policy =
        AccessPolicy::load(&model, &rules)
            .await
            .map_err(|source| AccessSetupError::Policy {
                path: policy_path.clone(),
                source,
            })?;
    Ok(Access::new(settings, policy))
}

/// `junction dev`'s access control: [`DEV_POLICY_PATH`] if there is one,
/// the built-in seed otherwise; filter mode; anonymous callers are
/// `viewer`; introspection shows the whole schema (to explore the demo)
/// unless `hide_denied_in_introspection` says otherwise. Returns where the
/// rules came from too.
pub async fn for_dev(
    hide_denied_in_introspection: Option<bool>,
) -> Result<(Access, String), AccessSetupError> {
    let path = Path::new(DEV_POLICY_PATH);
    let (rules, from) = match tokio::fs::read_to_string(path).await {
        Ok(rules) => (rules, DEV_POLICY_PATH.to_string()),
        Err(_) => (
            SEED_POLICY.to_string(),
            "the built-in seed policy".to_string(),
        ),
    };
    let policy = AccessPolicy::load(DEFAULT_MODEL, &rules)
        .await
        .map_err(|source| AccessSetupError::Policy {
            path: path.to_path_buf(),
            source,
        })?;
    let settings = AccessSettings {
        mode: AccessMode::Filter,
        anonymous_role: Some("viewer".into()),
        hide_denied_in_introspection: hide_denied_in_introspection.unwrap_or(false),
        ..AccessSettings::default()
    };
    Ok((Access::new(settings, policy), from))
}

/// The PII rules of the file at `path`; none without one.
async fn pii_rules(path: Option<&Path>) -> Result<PiiFields, AccessSetupError> {
    let Some(path) = path else {
        return Ok(PiiFields::default());
    };
    let text = read(path).await?;
    PiiFields::from_yaml(&text).map_err(|message| AccessSetupError::PiiRules {
        path: path.to_path_buf(),
        message,
    })
}

/// The org-scoped types of the file at `path`; none without one.
async fn org_scoped(path: Option<&Path>) -> Result<OrgScoped, AccessSetupError> {
    let Some(path) = path else {
        return Ok(OrgScoped::default());
    };
    let text = read(path).await?;
    OrgScoped::from_yaml(&text).map_err(|message| AccessSetupError::OrgScoped {
        path: path.to_path_buf(),
        message,
    })
}

async fn read(path: &Path) -> Result<String, AccessSetupError> {
    tokio::fs::read_to_string(path)
        .await
        .map_err(|source| AccessSetupError::Read {
            path: path.to_path_buf(),
            source,
        })
}
