//! Access rules kept in the store, added and removed through the admin
//! API and announced to every replica (each also checks once a second, in
//! case an announcement is lost), so a rule reaches every replica within
//! a second. They count beside the policy file's rules.
//!
//! The rules are one versioned value (their lines, as JSON), changed with
//! compare-and-set, at most [`MAX_STORED_RULES`] of them.

use std::sync::Arc;

use super::policy::{parse_rules, PolicyError, Rule};
use crate::store::{CasOutcome, Store, StoreError, Subscription};

const RULES_KEY: &str = "access:rules";
const CHANGED_CHANNEL: &str = "access:changed";
/// Most rules the store holds.
pub const MAX_STORED_RULES: usize = 10_000;
const MAX_ATTEMPTS: usize = 16;

/// Why a stored-rules operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoredRulesError {
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Rule(#[from] PolicyError),
    #[error("the stored rules are unreadable: {0}")]
    Corrupt(String),
    #[error("the store holds {MAX_STORED_RULES} rules")]
    Full,
    #[error("the rules changed {MAX_ATTEMPTS} times while this change was made; try again")]
    Contended,
}

/// The access rules of one store.
#[derive(Clone)]
pub struct StoredRules {
    store: Arc<dyn Store>,
}

impl StoredRules {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// The rules and their version (0: none ever stored).
    pub async fn read(&self) -> Result<(Vec<Rule>, u64), StoredRulesError> {
        let Some(found) = self.store.get(RULES_KEY).await? else {
            return Ok((Vec::new(), 0));
        };
        let lines: Vec<String> = serde_json::from_slice(&found.value)
            .map_err(|e| StoredRulesError::Corrupt(e.to_string()))?;
        Ok((parse_rules(&lines.join("\n"))?, found.version))
    }

    /// Adds `rule`; `false` when it is there already.
    pub async fn add(&self, rule: Rule) -> Result<bool, StoredRulesError> {
        self.change(|rules| {
            if rules.contains(&rule) {
                return Ok(false);
            }
            if rules.len() >= MAX_STORED_RULES {
                return Err(StoredRulesError::Full);
            }
            rules.push(rule.clone());
            Ok(true)
        })
        .await
    }

    /// Removes `rule`; `false` when it was not there.
    pub async fn remove(&self, rule: &Rule) -> Result<bool, StoredRulesError> {
        self.change(|rules| {
            let before = rules.len();
            rules.retain(|kept| kept != rule);
            Ok(rules.len() != before)
        })
        .await
    }

    /// Announcements of changes.
    pub async fn subscribe(&self) -> Result<Subscription, StoreError> {
        self.store.subscribe(CHANGED_CHANNEL).await
    }

    /// Applies `change` with compare-and-set (retried when another replica
    /// changed the rules first) and announces it when it changed anything.
    async fn change(
        &self,
        change: impl Fn(&mut Vec<Rule>) -> Result<bool, StoredRulesError>,
    ) -> Result<bool, StoredRulesError> {
        for _ in 0..MAX_ATTEMPTS {
            let (mut rules, version) = self.read().await?;
            if !change(&mut rules)? {
                return Ok(false);
            }
            let lines: Vec<String> = rules.iter().map(Rule::to_line).collect();
            let bytes =
                serde_json::to_vec(&lines).map_err(|e| StoredRulesError::Corrupt(e.to_string()))?;
            let outcome = self
                .store
                .compare_and_set(RULES_KEY, version, &bytes)
                .await?;
            if matches!(outcome, CasOutcome::Stored { .. }) {
                if let Err(error) = self.store.publish(CHANGED_CHANNEL, b"changed").await {
                    tracing::warn!("a change of the access rules was not announced (replicas find it within a second): {error}");
                }
                return Ok(true);
            }
        }
        Err(StoredRulesError::Contended)
    }
}
