//! What a subgraph's `@provides` directives provide: the (type, field)
//! pairs their field sets name, each on the type it is selected from
//! (the providing field's return type, a nested field's type, or a
//! fragment's type condition). A field a subgraph marks `@external` is
//! still resolved there when one of these names it.

use std::collections::HashSet;

use super::model::Subgraph;
use super::subgraph::{parse_field_set, Selection};

/// Every (type, field) some `@provides` of `subgraph` names.
pub(crate) fn provided_fields(subgraph: &Subgraph) -> HashSet<(String, String)> {
    let mut provided = HashSet::new();
    for ty in subgraph.types.values() {
        for field in ty.fields.values() {
            let Some(selections) = field.provides.as_deref().and_then(parse_field_set) else {
                continue;
            };
            let returns = field.ty.inner_named_type().as_str();
            collect(subgraph, returns, &selections, &mut provided);
        }
    }
    provided
}

/// Does a `@provides` of `subgraph` name `ty.field`? (Looked up in the
/// set worked out when the subgraph was read.)
pub(crate) fn is_provided(subgraph: &Subgraph, ty: &str, field: &str) -> bool {
    subgraph
        .provided
        .contains(&(ty.to_string(), field.to_string()))
}

fn collect(
    subgraph: &Subgraph,
    on: &str,
    selections: &[Selection],
    provided: &mut HashSet<(String, String)>,
) {
    for selection in selections {
        match selection {
            Selection::Field {
                name, selections, ..
            } => {
                provided.insert((on.to_string(), name.clone()));
                let nested = subgraph
                    .types
                    .get(on)
                    .and_then(|t| t.fields.get(name.as_str()))
                    .map(|f| f.ty.inner_named_type().to_string());
                if let (Some(nested), false) = (nested, selections.is_empty()) {
                    collect(subgraph, &nested, selections, provided);
                }
            }
            Selection::Fragment {
                on: condition,
                selections,
            } => {
                let within = condition.as_deref().unwrap_or(on);
                collect(subgraph, within, selections, provided);
            }
        }
    }
}
