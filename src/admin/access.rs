//! The admin API's part for access control: the rules in force (the
//! policy file's and the store's), adding and removing stored rules
//! (every replica applies them within a second), and `checkAccess`, which
//! says whether roles may do an action on a coordinate and which rules
//! allow it.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, Object, SimpleObject};

use crate::access::{
    parse_rules, Access, Action, PolicyError, Rule, StoredRules, StoredRulesError,
};

#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// The rules in force on this replica (the policy file's, then the
    /// store's), as policy lines; empty when only the supergraph's
    /// directives decide.
    async fn access_rules(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AccessRule>> {
        let stored = stored(ctx)?.read().await.map_err(to_error)?.0;
        let (policy, _) = access(ctx)?.current();
        let rules = policy.map(|p| p.rules().to_vec()).unwrap_or_default();
        Ok(rules
            .iter()
            .map(|rule| AccessRule {
                rule: rule.to_line(),
                stored: stored.contains(rule),
            })
            .collect())
    }

    /// Whether any of `roles`, in `org`, may do `action` (`read`, `write`,
    /// `subscribe`, `unmask`) on `object` (a schema coordinate or a
    /// `@policy` name), and the rules that allow it.
    async fn check_access(
        &self,
        ctx: &Context<'_>,
        roles: Vec<String>,
        org: Option<String>,
        object: String,
        action: String,
    ) -> async_graphql::Result<AccessCheck> {
        let action = parse_action(&action)?;
        let (policy, _) = access(ctx)?.current();
        let Some(policy) = policy else {
            return Ok(AccessCheck {
                allowed: true,
                rules: Vec::new(),
                reason: "no policy is configured: only the supergraph's directives decide".into(),
            });
        };
        let org = org.unwrap_or_default();
        let allowed = policy.allows(&roles, &org, &object, action);
        let rules = policy.explain(&roles, &org, &object, action);
        let reason = match allowed {
            true => "allowed by the rules listed".to_string(),
            false => "no rule allows it (whatever no rule allows is denied)".to_string(),
        };
        Ok(AccessCheck {
            allowed,
            rules,
            reason,
        })
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
