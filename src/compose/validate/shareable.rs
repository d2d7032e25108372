//! Where `@shareable` may not appear: on an interface field (or an
//! interface) it means nothing, since interfaces are not resolved; on a
//! field of the subscription root, since one subscription event must come
//! from one subgraph.

use super::{error_at, fields_of};
use crate::compose::model::{Subgraph, TypeKind};
use crate::compose::CompositionError;

pub(super) fn check(subgraph: &Subgraph) -> Vec<CompositionError> {
    let mut errors: Vec<CompositionError> = fields_of(subgraph)
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
        .collect();
    errors.extend(
        fields_of(subgraph)
            .filter(|(ty, field)| ty.name == "Subscription" && field.shareable_written)
            .map(|(ty, field)| {
                error_at(
                    "INVALID_FIELD_SHARING",
                    format!(
                        "Field \"{}.{}\" in subgraph \"{}\" is marked @shareable, but fields of the subscription root cannot be shared: each subscription is served by one subgraph",
                        ty.name, field.name, subgraph.name
                    ),
                    subgraph,
                    field.common.location,
                )
            }),
    );
    errors
}
