//! What of a subgraph's GraphQL errors reaches the client. Errors are read
//! into [`GraphQLError`]s where they enter the gateway, the one place that
//! still knows which subgraph sent them: passed through (locations dropped:
//! they point into the subgraph's operation; the subgraph's extensions
//! kept) or masked to "subgraph error" with the subgraph's name and the
//! error's `extensions.code` when it is a plain one, the original logged.

use compact_str::CompactString;
use serde_json::Value;

use super::policy::ErrorPolicy;
use crate::graphql_error::{Cause, GraphQLError, PathElement};
use crate::json::Data;

/// Longest original error text written to the log.
const LOGGED_ERROR_BYTES: usize = 2048;

/// The subgraph an error came from, and how its errors are shown.
#[derive(Clone, Copy)]
pub(super) struct Origin<'a> {
    pub subgraph: &'a str,
    pub policy: ErrorPolicy,
}

impl Origin<'_> {
    /// The error as the client may see it.
    pub fn client_error(&self, error: &Data) -> GraphQLError {
        match self.policy {
            ErrorPolicy::Passthrough => passthrough(error),
            ErrorPolicy::Mask => self.mask(error),
        }
    }

    fn mask(&self, error: &Data) -> GraphQLError {
        let code = error
            .get("extensions")
            .and_then(|extensions| extensions.get("code"))
            .and_then(Data::as_str)
            .filter(|code| is_plain_code(code))
            .map(CompactString::from);
        let mut logged = Vec::new();
        error.write_json(&mut logged);
        let mut logged = String::from_utf8_lossy(&logged).into_owned();
        if logged.len() > LOGGED_ERROR_BYTES {
            let mut end = LOGGED_ERROR_BYTES;
            while !logged.is_char_boundary(end) {
                end -= 1;
            }
            logged.truncate(end);
        }
        tracing::info!(subgraph = %self.subgraph, error = %logged, "subgraph error masked");
        GraphQLError {
            path: error.get("path").and_then(path_of),
            ..GraphQLError::new("subgraph error", Cause::MaskedSubgraph { code })
        }
        .from_service(self.subgraph)
    }
}

/// A subgraph error as sent, without `locations`, with a message.
fn passthrough(error: &Data) -> GraphQLError {
    let Data::Object(map) = error else {
        return GraphQLError::new("invalid error from subgraph", Cause::Subgraph);
    };
    let message = map
        .get("message")
        .and_then(Data::as_str)
        .unwrap_or("subgraph error");
    let mut shown = GraphQLError::new(message, Cause::Subgraph);
    shown.path = map.get("path").and_then(path_of);
    if let Some(Value::Object(extensions)) = map.get("extensions").map(Data::to_value) {
        shown.extensions.subgraph_entries = extensions;
    }
    shown
}

/// A subgraph error's `path`, when it is one: keys and list indexes.
fn path_of(path: &Data) -> Option<Vec<PathElement>> {
    let Data::List(steps) = path else {
        return None;
    };
    steps
        .iter()
        .map(|step| match step {
            Data::Number(n) => n
                .as_u64()
                .and_then(|i| usize::try_from(i).ok())
                .map(PathElement::Index),
            key => key.as_str().map(|k| PathElement::Key(k.into())),
        })
        .collect()
}

/// A code like `NOT_FOUND`: short, upper-case letters, digits and `_`
/// (anything else could carry the detail masking hides).
fn is_plain_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 64
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::Map;

    use super::*;
    use crate::json::{read, ReadLimits};

    const ERROR: &str = r#"{"message":"user 42 (ann@example.com) not found at db-7:5432","locations":[{"line":1,"column":3}],"path":["me",0],"extensions":{"code":"NOT_FOUND","stack":["at db.rs:12"]}}"#;

    fn origin(policy: ErrorPolicy) -> Origin<'static> {
        Origin {
            subgraph: "accounts",
            policy,
        }
    }

    fn data(text: &str) -> Data {
        read(text.as_bytes(), ReadLimits::default()).unwrap()
    }

    fn me() -> Option<Vec<PathElement>> {
        Some(vec![PathElement::Key("me".into()), PathElement::Index(0)])
    }

    #[test]
    fn masking_keeps_the_path_and_code_and_drops_everything_else() {
        assert_eq!(
            origin(ErrorPolicy::Mask).client_error(&data(ERROR)),
            GraphQLError {
                path: me(),
                ..GraphQLError::new(
                    "subgraph error",
                    Cause::MaskedSubgraph {
                        code: Some("NOT_FOUND".into())
                    }
                )
            }
            .from_service("accounts")
        );
    }

    #[test]
    fn masking_drops_a_code_that_is_not_a_plain_code() {
        let error = data(r#"{ "message": "x", "extensions": { "code": "secret at 10.0.0.1" } }"#);
        assert_eq!(
            origin(ErrorPolicy::Mask).client_error(&error),
            GraphQLError::new("subgraph error", Cause::MaskedSubgraph { code: None })
                .from_service("accounts")
        );
    }

    #[test]
    fn passthrough_keeps_the_error_but_its_locations() {
        let shown = origin(ErrorPolicy::Passthrough).client_error(&data(ERROR));
        let mut extensions = Map::new();
        extensions.insert("code".into(), Value::from("NOT_FOUND"));
        extensions.insert("stack".into(), Value::from(vec!["at db.rs:12"]));
        let mut expected = GraphQLError::new(
            "user 42 (ann@example.com) not found at db-7:5432",
            Cause::Subgraph,
        );
        expected.path = me();
        expected.extensions.subgraph_entries = extensions;
        assert_eq!(shown, expected);
    }

    #[test]
    fn passthrough_gives_a_message_to_an_error_without_one_and_drops_a_path_that_is_not_one() {
        let error = data(r#"{ "message": 7, "path": ["a", -1] }"#);
        assert_eq!(
            origin(ErrorPolicy::Passthrough).client_error(&error),
            GraphQLError::new("subgraph error", Cause::Subgraph)
        );
        assert_eq!(
            origin(ErrorPolicy::Passthrough).client_error(&data("[1]")),
            GraphQLError::new("invalid error from subgraph", Cause::Subgraph)
        );
    }
}
