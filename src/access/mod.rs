//! What each caller may see: the `authorize` stage's work (DESIGN.md §1).
//! A Casbin policy ([`AccessPolicy`]: `policies/model.conf` and
//! `policies/policy.csv`) says which roles, in which organisation, may do
//! what on which schema coordinate; [`Analysis`] finds the fields of an
//! operation a caller's roles do not allow.
//!
//! The supergraph's own `@authenticated`, `@requiresScopes` and `@policy`
//! ([`Requirements`]) always hold. A policy, when configured, adds that
//! whatever no rule allows is denied. In `filter` mode (the default) a
//! denied field is asked of no subgraph and answered `null` with a
//! `FORBIDDEN` error naming its coordinate (null propagating as GraphQL
//! requires); in `reject` mode an operation touching a denied field is
//! refused whole, before any subgraph is called.
//!
//! Decisions depend on the operation, the caller's roles and org, the
//! policy and the supergraph only: they are made once per combination and
//! cached next to the prepared operation (see `pipeline`).

mod analysis;
mod check;
mod pii;
mod policy;
mod requirements;
mod setup;
mod stored;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwapOption;

pub use analysis::{Analysis, Denial, Filtered, Verdict, LIST_MARKER};
pub use check::{check_policy, RuleProblem};
pub use pii::{mask, PiiFields, PiiKind, PiiStrategy, Redaction, PII_SPEC};
pub use policy::{parse_rules, AccessPolicy, Action, PolicyError, Rule};
pub use requirements::{Holder, Requirement, Requirements};
pub use setup::{
    for_dev, from_config, AccessSetupError, DEFAULT_MODEL, DEV_POLICY_PATH, SEED_POLICY,
};
pub use stored::{StoredRules, StoredRulesError, MAX_STORED_RULES};

/// What happens to an operation touching a denied field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AccessMode {
    /// The denied fields are answered null with a `FORBIDDEN` error each.
    #[default]
    Filter,
    /// The operation is refused whole (`FORBIDDEN`, HTTP 403).
    Reject,
}

/// How access is decided, besides the policy.
#[derive(Clone, Default)]
pub struct AccessSettings {
    pub mode: AccessMode,
    /// The role an anonymous caller has; without one, an anonymous caller
    /// has no role and is allowed nothing.
    pub anonymous_role: Option<String>,
    /// The key of personal data pseudonyms (`HASH`); replicas must share
    /// it for their pseudonyms to agree. A random one when `None`.
    pub pii_hash_key: Option<Arc<[u8]>>,
}

impl std::fmt::Debug for AccessSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessSettings")
            .field("mode", &self.mode)
            .field("anonymous_role", &self.anonymous_role)
            .field(
                "pii_hash_key",
                &self.pii_hash_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// The live access control of a gateway: the supergraph's directives
/// always, and a policy when one is configured (replaced whole when the
/// rules change, each replacement with a new version: cached decisions of
/// older versions are never used again).
pub struct Access {
    settings: AccessSettings,
    policy: ArcSwapOption<AccessPolicy>,
    version: AtomicU64,
    /// The model and the rules of the policy file, which the store's rules
    /// are added to.
    model: String,
    file_rules: Vec<Rule>,
    pii_key: Arc<[u8]>,
}

impl Default for Access {
    /// The supergraph's directives only, in filter mode.
    fn default() -> Self {
        Self::directives_only(AccessSettings::default())
    }
}

impl Access {
    pub fn new(settings: AccessSettings, policy: AccessPolicy) -> Self {
        Self {
            pii_key: pii_key(&settings),
            settings,
            model: policy.model().to_string(),
            file_rules: policy.rules().to_vec(),
            policy: ArcSwapOption::from_pointee(policy),
            version: AtomicU64::new(1),
        }
    }

    /// No policy: only what the supergraph declares is enforced (until
    /// rules are stored, see [`Access::apply_stored`]).
    pub fn directives_only(settings: AccessSettings) -> Self {
        Self {
            pii_key: pii_key(&settings),
            settings,
            policy: ArcSwapOption::empty(),
            version: AtomicU64::new(1),
            model: DEFAULT_MODEL.to_string(),
            file_rules: Vec::new(),
        }
    }

    /// Makes the policy the file's rules and `stored` (the store's)
    /// together; none at all when both are empty.
    pub async fn apply_stored(&self, stored: Vec<Rule>) -> Result<(), PolicyError> {
        if self.file_rules.is_empty() && stored.is_empty() {
            if self.policy.load().is_some() {
                self.policy.store(None);
                self.version.fetch_add(1, Ordering::AcqRel);
            }
            return Ok(());
        }
        let mut rules = self.file_rules.clone();
        rules.extend(
            stored
                .into_iter()
                .filter(|rule| !self.file_rules.contains(rule)),
        );
        let policy = AccessPolicy::with_rules(&self.model, rules).await?;
        self.replace(policy);
        Ok(())
    }

    pub fn settings(&self) -> &AccessSettings {
        &self.settings
    }

    /// The key personal data pseudonyms are made with.
    pub fn pii_key(&self) -> &Arc<[u8]> {
        &self.pii_key
    }

    /// The policy now (if any), and its version.
    pub fn current(&self) -> (Option<Arc<AccessPolicy>>, u64) {
        // The version is read after the policy: a decision cached under a
        // version may come from an older policy, never a newer one's
        // version with an older policy's answer.
        let policy = self.policy.load_full();
        (policy, self.version.load(Ordering::Acquire))
    }

    /// Makes `policy` the live one.
    pub fn replace(&self, policy: AccessPolicy) {
        self.policy.store(Some(Arc::new(policy)));
        self.version.fetch_add(1, Ordering::AcqRel);
    }

    /// The roles access is decided on for a caller with `roles`.
    pub fn roles_of(&self, roles: &[String], anonymous: bool) -> Vec<String> {
        match (&self.settings.anonymous_role, anonymous) {
            (Some(role), true) => vec![role.clone()],
            _ => {
                let mut roles = roles.to_vec();
                roles.sort();
                roles.dedup();
                roles
            }
        }
    }
}

/// The configured pseudonym key, or 32 random bytes (this process only).
fn pii_key(settings: &AccessSettings) -> Arc<[u8]> {
    if let Some(key) = &settings.pii_hash_key {
        return Arc::clone(key);
    }
    let mut key = [0u8; 32];
    if getrandom::fill(&mut key).is_err() {
        tracing::warn!("no randomness for the personal data pseudonym key");
    }
    Arc::from(&key[..])
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Access")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}
