//! Classing two answers to the same operation.

use serde_json::Value;

/// How two answers differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Class {
    /// Same data and the same error paths.
    Same,
    /// Both refused the request (no `data` from either).
    BothRefused,
    /// Junction refused the request (no `data`), the other answered.
    JunctionRefused,
    /// The other refused, Junction answered.
    OtherRefused,
    /// Both answered, with different data.
    DataDiffers,
    /// The same data, errors at different paths (or only one with errors).
    ErrorsDiffer,
}

pub fn compare(ours: &Value, theirs: &Value) -> Class {
    let (our_data, their_data) = (ours.get("data"), theirs.get("data"));
    match (our_data, their_data) {
        (None, Some(_)) => return Class::JunctionRefused,
        (Some(_), None) => return Class::OtherRefused,
        (None, None) => return Class::BothRefused,
        _ => {}
    }
    if our_data != their_data {
        return Class::DataDiffers;
    }
    if error_paths(ours) != error_paths(theirs) {
        return Class::ErrorsDiffer;
    }
    Class::Same
}

fn error_paths(answer: &Value) -> Vec<String> {
    let mut paths: Vec<String> = answer
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .map(|e| e.get("path").map(Value::to_string).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths.dedup();
    paths
}
