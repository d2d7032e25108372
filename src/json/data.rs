//! The compact JSON tree the response path works on: subgraph answers are
//! read into it once, merged into one tree by plan path, and the client's
//! answer is written from it.
//!
//! Unlike `serde_json::Value` with `preserve_order`, no string is
//! allocated for a key or a short string value (both are
//! [`CompactString`]s, inline up to 24 bytes), and an object is a vector
//! of entries: no hashing at all. A small object (most of them) keeps its
//! entries in the order they came and is searched from the start, which
//! beats any index at that size; one of more than [`SMALL`] entries keeps
//! them sorted by key and is searched by bisection, so that no object
//! costs more than a logarithm per lookup. The client's answer takes its
//! key order from the operation's selection, never from here.

use bytes::Bytes;
use compact_str::CompactString;
use serde_json::{Number, Value};

pub use super::key::{Key, KeyTag};

/// One JSON value.
#[derive(Debug, Clone, Default)]
pub enum Data {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(CompactString),
    /// A short string as its JSON text had it between the quotes, with no
    /// escape sequence (so needing no escaping when written).
    Verbatim(CompactString),
    /// A string as its JSON text had it between the quotes, with no
    /// escape sequence (so valid UTF-8 needing no escaping), shared with
    /// the bytes it was read from.
    Raw(Bytes),
    List(Vec<Data>),
    Object(Object),
}

impl PartialEq for Data {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Null, Self::Null) => true,
            (Self::Bool(a), Self::Bool(b)) => a == b,
            (Self::Number(a), Self::Number(b)) => a == b,
            (Self::List(a), Self::List(b)) => a == b,
            (Self::Object(a), Self::Object(b)) => a == b,
            (a, b) => match (a.string_bytes(), b.string_bytes()) {
                (Some(a), Some(b)) => a == b,
                _ => false,
            },
        }
    }
}

/// Objects up to this many entries are searched from the start.
pub const SMALL: usize = 16;

/// A JSON object: each key once; entries sorted by key when there are
/// more than [`SMALL`] (equality ignores the order).
#[derive(Debug, Clone, Default)]
pub struct Object {
    entries: Vec<(Key, Data)>,
}

impl PartialEq for Object {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl Data {
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// The text of a string (a [`Data::Raw`] one is checked again).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) | Self::Verbatim(s) => Some(s.as_str()),
            Self::Raw(bytes) => std::str::from_utf8(bytes).ok(),
            _ => None,
        }
    }

    /// Is this a string?
    pub fn is_string(&self) -> bool {
        matches!(self, Self::String(_) | Self::Verbatim(_) | Self::Raw(_))
    }

    fn string_bytes(&self) -> Option<&[u8]> {
        match self {
            Self::String(s) | Self::Verbatim(s) => Some(s.as_bytes()),
            Self::Raw(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// A string read from `source` where it had no escape sequence (JSON
    /// text holds no quote, backslash or control character unescaped: it
    /// has nothing to escape): shared with `source` when it is too long
    /// to be inline.
    pub fn borrowed_string(text: &str, source: Option<&Bytes>) -> Data {
        const INLINE: usize = std::mem::size_of::<CompactString>();
        let Some(source) = source.filter(|_| text.len() > INLINE) else {
            return Self::Verbatim(text.into());
        };
        let (start, base) = (text.as_ptr() as usize, source.as_ptr() as usize);
        match start.checked_sub(base) {
            Some(offset) if offset + text.len() <= source.len() => {
                Self::Raw(source.slice(offset..offset + text.len()))
            }
            _ => Self::Verbatim(text.into()),
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

    /// [`Data::get_mut`], looking first at the entry at `hint` (where
    /// the key was when last found).
    pub fn get_mut_hinted(&mut self, key: &str, hint: usize) -> Option<&mut Data> {
        match self {
            Self::Object(object) => object.get_mut_hinted(key, hint),
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

    /// The same value as a `serde_json::Value` (keys in the order of
    /// [`Object::iter`]).
    pub fn to_value(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(*b),
            Self::Number(n) => Value::Number(n.clone()),
            Self::String(s) | Self::Verbatim(s) => Value::String(s.to_string()),
            Self::Raw(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
            Self::List(items) => Value::Array(items.iter().map(Data::to_value).collect()),
            Self::Object(object) => Value::Object(
                object
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
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
            Self::Verbatim(s) => write_verbatim(s.as_bytes(), out),
            Self::Raw(bytes) => write_verbatim(bytes, out),
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
        if entries.len() <= SMALL {
            if !has_repeated_keys(&entries) {
                return Self { entries };
            }
            let mut object = Self {
                entries: Vec::with_capacity(entries.len()),
            };
            for (key, value) in entries {
                object.insert(key, value);
            }
            return object;
        }
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

    /// Where `key` is: `Ok(index)`, or `Err(index)` where it would go.
    #[inline]
    fn position(&self, key: &str) -> Result<usize, usize> {
        self.find(KeyTag::of(key), key)
    }

    /// [`Object::position`] of a key whose tag is known.
    #[inline]
    fn find(&self, tag: KeyTag, key: &str) -> Result<usize, usize> {
        if self.entries.len() <= SMALL {
            return self
                .entries
                .iter()
                .position(|(k, _)| k.is(tag, key))
                .ok_or(self.entries.len());
        }
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    pub fn get(&self, key: &str) -> Option<&Data> {
        self.position(key).ok().map(|i| &self.entries[i].1)
    }

    /// The value under `key`, looked for first at `*next` (where the entry
    /// after the last one found is): an object read from a subgraph's
    /// answer mostly has its keys in the order a selection asks for them,
    /// now and then with an entry the selection skips (`__typename`, a
    /// field another part of the plan asked for). A small object is
    /// searched from `*next` on, then from its start; `*next` moves past
    /// the entry found.
    #[inline]
    pub fn get_next(&self, key: &str, next: &mut usize) -> Option<&Data> {
        self.get_next_tagged(KeyTag::of(key), key, next)
    }

    /// [`Object::get_next`] of a key whose tag is known.
    #[inline]
    pub fn get_next_tagged(&self, tag: KeyTag, key: &str, next: &mut usize) -> Option<&Data> {
        if self.entries.len() > SMALL {
            let i = self.find(tag, key).ok()?;
            *next = i + 1;
            return Some(&self.entries[i].1);
        }
        if let Some((k, value)) = self.entries.get(*next) {
            if k.is(tag, key) {
                *next += 1;
                return Some(value);
            }
        }
        let start = next.saturating_add(1).min(self.entries.len());
        let (before, after) = self.entries.split_at(start);
        let found = match after.iter().position(|(k, _)| k.is(tag, key)) {
            Some(i) => start + i,
            None => before.iter().position(|(k, _)| k.is(tag, key))?,
        };
        *next = found + 1;
        Some(&self.entries[found].1)
    }

    /// The value under `key` and its entry's position (a hint for
    /// [`Object::get_mut_hinted`] as long as the object does not change).
    pub fn get_with_position(&self, key: &str) -> Option<(usize, &Data)> {
        let i = self.position(key).ok()?;
        Some((i, &self.entries[i].1))
    }

    /// The value under `key` mutably, looking first at the entry at
    /// `hint`: descending a tree along paths found earlier touches one
    /// entry per object instead of searching the entries before it.
    #[inline]
    pub fn get_mut_hinted(&mut self, key: &str, hint: usize) -> Option<&mut Data> {
        let tag = KeyTag::of(key);
        let at = match self.entries.get(hint) {
            Some((k, _)) if k.is(tag, key) => hint,
            _ => self.find(tag, key).ok()?,
        };
        Some(&mut self.entries[at].1)
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
        match self.find(key.tag(), &key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(at) => {
                self.insert_new(at, key, value);
                None
            }
        }
    }

    /// Merges `value` into the value under `key` with `merge` when there is
    /// one, else inserts it (one search either way).
    pub fn merge_entry(&mut self, key: Key, value: Data, merge: impl FnOnce(&mut Data, Data)) {
        match self.find(key.tag(), &key) {
            Ok(i) => merge(&mut self.entries[i].1, value),
            Err(at) => self.insert_new(at, key, value),
        }
    }

    /// [`Object::merge_entry`] of a borrowed entry: `merge` when the key is
    /// there, else a copy inserted.
    pub fn merge_entry_ref(
        &mut self,
        key: &Key,
        value: &Data,
        merge: impl FnOnce(&mut Data, &Data),
    ) {
        match self.find(key.tag(), key) {
            Ok(i) => merge(&mut self.entries[i].1, value),
            Err(at) => self.insert_new(at, key.clone(), value.clone()),
        }
    }

    /// Inserts an entry whose key is not there at `at` (from
    /// [`Object::find`]); an object growing past [`SMALL`] gets sorted.
    fn insert_new(&mut self, at: usize, key: Key, value: Data) {
        let was_small = self.entries.len() <= SMALL;
        match at == self.entries.len() {
            true => self.entries.push((key, value)),
            false => self.entries.insert(at, (key, value)),
        }
        if was_small && self.entries.len() > SMALL {
            self.entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        }
    }

    /// Makes room for `additional` more entries (at most: a merge may
    /// add fewer), so that adding them grows the object once.
    pub fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
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

    /// Entries (in the order they came while small, else in key order).
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Data)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    pub fn values(&self) -> impl Iterator<Item = &Data> {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Data> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// The entries, in the order of [`Object::iter`].
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

/// Does a key come twice? (One comparison of tags per pair of entries,
/// of texts only where the tags match.)
fn has_repeated_keys(entries: &[(Key, Data)]) -> bool {
    entries
        .iter()
        .enumerate()
        .any(|(i, (key, _))| entries[..i].iter().any(|(other, _)| other == key))
}

/// Writes a JSON string.
pub fn write_string(text: &str, out: &mut Vec<u8>) {
    if !needs_escaping(text.as_bytes()) {
        write_verbatim(text.as_bytes(), out);
        return;
    }
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(out, text);
}

/// Writes a JSON string whose text needs no escaping.
#[inline]
fn write_verbatim(text: &[u8], out: &mut Vec<u8>) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text);
    out.push(b'"');
}

/// Does JSON need any of these bytes escaped (a control character, `"`
/// or `\`)? Eight bytes at a time (the last eight overlapping the ones
/// before), byte by byte when there are fewer than eight.
fn needs_escaping(bytes: &[u8]) -> bool {
    let Some(last) = bytes.last_chunk::<8>() else {
        return bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
    };
    let chunks = bytes.chunks_exact(8);
    for chunk in chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if word_needs_escaping(u64::from_le_bytes(word)) {
            return true;
        }
    }
    word_needs_escaping(u64::from_le_bytes(*last))
}

const ONES: u64 = u64::from_le_bytes([0x01; 8]);

/// Does any byte of this word need escaping?
#[inline]
fn word_needs_escaping(x: u64) -> bool {
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS != 0;
    // A byte below 0x20 (its high bit clear, and below 0x20 after the
    // subtraction), a quote or a backslash (zero after the xor).
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGHS != 0;
    below_space || has_zero(x ^ (ONES * u64::from(b'"'))) || has_zero(x ^ (ONES * u64::from(b'\\')))
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn data(text: &str) -> Data {
        crate::json::read(text.as_bytes(), crate::json::ReadLimits::default()).unwrap()
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
    fn looking_keys_up_from_a_cursor_finds_them_in_any_order() {
        let value = data(r#"{"__typename":"T","a":1,"b":2,"c":3,"d":4}"#);
        let object = value.as_object().unwrap();
        for order in [
            ["a", "b", "c", "d", "__typename"],
            ["d", "c", "b", "a", "x"],
            ["b", "x", "a", "d", "c"],
        ] {
            let mut next = 0;
            for key in order {
                assert_eq!(object.get_next(key, &mut next), object.get(key), "{key}");
            }
        }
        let mut next = 99;
        assert_eq!(object.get_next("a", &mut next), object.get("a"));
        assert_eq!(next, 2);
    }

    #[test]
    fn a_position_hint_is_used_only_while_it_still_points_at_the_key() {
        let mut value = data(r#"{"a":1,"b":2,"c":3}"#);
        let (at, _) = value.as_object().unwrap().get_with_position("b").unwrap();
        assert_eq!(at, 1);
        let object = match &mut value {
            Data::Object(object) => object,
            _ => unreachable!(),
        };
        // Right, stale, out of range, and a key that is not there.
        for (key, hint, expected) in [
            ("b", 1, Some(2)),
            ("c", 0, Some(3)),
            ("a", 99, Some(1)),
            ("z", 1, None),
        ] {
            let found = object.get_mut_hinted(key, hint).map(|d| d.to_value());
            assert_eq!(
                found,
                expected.map(serde_json::Value::from),
                "{key} at {hint}"
            );
        }
        // Grown past SMALL: sorted, so the entries moved.
        for i in 0..SMALL {
            object.insert(format!("0{i:02}").into(), Data::Null);
        }
        let found = object.get_mut_hinted("b", 1).map(|d| d.to_value());
        assert_eq!(found, Some(serde_json::Value::from(2)));
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
    fn small_objects_keep_their_order_and_large_ones_sort_their_keys() {
        let mut object = Object::new();
        for key in ["m", "c", "x", "a"] {
            object.insert(key.into(), Data::Bool(true));
        }
        assert_eq!(
            object.insert("c".into(), Data::Null),
            Some(Data::Bool(true))
        );
        assert_eq!(object.remove("x"), Some(Data::Bool(true)));
        let keys: Vec<&str> = object.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["m", "c", "a"]);
        let names: Vec<String> = (0..SMALL + 4).rev().map(|i| format!("k{i:02}")).collect();
        for name in &names {
            object.insert(name.as_str().into(), Data::Number(1.into()));
        }
        let keys: Vec<&str> = object.iter().map(|(k, _)| k.as_str()).collect();
        assert!(keys.is_sorted(), "{keys:?}");
        assert_eq!(object.len(), SMALL + 7);
        for name in names.iter().map(String::as_str).chain(["a", "c", "m"]) {
            assert!(object.contains_key(name), "{name}");
        }
        assert_eq!(object.remove("c"), Some(Data::Null));
        assert!(!object.contains_key("c") && object.contains_key("m"));
    }

    #[test]
    fn a_large_object_read_in_any_order_finds_every_key() {
        let entries: Vec<(Key, Data)> = (0..40)
            .map(|i| (i * 7) % 40)
            .chain([3])
            .map(|i| (Key::from(format!("f{i}")), Data::Number(i.into())))
            .collect();
        let object = Object::from_entries(entries);
        assert_eq!(object.len(), 40);
        for i in 0..40 {
            assert_eq!(object.get(&format!("f{i}")), Some(&Data::Number(i.into())));
        }
    }

    #[test]
    fn strings_are_escaped_only_where_json_needs_it() {
        let long = "a longer text of more than eight bytes ✓ ";
        for text in [
            "plain",
            "",
            "quote \" and \\",
            "line\nbreak\u{1}",
            "é ünïcode ✓",
            long,
            &format!("{long}\""),
            &format!("{long}\\{long}"),
            &format!("{long}\u{1f}"),
            &format!("{long}\u{7f}\u{20}"),
        ] {
            let mut out = Vec::new();
            write_string(text, &mut out);
            assert_eq!(out, serde_json::to_vec(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn every_ascii_byte_at_every_position_is_escaped_as_serde_json_does() {
        for length in 1..=17 {
            for position in 0..length {
                for byte in 0u8..0x80 {
                    let mut bytes = vec![b'a'; length];
                    bytes[position] = byte;
                    let text = std::str::from_utf8(&bytes).unwrap();
                    let mut out = Vec::new();
                    write_string(text, &mut out);
                    assert_eq!(out, serde_json::to_vec(text).unwrap(), "{text:?}");
                }
            }
        }
    }

    #[test]
    fn long_strings_without_escapes_are_shared_with_what_they_were_read_from() {
        let source = Bytes::from_static(br#"{"a":"a string longer than twenty-four bytes"}"#);
        let text = std::str::from_utf8(&source[6..44]).unwrap();
        let shared = Data::borrowed_string(text, Some(&source));
        assert!(matches!(&shared, Data::Raw(b) if b.as_ptr() == text.as_ptr()));
        assert_eq!(shared, Data::String(text.into()));
        assert_eq!(shared, Data::Verbatim(text.into()));
        assert_eq!(shared.as_str(), Some(text));
        let mut out = Vec::new();
        shared.write_json(&mut out);
        assert_eq!(out, serde_json::to_vec(text).unwrap());
        let elsewhere = String::from(text);
        assert!(matches!(
            Data::borrowed_string(&elsewhere, Some(&source)),
            Data::Verbatim(_)
        ));
        assert!(matches!(
            Data::borrowed_string("short", Some(&source)),
            Data::Verbatim(_)
        ));
    }

    #[test]
    fn json_text_round_trips() {
        let text = r#"{"b":[1,-2,1.5,"q\"\n",null,false],"a":{"y":{},"x":[]}}"#;
        let value = data(text);
        let mut out = Vec::new();
        value.write_json(&mut out);
        assert_eq!(String::from_utf8(out).unwrap(), text);
        assert_eq!(
            value.to_value(),
            serde_json::from_str::<Value>(text).unwrap()
        );
    }
}
