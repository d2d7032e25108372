//! The compact JSON tree the response path works on: subgraph answers are
//! read into it once, merged into one tree by plan path, and the client's
//! answer is written from it.
//!
//! Unlike `serde_json::Value` with `preserve_order`, no string is
//! allocated for a key or a short string value (both are
//! [`CompactString`]s, inline up to 24 bytes), and an object is a vector
//! of entries sorted by key, found by binary search: no hashing at all.
//! The order of a subgraph's keys is not kept; the client's answer takes
//! its order from the operation's selection.

use compact_str::CompactString;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Number, Value};

/// A key of a JSON object.
pub type Key = CompactString;

/// One JSON value.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Data {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(CompactString),
    List(Vec<Data>),
    Object(Object),
}

/// A JSON object: entries sorted by key, each key once.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Object {
    entries: Vec<(Key, Data)>,
}

impl Data {
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Object> {
        match self {
            Self::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The value under `key`, when this is an object that has it.
    pub fn get(&self, key: &str) -> Option<&Data> {
        self.as_object().and_then(|object| object.get(key))
    }

    /// The value under `key` mutably, when this is an object that has it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Data> {
        match self {
            Self::Object(object) => object.get_mut(key),
            _ => None,
        }
    }

    /// The item at `index`, when this is a list that long.
    pub fn item_mut(&mut self, index: usize) -> Option<&mut Data> {
        match self {
            Self::List(items) => items.get_mut(index),
            _ => None,
        }
    }

    /// The number of values in this one (itself included).
    pub fn count_values(&self) -> usize {
        let mut count = 0;
        let mut pending = vec![self];
        while let Some(value) = pending.pop() {
            count += 1;
            match value {
                Self::List(items) => pending.extend(items),
                Self::Object(object) => pending.extend(object.values()),
                _ => {}
            }
        }
        count
    }

    /// The same value as a `serde_json::Value` (keys in sorted order).
    pub fn to_value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Number(n) => Value::Number(n.clone()),
            Self::String(s) => Value::String(s.to_string()),
            Self::List(items) => Value::Array(items.iter().map(Data::to_value).collect()),
            Self::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
        }
    }

    /// A `serde_json::Value` as compact data.
    pub fn from_value(value: &Value) -> Data {
        match value {
            Value::Null => Self::Null,
            Value::Bool(b) => Self::Bool(*b),
            Value::Number(n) => Self::Number(n.clone()),
            Value::String(s) => Self::String(CompactString::from(s.as_str())),
            Value::Array(items) => Self::List(items.iter().map(Data::from_value).collect()),
            Value::Object(map) => Self::Object(Object::from_entries(
                map.iter()
                    .map(|(k, v)| (Key::from(k.as_str()), Data::from_value(v)))
                    .collect(),
            )),
        }
    }

    /// Writes this value as JSON text.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Self::Null => out.extend_from_slice(b"null"),
            Self::Bool(true) => out.extend_from_slice(b"true"),
            Self::Bool(false) => out.extend_from_slice(b"false"),
            Self::Number(n) => write_number(n, out),
            Self::String(s) => write_string(s, out),
            Self::List(items) => {
                out.push(b'[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    item.write_json(out);
                }
                out.push(b']');
            }
            Self::Object(object) => {
                out.push(b'{');
                for (i, (key, value)) in object.iter().enumerate() {
                    if i > 0 {
                        out.push(b',');
                    }
                    write_string(key, out);
                    out.push(b':');
                    value.write_json(out);
                }
                out.push(b'}');
            }
        }
    }
}

impl Object {
    pub fn new() -> Self {
        Self::default()
    }

    /// An object of these entries, in any order; of a repeated key the
    /// last value stays (as JSON readers do).
    pub fn from_entries(mut entries: Vec<(Key, Data)>) -> Self {
        if !entries.is_sorted_by(|a, b| a.0 < b.0) {
            // Stable, so that of equal keys the last one read stays last.
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut deduplicated: Vec<(Key, Data)> = Vec::with_capacity(entries.len());
            for entry in entries {
                match deduplicated.last_mut() {
                    Some(last) if last.0 == entry.0 => *last = entry,
                    _ => deduplicated.push(entry),
                }
            }
            entries = deduplicated;
        }
        Self { entries }
    }

    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&Data> {
        self.position(key).ok().map(|i| &self.entries[i].1)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Data> {
        match self.position(key) {
            Ok(i) => Some(&mut self.entries[i].1),
            Err(_) => None,
        }
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_ok()
    }

    /// Sets `key` to `value`; returns the value it replaced.
    pub fn insert(&mut self, key: Key, value: Data) -> Option<Data> {
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Data> {
        self.position(key).ok().map(|i| self.entries.remove(i).1)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Data)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn values(&self) -> impl Iterator<Item = &Data> {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Data> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// The entries, in key order.
    pub fn into_entries(self) -> Vec<(Key, Data)> {
        self.entries
    }

    /// Renames keys: `rename` returns a key's new name, or `None` to keep
    /// it. Of two entries that end with one name, the renamed one stays.
    pub fn rename_keys(&mut self, rename: impl Fn(&str) -> Option<Key>) {
        if !self.entries.iter().any(|(k, _)| rename(k).is_some()) {
            return;
        }
        let entries = std::mem::take(&mut self.entries);
        let (renamed, kept): (Vec<_>, Vec<_>) = entries
            .into_iter()
            .map(|(k, v)| match rename(&k) {
                Some(new) => (true, (new, v)),
                None => (false, (k, v)),
            })
            .partition(|(renamed, _)| *renamed);
        let mut all: Vec<(Key, Data)> = kept.into_iter().map(|(_, e)| e).collect();
        all.extend(renamed.into_iter().map(|(_, e)| e));
        *self = Self::from_entries(all);
    }
}

/// Writes a JSON string.
pub fn write_string(text: &str, out: &mut Vec<u8>) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(out, text);
}

/// Writes a JSON number.
pub fn write_number(number: &Number, out: &mut Vec<u8>) {
    if let Some(i) = number.as_i64() {
        out.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
    } else if let Some(u) = number.as_u64() {
        out.extend_from_slice(itoa::Buffer::new().format(u).as_bytes());
    } else {
        let _ = serde_json::to_writer(out, number);
    }
}

impl Serialize for Data {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_unit(),
            Self::Bool(b) => serializer.serialize_bool(*b),
            Self::Number(n) => n.serialize(serializer),
            Self::String(s) => serializer.serialize_str(s),
            Self::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Self::Object(object) => {
                let mut map = serializer.serialize_map(Some(object.len()))?;
                for (key, value) in object.iter() {
                    map.serialize_entry(key.as_str(), value)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn data(text: &str) -> Data {
        Data::from_value(&serde_json::from_str(text).unwrap())
    }

    #[test]
    fn objects_find_keys_whatever_order_they_came_in() {
        let value = data(r#"{"z":1,"a":{"m":true,"b":null},"k":"x"}"#);
        assert_eq!(value.get("z"), Some(&Data::Number(1.into())));
        assert_eq!(value.get("k").and_then(Data::as_str), Some("x"));
        assert_eq!(value.get("a").unwrap().get("m"), Some(&Data::Bool(true)));
        assert_eq!(value.get("q"), None);
        assert_eq!(value.count_values(), 6);
    }

    #[test]
    fn of_a_repeated_key_the_last_value_stays() {
        let object = Object::from_entries(vec![
            ("b".into(), Data::Number(1.into())),
            ("a".into(), Data::Null),
            ("b".into(), Data::Number(2.into())),
        ]);
        assert_eq!(object.len(), 2);
        assert_eq!(object.get("b"), Some(&Data::Number(2.into())));
    }

    #[test]
    fn insert_and_remove_keep_the_keys_sorted() {
        let mut object = Object::new();
        for key in ["m", "c", "x", "a"] {
            object.insert(key.into(), Data::Bool(true));
        }
        assert_eq!(object.insert("c".into(), Data::Null), Some(Data::Bool(true)));
        assert_eq!(object.remove("x"), Some(Data::Bool(true)));
        let keys: Vec<&str> = object.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["a", "c", "m"]);
    }

    #[test]
    fn renamed_keys_win_over_keys_of_the_same_name() {
        let mut object = Object::from_entries(vec![
            ("_x_a".into(), Data::Number(1.into())),
            ("a".into(), Data::Number(2.into())),
            ("b".into(), Data::Null),
        ]);
        object.rename_keys(|k| k.strip_prefix("_x_").map(Key::from));
        assert_eq!(object.len(), 2);
        assert_eq!(object.get("a"), Some(&Data::Number(1.into())));
    }

    #[test]
    fn json_text_round_trips_with_sorted_keys() {
        let text = r#"{"b":[1,-2,1.5,"q\"\n",null,false],"a":{"y":{},"x":[]}}"#;
        let value = data(text);
        let mut out = Vec::new();
        value.write_json(&mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":{"x":[],"y":{}},"b":[1,-2,1.5,"q\"\n",null,false]}"#
        );
        assert_eq!(
            serde_json::to_value(&value).unwrap(),
            serde_json::from_str::<Value>(text).unwrap()
        );
        assert_eq!(value.to_value(), serde_json::from_str::<Value>(text).unwrap());
    }
}
