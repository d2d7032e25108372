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

/// The demo supergraph restated with the join v0.5 definitions (progressive
/// `@override` labels, context arguments, `@join__directive`).
fn demo_as_join_v05() -> String {
    let start = DEMO.find("directive @join__field(").unwrap_or(0);
    let end = DEMO[start..]
        .find("FIELD_DEFINITION | INPUT_FIELD_DEFINITION")
        .map_or(start, |i| start + i)
        + "FIELD_DEFINITION | INPUT_FIELD_DEFINITION".len();
    let v05_field = "directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, \
         type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String, \
         contextArguments: [join__ContextArgument!]) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION\n\
         directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) \
         repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION\n\
         input join__ContextArgument { name: String! type: String! context: String! selection: join__FieldValue! }\n\
         scalar join__DirectiveArguments\nscalar join__FieldValue";
    format!("{}{}{}", &DEMO[..start], v05_field, &DEMO[end..]).replace("join/v0.3", "join/v0.5")
}

#[test]
fn loads_a_join_v05_supergraph() -> Result<(), SupergraphError> {
    let sdl = demo_as_join_v05();
    assert!(
        sdl.contains("join/v0.5") && sdl.contains("overrideLabel"),
        "{sdl}"
    );
    let supergraph = Supergraph::parse(&sdl)?;
    let api = supergraph.api_schema.to_string();
    assert!(!api.contains("join__"), "{api}");
    assert_eq!(supergraph.subgraphs.len(), 4);
    Ok(())
}

#[test]
#[allow(clippy::unwrap_used)]
fn every_demo_subgraph_schema_is_derived_with_its_own_fields_and_the_entry_points() {
    let supergraph = Supergraph::parse(DEMO).unwrap();
    for id in 0..supergraph.subgraphs.len() {
        let schema = supergraph
            .subgraph_schema(id)
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(schema.types.contains_key("_Service"));
    }
    let reviews = supergraph.subgraph_by_name("reviews").unwrap();
    let schema = supergraph.subgraph_schema(reviews).unwrap();
    let product = schema.get_object("Product").unwrap();
    assert!(product.fields.contains_key("reviews"));
    assert!(!product.fields.contains_key("name"), "products' field");
    assert!(schema.get_union("_Entity").is_some());
    let query = schema.get_object("Query").unwrap();
    assert!(query.fields.contains_key("_entities"));
    assert!(!query.fields.contains_key("topProducts"));
}
