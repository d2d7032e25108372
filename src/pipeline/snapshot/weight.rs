//! Estimates of the memory a cache entry holds. The figures per unit were
//! measured by tests/cache_weight.rs, which counts the bytes an entry
//! really keeps allocated for operations of several shapes and sizes and
//! checks the estimate stays within a factor of two of them. They keep
//! the cache's memory bounded; they do not account for it to the byte.

use std::mem::size_of;

use super::{Key, Prepared};
use crate::operation::{Selection, SelectionSet};
use crate::plan::{FetchNode, QueryPlan};

/// Bytes of the validated document per byte of operation text.
const DOCUMENT_BYTES_PER_TEXT_BYTE: u64 = 24;
/// Bytes per normalised selection (the tree's node and the executable
/// document's node for it).
const SELECTION_BYTES: u64 = 380;
/// Bytes of a plan per byte of subgraph operation text.
const PLAN_BYTES_PER_TEXT_BYTE: u64 = 3;
/// Bytes of a plan per entity input (its path and representation selection).
const ENTITY_INPUT_BYTES: u64 = 3600;
/// The entry's fixed costs (the cache's own bookkeeping, `Arc`s, the plan).
const ENTRY_BYTES: u64 = 2048;

/// Estimated bytes of one cache entry, key included.
pub(super) fn of_entry(key: &Key, prepared: &Prepared) -> u64 {
    let text = key.0.len() as u64 + key.1.as_ref().map_or(0, |n| n.len() as u64);
    let value = match prepared {
        Ok(request) => {
            let operation = &request.operation;
            let plan = request.plan.as_ref().map_or(0, |plan| of_plan(plan));
            text * DOCUMENT_BYTES_PER_TEXT_BYTE + of_selections(&operation.selections) + plan
        }
        Err(error) => {
            let errors = error.to_graphql_errors();
            errors.iter().map(|e| e.message.len() as u64 + 128).sum()
        }
    };
    ENTRY_BYTES + text + value
}

fn of_selections(selections: &SelectionSet) -> u64 {
    let mut nodes = 0;
    let mut sets = vec![selections];
    while let Some(set) = sets.pop() {
        nodes += set.len() as u64;
        for selection in set {
            match selection {
                Selection::Field(field) => sets.push(&field.selections),
                Selection::InlineFragment(fragment) => sets.push(&fragment.selections),
            }
        }
    }
    nodes * SELECTION_BYTES
}

fn of_plan(plan: &QueryPlan) -> u64 {
    let deferred = plan.deferred.iter().flat_map(|d| &d.stages);
    plan.stages
        .iter()
        .chain(deferred)
        .flatten()
        .map(of_fetch)
        .sum()
}

fn of_fetch(fetch: &FetchNode) -> u64 {
    let inputs: u64 = fetch
        .entities
        .iter()
        .map(|part| part.inputs.len() as u64)
        .sum();
    size_of::<FetchNode>() as u64
        + fetch.operation.len() as u64 * PLAN_BYTES_PER_TEXT_BYTE
        + fetch.body_prefix.len() as u64
        + inputs * ENTITY_INPUT_BYTES
}
