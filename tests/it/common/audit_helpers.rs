//! Helpers shared by the audit-shaped tests (`tests/it/audit_*.rs`):
//! checking a whole response and snapshotting its plan, and looking rows up
//! in fixture data.

#![allow(dead_code, unused_macros, clippy::unwrap_used)]

use serde_json::Value;

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

/// The row of `table` whose `field` equals `value`, or null.
pub fn row(table: &Value, field: &str, value: &Value) -> Value {
    let rows = table.as_array().unwrap();
    let found = rows.iter().find(|r| &r[field] == value);
    found.cloned().unwrap_or(Value::Null)
}
