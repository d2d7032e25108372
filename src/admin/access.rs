//! The admin API's part for access control: the rules in force (the
//! policy file's and the store's), adding and removing stored rules
//! (every replica applies them within a second), and `checkAccess`, which
//! says whether roles — given, or those of a user or API key — may do an
//! action on a coordinate and which rules allow it.
//!
//! An org admin ([`AdminScope`]) sees the `p` rules of its org and of
//! every org (`*`), and adds or removes only its org's; a `*` rule or a
//! `g` rule (which holds in every org) is `FORBIDDEN` to it. Its
//! `checkAccess` is about its own org, and a subject of another org is
//! `NOT_FOUND`.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, Object, SimpleObject};

use super::scope::{forbidden, AdminScope};
use crate::access::{
    parse_rules, Access, AccessPolicy, Action, PolicyError, Rule, StoredRules, StoredRulesError,
};
use crate::identity::api_keys::ApiKeys;
use crate::identity::users::Users;

#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// The rules in force on this replica (the policy file's, then the
    /// store's), as policy lines; empty when only the supergraph's
    /// directives decide. An org admin sees the `p` rules of its org and
    /// of every org (`*`) only.
    async fn access_rules(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AccessRule>> {
        let scope = AdminScope::of(ctx);
        let stored = stored(ctx)?.read().await.map_err(to_error)?.0;
        let (policy, _) = access(ctx)?.current();
        let rules = policy.map(|p| p.rules().to_vec()).unwrap_or_default();
        Ok(rules
            .iter()
            .filter(|rule| visible(&scope, rule))
            .map(|rule| AccessRule {
                rule: rule.to_line(),
                stored: stored.contains(rule),
            })
            .collect())
    }

    /// Whether any of `roles`, in `org`, may do `action` (`read`, `write`,
    /// `subscribe`, `unmask`) on `object` (a schema coordinate or a
    /// `@policy` name), and the rules that allow it. Instead of `roles`, a
    /// `subject` (a user's or an API key's id) may be given: its roles,
    /// and its org unless `org` is given, are looked up (`NOT_FOUND` when
    /// there is none). Exactly one of `roles` and `subject`. An org admin
    /// asks about its own org only (another `org` is `FORBIDDEN`).
    async fn check_access(
        &self,
        ctx: &Context<'_>,
        roles: Option<Vec<String>>,
        subject: Option<String>,
        org: Option<String>,
        object: String,
        action: String,
    ) -> async_graphql::Result<AccessCheck> {
        let action = parse_action(&action)?;
        let org = AdminScope::of(ctx).org_within(org)?;
        let asked = match (roles, subject) {
            (Some(roles), None) => Asked {
                roles,
                org,
                note: None,
            },
            (None, Some(subject)) => asked_by_subject(ctx, &subject, org).await?,
            _ => return Err(bad_input("give exactly one of roles and subject")),
        };
        let (policy, _) = access(ctx)?.current();
        Ok(decide(policy.as_deref(), asked, &object, action))
    }
}

/// Whose access a `checkAccess` asks about.
struct Asked {
    roles: Vec<String>,
    org: Option<String>,
    /// Why the subject cannot make requests at all, if it cannot.
    note: Option<&'static str>,
}

/// The roles and org of user or API key `id` (the org `org` instead, when
/// given); `NOT_FOUND` when there is none within the request's reach.
async fn asked_by_subject(
    ctx: &Context<'_>,
    id: &str,
    org: Option<String>,
) -> async_graphql::Result<Asked> {
    let found = match user_subject(ctx, id).await? {
        Some(user) => Some(user),
        None => key_subject(ctx, id).await?,
    };
    let scope = AdminScope::of(ctx);
    let mut asked = found
        .filter(|asked| scope.covers(asked.org.as_deref()))
        .ok_or_else(|| {
            async_graphql::Error::new(format!("no user or API key with id \"{id}\""))
                .extend_with(|_, e| e.set("code", "NOT_FOUND"))
        })?;
    if org.is_some() {
        asked.org = org;
    }
    Ok(asked)
}

async fn user_subject(ctx: &Context<'_>, id: &str) -> async_graphql::Result<Option<Asked>> {
    let found = ctx.data::<Users>()?.get(id).await;
    Ok(found.map_err(super::users::to_error)?.map(|user| Asked {
        note: user
            .disabled
            .then_some("the user is disabled: it cannot log in"),
        roles: user.roles,
        org: user.org,
    }))
}

async fn key_subject(ctx: &Context<'_>, id: &str) -> async_graphql::Result<Option<Asked>> {
    let found = ctx.data::<ApiKeys>()?.get(id).await;
    Ok(found
        .map_err(super::api_keys::to_error)?
        .map(|(key, _)| Asked {
            note: key
                .revoked_at_ms
                .is_some()
                .then_some("the API key is revoked: every request with it is refused"),
            roles: key.roles,
            org: key.org,
        }))
}

/// The answer of `policy` (none: only the supergraph's directives decide).
fn decide(
    policy: Option<&AccessPolicy>,
    asked: Asked,
    object: &str,
    action: Action,
) -> AccessCheck {
    let Some(policy) = policy else {
        return AccessCheck {
            allowed: true,
            rules: Vec::new(),
            reason: with_note(
                "no policy is configured: only the supergraph's directives decide",
                asked.note,
            ),
            roles: asked.roles,
            org: asked.org,
        };
    };
    let org = asked.org.clone().unwrap_or_default();
    let allowed = policy.allows(&asked.roles, &org, object, action);
    let rules = policy.explain(&asked.roles, &org, object, action);
    let reason = match allowed {
        true => "allowed by the rules listed",
        false => "no rule allows it (whatever no rule allows is denied)",
    };
    AccessCheck {
        allowed,
        rules,
        reason: with_note(reason, asked.note),
        roles: asked.roles,
        org: asked.org,
    }
}

fn with_note(reason: &str, note: Option<&str>) -> String {
    match note {
        Some(note) => format!("{reason} (but {note})"),
        None => reason.to_string(),
    }
}

#[derive(Default)]
pub struct AccessMutation;

#[Object]
impl AccessMutation {
    /// Adds a rule to the store (`p, role, org, coordinate, action` or
    /// `g, role, inherited_role`); every replica applies it within a second.
    async fn add_access_rule(
        &self,
        ctx: &Context<'_>,
        rule: String,
    ) -> async_graphql::Result<AccessRuleChange> {
        let parsed = one_rule(&rule)?;
        may_change(&AdminScope::of(ctx), &parsed)?;
        let line = parsed.to_line();
        let changed = stored(ctx)?.add(parsed).await.map_err(to_error)?;
        super::name_audit_target(ctx, &line);
        Ok(AccessRuleChange {
            rule: line,
            changed,
        })
    }

    /// Removes a rule from the store (a policy file's rule stays: edit the
    /// file).
    async fn remove_access_rule(
        &self,
        ctx: &Context<'_>,
        rule: String,
    ) -> async_graphql::Result<AccessRuleChange> {
        let parsed = one_rule(&rule)?;
        may_change(&AdminScope::of(ctx), &parsed)?;
        let line = parsed.to_line();
        let changed = stored(ctx)?.remove(&parsed).await.map_err(to_error)?;
        super::name_audit_target(ctx, &line);
        Ok(AccessRuleChange {
            rule: line,
            changed,
        })
    }
}

/// One rule in force.
#[derive(SimpleObject)]
pub struct AccessRule {
    /// The rule as a policy line.
    rule: String,
    /// It is kept in the store (else it comes from the policy file).
    stored: bool,
}

/// What adding or removing a rule did.
#[derive(SimpleObject)]
pub struct AccessRuleChange {
    /// The rule, as a policy line.
    rule: String,
    /// False when the rule was there already (add) or was not (remove).
    changed: bool,
}

/// The answer of `checkAccess`.
#[derive(SimpleObject)]
pub struct AccessCheck {
    allowed: bool,
    /// The rules that allow it, as policy lines.
    rules: Vec<String>,
    reason: String,
    /// The roles asked about (the subject's, when asked by subject).
    roles: Vec<String>,
    /// The org asked about (null: none).
    org: Option<String>,
}

/// Whether a rule is shown to `scope`: to an org admin, the `p` rules of
/// its org and of every org.
fn visible(scope: &AdminScope, rule: &Rule) -> bool {
    match (scope, rule) {
        (AdminScope::Global, _) => true,
        (AdminScope::Org(own), Rule::Allow { org, .. }) => org == own || org == "*",
        (AdminScope::Org(_), Rule::Inherit { .. }) => false,
    }
}

/// Whether `scope` may add or remove `rule`: an org admin, only a `p`
/// rule of its own org (never one of every org, `*`).
fn may_change(scope: &AdminScope, rule: &Rule) -> async_graphql::Result<()> {
    match (scope, rule) {
        (AdminScope::Global, _) => Ok(()),
        (AdminScope::Org(own), Rule::Allow { org, .. }) if org == own && org != "*" => Ok(()),
        (AdminScope::Org(_), Rule::Allow { .. }) => Err(forbidden(
            "an org admin may add or remove rules of its own org only",
        )),
        (AdminScope::Org(_), Rule::Inherit { .. }) => Err(forbidden(
            "a g rule holds in every org: only a global admin may change it",
        )),
    }
}

fn one_rule(text: &str) -> async_graphql::Result<Rule> {
    let mut rules = parse_rules(text).map_err(|e| bad_input(&e.to_string()))?;
    match (rules.pop(), rules.is_empty()) {
        (Some(rule), true) => Ok(rule),
        _ => Err(bad_input("give exactly one rule")),
    }
}

fn parse_action(text: &str) -> async_graphql::Result<Action> {
    match text {
        "read" => Ok(Action::Read),
        "write" => Ok(Action::Write),
        "subscribe" => Ok(Action::Subscribe),
        "unmask" => Ok(Action::Unmask),
        _ => Err(bad_input("action is one of read, write, subscribe, unmask")),
    }
}

fn stored<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c StoredRules> {
    ctx.data::<StoredRules>()
}

fn access<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Arc<Access>> {
    ctx.data_opt::<Arc<Access>>().ok_or_else(|| {
        async_graphql::Error::new("this admin API was built without the gateway's access control")
            .extend_with(|_, e| e.set("code", "ACCESS_UNAVAILABLE"))
    })
}

fn bad_input(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "BAD_USER_INPUT"))
}

fn to_error(error: StoredRulesError) -> async_graphql::Error {
    let code = match &error {
        StoredRulesError::Rule(PolicyError::Line { .. }) => "BAD_USER_INPUT",
        StoredRulesError::Full => "TOO_MANY_RULES",
        StoredRulesError::Store(_) | StoredRulesError::Contended => "STORE_UNAVAILABLE",
        StoredRulesError::Rule(_) | StoredRulesError::Corrupt(_) => "INTERNAL_SERVER_ERROR",
    };
    async_graphql::Error::new(error.to_string()).extend_with(|_, e| e.set("code", code))
}
