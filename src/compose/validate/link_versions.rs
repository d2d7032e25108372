//! Arguments of federation directives that came after the directive
//! itself: a subgraph linking an older federation version does not have
//! them, so using one is an unknown argument (INVALID_GRAPHQL), as it
//! would be in any GraphQL schema. Which directives a version has is the
//! `@link` reader's business (`subgraph::link`).

use super::{error_at, fields_of};
use crate::compose::model::Subgraph;
use crate::compose::CompositionError;

/// `@override(label:)` (progressive override) came with federation v2.7.
const OVERRIDE_LABEL_SINCE: u32 = 7;

pub(super) fn check(subgraph: &Subgraph) -> Vec<CompositionError> {
    let Some(minor) = subgraph.federation.minor else {
        return Vec::new();
    };
    if minor >= OVERRIDE_LABEL_SINCE {
        return Vec::new();
    }
    fields_of(subgraph)
        .filter(|(_, field)| field.override_label.is_some())
        .map(|(ty, field)| {
            error_at(
                "INVALID_GRAPHQL",
                format!(
                    "Unknown argument \"label\" of @override on \"{}.{}\": federation v2.{minor} has no progressive override; link federation/v2.{OVERRIDE_LABEL_SINCE} or later to use it",
                    ty.name, field.name
                ),
                subgraph,
                field.common.location,
            )
        })
        .collect()
}
