//! The request's variables, read from their JSON text within limits: the
//! text's size is checked first, and lists are counted while they are read,
//! so a list over the limit is refused after `max_list_length + 1` items,
//! not after a million have been built.

use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::LimitExceeded;
use crate::json;

/// Limits on a request's variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VariableLimits {
    /// Size of the variables' JSON text, in bytes.
    pub max_bytes: usize,
    /// Items in any one list.
    pub max_list_length: usize,
}

impl Default for VariableLimits {
    fn default() -> Self {
        Self {
            max_bytes: 512 * 1024,
            max_list_length: 10_000,
        }
    }
}

/// Why variables could not be read.
#[derive(Debug, thiserror::Error)]
pub enum VariablesError {
    #[error("{0}")]
    Limit(#[from] LimitExceeded),
    #[error("Variables are not a JSON object: {0}")]
    Invalid(String),
}

/// Reads the variables object from its JSON text (`None`: no variables).
pub fn check_variables(
    raw: Option<&RawValue>,
    limits: &VariableLimits,
) -> Result<Map<String, Value>, VariablesError> {
    let Some(raw) = raw else {
        return Ok(Map::new());
    };
    let text = raw.get();
    if text.len() > limits.max_bytes {
        return Err(VariablesError::Limit(LimitExceeded {
            limit: "max_variables_bytes",
            max: limits.max_bytes,
            actual: text.len() as u64,
        }));
    }
    let limits = json::ReadLimits {
        max_list_length: Some(limits.max_list_length),
        budget: None,
    };
    match json::read(text.as_bytes(), limits) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(VariablesError::Invalid("not an object".into())),
        Err(json::ReadError::Limit(json::Exceeded::ListLength(max))) => {
            Err(VariablesError::Limit(LimitExceeded {
                limit: "max_list_length",
                max,
                actual: max as u64 + 1,
            }))
        }
        Err(error) => Err(VariablesError::Invalid(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    #[test]
    fn variables_within_the_limits_are_read_as_they_are() {
        let text = r#"{"a":[1,2,{"b":[true,null,"x"]}],"n":1.5,"m":-3}"#;
        let read = check_variables(Some(&raw(text)), &VariableLimits::default()).unwrap();
        assert_eq!(
            Value::Object(read),
            serde_json::from_str::<Value>(text).unwrap()
        );
        let none = check_variables(None, &VariableLimits::default()).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn a_list_over_the_limit_is_refused_while_it_is_read() {
        let items = vec!["0"; 1_000_000].join(",");
        let text = format!(r#"{{"ids":[{items}]}}"#);
        let limits = VariableLimits {
            max_bytes: 4 * 1024 * 1024,
            max_list_length: 10_000,
        };
        let Err(VariablesError::Limit(error)) = check_variables(Some(&raw(&text)), &limits) else {
            panic!("the list is refused");
        };
        assert_eq!(error.limit, "max_list_length");
        let nested = format!(r#"{{"a":{{"b":[[{}]]}}}}"#, vec!["1"; 10_001].join(","));
        assert!(check_variables(Some(&raw(&nested)), &limits).is_err());
    }

    #[test]
    fn large_variables_are_refused_by_size_before_reading() {
        let text = format!(r#"{{"s":"{}"}}"#, "x".repeat(600 * 1024));
        let Err(VariablesError::Limit(error)) =
            check_variables(Some(&raw(&text)), &VariableLimits::default())
        else {
            panic!("too large");
        };
        assert_eq!(error.limit, "max_variables_bytes");
        assert_eq!(error.actual, text.len() as u64);
    }
}
