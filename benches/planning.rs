//! Planner benchmarks, cold (no cache): the heavy benchmark query on the
//! demo supergraph (also with its `Product` fragments deferred), and a deep query on a generated large supergraph
//! (`support/large_supergraph.rs`); parse and validation measured apart.

#[path = "support/large_supergraph.rs"]
mod large_supergraph;

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion};
use junction::operation::{prepare, PreparedOperation};
use junction::plan::plan_operation;
use junction::supergraph::Supergraph;
use large_supergraph::{deep_query, supergraph_sdl, Shape, HOMES};

const SUPERGRAPH: &str = include_str!("../schema/supergraph.graphql");
const HEAVY_QUERY: &str = include_str!("../tests/fixtures/heavy_query.graphql");

/// Entity-to-entity hops of the benchmarked deep query.
const DEEP_HOPS: usize = 8;

fn heavy_query(c: &mut Criterion) {
    let Ok(supergraph) = Supergraph::parse(SUPERGRAPH) else {
        panic!("the demo supergraph must load");
    };
    let Ok(operation) = prepare(&supergraph.api_schema, HEAVY_QUERY, None) else {
        panic!("the heavy query must validate");
    };
    let plan = must_plan(&supergraph, &operation, "the heavy query");
    eprintln!(
        "heavy query: {} candidate paths, {} fetches, {} stages",
        plan.candidate_paths,
        plan.fetch_count(),
        plan.stages.len(),
    );
    c.bench_function("prepare heavy query (parse + validate + normalise)", |b| {
        b.iter(|| prepare(&supergraph.api_schema, HEAVY_QUERY, None).map(|op| op.selections.len()))
    });
    c.bench_function("plan heavy query (cold)", |b| {
        b.iter(|| plan_operation(&supergraph, &operation).map(|p| p.fetch_count()))
    });
    // Every `...Product` spread deferred: one deferred block per spread.
    let deferred_query = HEAVY_QUERY.replace("...Product\n", "...Product @defer\n");
    let Ok(deferred) = prepare(&supergraph.api_schema, &deferred_query, None) else {
        panic!("the deferred heavy query must validate");
    };
    let plan = must_plan(&supergraph, &deferred, "the deferred heavy query");
    eprintln!(
        "heavy query, Product spreads deferred: {} deferred blocks, {} fetches",
        plan.deferred.len(),
        plan.fetch_count(),
    );
    c.bench_function("plan heavy query with @defer (cold)", |b| {
        b.iter(|| plan_operation(&supergraph, &deferred).map(|p| p.fetch_count()))
    });
}

/// The plan of `operation`; a bench whose operation does not plan fails.
fn must_plan(
    supergraph: &Supergraph,
    operation: &PreparedOperation,
    what: &str,
) -> junction::plan::QueryPlan {
    match plan_operation(supergraph, operation) {
        Ok(plan) => plan,
        Err(error) => panic!("{what} must plan: {error}"),
    }
}

fn large_supergraph(c: &mut Criterion) {
    let shape = Shape::LARGE;
    let sdl = supergraph_sdl(&shape);
    dump_if_asked(&sdl, &deep_query(&shape, DEEP_HOPS));
    let started = Instant::now();
    let supergraph = match Supergraph::parse(&sdl) {
        Ok(supergraph) => supergraph,
        Err(error) => panic!("the generated supergraph must load: {error}"),
    };
    eprintln!(
        "large supergraph: {} subgraphs, {} types ({} entities with a key in {HOMES} subgraphs each, \
         @requires chains {} deep), {} KiB of SDL, loaded in {:.0?}",
        supergraph.subgraphs.len(),
        shape.type_count(),
        shape.entities,
        shape.requires_depth,
        sdl.len() / 1024,
        started.elapsed(),
    );
    // Search effort by depth: it should grow linearly with the hops, not exponentially.
    for hops in [2, 4, 6, DEEP_HOPS] {
        let query = deep_query(&shape, hops);
        let operation = match prepare(&supergraph.api_schema, &query, None) {
            Ok(operation) => operation,
            Err(error) => panic!("the deep query ({hops} hops) must validate: {error}"),
        };
        let started = Instant::now();
        let plan = must_plan(
            &supergraph,
            &operation,
            &format!("the deep query ({hops} hops)"),
        );
        eprintln!(
            "deep query, {hops} hops: {} candidate paths, {} fetches, {} stages, planned in {:.1?}",
            plan.candidate_paths,
            plan.fetch_count(),
            plan.stages.len(),
            started.elapsed(),
        );
    }

    let query = deep_query(&shape, DEEP_HOPS);
    let Ok(operation) = prepare(&supergraph.api_schema, &query, None) else {
        panic!("the deep query must validate");
    };
    c.bench_function(
        "prepare large deep query (parse + validate + normalise)",
        |b| b.iter(|| prepare(&supergraph.api_schema, &query, None).map(|op| op.selections.len())),
    );
    c.bench_function("plan large supergraph deep query (cold)", |b| {
        b.iter(|| plan_operation(&supergraph, &operation).map(|p| p.fetch_count()))
    });
}

/// With `JUNCTION_BENCH_DUMP=DIR`, writes the generated supergraph and deep
/// query to `DIR/large_supergraph.graphql` and `DIR/deep_query.graphql`, to
/// look at with `junction plan --supergraph … --query …`.
fn dump_if_asked(sdl: &str, query: &str) {
    let Some(dir) = std::env::var_os("JUNCTION_BENCH_DUMP") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    for (name, text) in [
        ("large_supergraph.graphql", sdl),
        ("deep_query.graphql", query),
    ] {
        if let Err(error) = std::fs::write(dir.join(name), text) {
            panic!("cannot write {name} to {}: {error}", dir.display());
        }
    }
}

criterion_group!(benches, heavy_query, large_supergraph);
criterion_main!(benches);
