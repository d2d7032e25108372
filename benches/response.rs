//! The response path alone: the heavy benchmark query's plan executed
//! against subgraph answers recorded once from the demo subgraphs (no
//! sockets), each answer read, entity representations collected and
//! written into the requests, results merged, and the client's data
//! shaped and written as JSON text.

use std::collections::HashMap;

use criterion::{criterion_group, criterion_main, Criterion};
use junction::execute::{
    execute_plan, ClientSettings, FetchContext, ForwardedHeaders, Recorded, SubgraphClient,
};
use junction::json::ValueBudget;
use junction::operation::{prepare, PreparedOperation};
use junction::plan::{plan_operation, QueryPlan};
use junction::shape::{shape_response, ShapeInput};
use junction::supergraph::Supergraph;
use serde_json::{Map, Value};

const SUPERGRAPH: &str = include_str!("../schema/supergraph.graphql");
const HEAVY_QUERY: &str = include_str!("../tests/fixtures/heavy_query.graphql");
const HEAVY_RESPONSE: &str = include_str!("../tests/fixtures/heavy_response.json");
const SUBGRAPHS: [&str; 4] = ["accounts", "products", "inventory", "reviews"];
/// The gateway's default `limits.max_response_values`.
const MAX_RESPONSE_VALUES: usize = 500_000;

struct Heavy {
    supergraph: Supergraph,
    operation: std::sync::Arc<PreparedOperation>,
    plan: QueryPlan,
}

/// Executes and shapes the heavy query; returns the data's JSON text.
async fn respond(heavy: &Heavy, client: &SubgraphClient) -> Vec<u8> {
    let variables = Map::new();
    let budget = ValueBudget::new(MAX_RESPONSE_VALUES);
    let headers = ForwardedHeaders::none();
    let context = FetchContext {
        supergraph: &heavy.supergraph,
        client,
        variables: &variables,
        budget: &budget,
        headers: &headers,
    };
    let output = execute_plan(&heavy.plan, context).await;
    let mut errors = output.errors;
    let input = ShapeInput {
        schema: &heavy.supergraph.api_schema,
        variables: &variables,
        introspection: None,
        deferred: &[],
        max_errors: 100,
        org_check: None,
    };
    let operation = &heavy.operation;
    let shaped = shape_response(
        &input,
        &operation.root_type,
        &operation.selections,
        &output.data,
        &mut errors,
        // Grown as it is written, as when the figures in BENCHMARKS.md
        // were taken (the gateway sizes it from the last response).
        Vec::new(),
    );
    if !errors.is_empty() {
        panic!("the heavy query answered errors: {errors:?}");
    }
    shaped.into_data()
}

fn heavy() -> Heavy {
    let Ok(supergraph) = Supergraph::parse(SUPERGRAPH) else {
        panic!("the demo supergraph must load");
    };
    let Ok(operation) = prepare(&supergraph.api_schema, HEAVY_QUERY, None) else {
        panic!("the heavy query must validate");
    };
    let Ok(plan) = plan_operation(&supergraph, &operation) else {
        panic!("the heavy query must plan");
    };
    Heavy {
        supergraph,
        operation,
        plan,
    }
}

/// Records the subgraphs' answers to the heavy query's fetches.
async fn record(heavy: &mut Heavy) -> Recorded {
    let subgraphs = match junction_subgraphs::spawn(([127, 0, 0, 1], 0).into()).await {
        Ok(subgraphs) => subgraphs,
        Err(error) => panic!("the demo subgraphs must start: {error}"),
    };
    let urls: HashMap<String, String> = SUBGRAPHS
        .iter()
        .map(|name| (name.to_string(), subgraphs.url(name)))
        .collect();
    heavy.supergraph.override_urls(&urls);
    let recorded = Recorded::default();
    let client = SubgraphClient::recording(ClientSettings::default(), recorded.clone());
    let data = respond(heavy, &client).await;
    check(&data);
    subgraphs.shutdown();
    recorded
}

/// The bench fails unless the data is the reference answer's.
fn check(data: &[u8]) {
    let Ok(data) = serde_json::from_slice::<Value>(data) else {
        panic!("the shaped data must be JSON");
    };
    let Ok(reference) = serde_json::from_str::<Value>(HEAVY_RESPONSE) else {
        panic!("the reference answer must be JSON");
    };
    if data != reference["data"] {
        panic!("the heavy query's data differs from tests/fixtures/heavy_response.json");
    }
}

fn response_path(c: &mut Criterion) {
    let Ok(runtime) = tokio::runtime::Runtime::new() else {
        panic!("a tokio runtime must start");
    };
    let mut heavy = heavy();
    let recorded = runtime.block_on(record(&mut heavy));
    eprintln!(
        "heavy query: {} fetches, {} answers recorded",
        heavy.plan.fetch_count(),
        recorded.len()
    );
    let client = SubgraphClient::replaying(ClientSettings::default(), recorded);
    check(&runtime.block_on(respond(&heavy, &client)));
    c.bench_function("response path: heavy query from recorded answers", |b| {
        b.to_async(&runtime).iter(|| respond(&heavy, &client))
    });
}

criterion_group!(benches, response_path);
criterion_main!(benches);
