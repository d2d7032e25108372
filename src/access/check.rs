//! Checking a policy against a supergraph before it goes live: every
//! rule's object must name something that exists — a field (`User.email`),
//! a type's fields (`User.*`), everything (`*`), or a `@policy` name the
//! supergraph uses — so a renamed field cannot silently drop a rule.

use apollo_compiler::schema::ExtendedType;
use apollo_compiler::Schema;

use super::policy::{parse_numbered_rules, PolicyError, Rule};
use super::{PiiFields, Requirements};

/// One rule that names nothing in the supergraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleProblem {
    /// The line of the policy file.
    pub line: usize,
    pub rule: String,
    pub message: String,
}

/// The problems of the rules in `policy` against `api_schema` (the
/// schema clients see) and the `@policy` names of `requirements`.
pub fn check_policy(
    policy: &str,
    api_schema: &Schema,
    requirements: &Requirements,
) -> Result<Vec<RuleProblem>, PolicyError> {
    let problems = parse_numbered_rules(policy)?
        .into_iter()
        .filter_map(|(line, rule)| {
            let Rule::Allow { object, .. } = &rule else {
                return None;
            };
            let message = unknown_object(object, api_schema, requirements)?;
            Some(RuleProblem {
                line,
                rule: rule.to_line(),
                message,
            })
        })
        .collect();
    Ok(problems)
}

/// The coordinates of `pii` (a PII rules file) that name no field of
/// `api_schema`, each with why.
pub fn check_pii(pii: &PiiFields, api_schema: &Schema) -> Vec<(String, String)> {
    let none = Requirements::default();
    pii.coordinates()
        .filter_map(|coordinate| {
            let message = unknown_object(&coordinate, api_schema, &none)
                .or_else(|| not_text(&coordinate, api_schema))?;
            Some((coordinate, message))
        })
        .collect()
}

/// Why the field at `coordinate` cannot hold masked or hashed text (its
/// values would be null): its type is not `String`, `ID` or a list of them.
fn not_text(coordinate: &str, schema: &Schema) -> Option<String> {
    let (type_name, field) = coordinate.split_once('.')?;
    let ty = match schema.types.get(type_name)? {
        ExtendedType::Object(o) => &o.fields.get(field)?.ty,
        ExtendedType::Interface(i) => &i.fields.get(field)?.ty,
        _ => return None,
    };
    let named = ty.inner_named_type().as_str();
    (!matches!(named, "String" | "ID")).then(|| {
        format!("{coordinate} is of type {ty}: only String and ID values can be masked or hashed (any other value becomes null)")
    })
}

/// Why `object` names nothing, or `None` when it names something.
fn unknown_object(object: &str, schema: &Schema, requirements: &Requirements) -> Option<String> {
    if object == "*" || requirements.policy_names().any(|name| name == object) {
        return None;
    }
    let Some((type_name, field)) = object.split_once('.') else {
        return Some(format!(
            "{object:?} is neither a coordinate (Type.field, Type.*) nor a @policy name of the supergraph"
        ));
    };
    let Some(ty) = schema.types.get(type_name) else {
        return Some(format!("the supergraph has no type {type_name}"));
    };
    if field == "*" {
        return None;
    }
    let has_field = match ty {
        ExtendedType::Object(o) => o.fields.contains_key(field),
        ExtendedType::Interface(i) => i.fields.contains_key(field),
        _ => false,
    };
    (!has_field).then(|| format!("{type_name} has no field {field}"))
}
