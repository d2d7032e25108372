//! What of a subgraph's GraphQL errors reaches the client. Errors are taken
//! where they enter the gateway, the one place that still knows which
//! subgraph sent them: passed through (locations dropped: they point into
//! the subgraph's operation) or masked to "subgraph error" with the
//! subgraph's name and the error's `extensions.code`, the original logged.

use serde_json::{json, Map, Value};

use super::policy::ErrorPolicy;

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
    pub fn client_error(&self, error: Value) -> Value {
        match self.policy {
            ErrorPolicy::Passthrough => passthrough(error),
            ErrorPolicy::Mask => self.mask(error),
        }
    }

    fn mask(&self, error: Value) -> Value {
        let code = error
            .pointer("/extensions/code")
            .and_then(Value::as_str)
            .filter(|code| is_plain_code(code))
            .unwrap_or("SUBGRAPH_ERROR")
            .to_string();
        let mut logged = error.to_string();
        if logged.len() > LOGGED_ERROR_BYTES {
            let mut end = LOGGED_ERROR_BYTES;
            while !logged.is_char_boundary(end) {
                end -= 1;
            }
            logged.truncate(end);
        }
        tracing::info!(subgraph = %self.subgraph, error = %logged, "subgraph error masked");
        let mut masked = Map::new();
        masked.insert("message".into(), Value::String("subgraph error".into()));
        if let Some(path) = error.get("path").filter(|p| p.is_array()) {
            masked.insert("path".into(), path.clone());
        }
        masked.insert(
            "extensions".into(),
            json!({ "code": code, "service": self.subgraph }),
        );
        Value::Object(masked)
    }
}

/// A subgraph error as sent, without `locations`, with a message.
fn passthrough(error: Value) -> Value {
    let Value::Object(mut map) = error else {
        return json!({ "message": "invalid error from subgraph" });
    };
    map.remove("locations");
    if !map.get("message").is_some_and(Value::is_string) {
        map.insert("message".into(), Value::String("subgraph error".into()));
    }
    Value::Object(map)
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
    use super::*;

    const ERROR: &str = r#"{"message":"user 42 (ann@example.com) not found at db-7:5432","locations":[{"line":1,"column":3}],"path":["me"],"extensions":{"code":"NOT_FOUND","stack":["at db.rs:12"]}}"#;

    fn origin(policy: ErrorPolicy) -> Origin<'static> {
        Origin {
            subgraph: "accounts",
            policy,
        }
    }

    #[test]
    fn masking_keeps_the_path_and_code_and_drops_everything_else() {
        let error: Value = serde_json::from_str(ERROR).unwrap_or_default();
        assert_eq!(
            origin(ErrorPolicy::Mask).client_error(error),
            json!({
                "message": "subgraph error",
                "path": ["me"],
                "extensions": { "code": "NOT_FOUND", "service": "accounts" }
            })
        );
    }

    #[test]
    fn masking_drops_a_code_that_is_not_a_plain_code() {
        let error = json!({ "message": "x", "extensions": { "code": "secret at 10.0.0.1" } });
        assert_eq!(
            origin(ErrorPolicy::Mask).client_error(error),
            json!({
                "message": "subgraph error",
                "extensions": { "code": "SUBGRAPH_ERROR", "service": "accounts" }
            })
        );
    }

    #[test]
    fn passthrough_keeps_the_error_but_its_locations() {
        let error: Value = serde_json::from_str(ERROR).unwrap_or_default();
        let shown = origin(ErrorPolicy::Passthrough).client_error(error);
        assert_eq!(shown.get("locations"), None);
        assert_eq!(
            shown["message"],
            json!("user 42 (ann@example.com) not found at db-7:5432")
        );
        assert_eq!(shown["extensions"]["stack"], json!(["at db.rs:12"]));
    }
}
