//! The harness's own identity provider key: an RSA 2048 key pair generated at start,
//! its public half published as a JWK (RFC 7518 §6.3.1: the modulus `n` and exponent
//! `e` as unpadded base64url of their big-endian bytes), and RS256 tokens signed with
//! its private half. The key lives only in this process's memory.

use anyhow::{Context, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::rand_core::{OsRng, RngCore};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{json, Value};

/// Size of the generated modulus, in bits.
const RSA_BITS: usize = 2048;

/// An RS256 signing key and what is published of it.
pub struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    public: RsaPublicKey,
}

impl SigningKey {
    /// Generates a fresh RSA 2048 key pair with a random `kid`.
    pub fn generate() -> Result<SigningKey> {
        let private = RsaPrivateKey::new(&mut OsRng, RSA_BITS).context("generating the RSA key")?;
        let der = private
            .to_pkcs1_der()
            .context("encoding the RSA key as PKCS#1 DER")?;
        Ok(SigningKey {
            kid: random_id()?,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            public: private.to_public_key(),
        })
    }

    /// The key id tokens name in their header and the JWK carries.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK, restricted to RS256 signatures.
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "RSA",
            "n": base64url(&self.public.n().to_bytes_be()),
            "e": base64url(&self.public.e().to_bytes_be()),
            "kid": self.kid,
            "alg": "RS256",
            "use": "sig",
        })
    }

    /// The JWK Set a provider publishes: this key alone.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk()] })
    }

    /// A compact JWS of `claims`, RS256, naming this key's `kid`.
    pub fn sign(&self, claims: &Value) -> Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).context("signing the token")
    }
}

/// 16 random bytes from the operating system, base64url: for `kid` and `jti`.
pub fn random_id() -> Result<String> {
    let mut bytes = [0_u8; 16];
    OsRng
        .try_fill_bytes(&mut bytes)
        .context("reading random bytes")?;
    Ok(base64url(&bytes))
}

fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::{DecodingKey, Validation};
    use rsa::BigUint;

    use super::*;

    /// One key for all tests: generating one takes a while in a debug build.
    fn key() -> &'static SigningKey {
        static KEY: OnceLock<SigningKey> = OnceLock::new();
        KEY.get_or_init(|| match SigningKey::generate() {
            Ok(key) => key,
            Err(err) => panic!("{err:#}"),
        })
    }

    fn decoded(jwk: &Value, member: &str) -> Result<BigUint> {
        let text = jwk[member].as_str().context("not a string")?;
        Ok(BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(text)?))
    }

    #[test]
    fn the_jwk_holds_the_public_key_as_unpadded_base64url() -> Result<()> {
        let jwk = key().jwk();
        assert_eq!(decoded(&jwk, "n")?, *key().public.n());
        assert_eq!(decoded(&jwk, "e")?, *key().public.e());
        assert_eq!(jwk["e"], "AQAB", "65537, the exponent rsa generates");
        let n = jwk["n"].as_str().unwrap_or_default();
        assert_eq!(
            n.len(),
            342,
            "2048 bits are 256 bytes, 342 base64url characters"
        );
        assert!(!n.contains(['=', '+', '/']));
        assert_eq!(
            (&jwk["kty"], &jwk["alg"], &jwk["use"], &jwk["kid"]),
            (
                &json!("RSA"),
                &json!("RS256"),
                &json!("sig"),
                &json!(key().kid())
            )
        );
        Ok(())
    }

    #[test]
    fn jsonwebtoken_verifies_a_signed_token_with_the_published_jwks() -> Result<()> {
        let claims = json!({"sub": "s", "iss": "i", "aud": "a", "exp": 4_000_000_000_u64});
        let token = key().sign(&claims)?;
        let jwks: JwkSet = serde_json::from_value(key().jwks())?;
        let jwk = jwks.find(key().kid()).context("the kid is in the JWKS")?;
        let decoding = DecodingKey::from_jwk(jwk)?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&["a"]);
        validation.set_issuer(&["i"]);
        let verified = jsonwebtoken::decode::<Value>(&token, &decoding, &validation)?;
        assert_eq!(verified.claims, claims);
        assert_eq!(verified.header.kid.as_deref(), Some(key().kid()));
        Ok(())
    }

    #[test]
    fn jsonwebtoken_refuses_the_token_once_its_signature_is_altered() -> Result<()> {
        let claims = json!({"sub": "s", "exp": 4_000_000_000_u64});
        let altered = crate::auth::altered_signature(&key().sign(&claims)?)?;
        let jwks: JwkSet = serde_json::from_value(key().jwks())?;
        let jwk = jwks.find(key().kid()).context("the kid is in the JWKS")?;
        let validation = Validation::new(Algorithm::RS256);
        let refused =
            jsonwebtoken::decode::<Value>(&altered, &DecodingKey::from_jwk(jwk)?, &validation);
        assert!(refused.is_err());
        Ok(())
    }

    #[test]
    fn random_ids_differ() -> Result<()> {
        let (a, b) = (random_id()?, random_id()?);
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
        Ok(())
    }
}
