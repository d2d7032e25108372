//! The supergraph: an Apollo-format supergraph SDL (link v1.0, join
//! v0.2–v0.5) loaded into a [`Supergraph`]: the full schema, the API schema
//! clients see, the subgraphs and, per type and field, which subgraphs can
//! resolve what (the join metadata the planner works from).
//!
//! This module depends on no other module of ours.

mod api_schema;
mod extract;
mod join;

use std::collections::HashMap;
use std::sync::OnceLock;

use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Schema};

pub use join::{FieldMeta, FieldSource, TypeInSubgraph, TypeMeta};

/// Index of a subgraph in [`Supergraph::subgraphs`].
pub type SubgraphId = usize;

/// One subgraph named in the supergraph's `join__Graph` enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subgraph {
    /// The subgraph's name (`@join__graph(name:)`).
    pub name: String,
    /// Where its GraphQL endpoint is (`@join__graph(url:)`, maybe overridden).
    pub url: String,
    /// The `join__Graph` enum value naming it.
    pub enum_value: Name,
}

/// A loaded supergraph.
pub struct Supergraph {
    /// The whole supergraph schema, join machinery included.
    pub schema: Valid<Schema>,
    /// The schema clients see: no `@inaccessible` elements, no join/link machinery.
    pub api_schema: Valid<Schema>,
    /// The subgraphs, indexed by [`SubgraphId`].
    pub subgraphs: Vec<Subgraph>,
    types: join::FastMap<Name, TypeMeta>,
    /// Each subgraph's schema as the supergraph tells it, built when first asked for.
    subgraph_schemas: Vec<OnceLock<Result<Valid<Schema>, String>>>,
}

/// Why a supergraph SDL could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SupergraphError {
    #[error("the supergraph SDL is not a valid schema:\n{0}")]
    InvalidSchema(String),
    #[error("the supergraph does not link the join spec (@link(url: \"https://specs.apollo.dev/join/v0.x\")) and has no join__Graph enum")]
    NotASupergraph,
    #[error("invalid join metadata: {0}")]
    InvalidJoin(String),
    #[error("the API schema derived from the supergraph is invalid:\n{0}")]
    InvalidApiSchema(String),
}

impl Supergraph {
    /// Parses and validates a supergraph SDL and derives its API schema.
    pub fn parse(sdl: &str) -> Result<Self, SupergraphError> {
        let schema = Schema::parse_and_validate(sdl, "supergraph.graphql")
            .map_err(|e| SupergraphError::InvalidSchema(e.errors.to_string()))?;
        let subgraphs = join::read_subgraphs(&schema)?;
        let types = join::read_types(&schema, &subgraphs)?;
        let api_schema = api_schema::derive(&schema)?;
        let subgraph_schemas = subgraphs.iter().map(|_| OnceLock::new()).collect();
        Ok(Self {
            schema,
            api_schema,
            subgraphs,
            types,
            subgraph_schemas,
        })
    }

    /// Replaces subgraph URLs by name (unknown names are ignored).
    pub fn override_urls(&mut self, urls: &HashMap<String, String>) {
        for subgraph in &mut self.subgraphs {
            if let Some(url) = urls.get(&subgraph.name) {
                subgraph.url.clone_from(url);
            }
        }
    }

    /// Join metadata of every composite type of the supergraph.
    pub fn type_metas(&self) -> impl Iterator<Item = &TypeMeta> {
        self.types.values()
    }

    /// Join metadata of a type, if the type is a composite type of the supergraph.
    pub fn type_meta(&self, type_name: &str) -> Option<&TypeMeta> {
        self.types.get(type_name)
    }

    /// The schema of subgraph `id` as far as the supergraph tells it (see
    /// `extract`): what the operations sent to it are checked against.
    pub fn subgraph_schema(&self, id: SubgraphId) -> Result<&Valid<Schema>, &str> {
        let slot = self.subgraph_schemas.get(id).ok_or("no such subgraph")?;
        slot.get_or_init(|| extract::subgraph_schema(self, id))
            .as_ref()
            .map_err(String::as_str)
    }

    /// The subgraph with this name.
    pub fn subgraph_by_name(&self, name: &str) -> Option<SubgraphId> {
        self.subgraphs.iter().position(|s| s.name == name)
    }
}

#[cfg(test)]
mod tests;
