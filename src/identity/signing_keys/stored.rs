//! The signing keys as the store keeps them — one JSON list under
//! `identity:signing-keys`, oldest first, the newest signing — and the
//! rules of that list: when an older key stops being published, which
//! keys a rotation keeps, and when a key of the configured algorithm is
//! missing. The rules are plain functions of the list and the time.
//!
//! A record holds private key material (an Ed25519 seed, an RSA key in
//! PKCS#8 DER); it has no `Debug` and is never logged.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use rsa::RsaPrivateKey;
use serde::{Deserialize, Serialize};

use super::key::{KeyAlgorithm, SigningKey};
use super::SigningKeyError;

/// The store key of the list.
pub(super) const KEYS_KEY: &str = "identity:signing-keys";
/// Most keys published at once: a rotation that would make more is refused.
pub const MAX_KEYS: usize = 16;
/// The size of the RSA keys Junction makes.
const RSA_BITS: usize = 2048;

/// One signing key as the store keeps it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct StoredKey {
    pub kid: String,
    /// Keys stored before RS256 existed have none: they are EdDSA.
    #[serde(default)]
    pub alg: KeyAlgorithm,
    /// EdDSA: the 32-byte seed, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<String>,
    /// EdDSA: the public key, base64url (the JWK's `x`); replicas of
    /// versions before RS256 read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    /// RS256: the private key, PKCS#8 DER, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pkcs8: Option<String>,
    /// When it was made, in ms since the Unix epoch.
    pub created_at_ms: u64,
}

impl StoredKey {
    /// A new key of `algorithm`. An RSA key is made on a blocking thread
    /// (it takes a while: primes are searched for).
    pub(super) async fn generate(
        algorithm: KeyAlgorithm,
        created_at_ms: u64,
    ) -> Result<Self, SigningKeyError> {
        match algorithm {
            KeyAlgorithm::EdDsa => Self::generate_ed25519(created_at_ms),
            KeyAlgorithm::Rs256 => {
                let made = tokio::task::spawn_blocking(move || {
                    RsaPrivateKey::new(&mut rsa::rand_core::OsRng, RSA_BITS)
                })
                .await
                .map_err(|e| SigningKeyError::Generate(e.to_string()))?
                .map_err(|e| SigningKeyError::Generate(e.to_string()))?;
                Self::rsa(&made, created_at_ms)
            }
        }
    }

    fn generate_ed25519(created_at_ms: u64) -> Result<Self, SigningKeyError> {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).map_err(|e| SigningKeyError::Generate(e.to_string()))?;
        let key = SigningKey::ed25519(&seed, None, Some(created_at_ms))?;
        let x = key.jwk()["x"].as_str().map(str::to_string);
        Ok(Self {
            kid: key.kid().to_string(),
            alg: KeyAlgorithm::EdDsa,
            seed: Some(STANDARD.encode(seed)),
            x,
            pkcs8: None,
            created_at_ms,
        })
    }

    fn rsa(private: &RsaPrivateKey, created_at_ms: u64) -> Result<Self, SigningKeyError> {
        let key = SigningKey::rsa(private, None, Some(created_at_ms))?;
        let der = private.to_pkcs8_der().map_err(|e| {
            SigningKeyError::Generate(format!("the RSA key cannot be encoded: {e}"))
        })?;
        Ok(Self {
            kid: key.kid().to_string(),
            alg: KeyAlgorithm::Rs256,
            seed: None,
            x: None,
            pkcs8: Some(STANDARD.encode(der.as_bytes())),
            created_at_ms,
        })
    }

    /// The key in memory, ready to sign and verify.
    pub(super) fn open(&self) -> Result<SigningKey, SigningKeyError> {
        let corrupt = |what: &str| SigningKeyError::Corrupt(format!("key {}: {what}", self.kid));
        let created = Some(self.created_at_ms);
        let kid = Some(self.kid.clone());
        match self.alg {
            KeyAlgorithm::EdDsa => {
                let seed = self.seed.as_deref().ok_or_else(|| corrupt("no seed"))?;
                let seed: [u8; 32] = STANDARD
                    .decode(seed)
                    .ok()
                    .and_then(|bytes| bytes.try_into().ok())
                    .ok_or_else(|| corrupt("the seed is not 32 bytes of base64"))?;
                Ok(SigningKey::ed25519(&seed, kid, created)?)
            }
            KeyAlgorithm::Rs256 => {
                let der = self.pkcs8.as_deref().ok_or_else(|| corrupt("no pkcs8"))?;
                let der = STANDARD
                    .decode(der)
                    .map_err(|_| corrupt("pkcs8 is not base64"))?;
                let private = RsaPrivateKey::from_pkcs8_der(&der)
                    .map_err(|_| corrupt("pkcs8 is not an RSA private key"))?;
                Ok(SigningKey::rsa(&private, kid, created)?)
            }
        }
    }
}

/// The list read from the store.
pub(super) fn decode(bytes: &[u8]) -> Result<Vec<StoredKey>, SigningKeyError> {
    serde_json::from_slice(bytes).map_err(|e| SigningKeyError::Corrupt(e.to_string()))
}

/// The list to store.
pub(super) fn encode(keys: &[StoredKey]) -> Result<Vec<u8>, SigningKeyError> {
    serde_json::to_vec(keys).map_err(|e| SigningKeyError::Corrupt(e.to_string()))
}

/// When the key at `index` stops being published: `retention_ms` after
/// the key that followed it was made (the tokens it signed have expired
/// by then); never while it is the newest.
pub(super) fn retires_at_ms(keys: &[StoredKey], index: usize, retention_ms: u64) -> Option<u64> {
    keys.get(index + 1)
        .map(|next| next.created_at_ms.saturating_add(retention_ms))
}

/// Whether a key retiring at `retires_at` is still published at `now_ms`.
pub(super) fn is_live(retires_at: Option<u64>, now_ms: u64) -> bool {
    retires_at.is_none_or(|at| now_ms < at)
}

/// The keys still published at `now_ms`, oldest first.
pub(super) fn live_keys(keys: &[StoredKey], now_ms: u64, retention_ms: u64) -> Vec<StoredKey> {
    (0..keys.len())
        .filter(|&i| is_live(retires_at_ms(keys, i, retention_ms), now_ms))
        .map(|i| keys[i].clone())
        .collect()
}

/// The list after a rotation at `now_ms`: the keys still published, then
/// `new` (which signs from then on); refused when that would publish more
/// than [`MAX_KEYS`].
pub(super) fn rotated(
    keys: &[StoredKey],
    new: StoredKey,
    now_ms: u64,
    retention_ms: u64,
) -> Result<Vec<StoredKey>, SigningKeyError> {
    let mut kept = live_keys(keys, now_ms, retention_ms);
    if kept.len() >= MAX_KEYS {
        return Err(SigningKeyError::TooMany);
    }
    if kept.iter().any(|key| key.kid == new.kid) {
        return Err(SigningKeyError::Generate("a new key repeats a kid".into()));
    }
    kept.push(new);
    Ok(kept)
}

/// Whether no published key has `algorithm` (none at all on first start,
/// or the configured algorithm changed): one must be added.
pub(super) fn lacks(
    keys: &[StoredKey],
    algorithm: KeyAlgorithm,
    now_ms: u64,
    retention_ms: u64,
) -> bool {
    !live_keys(keys, now_ms, retention_ms)
        .iter()
        .any(|key| key.alg == algorithm)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    const MINUTE: u64 = 60_000;

    /// The base64url `x` of an Ed25519 seed's public key.
    fn x_of(seed: &[u8; 32]) -> String {
        let public = ed25519_dalek::SigningKey::from_bytes(seed)
            .verifying_key()
            .to_bytes();
        URL_SAFE_NO_PAD.encode(public)
    }

    fn key(kid: &str, alg: KeyAlgorithm, created_at_ms: u64) -> StoredKey {
        StoredKey {
            kid: kid.into(),
            alg,
            seed: None,
            x: None,
            pkcs8: None,
            created_at_ms,
        }
    }

    #[test]
    fn a_record_stored_before_rs256_reads_as_eddsa_and_opens() {
        let seed = [3u8; 32];
        let old = format!(
            r#"[{{"kid":"junction-abc","seed":"{}","x":"{}","created_at_ms":5}}]"#,
            STANDARD.encode(seed),
            x_of(&seed)
        );
        let keys = decode(old.as_bytes()).unwrap();
        assert_eq!(keys[0].alg, KeyAlgorithm::EdDsa);
        let opened = keys[0].open().unwrap();
        assert_eq!(opened.kid(), "junction-abc");
        assert_eq!(opened.jwk()["x"], x_of(&seed));
        // Written back, it keeps the fields older replicas read.
        let again: serde_json::Value = serde_json::from_slice(&encode(&keys).unwrap()).unwrap();
        assert_eq!(again[0]["x"], x_of(&seed));
        assert_eq!(again[0]["alg"], "EdDSA");
    }

    #[tokio::test]
    async fn generated_keys_open_with_their_kid_and_algorithm() {
        for algorithm in [KeyAlgorithm::EdDsa, KeyAlgorithm::Rs256] {
            let stored = StoredKey::generate(algorithm, 42).await.unwrap();
            let round: Vec<StoredKey> =
                decode(&encode(std::slice::from_ref(&stored)).unwrap()).unwrap();
            let opened = round[0].open().unwrap();
            assert_eq!(opened.kid(), stored.kid);
            assert_eq!(opened.algorithm(), algorithm);
            assert_eq!(opened.created_at_ms(), Some(42));
        }
    }

    #[test]
    fn an_older_key_is_published_until_retention_after_the_next_one() {
        let keys = [
            key("a", KeyAlgorithm::EdDsa, 0),
            key("b", KeyAlgorithm::EdDsa, 10 * MINUTE),
            key("c", KeyAlgorithm::EdDsa, 30 * MINUTE),
        ];
        let retention = 16 * MINUTE;
        assert_eq!(retires_at_ms(&keys, 0, retention), Some(26 * MINUTE));
        assert_eq!(retires_at_ms(&keys, 2, retention), None, "the newest signs");
        let kids = |now| -> Vec<String> {
            live_keys(&keys, now, retention)
                .into_iter()
                .map(|k| k.kid)
                .collect()
        };
        assert_eq!(kids(26 * MINUTE - 1), ["a", "b", "c"]);
        assert_eq!(kids(26 * MINUTE), ["b", "c"]);
        assert_eq!(kids(46 * MINUTE), ["c"]);
    }

    #[test]
    fn a_rotation_drops_retired_keys_and_is_refused_past_the_bound() {
        let retention = 16 * MINUTE;
        let old = [
            key("a", KeyAlgorithm::EdDsa, 0),
            key("b", KeyAlgorithm::EdDsa, MINUTE),
        ];
        let new = key("c", KeyAlgorithm::Rs256, 20 * MINUTE);
        let list = rotated(&old, new.clone(), 20 * MINUTE, retention).unwrap();
        let kids: Vec<&str> = list.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, ["b", "c"]);

        let full: Vec<StoredKey> = (0..MAX_KEYS)
            .map(|i| key(&format!("k{i}"), KeyAlgorithm::EdDsa, i as u64))
            .collect();
        let refused = rotated(&full, new.clone(), MINUTE, retention);
        assert!(matches!(refused, Err(SigningKeyError::TooMany)));
        let repeated = rotated(
            &old[1..],
            key("b", KeyAlgorithm::EdDsa, 2),
            MINUTE,
            retention,
        );
        assert!(matches!(repeated, Err(SigningKeyError::Generate(_))));
    }

    #[test]
    fn a_key_is_missing_when_none_published_has_the_configured_algorithm() {
        let retention = 16 * MINUTE;
        assert!(lacks(&[], KeyAlgorithm::EdDsa, 0, retention));
        let keys = [
            key("a", KeyAlgorithm::EdDsa, 0),
            key("b", KeyAlgorithm::Rs256, MINUTE),
        ];
        assert!(!lacks(&keys, KeyAlgorithm::Rs256, MINUTE, retention));
        assert!(!lacks(&keys, KeyAlgorithm::EdDsa, 2 * MINUTE, retention));
        assert!(lacks(&keys, KeyAlgorithm::EdDsa, 17 * MINUTE, retention));
    }
}
