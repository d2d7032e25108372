//! `@context` and `@fromContext` (federation v2.8): an argument marked
//! `@fromContext(field: "$name <selection>")` is filled by the router from
//! the nearest enclosing type that declares `@context(name: "name")`. It
//! leaves the field's arguments and becomes a [`ContextArgument`] of the
//! field, named in the supergraph `<subgraph>__<name>`.
//!
//! Checked here: every context name is letters and digits, starting with
//! a letter (no underscore: the supergraph name joins subgraph and
//! context with `__`); the context exists in the subgraph; and the
//! selection's first-level field exists on each type declaring it (or on
//! the type of an inline fragment that applies to it) with a type the
//! argument accepts; and the argument has no default value (the router
//! fills it, so a default would never be used: CONTEXT_NOT_SET, as Apollo).

use apollo_compiler::ast::Type;
use apollo_compiler::Name;

use crate::compose::model::{ContextArgument, SubType, Subgraph, TypeKind};
use crate::compose::CompositionError;

/// Moves every `@fromContext` argument of `subgraph` into its field's
/// context arguments, or reports why one cannot be filled.
pub(super) fn resolve_context_arguments(
    subgraph: &mut Subgraph,
) -> Result<(), Vec<CompositionError>> {
    let mut errors = invalid_context_names(subgraph);
    let mut resolved: Vec<(Name, Name, ContextArgument)> = Vec::new();
    for ty in subgraph.types.values() {
        for field in ty.fields.values() {
            for arg in &field.args {
                let Some(value) = &arg.from_context else {
                    continue;
                };
                let coordinate = format!("{}.{}({}:)", ty.name, field.name, arg.name);
                if arg.default.is_some() {
                    let message = format!(
                        "@fromContext arguments may not have a default value: \"{coordinate}\"."
                    );
                    errors.push(
                        CompositionError::new("CONTEXT_NOT_SET", message)
                            .at(&subgraph.name, arg.common.location),
                    );
                    continue;
                }
                match context_argument(subgraph, value, &arg.name, &arg.ty, &coordinate) {
                    Ok(context) => resolved.push((ty.name.clone(), field.name.clone(), context)),
                    Err((code, message)) => errors.push(
                        CompositionError::new(code, message)
                            .at(&subgraph.name, arg.common.location),
                    ),
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (type_name, field_name, context) in resolved {
        if let Some(field) = subgraph
            .types
            .get_mut(&type_name)
            .and_then(|ty| ty.fields.get_mut(&field_name))
        {
            field.args.retain(|arg| arg.name != context.name.as_str());
            field.context_arguments.push(context);
        }
    }
    Ok(())
}

/// CONTEXT_NAME_INVALID for every `@context(name:)` that is not a
/// letter followed by letters and digits.
fn invalid_context_names(subgraph: &Subgraph) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for ty in subgraph.types.values() {
        for name in &ty.contexts {
            let problem = if name.contains('_') {
                "may not contain an underscore"
            } else if !name.starts_with(|c: char| c.is_ascii_alphabetic())
                || !name.chars().all(|c| c.is_ascii_alphanumeric())
            {
                "must be ASCII letters and digits, starting with a letter"
            } else {
                continue;
            };
            let message = format!(
                "Context name \"{name}\" declared on type \"{}\" {problem}",
                ty.name
            );
            errors.push(
                CompositionError::new("CONTEXT_NAME_INVALID", message)
                    .at(&subgraph.name, ty.common.location),
            );
        }
    }
    errors
}

type Failure = (&'static str, String);

fn context_argument(
    subgraph: &Subgraph,
    value: &str,
    arg_name: &Name,
    arg_ty: &Type,
    coordinate: &str,
) -> Result<ContextArgument, Failure> {
    let (name, selection) = split_value(value).ok_or_else(|| {
        (
            "NO_CONTEXT_IN_SELECTION",
            format!("@fromContext(field: \"{value}\") on \"{coordinate}\" must start with the context's name, as in \"$myContext {{ field }}\""),
        )
    })?;
    let holders: Vec<&SubType> = subgraph
        .types
        .values()
        .filter(|ty| ty.contexts.iter().any(|c| c == name))
        .collect();
    if holders.is_empty() {
        return Err((
            "CONTEXT_NOT_SET",
            format!("Context \"{name}\" used by \"{coordinate}\" is not declared by any type of subgraph \"{}\" (add @context(name: \"{name}\") to the type it comes from)", subgraph.name),
        ));
    }
    for holder in holders {
        check_selection(subgraph, holder, selection, arg_ty).map_err(|problem| {
            (
                "CONTEXT_INVALID_SELECTION",
                format!("Context \"{name}\" used by \"{coordinate}\": {problem}"),
            )
        })?;
    }
    Ok(ContextArgument {
        context: format!("{}__{name}", subgraph.name),
        name: arg_name.to_string(),
        ty: arg_ty.to_string(),
        selection: selection.to_string(),
    })
}

/// `"$name rest"` → (`name`, `" rest"`).
fn split_value(value: &str) -> Option<(&str, &str)> {
    let rest = value.trim_start().strip_prefix('$')?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    (end > 0).then(|| rest.split_at(end))
}

/// The selection's first-level fields, each with the type condition of
/// the inline fragment it is in (`None`: directly on the context's type).
fn first_level_fields(selection: &str) -> Vec<(Option<String>, String)> {
    let spaced = selection.replace('{', " { ").replace('}', " } ");
    let tokens: Vec<String> = spaced.split_whitespace().map(str::to_string).collect();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut condition: Option<&str> = None;
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i].as_str() {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    condition = None;
                }
            }
            "..." if tokens.get(i + 1).map(String::as_str) == Some("on") => {
                condition = tokens.get(i + 2).map(String::as_str);
                i += 2;
            }
            field if depth == 1 || (depth == 2 && condition.is_some()) => {
                out.push((condition.map(str::to_string), field.to_string()));
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn check_selection(
    subgraph: &Subgraph,
    holder: &SubType,
    selection: &str,
    arg_ty: &Type,
) -> Result<(), String> {
    let fields = first_level_fields(selection);
    let applicable: Vec<(&SubType, &str)> = fields
        .iter()
        .filter_map(|(condition, field)| {
            let target = match condition {
                None => holder,
                Some(name) => subgraph.types.get(name.as_str())?,
            };
            applies_to(target, holder).then_some((target, field.as_str()))
        })
        .collect();
    if applicable.is_empty() {
        return Err(format!(
            "the selection \"{}\" selects nothing on type \"{}\"",
            selection.trim(),
            holder.name
        ));
    }
    for (target, field_name) in applicable {
        let Some(field) = target.fields.get(field_name) else {
            return Err(format!(
                "type \"{}\" has no field \"{field_name}\"",
                target.name
            ));
        };
        if let Some(required) = field
            .args
            .iter()
            .find(|arg| arg.ty.is_non_null() && arg.default.is_none())
        {
            return Err(format!(
                "\"{}.{field_name}\" is selected without a value for its required argument \"{}\"",
                target.name, required.name
            ));
        }
        if !accepts(arg_ty, &field.ty) && !selection.contains(&format!("{field_name} {{")) {
            return Err(format!(
                "\"{}.{field_name}\" is of type {} but the argument is of type {arg_ty}",
                target.name, field.ty
            ));
        }
    }
    Ok(())
}

/// An inline fragment on `target` applies to a value of type `holder`.
fn applies_to(target: &SubType, holder: &SubType) -> bool {
    target.name == holder.name
        || (target.kind == TypeKind::Object
            && (target.implements.contains(&holder.name) || holder.members.contains(&target.name)))
}

/// An argument of type `arg` accepts a value of type `value`: the same
/// type, or a non-null one where the argument is nullable.
fn accepts(arg: &Type, value: &Type) -> bool {
    arg == value || (!arg.is_non_null() && value.is_non_null() && &value.clone().nullable() == arg)
}
