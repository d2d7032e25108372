//! Prepares the heavy benchmark query N times (parse, limits, validate,
//! normalise) and nothing else: a fixed amount of work to count under
//! `valgrind --tool=cachegrind` (instructions) or `--tool=memcheck`
//! (allocations) where wall-clock benches are too noisy to compare two
//! builds. The difference between two counts (say N = 120 and N = 20),
//! divided by the difference in N, is the cost of one prepare.
//!
//! ```sh
//! cargo build --release --example prepare_loop
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/prepare_loop 120
//! ```

use junction::operation::prepare;
use junction::supergraph::Supergraph;

const SUPERGRAPH: &str = include_str!("../schema/supergraph.graphql");
const HEAVY_QUERY: &str = include_str!("../tests/fixtures/heavy_query.graphql");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let times: usize = match std::env::args().nth(1) {
        Some(arg) => arg.parse()?,
        None => 100,
    };
    let supergraph = Supergraph::parse(SUPERGRAPH)?;
    let mut selections = 0;
    for _ in 0..times {
        selections += prepare(&supergraph.api_schema, HEAVY_QUERY, None)?
            .selections
            .len();
    }
    println!("{times} prepares, {selections} top-level selections in all");
    Ok(())
}
