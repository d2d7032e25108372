//! The text of an API key, `jk_<id>_<secret>`: a 64-bit id (16 hex digits)
//! that finds the key's record, and a 256-bit secret (64 hex digits) of
//! which only the SHA-256 digest is stored. Digests are compared in
//! constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::identity::API_KEY_PREFIX;

const ID_BYTES: usize = 8;
const SECRET_BYTES: usize = 32;

/// A key as its holder presents it, split into id and secret.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Presented<'a> {
    pub id: &'a str,
    pub secret: &'a str,
}

/// Splits `jk_<id>_<secret>`; `None` when it is not one.
pub(super) fn parse(key: &str) -> Option<Presented<'_>> {
    let rest = key.strip_prefix(API_KEY_PREFIX)?;
    let (id, secret) = rest.split_once('_')?;
    let hex = |text: &str, bytes: usize| {
        text.len() == bytes * 2 && text.bytes().all(|b| b.is_ascii_hexdigit())
    };
    (hex(id, ID_BYTES) && hex(secret, SECRET_BYTES)).then_some(Presented { id, secret })
}

/// A fresh id and secret, and the key's full text.
pub(super) fn generate() -> Result<(String, String, String), getrandom::Error> {
    let mut id = [0u8; ID_BYTES];
    let mut secret = [0u8; SECRET_BYTES];
    getrandom::fill(&mut id)?;
    getrandom::fill(&mut secret)?;
    let (id, secret) = (to_hex(&id), to_hex(&secret));
    let text = format!("{API_KEY_PREFIX}{id}_{secret}");
    Ok((id, secret, text))
}

/// The digest stored for a secret (hex).
pub(super) fn digest(secret: &str) -> String {
    to_hex(&Sha256::digest(secret.to_ascii_lowercase().as_bytes()))
}

/// Whether `secret` is the one `stored` is the digest of, in constant time.
pub(super) fn matches(secret: &str, stored: &str) -> bool {
    digest(secret).as_bytes().ct_eq(stored.as_bytes()).into()
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn a_generated_key_parses_and_matches_only_its_digest() {
        let (id, secret, text) = generate().unwrap();
        assert_eq!(text.len(), 3 + 16 + 1 + 64);
        let presented = parse(&text).unwrap();
        assert_eq!(
            (presented.id, presented.secret),
            (id.as_str(), secret.as_str())
        );
        let stored = digest(&secret);
        assert!(matches(presented.secret, &stored));
        let (_, other, _) = generate().unwrap();
        assert!(!matches(&other, &stored));
    }

    #[test]
    fn anything_else_is_not_a_key() {
        let good_id = "0123456789abcdef";
        let good_secret = "a".repeat(64);
        for text in [
            format!("jk_{good_id}"),
            format!("xx_{good_id}_{good_secret}"),
            format!("jk_{good_id}_{}", "a".repeat(63)),
            format!("jk_0123_{good_secret}"),
            format!("jk_{good_id}_{}g", "a".repeat(63)),
        ] {
            assert_eq!(parse(&text), None, "{text}");
        }
    }
}
