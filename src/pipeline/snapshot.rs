//! The immutable snapshot of everything derived from one supergraph: the
//! supergraph model, and the cache of prepared operations and their plans.
//! A new supergraph gets a new snapshot, so a stale plan is never reused.
//!
//! The cache is bounded by memory, not by entries: each entry is weighed by
//! an estimate of the bytes it holds (its text, the validated document, the
//! normalised tree and the plan), the whole cache keeps under
//! `cache_max_bytes`, and an operation heavier than `cache_max_entry_bytes`
//! is not cached at all. Refusals (parse, validation and limit errors) of
//! short documents are cached too, so a client repeating a broken query
//! costs a lookup.

use std::sync::Arc;

use moka::sync::Cache;

use super::{GatewayError, GatewaySettings};
use crate::operation::{prepare_within, Limits, OperationError, PreparedOperation};
use crate::plan::{plan_within, validate_operations, PlanError, QueryPlan};
use crate::supergraph::{Supergraph, SupergraphError};

mod weight;

/// A refused operation is cached only when its text is at most this long:
/// refusing a long one again costs no more than its limits allow, while
/// keeping it would let hostile documents fill the cache.
const MAX_CACHED_REFUSAL_TEXT: usize = 64 * 1024;

/// An operation validated and planned once, reused by every request with the same text.
pub struct PreparedRequest {
    pub operation: Arc<PreparedOperation>,
    /// Shared so that deferred fragments can be delivered after the request returns.
    pub plan: Result<Arc<QueryPlan>, PlanError>,
}

type Key = (String, Option<String>);
type Prepared = Result<Arc<PreparedRequest>, Arc<OperationError>>;

/// A cache entry and its weight, computed once when it is made.
#[derive(Clone)]
struct Entry {
    prepared: Prepared,
    bytes: u32,
}

/// Everything derived from one supergraph.
pub struct Snapshot {
    pub supergraph: Supergraph,
    pub implementers: apollo_compiler::collections::HashMap<
        apollo_compiler::Name,
        apollo_compiler::schema::Implementers,
    >,
    limits: Limits,
    max_plan_fields: usize,
    validate_subgraph_operations: bool,
    max_entry_bytes: u64,
    operations: Cache<Key, Entry>,
}

impl Snapshot {
    pub(super) fn build(sdl: &str, settings: &GatewaySettings) -> Result<Self, SupergraphError> {
        let mut supergraph = Supergraph::parse(sdl)?;
        supergraph.override_urls(&settings.subgraph_urls);
        let implementers = supergraph.api_schema.implementers_map();
        let operations = Cache::builder()
            .max_capacity(settings.cache_max_bytes)
            .weigher(|_key: &Key, entry: &Entry| entry.bytes)
            .build();
        Ok(Self {
            supergraph,
            implementers,
            limits: settings.limits.clone(),
            max_plan_fields: settings.max_plan_fields,
            validate_subgraph_operations: settings.validate_subgraph_operations,
            max_entry_bytes: settings.cache_max_entry_bytes,
            operations,
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
            return hit.prepared.map_err(GatewayError::Operation);
        }
        let prepared = self.prepare_uncached(query, operation_name);
        let bytes = weight::of_entry(&key, &prepared);
        let keep = match &prepared {
            Ok(_) => bytes <= self.max_entry_bytes,
            Err(_) => query.len() <= MAX_CACHED_REFUSAL_TEXT,
        };
        if keep {
            let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
            let entry = Entry {
                prepared: prepared.clone(),
                bytes,
            };
            self.operations.insert(key, entry);
        }
        prepared.map_err(GatewayError::Operation)
    }

    /// Estimated bytes held by the cache (entries still being counted in
    /// may be missing for a moment).
    pub fn cache_weight(&self) -> u64 {
        self.operations.run_pending_tasks();
        self.operations.weighted_size()
    }

    fn prepare_uncached(&self, query: &str, operation_name: Option<&str>) -> Prepared {
        let schema = &self.supergraph.api_schema;
        let operation =
            prepare_within(schema, query, operation_name, &self.limits).map_err(Arc::new)?;
        let mut plan = plan_within(&self.supergraph, &operation, self.max_plan_fields);
        if self.validate_subgraph_operations {
            plan = plan.and_then(|plan| {
                validate_operations(&plan, &self.supergraph)?;
                Ok(plan)
            });
        }
        let plan = plan.map(Arc::new);
        Ok(Arc::new(PreparedRequest { operation, plan }))
    }
}
