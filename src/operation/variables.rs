//! The request's variables, read from their JSON text within limits: the
//! text's size is checked first, and lists are counted while they are read,
//! so a list over the limit is refused after `max_list_length + 1` items,
//! not after a million have been built.

use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Number, Value};

use super::LimitExceeded;

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
    let exceeded = Cell::new(None);
    let seed = Bounded {
        max_list_length: limits.max_list_length,
        exceeded: &exceeded,
    };
    let mut deserializer = serde_json::Deserializer::from_str(text);
    match seed.deserialize(&mut deserializer) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(Value::Null) => Ok(Map::new()),
        Ok(_) => Err(VariablesError::Invalid("not an object".into())),
        Err(error) => Err(match exceeded.take() {
            Some(limit) => VariablesError::Limit(limit),
            None => VariablesError::Invalid(error.to_string()),
        }),
    }
}

/// Builds a [`Value`], refusing any list longer than `max_list_length`.
#[derive(Clone, Copy)]
struct Bounded<'a> {
    max_list_length: usize,
    /// The limit that stopped reading, for the caller to report.
    exceeded: &'a Cell<Option<LimitExceeded>>,
}

impl<'de> DeserializeSeed<'de> for Bounded<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Bounded<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(self)? {
            if items.len() == self.max_list_length {
                self.exceeded.set(Some(LimitExceeded {
                    limit: "max_list_length",
                    max: self.max_list_length,
                    actual: self.max_list_length as u64 + 1,
                }));
                return Err(serde::de::Error::custom("list too long"));
            }
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(self)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
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
