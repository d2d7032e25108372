//! A first, unverified look at a compact JWS: its algorithm and `kid`
//! (header) and its issuer (payload), which choose the provider and key to
//! verify it with. Nothing read here is trusted: the issuer is checked again
//! on the verified claims, and the algorithm against the provider's list.
//!
//! Refused at once: tokens over [`MAX_TOKEN_BYTES`], anything but three
//! base64url parts, `alg: none` (or any algorithm we do not verify), and
//! headers with `crit` (no extension is understood, RFC 7515 §4.1.11).

use std::str::FromStr;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::Algorithm;
use serde::Deserialize;

/// Longest token looked at, in bytes (identity providers' tokens are a
/// few KiB even with many groups).
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// What the token says about itself, unverified.
#[derive(Debug)]
pub(super) struct Peek {
    pub algorithm: Algorithm,
    pub kid: Option<String>,
    pub issuer: String,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    kid: Option<String>,
    crit: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct Payload {
    iss: Option<serde_json::Value>,
}

pub(super) fn peek(token: &str) -> Result<Peek, String> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(format!("the token is over {MAX_TOKEN_BYTES} bytes"));
    }
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWT (three base64url parts)".into());
    };
    let header: Header = decode_part(header).ok_or("the token's header is malformed")?;
    if header.alg.eq_ignore_ascii_case("none") {
        return Err("the token is unsigned (alg none)".into());
    }
    let algorithm = Algorithm::from_str(&header.alg)
        .map_err(|_| "the token's algorithm is not supported".to_string())?;
    if header.crit.is_some() {
        return Err("the token's header has crit extensions".into());
    }
    let payload: Payload = decode_part(payload).ok_or("the token's payload is malformed")?;
    let Some(serde_json::Value::String(issuer)) = payload.iss else {
        return Err("the token has no iss".into());
    };
    Ok(Peek {
        algorithm,
        kid: header.kid,
        issuer,
    })
}

fn decode_part<T: for<'de> Deserialize<'de>>(part: &str) -> Option<T> {
    let bytes = URL_SAFE_NO_PAD.decode(part).ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn part(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    fn token(header: &str, payload: &str) -> String {
        format!("{}.{}.c2ln", part(header), part(payload))
    }

    #[test]
    fn the_header_and_issuer_are_read() {
        let peek = peek(&token(
            r#"{"alg":"ES384","kid":"k1"}"#,
            r#"{"iss":"https://idp"}"#,
        ))
        .unwrap();
        assert_eq!(peek.algorithm, Algorithm::ES384);
        assert_eq!(peek.kid.as_deref(), Some("k1"));
        assert_eq!(peek.issuer, "https://idp");
    }

    #[test]
    fn malformed_unsigned_and_critical_tokens_are_refused() {
        let iss = r#"{"iss":"i"}"#;
        let cases = [
            (token(r#"{"alg":"none"}"#, iss), "alg none"),
            (token(r#"{"alg":"NONE"}"#, iss), "alg none"),
            (token(r#"{"alg":"ES512"}"#, iss), "not supported"),
            (token(r#"{"alg":"RS256","crit":["b64"]}"#, iss), "crit"),
            (token(r#"{"alg":"RS256"}"#, r#"{"iss":5}"#), "no iss"),
            (token(r#"{"alg":"RS256"}"#, "[]"), "payload"),
            (token("nope", iss), "header"),
            ("a.b".to_string(), "three"),
            ("a.b.c.d".to_string(), "three"),
            ("x".repeat(MAX_TOKEN_BYTES + 1), "over"),
        ];
        for (token, reason) in cases {
            let error = peek(&token).unwrap_err();
            assert!(error.contains(reason), "{reason}: {error}");
        }
    }
}
