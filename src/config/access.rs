//! The `access` section: field-level access control (the `access`
//! module). Off unless a policy file is given.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Secret;

/// Who may see which fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccessConfig {
    /// The rules, a Casbin policy file: `p, role, org, coordinate, action`
    /// and `g, role, inherited_role` lines (see `policies/policy.csv`).
    /// Access control is on when this is set, and then whatever no rule
    /// allows is denied. A relative path is relative to the config file.
    /// Default none: off (the supergraph's directives still hold, and rules
    /// added through the admin API turn it on).
    pub policy: Option<PathBuf>,
    /// The Casbin model the rules are read with. Default: Junction's own
    /// (`policies/model.conf`, built in).
    pub model: Option<PathBuf>,
    /// What an operation touching a denied field gets: `filter` (the field
    /// is null with a `FORBIDDEN` error; the rest is served) or `reject`
    /// (the whole operation is refused with 403). Default `filter`.
    pub mode: AccessModeConfig,
    /// The role of a caller presenting no credential. Default none: an
    /// anonymous caller is allowed nothing.
    pub anonymous_role: Option<String>,
    /// The secret personal data pseudonyms (`@pii(strategy: HASH)`) are
    /// keyed with, at least 32 bytes; replicas sharing it give equal values
    /// equal pseudonyms. Default none: a random key per process.
    pub pii_hash_secret: Option<Secret>,
    /// Personal data fields by coordinate, for subgraphs whose SDL you do
    /// not control: a YAML map such as `User.email: { kind: EMAIL,
    /// strategy: HASH }` (see `policies/pii.yaml`), relative to the config
    /// file. Default none.
    pub pii_rules: Option<PathBuf>,
    /// Org isolation: types whose objects belong to one organisation, and
    /// the field carrying it, as a YAML map such as `Invoice: orgId` (see
    /// `policies/org_scoped.yaml`), relative to the config file. A caller
    /// sees such an object only when that field is its own org (a global
    /// admin, holding `admin` with no org, sees all); any other is null
    /// with a `FORBIDDEN` error. Default none.
    pub org_scoped: Option<PathBuf>,
    /// Whether introspection (`__schema`, `__type`) shows each caller only
    /// the fields it may query, and not the types left with none. Default
    /// on (`junction dev`: off, unless set).
    pub hide_denied_in_introspection: Option<bool>,
}

/// Shortest `access.pii_hash_secret`.
pub const MIN_PII_SECRET_BYTES: usize = 32;

impl AccessConfig {
    /// Checks the section; the error names the offending key.
    pub(super) fn validate(&self) -> Result<(), super::ConfigError> {
        let short = self
            .pii_hash_secret
            .as_ref()
            .is_some_and(|secret| secret.expose().len() < MIN_PII_SECRET_BYTES);
        match short {
            true => Err(super::invalid(
                "access.pii_hash_secret",
                &format!("must be at least {MIN_PII_SECRET_BYTES} bytes"),
            )),
            false => Ok(()),
        }
    }
}

/// The `access.mode` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessModeConfig {
    #[default]
    Filter,
    Reject,
}
