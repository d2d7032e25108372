//! Every subgraph operation a plan holds is checked against the subgraph's
//! schema as the supergraph tells it (always in debug builds and tests).

use junction::operation::prepare;
use junction::plan::{plan_operation, validate_operations, PlanError};
use junction::supergraph::Supergraph;

const DEMO: &str = include_str!("../../../schema/supergraph.graphql");

#[test]
fn the_demo_plans_validate_and_a_broken_operation_is_caught() {
    let supergraph = Supergraph::parse(DEMO).unwrap();
    let query =
        "{ topProducts { name shippingEstimate reviews { body author { username name } } } }";
    let operation = prepare(&supergraph.api_schema, query, None).unwrap();
    let mut plan = plan_operation(&supergraph, &operation).unwrap();
    validate_operations(&plan, &supergraph).unwrap();

    // The reviews subgraph has no `name` on Product: a printer bug of that
    // kind is caught with the subgraph's name and the operation.
    let fetch = plan
        .stages
        .iter_mut()
        .flatten()
        .find(|f| f.subgraph_name == "reviews")
        .unwrap();
    fetch.operation = fetch.operation.replacen("body", "body name", 1);
    let Err(PlanError::InvalidSubgraphOperation { subgraph, errors }) =
        validate_operations(&plan, &supergraph)
    else {
        panic!("the broken operation is refused");
    };
    assert_eq!(subgraph, "reviews");
    assert!(errors.contains("name"), "{errors}");
}
