//! Rate limits end to end: a fixture subgraph behind Junction, callers
//! anonymous (by address), with real JWTs (their tier in a claim) and with
//! API keys (their tier in the key's record); limits kept in process, and
//! shared by two gateways through a real Redis. Refusals are 429 with
//! `Retry-After`, the IETF and `X-RateLimit-*` headers and a
//! `RATE_LIMITED` error, and reach no subgraph.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::Algorithm;
use junction::audit::{AuditFilter, AuditLog, DEFAULT_MAX_ENTRIES};
use junction::http::{self, HttpSettings};
use junction::identity::api_keys::{ApiKeys, NewApiKey};
use junction::identity::jwt::{JwtSettings, JwtVerifier};
use junction::pipeline::{Gateway, GatewaySettings};
use junction::ratelimit::{RateLimitSettings, RateLimiter, Tier};
use junction::store::Store;
use serde_json::{json, Value};

use crate::auth_jwt::{claims, jwks, provider, sign, with, JwksServer, KEYS};
use crate::common::fixture_subgraph::{FixtureServer, Subgraph};
use crate::common::redis_server::RedisServer;
use crate::common::{client, embedded_store, TestServer};

const TYPES: &str = r#"
type Query @join__type(graph: HELLO) {
  hello: String @join__field(graph: HELLO)
}
"#;

fn tier(requests: Option<&str>) -> Tier {
    Tier {
        requests: requests.map(|r| r.parse().unwrap()),
        cost: None,
    }
}

/// Tiers `anonymous`, `free`, `pro`, `unlimited`, as given, free by default.
fn settings(anonymous: &str, free: &str, pro: &str) -> RateLimitSettings {
    RateLimitSettings {
        tiers: BTreeMap::from([
            ("anonymous".to_string(), tier(Some(anonymous))),
            ("free".to_string(), tier(Some(free))),
            ("pro".to_string(), tier(Some(pro))),
            ("unlimited".to_string(), tier(None)),
        ]),
        default_tier: Some("free".into()),
        anonymous_tier: Some("anonymous".into()),
        store_timeout: Duration::from_millis(500),
        ..RateLimitSettings::default()
    }
}

struct Setup {
    servers: Vec<TestServer>,
    fixture: FixtureServer,
    keys: ApiKeys,
    _jwks: JwksServer,
}

/// `replicas` gateways over one fixture subgraph, limited by `settings`,
/// sharing `store` (API keys, and the limits when it is Redis).
async fn setup(settings: RateLimitSettings, store: Arc<dyn Store>, replicas: usize) -> Setup {
    setup_audited(settings, store, replicas, None).await
}

/// [`setup`], refusals recorded in `audit` when given.
async fn setup_audited(
    settings: RateLimitSettings,
    store: Arc<dyn Store>,
    replicas: usize,
    audit: Option<AuditLog>,
) -> Setup {
    let jwks_server = JwksServer::start(jwks(&[&KEYS.rsa])).await;
    let hello = Subgraph::new("hello").root("Query.hello", |_| json!("hi"));
    let fixture = FixtureServer::start(TYPES, vec![hello]).await;
    let mut servers = Vec::new();
    for _ in 0..replicas {
        let jwt = JwtSettings {
            providers: vec![provider(&jwks_server.url)],
            ..JwtSettings::default()
        };
        let verifier = Arc::new(JwtVerifier::new(jwt, reqwest::Client::new()).unwrap());
        let limiter = RateLimiter::new(settings.clone(), Some(Arc::clone(&store)));
        let gateway = Gateway::new(GatewaySettings::default())
            .with_token_verifier(verifier)
            .with_api_key_verifier(Arc::new(ApiKeys::new(Arc::clone(&store))))
            .with_rate_limiter(Arc::new(limiter));
        let gateway = match &audit {
            Some(log) => gateway.with_audit(log.clone()),
            None => gateway,
        };
        let gateway = Arc::new(gateway);
        gateway.load_supergraph(fixture.supergraph()).unwrap();
        let router = http::router(Arc::clone(&gateway), &HttpSettings::default());
        servers.push(TestServer::serve(gateway, router, Duration::from_secs(5)).await);
    }
    Setup {
        servers,
        fixture,
        keys: ApiKeys::new(store),
        _jwks: jwks_server,
    }
}

/// A credential header for `ask`.
enum As {
    Anonymous,
    /// A JWT for user `sub`, with a tier claim when given.
    User(&'static str, Option<&'static str>),
    ApiKey(String),
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }
}

async fn ask(server: &TestServer, who: &As) -> Answer {
    let mut request = client()
        .post(server.url("/graphql"))
        .json(&json!({ "query": "{ hello }" }));
    match who {
        As::Anonymous => {}
        As::User(sub, tier) => {
            let mut extra = json!({ "sub": sub });
            if let Some(tier) = tier {
                extra["https://junction.test/tier"] = json!(tier);
            }
            let claims = with(claims(), extra);
            request = request.bearer_auth(sign(&KEYS.rsa, Algorithm::RS256, &claims));
        }
        As::ApiKey(key) => request = request.header("x-api-key", key),
    }
    let response = request.send().await.unwrap();
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.json().await.unwrap(),
    }
}

/// How many of `count` requests by `who` (spread over the servers in
/// turn) are served.
async fn served(setup: &Setup, who: &As, count: usize) -> usize {
    let mut served = 0;
    for i in 0..count {
        let server = &setup.servers[i % setup.servers.len()];
        served += usize::from(ask(server, who).await.status == 200);
    }
    served
}

async fn local_setup(settings: RateLimitSettings) -> (Setup, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = embedded_store(dir.path()).await;
    (setup(settings, store, 1).await, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_request_is_429_with_headers_and_reaches_no_subgraph() {
    let (setup, _dir) = local_setup(settings("3/1m", "10/1m", "10/1m")).await;
    let server = &setup.servers[0];
    for remaining in [2, 1, 0] {
        let answer = ask(server, &As::Anonymous).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert_eq!(answer.body, json!({ "data": { "hello": "hi" } }));
        assert_eq!(answer.header("ratelimit-policy"), "\"requests\";q=3;w=60");
        let reset = 20 * (3 - remaining);
        assert_eq!(
            answer.header("ratelimit"),
            format!("\"requests\";r={remaining};t={reset}")
        );
        assert_eq!(answer.header("x-ratelimit-limit"), "3");
        assert_eq!(
            answer.header("x-ratelimit-remaining"),
            remaining.to_string()
        );
        assert_eq!(answer.header("x-ratelimit-reset"), reset.to_string());
    }
    let refused = ask(server, &As::Anonymous).await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.header("retry-after"), "20");
    assert_eq!(refused.header("ratelimit"), "\"requests\";r=0;t=60");
    assert_eq!(
        refused.body,
        json!({ "errors": [{
            "message": "Too many requests: the requests limit is reached; retry in 20 s.",
            "extensions": { "code": "RATE_LIMITED", "limit": "requests", "retryAfter": 20 },
        }] })
    );
    assert_eq!(
        setup.fixture.requests("hello").len(),
        3,
        "the refused one was sent"
    );
    let limiter = server.gateway.rate_limiter().unwrap();
    assert_eq!(limiter.refused(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honest() {
    let (setup, _dir) = local_setup(settings("2/2s", "10/1m", "10/1m")).await;
    let server = &setup.servers[0];
    assert_eq!(served(&setup, &As::Anonymous, 2).await, 2);
    let refused = ask(server, &As::Anonymous).await;
    assert_eq!(refused.status, 429);
    let wait: u64 = refused.header("retry-after").parse().unwrap();
    assert_eq!(wait, 1);
    assert_eq!(ask(server, &As::Anonymous).await.status, 429, "too early");
    // What is under test is the wait the server asked for.
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(ask(server, &As::Anonymous).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiers_come_from_the_token_claim_and_from_the_api_key() {
    let (setup, _dir) = local_setup(settings("1/1m", "2/1m", "5/1m")).await;
    assert_eq!(served(&setup, &As::User("u-free", None), 8).await, 2);
    assert_eq!(served(&setup, &As::User("u-pro", Some("pro")), 8).await, 5);
    assert_eq!(
        served(&setup, &As::User("u-odd", Some("platinum")), 8).await,
        2,
        "an unknown tier is the default one"
    );
    let key = |tier: Option<&str>| NewApiKey {
        name: "k".into(),
        org: None,
        roles: Vec::new(),
        scopes: Vec::new(),
        tier: tier.map(str::to_string),
        expires_at_ms: None,
    };
    let pro = setup.keys.create(key(Some("pro")), "test").await.unwrap();
    let unlimited = setup
        .keys
        .create(key(Some("unlimited")), "test")
        .await
        .unwrap();
    assert_eq!(served(&setup, &As::ApiKey(pro.key), 8).await, 5);
    let no_limit = As::ApiKey(unlimited.key);
    assert_eq!(served(&setup, &no_limit, 8).await, 8);
    let answer = ask(&setup.servers[0], &no_limit).await;
    assert_eq!(answer.header("ratelimit-policy"), "", "nothing limits it");
    // Users are counted apart from each other and from addresses.
    assert_eq!(served(&setup, &As::Anonymous, 3).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_enforce_one_limit_through_redis() {
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let store = redis.store("ratelimit-test:").await;
    let setup = setup(settings("1/1m", "100/1m", "100/1m"), store, 2).await;
    let ada = As::User("u-ada", None);
    let sent = 200;
    let accepted = served(&setup, &ada, sent).await;
    // 100 at once, and one more every 0.6 s while the requests are sent.
    assert!(
        (100..=105).contains(&accepted),
        "{accepted} of {sent} accepted by two replicas sharing a limit of 100/1m"
    );
    let answers = [
        ask(&setup.servers[0], &ada).await,
        ask(&setup.servers[1], &ada).await,
    ];
    for answer in &answers {
        assert_eq!(answer.status, 429, "{}", answer.body);
        assert!(!answer.header("retry-after").is_empty());
    }
}

/// The statuses of `count` requests by `who`, spread over the servers.
async fn statuses(setup: &Setup, who: &As, count: usize) -> Vec<u16> {
    let mut all = Vec::new();
    for i in 0..count {
        let server = &setup.servers[i % setup.servers.len()];
        all.push(ask(server, who).await.status);
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_go_on_in_each_replica_while_redis_is_down_and_are_shared_again_after() {
    let mut redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let store = redis.store("ratelimit-outage:").await;
    let setup = setup(settings("1/1m", "10/1m", "10/1m"), store, 2).await;
    let served = |all: &[u16]| all.iter().filter(|s| **s == 200).count();
    let shared = statuses(&setup, &As::User("u-before", None), 20).await;
    assert_eq!(served(&shared), 10, "shared: {shared:?}");

    let mut redis = tokio::task::spawn_blocking(move || {
        redis.stop();
        redis
    })
    .await
    .unwrap();
    let during = statuses(&setup, &As::User("u-during", None), 20).await;
    assert!(
        during.iter().all(|s| *s == 200 || *s == 429),
        "the limiter failed requests: {during:?}"
    );
    assert_eq!(
        served(&during),
        20,
        "each replica limits on its own: {during:?}"
    );
    let more = statuses(&setup, &As::User("u-during", None), 4).await;
    assert_eq!(served(&more), 0, "and still limits: {more:?}");

    let _redis = tokio::task::spawn_blocking(move || {
        redis.restart();
        redis
    })
    .await
    .unwrap();
    // Shared again once the store reconnects: a new caller gets 10 from
    // both replicas together, not 10 from each.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut round = 0;
    loop {
        round += 1;
        let who = As::User(Box::leak(format!("u-after-{round}").into_boxed_str()), None);
        let after = statuses(&setup, &who, 20).await;
        if served(&after) == 10 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not shared again 10 s after Redis came back: {after:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_sampled_into_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let store = embedded_store(dir.path()).await;
    let log = AuditLog::new(Arc::clone(&store), DEFAULT_MAX_ENTRIES);
    let limits = settings("1/1m", "1/1m", "1/1m");
    let setup = setup_audited(limits, store, 1, Some(log.clone())).await;
    assert_eq!(served(&setup, &As::User("u-busy", None), 6).await, 1);
    assert_eq!(served(&setup, &As::Anonymous, 3).await, 1);
    let filter = AuditFilter {
        action: Some("ratelimit.refused".into()),
        ..AuditFilter::default()
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    let entries = loop {
        let (entries, _) = log.read(&filter, None, 100).await.unwrap();
        if entries.len() >= 2 || tokio::time::Instant::now() > deadline {
            break entries;
        }
        tokio::task::yield_now().await;
    };
    // Five refusals of the user and two of the address: one entry each.
    let listed: Vec<_> = entries
        .iter()
        .map(|e| {
            (
                e.actor.as_str(),
                e.target.as_deref(),
                e.client_ip.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("anonymous", Some("requests"), Some("127.0.0.1")),
            ("user:u-busy", Some("requests"), Some("127.0.0.1")),
        ]
    );
}

/// The `RateLimit-Policy` header `{ __typename }` gets from `base`.
async fn policy_header(base: &str) -> String {
    let response = client()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    response
        .headers()
        .get("ratelimit-policy")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Waits up to a second for `base`'s policy header to be `expected`.
async fn policy_within_a_second(base: &str, expected: &str) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    loop {
        let seen = policy_header(base).await;
        if seen == expected || tokio::time::Instant::now() >= deadline {
            return seen;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_override_set_on_one_replica_applies_on_the_other_within_a_second() {
    use crate::common::{admin_request, JunctionProcess};
    const TOKEN: &str = "rate-limits-test-admin-token";
    let redis = tokio::task::spawn_blocking(RedisServer::start)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("junction.yaml");
    let yaml = "rate_limits:\n  tiers:\n    anonymous: { requests: 100/1m }\n    pro: { requests: 1000/1m }\n  anonymous_tier: anonymous\n";
    std::fs::write(&config, yaml).unwrap();
    let url = redis.url();
    let args = [
        "serve",
        "--config",
        config.to_str().unwrap(),
        "--supergraph",
        "schema/supergraph.graphql",
        "--listen",
        "127.0.0.1:0",
        "--redis",
        url.as_str(),
    ];
    let env = [("JUNCTION_ADMIN_TOKEN", TOKEN)];
    let mut one = JunctionProcess::spawn_with_env(&args, &env);
    let mut two = JunctionProcess::spawn_with_env(&args, &env);
    let (first, second) = (one.base_url().await, two.base_url().await);
    assert_eq!(policy_header(&second).await, "\"requests\";q=100;w=60");

    let set = json!({ "query": "mutation { setRateLimitOverride(caller: \"ip:127.0.0.1\", input: { requests: \"2/1m\" }) { caller requests } }" });
    let answer = admin_request(&first, TOKEN, &set).await;
    assert_eq!(
        answer["data"]["setRateLimitOverride"],
        json!({ "caller": "ip:127.0.0.1", "requests": "2/1m" }),
        "{answer}"
    );
    let seen = policy_within_a_second(&second, "\"requests\";q=2;w=60").await;
    assert_eq!(
        seen, "\"requests\";q=2;w=60",
        "the other replica within 1 s"
    );

    let usage = json!({ "query": "{ rateLimitUsage(caller: \"ip:127.0.0.1\") { tier overridden limits { name limit windowSeconds remaining } } rateLimitTiers { name requests cost } }" });
    let answer = admin_request(&first, TOKEN, &usage).await;
    let data = &answer["data"];
    assert_eq!(data["rateLimitUsage"]["tier"], "anonymous", "{answer}");
    assert_eq!(data["rateLimitUsage"]["overridden"], true);
    let limits = &data["rateLimitUsage"]["limits"][0];
    assert_eq!(
        (limits["name"].as_str(), limits["limit"].as_u64()),
        (Some("requests"), Some(2))
    );
    assert_eq!(
        limits["remaining"], 0,
        "two asked since: shared through Redis"
    );
    assert_eq!(
        data["rateLimitTiers"],
        json!([
            { "name": "anonymous", "requests": "100/1m", "cost": null },
            { "name": "pro", "requests": "1000/1m", "cost": null },
        ])
    );

    let clear = json!({ "query": "mutation { clearRateLimitOverride(caller: \"ip:127.0.0.1\") }" });
    let answer = admin_request(&first, TOKEN, &clear).await;
    assert_eq!(answer["data"]["clearRateLimitOverride"], true, "{answer}");
    let seen = policy_within_a_second(&second, "\"requests\";q=100;w=60").await;
    assert_eq!(seen, "\"requests\";q=100;w=60");

    // The command line: straight in the store, then through the admin API.
    let config_path = config.to_str().unwrap();
    let (code, stdout, stderr) = crate::common::run(&[
        "limits",
        "set",
        "--caller",
        "ip:127.0.0.1",
        "--requests",
        "5/1m",
        "--redis",
        &url,
        "--config",
        config_path,
    ])
    .await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    let seen = policy_within_a_second(&second, "\"requests\";q=5;w=60").await;
    assert_eq!(seen, "\"requests\";q=5;w=60");
    let (code, stdout, stderr) = crate::common::run(&[
        "limits",
        "show",
        "--caller",
        "ip:127.0.0.1",
        "--admin",
        &first,
        "--token",
        TOKEN,
    ])
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("ip:127.0.0.1: tier anonymous (overridden)"),
        "{stdout}"
    );
    assert!(stdout.contains(" of 5 left per 60 s"), "{stdout}");

    let bad = json!({ "query": "mutation { setRateLimitOverride(caller: \"bob\", input: { tier: \"pro\" }) { caller } }" });
    let answer = admin_request(&first, TOKEN, &bad).await;
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer}"
    );
    one.terminate().await;
    two.terminate().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_environment_alone_turns_on_the_anonymous_limit() {
    use crate::common::JunctionProcess;
    let args = [
        "serve",
        "--supergraph",
        "schema/supergraph.graphql",
        "--listen",
        "127.0.0.1:0",
    ];
    let env = [("JUNCTION_RATELIMIT_ANONYMOUS", "3/10s")];
    let mut server = JunctionProcess::spawn_with_env(&args, &env);
    let base = server.base_url().await;
    assert_eq!(policy_header(&base).await, "\"requests\";q=3;w=10");
    let mut statuses = Vec::new();
    for _ in 0..3 {
        let response = client()
            .post(format!("{base}/graphql"))
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [200, 200, 429]);
    server.terminate().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_entry_of_a_batch_is_counted_and_the_batch_carries_the_headers() {
    let hello = Subgraph::new("hello").root("Query.hello", |_| json!("hi"));
    let fixture = FixtureServer::start(TYPES, vec![hello]).await;
    let limiter = RateLimiter::new(settings("2/1m", "10/1m", "10/1m"), None);
    let gateway = Gateway::new(GatewaySettings::default()).with_rate_limiter(Arc::new(limiter));
    let gateway = Arc::new(gateway);
    gateway.load_supergraph(fixture.supergraph()).unwrap();
    let settings = HttpSettings {
        max_batch: Some(10),
        ..HttpSettings::default()
    };
    let router = http::router(Arc::clone(&gateway), &settings);
    let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
    // Three different operations, so that no subgraph request is shared.
    let batch =
        json!([{ "query": "{ hello }" }, { "query": "{ a: hello }" }, { "query": "{ b: hello }" }]);
    let response = client()
        .post(server.url("/graphql"))
        .json(&batch)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let policy = response.headers()["ratelimit-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(policy, "\"requests\";q=2;w=60");
    let answers: Value = response.json().await.unwrap();
    let codes: Vec<Value> = answers
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["errors"][0]["extensions"]["code"].clone())
        .collect();
    assert_eq!(
        codes
            .iter()
            .filter(|c| **c == json!("RATE_LIMITED"))
            .count(),
        1,
        "{answers}"
    );
    assert_eq!(fixture.requests("hello").len(), 2);
}
