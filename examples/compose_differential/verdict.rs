//! What a composer said about a set: composed (with the supergraph) or
//! rejected (with its errors, first one first). Junction's verdict comes
//! from `junction::compose::compose` in-process (a panic is a verdict
//! too); Apollo's from the JSON line `apollo_compose.js` prints.

use std::panic::{catch_unwind, AssertUnwindSafe};

use junction::compose::{compose, SubgraphInput};
use serde_json::{json, Value};

/// One error: its code and message.
#[derive(Clone, Debug)]
pub struct Error {
    pub code: String,
    pub message: String,
}

/// A composer's answer for one set.
#[derive(Clone, Debug)]
pub enum Verdict {
    Composed { supergraph: String },
    Rejected { errors: Vec<Error> },
}

impl Verdict {
    pub fn accepted(&self) -> bool {
        matches!(self, Verdict::Composed { .. })
    }

    pub fn first(&self) -> Option<&Error> {
        match self {
            Verdict::Rejected { errors } => errors.first(),
            Verdict::Composed { .. } => None,
        }
    }

    pub fn codes(&self) -> Vec<&str> {
        match self {
            Verdict::Rejected { errors } => errors.iter().map(|e| e.code.as_str()).collect(),
            Verdict::Composed { .. } => Vec::new(),
        }
    }

    /// `accept` or `reject CODE`.
    pub fn short(&self) -> String {
        match self.first() {
            None if self.accepted() => "accept".into(),
            None => "reject (no error)".into(),
            Some(e) => format!("reject {}", e.code),
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Verdict::Composed { supergraph } => json!({ "ok": true, "supergraph": supergraph }),
            Verdict::Rejected { errors } => json!({
                "ok": false,
                "errors": errors.iter().map(|e| json!({ "code": e.code, "message": e.message })).collect::<Vec<_>>(),
            }),
        }
    }

    /// A line `apollo_compose.js` printed.
    pub fn from_apollo_line(line: &str) -> Result<Verdict, String> {
        let value: Value =
            serde_json::from_str(line).map_err(|e| format!("not JSON ({e}): {line}"))?;
        match value.get("ok").and_then(Value::as_bool) {
            Some(true) => Ok(Verdict::Composed {
                supergraph: value
                    .get("supergraph")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            }),
            Some(false) => {
                let errors = value
                    .get("errors")
                    .and_then(Value::as_array)
                    .map(|errors| {
                        errors
                            .iter()
                            .map(|e| Error {
                                code: e
                                    .get("code")
                                    .and_then(Value::as_str)
                                    .unwrap_or("UNKNOWN")
                                    .to_string(),
                                message: e
                                    .get("message")
                                    .and_then(Value::as_str)
                                    .unwrap_or_default()
                                    .to_string(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                Ok(Verdict::Rejected { errors })
            }
            None => Err(format!("no \"ok\" in {line}")),
        }
    }
}

/// Junction's verdict, composing in-process; a panic is reported as a
/// rejection with code `PANIC` so one bad set does not end the run.
pub fn junction(subgraphs: &[SubgraphInput]) -> Verdict {
    match catch_unwind(AssertUnwindSafe(|| compose(subgraphs))) {
        Ok(Ok(supergraph)) => Verdict::Composed { supergraph },
        Ok(Err(errors)) => Verdict::Rejected {
            errors: errors
                .into_iter()
                .map(|e| Error {
                    code: e.code.to_string(),
                    message: e.located(),
                })
                .collect(),
        },
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            Verdict::Rejected {
                errors: vec![Error {
                    code: "PANIC".into(),
                    message,
                }],
            }
        }
    }
}
