//! The operation cache's size estimates against the bytes an entry really
//! holds: this test binary counts every allocation (its own global
//! allocator), prepares operations of several sizes into the cache, and
//! checks that each entry's estimated weight is within a factor of two of
//! the bytes it kept allocated. One test only: other threads allocating
//! at the same time would blur the count.
//!
//! So it stays a test binary of its own, outside the one test crate
//! (`tests/it`): a global allocator is the whole process's, and the other
//! tests' threads would allocate alongside.

#![allow(clippy::unwrap_used)]

use std::alloc::System;

use junction::pipeline::{Gateway, GatewaySettings};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[global_allocator]
static ALLOCATOR: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const DEMO_SUPERGRAPH: &str = include_str!("../schema/supergraph.graphql");
const HEAVY_QUERY: &str = include_str!("fixtures/heavy_query.graphql");

/// A valid query of about `fields × 60` bytes: aliased fields over the
/// demo schema, each needing an entity fetch.
fn wide_query(fields: usize) -> String {
    let selections: String = (0..fields)
        .map(|i| format!("p{i}: topProducts {{ upc name reviews {{ body }} }}\n"))
        .collect();
    format!("{{ {selections} }}")
}

/// A valid query of about `fields × 40` bytes answered by one subgraph.
fn flat_query(fields: usize) -> String {
    let selections: String = (0..fields)
        .map(|i| format!("p{i}: topProducts {{ upc name price }}\n"))
        .collect();
    format!("{{ {selections} }}")
}

#[test]
fn cache_entries_weigh_what_they_hold_within_a_factor_of_two() {
    let mut settings = GatewaySettings::default();
    settings.limits.max_aliases = 10_000;
    settings.limits.max_root_fields = 10_000;
    settings.limits.max_tokens = 1_000_000;
    settings.limits.max_fields = 100_000;
    settings.max_plan_fields = 1_000_000;
    settings.cache_max_entry_bytes = u64::MAX;
    let gateway = Gateway::new(settings);
    gateway.load_supergraph(DEMO_SUPERGRAPH).unwrap();
    // One-time costs (the cache's own tables, lazily built parts of the
    // supergraph) come with the first entry: paid before measuring.
    let _ = gateway.explain("{ me { id } }", None, false);
    let queries = [
        HEAVY_QUERY.to_string(),
        wide_query(10),
        wide_query(200),
        wide_query(2000),
        flat_query(50),
        flat_query(2000),
        "query Deep { me { reviews { product { reviews { author { reviews { body product { name price shippingEstimate } } } } } } } }".to_string(),
    ];
    for query in &queries {
        let before = gateway.operation_cache_bytes();
        let region = Region::new(ALLOCATOR);
        let plan = gateway.explain(query, None, false);
        drop(plan);
        let change = region.change();
        let held = change.bytes_allocated as i64 - change.bytes_deallocated as i64
            + change.bytes_reallocated as i64;
        let estimated = (gateway.operation_cache_bytes() - before) as i64;
        let ratio = estimated as f64 / held as f64;
        eprintln!(
            "query of {} bytes: estimated {estimated} bytes, held {held} bytes (ratio {ratio:.2})",
            query.len()
        );
        assert!(
            std::env::var("CALIBRATE").is_ok() || (0.5..=2.0).contains(&ratio),
            "query of {} bytes: estimated {estimated}, held {held}",
            query.len()
        );
    }
}
