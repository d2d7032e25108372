//! The access-control and demand-control features in the supergraph:
//! their `@link`s, directive definitions, scalars and applications.

use super::text::quoted;
use crate::compose::access::{ListSize, Requirement};
use crate::compose::model::{AccessUse, Common};

const AUTHENTICATED: &str =
    "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM";
const REQUIRES_SCOPES: &str = "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM";
const POLICY: &str = "directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM";
const COST: &str = "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR";
const LIST_SIZE: &str = "directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION";

/// The `@link`s of the features in use.
pub(super) fn links(uses: AccessUse) -> Vec<String> {
    let security = |feature: &str| {
        format!("@link(url: \"https://specs.apollo.dev/{feature}/v0.1\", for: SECURITY)")
    };
    let mut links = Vec::new();
    if uses.authenticated {
        links.push(security("authenticated"));
    }
    if uses.scopes {
        links.push(security("requiresScopes"));
    }
    if uses.policies {
        links.push(security("policy"));
    }
    if uses.cost || uses.list_size {
        let import = if uses.list_size {
            ", import: [\"@listSize\"]"
        } else {
            ""
        };
        links.push(format!(
            "@link(url: \"https://specs.apollo.dev/cost/v0.1\"{import})"
        ));
    }
    links
}

/// `(name, text)` of the directive definitions in use.
pub(super) fn directive_definitions(uses: AccessUse) -> Vec<(String, String)> {
    [
        (uses.authenticated, "authenticated", AUTHENTICATED),
        (uses.scopes, "requiresScopes", REQUIRES_SCOPES),
        (uses.policies, "policy", POLICY),
        (uses.cost, "cost", COST),
        (uses.list_size, "listSize", LIST_SIZE),
    ]
    .into_iter()
    .filter(|(used, _, _)| *used)
    .map(|(_, name, text)| (name.to_string(), text.to_string()))
    .collect()
}

/// `(name, text)` of the scalars the directives in use need.
pub(super) fn scalars(uses: AccessUse) -> Vec<(String, String)> {
    [
        (uses.scopes, "requiresScopes__Scope"),
        (uses.policies, "policy__Policy"),
    ]
    .into_iter()
    .filter(|(used, _)| *used)
    .map(|(_, scalar)| (scalar.to_string(), format!("scalar {scalar}")))
    .collect()
}

/// The element's access-control and demand-control directives.
pub(super) fn applications(common: &Common) -> Vec<String> {
    let mut out = Vec::new();
    if common.access.authenticated {
        out.push("@authenticated".to_string());
    }
    if let Some(scopes) = &common.access.scopes {
        out.push(format!("@requiresScopes(scopes: {})", requirement(scopes)));
    }
    if let Some(policies) = &common.access.policies {
        out.push(format!("@policy(policies: {})", requirement(policies)));
    }
    if let Some(weight) = common.cost.weight {
        out.push(format!("@cost(weight: {weight})"));
    }
    if let Some(list_size) = &common.cost.list_size {
        out.push(list_size_application(list_size));
    }
    out
}

fn requirement(alternatives: &Requirement) -> String {
    let inner: Vec<String> = alternatives.iter().map(|all| strings(all)).collect();
    format!("[{}]", inner.join(", "))
}

fn strings(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quoted(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn list_size_application(list_size: &ListSize) -> String {
    let mut args = Vec::new();
    if let Some(size) = list_size.assumed_size {
        args.push(format!("assumedSize: {size}"));
    }
    if let Some(names) = &list_size.slicing_arguments {
        args.push(format!("slicingArguments: {}", strings(names)));
    }
    if let Some(names) = &list_size.sized_fields {
        args.push(format!("sizedFields: {}", strings(names)));
    }
    if let Some(required) = list_size.require_one_slicing_argument {
        args.push(format!("requireOneSlicingArgument: {required}"));
    }
    if args.is_empty() {
        "@listSize".to_string()
    } else {
        format!("@listSize({})", args.join(", "))
    }
}
