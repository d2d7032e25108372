//! Junction's signing keys over HTTP (embedded store): RS256 tokens the
//! published JWKS verifies and `/graphql` accepts; a token whose header
//! names another algorithm than its key's is refused (HS256 keyed with
//! the public key, `none`, a foreign signature); a rotation through the
//! admin API keeps old tokens working while new ones carry the new kid,
//! both published, written to the audit log with the new kid; a replica
//! sharing the store accepts the new key's tokens at once; a changed
//! algorithm adds a key of the new one; a key from a file signs alone and
//! cannot be rotated through the API; published keys are bounded; a bad
//! key file or issuer setting stops `junction serve` with its key named.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use junction::config::{IssuerAlgorithm, IssuerConfig};
use junction::identity::issuer::TokenIssuer;
use junction::identity::signing_keys::{KeyAlgorithm, MAX_KEYS};
use junction::identity::users::NewUser;
use junction::identity::IssuerSettings;
use junction::store::Store;
use serde_json::{json, Value};

use crate::common::*;

const TOKEN: &str = "signing-keys-admin-token";
const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery";

struct Setup {
    server: TestServer,
    issuer: TokenIssuer,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

async fn setup(settings: IssuerSettings) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let store = embedded_store(dir.path()).await;
    let issuer = TokenIssuer::new(Arc::clone(&store), settings);
    let server = issuer_server(Arc::clone(&store), TOKEN, issuer.clone()).await;
    Setup {
        server,
        issuer,
        store,
        _dir: dir,
    }
}

fn rs256() -> IssuerSettings {
    IssuerSettings {
        algorithm: KeyAlgorithm::Rs256,
        ..IssuerSettings::default()
    }
}

/// Makes the test user; its id.
async fn user(issuer: &TokenIssuer) -> String {
    let new = NewUser {
        email: EMAIL.into(),
        password: PASSWORD.into(),
        roles: vec!["viewer".into()],
        ..NewUser::default()
    };
    issuer.users().create(new, "test").await.unwrap().id
}

/// The test user's access token from the password grant.
async fn login(server: &TestServer) -> String {
    let response = client()
        .post(server.url("/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("username", EMAIL),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let (status, _, body) = parts(response).await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_string()
}

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

async fn jwks(server: &TestServer) -> Vec<Value> {
    let response = get(&server.url("/.well-known/jwks.json"), None).await;
    let (status, _, body) = parts(response).await;
    assert_eq!(status, 200, "{body}");
    body["keys"].as_array().unwrap().clone()
}

fn kids(keys: &[Value]) -> Vec<String> {
    keys.iter()
        .map(|key| key["kid"].as_str().unwrap().to_string())
        .collect()
}

/// The status of `{ __typename }` on `/graphql` with `token`.
async fn status_with(server: &TestServer, token: &str) -> u16 {
    client()
        .post(server.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn admin(server: &TestServer, query: &str) -> Value {
    admin_request(&server.base_url, TOKEN, &json!({ "query": query })).await
}

const ROTATE: &str = "mutation { rotateSigningKey { kid published } }";
const LIST: &str = "{ signingKeys { kid algorithm createdAt signing retiresAt } }";

fn junction_validation(algorithm: Algorithm) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.set_audience(&["junction"]);
    validation.set_issuer(&["junction"]);
    validation
}

/// Valid claims of Junction's tokens for `sub`, with the admin role.
fn claims_for(sub: &str) -> Value {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    json!({ "iss": "junction", "aud": "junction", "sub": sub, "iat": now, "exp": now + 600, "jti": "forged", "roles": ["admin"] })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rs256_tokens_verify_against_the_published_jwks_and_are_accepted() {
    let setup = setup(rs256()).await;
    let ada = user(&setup.issuer).await;
    let token = login(&setup.server).await;
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);

    let keys = jwks(&setup.server).await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    let jwk = &keys[0];
    assert_eq!(
        (&jwk["kty"], &jwk["alg"], &jwk["use"]),
        (&json!("RSA"), &json!("RS256"), &json!("sig"))
    );
    assert_eq!(jwk["kid"].as_str(), header.kid.as_deref());
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(jwk.get(private).is_none(), "the JWKS holds {private}");
    }
    let key =
        DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
            .unwrap();
    let claims =
        jsonwebtoken::decode::<Value>(&token, &key, &junction_validation(Algorithm::RS256))
            .unwrap()
            .claims;
    assert_eq!(claims["sub"], ada);
    assert_eq!(claims["roles"], json!(["viewer"]));
    let modulus = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
    assert_eq!(modulus.len() * 8, 2048);

    assert_eq!(status_with(&setup.server, &token).await, 200);
    let mut tampered = token.clone();
    tampered.truncate(token.len() - 4);
    tampered.push_str("AAAA");
    assert_eq!(status_with(&setup.server, &tampered).await, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_whose_alg_is_not_its_keys_is_refused() {
    use rsa::pkcs1::EncodeRsaPublicKey as _;
    let setup = setup(rs256()).await;
    let ada = user(&setup.issuer).await;
    let genuine = login(&setup.server).await;
    let kid = kid_of(&genuine);
    let jwk = jwks(&setup.server).await[0].clone();
    let (n, e) = (jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap());
    let public = rsa::RsaPublicKey::new(
        rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(n).unwrap()),
        rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(e).unwrap()),
    )
    .unwrap();
    let der = public.to_pkcs1_der().unwrap();
    let pem = public.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    let claims = claims_for(&ada);

    // HS256 keyed with what is public of the RSA key: the classic confusion.
    let secrets: [&[u8]; 3] = [der.as_bytes(), pem.as_bytes(), n.as_bytes()];
    for secret in secrets {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(kid.clone());
        let forged =
            jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret)).unwrap();
        assert_eq!(status_with(&setup.server, &forged).await, 401);
    }
    // Unsigned.
    let unsigned = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({ "alg": "none", "kid": kid }).to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    assert_eq!(status_with(&setup.server, &unsigned).await, 401);
    // EdDSA by a key of the attacker's, naming Junction's kid.
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.clone());
    let attacker = ed25519_dalek::SigningKey::from_bytes(&[1; 32]);
    let der = {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        attacker.to_pkcs8_der().unwrap()
    };
    let forged =
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(der.as_bytes())).unwrap();
    assert_eq!(status_with(&setup.server, &forged).await, 401);

    assert_eq!(status_with(&setup.server, &genuine).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_keeps_old_tokens_working_while_new_ones_carry_the_new_kid() {
    let setup = setup(IssuerSettings::default()).await;
    user(&setup.issuer).await;
    let old = login(&setup.server).await;
    let old_kid = kid_of(&old);

    let rotated = admin(&setup.server, ROTATE).await;
    assert!(rotated["errors"].is_null(), "{rotated}");
    let new_kid = rotated["data"]["rotateSigningKey"]["kid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(new_kid, old_kid);
    assert_eq!(
        rotated["data"]["rotateSigningKey"]["published"],
        json!([old_kid, new_kid])
    );

    let new = login(&setup.server).await;
    assert_eq!(kid_of(&new), new_kid);
    assert_eq!(
        jsonwebtoken::decode_header(&new).unwrap().alg,
        Algorithm::EdDSA
    );
    assert_eq!(status_with(&setup.server, &old).await, 200);
    assert_eq!(status_with(&setup.server, &new).await, 200);
    assert_eq!(
        kids(&jwks(&setup.server).await),
        [old_kid.clone(), new_kid.clone()]
    );

    // The old key retires when its last token (15 min, 30 s of leeway)
    // has expired, plus the 10 s other replicas may sign with it still.
    let listed = admin(&setup.server, LIST).await;
    let keys = listed["data"]["signingKeys"].as_array().unwrap();
    assert_eq!(keys.len(), 2, "{listed}");
    assert_eq!(
        (&keys[0]["kid"], &keys[0]["signing"]),
        (&json!(old_kid), &json!(false))
    );
    assert_eq!(
        (&keys[1]["kid"], &keys[1]["signing"]),
        (&json!(new_kid), &json!(true))
    );
    assert_eq!(keys[1]["retiresAt"], Value::Null);
    assert_eq!(keys[0]["algorithm"], "EdDSA");
    let retires = keys[0]["retiresAt"].as_f64().unwrap();
    let created = keys[1]["createdAt"].as_f64().unwrap();
    assert_eq!(retires - created, (15.0 * 60.0 + 30.0 + 10.0) * 1000.0);

    let audit = admin(
        &setup.server,
        "{ auditLog(action: \"rotateSigningKey\") { entries { actor target outcome } } }",
    )
    .await;
    assert_eq!(
        audit["data"]["auditLog"]["entries"],
        json!([{ "actor": "admin token", "target": new_kid, "outcome": "SUCCESS" }])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_rotated_on_one_replica_is_accepted_at_once_by_another() {
    let dir = tempfile::tempdir().unwrap();
    let store = embedded_store(dir.path()).await;
    let first = TokenIssuer::new(Arc::clone(&store), IssuerSettings::default());
    let second = TokenIssuer::new(Arc::clone(&store), IssuerSettings::default());
    let replica_a = issuer_server(Arc::clone(&store), TOKEN, first.clone()).await;
    let replica_b = issuer_server(Arc::clone(&store), TOKEN, second).await;
    user(&first).await;
    let before = login(&replica_a).await;
    // B has read the keys now, and keeps them for 10 s.
    assert_eq!(status_with(&replica_b, &before).await, 200);

    let rotated = admin(&replica_a, ROTATE).await;
    let new_kid = rotated["data"]["rotateSigningKey"]["kid"].as_str().unwrap();
    let after = login(&replica_a).await;
    assert_eq!(kid_of(&after), new_kid);
    assert_eq!(
        status_with(&replica_b, &after).await,
        200,
        "B re-reads on an unknown kid"
    );
    assert_eq!(status_with(&replica_b, &before).await, 200);
    assert_eq!(jwks(&replica_b).await.len(), 2);
    // A kid no replica knows is refused (and re-reads the keys at most once a second).
    let mut header = jsonwebtoken::Header::new(Algorithm::EdDSA);
    header.kid = Some("junction-unknown".into());
    let unknown = format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).unwrap()),
        URL_SAFE_NO_PAD.encode(claims_for("u").to_string())
    );
    assert_eq!(status_with(&replica_b, &unknown).await, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_algorithm_adds_a_key_of_it_and_keeps_the_old_one_published() {
    let dir = tempfile::tempdir().unwrap();
    let store = embedded_store(dir.path()).await;
    let eddsa = TokenIssuer::new(Arc::clone(&store), IssuerSettings::default());
    let before = issuer_server(Arc::clone(&store), TOKEN, eddsa.clone()).await;
    user(&eddsa).await;
    let old = login(&before).await;
    drop(before);

    // The same store, restarted with RS256.
    let rsa = TokenIssuer::new(Arc::clone(&store), rs256());
    let after = issuer_server(Arc::clone(&store), TOKEN, rsa).await;
    let new = login(&after).await;
    assert_eq!(
        jsonwebtoken::decode_header(&new).unwrap().alg,
        Algorithm::RS256
    );
    assert_ne!(kid_of(&new), kid_of(&old));
    assert_eq!(status_with(&after, &old).await, 200);
    assert_eq!(status_with(&after, &new).await, 200);
    let keys = jwks(&after).await;
    assert_eq!(kids(&keys), [kid_of(&old), kid_of(&new)]);
    assert_eq!(
        (&keys[0]["kty"], &keys[1]["kty"]),
        (&json!("OKP"), &json!("RSA"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_from_a_file_signs_alone_and_the_api_refuses_to_rotate_it() {
    use rsa::pkcs1::EncodeRsaPrivateKey as _;
    use rsa::traits::PublicKeyParts as _;
    let dir = tempfile::tempdir().unwrap();
    let private = tokio::task::spawn_blocking(|| {
        rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap()
    })
    .await
    .unwrap();
    let path = dir.path().join("signing.pem");
    let pem = private.to_pkcs1_pem(rsa::pkcs8::LineEnding::LF).unwrap();
    std::fs::write(&path, pem.as_bytes()).unwrap();
    let config = IssuerConfig {
        algorithm: IssuerAlgorithm::Rs256,
        signing_key_file: Some(path),
        ..IssuerConfig::default()
    };
    let setup = setup(IssuerSettings::try_from(&config).unwrap()).await;
    user(&setup.issuer).await;

    let token = login(&setup.server).await;
    let keys = jwks(&setup.server).await;
    assert_eq!(kids(&keys), [kid_of(&token)]);
    assert_eq!(
        keys[0]["n"],
        URL_SAFE_NO_PAD.encode(private.n().to_bytes_be())
    );
    let key = DecodingKey::from_rsa_components(
        keys[0]["n"].as_str().unwrap(),
        keys[0]["e"].as_str().unwrap(),
    )
    .unwrap();
    jsonwebtoken::decode::<Value>(&token, &key, &junction_validation(Algorithm::RS256)).unwrap();
    assert_eq!(status_with(&setup.server, &token).await, 200);

    let refused = admin(&setup.server, ROTATE).await;
    assert_eq!(
        first_error_code(&refused),
        "SIGNING_KEY_FROM_CONFIG",
        "{refused}"
    );
    assert!(refused["data"].is_null(), "{refused}");
    let listed = admin(&setup.server, LIST).await;
    assert_eq!(
        listed["data"]["signingKeys"],
        json!([{ "kid": kid_of(&token), "algorithm": "RS256", "createdAt": null, "signing": true, "retiresAt": null }])
    );
    assert!(
        setup
            .store
            .get("identity:signing-keys")
            .await
            .unwrap()
            .is_none(),
        "no key was made in the store"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotations_past_the_bound_of_published_keys_are_refused() {
    let setup = setup(IssuerSettings::default()).await;
    let listed = admin(&setup.server, LIST).await;
    assert_eq!(listed["data"]["signingKeys"].as_array().unwrap().len(), 1);
    for _ in 1..MAX_KEYS {
        let rotated = admin(&setup.server, ROTATE).await;
        assert!(rotated["errors"].is_null(), "{rotated}");
    }
    let refused = admin(&setup.server, ROTATE).await;
    assert_eq!(
        first_error_code(&refused),
        "TOO_MANY_SIGNING_KEYS",
        "{refused}"
    );
    let listed = admin(&setup.server, LIST).await;
    assert_eq!(
        listed["data"]["signingKeys"].as_array().unwrap().len(),
        MAX_KEYS
    );
}

#[tokio::test]
async fn serve_refuses_a_bad_signing_key_file_and_bad_issuer_settings_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("signing.pem"), "not a key").unwrap();
    let config = dir.path().join("junction.yaml");
    let data = dir.path().join("data");
    let yaml = format!(
        "registry: true\ndata_dir: {}\nauth:\n  issuer:\n    algorithm: RS256\n    signing_key_file: signing.pem\n",
        data.display()
    );
    std::fs::write(&config, yaml).unwrap();
    let args = [
        "serve",
        "--config",
        config.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ];
    let (code, _, stderr) = run(&args).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("auth.issuer.signing_key_file"), "{stderr}");
    assert!(
        stderr.contains("signing.pem") && stderr.contains("RS256"),
        "{stderr}"
    );

    std::fs::write(&config, "auth:\n  issuer:\n    access_token_ttl: 10s\n").unwrap();
    let (code, _, stderr) = run(&args).await;
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("`auth.issuer.access_token_ttl` must be from 1m to 24h"),
        "{stderr}"
    );
}
