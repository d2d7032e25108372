//! Reading JSON into `serde_json::Value` within limits, counted while it is
//! read: the items of any one list, and the values in all (against a
//! budget that several readers may share, such as every subgraph response
//! of one request). A document over a limit stops being read at the
//! limit: memory is spent on at most what the limits allow.
//!
//! The same reader builds either tree: `serde_json::Value`, or the compact
//! [`Data`] of the response path.

mod data;
mod key;

pub use data::{write_number, write_string, Data, Key, KeyTag, Object};

use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;

use serde::de::{Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Lists and objects nested deeper than this are refused (the reader
/// recurses once per level: this bounds its stack).
pub const MAX_DEPTH: usize = 128;

/// Entries an object being read has room for before it grows.
const OBJECT_ENTRIES: usize = 8;

/// Values taken from a shared budget at once (fewer atomic operations;
/// concurrent readers can overshoot the budget by at most this much each).
const CHUNK: usize = 1024;

/// Values (objects, lists, strings, numbers, booleans, nulls) that may
/// still be read or copied, shared by the readers of one request.
#[derive(Debug)]
pub struct ValueBudget {
    remaining: AtomicUsize,
    limit: usize,
}

impl ValueBudget {
    pub fn new(limit: usize) -> Self {
        Self {
            remaining: AtomicUsize::new(limit),
            limit,
        }
    }

    /// The budget it started with.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Takes `count` values; `false` (and nothing taken) when fewer remain.
    pub fn spend(&self, count: usize) -> bool {
        self.remaining
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(count)
            })
            .is_ok()
    }

    /// Values not spent yet.
    fn remaining(&self) -> usize {
        self.remaining.load(Ordering::Relaxed)
    }

    /// Gives back values taken but not used.
    fn refund(&self, count: usize) {
        self.remaining.fetch_add(count, Ordering::Relaxed);
    }
}

/// Which limit stopped the reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exceeded {
    /// A list longer than this.
    ListLength(usize),
    /// More values than the budget had left.
    Values,
}

/// Why JSON could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("over a limit: {0:?}")]
    Limit(Exceeded),
    #[error("{0}")]
    Invalid(String),
}

/// The limits of one read.
#[derive(Clone, Copy, Default)]
pub struct ReadLimits<'b> {
    /// Items in any one list.
    pub max_list_length: Option<usize>,
    /// Values in all.
    pub budget: Option<&'b ValueBudget>,
}

/// Reads one JSON value from `bytes` within `limits`. A document longer
/// than the values the budget has left (every value takes a byte at least)
/// is counted first without building anything, so one over the budget is
/// refused before any of it is built.
pub fn read<T: Tree>(bytes: &[u8], limits: ReadLimits<'_>) -> Result<T, ReadError> {
    read_from(bytes, None, limits)
}

/// Reads like [`read`]; a tree that can share long strings with `bytes`
/// (see [`Data::Raw`]) does.
pub fn read_shared<T: Tree>(bytes: &Bytes, limits: ReadLimits<'_>) -> Result<T, ReadError> {
    read_from(bytes, Some(bytes), limits)
}

fn read_from<T: Tree>(
    bytes: &[u8],
    source: Option<&Bytes>,
    limits: ReadLimits<'_>,
) -> Result<T, ReadError> {
    if let Some(budget) = limits.budget {
        let remaining = budget.remaining();
        if bytes.len() > remaining && count_within(bytes, remaining)?.is_none() {
            return Err(ReadError::Limit(Exceeded::Values));
        }
    }
    let state = State {
        depth: Cell::new(0),
        limits,
        source,
        exceeded: Cell::new(None),
        taken: Cell::new(0),
        used: Cell::new(0),
    };
    let mut deserializer = sonic_rs::Deserializer::from_slice(bytes);
    let result = Bounded::<T> {
        state: &state,
        tree: PhantomData,
    }
    .deserialize(&mut deserializer)
    .and_then(|value| deserializer.end().map(|()| value));
    if let Some(budget) = limits.budget {
        // What was read of a refused document is freed with it.
        let unused = match result {
            Ok(_) => state.taken.get(),
            Err(_) => state.taken.get() + state.used.get(),
        };
        budget.refund(unused);
    }
    result.map_err(|error| match state.exceeded.get() {
        Some(limit) => ReadError::Limit(limit),
        None => ReadError::Invalid(without_excerpt(&error.to_string())),
    })
}

/// A reader's error message without the excerpt of the document that
/// sonic-rs appends on the lines after it: the document may be a
/// subgraph's answer (logged) holding personal data.
fn without_excerpt(message: &str) -> String {
    message.lines().next().unwrap_or_default().to_string()
}

/// The number of values in `value` (itself included).
pub fn count_values(value: &Value) -> usize {
    let mut count = 0;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        count += 1;
        match value {
            Value::Array(items) => pending.extend(items),
            Value::Object(map) => pending.extend(map.values()),
            _ => {}
        }
    }
    count
}

/// The number of values in `bytes`, or `None` once it passes `limit`;
/// nothing is built.
fn count_within(bytes: &[u8], limit: usize) -> Result<Option<usize>, ReadError> {
    let counter = Counter {
        count: Cell::new(0),
        depth: Cell::new(0),
        limit,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let counted = (&counter)
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    match counted {
        Ok(()) => Ok(Some(counter.count.get())),
        Err(_) if counter.count.get() > limit => Ok(None),
        Err(error) => Err(ReadError::Invalid(error.to_string())),
    }
}

/// Counts values, stopping (with an error) once past `limit`.
struct Counter {
    count: Cell<usize>,
    depth: Cell<usize>,
    limit: usize,
}

impl Counter {
    fn one<E: serde::de::Error>(&self) -> Result<(), E> {
        self.count.set(self.count.get() + 1);
        match self.count.get() > self.limit {
            true => Err(E::custom("over the limit")),
            false => Ok(()),
        }
    }
}

impl<'de> DeserializeSeed<'de> for &Counter {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &Counter {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.one()
    }

    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.one()
    }

    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.one()
    }

    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.one()
    }

    fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
        self.one()
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.one()
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.one()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.one()?;
        let _level = Level::enter(&self.depth)?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        self.one()?;
        let _level = Level::enter(&self.depth)?;
        while access.next_key::<serde::de::IgnoredAny>()?.is_some() {
            access.next_value_seed(self)?;
        }
        Ok(())
    }
}

/// One more level of nesting, left when dropped.
struct Level<'d>(&'d Cell<usize>);

impl<'d> Level<'d> {
    fn enter<E: serde::de::Error>(depth: &'d Cell<usize>) -> Result<Self, E> {
        if depth.get() >= MAX_DEPTH {
            return Err(E::custom(format!("nested deeper than {MAX_DEPTH} levels")));
        }
        depth.set(depth.get() + 1);
        Ok(Self(depth))
    }
}

impl Drop for Level<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

struct State<'b> {
    /// Lists and objects open around the value being read.
    depth: Cell<usize>,
    limits: ReadLimits<'b>,
    /// The bytes being read, when the tree may share them.
    source: Option<&'b Bytes>,
    exceeded: Cell<Option<Exceeded>>,
    /// Values taken from the budget and not used yet.
    taken: Cell<usize>,
    /// Values read so far.
    used: Cell<usize>,
}

impl State<'_> {
    /// Counts one value read; an error once the budget is spent.
    fn count<E: serde::de::Error>(&self) -> Result<(), E> {
        let Some(budget) = self.limits.budget else {
            return Ok(());
        };
        if self.taken.get() == 0 {
            let taken = if budget.spend(CHUNK) {
                CHUNK
            } else if budget.spend(1) {
                1
            } else {
                return Err(self.exceed(Exceeded::Values));
            };
            self.taken.set(taken);
        }
        self.taken.set(self.taken.get() - 1);
        self.used.set(self.used.get() + 1);
        Ok(())
    }

    fn exceed<E: serde::de::Error>(&self, limit: Exceeded) -> E {
        self.exceeded.set(Some(limit));
        E::custom("over a limit")
    }
}

/// A JSON tree the reader can build.
pub trait Tree: Sized {
    /// An object's key.
    type Key: for<'de> Deserialize<'de>;
    fn null() -> Self;
    fn bool(value: bool) -> Self;
    fn number(value: Number) -> Self;
    fn str(value: &str) -> Self;
    /// A string borrowed from the text being read (no escape sequence in
    /// it), which is `source` when the reader was given it.
    fn borrowed_str(value: &str, _source: Option<&Bytes>) -> Self {
        Self::str(value)
    }
    fn string(value: String) -> Self;
    fn list(items: Vec<Self>) -> Self;
    fn object(entries: Vec<(Self::Key, Self)>) -> Self;
}

impl Tree for Value {
    type Key = String;
    fn null() -> Self {
        Value::Null
    }
    fn bool(value: bool) -> Self {
        Value::Bool(value)
    }
    fn number(value: Number) -> Self {
        Value::Number(value)
    }
    fn str(value: &str) -> Self {
        Value::String(value.to_string())
    }
    fn string(value: String) -> Self {
        Value::String(value)
    }
    fn list(items: Vec<Self>) -> Self {
        Value::Array(items)
    }
    fn object(entries: Vec<(String, Self)>) -> Self {
        Value::Object(entries.into_iter().collect::<Map<String, Value>>())
    }
}

impl Tree for Data {
    type Key = Key;
    fn null() -> Self {
        Data::Null
    }
    fn bool(value: bool) -> Self {
        Data::Bool(value)
    }
    fn number(value: Number) -> Self {
        Data::Number(value)
    }
    fn str(value: &str) -> Self {
        Data::String(value.into())
    }
    fn borrowed_str(value: &str, source: Option<&Bytes>) -> Self {
        Data::borrowed_string(value, source)
    }
    fn string(value: String) -> Self {
        Data::String(value.into())
    }
    fn list(items: Vec<Self>) -> Self {
        Data::List(items)
    }
    fn object(entries: Vec<(Key, Self)>) -> Self {
        Data::Object(Object::from_entries(entries))
    }
}

struct Bounded<'s, 'b, T> {
    state: &'s State<'b>,
    tree: PhantomData<fn() -> T>,
}

impl<T> Clone for Bounded<'_, '_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Bounded<'_, '_, T> {}

impl<'de, T: Tree> DeserializeSeed<'de> for Bounded<'_, '_, T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: Tree> Visitor<'de> for Bounded<'_, '_, T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<T, E> {
        self.state.count()?;
        Ok(T::bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<T, E> {
        self.state.count()?;
        Ok(T::number(v.into()))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<T, E> {
        self.state.count()?;
        Ok(T::number(v.into()))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<T, E> {
        self.state.count()?;
        Ok(Number::from_f64(v).map_or_else(T::null, T::number))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        self.state.count()?;
        Ok(T::str(v))
    }

    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<T, E> {
        self.state.count()?;
        Ok(T::borrowed_str(v, self.state.source))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<T, E> {
        self.state.count()?;
        Ok(T::string(v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<T, E> {
        self.state.count()?;
        Ok(T::null())
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<T, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<T, A::Error> {
        self.state.count()?;
        let _level = Level::enter(&self.state.depth)?;
        let max = self.state.limits.max_list_length;
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            if let Some(max) = max.filter(|max| items.len() == *max) {
                return Err(self.state.exceed(Exceeded::ListLength(max)));
            }
            items.push(item);
        }
        Ok(T::list(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<T, A::Error> {
        self.state.count()?;
        let _level = Level::enter(&self.state.depth)?;
        // Most objects of an answer have a few fields: room for them at
        // once, not grown (and copied) twice on the way.
        let mut entries = Vec::with_capacity(OBJECT_ENTRIES);
        while let Some(key) = access.next_key::<T::Key>()? {
            let value = access.next_value_seed(self)?;
            entries.push((key, value));
        }
        Ok(T::object(entries))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const TEXT: &str = r#"{"a":[1,2,{"b":[true,null,"x"]}],"n":1.5,"m":-3}"#;

    #[test]
    fn within_the_limits_json_is_read_as_serde_json_reads_it() {
        let budget = ValueBudget::new(11);
        let limits = ReadLimits {
            max_list_length: Some(3),
            budget: Some(&budget),
        };
        let read: Value = read(TEXT.as_bytes(), limits).unwrap();
        assert_eq!(read, serde_json::from_str::<Value>(TEXT).unwrap());
        assert_eq!(count_values(&read), 11);
        assert!(!budget.spend(1), "all 11 values were counted");
    }

    #[test]
    fn compact_data_is_read_and_counted_as_values_are() {
        let budget = ValueBudget::new(11);
        let limits = ReadLimits {
            max_list_length: Some(3),
            budget: Some(&budget),
        };
        let read: Data = read(TEXT.as_bytes(), limits).unwrap();
        let value = serde_json::from_str::<Value>(TEXT).unwrap();
        assert_eq!(read.to_value(), value);
        assert_eq!(read.count_values(), 11);
        assert!(!budget.spend(1), "all 11 values were counted");
    }

    #[test]
    fn long_unescaped_strings_read_shared_are_slices_of_the_bytes_read() {
        let text = r#"{"s":"a string longer than twenty-four bytes","e":"an escaped \"string\" of some length"}"#;
        let bytes = Bytes::from(text);
        let read: Data = read_shared(&bytes, ReadLimits::default()).unwrap();
        assert!(matches!(read.get("s"), Some(Data::Raw(_))));
        assert!(matches!(read.get("e"), Some(Data::String(_))));
        let value = serde_json::from_str::<Value>(text).unwrap();
        assert_eq!(read.to_value(), value);
        let mut out = Vec::new();
        read.write_json(&mut out);
        assert_eq!(serde_json::from_slice::<Value>(&out).unwrap(), value);
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_refused_not_a_crash() {
        let deep = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        let objects = format!("{}1{}", r#"{"a":"#.repeat(200_000), "}".repeat(200_000));
        for text in [deep(200_000), objects, deep(MAX_DEPTH + 1)] {
            let limits = ReadLimits::default();
            assert!(matches!(
                read::<Value>(text.as_bytes(), limits),
                Err(ReadError::Invalid(_))
            ));
            assert!(read_shared::<Data>(&Bytes::from(text.clone()), limits).is_err());
            assert!(count_within(text.as_bytes(), usize::MAX).is_err());
        }
        assert!(read::<Data>(deep(MAX_DEPTH).as_bytes(), ReadLimits::default()).is_ok());
    }

    #[test]
    fn invalid_utf8_and_trailing_text_are_refused() {
        let mut long = br#"{"s":"a string longer than twenty-four bytes "#.to_vec();
        long.extend_from_slice(&[0xff, 0xfe, b'"', b'}']);
        for text in [
            long,
            b"{\"a\":\"\xc3\"}".to_vec(),
            b"[1] [2]".to_vec(),
            b"{\"a\":1,}".to_vec(),
        ] {
            let bytes = Bytes::from(text);
            assert!(
                read_shared::<Data>(&bytes, ReadLimits::default()).is_err(),
                "{bytes:?}"
            );
            assert!(
                read::<Value>(&bytes, ReadLimits::default()).is_err(),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn strings_with_raw_control_characters_are_refused() {
        // A string read without an escape sequence is written back as it
        // was (no escaping): that holds only while these are refused.
        for text in [
            &b"{\"a\":\"x\x01y\"}"[..],
            b"[\"\x1f\"]",
            b"[\"tab\there\"]",
        ] {
            let bytes = Bytes::copy_from_slice(text);
            assert!(
                read_shared::<Data>(&bytes, ReadLimits::default()).is_err(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn a_list_over_the_limit_stops_the_reading() {
        let limits = ReadLimits {
            max_list_length: Some(2),
            budget: None,
        };
        assert!(matches!(
            read::<Value>(TEXT.as_bytes(), limits),
            Err(ReadError::Limit(Exceeded::ListLength(2)))
        ));
    }

    #[test]
    fn a_shared_budget_is_spent_across_reads() {
        let budget = ValueBudget::new(15);
        let limits = ReadLimits {
            max_list_length: None,
            budget: Some(&budget),
        };
        assert!(read::<Value>(TEXT.as_bytes(), limits).is_ok());
        assert!(matches!(
            read::<Value>(TEXT.as_bytes(), limits),
            Err(ReadError::Limit(Exceeded::Values))
        ));
        assert!(budget.spend(4), "a refused read gives back what it took");
        assert!(!budget.spend(1));
    }

    #[test]
    fn a_long_document_over_the_budget_is_refused_by_counting_alone() {
        let text = format!("[{}]", vec!["1"; 100].join(","));
        let budget = ValueBudget::new(100);
        let limits = ReadLimits {
            max_list_length: None,
            budget: Some(&budget),
        };
        assert_eq!(count_within(text.as_bytes(), 100).unwrap(), None);
        assert_eq!(count_within(text.as_bytes(), 101).unwrap(), Some(101));
        assert!(matches!(
            read::<Value>(text.as_bytes(), limits),
            Err(ReadError::Limit(Exceeded::Values))
        ));
        assert!(budget.spend(100), "nothing was spent");
    }

    #[test]
    fn an_invalid_documents_error_quotes_none_of_its_text() {
        let text = br#"{"email":"alice@example.com", x}"#;
        let Err(ReadError::Invalid(message)) = read::<Value>(text, ReadLimits::default()) else {
            panic!("the document is invalid");
        };
        assert!(message.contains("line 1 column"), "{message}");
        assert!(
            !message.contains("example") && !message.contains('\n'),
            "{message}"
        );
    }

    #[test]
    fn invalid_json_is_an_invalid_error() {
        assert!(matches!(
            read::<Value>(b"{\"a\":", ReadLimits::default()),
            Err(ReadError::Invalid(_))
        ));
        assert!(matches!(
            read::<Value>(b"{} x", ReadLimits::default()),
            Err(ReadError::Invalid(_))
        ));
    }
}
