//! `@shareable` may only mark object fields: on an interface field (or
//! an interface) it means nothing, since interfaces are not resolved.

use super::{error_at, fields_of};
use crate::compose::model::{Subgraph, TypeKind};
use crate::compose::CompositionError;

pub(super) fn check(subgraph: &Subgraph) -> Vec<CompositionError> {
    fields_of(subgraph)
        .filter(|(ty, field)| ty.kind == TypeKind::Interface && field.shareable_written)
        .map(|(ty, field)| {
            error_at(
                "INVALID_SHAREABLE_USAGE",
                format!(
                    "Interface field \"{}.{}\" in subgraph \"{}\" is marked @shareable; only fields of object types can be",
                    ty.name, field.name, subgraph.name
                ),
                subgraph,
                field.common.location,
            )
        })
        .collect()
}
