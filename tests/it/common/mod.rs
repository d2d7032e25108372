//! Test harness for the HTTP tests: Junction's router served in-process on an
//! ephemeral port of 127.0.0.1 (with or without a supergraph, with the demo
//! subgraphs behind it), the `junction` binary as a child process, and small
//! request helpers. The other parts of the harness are its submodules.

#![allow(clippy::unwrap_used, dead_code)]

pub mod audit_helpers;
pub mod fixture_schema;
pub mod fixture_subgraph;
pub mod redis_server;

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use junction::config::{Config, Mode};
use junction::http::{self, HttpSettings, ServerSettings};
use junction::loader::{start_demo, DemoGateway};
use junction::pipeline::{Gateway, GatewaySettings};
use junction_subgraphs::DemoSubgraphs;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// The demo supergraph, as `junction dev` serves it.
pub const DEMO_SUPERGRAPH: &str = junction::loader::DEMO_SUPERGRAPH;
/// A one-subgraph supergraph with a `Mutation` type (nothing serves its subgraph).
pub const COUNTER_SUPERGRAPH: &str = include_str!("counter_supergraph.graphql");
pub const HEAVY_QUERY: &str = include_str!("../../fixtures/heavy_query.graphql");
pub const HEAVY_RESPONSE: &str = include_str!("../../fixtures/heavy_response.json");

pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json; charset=utf-8";
pub const JSON: &str = "application/json; charset=utf-8";

/// Junction's router serving on 127.0.0.1; stops when [`TestServer::stop`]ped or dropped.
pub struct TestServer {
    pub base_url: String,
    pub gateway: Arc<Gateway>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
    subgraphs: Option<DemoSubgraphs>,
}

impl TestServer {
    /// Serves `router` (built around `gateway`) with graceful shutdown after
    /// [`TestServer::stop`], draining for at most `drain_timeout`.
    pub async fn serve(gateway: Arc<Gateway>, router: Router, drain_timeout: Duration) -> Self {
        let settings = ServerSettings {
            drain_timeout,
            ..ServerSettings::default()
        };
        Self::serve_with(gateway, router, settings).await
    }

    /// Serves `router` with the given server limits.
    pub async fn serve_with(
        gateway: Arc<Gateway>,
        router: Router,
        settings: ServerSettings,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(http::serve(listener, router, shutdown, settings));
        Self {
            base_url: format!("http://{address}"),
            gateway,
            stop: Some(stop),
            task: Some(task),
            subgraphs: None,
        }
    }

    /// The URL of `path` (which starts with `/`) on this server.
    /// Keeps `subgraphs` running as long as this server.
    pub fn keep_subgraphs(&mut self, subgraphs: DemoSubgraphs) {
        self.subgraphs = Some(subgraphs);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// Starts the graceful shutdown without waiting for it.
    pub fn begin_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Shuts down gracefully and returns what the server returned.
    pub async fn stop(mut self) -> io::Result<()> {
        self.begin_shutdown();
        self.task.take().unwrap().await.unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Junction with default settings and, if given, `supergraph` loaded.
pub async fn start_junction(supergraph: Option<&str>) -> TestServer {
    start_junction_with(
        supergraph,
        GatewaySettings::default(),
        HttpSettings::default(),
    )
    .await
}

/// Junction with the given settings and, if given, `supergraph` loaded.
pub async fn start_junction_with(
    supergraph: Option<&str>,
    settings: GatewaySettings,
    http_settings: HttpSettings,
) -> TestServer {
    let gateway = Arc::new(Gateway::new(settings));
    if let Some(sdl) = supergraph {
        gateway.load_supergraph(sdl).unwrap();
    }
    let router = http::router(Arc::clone(&gateway), &http_settings);
    TestServer::serve(gateway, router, Duration::from_secs(5)).await
}

/// What `junction dev` runs: the demo subgraphs in-process and Junction in front of them.
pub async fn start_dev() -> TestServer {
    start_dev_with(HttpSettings::default()).await
}

/// [`start_dev`] with the given HTTP settings.
pub async fn start_dev_with(http_settings: HttpSettings) -> TestServer {
    let config = Config {
        mode: Mode::Dev,
        ..Config::default()
    };
    let DemoGateway { gateway, subgraphs } =
        start_demo(SocketAddr::from(([127, 0, 0, 1], 0)), &config)
            .await
            .unwrap();
    let router = http::router(Arc::clone(&gateway), &http_settings);
    let mut server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
    server.subgraphs = Some(subgraphs);
    server
}

/// The embedded store in `dir`, under the default prefix.
pub async fn embedded_store(dir: &Path) -> Arc<dyn junction::store::Store> {
    junction::store::open_store(&junction::store::StoreConfig {
        redis_url: None,
        data_dir: dir.to_path_buf(),
        prefix: "junction:".into(),
    })
    .await
    .unwrap()
}

/// Runs `junction <args>` to completion from the repository root, with
/// `JUNCTION_*` variables cleared: exit code, stdout, stderr.
pub async fn run(args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_junction"));
    command.args(args).current_dir(env!("CARGO_MANIFEST_DIR"));
    let output = without_junction_env(&mut command).output().await.unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// Replaces `path` the way editors save: write a sibling file, rename it over.
pub fn save(path: &Path, text: &str) {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

/// An HTTP client that does not pool connections across tests' runtimes.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// `POST url` with a JSON content type, `body` as it is and, if given, `accept`.
pub async fn post(
    url: &str,
    body: impl Into<reqwest::Body>,
    accept: Option<&str>,
) -> reqwest::Response {
    let mut request = client()
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    request.send().await.unwrap()
}

/// The JSON answer to `{ "query": query }` posted to `url`, with a bearer
/// credential when given.
pub async fn ask_graphql(url: &str, query: &str, bearer: Option<&str>) -> serde_json::Value {
    let mut request = client()
        .post(url)
        .json(&serde_json::json!({ "query": query }));
    if let Some(credential) = bearer {
        request = request.bearer_auth(credential);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// `GET url` with, if given, `accept`.
pub async fn get(url: &str, accept: Option<&str>) -> reqwest::Response {
    let mut request = client().get(url);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    request.send().await.unwrap()
}

/// Status, `Content-Type` and parsed JSON body of a response.
pub async fn parts(response: reqwest::Response) -> (u16, String, Value) {
    let status = response.status().as_u16();
    let content_type = header(&response, "content-type");
    let body = response.bytes().await.unwrap();
    let json = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&body)));
    (status, content_type, json)
}

/// One header's value, or "" when absent.
pub fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The `extensions.code` of the first error of a GraphQL response.
pub fn first_error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

/// The URL-encoded form of `text`, for GET query strings.
pub fn encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The `JUNCTION_*` variables a developer's shell may have set.
const JUNCTION_ENV: [&str; 11] = [
    "JUNCTION_CONFIG",
    "JUNCTION_SUPERGRAPH",
    "JUNCTION_SUBGRAPHS",
    "JUNCTION_LISTEN",
    "JUNCTION_REDIS_URL",
    "JUNCTION_DATA_DIR",
    "JUNCTION_ADMIN_TOKEN",
    "JUNCTION_ADMIN_URL",
    "JUNCTION_ADMIN_EMAIL",
    "JUNCTION_ADMIN_PASSWORD",
    "JUNCTION_USER_PASSWORD",
];

fn without_junction_env(command: &mut Command) -> &mut Command {
    for name in JUNCTION_ENV {
        command.env_remove(name);
    }
    command
}

/// POSTs `body` to the admin API at `base_url` with `token`; the response body.
pub async fn admin_request(base_url: &str, token: &str, body: &Value) -> Value {
    client()
        .post(format!("{base_url}/admin/graphql"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The `junction` binary running as a child process, its stderr (the log) read line by line.
pub struct JunctionProcess {
    pub child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    /// Every log line read so far, for failure messages.
    pub log: Vec<String>,
}

impl JunctionProcess {
    /// Runs `junction <args>` from the repository root with `JUNCTION_*` variables cleared.
    pub fn spawn(args: &[&str]) -> Self {
        Self::spawn_with_env(args, &[])
    }

    /// Like [`JunctionProcess::spawn`], with these environment variables set.
    pub fn spawn_with_env(args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_junction"));
        command
            .args(args)
            .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")));
        without_junction_env(&mut command)
            .env("JUNCTION_LOG", "info")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (sender, lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            log: Vec::new(),
        }
    }

    /// Waits (up to 30 s) for a log line containing `needle` and returns it.
    pub async fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some(line)) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Ok(None) => panic!(
                    "junction exited before logging {needle:?}; log:\n{}",
                    self.log.join("\n")
                ),
                Err(_) => panic!(
                    "junction did not log {needle:?} within 30 s; log:\n{}",
                    self.log.join("\n")
                ),
            }
        }
    }

    /// Like [`Self::wait_for_line`], but a line read already (while waiting
    /// for an earlier one) counts too: for a line that may come before the
    /// one waited for last, such as a stored supergraph loaded before
    /// "listening on" is logged.
    pub async fn wait_for_line_read_or_coming(&mut self, needle: &str) -> String {
        if let Some(line) = self.log.iter().find(|line| line.contains(needle)) {
            return line.clone();
        }
        self.wait_for_line(needle).await
    }

    /// Waits for the "listening on" line and returns the server's base URL.
    pub async fn base_url(&mut self) -> String {
        let line = self.wait_for_line("listening on http://").await;
        let start = line.find("http://").unwrap();
        let url = &line[start..];
        let end = url.find("/graphql").unwrap();
        url[..end].to_string()
    }

    /// Every log line, once the process has ended (after [`Self::terminate`]),
    /// waiting at most 30 s.
    pub async fn whole_log(&mut self) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        while let Ok(Some(line)) = tokio::time::timeout_at(deadline, self.lines.recv()).await {
            self.log.push(line);
        }
        self.log.join("\n")
    }

    /// Sends SIGTERM.
    pub async fn terminate(&self) {
        let pid = self.child.id().unwrap().to_string();
        let status = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .await
            .unwrap();
        assert!(status.success());
    }
}

/// Junction over `store` as the identity tests want it: the demo
/// supergraph, API keys verified, the admin API opened by `token` and by
/// credentials holding the admin role (its signing-key operations on a
/// token issuer with the default settings), and the audit log when given.
pub async fn admin_server(
    store: Arc<dyn junction::store::Store>,
    token: &str,
    audit: Option<junction::audit::AuditLog>,
) -> TestServer {
    use junction::identity::issuer::TokenIssuer;
    use junction::identity::IssuerSettings;
    let issuer = TokenIssuer::new(Arc::clone(&store), IssuerSettings::default());
    identity_server(store, token, audit, issuer, false).await
}

/// [`admin_server`] with Junction's own tokens too, by `issuer`: issued
/// at `/oauth/token`, its keys published at `/.well-known/jwks.json`,
/// verified on every request, managed by the admin API; with an audit log.
pub async fn issuer_server(
    store: Arc<dyn junction::store::Store>,
    token: &str,
    issuer: junction::identity::issuer::TokenIssuer,
) -> TestServer {
    let audit =
        junction::audit::AuditLog::new(Arc::clone(&store), junction::audit::DEFAULT_MAX_ENTRIES);
    identity_server(store, token, Some(audit), issuer, true).await
}

async fn identity_server(
    store: Arc<dyn junction::store::Store>,
    token: &str,
    audit: Option<junction::audit::AuditLog>,
    issuer: junction::identity::issuer::TokenIssuer,
    own_tokens: bool,
) -> TestServer {
    use junction::identity::api_keys::ApiKeys;
    use junction::identity::issuer::TokenVerifiers;
    let mut gateway = Gateway::new(GatewaySettings::default())
        .with_api_key_verifier(Arc::new(ApiKeys::new(Arc::clone(&store))));
    if own_tokens {
        let tokens = TokenVerifiers {
            own: issuer.clone(),
            external: None,
        };
        gateway = gateway.with_token_verifier(Arc::new(tokens));
    }
    let gateway = Arc::new(gateway);
    gateway.load_supergraph(DEMO_SUPERGRAPH).unwrap();
    let parts = junction::admin::AdminParts {
        served: None,
        issuer: Some(issuer.clone()),
        access: Some(Arc::clone(gateway.access())),
        limiter: gateway.rate_limiter().cloned(),
    };
    let schema = junction::admin::schema_with(junction::registry::Registry::new(store), parts);
    let mut endpoint =
        http::AdminEndpoint::new(schema, token).with_identifier(gateway.identifier().clone());
    if let Some(audit) = &audit {
        endpoint = endpoint.with_audit(audit.clone());
    }
    let settings = HttpSettings {
        admin: Some(endpoint),
        audit,
        oauth: own_tokens.then_some(issuer),
        ..HttpSettings::default()
    };
    let router = http::router(Arc::clone(&gateway), &settings);
    TestServer::serve(gateway, router, Duration::from_secs(5)).await
}

/// The set must fail with `code`, one such error naming `"quoted"` in its
/// message and located at `at` (`subgraph:line:column`).
pub fn assert_rejected(subgraphs: &[(&str, &str)], code: &str, quoted: &str, at: &str) {
    let errors = match compose_set(subgraphs) {
        Ok(supergraph) => panic!("expected {code}, but composed:\n{supergraph}"),
        Err(errors) => errors,
    };
    assert_eq!(
        errors.first().map(|e| e.code),
        Some(code),
        "expected {code} first, got {errors:#?}"
    );
    let quoted = format!("\"{quoted}\"");
    let located = format!("(at {at}");
    assert!(
        errors.iter().any(|e| e.code == code
            && e.message.contains(&quoted)
            && e.located().contains(&located)),
        "no {code} names {quoted} at {at}: {errors:#?}"
    );
}

/// The set must compose.
pub fn assert_composes(subgraphs: &[(&str, &str)]) {
    if let Err(errors) = compose_set(subgraphs) {
        panic!("expected the set to compose, got {errors:#?}");
    }
}

/// The set fails to compose with `code` first, its message containing
/// `text`, located at `at` (`subgraph:line`).
pub fn assert_first_compose_error(subgraphs: &[(&str, &str)], code: &str, text: &str, at: &str) {
    let errors = compose_set(subgraphs).expect_err("must not compose");
    let first = &errors[0];
    assert_eq!(first.code, code, "{errors:#?}");
    assert!(first.message.contains(text), "{first:#?}");
    let located: Vec<String> = first
        .locations
        .iter()
        .map(|l| format!("{}:{}", l.subgraph, l.line))
        .collect();
    assert!(located.iter().any(|l| l == at), "{at} not in {located:?}");
}

/// Composes `(name, sdl)` subgraphs, each at `http://<name>.example/graphql`.
pub fn compose_set(
    subgraphs: &[(&str, &str)],
) -> Result<String, Vec<junction::compose::CompositionError>> {
    let inputs: Vec<junction::compose::SubgraphInput> = subgraphs
        .iter()
        .map(|(name, sdl)| junction::compose::SubgraphInput {
            name: (*name).to_string(),
            url: format!("http://{name}.example/graphql"),
            sdl: (*sdl).to_string(),
        })
        .collect();
    junction::compose::compose(&inputs)
}
