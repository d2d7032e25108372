//! Rules for the demand-control directives (`@cost`, `@listSize`), each
//! checked on the subgraph that writes it.
//!
//! `@cost` may not weigh an interface field: the cost of a field is that
//! of the implementation that resolves it (COST_APPLIED_TO_INTERFACE_FIELD;
//! an argument of an interface field may carry one).
//!
//! `@listSize` sizes a list: the field must return a list, unless
//! `sizedFields` names the list fields of the object it returns, as a
//! connection does (LIST_SIZE_APPLIED_TO_NON_LIST, also for a sized field
//! that is no list); `assumedSize` is not negative
//! (LIST_SIZE_INVALID_ASSUMED_SIZE); each slicing argument is an argument
//! of the field of type `Int` or `Int!` (LIST_SIZE_INVALID_SLICING_ARGUMENT);
//! each sized field is a field of the returned type, which must be an
//! object or interface (LIST_SIZE_INVALID_SIZED_FIELD).

use super::{error_at, fields_of};
use crate::compose::model::{ListSize, SubField, SubType, Subgraph, TypeKind};
use crate::compose::CompositionError;

pub(super) fn check(subgraph: &Subgraph) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for (ty, field) in fields_of(subgraph) {
        let coordinate = format!("{}.{}", ty.name, field.name);
        if ty.kind == TypeKind::Interface && field.common.cost.weight.is_some() {
            errors.push(error_at(
                "COST_APPLIED_TO_INTERFACE_FIELD",
                format!("@cost on interface field \"{coordinate}\": an interface field costs what its implementation does; put @cost on the implementing types' fields"),
                subgraph,
                field.common.location,
            ));
        }
        if let Some(list_size) = &field.common.cost.list_size {
            errors.extend(
                list_size_problems(subgraph, field, list_size, &coordinate)
                    .into_iter()
                    .map(|(code, message)| {
                        error_at(code, message, subgraph, field.common.location)
                    }),
            );
        }
    }
    errors
}

type Problem = (&'static str, String);

/// What is wrong with `@listSize` on the field `coordinate`, in the
/// order: not a list, assumed size, slicing arguments, sized fields.
fn list_size_problems(
    subgraph: &Subgraph,
    field: &SubField,
    list_size: &ListSize,
    coordinate: &str,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let sized_fields = list_size.sized_fields.as_deref().unwrap_or_default();
    if !field.ty.is_list() && sized_fields.is_empty() {
        problems.push((
            "LIST_SIZE_APPLIED_TO_NON_LIST",
            format!("@listSize on \"{coordinate}\", which does not return a list; without sizedFields, @listSize belongs on list fields"),
        ));
    }
    if let Some(size) = list_size.assumed_size.filter(|size| *size < 0) {
        problems.push((
            "LIST_SIZE_INVALID_ASSUMED_SIZE",
            format!("@listSize(assumedSize: {size}) on \"{coordinate}\": a list's assumed size cannot be negative"),
        ));
    }
    for name in list_size.slicing_arguments.as_deref().unwrap_or_default() {
        problems.extend(slicing_argument_problem(field, name, coordinate));
    }
    if !sized_fields.is_empty() {
        problems.extend(sized_field_problems(
            subgraph,
            field,
            sized_fields,
            coordinate,
        ));
    }
    problems
}

fn slicing_argument_problem(field: &SubField, name: &str, coordinate: &str) -> Option<Problem> {
    let code = "LIST_SIZE_INVALID_SLICING_ARGUMENT";
    let Some(arg) = field.args.iter().find(|arg| arg.name == name) else {
        return Some((
            code,
            format!("Slicing argument \"{name}\" of @listSize on \"{coordinate}\" is not an argument of the field"),
        ));
    };
    let ty = &arg.ty;
    let is_int = !ty.is_list() && ty.inner_named_type() == "Int";
    (!is_int).then(|| {
        (
            code,
            format!("Slicing argument \"{coordinate}({name}:)\" is of type {ty}; a slicing argument must be an Int or Int!"),
        )
    })
}

fn sized_field_problems(
    subgraph: &Subgraph,
    field: &SubField,
    sized_fields: &[String],
    coordinate: &str,
) -> Vec<Problem> {
    let returned = field.ty.inner_named_type();
    let Some(ty) = subgraph
        .types
        .get(returned)
        .filter(|t| super::is_composite(t.kind))
    else {
        return vec![(
            "LIST_SIZE_INVALID_SIZED_FIELD",
            format!("@listSize(sizedFields:) on \"{coordinate}\": the field returns \"{returned}\", which is not an object or interface type with fields to size"),
        )];
    };
    sized_fields
        .iter()
        .filter_map(|name| sized_field_problem(ty, name, coordinate))
        .collect()
}

fn sized_field_problem(ty: &SubType, name: &str, coordinate: &str) -> Option<Problem> {
    let Some(sized) = ty.fields.get(name) else {
        return Some((
            "LIST_SIZE_INVALID_SIZED_FIELD",
            format!("Sized field \"{name}\" of @listSize on \"{coordinate}\" is not a field of type \"{}\"", ty.name),
        ));
    };
    (!sized.ty.is_list()).then(|| {
        (
            "LIST_SIZE_APPLIED_TO_NON_LIST",
            format!(
                "Sized field \"{}.{name}\" of @listSize on \"{coordinate}\" is not a list",
                ty.name
            ),
        )
    })
}
