//! Scalars as the spec serialises them, whatever the subgraphs sent.

use serde_json::json;

use crate::common::fixture_subgraph::{Federation, Subgraph};

const ITEMS: &str = r#"
type Query @join__type(graph: A) {
  items: [Item] @join__field(graph: A)
}
type Item @join__type(graph: A) {
  id: ID!
  count: Int
}
"#;

/// An `ID` is serialised as a string (spec §3.5.5), even when a subgraph
/// sends an integer; an `Int` stays a number.
#[tokio::test]
async fn an_integer_id_from_a_subgraph_is_answered_as_a_string() {
    let a = Subgraph::new("a").root(
        "Query.items",
        |_| json!([{ "id": 7, "count": 7 }, { "id": "x8", "count": 8 }]),
    );
    let fed = Federation::start(ITEMS, vec![a]).await;
    assert_eq!(
        fed.query("{ items { id count } }").await,
        json!({ "data": { "items": [{ "id": "7", "count": 7 }, { "id": "x8", "count": 8 }] } })
    );
}
