//! The verifier with fixed keys (a shared secret): the flow from token to
//! caller, the cache and its expiry, on a clock the tests move. Remote
//! JWKS and every asymmetric algorithm are tested against a real JWKS
//! server in `tests/it/auth_jwt.rs`.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

use super::*;
use crate::identity::CallerKind;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef-test";
const ISSUER: &str = "https://first-party.test";

fn verifier(cache_entries: u64) -> (JwtVerifier, Clock) {
    let mut provider = ProviderSettings::new(
        ISSUER,
        KeySource::Secret(SECRET.to_vec()),
        Audiences::OneOf(vec!["api".into()]),
    );
    provider.claims.roles = Some(ClaimPath::new("roles"));
    let settings = JwtSettings {
        providers: vec![provider],
        cache_entries,
    };
    let clock = Clock::system();
    let verifier = JwtVerifier::with_clock(settings, reqwest::Client::new(), clock.clone());
    (verifier.unwrap(), clock)
}

fn now() -> u64 {
    Clock::system().unix_seconds()
}

fn sign(algorithm: Algorithm, claims: Value) -> String {
    encode(
        &Header::new(algorithm),
        &claims,
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap()
}

fn claims(exp_in: i64) -> Value {
    json!({
        "iss": ISSUER,
        "aud": "api",
        "sub": "user-7",
        "roles": ["reader"],
        "scope": "a b",
        "jti": "t1",
        "exp": now() as i64 + exp_in,
    })
}

fn reason(result: Result<Caller, IdentityError>) -> String {
    match result {
        Err(IdentityError::Invalid(reason)) => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_valid_token_becomes_a_user_and_a_repeat_costs_no_signature_check() {
    let (verifier, _) = verifier(100);
    let token = sign(Algorithm::HS256, claims(300));
    let caller = verifier.verify(&token).await.unwrap();
    assert_eq!(caller.kind, CallerKind::User);
    assert_eq!(caller.subject.as_deref(), Some("user-7"));
    assert_eq!(caller.roles, ["reader"]);
    assert_eq!(caller.scopes, ["a", "b"]);
    assert_eq!(caller.token_id.as_deref(), Some("t1"));
    assert_eq!(verifier.signature_checks(), 1);
    assert_eq!(verifier.verify(&token).await.unwrap(), caller);
    assert_eq!(verifier.signature_checks(), 1, "served from the cache");
}

#[tokio::test]
async fn a_cached_token_is_never_served_past_its_exp() {
    let (verifier, clock) = verifier(100);
    let token = sign(Algorithm::HS512, claims(60));
    verifier.verify(&token).await.unwrap();
    clock.advance(Duration::from_secs(61));
    // Past exp the cache does not answer; within the leeway (30 s) a full
    // verification still accepts the token.
    verifier.verify(&token).await.unwrap();
    assert_eq!(verifier.signature_checks(), 2);
    clock.advance(Duration::from_secs(30));
    assert!(reason(verifier.verify(&token).await).contains("expired"));
}

#[tokio::test]
async fn without_a_cache_every_token_is_checked() {
    let (verifier, _) = verifier(0);
    let token = sign(Algorithm::HS256, claims(300));
    verifier.verify(&token).await.unwrap();
    verifier.verify(&token).await.unwrap();
    assert_eq!(verifier.signature_checks(), 2);
}

#[tokio::test]
async fn tokens_of_other_issuers_secrets_or_audiences_are_refused() {
    let (verifier, _) = verifier(100);
    let mut other_issuer = claims(300);
    other_issuer["iss"] = json!("https://elsewhere.test");
    assert!(
        reason(verifier.verify(&sign(Algorithm::HS256, other_issuer)).await).contains("issuer")
    );
    let mut other_aud = claims(300);
    other_aud["aud"] = json!(["web"]);
    assert!(reason(verifier.verify(&sign(Algorithm::HS256, other_aud)).await).contains("aud"));
    let forged = encode(
        &Header::new(Algorithm::HS256),
        &claims(300),
        &EncodingKey::from_secret(b"another-secret-another-secret-000"),
    )
    .unwrap();
    assert!(reason(verifier.verify(&forged).await).contains("signature"));
    let mut no_sub = claims(300);
    no_sub.as_object_mut().unwrap().remove("sub");
    assert!(reason(verifier.verify(&sign(Algorithm::HS256, no_sub)).await).contains("sub"));
    assert_eq!(
        verifier.signature_checks(),
        3,
        "the unknown issuer cost none"
    );
}

#[tokio::test]
async fn the_allow_list_is_the_providers() {
    let mut provider =
        ProviderSettings::new(ISSUER, KeySource::Secret(SECRET.to_vec()), Audiences::Any);
    provider.algorithms = vec![Algorithm::HS512];
    let settings = JwtSettings {
        providers: vec![provider],
        ..JwtSettings::default()
    };
    let verifier = JwtVerifier::new(settings, reqwest::Client::new()).unwrap();
    let error = reason(verifier.verify(&sign(Algorithm::HS256, claims(300))).await);
    assert!(error.contains("HS256 is not allowed"), "{error}");
    verifier
        .verify(&sign(Algorithm::HS512, claims(300)))
        .await
        .unwrap();
}

#[test]
fn a_provider_may_not_be_configured_twice() {
    let provider =
        ProviderSettings::new(ISSUER, KeySource::Secret(SECRET.to_vec()), Audiences::Any);
    let settings = JwtSettings {
        providers: vec![provider.clone(), provider],
        ..JwtSettings::default()
    };
    let error = JwtVerifier::new(settings, reqwest::Client::new())
        .err()
        .unwrap();
    assert_eq!(error, JwtSetupError::DuplicateIssuer(ISSUER.into()));
}
