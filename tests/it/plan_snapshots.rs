//! Snapshot tests of query plans over the demo supergraph.

#![allow(clippy::unwrap_used)]

use junction::operation::prepare;
use junction::plan::plan_operation;
use junction::supergraph::Supergraph;

const SUPERGRAPH: &str = include_str!("../../schema/supergraph.graphql");
const HEAVY_QUERY: &str = include_str!("../fixtures/heavy_query.graphql");

fn plan_text(query: &str) -> String {
    let supergraph = Supergraph::parse(SUPERGRAPH).unwrap();
    let operation = prepare(&supergraph.api_schema, query, None).unwrap();
    plan_operation(&supergraph, &operation).unwrap().to_string()
}

#[test]
fn heavy_query_plan() {
    insta::assert_snapshot!(plan_text(HEAVY_QUERY));
}

#[test]
fn requires_fetches_price_and_weight_before_inventory() {
    insta::assert_snapshot!(plan_text("{ topProducts { name shippingEstimate } }"));
}

#[test]
fn provides_skips_accounts_for_author_username() {
    insta::assert_snapshot!(plan_text(
        "{ topProducts { reviews { author { username } } } }"
    ));
}

#[test]
fn root_fields_of_one_subgraph_share_one_fetch() {
    insta::assert_snapshot!(plan_text("{ me { id } users { name } }"));
}

#[test]
fn deferred_fragment_with_requires_runs_after_the_primary_fetch() {
    insta::assert_snapshot!(plan_text(
        r#"{ topProducts { upc name ... @defer(label: "slow") { shippingEstimate reviews { body author { username } } } } }"#
    ));
}
