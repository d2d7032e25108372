//! Planner benchmark: planning the heavy benchmark query on the demo
//! supergraph, cold (no cache), parse and validation included separately.

use criterion::{criterion_group, criterion_main, Criterion};
use junction::operation::prepare;
use junction::plan::plan_operation;
use junction::supergraph::Supergraph;

const SUPERGRAPH: &str = include_str!("../schema/supergraph.graphql");
const HEAVY_QUERY: &str = include_str!("../tests/fixtures/heavy_query.graphql");

fn planning(c: &mut Criterion) {
    let Ok(supergraph) = Supergraph::parse(SUPERGRAPH) else {
        panic!("the demo supergraph must load");
    };
    let Ok(operation) = prepare(&supergraph.api_schema, HEAVY_QUERY, None) else {
        panic!("the heavy query must validate");
    };
    c.bench_function("prepare heavy query (parse + validate + normalise)", |b| {
        b.iter(|| prepare(&supergraph.api_schema, HEAVY_QUERY, None).map(|op| op.selections.len()))
    });
    c.bench_function("plan heavy query (cold)", |b| {
        b.iter(|| plan_operation(&supergraph, &operation).map(|p| p.fetch_count()))
    });
}

criterion_group!(benches, planning);
criterion_main!(benches);
