//! Reads the arguments of federation's access-control and demand-control
//! directives (`@requiresScopes`, `@policy`, `@cost`, `@listSize`).

use apollo_compiler::ast::{Directive, Value};

use crate::compose::model::ListSize;

/// `scopes:`/`policies:`: a list of lists of strings (`None` if malformed).
pub(super) fn requirement(directive: &Directive, argument: &str) -> Option<Vec<Vec<String>>> {
    let Value::List(alternatives) = &**directive.specified_argument_by_name(argument)? else {
        return None;
    };
    alternatives
        .iter()
        .map(|all| strings(all))
        .collect::<Option<Vec<_>>>()
}

/// `@cost(weight:)`.
pub(super) fn weight(directive: &Directive) -> Option<i32> {
    int(directive, "weight")
}

/// `@listSize(…)`, its absent arguments `None`.
pub(super) fn list_size(directive: &Directive) -> ListSize {
    let list = |name: &str| {
        directive
            .specified_argument_by_name(name)
            .and_then(|value| strings(value))
    };
    ListSize {
        assumed_size: int(directive, "assumedSize"),
        slicing_arguments: list("slicingArguments"),
        sized_fields: list("sizedFields"),
        require_one_slicing_argument: directive
            .specified_argument_by_name("requireOneSlicingArgument")
            .and_then(|value| value.to_bool()),
    }
}

fn int(directive: &Directive, name: &str) -> Option<i32> {
    directive.specified_argument_by_name(name)?.to_i32()
}

/// A list of strings (a single string counts as a list of one, as input
/// coercion has it).
fn strings(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::List(items) => items
            .iter()
            .map(|item| item.as_str().map(ToString::to_string))
            .collect(),
        Value::String(one) => Some(vec![one.clone()]),
        _ => None,
    }
}
