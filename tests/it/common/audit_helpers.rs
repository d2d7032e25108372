//! Helpers shared by the audit-shaped tests (`tests/audit_*.rs`): checking a
//! whole response and snapshotting its plan, fixture subgraphs that reject
//! what a real server rejects, and looking rows up in fixture data.

#![allow(dead_code, unused_macros, clippy::unwrap_used)]

use serde_json::Value;

use super::fixture_subgraph::Subgraph;

/// Asserts the whole response to `query` and snapshots its plan as `name`:
/// `check!(&fed, "name", query, expected).await`. A macro, so the snapshot
/// belongs to the calling test file.
macro_rules! check {
    ($fed:expr, $name:expr, $query:expr, $expected:expr $(,)?) => {
        async {
            let fed = $fed;
            let name: &str = &$name;
            let query: &str = &$query;
            let plan = fed.plan(query);
            assert_eq!(fed.query(query).await, $expected, "{plan}");
            insta::assert_snapshot!(name, plan, query);
        }
    };
}
pub(crate) use check;

/// A fixture subgraph that, like a real one, rejects object fields selected
/// without subfields.
pub fn subgraph(name: &str) -> Subgraph {
    Subgraph::new(name).requires_subselections()
}

/// The row of `table` whose `field` equals `value`, or null.
pub fn row(table: &Value, field: &str, value: &Value) -> Value {
    let rows = table.as_array().unwrap();
    let found = rows.iter().find(|r| &r[field] == value);
    found.cloned().unwrap_or(Value::Null)
}
