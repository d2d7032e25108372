//! A provider's verification keys: each with the algorithms it may verify,
//! fixed when the key is read and never widened by a token.
//!
//! A key's algorithms are those of its type (RSA: RS*/PS*; P-256: ES256;
//! P-384: ES384; Ed25519: EdDSA; a shared secret: HS*), narrowed to the
//! JWK's own `alg` when it has one and to the provider's allow-list. So an
//! RSA public key is never an HMAC secret (no RS/HS confusion), and a
//! symmetric (`oct`) key in a JWKS is ignored: shared secrets come only
//! from the provider's `secret`. Keys that cannot be used are left out of
//! the set, with a warning, rather than failing the whole JWKS.

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyOperations, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::Value;

use super::settings::{ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHMS};

/// RSA moduli accepted, in bits: smaller keys are refused as weak, larger
/// ones are beyond what the RSA backend verifies.
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;

/// One key and what it may verify.
pub(super) struct VerifyKey {
    kid: Option<String>,
    /// A shared secret matches a token whatever its `kid`.
    any_kid: bool,
    algorithms: Vec<Algorithm>,
    pub(super) key: DecodingKey,
    /// The JWK it was read from: a refreshed JWKS keeps an unchanged key
    /// as the same `Arc` (so tokens cached under it stay cached).
    source: Value,
}

impl VerifyKey {
    /// Whether this key may verify a token with this `kid` and algorithm.
    fn fits(&self, kid: Option<&str>, algorithm: Algorithm) -> bool {
        let kid_fits = match (kid, &self.kid) {
            (None, _) => true,
            (Some(_), None) => self.any_kid,
            (Some(wanted), Some(own)) => wanted == own,
        };
        kid_fits && self.algorithms.contains(&algorithm)
    }
}

/// The keys of one provider at one time.
#[derive(Default)]
pub(super) struct KeySet {
    keys: Vec<Arc<VerifyKey>>,
}

impl KeySet {
    /// The shared secret of an HS provider.
    pub(super) fn secret(secret: &[u8], allowed: &[Algorithm]) -> Self {
        let algorithms = allowed
            .iter()
            .copied()
            .filter(|a| HMAC_ALGORITHMS.contains(a))
            .collect();
        let key = VerifyKey {
            kid: None,
            any_kid: true,
            algorithms,
            key: DecodingKey::from_secret(secret),
            source: Value::Null,
        };
        Self {
            keys: vec![Arc::new(key)],
        }
    }

    /// The usable keys of a JWKS document; errors when it is not one.
    pub(super) fn from_jwks(
        jwks: &Value,
        allowed: &[Algorithm],
        issuer: &str,
    ) -> Result<Self, String> {
        let list = jwks
            .get("keys")
            .and_then(Value::as_array)
            .ok_or("the JWKS has no `keys` array")?;
        let keys = list
            .iter()
            .filter_map(|jwk| match read_key(jwk, allowed) {
                Ok(key) => Some(Arc::new(key)),
                Err(reason) => {
                    let kid = jwk.get("kid").and_then(Value::as_str).unwrap_or("");
                    tracing::warn!(issuer, kid = %kid.escape_debug(), reason, "JWKS key left out");
                    None
                }
            })
            .collect();
        Ok(Self { keys })
    }

    pub(super) fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys that may verify a token with this `kid` and algorithm.
    pub(super) fn candidates(
        &self,
        kid: Option<&str>,
        algorithm: Algorithm,
    ) -> Vec<Arc<VerifyKey>> {
        self.keys
            .iter()
            .filter(|key| key.fits(kid, algorithm))
            .cloned()
            .collect()
    }

    /// Whether `key` is still one of this set's keys.
    pub(super) fn holds(&self, key: &Arc<VerifyKey>) -> bool {
        self.keys.iter().any(|k| Arc::ptr_eq(k, key))
    }

    /// This set, with each key that `previous` holds unchanged replaced by
    /// the previous one.
    pub(super) fn reusing(self, previous: &KeySet) -> Self {
        let keys = self
            .keys
            .into_iter()
            .map(|key| {
                let same = previous.keys.iter().find(|old| old.source == key.source);
                same.cloned().unwrap_or(key)
            })
            .collect();
        Self { keys }
    }
}

fn read_key(value: &Value, allowed: &[Algorithm]) -> Result<VerifyKey, String> {
    let jwk: Jwk = serde_json::from_value(value.clone()).map_err(|e| format!("not a JWK: {e}"))?;
    if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
        return Err("its `use` is not sig".into());
    }
    if let Some(ops) = &jwk.common.key_operations {
        if !ops.contains(&KeyOperations::Verify) {
            return Err("its key_ops do not include verify".into());
        }
    }
    let mut algorithms = type_algorithms(&jwk)?;
    if let Some(own) = jwk.common.key_algorithm {
        let own = own.to_string();
        algorithms.retain(|a| format!("{a:?}") == own);
    }
    algorithms.retain(|a| allowed.contains(a) && ASYMMETRIC_ALGORITHMS.contains(a));
    if algorithms.is_empty() {
        return Err("no algorithm the provider allows fits it".into());
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|e| format!("unreadable: {e}"))?;
    Ok(VerifyKey {
        kid: jwk.common.key_id.clone(),
        any_kid: false,
        algorithms,
        key,
        source: value.clone(),
    })
}

/// The algorithms the key's type and parameters allow.
fn type_algorithms(jwk: &Jwk) -> Result<Vec<Algorithm>, String> {
    match &jwk.algorithm {
        AlgorithmParameters::RSA(rsa) => {
            let bits = decoded_len(&rsa.n)? * 8;
            if !RSA_BITS.contains(&bits) {
                return Err(format!("an RSA key of {bits} bits (2048 to 4096 accepted)"));
            }
            Ok(ASYMMETRIC_ALGORITHMS[..6].to_vec())
        }
        AlgorithmParameters::EllipticCurve(ec) => {
            let (algorithm, size) = match ec.curve {
                EllipticCurve::P256 => (Algorithm::ES256, 32),
                EllipticCurve::P384 => (Algorithm::ES384, 48),
                _ => return Err("an unsupported curve".into()),
            };
            if decoded_len(&ec.x)? != size || decoded_len(&ec.y)? != size {
                return Err("an EC key of the wrong size for its curve".into());
            }
            Ok(vec![algorithm])
        }
        AlgorithmParameters::OctetKeyPair(okp) => {
            if okp.curve != EllipticCurve::Ed25519 || decoded_len(&okp.x)? != 32 {
                return Err("an OKP key that is not Ed25519".into());
            }
            Ok(vec![Algorithm::EdDSA])
        }
        AlgorithmParameters::OctetKey(_) => {
            Err("a symmetric key (a JWKS may only give public keys)".into())
        }
    }
}

fn decoded_len(base64url: &str) -> Result<usize, String> {
    URL_SAFE_NO_PAD
        .decode(base64url)
        .map(|bytes| bytes.len())
        .map_err(|_| "a parameter that is not base64url".to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn b64(len: usize) -> String {
        URL_SAFE_NO_PAD.encode(vec![7u8; len])
    }

    fn rsa(kid: &str, bits: usize) -> Value {
        json!({"kty": "RSA", "kid": kid, "n": b64(bits / 8), "e": "AQAB"})
    }

    fn set(keys: Vec<Value>, allowed: &[Algorithm]) -> KeySet {
        KeySet::from_jwks(&json!({ "keys": keys }), allowed, "test").unwrap()
    }

    #[test]
    fn a_key_fits_only_its_type_own_alg_and_the_allow_list() {
        let all = ASYMMETRIC_ALGORITHMS;
        let keys = set(vec![rsa("r", 2048)], &all);
        assert_eq!(keys.candidates(Some("r"), Algorithm::PS384).len(), 1);
        assert!(keys.candidates(Some("r"), Algorithm::ES256).is_empty());
        assert!(
            keys.candidates(Some("r"), Algorithm::HS256).is_empty(),
            "no RS/HS confusion"
        );
        assert!(keys.candidates(Some("other"), Algorithm::RS256).is_empty());
        assert_eq!(keys.candidates(None, Algorithm::RS256).len(), 1);
        let mut own = rsa("r", 2048);
        own["alg"] = json!("RS512");
        let keys = set(vec![own], &all);
        assert!(
            keys.candidates(None, Algorithm::RS256).is_empty(),
            "the JWK's alg wins"
        );
        assert_eq!(keys.candidates(None, Algorithm::RS512).len(), 1);
        let keys = set(vec![rsa("r", 2048)], &[Algorithm::RS256]);
        assert!(keys.candidates(None, Algorithm::PS256).is_empty());
    }

    #[test]
    fn unusable_keys_are_left_out_and_the_rest_kept() {
        let keys = vec![
            rsa("weak", 1024),
            json!({"kty": "oct", "kid": "sym", "k": b64(32)}),
            json!({"kty": "EC", "kid": "p521", "crv": "P-521", "x": b64(66), "y": b64(66)}),
            json!({"kty": "OKP", "kid": "short", "crv": "Ed25519", "x": b64(16)}),
            json!({"kty": "RSA", "kid": "enc", "use": "enc", "n": b64(256), "e": "AQAB"}),
            json!({"kty": "RSA", "kid": "oaep", "alg": "RSA-OAEP", "n": b64(256), "e": "AQAB"}),
            json!({"kty": "whatever"}),
            json!({"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": b64(32)}),
        ];
        let keys = set(keys, &ASYMMETRIC_ALGORITHMS);
        assert_eq!(keys.keys.len(), 1);
        assert_eq!(keys.candidates(Some("ed"), Algorithm::EdDSA).len(), 1);
        let error = KeySet::from_jwks(&json!({"nokeys": []}), &ASYMMETRIC_ALGORITHMS, "t");
        assert!(error.is_err());
    }

    #[test]
    fn a_secret_fits_any_kid_and_only_hs() {
        let keys = KeySet::secret(&[1; 32], &[Algorithm::HS256, Algorithm::HS512]);
        assert_eq!(keys.candidates(Some("x"), Algorithm::HS512).len(), 1);
        assert!(keys.candidates(None, Algorithm::HS384).is_empty());
        assert!(keys.candidates(None, Algorithm::RS256).is_empty());
    }

    #[test]
    fn an_unchanged_key_survives_a_refresh_as_the_same_key() {
        let all = ASYMMETRIC_ALGORITHMS;
        let old = set(vec![rsa("a", 2048), rsa("b", 2048)], &all);
        let a = old.candidates(Some("a"), Algorithm::RS256).remove(0);
        let b = old.candidates(Some("b"), Algorithm::RS256).remove(0);
        let mut changed_b = rsa("b", 2048);
        changed_b["e"] = json!("AQAC");
        let new = set(vec![rsa("a", 2048), changed_b], &all).reusing(&old);
        assert!(new.holds(&a));
        assert!(!new.holds(&b));
    }
}
