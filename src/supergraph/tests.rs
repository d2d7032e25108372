//! Tests of supergraph loading on the demo supergraph.

use super::*;

const DEMO: &str = include_str!("../../schema/supergraph.graphql");

#[test]
fn loads_demo_supergraph_with_four_subgraphs() -> Result<(), SupergraphError> {
    let supergraph = Supergraph::parse(DEMO)?;
    let names: Vec<&str> = supergraph
        .subgraphs
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["accounts", "inventory", "products", "reviews"]);
    let product = supergraph.type_meta("Product").map(|t| t.subgraph_ids());
    assert_eq!(product, Some(vec![1, 2, 3]));
    Ok(())
}

#[test]
fn api_schema_has_no_join_machinery() -> Result<(), SupergraphError> {
    let supergraph = Supergraph::parse(DEMO)?;
    let api = supergraph.api_schema.to_string();
    assert!(!api.contains("join__"), "{api}");
    assert!(!api.contains("@link"), "{api}");
    assert!(api.contains("shippingEstimate: Int"), "{api}");
    Ok(())
}
