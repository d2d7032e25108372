//! External JWTs against a real JWKS server: an axum server on an
//! ephemeral port serving keys this test generates (RSA, P-256, P-384,
//! Ed25519), real tokens signed with them, and `JwtVerifier::verify`
//! called directly. Every supported algorithm is accepted and mapped to
//! the right caller; every way a token can be wrong is refused with
//! `IdentityError::Invalid`; the JWKS cache is shown by counting the
//! server's fetches. Time moves by advancing the verifier's clock.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use junction::identity::jwt::{
    Audiences, ClaimPath, Clock, JwtSettings, JwtSetupError, JwtVerifier, KeySource,
    ProviderSettings,
};
use junction::identity::{Caller, CallerKind, IdentityError};
use rand_core::OsRng;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub(crate) const ISSUER: &str = "https://idp.junction.test/realms/main";
const SHARED_ISSUER: &str = "https://shared.junction.test";
const SECRET: &[u8] = b"a-shared-secret-of-at-least-32-bytes!";

// ---------------------------------------------------------------- keys

/// A signing key and the public JWK the server publishes for it.
pub(crate) struct TestKey {
    kid: &'static str,
    encoding: EncodingKey,
    jwk: Value,
}

pub(crate) struct Keys {
    pub(crate) rsa: TestKey,
    rsa_next: TestKey,
    /// The first RSA key again, published with `alg: RS256` under its own kid.
    rsa_rs256_only: TestKey,
    p256: TestKey,
    p384: TestKey,
    ed25519: TestKey,
    /// The first RSA key's public key, DER and PEM (for algorithm confusion).
    rsa_public_der: Vec<u8>,
    rsa_public_pem: String,
}

pub(crate) static KEYS: LazyLock<Keys> = LazyLock::new(|| {
    let (rsa, rsa_public_der, rsa_public_pem, private) = rsa_key("rsa-1");
    let mut rs256_jwk = rsa.jwk.clone();
    rs256_jwk["kid"] = json!("rsa-1-rs256");
    rs256_jwk["alg"] = json!("RS256");
    let rsa_rs256_only = TestKey {
        kid: "rsa-1-rs256",
        encoding: EncodingKey::from_rsa_der(&private),
        jwk: rs256_jwk,
    };
    Keys {
        rsa,
        rsa_next: rsa_key("rsa-2").0,
        rsa_rs256_only,
        p256: p256_key(),
        p384: p384_key(),
        ed25519: ed25519_key(),
        rsa_public_der,
        rsa_public_pem,
    }
});

fn rsa_key(kid: &'static str) -> (TestKey, Vec<u8>, String, Vec<u8>) {
    use rsa::pkcs1::{EncodeRsaPrivateKey, EncodeRsaPublicKey};
    use rsa::pkcs8::{EncodePublicKey, LineEnding};
    let private = rsa::RsaPrivateKey::new(&mut OsRng, 2048).unwrap();
    let der = private.to_pkcs1_der().unwrap().as_bytes().to_vec();
    let public = private.to_public_key();
    let public_der = public.to_pkcs1_der().unwrap().as_bytes().to_vec();
    let public_pem = public.to_public_key_pem(LineEnding::LF).unwrap();
    let encoding = EncodingKey::from_rsa_der(&der);
    let jwk = public_jwk(&encoding, Algorithm::RS256, kid, false);
    let key = TestKey { kid, encoding, jwk };
    (key, public_der, public_pem, der)
}

fn p256_key() -> TestKey {
    use p256::pkcs8::EncodePrivateKey;
    let private = p256::ecdsa::SigningKey::random(&mut OsRng);
    let encoding = EncodingKey::from_ec_der(private.to_pkcs8_der().unwrap().as_bytes());
    let jwk = public_jwk(&encoding, Algorithm::ES256, "ec-256", true);
    TestKey {
        kid: "ec-256",
        encoding,
        jwk,
    }
}

fn p384_key() -> TestKey {
    use p384::pkcs8::EncodePrivateKey;
    let private = p384::ecdsa::SigningKey::random(&mut OsRng);
    let encoding = EncodingKey::from_ec_der(private.to_pkcs8_der().unwrap().as_bytes());
    // Published without `alg`: the curve alone says ES384.
    let jwk = public_jwk(&encoding, Algorithm::ES384, "ec-384", false);
    TestKey {
        kid: "ec-384",
        encoding,
        jwk,
    }
}

fn ed25519_key() -> TestKey {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    let private = ed25519_dalek::SigningKey::generate(&mut OsRng);
    let encoding = EncodingKey::from_ed_der(private.to_pkcs8_der().unwrap().as_bytes());
    let x = URL_SAFE_NO_PAD.encode(private.verifying_key().to_bytes());
    let jwk = json!({"kty": "OKP", "crv": "Ed25519", "x": x, "kid": "ed", "use": "sig"});
    TestKey {
        kid: "ed",
        encoding,
        jwk,
    }
}

/// The public JWK of an RSA or EC signing key (jsonwebtoken derives it).
fn public_jwk(key: &EncodingKey, algorithm: Algorithm, kid: &str, with_alg: bool) -> Value {
    let mut jwk = serde_json::to_value(Jwk::from_encoding_key(key, algorithm).unwrap()).unwrap();
    jwk["kid"] = json!(kid);
    if !with_alg {
        jwk.as_object_mut().unwrap().remove("alg");
    }
    jwk
}

pub(crate) fn jwks(keys: &[&TestKey]) -> Value {
    json!({ "keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>() })
}

fn all_keys() -> Value {
    let k = &*KEYS;
    jwks(&[&k.rsa, &k.rsa_rs256_only, &k.p256, &k.p384, &k.ed25519])
}

// ---------------------------------------------------------- JWKS server

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Serve,
    /// HTTP 500.
    Fail,
    /// Never answers.
    Hang,
    /// A body over the verifier's limit.
    Oversized,
}

struct ServerState {
    jwks: Mutex<Value>,
    mode: Mutex<Mode>,
    fetches: AtomicUsize,
}

/// A JWKS endpoint on 127.0.0.1 that counts its fetches.
pub(crate) struct JwksServer {
    pub(crate) url: String,
    state: Arc<ServerState>,
    task: JoinHandle<()>,
}

impl JwksServer {
    pub(crate) async fn start(jwks: Value) -> Self {
        let state = Arc::new(ServerState {
            jwks: Mutex::new(jwks),
            mode: Mutex::new(Mode::Serve),
            fetches: AtomicUsize::new(0),
        });
        let router = Router::new()
            .route("/jwks", get(serve_jwks))
            .with_state(Arc::clone(&state));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/jwks", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Self { url, state, task }
    }

    fn fetches(&self) -> usize {
        self.state.fetches.load(Ordering::SeqCst)
    }

    fn publish(&self, jwks: Value) {
        *self.state.jwks.lock().unwrap() = jwks;
    }

    fn set_mode(&self, mode: Mode) {
        *self.state.mode.lock().unwrap() = mode;
    }

    /// Stops listening (the test client keeps no idle connections, so
    /// every later fetch is refused at connect).
    async fn stop(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

async fn serve_jwks(State(state): State<Arc<ServerState>>) -> Response {
    state.fetches.fetch_add(1, Ordering::SeqCst);
    let mode = *state.mode.lock().unwrap();
    match mode {
        Mode::Serve => {
            let jwks = state.jwks.lock().unwrap().clone();
            Json(jwks).into_response()
        }
        Mode::Fail => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Mode::Hang => std::future::pending().await,
        Mode::Oversized => {
            let padding = "x".repeat(64 * 1024);
            Json(json!({ "keys": [], "padding": padding })).into_response()
        }
    }
}

// ------------------------------------------------------------- verifier

pub(crate) fn provider(url: &str) -> ProviderSettings {
    let mut provider = ProviderSettings::new(
        ISSUER,
        KeySource::JwksUrl(url.to_string()),
        Audiences::OneOf(vec!["api".into()]),
    );
    provider.claims.org = Some(ClaimPath::new("org_id"));
    provider.claims.roles = Some(ClaimPath::new("realm_access.roles"));
    provider.claims.tier = Some(ClaimPath::new("https://junction.test/tier"));
    provider.jwks.max_bytes = 16 * 1024;
    provider
}

fn shared_secret_provider() -> ProviderSettings {
    ProviderSettings::new(
        SHARED_ISSUER,
        KeySource::Secret(SECRET.to_vec()),
        Audiences::OneOf(vec!["api".into()]),
    )
}

/// A client that keeps no idle connection, so a stopped server is down.
fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

fn verifier_of(providers: Vec<ProviderSettings>) -> (JwtVerifier, Clock) {
    let clock = Clock::system();
    let settings = JwtSettings {
        providers,
        ..JwtSettings::default()
    };
    let verifier = JwtVerifier::with_clock(settings, client(), clock.clone()).unwrap();
    (verifier, clock)
}

fn verifier(server: &JwksServer) -> (JwtVerifier, Clock) {
    verifier_of(vec![provider(&server.url), shared_secret_provider()])
}

// --------------------------------------------------------------- tokens

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Claims of a valid token of [`ISSUER`].
pub(crate) fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "aud": ["account", "api"],
        "sub": "user-1",
        "iat": now(),
        "nbf": now() - 5,
        "exp": now() + 3600,
        "jti": "token-1",
        "org_id": "acme",
        "realm_access": { "roles": ["admin", "viewer"] },
        "scope": "openid read:products",
        "https://junction.test/tier": "gold",
    })
}

pub(crate) fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

pub(crate) fn sign(key: &TestKey, algorithm: Algorithm, claims: &Value) -> String {
    let mut header = Header::new(algorithm);
    header.kid = Some(key.kid.to_string());
    encode(&header, claims, &key.encoding).unwrap()
}

fn sign_shared(algorithm: Algorithm, claims: &Value) -> String {
    encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap()
}

fn part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

fn expected_caller() -> Caller {
    Caller {
        kind: CallerKind::User,
        subject: Some("user-1".into()),
        org: Some("acme".into()),
        roles: vec!["admin".into(), "viewer".into()],
        scopes: vec!["openid".into(), "read:products".into()],
        tier: Some("gold".into()),
        token_id: Some("token-1".into()),
    }
}

async fn refused(verifier: &JwtVerifier, token: &str) -> String {
    match verifier.verify(token).await {
        Err(IdentityError::Invalid(reason)) => reason,
        other => panic!("expected IdentityError::Invalid, got {other:?}"),
    }
}

// ---------------------------------------------------------------- tests

#[tokio::test]
async fn valid_tokens_of_every_supported_algorithm_are_accepted_and_mapped_to_the_caller() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, _) = verifier(&server);
    let k = &*KEYS;
    let signed = [
        (&k.rsa, Algorithm::RS256),
        (&k.rsa, Algorithm::RS384),
        (&k.rsa, Algorithm::RS512),
        (&k.rsa, Algorithm::PS256),
        (&k.rsa, Algorithm::PS384),
        (&k.rsa, Algorithm::PS512),
        (&k.p256, Algorithm::ES256),
        (&k.p384, Algorithm::ES384),
        (&k.ed25519, Algorithm::EdDSA),
    ];
    for (key, algorithm) in signed {
        let token = sign(key, algorithm, &claims());
        let caller = verifier.verify(&token).await;
        assert_eq!(caller, Ok(expected_caller()), "{algorithm:?}");
    }
    let shared = with(claims(), json!({ "iss": SHARED_ISSUER, "sub": "user-2" }));
    for algorithm in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let caller = verifier
            .verify(&sign_shared(algorithm, &shared))
            .await
            .unwrap();
        assert_eq!(caller.subject.as_deref(), Some("user-2"), "{algorithm:?}");
        assert!(
            caller.roles.is_empty(),
            "roles are not mapped for this provider"
        );
    }
    assert_eq!(server.fetches(), 1, "one JWKS fetch served every key");
}

#[tokio::test]
async fn a_repeated_valid_token_costs_no_second_signature_check() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, _) = verifier(&server);
    let token = sign(&KEYS.rsa, Algorithm::RS256, &claims());
    for _ in 0..3 {
        assert_eq!(verifier.verify(&token).await, Ok(expected_caller()));
    }
    assert_eq!(verifier.signature_checks(), 1);
}

#[tokio::test]
async fn expired_not_yet_valid_and_future_issued_tokens_are_refused() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, _) = verifier(&server);
    let cases = [
        (json!({ "exp": now() - 31 }), "expired"),
        (json!({ "exp": null }), "no exp"),
        (json!({ "nbf": now() + 120 }), "nbf"),
        (json!({ "iat": now() + 120 }), "iat"),
    ];
    for (changes, reason) in cases {
        let token = sign(&KEYS.p256, Algorithm::ES256, &with(claims(), changes));
        let error = refused(&verifier, &token).await;
        assert!(error.contains(reason), "{reason}: {error}");
    }
    let within_leeway = with(claims(), json!({ "exp": now() - 10, "nbf": now() + 10 }));
    let token = sign(&KEYS.p256, Algorithm::ES256, &within_leeway);
    verifier.verify(&token).await.unwrap();
}

#[tokio::test]
async fn a_token_expiring_while_cached_is_refused_once_the_clock_passes_its_exp() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, clock) = verifier(&server);
    let token = sign(
        &KEYS.ed25519,
        Algorithm::EdDSA,
        &with(claims(), json!({ "exp": now() + 60 })),
    );
    verifier.verify(&token).await.unwrap();
    clock.advance(Duration::from_secs(60 + 31));
    let error = refused(&verifier, &token).await;
    assert!(error.contains("expired"), "{error}");
}

#[tokio::test]
async fn wrong_issuer_and_wrong_audience_are_refused() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, _) = verifier(&server);
    let cases = [
        (json!({ "iss": "https://evil.test" }), "issuer"),
        (json!({ "iss": null }), "no iss"),
        (json!({ "aud": "another-api" }), "aud"),
        (json!({ "aud": null }), "no aud"),
    ];
    for (changes, reason) in cases {
        let token = sign(&KEYS.rsa, Algorithm::RS256, &with(claims(), changes));
        let error = refused(&verifier, &token).await;
        assert!(error.contains(reason), "{reason}: {error}");
    }
    // A token of the shared-secret provider, signed with its secret, but
    // claiming the JWKS provider as issuer: HS256 is not that provider's.
    let token = sign_shared(Algorithm::HS256, &claims());
    assert!(refused(&verifier, &token).await.contains("not allowed"));
}

#[tokio::test]
async fn tampered_payloads_and_signatures_are_refused() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, _) = verifier(&server);
    for (key, algorithm) in [
        (&KEYS.rsa, Algorithm::PS256),
        (&KEYS.p384, Algorithm::ES384),
    ] {
        let token = sign(key, algorithm, &claims());
        let parts: Vec<&str> = token.split('.').collect();
        let promoted = with(claims(), json!({ "sub": "admin" }));
        let tampered_payload = format!("{}.{}.{}", parts[0], part(&promoted), parts[2]);
        assert!(refused(&verifier, &tampered_payload)
            .await
            .contains("signature"));
        let mut signature = parts[2].as_bytes().to_vec();
        signature[10] = if signature[10] == b'A' { b'B' } else { b'A' };
        let signature = String::from_utf8(signature).unwrap();
        let tampered_signature = format!("{}.{}.{signature}", parts[0], parts[1]);
        assert!(refused(&verifier, &tampered_signature)
            .await
            .contains("signature"));
        verifier.verify(&token).await.unwrap();
    }
}

#[tokio::test]
async fn unsigned_tokens_are_refused() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, _) = verifier(&server);
    let signed = sign(&KEYS.rsa, Algorithm::RS256, &claims());
    let signature = signed.rsplit('.').next().unwrap();
    for header in [
        json!({ "alg": "none" }),
        json!({ "alg": "none", "kid": "rsa-1" }),
    ] {
        let unsigned = format!("{}.{}.", part(&header), part(&claims()));
        assert!(refused(&verifier, &unsigned).await.contains("alg none"));
        let with_signature = format!("{}.{}.{signature}", part(&header), part(&claims()));
        assert!(refused(&verifier, &with_signature)
            .await
            .contains("alg none"));
    }
    assert_eq!(server.fetches(), 0, "refused before any key was needed");
}

#[tokio::test]
async fn hs256_signed_with_the_providers_rsa_public_key_is_refused() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, _) = verifier(&server);
    let k = &*KEYS;
    let public_jwk = serde_json::to_vec(&k.rsa.jwk).unwrap();
    let secrets: [&[u8]; 3] = [&k.rsa_public_der, k.rsa_public_pem.as_bytes(), &public_jwk];
    for secret in secrets {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("rsa-1".into());
        let token = encode(&header, &claims(), &EncodingKey::from_secret(secret)).unwrap();
        let error = refused(&verifier, &token).await;
        assert!(error.contains("HS256 is not allowed"), "{error}");
    }
    assert_eq!(verifier.signature_checks(), 0);
    // Nor can a JWKS provider be configured to allow HS256.
    let mut confused = provider(&server.url);
    confused.algorithms = vec![Algorithm::RS256, Algorithm::HS256];
    let settings = JwtSettings {
        providers: vec![confused],
        ..JwtSettings::default()
    };
    let error = JwtVerifier::new(settings, client()).err().unwrap();
    assert!(matches!(error, JwtSetupError::Provider { .. }), "{error}");
}

#[tokio::test]
async fn a_jwks_key_is_used_only_with_its_own_alg() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, _) = verifier(&server);
    let k = &*KEYS;
    let rs256 = sign(&k.rsa_rs256_only, Algorithm::RS256, &claims());
    verifier.verify(&rs256).await.unwrap();
    let ps256 = sign(&k.rsa_rs256_only, Algorithm::PS256, &claims());
    assert!(refused(&verifier, &ps256).await.contains("no key"));
    // The P-256 key is ES256 only, whatever the token says.
    let mut header = Header::new(Algorithm::ES384);
    header.kid = Some("ec-256".into());
    let es384 = encode(&header, &claims(), &k.p384.encoding).unwrap();
    assert!(refused(&verifier, &es384).await.contains("no key"));
}

#[tokio::test]
async fn an_unknown_kid_costs_one_refresh_then_a_refusal_and_another_within_10s_costs_none() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, clock) = verifier(&server);
    verifier
        .verify(&sign(&KEYS.rsa, Algorithm::RS256, &claims()))
        .await
        .unwrap();
    assert_eq!(server.fetches(), 1);
    clock.advance(Duration::from_secs(11));
    let unknown = |kid: &str| {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_string());
        encode(&header, &claims(), &KEYS.rsa.encoding).unwrap()
    };
    assert!(refused(&verifier, &unknown("ghost-1"))
        .await
        .contains("no key"));
    assert_eq!(server.fetches(), 2, "exactly one refresh");
    clock.advance(Duration::from_secs(9));
    assert!(refused(&verifier, &unknown("ghost-2"))
        .await
        .contains("no key"));
    assert!(refused(&verifier, &unknown("ghost-1"))
        .await
        .contains("no key"));
    assert_eq!(server.fetches(), 2, "no fetch within 10 s of the last");
    clock.advance(Duration::from_secs(2));
    assert!(refused(&verifier, &unknown("ghost-3"))
        .await
        .contains("no key"));
    assert_eq!(server.fetches(), 3, "allowed again after 10 s");
}

#[tokio::test]
async fn concurrent_misses_share_one_fetch() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, _) = verifier(&server);
    let tokens: Vec<String> = (0..20)
        .map(|i| {
            let claims = with(claims(), json!({ "jti": format!("t-{i}") }));
            sign(&KEYS.p256, Algorithm::ES256, &claims)
        })
        .collect();
    let results = futures::future::join_all(tokens.iter().map(|t| verifier.verify(t))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(server.fetches(), 1);
}

#[tokio::test]
async fn a_key_rotated_into_the_jwks_is_accepted_after_the_refresh() {
    let server = JwksServer::start(jwks(&[&KEYS.rsa])).await;
    let (verifier, clock) = verifier(&server);
    let old = sign(&KEYS.rsa, Algorithm::RS256, &claims());
    verifier.verify(&old).await.unwrap();
    server.publish(jwks(&[&KEYS.rsa_next]));
    clock.advance(Duration::from_secs(11));
    let new = sign(&KEYS.rsa_next, Algorithm::RS256, &claims());
    assert_eq!(verifier.verify(&new).await, Ok(expected_caller()));
    assert_eq!(server.fetches(), 2);
    // The old key left the JWKS: its token, though cached, is refused.
    assert!(refused(&verifier, &old).await.contains("no key"));
    assert_eq!(server.fetches(), 2);
}

#[tokio::test]
async fn cached_keys_still_verify_while_the_jwks_server_fails_or_is_down() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, clock) = verifier(&server);
    let token = |jti: &str| {
        sign(
            &KEYS.rsa,
            Algorithm::RS512,
            &with(claims(), json!({ "jti": jti })),
        )
    };
    verifier.verify(&token("a")).await.unwrap();
    server.set_mode(Mode::Fail);
    clock.advance(Duration::from_secs(11 * 60));
    // Due for a refresh: it runs in the background and fails.
    verifier.verify(&token("b")).await.unwrap();
    clock.advance(Duration::from_secs(11));
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("ghost".into());
    let ghost = encode(&header, &claims(), &KEYS.rsa.encoding).unwrap();
    assert!(refused(&verifier, &ghost).await.contains("no key"));
    assert!(server.fetches() >= 2, "the failing server was asked");
    verifier.verify(&token("c")).await.unwrap();
    server.stop().await;
    clock.advance(Duration::from_secs(11 * 60));
    verifier.verify(&token("d")).await.unwrap();
    clock.advance(Duration::from_secs(11));
    assert!(refused(&verifier, &ghost).await.contains("no key"));
    verifier.verify(&token("e")).await.unwrap();
}

#[tokio::test]
async fn a_hanging_jwks_server_holds_up_no_token_whose_key_is_cached() {
    let server = JwksServer::start(all_keys()).await;
    let (verifier, clock) = verifier(&server);
    let token = |jti: &str| {
        sign(
            &KEYS.p384,
            Algorithm::ES384,
            &with(claims(), json!({ "jti": jti })),
        )
    };
    verifier.verify(&token("a")).await.unwrap();
    server.set_mode(Mode::Hang);
    clock.advance(Duration::from_secs(11 * 60));
    for jti in ["b", "c", "d"] {
        let token = token(jti);
        let verified = tokio::time::timeout(Duration::from_secs(2), verifier.verify(&token));
        assert!(verified.await.expect("not held up").is_ok());
    }
}

#[tokio::test(start_paused = true)]
async fn a_jwks_fetch_that_never_answers_times_out_and_the_token_is_refused() {
    let server = JwksServer::start(all_keys()).await;
    server.set_mode(Mode::Hang);
    let (verifier, _) = verifier(&server);
    let started = tokio::time::Instant::now();
    let token = sign(&KEYS.rsa, Algorithm::RS256, &claims());
    assert!(refused(&verifier, &token).await.contains("no key"));
    // The paused clock moved to the fetch timeout (5 s), not past it.
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(6),
        "{waited:?}"
    );
}

#[tokio::test]
async fn oversized_and_unusable_jwks_bring_no_keys() {
    let server = JwksServer::start(all_keys()).await;
    server.set_mode(Mode::Oversized);
    let (verifier, clock) = verifier(&server);
    let token = sign(&KEYS.rsa, Algorithm::RS256, &claims());
    assert!(refused(&verifier, &token).await.contains("no key"));
    server.set_mode(Mode::Serve);
    server.publish(json!({ "keys": [{ "kty": "oct", "kid": "rsa-1", "k": "c2VjcmV0" }] }));
    clock.advance(Duration::from_secs(11));
    assert!(refused(&verifier, &token).await.contains("no key"));
    server.publish(all_keys());
    clock.advance(Duration::from_secs(11));
    verifier.verify(&token).await.unwrap();
    assert_eq!(server.fetches(), 3);
}
