//! The `authorize` stage: what the caller may have of the prepared
//! operation. A decision — the denied fields and, when there are any, the
//! operation re-planned without them — is made once per policy version,
//! role set and org, and kept next to the prepared operation ([`Decisions`],
//! read without a lock); the request path then does no policy evaluation.

use std::sync::Arc;

use arc_swap::ArcSwap;

use super::snapshot::{PreparedRequest, Snapshot};
use super::GatewayError;
use crate::access::{Access, AccessMode, AccessPolicy, Action, Analysis, Denial, Holder};
use crate::identity::Caller;

/// Decisions kept per prepared operation; past it the oldest go first
/// (role sets come from verified credentials, so they are few).
const MAX_DECISIONS: usize = 32;

/// Who a decision is for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DecisionKey {
    version: u64,
    authenticated: bool,
    roles: Vec<String>,
    scopes: Vec<String>,
    org: Option<String>,
}

/// What one caller may have of one operation.
struct Decision {
    denials: Arc<[Denial]>,
    /// The operation planned without the denied fields (and shaped with
    /// them marked); `None` when nothing is denied.
    filtered: Option<Arc<PreparedRequest>>,
}

/// The decisions made for one prepared operation.
#[derive(Default)]
pub struct Decisions(ArcSwap<Vec<(DecisionKey, Arc<Decision>)>>);

impl Decisions {
    fn find(&self, key: &DecisionKey) -> Option<Arc<Decision>> {
        let decisions = self.0.load();
        decisions
            .iter()
            .find(|(kept, _)| kept == key)
            .map(|(_, decision)| Arc::clone(decision))
    }

    fn keep(&self, key: DecisionKey, decision: Arc<Decision>) {
        self.0.rcu(|decisions| {
            let mut next: Vec<_> = decisions.iter().cloned().collect();
            if next.len() >= MAX_DECISIONS {
                next.remove(0);
            }
            next.push((key.clone(), Arc::clone(&decision)));
            next
        });
    }
}

impl std::fmt::Debug for Decisions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Decisions")
            .field(&self.0.load().len())
            .finish()
    }
}

/// The prepared operation to run for `caller`: the one given when it may
/// have all of it, or its filtered twin; or, in reject mode, the refusal.
pub(super) fn authorize(
    access: &Access,
    snapshot: &Snapshot,
    prepared: Arc<PreparedRequest>,
    caller: &Caller,
) -> Result<Arc<PreparedRequest>, GatewayError> {
    let (policy, version) = access.current();
    let nothing_declared = snapshot.requirements.is_empty()
        && snapshot.pii.is_empty()
        && access.pii_rules().is_empty();
    if policy.is_none() && nothing_declared {
        return Ok(prepared);
    }
    let mut scopes = caller.scopes.clone();
    scopes.sort();
    scopes.dedup();
    let key = DecisionKey {
        version,
        authenticated: !caller.is_anonymous(),
        roles: access.roles_of(&caller.roles, caller.is_anonymous()),
        scopes,
        org: caller.org.clone(),
    };
    let decision = match prepared.decisions.find(&key) {
        Some(found) => found,
        None => {
            let made = Arc::new(decide(access, policy.as_deref(), snapshot, &prepared, &key));
            prepared.decisions.keep(key, Arc::clone(&made));
            made
        }
    };
    let Some(filtered) = &decision.filtered else {
        return Ok(prepared);
    };
    if !decision.denials.is_empty() {
        tracing::debug!(
            denied = decision.denials.len(),
            "fields denied by the access policy"
        );
        if access.settings().mode == AccessMode::Reject {
            return Err(GatewayError::Forbidden(Arc::clone(&decision.denials)));
        }
    }
    Ok(Arc::clone(filtered))
}

/// Without a policy, every coordinate may be read and written (the
/// directives still hold), but no `@policy` name holds and nothing is
/// unmasked.
fn decide(
    access: &Access,
    policy: Option<&AccessPolicy>,
    snapshot: &Snapshot,
    prepared: &PreparedRequest,
    key: &DecisionKey,
) -> Decision {
    let org = key.org.as_deref().unwrap_or_default();
    let allowed = |object: &str, action| match policy {
        Some(policy) => policy.allows(&key.roles, org, object, action),
        None => action != Action::Unmask,
    };
    let named_policy = |name: &str| {
        policy.is_some_and(|policy| policy.allows(&key.roles, org, name, Action::Read))
    };
    let analysis = Analysis {
        schema: &snapshot.supergraph.api_schema,
        implementers: &snapshot.implementers,
        allows: allowed,
        requirements: &snapshot.requirements,
        holder: Holder {
            authenticated: key.authenticated,
            scopes: &key.scopes,
            policy: named_policy,
        },
        pii: &snapshot.pii,
        pii_rules: access.pii_rules(),
        pii_key: access.pii_key(),
    };
    let verdict = analysis.decide(&prepared.operation);
    let filtered = verdict
        .filtered
        .map(|filtered| snapshot.prepare_filtered(&prepared.operation, filtered));
    Decision {
        denials: verdict.denials.into(),
        filtered,
    }
}
