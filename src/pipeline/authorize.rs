//! The `authorize` stage: what the caller may have of the prepared
//! operation. A decision — the denied fields and, when there are any, the
//! operation re-planned without them — is made once per policy version,
//! role set and org, and kept next to the prepared operation ([`Decisions`],
//! read without a lock); the request path then does no policy evaluation.
//! When introspection should show a caller only what it may query, the
//! schema it sees is made once per caller key and supergraph too
//! ([`VisibleSchemas`]).

use std::sync::Arc;

use arc_swap::ArcSwap;

use super::snapshot::{PreparedRequest, Snapshot};
use super::GatewayError;
use crate::access::{
    Access, AccessMode, AccessPolicy, Action, Analysis, Denial, Holder, VisibleSchema,
};
use crate::identity::Caller;

/// Decisions kept per prepared operation; past it the oldest go first
/// (role sets come from verified credentials, so they are few).
const MAX_DECISIONS: usize = 32;

/// Callers' views of one supergraph kept for introspection; past it the
/// least used go first.
const MAX_VISIBLE_SCHEMAS: u64 = 16;

/// Who a decision is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct DecisionKey {
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

/// The schemas callers see through introspection, by caller key (the
/// policy version in it), for one supergraph.
pub(super) struct VisibleSchemas(moka::sync::Cache<DecisionKey, Arc<VisibleSchema>>);

impl Default for VisibleSchemas {
    fn default() -> Self {
        Self(moka::sync::Cache::new(MAX_VISIBLE_SCHEMAS))
    }
}

impl std::fmt::Debug for VisibleSchemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("VisibleSchemas")
            .field(&self.0.entry_count())
            .finish()
    }
}

/// What the caller may have: the prepared operation to run (the one given,
/// or its filtered twin), and the schema its introspection answers from
/// when that is not the whole API schema.
pub(super) struct Authorized {
    pub prepared: Arc<PreparedRequest>,
    pub visible: Option<Arc<VisibleSchema>>,
    /// The fields denied (answered null), for the audit log.
    pub denials: Option<Arc<[Denial]>>,
}

/// What `caller` may have of `prepared`; or, in reject mode, the refusal.
pub(super) fn authorize(
    access: &Access,
    snapshot: &Snapshot,
    prepared: Arc<PreparedRequest>,
    caller: &Caller,
) -> Result<Authorized, GatewayError> {
    let (policy, version) = access.current();
    let nothing_declared = snapshot.requirements.is_empty()
        && snapshot.pii.is_empty()
        && access.pii_rules().is_empty()
        && access.org_scoped().is_empty();
    if policy.is_none() && nothing_declared {
        return Ok(Authorized {
            prepared,
            visible: None,
            denials: None,
        });
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
    let hide = access.settings().hide_denied_in_introspection
        && prepared.operation.has_schema_introspection;
    let visible = hide.then(|| {
        snapshot.visible.0.get_with_by_ref(&key, || {
            with_analysis(access, policy.as_deref(), snapshot, &key, |analysis| {
                Arc::new(analysis.visible_schema())
            })
        })
    });
    let decision = match prepared.decisions.find(&key) {
        Some(found) => found,
        None => {
            let made = Arc::new(decide(access, policy.as_deref(), snapshot, &prepared, &key));
            prepared.decisions.keep(key, Arc::clone(&made));
            made
        }
    };
    let Some(filtered) = &decision.filtered else {
        return Ok(Authorized {
            prepared,
            visible,
            denials: None,
        });
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
    Ok(Authorized {
        prepared: Arc::clone(filtered),
        visible,
        denials: (!decision.denials.is_empty()).then(|| Arc::clone(&decision.denials)),
    })
}

fn decide(
    access: &Access,
    policy: Option<&AccessPolicy>,
    snapshot: &Snapshot,
    prepared: &PreparedRequest,
    key: &DecisionKey,
) -> Decision {
    let verdict = with_analysis(access, policy, snapshot, key, |analysis| {
        analysis.decide(&prepared.operation)
    });
    let filtered = verdict
        .filtered
        .map(|filtered| snapshot.prepare_filtered(&prepared.operation, filtered));
    Decision {
        denials: verdict.denials.into(),
        filtered,
    }
}

/// What the access analysis of the caller `key` sees, for `use_it`.
type CallerAnalysis<'a> = Analysis<'a, &'a dyn Fn(&str, Action) -> bool, &'a dyn Fn(&str) -> bool>;

/// Runs `use_it` with the analysis for the caller `key`. Without a policy,
/// every coordinate may be read and written (the directives still hold),
/// but no `@policy` name holds and nothing is unmasked.
fn with_analysis<R>(
    access: &Access,
    policy: Option<&AccessPolicy>,
    snapshot: &Snapshot,
    key: &DecisionKey,
    use_it: impl FnOnce(&CallerAnalysis<'_>) -> R,
) -> R {
    let org = key.org.as_deref().unwrap_or_default();
    let allowed = |object: &str, action| match policy {
        Some(policy) => policy.allows(&key.roles, org, object, action),
        None => action != Action::Unmask,
    };
    let named_policy = |name: &str| {
        policy.is_some_and(|policy| policy.allows(&key.roles, org, name, Action::Read))
    };
    let analysis: CallerAnalysis<'_> = Analysis {
        schema: &snapshot.supergraph.api_schema,
        implementers: &snapshot.implementers,
        allows: &allowed,
        requirements: &snapshot.requirements,
        holder: Holder {
            authenticated: key.authenticated,
            scopes: &key.scopes,
            policy: &named_policy,
        },
        pii: &snapshot.pii,
        pii_rules: access.pii_rules(),
        pii_key: access.pii_key(),
        org_scoped: access.org_scoped(),
    };
    use_it(&analysis)
}
