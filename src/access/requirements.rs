//! Access declared in the supergraph: `@authenticated`,
//! `@requiresScopes(scopes:)` and `@policy(policies:)` (the
//! `specs.apollo.dev` authenticated, requiresScopes and policy specs,
//! v0.1), read once per supergraph, with the semantics Apollo documents:
//!
//! - on a field: selecting the field needs it;
//! - on a type (object, interface, scalar, enum): selecting any field
//!   whose type is that type needs it;
//! - `scopes` and `policies` are lists of alternatives, each a list of
//!   names that must all hold: `[["a", "b"], ["c"]]` is (a and b) or c;
//! - several requirements on one selection must all hold.
//!
//! A scope holds when the caller's token or key carries it; a policy name
//! holds when the caller's roles may `read` it as a Casbin object (see
//! [`super::AccessPolicy`]). The directives' names follow the supergraph's
//! `@link(as:)` when it renames them.

use std::collections::HashMap;

use apollo_compiler::ast::Value;
use apollo_compiler::schema::{Directive, ExtendedType};
use apollo_compiler::{Name, Node, Schema};

/// Alternatives, each a list of names that must all hold.
pub type Alternatives = Vec<Vec<String>>;

/// What selecting one element needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requirement {
    pub authenticated: bool,
    pub scopes: Option<Alternatives>,
    pub policies: Option<Alternatives>,
}

impl Requirement {
    fn is_empty(&self) -> bool {
        !self.authenticated && self.scopes.is_none() && self.policies.is_none()
    }
}

/// The requirements of a supergraph, by field and by type.
#[derive(Debug, Default)]
pub struct Requirements {
    fields: HashMap<(Name, Name), Requirement>,
    types: HashMap<Name, Requirement>,
}

/// The caller facts requirements are checked against.
pub struct Holder<'a, P: Fn(&str) -> bool> {
    pub authenticated: bool,
    pub scopes: &'a [String],
    /// Whether the caller may have the named policy.
    pub policy: P,
}

impl Requirements {
    /// The requirements declared in `supergraph` (the whole schema, before
    /// the API schema drops the directives).
    pub fn of(supergraph: &Schema) -> Self {
        let mut found = Self::default();
        let Some(names) = DirectiveNames::of(supergraph) else {
            return found;
        };
        for (type_name, ty) in &supergraph.types {
            let on_type = names.requirement(ty.directives().iter().map(|d| &***d));
            if !on_type.is_empty() {
                found.types.insert(type_name.clone(), on_type);
            }
            let fields: Vec<(&Name, &Node<apollo_compiler::schema::FieldDefinition>)> = match ty {
                ExtendedType::Object(o) => o.fields.iter().map(|(n, f)| (n, &f.node)).collect(),
                ExtendedType::Interface(i) => i.fields.iter().map(|(n, f)| (n, &f.node)).collect(),
                _ => Vec::new(),
            };
            for (field_name, field) in fields {
                let on_field = names.requirement(field.directives.iter().map(|d| &**d));
                if !on_field.is_empty() {
                    found
                        .fields
                        .insert((type_name.clone(), field_name.clone()), on_field);
                }
            }
        }
        found
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.types.is_empty()
    }

    /// Every name `@policy` uses.
    pub fn policy_names(&self) -> impl Iterator<Item = &str> {
        self.fields
            .values()
            .chain(self.types.values())
            .filter_map(|requirement| requirement.policies.as_ref())
            .flatten()
            .flatten()
            .map(String::as_str)
    }

    /// Whether selecting `parent.field`, of type `field_type`, is allowed
    /// to the holder.
    pub fn allow<P: Fn(&str) -> bool>(
        &self,
        parent: &Name,
        field: &Name,
        field_type: &Name,
        holder: &Holder<'_, P>,
    ) -> bool {
        let on_field = self.fields.get(&(parent.clone(), field.clone()));
        let on_type = self.types.get(field_type);
        [on_field, on_type]
            .into_iter()
            .flatten()
            .all(|requirement| holds(requirement, holder))
    }
}

fn holds<P: Fn(&str) -> bool>(requirement: &Requirement, holder: &Holder<'_, P>) -> bool {
    if requirement.authenticated && !holder.authenticated {
        return false;
    }
    let scope_held = |scope: &str| holder.scopes.iter().any(|s| s == scope);
    let scopes_hold = requirement
        .scopes
        .as_ref()
        .is_none_or(|alternatives| any_all(alternatives, &scope_held));
    let policies_hold = requirement
        .policies
        .as_ref()
        .is_none_or(|alternatives| any_all(alternatives, &holder.policy));
    // Scopes and policies need an authenticated caller as well.
    let needs_caller = requirement.scopes.is_some() || requirement.policies.is_some();
    scopes_hold && policies_hold && (!needs_caller || holder.authenticated)
}

fn any_all(alternatives: &Alternatives, holds: &impl Fn(&str) -> bool) -> bool {
    alternatives
        .iter()
        .any(|all| all.iter().all(|name| holds(name)))
}

/// The names the three directives have in one supergraph.
#[derive(Debug, Default)]
struct DirectiveNames {
    authenticated: Option<Name>,
    scopes: Option<Name>,
    policy: Option<Name>,
}

impl DirectiveNames {
    /// From the schema's `@link`s; `None` when it links none of the specs.
    fn of(supergraph: &Schema) -> Option<Self> {
        let mut names = Self::default();
        for link in supergraph.schema_definition.directives.get_all("link") {
            let Some(url) = link
                .specified_argument_by_name("url")
                .and_then(|v| v.as_str())
            else {
                continue;
            };
            let spec = ["authenticated", "requiresScopes", "policy"]
                .into_iter()
                .find(|spec| url.starts_with(&format!("https://specs.apollo.dev/{spec}/v0.")));
            let Some(spec) = spec else {
                continue;
            };
            let alias = link
                .specified_argument_by_name("as")
                .and_then(|v| v.as_str())
                .unwrap_or(spec);
            let Ok(name) = Name::new(alias) else {
                continue;
            };
            match spec {
                "authenticated" => names.authenticated = Some(name),
                "requiresScopes" => names.scopes = Some(name),
                _ => names.policy = Some(name),
            }
        }
        let any = names.authenticated.is_some() || names.scopes.is_some() || names.policy.is_some();
        any.then_some(names)
    }

    fn requirement<'d>(&self, directives: impl Iterator<Item = &'d Directive>) -> Requirement {
        let mut requirement = Requirement::default();
        for directive in directives {
            let is = |name: &Option<Name>| name.as_ref() == Some(&directive.name);
            if is(&self.authenticated) {
                requirement.authenticated = true;
            } else if is(&self.scopes) {
                requirement.scopes = alternatives(directive, "scopes");
            } else if is(&self.policy) {
                requirement.policies = alternatives(directive, "policies");
            }
        }
        requirement
    }
}

/// A `[[String]]` argument.
fn alternatives(directive: &Directive, argument: &str) -> Option<Alternatives> {
    let Value::List(outer) = &**directive.specified_argument_by_name(argument)? else {
        return None;
    };
    let lists = outer.iter().map(|inner| match &**inner {
        Value::List(names) => names
            .iter()
            .filter_map(|name| name.as_str().map(str::to_string))
            .collect(),
        Value::String(one) => vec![one.clone()],
        _ => Vec::new(),
    });
    Some(lists.collect())
}
