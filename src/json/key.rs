//! The key of a JSON object in the compact tree ([`super::Data`]): its
//! text, inline up to 24 bytes, and a tag made of its length and first
//! bytes, so that searching an object compares one integer per entry and
//! compares memory only for the entry that matches.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use compact_str::CompactString;
use serde::{Deserialize, Deserializer};

/// A key of a JSON object.
#[derive(Clone)]
pub struct Key {
    tag: KeyTag,
    text: CompactString,
}

/// A key's length (up to 255) and first seven bytes in one word: keys of
/// different tags differ; keys of one tag up to seven bytes long are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyTag(u64);

/// Keys of this many bytes or fewer are told apart by their tags alone.
const TAG_BYTES: usize = 7;

impl KeyTag {
    /// The tag of a key with this text.
    #[inline]
    pub fn of(text: &str) -> Self {
        const FIRST_BYTES: u64 = (1 << (8 * TAG_BYTES)) - 1;
        let bytes = text.as_bytes();
        // One load (or a few shifts), not a call to copy a run of unknown length.
        let first = match bytes.first_chunk::<8>() {
            Some(chunk) => u64::from_le_bytes(*chunk) & FIRST_BYTES,
            None => short_word(bytes),
        };
        let length = u64::from(u8::try_from(bytes.len()).unwrap_or(u8::MAX));
        Self(first | length << (8 * TAG_BYTES))
    }
}

/// The bytes of a text shorter than eight bytes as a little-endian word,
/// zero above them: two overlapping loads (the bytes they share are the
/// same, so or-ing them changes nothing), not a loop over the bytes.
#[inline]
fn short_word(bytes: &[u8]) -> u64 {
    let length = bytes.len();
    if let (Some(first), Some(last)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        let (first, last) = (u32::from_le_bytes(*first), u32::from_le_bytes(*last));
        return u64::from(first) | u64::from(last) << (8 * (length - 4));
    }
    match bytes {
        [] => 0,
        [a] => u64::from(*a),
        [a, b] => u64::from(*a) | u64::from(*b) << 8,
        [a, b, c, ..] => u64::from(*a) | u64::from(*b) << 8 | u64::from(*c) << 16,
    }
}

impl Key {
    pub fn new(text: impl Into<CompactString>) -> Self {
        let text = text.into();
        Self {
            tag: KeyTag::of(&text),
            text,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn tag(&self) -> KeyTag {
        self.tag
    }

    /// Is this the key `text`, whose tag is `tag`?
    #[inline]
    pub fn is(&self, tag: KeyTag, text: &str) -> bool {
        if self.tag != tag {
            return false;
        }
        // Equal tags: equal lengths (up to 255), equal first seven bytes.
        let (mine, theirs) = (self.text.as_bytes(), text.as_bytes());
        let length = theirs.len();
        if length <= TAG_BYTES {
            return true;
        }
        if length > 23 || mine.len() != length {
            return mine == theirs;
        }
        // Up to 23 bytes: the last eight bytes, and from 16 on the eight
        // after the first seven, cover the rest: comparisons of words, not
        // a call to compare memory.
        let word = |bytes: &[u8], at: usize| {
            let mut word = [0u8; 8];
            word.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(word)
        };
        let last_equal = word(mine, length - 8) == word(theirs, length - 8);
        last_equal && (length < 16 || word(mine, 7) == word(theirs, 7))
    }
}

impl Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.is(other.tag, &other.text)
    }
}

impl Eq for Key {}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        self.is(KeyTag::of(other), other)
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Key {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for Key {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

impl From<CompactString> for Key {
    fn from(text: CompactString) -> Self {
        Self::new(text)
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        CompactString::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_keys_word_holds_its_bytes_in_order() {
        for length in 0..8 {
            let bytes: Vec<u8> = (1..=length as u8).map(|b| b * 17).collect();
            let expected = bytes
                .iter()
                .enumerate()
                .fold(0u64, |word, (i, byte)| word | u64::from(*byte) << (8 * i));
            assert_eq!(short_word(&bytes), expected, "{bytes:?}");
        }
    }

    #[test]
    fn keys_are_equal_exactly_when_their_texts_are() {
        let texts = [
            "",
            "a",
            "a\0",
            "id",
            "upc",
            "name",
            "reviews",
            "reviewz",
            "product",
            "products",
            "productz",
            "shippingEstimate",
            "shippingEstimatf",
            "__typename",
        ];
        let keys: Vec<Key> = texts.iter().map(|t| Key::from(*t)).collect();
        for (a, key_a) in texts.iter().zip(&keys) {
            for (b, key_b) in texts.iter().zip(&keys) {
                assert_eq!(key_a == key_b, a == b, "{a:?} and {b:?}");
                assert_eq!(key_a == *b, a == b, "{a:?} and {b:?}");
            }
        }
    }

    #[test]
    fn keys_of_equal_tags_differing_in_any_one_byte_differ() {
        // Past the tag's seven bytes: one word (to 15), two words (to 23),
        // then memory compared.
        for length in (1..=25).chain([40]) {
            let base = "k".repeat(length);
            let key = Key::from(base.as_str());
            for position in 0..length {
                let mut other = base.clone().into_bytes();
                other[position] = b'q';
                let other = String::from_utf8(other).unwrap_or_default();
                let other_key = Key::from(other.as_str());
                assert!(key != other_key, "{other}");
                assert!(key != other.as_str(), "{other}");
                assert!(key == base.as_str());
            }
        }
    }

    #[test]
    fn a_key_longer_than_its_tag_is_compared_in_full() {
        let long = "x".repeat(300);
        let other = format!("{}y", "x".repeat(299));
        assert_eq!(KeyTag::of(&long), KeyTag::of(&other));
        let (a, b, c) = (
            Key::from(long.as_str()),
            Key::from(other.as_str()),
            Key::from(long.as_str()),
        );
        assert!(a != b);
        assert!(a == c);
    }
}
