//! The `limits` section: how much one operation may make the gateway spend.
//! Every limit is checked before the work it bounds is done, and a refusal
//! names the limit and the operation's figure.

use serde::{Deserialize, Serialize};

/// Limits on one GraphQL operation and the work it causes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitsConfig {
    /// Tokens in the document; the parser stops at the limit. Default `30000`.
    pub max_tokens: usize,
    /// Nesting of fields (a root field is depth 1), fragments expanded. Default `64`.
    pub max_depth: usize,
    /// Aliased fields in the operation, fragments expanded. Default `256`.
    pub max_aliases: usize,
    /// Fields at the operation's root, fragments expanded. Default `64`.
    pub max_root_fields: usize,
    /// Directives on one field, fragment, spread or operation. Default `16`.
    pub max_directives: usize,
    /// Fields in the operation after fragment expansion. Default `10000`.
    pub max_fields: usize,
    /// Size of the request's variables, as JSON, in bytes. Default `524288`.
    pub max_variables_bytes: usize,
    /// Items in any one list of the variables. Default `10000`.
    pub max_list_length: usize,
    /// Errors returned for one request; the rest are counted in a last one. Default `100`.
    pub max_errors: usize,
    /// Fields the query plan may request from subgraphs in all. Default `50000`.
    pub max_plan_fields: usize,
    /// Entity representations one subgraph request may send. Default `20000`.
    pub max_entity_representations: usize,
    /// JSON values (objects, lists, scalars) one request may receive from
    /// subgraphs, all responses together, copies made while merging them
    /// included. Default `500000`.
    pub max_response_values: usize,
    /// The highest estimated cost an operation may have (see `@cost` and
    /// `@listSize`); a costlier one is refused with
    /// `COST_ESTIMATED_TOO_EXPENSIVE` before any subgraph is called.
    /// Default none.
    pub max_cost: Option<u64>,
    /// The size cost estimates assume for a list field whose size neither
    /// a slicing argument nor `@listSize(assumedSize:)` gives. Default `10`.
    pub default_list_size: u64,
    /// A request header that, when a request sends it, gets the operation's
    /// estimated cost back in `extensions.cost` (e.g. `x-junction-cost`).
    /// Default none.
    pub cost_header: Option<String>,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_tokens: 30_000,
            max_depth: 64,
            max_aliases: 256,
            max_root_fields: 64,
            max_directives: 16,
            max_fields: 10_000,
            max_variables_bytes: 512 * 1024,
            max_list_length: 10_000,
            max_errors: 100,
            max_plan_fields: 50_000,
            max_entity_representations: 20_000,
            max_response_values: 500_000,
            max_cost: None,
            default_list_size: 10,
            cost_header: None,
        }
    }
}
