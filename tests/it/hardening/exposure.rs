//! What reaches clients: in production, subgraph errors are masked (the
//! original is logged with the request id), transport errors name neither
//! a URL nor an OS error, validation errors suggest no field names, and
//! the gateway calls no address its egress rules refuse.

use std::io::Write;
use std::sync::{Mutex, OnceLock};

use junction::egress::AllowedHosts;
use junction::http::{HttpSettings, ServerSettings};
use junction::pipeline::GatewaySettings;
use serde_json::{json, Value};

use crate::common::fixture_subgraph::{refused_url, Federation, Subgraph};
use crate::common::{start_junction, DEMO_SUPERGRAPH};
use crate::hardening::support::{post_graphql, Served};

const ACCOUNTS: &str = r#"
type Query @join__type(graph: ACCOUNTS) {
  me: User @join__field(graph: ACCOUNTS)
}
type User @join__type(graph: ACCOUNTS) { name: String }
"#;

const SECRET_ERROR: &str = "user 42 (ann@example.com) not found in db-7.internal:5432";

/// An accounts subgraph whose `me` fails with an error telling too much.
fn leaky_accounts() -> Subgraph {
    Subgraph::new("accounts")
        .root("Query.me", |_| Value::Null)
        .errors(vec![json!({
            "message": SECRET_ERROR,
            "path": ["me"],
            "locations": [{ "line": 1, "column": 3 }],
            "extensions": { "code": "NOT_FOUND", "stacktrace": ["at db.rs:12"] },
        })])
}

/// Everything this test process logs at INFO and above (under `cargo
/// test`, other tests' lines too: the test finds its own by request id). A
/// global subscriber (installed once): a thread's own subscriber would miss
/// spans whose callsites another test thread registered first.
fn logs() -> &'static Mutex<Vec<u8>> {
    static LOGS: OnceLock<&'static Mutex<Vec<u8>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer: &'static Mutex<Vec<u8>> = Box::leak(Box::default());
        struct Sink(&'static Mutex<Vec<u8>>);
        impl Write for Sink {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || Sink(buffer))
            .with_ansi(false)
            .with_max_level(tracing::Level::INFO)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
        buffer
    })
}

#[tokio::test]
async fn in_production_subgraph_errors_are_masked_and_the_original_is_logged_with_the_request_id() {
    let logs = logs();
    let served = Served::start(
        ACCOUNTS,
        vec![leaky_accounts()],
        GatewaySettings::default(),
        HttpSettings::default(),
        ServerSettings::default(),
    )
    .await;
    let response = crate::common::client()
        .post(served.server.url("/graphql"))
        .json(&json!({ "query": "{ me { name } }" }))
        .send()
        .await
        .unwrap();
    let request_id = crate::common::header(&response, "x-request-id");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body,
        json!({
            "errors": [{
                "message": "subgraph error",
                "path": ["me"],
                "extensions": { "code": "NOT_FOUND", "service": "accounts" },
            }],
            "data": { "me": null },
        })
    );
    let logs = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    let line = logs
        .lines()
        .find(|line| line.contains(&format!("request_id=\"{request_id}\"")))
        .unwrap_or_else(|| panic!("the request's log line: {logs}"));
    assert!(line.contains("subgraph error masked"), "{line}");
    assert!(line.contains(SECRET_ERROR), "{line}");
}

#[tokio::test]
async fn in_dev_mode_subgraph_errors_pass_through_without_their_locations() {
    let fed =
        Federation::start_with(GatewaySettings::dev(), ACCOUNTS, vec![leaky_accounts()]).await;
    assert_eq!(
        fed.query("{ me { name } }").await["errors"],
        json!([{
            "message": SECRET_ERROR,
            "path": ["me"],
            "extensions": { "code": "NOT_FOUND", "stacktrace": ["at db.rs:12"] },
        }])
    );
}

#[tokio::test]
async fn transport_errors_show_no_url_and_no_os_error() {
    let mut settings = GatewaySettings::default();
    let url = refused_url();
    settings
        .subgraph_urls
        .insert("accounts".into(), url.clone());
    let fed = Federation::start_with(settings, ACCOUNTS, vec![Subgraph::new("accounts")]).await;
    let response = fed.query("{ me { name } }").await;
    assert_eq!(
        response["errors"],
        json!([{
            "message": "HTTP fetch failed from 'accounts': could not connect to the subgraph",
            "path": ["me"],
            "extensions": { "code": "SUBGRAPH_REQUEST_FAILED", "service": "accounts" },
        }])
    );
    let text = response.to_string();
    let port = url.rsplit(':').next().unwrap().trim_end_matches("/down");
    assert!(
        !text.contains(port) && !text.to_lowercase().contains("refused"),
        "{text}"
    );
}

#[tokio::test]
async fn validation_errors_suggest_no_field_names() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let (status, body) =
        post_graphql(&server.url("/graphql"), "{ topProduct { nam } }", json!({})).await;
    assert_eq!(status, 400);
    let text = body.to_string();
    assert!(text.contains("topProduct"), "{text}");
    assert!(
        !text.contains("topProducts") && !text.contains("Did you mean"),
        "{text}"
    );
}

#[tokio::test]
async fn a_link_local_subgraph_url_is_never_called() {
    let mut settings = GatewaySettings::dev();
    settings.subgraph_urls.insert(
        "accounts".into(),
        "http://169.254.169.254/latest/meta-data".into(),
    );
    let fed = Federation::start_with(settings, ACCOUNTS, vec![Subgraph::new("accounts")]).await;
    assert_eq!(
        fed.query("{ me { name } }").await["errors"][0]["message"],
        "HTTP fetch failed from 'accounts': the subgraph's address is not allowed"
    );
}

#[tokio::test]
async fn a_host_name_resolving_outside_the_allowed_hosts_is_refused_when_connecting() {
    let accounts = || Subgraph::new("accounts").root("Query.me", |_| json!({ "name": "Ann" }));
    let on_localhost = |hosts: &[&str], served: &crate::common::fixture_subgraph::FixtureServer| {
        let mut settings = GatewaySettings::dev();
        settings.client.hosts = AllowedHosts::parse(hosts).unwrap();
        let url = served.url("accounts").replace("127.0.0.1", "localhost");
        settings.subgraph_urls.insert("accounts".into(), url);
        settings
    };
    // Only 10.0.0.0/8 allowed: `localhost` resolves to 127.0.0.1 and is refused.
    let fed = Federation::start_with(GatewaySettings::dev(), ACCOUNTS, vec![accounts()]).await;
    let refused = Federation::start_with(
        on_localhost(&["10.0.0.0/8"], &fed.server),
        ACCOUNTS,
        vec![Subgraph::new("accounts")],
    )
    .await;
    let response = refused.query("{ me { name } }").await;
    assert_eq!(
        response["errors"][0]["message"],
        "HTTP fetch failed from 'accounts': the subgraph's address is not allowed",
        "{response}"
    );
    assert!(fed.server.requests("accounts").is_empty());
    // The name itself allowed: the request goes through.
    let allowed = Federation::start_with(
        on_localhost(&["localhost"], &fed.server),
        ACCOUNTS,
        vec![Subgraph::new("accounts")],
    )
    .await;
    assert_eq!(
        allowed.query("{ me { name } }").await,
        json!({ "data": { "me": { "name": "Ann" } } })
    );
}
