//! `@deprecated` on fields, arguments, input fields and enum values: added,
//! removed or given another reason. Reported, never breaking: a deprecated
//! element still works, and deprecation is how a removal is announced.

use apollo_compiler::ast::DirectiveList;

use super::{changed, SchemaChange};

/// The reason `@deprecated` gives when it names none (GraphQL spec).
const DEFAULT_REASON: &str = "No longer supported";

/// The deprecation change of `coordinate` from `old` to `new`, if any.
pub(super) fn diff_deprecation(
    coordinate: &str,
    old: &DirectiveList,
    new: &DirectiveList,
    changes: &mut Vec<SchemaChange>,
) {
    let detail = match (reason(old), reason(new)) {
        (None, Some(reason)) => format!("deprecated: {reason}"),
        (Some(_), None) => "no longer deprecated".to_string(),
        (Some(was), Some(now)) if was != now => {
            format!("deprecation reason changed: {was} → {now}")
        }
        _ => return,
    };
    changes.push(changed(coordinate.to_string(), detail, false));
}

/// The deprecation reason, if deprecated.
fn reason(directives: &DirectiveList) -> Option<String> {
    let deprecated = directives.get("deprecated")?;
    let reason = deprecated
        .specified_argument_by_name("reason")
        .and_then(|value| value.as_str())
        .unwrap_or(DEFAULT_REASON);
    Some(reason.to_string())
}
