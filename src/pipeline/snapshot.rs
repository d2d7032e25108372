//! The immutable snapshot of everything derived from one supergraph: the
//! supergraph model, and the caches of prepared operations and their plans.
//! A new supergraph gets a new snapshot, so a stale plan is never reused.

use std::sync::Arc;

use moka::sync::Cache;

use super::{GatewayError, GatewaySettings};
use crate::operation::{prepare, PreparedOperation};
use crate::plan::{plan_operation, PlanError, QueryPlan};
use crate::supergraph::{Supergraph, SupergraphError};

/// An operation validated and planned once, reused by every request with the same text.
pub struct PreparedRequest {
    pub operation: Arc<PreparedOperation>,
    /// Shared so that deferred fragments can be delivered after the request returns.
    pub plan: Result<Arc<QueryPlan>, PlanError>,
}

/// Everything derived from one supergraph.
pub struct Snapshot {
    pub supergraph: Supergraph,
    pub implementers: apollo_compiler::collections::HashMap<
        apollo_compiler::Name,
        apollo_compiler::schema::Implementers,
    >,
    operations: Cache<(String, Option<String>), Arc<PreparedRequest>>,
}

impl Snapshot {
    pub(super) fn build(sdl: &str, settings: &GatewaySettings) -> Result<Self, SupergraphError> {
        let mut supergraph = Supergraph::parse(sdl)?;
        supergraph.override_urls(&settings.subgraph_urls);
        let implementers = supergraph.api_schema.implementers_map();
        Ok(Self {
            supergraph,
            implementers,
            operations: Cache::new(settings.cache_capacity),
        })
    }

    /// The prepared and planned operation, from the cache or computed now.
    pub fn prepare(
        &self,
        query: &str,
        operation_name: Option<&str>,
    ) -> Result<Arc<PreparedRequest>, GatewayError> {
        let key = (query.to_string(), operation_name.map(str::to_string));
        if let Some(hit) = self.operations.get(&key) {
            return Ok(hit);
        }
        let operation = prepare(&self.supergraph.api_schema, query, operation_name)?;
        let plan = plan_operation(&self.supergraph, &operation).map(Arc::new);
        let prepared = Arc::new(PreparedRequest { operation, plan });
        self.operations.insert(key, prepared.clone());
        Ok(prepared)
    }
}
