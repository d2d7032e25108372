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
    /// The size of the last response to this operation: the next one's
    /// buffer starts that large (no regrowing, no copying).
    pub response_bytes: ResponseSizeHint,
    /// What callers may have of it (see `authorize`).
    pub decisions: super::authorize::Decisions,
}

/// The size of the last response to one operation (at most
/// [`ResponseSizeHint::MAX`]: no request makes the next reserve more).
#[derive(Debug)]
pub struct ResponseSizeHint(std::sync::atomic::AtomicUsize);

impl ResponseSizeHint {
    pub const MAX: usize = 4 << 20;
    const FIRST: usize = 16 << 10;

    /// A buffer for the next response.
    pub fn buffer(&self) -> Vec<u8> {
        let size = self.0.load(std::sync::atomic::Ordering::Relaxed);
        Vec::with_capacity(size.min(Self::MAX))
    }

    /// Records a response's size.
    pub fn record(&self, bytes: usize) {
        let size = (bytes + 64).min(Self::MAX);
        self.0.store(size, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Default for ResponseSizeHint {
    fn default() -> Self {
        Self(std::sync::atomic::AtomicUsize::new(Self::FIRST))
    }
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
    /// The access its directives declare (`@authenticated`, …).
    pub requirements: crate::access::Requirements,
    /// Its `@pii` fields.
    pub pii: crate::access::PiiFields,
    pub implementers: apollo_compiler::collections::HashMap<
        apollo_compiler::Name,
        apollo_compiler::schema::Implementers,
    >,
    limits: Limits,
    max_plan_fields: usize,
    validate_subgraph_operations: bool,
    max_entry_bytes: u64,
    operations: Cache<Key, Entry>,
    /// Operations prepared and planned so far (cache misses computed).
    prepared_count: std::sync::atomic::AtomicUsize,
    /// Callers' views of the API schema, for introspection.
    pub(super) visible: super::authorize::VisibleSchemas,
    /// Its `@cost` and `@listSize`, for operations' cost estimates.
    pub cost_model: crate::operation::CostModel,
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
        let requirements = crate::access::Requirements::of(&supergraph.schema);
        let pii = crate::access::PiiFields::of(&supergraph.schema);
        let cost_model =
            crate::operation::CostModel::of(&supergraph.schema, settings.cost.default_list_size);
        Ok(Self {
            supergraph,
            requirements,
            pii,
            implementers,
            limits: settings.limits.clone(),
            max_plan_fields: settings.max_plan_fields,
            validate_subgraph_operations: settings.validate_subgraph_operations,
            max_entry_bytes: settings.cache_max_entry_bytes,
            operations,
            prepared_count: Default::default(),
            visible: Default::default(),
            cost_model,
        })
    }

    /// The prepared and planned operation, from the cache or computed now.
    /// Concurrent misses for the same operation compute it once: the others
    /// wait for that computation (the cache's `optionally_get_with`).
    pub fn prepare(
        &self,
        query: &str,
        operation_name: Option<&str>,
    ) -> Result<Arc<PreparedRequest>, GatewayError> {
        let key = (query.to_string(), operation_name.map(str::to_string));
        if let Some(hit) = self.operations.get(&key) {
            return hit.prepared.map_err(GatewayError::Operation);
        }
        let mut not_kept = None;
        let cached = self.operations.optionally_get_with(key, || {
            let prepared = self.prepare_uncached(query, operation_name);
            match self.entry_to_keep(query, operation_name, &prepared) {
                Some(entry) => Some(entry),
                None => {
                    not_kept = Some(prepared);
                    None
                }
            }
        });
        let prepared = match (cached, not_kept) {
            (Some(entry), _) => entry.prepared,
            (None, Some(prepared)) => prepared,
            // Another caller computed it and did not keep it either.
            (None, None) => self.prepare_uncached(query, operation_name),
        };
        prepared.map_err(GatewayError::Operation)
    }

    /// The cache entry for a prepared operation, unless it is too large to
    /// keep (or a refusal of a long text).
    fn entry_to_keep(
        &self,
        query: &str,
        operation_name: Option<&str>,
        prepared: &Prepared,
    ) -> Option<Entry> {
        let key = (query.to_string(), operation_name.map(str::to_string));
        let bytes = weight::of_entry(&key, prepared);
        let keep = match prepared {
            Ok(_) => bytes <= self.max_entry_bytes,
            Err(_) => query.len() <= MAX_CACHED_REFUSAL_TEXT,
        };
        keep.then(|| Entry {
            prepared: prepared.clone(),
            bytes: u32::try_from(bytes).unwrap_or(u32::MAX),
        })
    }

    /// Estimated bytes held by the cache (entries still being counted in
    /// may be missing for a moment).
    pub fn cache_weight(&self) -> u64 {
        self.operations.run_pending_tasks();
        self.operations.weighted_size()
    }

    /// Operations prepared and planned so far.
    pub fn prepared_count(&self) -> usize {
        self.prepared_count
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    fn prepare_uncached(&self, query: &str, operation_name: Option<&str>) -> Prepared {
        self.prepared_count
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
        Ok(Arc::new(PreparedRequest {
            operation,
            plan: plan.map(Arc::new),
            response_bytes: ResponseSizeHint::default(),
            decisions: Default::default(),
        }))
    }

    /// `operation` with fields denied: planned without them, shaped with
    /// them marked.
    pub(super) fn prepare_filtered(
        &self,
        operation: &PreparedOperation,
        filtered: crate::access::Filtered,
    ) -> Arc<PreparedRequest> {
        let planned = PreparedOperation {
            selections: filtered.plan,
            ..operation.clone()
        };
        let mut plan = plan_within(&self.supergraph, &planned, self.max_plan_fields);
        if self.validate_subgraph_operations {
            plan = plan.and_then(|plan| {
                validate_operations(&plan, &self.supergraph)?;
                Ok(plan)
            });
        }
        let shaped = PreparedOperation {
            selections: filtered.shape,
            ..planned
        };
        Arc::new(PreparedRequest {
            operation: Arc::new(shaped),
            plan: plan.map(Arc::new),
            response_bytes: ResponseSizeHint::default(),
            decisions: Default::default(),
        })
    }
}
