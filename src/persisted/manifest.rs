//! Operation manifests (persisted operations for SDK clients): what a
//! client registers, read from either format clients' tooling writes, and
//! checked against a schema before it is accepted.
//!
//! - Apollo's persisted query list: `{"format": "apollo-persisted-query-manifest",
//!   "version": 1, "operations": [{"id", "name", "type", "body"}]}`;
//! - Relay's persisted queries map: `{"<id>": "<operation text>"}`.
//!
//! A manifest is taken whole or not at all: every problem (a malformed
//! entry, a repeated id, an operation that does not validate) is reported
//! with the operation it is about.

use std::collections::HashSet;

use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;
use serde_json::Value;

/// Most operations one manifest may hold.
pub const MAX_OPERATIONS: usize = 10_000;
/// Longest operation text a manifest may hold, in bytes.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// One registered operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersistedOperation {
    pub id: String,
    pub name: Option<String>,
    pub body: String,
}

/// Why a manifest cannot be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestError {
    #[error("the manifest is not JSON: {0}")]
    NotJson(String),
    #[error("the manifest is neither an Apollo persisted query list ({{\"format\": \"apollo-persisted-query-manifest\", \"version\": 1, \"operations\": [...]}}) nor a Relay map ({{\"<id>\": \"<operation>\"}})")]
    UnknownFormat,
    #[error("the manifest holds {0} operations; at most {MAX_OPERATIONS} are allowed")]
    TooManyOperations(usize),
    #[error("the manifest holds no operation")]
    Empty,
}

/// What is wrong with one operation of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationProblem {
    /// The operation's id, or its position when it has none.
    pub operation: String,
    pub problems: Vec<String>,
}

/// Reads a manifest in either format. Entries that are there but wrong
/// (no id, no body, a repeated id, a body too long) are returned as
/// problems, next to the operations that could be read.
pub fn parse(
    text: &str,
) -> Result<(Vec<PersistedOperation>, Vec<OperationProblem>), ManifestError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| ManifestError::NotJson(e.to_string()))?;
    let Value::Object(object) = value else {
        return Err(ManifestError::UnknownFormat);
    };
    let entries: Vec<Entry> = match object.get("format") {
        Some(Value::String(format)) if format == "apollo-persisted-query-manifest" => {
            let Some(Value::Array(operations)) = object.get("operations") else {
                return Err(ManifestError::UnknownFormat);
            };
            operations.iter().map(apollo_entry).collect()
        }
        Some(_) => return Err(ManifestError::UnknownFormat),
        None if object.values().all(Value::is_string) => object
            .iter()
            .map(|(id, body)| Entry {
                id: Some(id.clone()),
                name: None,
                body: body.as_str().map(str::to_string),
            })
            .collect(),
        None => return Err(ManifestError::UnknownFormat),
    };
    if entries.is_empty() {
        return Err(ManifestError::Empty);
    }
    if entries.len() > MAX_OPERATIONS {
        return Err(ManifestError::TooManyOperations(entries.len()));
    }
    Ok(read_entries(entries))
}

/// One entry as read, before it is checked.
struct Entry {
    id: Option<String>,
    name: Option<String>,
    body: Option<String>,
}

fn apollo_entry(entry: &Value) -> Entry {
    let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_string);
    Entry {
        id: text("id").filter(|id| !id.is_empty()),
        name: text("name"),
        body: text("body"),
    }
}

fn read_entries(entries: Vec<Entry>) -> (Vec<PersistedOperation>, Vec<OperationProblem>) {
    let mut seen = HashSet::new();
    let (mut operations, mut problems) = (Vec::new(), Vec::new());
    for (position, entry) in entries.into_iter().enumerate() {
        let label = entry.id.clone().unwrap_or_else(|| format!("#{position}"));
        let problem = match (&entry.id, &entry.body) {
            (None, _) => "it has no id".to_string(),
            (Some(id), _) if !seen.insert(id.clone()) => {
                "its id is used by another operation".to_string()
            }
            (_, None) => "it has no body (the operation's text)".to_string(),
            (_, Some(body)) if body.len() > MAX_BODY_BYTES => {
                format!("its body is longer than {MAX_BODY_BYTES} bytes")
            }
            (Some(id), Some(body)) => {
                operations.push(PersistedOperation {
                    id: id.clone(),
                    name: entry.name,
                    body: body.clone(),
                });
                continue;
            }
        };
        problems.push(OperationProblem {
            operation: label,
            problems: vec![problem],
        });
    }
    (operations, problems)
}

/// The operations that do not validate against `schema`, with their
/// errors (a manifest is refused unless this is empty).
pub fn check(operations: &[PersistedOperation], schema: &Valid<Schema>) -> Vec<OperationProblem> {
    operations
        .iter()
        .filter_map(|operation| {
            let error = crate::operation::prepare(schema, &operation.body, None).err()?;
            let problems = error
                .to_graphql_errors()
                .into_iter()
                .map(|e| e.message)
                .collect();
            Some(OperationProblem {
                operation: operation.id.clone(),
                problems,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn schema() -> Valid<Schema> {
        Schema::parse_and_validate(
            "type Query { me: User } type User { id: ID name: String }",
            "s.graphql",
        )
        .unwrap()
    }

    #[test]
    fn both_formats_are_read() {
        let apollo = r#"{"format":"apollo-persisted-query-manifest","version":1,"operations":[
            {"id":"a1","name":"Me","type":"query","body":"query Me { me { id } }"}]}"#;
        let (operations, problems) = parse(apollo).unwrap();
        assert!(problems.is_empty());
        assert_eq!(
            operations,
            [PersistedOperation {
                id: "a1".into(),
                name: Some("Me".into()),
                body: "query Me { me { id } }".into()
            }]
        );
        let relay = r#"{"r1":"query A { me { id } }","r2":"query B { me { name } }"}"#;
        let (operations, problems) = parse(relay).unwrap();
        assert!(problems.is_empty());
        let ids: Vec<&str> = operations.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["r1", "r2"]);
    }

    #[test]
    fn what_is_not_a_manifest_is_refused_whole() {
        for (text, expected) in [
            ("[]", ManifestError::UnknownFormat),
            (
                r#"{"format":"other","operations":[]}"#,
                ManifestError::UnknownFormat,
            ),
            (r#"{"r1": 7}"#, ManifestError::UnknownFormat),
            ("{}", ManifestError::Empty),
        ] {
            assert_eq!(parse(text).unwrap_err(), expected, "{text}");
        }
        assert!(matches!(parse("{"), Err(ManifestError::NotJson(_))));
    }

    #[test]
    fn each_wrong_entry_and_each_invalid_operation_is_named() {
        let text = r#"{"format":"apollo-persisted-query-manifest","version":1,"operations":[
            {"id":"ok","body":"{ me { id } }"},
            {"id":"ok","body":"{ me { name } }"},
            {"body":"{ me { id } }"},
            {"id":"no-body"},
            {"id":"bad","body":"{ me { nope } }"}]}"#;
        let (operations, problems) = parse(text).unwrap();
        let named: Vec<&str> = problems.iter().map(|p| p.operation.as_str()).collect();
        assert_eq!(named, ["ok", "#2", "no-body"]);
        let invalid = check(&operations, &schema());
        assert_eq!(invalid.len(), 1, "{invalid:?}");
        assert_eq!(invalid[0].operation, "bad");
        assert!(invalid[0].problems[0].contains("nope"), "{invalid:?}");
    }
}
