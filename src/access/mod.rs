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
mod org;
mod pii;
mod policy;
mod requirements;
mod setup;
mod stored;
mod visible;

use std::sync::Arc;

use apollo_compiler::Name;
use arc_swap::ArcSwap;

pub use analysis::{Analysis, Denial, Filtered, Verdict, LIST_MARKER};
pub use check::{check_pii, check_policy, RuleProblem};
pub use org::{OrgScoped, GLOBAL_ADMIN_ROLE, ORG_KEY};
pub use pii::{mask, PiiFields, PiiKind, PiiStrategy, Redaction, PII_SPEC};
pub use policy::{parse_rules, AccessPolicy, Action, PolicyError, Rule};
pub use requirements::{Holder, Requirement, Requirements};
pub use setup::{
    for_dev, from_config, AccessSetupError, DEFAULT_MODEL, DEV_POLICY_PATH, SEED_POLICY,
};
pub use stored::{StoredRules, StoredRulesError, MAX_STORED_RULES};
pub use visible::VisibleSchema;

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
#[derive(Clone)]
pub struct AccessSettings {
    pub mode: AccessMode,
    /// The role an anonymous caller has; without one, an anonymous caller
    /// has no role and is allowed nothing.
    pub anonymous_role: Option<String>,
    /// The key of personal data pseudonyms (`HASH`); replicas must share
    /// it for their pseudonyms to agree. A random one when `None`.
    pub pii_hash_key: Option<Arc<[u8]>>,
    /// Personal data fields by coordinate, besides the supergraph's `@pii`.
    pub pii_rules: Arc<PiiFields>,
    /// Types whose objects belong to one org, and the field carrying it.
    pub org_scoped: Arc<OrgScoped>,
    /// Whether introspection shows a caller only the fields it may query
    /// (default on; `junction dev` turns it off).
    pub hide_denied_in_introspection: bool,
}

impl Default for AccessSettings {
    fn default() -> Self {
        Self {
            mode: AccessMode::default(),
            anonymous_role: None,
            pii_hash_key: None,
            pii_rules: Arc::default(),
            org_scoped: Arc::default(),
            hide_denied_in_introspection: true,
        }
    }
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
            .field("pii_rules", &self.pii_rules)
            .field("org_scoped", &self.org_scoped)
            .field(
                "hide_denied_in_introspection",
                &self.hide_denied_in_introspection,
            )
            .finish()
    }
}

/// The live access control of a gateway: the supergraph's directives
/// always, and a policy when rules are configured — the policy file's and
/// those kept in the store, together. Each change makes a new policy with a
/// new version, swapped in whole with it (cached decisions of older
/// versions are never used again).
pub struct Access {
    settings: AccessSettings,
    live: ArcSwap<Live>,
    /// The model rules are read with, and the rules of each source.
    model: String,
    file_rules: ArcSwap<Vec<Rule>>,
    stored_rules: ArcSwap<Vec<Rule>>,
    /// One rebuild at a time (the control path only), so an older
    /// combination of rules can never replace a newer one.
    rebuilding: tokio::sync::Mutex<()>,
    pii_key: Arc<[u8]>,
    /// The org-scoped type names (none when there are none).
    org_scoped_types: Option<Arc<[Name]>>,
}

/// The policy in force and its version, swapped together.
struct Live {
    policy: Option<Arc<AccessPolicy>>,
    version: u64,
}

impl Default for Access {
    /// The supergraph's directives only, in filter mode.
    fn default() -> Self {
        Self::directives_only(AccessSettings::default())
    }
}

impl Access {
    pub fn new(settings: AccessSettings, policy: AccessPolicy) -> Self {
        let model = policy.model().to_string();
        let file_rules = policy.rules().to_vec();
        Self::build(settings, Some(policy), model, file_rules)
    }

    /// No policy: only what the supergraph declares is enforced (until
    /// rules are stored, see [`Access::apply_stored`]).
    pub fn directives_only(settings: AccessSettings) -> Self {
        Self::build(settings, None, DEFAULT_MODEL.to_string(), Vec::new())
    }

    fn build(
        settings: AccessSettings,
        policy: Option<AccessPolicy>,
        model: String,
        file_rules: Vec<Rule>,
    ) -> Self {
        let scoped = settings.org_scoped.types();
        Self {
            pii_key: pii_key(&settings),
            org_scoped_types: (!scoped.is_empty()).then(|| scoped.into()),
            settings,
            live: ArcSwap::from_pointee(Live {
                policy: policy.map(Arc::new),
                version: 1,
            }),
            model,
            file_rules: ArcSwap::from_pointee(file_rules),
            stored_rules: ArcSwap::from_pointee(Vec::new()),
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    /// Makes the store's rules `stored`, beside the file's.
    pub async fn apply_stored(&self, stored: Vec<Rule>) -> Result<(), PolicyError> {
        let _one = self.rebuilding.lock().await;
        let previous = self.stored_rules.swap(Arc::new(stored));
        self.rebuild()
            .await
            .inspect_err(|_| self.stored_rules.store(previous))
    }

    /// Makes the policy file's rules `rules` (the file changed), beside the
    /// store's.
    pub async fn apply_file(&self, rules: Vec<Rule>) -> Result<(), PolicyError> {
        let _one = self.rebuilding.lock().await;
        let previous = self.file_rules.swap(Arc::new(rules));
        self.rebuild()
            .await
            .inspect_err(|_| self.file_rules.store(previous))
    }

    /// The policy of the file's rules and the store's together; none at
    /// all when both are empty.
    async fn rebuild(&self) -> Result<(), PolicyError> {
        let (file, stored) = (self.file_rules.load_full(), self.stored_rules.load_full());
        if file.is_empty() && stored.is_empty() {
            if self.live.load().policy.is_some() {
                self.set(None);
            }
            return Ok(());
        }
        let mut rules = file.to_vec();
        rules.extend(stored.iter().filter(|rule| !file.contains(rule)).cloned());
        let policy = AccessPolicy::with_rules(&self.model, rules).await?;
        self.set(Some(policy));
        Ok(())
    }

    fn set(&self, policy: Option<AccessPolicy>) {
        let version = self.live.load().version + 1;
        self.live.store(Arc::new(Live {
            policy: policy.map(Arc::new),
            version,
        }));
    }

    pub fn settings(&self) -> &AccessSettings {
        &self.settings
    }

    /// The key personal data pseudonyms are made with.
    pub fn pii_key(&self) -> &Arc<[u8]> {
        &self.pii_key
    }

    /// The personal data fields of the PII rules file.
    pub fn pii_rules(&self) -> &PiiFields {
        &self.settings.pii_rules
    }

    /// The org-scoped types.
    pub fn org_scoped(&self) -> &OrgScoped {
        &self.settings.org_scoped
    }

    /// The org-scoped type names, when there are any.
    pub fn org_scoped_types(&self) -> Option<Arc<[Name]>> {
        self.org_scoped_types.clone()
    }

    /// The policy now (if any), and its version.
    pub fn current(&self) -> (Option<Arc<AccessPolicy>>, u64) {
        let live = self.live.load();
        (live.policy.clone(), live.version)
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
