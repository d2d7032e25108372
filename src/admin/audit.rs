//! The admin API's view of the audit log: entries newest first, filtered
//! by actor, org, action, outcome and time, a page at a time. An org
//! admin ([`AdminScope`]) reads its own org's entries only (those of
//! admin mutations by callers of its org).

use async_graphql::{Context, Enum, ErrorExtensions, Object, SimpleObject};

use super::scope::AdminScope;
use crate::audit::{AuditEntry, AuditFilter, AuditLog, Outcome};

#[derive(Default)]
pub struct AuditQuery;

/// How an audited action ended.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AuditOutcome {
    Success,
    Failure,
    Refused,
}

impl From<AuditOutcome> for Outcome {
    fn from(outcome: AuditOutcome) -> Self {
        match outcome {
            AuditOutcome::Success => Self::Success,
            AuditOutcome::Failure => Self::Failure,
            AuditOutcome::Refused => Self::Refused,
        }
    }
}

impl From<Outcome> for AuditOutcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Success => Self::Success,
            Outcome::Failure => Self::Failure,
            Outcome::Refused => Self::Refused,
        }
    }
}

#[Object]
impl AuditQuery {
    /// Audit entries, newest first, `limit` (1 to 500, default 50) a page.
    /// `from`/`to` are milliseconds since the Unix epoch (`to` exclusive);
    /// `before` is the `next` cursor of the page before. `org` keeps the
    /// entries of one org; an org admin's are always its own org's.
    #[allow(clippy::too_many_arguments)]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        actor: Option<String>,
        org: Option<String>,
        action: Option<String>,
        outcome: Option<AuditOutcome>,
        from: Option<f64>,
        to: Option<f64>,
        before: Option<String>,
        limit: Option<i32>,
    ) -> async_graphql::Result<AuditPage> {
        let filter = AuditFilter {
            actor,
            org: AdminScope::of(ctx).org_within(org)?,
            action,
            outcome: outcome.map(Outcome::from),
            from_ms: from.map(|at| at.max(0.0) as u64),
            to_ms: to.map(|at| at.max(0.0) as u64),
        };
        // 50 unless asked; 1 to 500.
        let limit = usize::try_from(limit.unwrap_or(50).clamp(1, 500)).unwrap_or(50);
        let (entries, next) = ctx
            .data::<AuditLog>()?
            .read(&filter, before.as_deref(), limit)
            .await
            .map_err(|e| {
                async_graphql::Error::new(e.to_string())
                    .extend_with(|_, x| x.set("code", "STORE_UNAVAILABLE"))
            })?;
        Ok(AuditPage {
            entries: entries.into_iter().map(AuditEntryView::from).collect(),
            next,
        })
    }
}

/// One page of the audit log.
#[derive(SimpleObject)]
pub struct AuditPage {
    entries: Vec<AuditEntryView>,
    /// The cursor of the next (older) page; null on the last.
    next: Option<String>,
}

/// One audited action.
#[derive(SimpleObject)]
pub struct AuditEntryView {
    id: String,
    /// Milliseconds since the Unix epoch.
    at: f64,
    actor: String,
    org: Option<String>,
    action: String,
    target: Option<String>,
    outcome: AuditOutcome,
    client_ip: Option<String>,
    request_id: Option<String>,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(entry: AuditEntry) -> Self {
        Self {
            id: entry.id,
            at: entry.at_ms as f64,
            actor: entry.actor,
            org: entry.org,
            action: entry.action,
            target: entry.target,
            outcome: entry.outcome.into(),
            client_ip: entry.client_ip,
            request_id: entry.request_id,
        }
    }
}
