//! The access policy: a Casbin model (`policies/model.conf`) and its rules
//! (`policies/policy.csv`, and later the store's), read and checked here,
//! evaluated by Casbin.
//!
//! Rules are parsed by us first — `p, role, org, coordinate, action` and
//! `g, role, inherited_role`, `#` comments, blank lines — so a malformed
//! line is refused with its line number instead of being skipped; Casbin
//! then gets the rules as canonical text.

use casbin::{CoreApi, DefaultModel, Enforcer, StringAdapter};

/// What a caller does with a schema coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read a field, or a query's root field.
    Read,
    /// Run a mutation's root field.
    Write,
    /// Run a subscription's root field.
    Subscribe,
    /// See a personal data field's value in clear.
    Unmask,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Subscribe => "subscribe",
            Self::Unmask => "unmask",
        }
    }

    fn parse(text: &str) -> Option<&'static str> {
        match text {
            "read" => Some("read"),
            "write" => Some("write"),
            "subscribe" => Some("subscribe"),
            "unmask" => Some("unmask"),
            "*" => Some("*"),
            _ => None,
        }
    }
}

/// One rule of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `role` in `org` (`*`: every org) may do `action` (`*`: any) on
    /// `object` (a coordinate, maybe ending in `*`).
    Allow {
        role: String,
        org: String,
        object: String,
        action: String,
    },
    /// `role` may do whatever `inherits` may.
    Inherit { role: String, inherits: String },
}

impl Rule {
    /// The rule as a line of the policy file.
    pub fn to_line(&self) -> String {
        match self {
            Self::Allow {
                role,
                org,
                object,
                action,
            } => format!("p, {role}, {org}, {object}, {action}"),
            Self::Inherit { role, inherits } => format!("g, {role}, {inherits}"),
        }
    }
}

/// Why a policy cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("policy line {line}: {message}")]
    Line { line: usize, message: String },
    #[error("the access model is not a Casbin model: {0}")]
    Model(String),
    #[error("Casbin refused the policy: {0}")]
    Casbin(String),
}

/// A loaded policy.
pub struct AccessPolicy {
    enforcer: Enforcer,
    model: String,
    rules: Vec<Rule>,
}

impl AccessPolicy {
    /// The policy of `model` (Casbin model text) and `rules` (policy text).
    pub async fn load(model: &str, rules: &str) -> Result<Self, PolicyError> {
        let rules = parse_rules(rules)?;
        Self::with_rules(model, rules).await
    }

    /// The policy of `model` and already parsed `rules`.
    pub async fn with_rules(model: &str, rules: Vec<Rule>) -> Result<Self, PolicyError> {
        let model_text = model.to_string();
        let model = DefaultModel::from_str(model)
            .await
            .map_err(|e| PolicyError::Model(e.to_string()))?;
        let text: Vec<String> = rules.iter().map(Rule::to_line).collect();
        let enforcer = Enforcer::new(model, StringAdapter::new(text.join("\n")))
            .await
            .map_err(|e| PolicyError::Casbin(e.to_string()))?;
        Ok(Self {
            enforcer,
            model: model_text,
            rules,
        })
    }

    /// The Casbin model text the policy was read with.
    pub fn model(&self) -> &str {
        &self.model
    }

    /// The allow rules that give one of `roles`, in `org`, `action` on
    /// `object`, as policy lines (roles inherited through `g` rules count).
    /// Read with Junction's model: with another model the explanation may
    /// differ from the decision.
    pub fn explain(
        &self,
        roles: &[String],
        org: &str,
        object: &str,
        action: Action,
    ) -> Vec<String> {
        let held = self.roles_with_inherited(roles);
        self.rules
            .iter()
            .filter(|rule| match rule {
                Rule::Allow {
                    role,
                    org: rule_org,
                    object: rule_object,
                    action: rule_action,
                } => {
                    held.contains(role)
                        && (rule_org == "*" || rule_org == org)
                        && key_match(object, rule_object)
                        && (rule_action == "*" || rule_action == action.as_str())
                }
                Rule::Inherit { .. } => false,
            })
            .map(Rule::to_line)
            .collect()
    }

    /// `roles` and every role they inherit.
    fn roles_with_inherited(&self, roles: &[String]) -> Vec<String> {
        let mut held: Vec<String> = roles.to_vec();
        let mut next = 0;
        while next < held.len() {
            let role = held[next].clone();
            for rule in &self.rules {
                if let Rule::Inherit {
                    role: from,
                    inherits,
                } = rule
                {
                    if *from == role && !held.contains(inherits) {
                        held.push(inherits.clone());
                    }
                }
            }
            next += 1;
        }
        held
    }

    /// Whether any of `roles`, in `org`, may do `action` on `object`.
    /// An evaluation error counts as a refusal.
    pub fn allows(&self, roles: &[String], org: &str, object: &str, action: Action) -> bool {
        roles.iter().any(|role| {
            self.enforcer
                .enforce((role.as_str(), org, object, action.as_str()))
                .unwrap_or(false)
        })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }
}

impl std::fmt::Debug for AccessPolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessPolicy")
            .field("rules", &self.rules.len())
            .finish_non_exhaustive()
    }
}

/// The rules of a policy text, in order.
pub fn parse_rules(text: &str) -> Result<Vec<Rule>, PolicyError> {
    let numbered = parse_numbered_rules(text)?;
    Ok(numbered.into_iter().map(|(_, rule)| rule).collect())
}

/// The rules of a policy text, in order, each with its line number.
pub fn parse_numbered_rules(text: &str) -> Result<Vec<(usize, Rule)>, PolicyError> {
    let mut rules = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let fail = |message: String| PolicyError::Line {
            line: index + 1,
            message,
        };
        let fields: Vec<&str> = trimmed.split(',').map(str::trim).collect();
        rules.push((index + 1, parse_rule(&fields).map_err(fail)?));
    }
    Ok(rules)
}

fn parse_rule(fields: &[&str]) -> Result<Rule, String> {
    if fields.iter().any(|field| field.is_empty()) {
        return Err("a field is empty".into());
    }
    if let Some(bad) = fields.iter().find(|f| !f.chars().all(allowed_char)) {
        return Err(format!("{bad:?} holds a character rules do not use"));
    }
    match fields {
        ["p", role, org, object, action] => {
            let action = Action::parse(action).ok_or_else(|| {
                format!("the action {action:?} is none of read, write, subscribe, unmask, *")
            })?;
            Ok(Rule::Allow {
                role: role.to_string(),
                org: org.to_string(),
                object: object.to_string(),
                action: action.to_string(),
            })
        }
        ["g", role, inherits] => Ok(Rule::Inherit {
            role: role.to_string(),
            inherits: inherits.to_string(),
        }),
        ["p", ..] => Err("an allow rule is `p, role, org, coordinate, action`".into()),
        ["g", ..] => Err("an inheritance rule is `g, role, inherited_role`".into()),
        [kind, ..] => Err(format!("{kind:?} is neither p nor g")),
        [] => Err("empty".into()),
    }
}

/// Casbin's `keyMatch`: `pattern` up to its first `*` is a prefix of `key`
/// (or equal to it, without a `*`).
fn key_match(key: &str, pattern: &str) -> bool {
    match pattern.find('*') {
        Some(star) => key.get(..star).is_some_and(|head| head == &pattern[..star]),
        None => key == pattern,
    }
}

/// Names, coordinates and wildcards: letters, digits, `_ . * - : @`.
fn allowed_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '*' | '-' | ':' | '@')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const MODEL: &str = include_str!("../../policies/model.conf");
    const SEED: &str = include_str!("../../policies/policy.csv");

    fn roles(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[tokio::test]
    async fn the_seed_policy_gives_each_role_its_own_view() {
        let policy = AccessPolicy::load(MODEL, SEED).await.unwrap();
        let can = |role: &str, object: &str, action: Action| {
            policy.allows(&roles(&[role]), "acme", object, action)
        };
        assert!(can("viewer", "Query.topProducts", Action::Read));
        assert!(can("viewer", "Product.name", Action::Read));
        assert!(can("viewer", "User.name", Action::Read));
        assert!(!can("viewer", "User.birthday", Action::Read));
        assert!(!can("viewer", "Mutation.createReview", Action::Write));
        assert!(can("editor", "User.birthday", Action::Read), "its own rule");
        assert!(can("editor", "Query.users", Action::Read), "from viewer");
        assert!(can("editor", "Mutation.createReview", Action::Write));
        assert!(can("viewer", "User.email", Action::Read), "masked");
        assert!(!can("viewer", "User.email", Action::Unmask));
        assert!(!can("editor", "User.email", Action::Unmask));
        assert!(can("admin", "User.email", Action::Unmask));
        assert!(
            can("admin", "User.birthday", Action::Read),
            "through editor"
        );
        assert!(can("api_user", "Product.upc", Action::Read));
        assert!(!can("api_user", "Query.users", Action::Read));
        assert!(!can("nobody", "Query.topProducts", Action::Read));
        assert!(policy.allows(
            &roles(&["nobody", "viewer"]),
            "acme",
            "Review.body",
            Action::Read
        ));
        assert!(
            !can("viewer", "UserX.name", Action::Read),
            "User.* is User's"
        );
    }

    #[tokio::test]
    async fn rules_for_one_org_hold_in_that_org_only() {
        let rules = "p, auditor, acme, Query.users, read\n";
        let policy = AccessPolicy::load(MODEL, rules).await.unwrap();
        let auditor = roles(&["auditor"]);
        assert!(policy.allows(&auditor, "acme", "Query.users", Action::Read));
        assert!(!policy.allows(&auditor, "globex", "Query.users", Action::Read));
        assert!(!policy.allows(&auditor, "", "Query.users", Action::Read));
    }

    #[test]
    fn malformed_lines_are_refused_with_their_number() {
        let cases = [
            ("p, viewer, *, Query.users\n", 1, "an allow rule"),
            ("\n# c\nq, a, b\n", 3, "neither p nor g"),
            ("p, viewer, *, Query.users, delete\n", 1, "the action"),
            ("g, admin\n", 1, "an inheritance rule"),
            ("p, viewer, , Query.users, read\n", 1, "empty"),
            ("p, viewer, *, Query.users || true, read\n", 1, "character"),
        ];
        for (text, line, says) in cases {
            let error = parse_rules(text).unwrap_err().to_string();
            assert!(
                error.starts_with(&format!("policy line {line}:")),
                "{error}"
            );
            assert!(error.contains(says), "{error}");
        }
        assert_eq!(parse_rules(SEED).unwrap().len(), 19);
    }
}
