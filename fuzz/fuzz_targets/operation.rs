//! Fuzz target: arbitrary UTF-8 text as a GraphQL document, prepared
//! against the demo supergraph's API schema with the default limits and,
//! when that succeeds, planned with the default plan limit. Refusals are
//! expected; a panic is a bug. A prepared operation must also be within the
//! limits that were checked on its text: the normalised tree (fields and
//! inline fragments, fragment spreads inlined) has at most
//! `limits.max_fields` nodes and at most `limits.max_depth` levels of nested
//! fields, so the limit check cannot be fooled by the way fragments expand.

#![no_main]

use std::sync::LazyLock;

use junction::operation::{prepare_within, Limits, Selection, SelectionSet};
use junction::plan::{plan_within, DEFAULT_MAX_PLAN_FIELDS};
use junction::supergraph::Supergraph;
use libfuzzer_sys::fuzz_target;

/// Parsed once per fuzzing process: it is the same for every input.
static DEMO: LazyLock<Supergraph> =
    LazyLock::new(
        || match Supergraph::parse(junction::cli::dev::DEMO_SUPERGRAPH) {
            Ok(supergraph) => supergraph,
            Err(error) => panic!("the demo supergraph does not load: {error}"),
        },
    );

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let limits = Limits::default();
    let operation = match prepare_within(&DEMO.api_schema, query, None, &limits) {
        Ok(operation) => operation,
        Err(error) => {
            assert!(
                !error.to_graphql_errors().is_empty(),
                "a refusal without a GraphQL error: {error:?}"
            );
            return;
        }
    };
    let nodes = node_count(&operation.selections);
    assert!(
        nodes <= limits.max_fields,
        "{nodes} nodes passed max_fields = {}",
        limits.max_fields
    );
    let depth = depth(&operation.selections);
    assert!(
        depth <= limits.max_depth,
        "{depth} levels passed max_depth = {}",
        limits.max_depth
    );
    if let Err(error) = plan_within(&DEMO, &operation, DEFAULT_MAX_PLAN_FIELDS) {
        assert!(!error.to_string().is_empty(), "an empty plan error");
    }
});

/// Fields and inline fragments in the tree, all levels.
fn node_count(set: &SelectionSet) -> usize {
    set.iter()
        .map(|selection| 1 + node_count(children(selection)))
        .sum()
}

/// Levels of nested fields; fragments add none (as `limits.max_depth`
/// counts them).
fn depth(set: &SelectionSet) -> usize {
    set.iter()
        .map(|selection| match selection {
            Selection::Field(field) => 1 + depth(&field.selections),
            Selection::InlineFragment(fragment) => depth(&fragment.selections),
        })
        .max()
        .unwrap_or(0)
}

fn children(selection: &Selection) -> &SelectionSet {
    match selection {
        Selection::Field(field) => &field.selections,
        Selection::InlineFragment(fragment) => &fragment.selections,
    }
}
