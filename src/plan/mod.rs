//! Query planning: turns a prepared operation into a [`QueryPlan`] of
//! subgraph fetches, ordered in stages (fetches of one stage run in
//! parallel, stages run in sequence).
//!
//! Root fields are grouped per subgraph; a field the current subgraph
//! cannot resolve becomes an entity fetch (`_entities`) to a subgraph that
//! can, keyed by a `@key` the current subgraph can provide, after any
//! `@requires` fields have been fetched. See `builder` for the algorithm.
//!
//! Each `@defer` fragment gets a block of stages of its own
//! ([`DeferredNode`]), run after its parent block; its fetches start from
//! the data the parent block fetched.

mod builder;
mod display;
mod graph;
mod reachability;

use apollo_compiler::ast::OperationType;
use apollo_compiler::Name;

use crate::operation::{LimitExceeded, PreparedOperation, SelectionSet};
use crate::supergraph::{SubgraphId, Supergraph};

pub use reachability::{reachability, MismatchedRuntimeTypes, Reachability, Unreachable};

/// Prefix of the aliases the planner gives fields it must rename in subgraph responses.
pub const INTERNAL_ALIAS_PREFIX: &str = "_jx_";

/// Prefix of the aliases of required fields with arguments; representations use the field name.
pub const REQUIRES_ALIAS_PREFIX: &str = "_jr";

/// A step of the path from the response root to the objects an entity fetch enriches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathSegment {
    /// Descend into this response key.
    Field(Name),
    /// Descend into every item of a list.
    List,
    /// Keep only objects whose `__typename` is this type or one of its subtypes.
    Cast(Name),
}

/// Entities one `_entities` request enriches: the objects at one path.
#[derive(Debug, Clone)]
pub struct EntityInput {
    /// Where the objects live in the response.
    pub path: Vec<PathSegment>,
    /// The selection that builds each object's representation.
    pub requires: SelectionSet,
    /// Set when the subgraph sees the entity type as an `@interfaceObject`:
    /// representations carry this interface name as `__typename`, and the
    /// subgraph's `__typename` in results is ignored.
    pub interface_object: Option<Name>,
}

/// One `_entities` field of an entity fetch: its representations are
/// built from the objects at its inputs' paths and all get its selection.
#[derive(Debug, Clone)]
pub struct EntityPart {
    /// The response key of the field (`_entities`, or an alias when a
    /// fetch has several parts).
    pub response_key: Name,
    /// The variable that carries its representations.
    pub variable: Name,
    pub inputs: Vec<EntityInput>,
    /// How many path steps the last execution of this part collected.
    pub path_steps: StepsHint,
}

/// A size an execution of a cached plan records for the next one, so that
/// it makes room at once instead of growing (and copying) on the way.
/// Read and written relaxed by concurrent executions; it never changes
/// what the plan does.
#[derive(Debug, Default)]
pub struct StepsHint(std::sync::atomic::AtomicUsize);

impl StepsHint {
    /// The size recorded last (0 before any).
    pub fn get(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn record(&self, size: usize) {
        self.0.store(size, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Clone for StepsHint {
    fn clone(&self) -> Self {
        Self(self.get().into())
    }
}

/// One request to one subgraph.
#[derive(Debug, Clone)]
pub struct FetchNode {
    pub id: usize,
    /// The fetches of the same block (by id) whose results this one reads:
    /// it may start as soon as they are done (fetches of a parent block are
    /// done before the block starts). Always in earlier stages.
    pub depends_on: Vec<usize>,
    pub subgraph: SubgraphId,
    pub subgraph_name: String,
    /// For entity fetches, the objects it enriches: entity fetches of one
    /// step to one subgraph are batched into one request, one part per
    /// distinct selection. Empty for root fetches.
    pub entities: Vec<EntityPart>,
    /// Some response keys carry [`INTERNAL_ALIAS_PREFIX`] and must be renamed back.
    pub renames: bool,
    /// For root fetches: the response keys of the root fields it fetches.
    pub root_keys: Vec<Name>,
    /// `@skip`/`@include` conditions under which this fetch is needed at all.
    pub conditions: Vec<crate::operation::Condition>,
    /// The subgraph operation text.
    pub operation: String,
    /// The start of every request body of this fetch, made once with the
    /// plan: `{"query":<the operation as a JSON string>,"variables":`.
    pub body_prefix: bytes::Bytes,
    /// Client variables the operation uses.
    pub variables: Vec<Name>,
    pub kind: OperationType,
}

/// The fetches of one deferred fragment (`@defer`): they run once its
/// parent block's fetches are done, and its data is delivered on its own.
#[derive(Debug, Clone)]
pub struct DeferredNode {
    /// The fragment's id in the operation ([`crate::operation::Defer::id`]).
    pub id: usize,
    pub label: Option<String>,
    /// The deferred fragment it is nested in (`None`: the primary fetches).
    pub parent: Option<usize>,
    /// The variable given as `@defer(if:)`, if any.
    pub if_variable: Option<Name>,
    /// Where the fragment was first met, for display.
    pub path: Vec<PathSegment>,
    /// Each stage's fetches run in parallel; stages run in order. May be
    /// empty: the fragment's data then comes with its parent's fetches.
    pub stages: Vec<Vec<FetchNode>>,
}

/// A query plan: stages of fetches.
#[derive(Debug, Clone, Default)]
pub struct QueryPlan {
    /// Each stage's fetches run in parallel; stages run in order.
    pub stages: Vec<Vec<FetchNode>>,
    /// Deferred fragments, parents before the fragments nested in them.
    pub deferred: Vec<DeferredNode>,
    /// How many candidate ways to reach a field (root subgraphs and entity
    /// jumps) the planner tried: a measure of its search effort.
    pub candidate_paths: usize,
}

/// Why an operation cannot be planned.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlanError {
    #[error("no subgraph can resolve field \"{type_name}.{field}\": {reason}")]
    Unresolvable {
        type_name: String,
        field: String,
        /// Which subgraphs were considered and why none could answer.
        reason: String,
    },
    /// Planning stopped: the plan would ask subgraphs for more fields than allowed.
    #[error("{0}")]
    TooLarge(LimitExceeded),
    /// A subgraph operation of the plan is not valid for that subgraph's
    /// schema: a planner bug, caught before the subgraph refuses it.
    #[error("the query plan's operation for subgraph \"{subgraph}\" is invalid: {errors}")]
    InvalidSubgraphOperation { subgraph: String, errors: String },
}

/// Fields a plan may ask subgraphs for when no limit is given.
pub const DEFAULT_MAX_PLAN_FIELDS: usize = 50_000;

/// Plans an operation over the supergraph's subgraphs.
pub fn plan_operation(
    supergraph: &Supergraph,
    operation: &PreparedOperation,
) -> Result<QueryPlan, PlanError> {
    plan_within(supergraph, operation, DEFAULT_MAX_PLAN_FIELDS)
}

/// Plans an operation, stopping as soon as the selections planned (fields
/// and fragments, counted as they are planned, tentative jumps included)
/// pass `max_plan_fields`: expanding abstract types per object type could
/// otherwise multiply an operation's fields at every level.
pub fn plan_within(
    supergraph: &Supergraph,
    operation: &PreparedOperation,
    max_plan_fields: usize,
) -> Result<QueryPlan, PlanError> {
    builder::build(supergraph, operation, max_plan_fields)
}

/// Checks every subgraph operation of `plan` against its subgraph's schema
/// (as the supergraph tells it). A schema that cannot be derived is an
/// error too: nothing is left unchecked.
pub fn validate_operations(plan: &QueryPlan, supergraph: &Supergraph) -> Result<(), PlanError> {
    let deferred = plan.deferred.iter().flat_map(|d| &d.stages);
    for fetch in plan.stages.iter().chain(deferred).flatten() {
        let schema = supergraph
            .subgraph_schema(fetch.subgraph)
            .map_err(|error| PlanError::InvalidSubgraphOperation {
                subgraph: fetch.subgraph_name.clone(),
                errors: format!("its schema could not be derived from the supergraph: {error}"),
            })?;
        let parsed = apollo_compiler::ExecutableDocument::parse_and_validate(
            schema,
            fetch.operation.as_str(),
            "subgraph_operation.graphql",
        );
        if let Err(invalid) = parsed {
            return Err(PlanError::InvalidSubgraphOperation {
                subgraph: fetch.subgraph_name.clone(),
                errors: format!("{}\n{}", invalid.errors, fetch.operation),
            });
        }
    }
    Ok(())
}

impl FetchNode {
    /// Is this an `_entities` fetch (as opposed to a root fetch)?
    pub fn is_entity_fetch(&self) -> bool {
        !self.entities.is_empty()
    }
}

impl QueryPlan {
    /// Number of fetches in the plan, deferred ones included.
    pub fn fetch_count(&self) -> usize {
        let deferred: usize = self
            .deferred
            .iter()
            .flat_map(|d| &d.stages)
            .map(Vec::len)
            .sum();
        self.stages.iter().map(Vec::len).sum::<usize>() + deferred
    }
}
