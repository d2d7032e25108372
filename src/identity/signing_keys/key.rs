//! One signing key in memory, ready to sign and verify: its `kid`, its
//! algorithm, the private half as jsonwebtoken wants it, the public half
//! as a decoding key and as a JWK. Made from a stored key's material or
//! from a PEM file; its `Debug` shows the kid and algorithm only.
//!
//! A new key's `kid` is `junction-` and the start of its RFC 7638 JWK
//! thumbprint, so every replica names the same key alike (a key read
//! from a file included).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ed25519_dalek::pkcs8::DecodePrivateKey as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _};
use rsa::traits::PublicKeyParts as _;
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The DER of a PKCS#8 Ed25519 private key before its 32-byte seed (RFC 8410).
const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];
/// Smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;
/// Characters of the thumbprint in a new key's `kid`.
const KID_THUMBPRINT_CHARS: usize = 16;

/// The algorithm a signing key signs with; a token is accepted only with
/// the algorithm of the key its `kid` names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyAlgorithm {
    /// Ed25519 (RFC 8037).
    #[default]
    #[serde(rename = "EdDSA")]
    EdDsa,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    #[serde(rename = "RS256")]
    Rs256,
}

impl KeyAlgorithm {
    /// The JWS `alg` name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Rs256 => "RS256",
        }
    }

    pub(crate) fn jwt(self) -> Algorithm {
        match self {
            Self::EdDsa => Algorithm::EdDSA,
            Self::Rs256 => Algorithm::RS256,
        }
    }
}

/// Why a key's material cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("{0}")]
    Unusable(String),
    #[error("is an RSA key of {0} bits: RS256 needs {MIN_RSA_BITS} bits or more")]
    TooSmall(usize),
}

/// A signing key, private and public halves.
pub struct SigningKey {
    kid: String,
    algorithm: KeyAlgorithm,
    /// When it was made (ms since the Unix epoch); unknown for a key
    /// read from a file.
    created_at_ms: Option<u64>,
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The public JWK, as the JWKS publishes it.
    jwk: Value,
}

impl SigningKey {
    /// The Ed25519 key of `seed`; named `kid`, or by its thumbprint.
    pub(super) fn ed25519(
        seed: &[u8; 32],
        kid: Option<String>,
        created_at_ms: Option<u64>,
    ) -> Result<Self, KeyError> {
        let public = ed25519_dalek::SigningKey::from_bytes(seed)
            .verifying_key()
            .to_bytes();
        let x = URL_SAFE_NO_PAD.encode(public);
        let thumbprint = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        let kid = kid.unwrap_or_else(|| kid_of(&thumbprint));
        let der = [PKCS8_ED25519_PREFIX.as_slice(), seed].concat();
        let decoding = DecodingKey::from_ed_components(&x)
            .map_err(|e| KeyError::Unusable(format!("has a bad Ed25519 public key: {e}")))?;
        let jwk = json!({ "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": x });
        Ok(Self {
            kid,
            algorithm: KeyAlgorithm::EdDsa,
            created_at_ms,
            encoding: EncodingKey::from_ed_der(&der),
            decoding,
            jwk,
        })
    }

    /// The RSA key `private` (2048 bits or more); named `kid`, or by its
    /// thumbprint.
    pub(super) fn rsa(
        private: &RsaPrivateKey,
        kid: Option<String>,
        created_at_ms: Option<u64>,
    ) -> Result<Self, KeyError> {
        let bits = private.n().bits();
        if bits < MIN_RSA_BITS {
            return Err(KeyError::TooSmall(bits));
        }
        let (n, e) = (private.n().to_bytes_be(), private.e().to_bytes_be());
        let (n64, e64) = (URL_SAFE_NO_PAD.encode(&n), URL_SAFE_NO_PAD.encode(&e));
        let thumbprint = format!(r#"{{"e":"{e64}","kty":"RSA","n":"{n64}"}}"#);
        let kid = kid.unwrap_or_else(|| kid_of(&thumbprint));
        // jsonwebtoken signs with the PKCS#1 form of the private key.
        let pkcs1 = private
            .to_pkcs1_der()
            .map_err(|e| KeyError::Unusable(format!("cannot be encoded as PKCS#1: {e}")))?;
        let jwk =
            json!({ "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "n": n64, "e": e64 });
        Ok(Self {
            kid,
            algorithm: KeyAlgorithm::Rs256,
            created_at_ms,
            encoding: EncodingKey::from_rsa_der(pkcs1.as_bytes()),
            decoding: DecodingKey::from_rsa_raw_components(&n, &e),
            jwk,
        })
    }

    /// The private key in the PEM text `pem`, for `algorithm`: PKCS#8
    /// Ed25519 for EdDSA, PKCS#8 or PKCS#1 RSA for RS256.
    pub fn from_pem(pem: &str, algorithm: KeyAlgorithm) -> Result<Self, KeyError> {
        if pem.contains("ENCRYPTED PRIVATE KEY") {
            let reason =
                "is an encrypted private key: give it unencrypted (and readable by Junction only)";
            return Err(KeyError::Unusable(reason.into()));
        }
        match algorithm {
            KeyAlgorithm::EdDsa => {
                let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem).map_err(|_| {
                    KeyError::Unusable(
                        "is not a PKCS#8 Ed25519 private key in PEM (\"BEGIN PRIVATE KEY\"), as EdDSA needs".into(),
                    )
                })?;
                Self::ed25519(&key.to_bytes(), None, None)
            }
            KeyAlgorithm::Rs256 => {
                let key = RsaPrivateKey::from_pkcs8_pem(pem)
                    .or_else(|_| RsaPrivateKey::from_pkcs1_pem(pem))
                    .map_err(|_| {
                        KeyError::Unusable(
                            "is not an RSA private key in PEM (PKCS#8 \"BEGIN PRIVATE KEY\" or PKCS#1 \"BEGIN RSA PRIVATE KEY\"), as RS256 needs".into(),
                        )
                    })?;
                key.validate()
                    .map_err(|e| KeyError::Unusable(format!("is not a valid RSA key: {e}")))?;
                Self::rsa(&key, None, None)
            }
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    /// When it was made (ms since the Unix epoch); `None` for a key read
    /// from a file.
    pub fn created_at_ms(&self) -> Option<u64> {
        self.created_at_ms
    }

    /// The public key as a JWK (`kid`, `alg`, `use: sig`; never a private part).
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    pub(crate) fn encoding(&self) -> &EncodingKey {
        &self.encoding
    }

    pub(crate) fn decoding(&self) -> &DecodingKey {
        &self.decoding
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// `junction-` and the start of the base64url SHA-256 of a JWK's
/// thumbprint input (RFC 7638).
fn kid_of(thumbprint_input: &str) -> String {
    let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint_input.as_bytes()));
    format!("junction-{}", &digest[..KID_THUMBPRINT_CHARS])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    use rsa::pkcs8::LineEnding;

    use super::*;

    /// A fresh RSA key of `bits` bits.
    fn rsa_key(bits: usize) -> RsaPrivateKey {
        RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits).unwrap()
    }

    #[test]
    fn a_pkcs8_ed25519_pem_makes_an_eddsa_key_named_by_its_thumbprint() {
        let seed = [7u8; 32];
        let pem = ed25519_dalek::SigningKey::from_bytes(&seed)
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap();
        let key = SigningKey::from_pem(&pem, KeyAlgorithm::EdDsa).unwrap();
        let again = SigningKey::ed25519(&seed, None, Some(1)).unwrap();
        assert_eq!(key.kid(), again.kid(), "the same key, the same kid");
        assert!(key.kid().starts_with("junction-"));
        assert_eq!(key.algorithm(), KeyAlgorithm::EdDsa);
        assert_eq!(key.created_at_ms(), None);
        assert_eq!(key.jwk()["kty"], "OKP");
        assert_eq!(key.jwk()["kid"], key.kid());
        assert!(!format!("{key:?}").contains("encoding"));
        // An Ed25519 key is no key for RS256.
        let error = SigningKey::from_pem(&pem, KeyAlgorithm::Rs256).unwrap_err();
        assert!(error.to_string().contains("RSA"), "{error}");
    }

    #[test]
    fn rsa_pems_in_pkcs8_and_pkcs1_make_the_same_rs256_key_and_small_keys_are_refused() {
        let private = rsa_key(2048);
        let pkcs8 = private.to_pkcs8_pem(LineEnding::LF).unwrap();
        let pkcs1 = private.to_pkcs1_pem(LineEnding::LF).unwrap();
        let from_pkcs8 = SigningKey::from_pem(&pkcs8, KeyAlgorithm::Rs256).unwrap();
        let from_pkcs1 = SigningKey::from_pem(&pkcs1, KeyAlgorithm::Rs256).unwrap();
        assert_eq!(from_pkcs8.kid(), from_pkcs1.kid());
        assert_eq!(from_pkcs8.jwk()["kty"], "RSA");
        assert_eq!(from_pkcs8.jwk()["e"], "AQAB");
        assert!(from_pkcs8.jwk().get("d").is_none(), "no private part");
        let error = SigningKey::from_pem(&pkcs8, KeyAlgorithm::EdDsa).unwrap_err();
        assert!(error.to_string().contains("Ed25519"), "{error}");

        let small = rsa_key(1024).to_pkcs8_pem(LineEnding::LF).unwrap();
        let error = SigningKey::from_pem(&small, KeyAlgorithm::Rs256).unwrap_err();
        assert_eq!(error, KeyError::TooSmall(1024));
    }

    #[test]
    fn text_that_is_no_key_is_refused_without_being_repeated() {
        let text = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWxvb2tpbmctbm9uc2Vuc2U=\n-----END PRIVATE KEY-----\n";
        for algorithm in [KeyAlgorithm::EdDsa, KeyAlgorithm::Rs256] {
            let error = SigningKey::from_pem(text, algorithm)
                .unwrap_err()
                .to_string();
            assert!(!error.contains("c2VjcmV0"), "{error}");
        }
        let encrypted =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let error = SigningKey::from_pem(encrypted, KeyAlgorithm::Rs256).unwrap_err();
        assert!(error.to_string().contains("encrypted"), "{error}");
    }
}
