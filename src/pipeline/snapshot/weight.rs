//! Estimates of the memory a cache entry holds. The figures per unit are
//! measured (tests/cache_weight.rs counts the bytes actually allocated for
//! a range of operations and checks the estimate stays within a factor of
//! two of them), not exact: they keep the cache's memory bounded, they do
//! not account for it to the byte.

use std::mem::size_of;

use super::{Key, Prepared};
use crate::operation::{Selection, SelectionSet};
use crate::plan::{FetchNode, QueryPlan};

/// Bytes of the validated document (AST, executable document, source text)
/// per byte of operation text.
const DOCUMENT_BYTES_PER_TEXT_BYTE: u64 = 12;
/// Bytes of a normalised selection beyond its struct (names, arguments).
const SELECTION_EXTRA_BYTES: u64 = 96;
/// The entry's fixed costs (the cache's own bookkeeping, `Arc`s, the plan).
const ENTRY_BYTES: u64 = 1024;

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
    let mut bytes = 0;
    let mut sets = vec![selections];
    while let Some(set) = sets.pop() {
        bytes += set.len() as u64 * (size_of::<Selection>() as u64 + SELECTION_EXTRA_BYTES);
        for selection in set {
            match selection {
                Selection::Field(field) => sets.push(&field.selections),
                Selection::InlineFragment(fragment) => sets.push(&fragment.selections),
            }
        }
    }
    bytes
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
    let requires: u64 = fetch
        .entities
        .iter()
        .flat_map(|part| &part.inputs)
        .map(|input| of_selections(&input.requires) + input.path.len() as u64 * 32)
        .sum();
    size_of::<FetchNode>() as u64 + fetch.operation.len() as u64 + requires
}
