//! `junction-loadbench`: the whole-path load benchmark.
//!
//! It starts the demo subgraphs in this process on an ephemeral port, starts the
//! release-built gateway as a child process pointed at them, drives `POST /graphql` with
//! the heavy query over N persistent connections (a warm-up, then a measured window),
//! checks every answer against the expected response, and reports throughput, latency
//! percentiles and the gateway's CPU and memory cost. Any failed or wrong answer makes
//! the run exit non-zero. With `--auth jwt` the gateway requires authentication and
//! every request carries an RS256 bearer token from the harness's own identity
//! provider (see `auth`). With `--access allow-all` the gateway enforces a policy that
//! allows every field; with `--access redact-two` it also masks two personal data
//! fields, and every answer must show them masked (see `access`). With `--ratelimit
//! local` or `redis` the gateway counts every request against a limit that never
//! refuses, in its process or through a Redis the harness starts (see `ratelimit`).
//!
//! ```text
//! cargo build --release
//! cargo run --release -p junction-loadbench -- [--junction PATH] [--connections 50]
//!     [--warmup 5s] [--duration 30s] [--auth none|jwt]
//!     [--access none|allow-all|redact-two] [--ratelimit none|local|redis] [--json]
//! ```
//!
//! Hidden options drive any running server instead (no subgraphs or gateway are
//! started): `--target-url URL [--target-pid PID] --query-file FILE --expect-file FILE`;
//! see `benches/load/README.md`.

mod access;
mod auth;
mod load;
mod ratelimit;
mod report;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use bytes::Bytes;
use clap::Parser;
use junction_loadbench::client::Target;
use junction_loadbench::gateway::{Gateway, GatewayCommand, Schema};
use junction_loadbench::signals::interrupted;
use junction_loadbench::{proc_stats, workspace};
use junction_subgraphs::{DemoSubgraphs, SUBGRAPH_NAMES};
use serde_json::Value;

use crate::access::{AccessConfig, AccessMode};
use crate::auth::{AuthMode, JwtAuth};
use crate::load::{Expected, LoadReport, Schedule, Workload};
use crate::ratelimit::{RateLimitMode, RateLimitSetup};
use crate::report::{ProcessCost, Run};

/// How long the gateway may take to answer `/ready` with 200.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// Load benchmark: the heavy query through a release-built Junction in front of the
/// demo subgraphs.
#[derive(Debug, Parser)]
#[command(name = "junction-loadbench")]
struct Args {
    /// The gateway binary [default: target/release/junction of this workspace].
    #[arg(long, value_name = "PATH")]
    junction: Option<PathBuf>,
    /// Concurrent connections, one request in flight on each.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u16).range(1..))]
    connections: u16,
    /// Warm-up before measuring (e.g. 5s, 500ms, 1m).
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    warmup: Duration,
    /// Measured window.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    duration: Duration,
    /// How requests authenticate to the gateway.
    #[arg(long, value_enum, default_value_t = AuthMode::None, conflicts_with = "target_url")]
    auth: AuthMode,
    /// How the gateway controls access: no policy, a policy allowing every field, or
    /// that policy with two fields redacted. Not with --auth jwt.
    #[arg(long, value_enum, default_value_t = AccessMode::None, conflicts_with = "target_url")]
    access: AccessMode,
    /// How the gateway limits requests: not at all, with a never-refusing limit in its
    /// process, or with that limit shared through a Redis the harness starts. Not with
    /// --auth or --access.
    #[arg(long, value_enum, default_value_t = RateLimitMode::None, conflicts_with = "target_url")]
    ratelimit: RateLimitMode,
    /// Print the result as JSON instead of a table and a markdown block.
    #[arg(long)]
    json: bool,
    /// The supergraph the gateway serves [default: schema/supergraph.graphql].
    #[arg(long, value_name = "FILE")]
    supergraph: Option<PathBuf>,
    /// Drive this GraphQL endpoint instead of starting subgraphs and a gateway.
    #[arg(long, hide = true, value_name = "URL")]
    target_url: Option<String>,
    /// With --target-url: the server's process id, to report its CPU and memory.
    #[arg(long, hide = true, value_name = "PID", requires = "target_url")]
    target_pid: Option<u32>,
    /// The request: a `.json` GraphQL-over-HTTP body, or GraphQL text to wrap as
    /// `{"query": …}` [default: tests/fixtures/heavy_query.graphql].
    #[arg(long, hide = true, value_name = "FILE")]
    query_file: Option<PathBuf>,
    /// The exact expected response [default: tests/fixtures/heavy_response.json].
    #[arg(long, hide = true, value_name = "FILE")]
    expect_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    // When a signal wins the race, `run` is dropped, and with it the gateway child.
    let outcome = tokio::select! {
        outcome = run(&args) => outcome,
        signal = interrupted() => Err(anyhow!("interrupted by {signal}")),
    };
    match outcome {
        Ok(run) => {
            if args.json {
                println!("{:#}", run.json());
            } else {
                println!("{}", run.table());
                println!("{}", run.markdown());
            }
            let failures = run.all_failures();
            if failures > 0 {
                eprintln!("FAILED: {failures} failed or wrong answers");
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Sets everything up, runs the load and measures it.
async fn run(args: &Args) -> Result<Run> {
    let root = workspace::root();
    let query_file = args
        .query_file
        .clone()
        .unwrap_or_else(|| root.join("tests/fixtures/heavy_query.graphql"));
    let expect_file = args
        .expect_file
        .clone()
        .unwrap_or_else(|| root.join("tests/fixtures/heavy_response.json"));
    let body = request_body(&query_file)?;
    let options_set = [
        args.auth != AuthMode::None,
        args.access != AccessMode::None,
        args.ratelimit != RateLimitMode::None,
    ];
    if options_set.iter().filter(|set| **set).count() > 1 {
        bail!("--auth jwt, --access and --ratelimit cannot be combined: measure one at a time");
    }
    let expected = Expected::new(access::expected_answer(
        args.access,
        read_json(&expect_file)?,
    )?)?;
    // Declared before the server: its files outlive the gateway.
    let access_config = AccessConfig::write(args.access)?;
    let ratelimit = RateLimitSetup::start(args.ratelimit)?;

    let auth = match args.auth {
        AuthMode::None => None,
        AuthMode::Jwt => Some(JwtAuth::start().await?),
    };
    let authorization = auth.as_ref().map(|auth| auth.authorization().clone());
    let mut server = match &args.target_url {
        Some(url) => Server::external(url, args.target_pid),
        None => {
            let config = access_config
                .as_ref()
                .map(AccessConfig::config_path)
                .or(ratelimit.as_ref().map(RateLimitSetup::config_path));
            Server::start(args, &root, auth, config).await?
        }
    };
    let workload = Arc::new(Workload {
        target: Target::resolve(&server.url).await?,
        body,
        authorization,
        expected,
    });
    if let Some(auth) = &server.auth {
        auth::check_refusals(&workload, auth).await?;
    }
    load::probe(&workload).await.with_context(|| {
        format!(
            "the first answer from {} is not the expected one",
            server.url
        )
    })?;
    if args.access != AccessMode::None {
        eprintln!(
            "access {} is on: the first answer is the expected one",
            args.access.name()
        );
    }
    if args.ratelimit != RateLimitMode::None {
        let policy = load::header_of_one(&workload, "ratelimit-policy").await?;
        let Some(policy) = policy else {
            bail!(
                "--ratelimit {}: the answer carries no RateLimit-Policy",
                args.ratelimit.name()
            );
        };
        eprintln!(
            "ratelimit {} is on: RateLimit-Policy: {policy}",
            args.ratelimit.name()
        );
    }

    let measured = measure(workload, args, server.pid).await?;
    if let Some(auth) = &server.auth {
        eprintln!(
            "the gateway fetched the JWKS {} time(s)",
            auth.jwks_fetches()
        );
    }
    if let Some(gateway) = server.gateway.as_mut() {
        if let Some(status) = gateway.exit_status() {
            eprintln!("the gateway exited during the run ({status})");
        }
        let load = &measured.load;
        if load.failures.total() + load.warmup_failures.total() > 0 {
            eprintln!("gateway log kept at {}", gateway.keep_log().display());
        }
    }
    let query = match &args.query_file {
        Some(path) => path.display().to_string(),
        None => String::from("Heavy query"),
    };
    Ok(Run {
        target: server.description.clone(),
        server_role: server.role,
        query,
        command: reproducing_command(),
        auth: args.auth,
        access: args.access,
        ratelimit: args.ratelimit,
        connections: usize::from(args.connections),
        warmup: args.warmup,
        duration: args.duration,
        load: measured.load,
        gateway: measured.server,
        loadbench: measured.loadbench,
        machine: proc_stats::machine(),
        commit: workspace::git_describe(&root),
    })
}

/// The server under load, and what must stay alive while it is.
struct Server {
    /// The GraphQL endpoint.
    url: String,
    /// Its process, when known, for CPU and memory figures.
    pid: Option<u32>,
    /// How the report names it.
    description: String,
    /// `gateway`, or `target` for a server given with `--target-url`.
    role: &'static str,
    // Fields drop in order: the gateway is killed before its subgraphs and its
    // identity provider stop.
    gateway: Option<Gateway>,
    _subgraphs: Option<DemoSubgraphs>,
    /// The identity provider and configuration of `--auth jwt`.
    auth: Option<JwtAuth>,
}

impl Server {
    /// A server someone else runs (`--target-url`).
    fn external(url: &str, pid: Option<u32>) -> Server {
        Server {
            url: url.to_owned(),
            pid,
            description: url.to_owned(),
            role: "target",
            gateway: None,
            _subgraphs: None,
            auth: None,
        }
    }

    /// The demo subgraphs in this process and the gateway in front of them, ready;
    /// configured by `auth`'s or `access`'s file when given.
    async fn start(
        args: &Args,
        root: &Path,
        auth: Option<JwtAuth>,
        config: Option<&Path>,
    ) -> Result<Server> {
        let binary = args
            .junction
            .clone()
            .unwrap_or_else(|| workspace::release_gateway(root));
        let supergraph = args
            .supergraph
            .clone()
            .unwrap_or_else(|| root.join("schema/supergraph.graphql"));
        let subgraphs = junction_subgraphs::spawn(([127, 0, 0, 1], 0).into())
            .await
            .context("starting the demo subgraphs")?;
        eprintln!("demo subgraphs at http://{}", subgraphs.addr());
        let mut gateway = Gateway::start(&GatewayCommand {
            binary: &binary,
            schema: Schema::Supergraph(&supergraph),
            subgraph_urls: SUBGRAPH_NAMES
                .iter()
                .map(|name| ((*name).to_owned(), subgraphs.url(name)))
                .collect(),
            config: auth.as_ref().map(JwtAuth::config_path).or(config),
            clear_junction_env: false,
            harness: "junction-loadbench",
        })?;
        gateway.wait_ready(READY_TIMEOUT).await?;
        let pid = gateway.pid();
        eprintln!("gateway ready at {} (pid {pid})", gateway.base_url());
        Ok(Server {
            url: format!("{}/graphql", gateway.base_url()),
            pid: Some(pid),
            description: format!("{} serve (pid {pid})", binary.display()),
            role: "gateway",
            gateway: Some(gateway),
            _subgraphs: Some(subgraphs),
            auth,
        })
    }
}

/// What the measured window showed.
struct Measured {
    load: LoadReport,
    /// The server's cost, when its process is known and still there.
    server: Option<ProcessCost>,
    /// This process's cost (load generator and in-process subgraphs).
    loadbench: ProcessCost,
}

/// Runs the warm-up and the measured window, sampling CPU time at the window's edges.
/// Peak RSS is read at the window's end.
async fn measure(
    workload: Arc<Workload>,
    args: &Args,
    server_pid: Option<u32>,
) -> Result<Measured> {
    let connections = usize::from(args.connections);
    eprintln!(
        "{connections} connections: {}s warm-up, then {}s measured",
        args.warmup.as_secs_f64(),
        args.duration.as_secs_f64()
    );
    let ticks_per_second = proc_stats::clock_ticks_per_second() as f64;
    let schedule = Schedule::starting_now(args.warmup, args.duration);
    let running = load::start(workload, connections, schedule);
    tokio::time::sleep_until(schedule.measure_from.into()).await;
    let own_pid = std::process::id();
    let server_before = server_pid.map(proc_stats::cpu_ticks).transpose()?;
    let own_before = proc_stats::cpu_ticks(own_pid)?;
    tokio::time::sleep_until(schedule.stop_at.into()).await;
    let cost = |pid: u32, before: proc_stats::CpuTicks| -> Result<ProcessCost> {
        let ticks = proc_stats::cpu_ticks(pid)?
            .total()
            .saturating_sub(before.total());
        Ok(ProcessCost {
            cpu_seconds: ticks as f64 / ticks_per_second,
            peak_rss_kib: proc_stats::peak_rss_kib(pid)?,
        })
    };
    let server = match (server_pid, server_before) {
        // A server that died mid-run has no figures left; the failures tell the story.
        (Some(pid), Some(before)) => cost(pid, before)
            .inspect_err(|err| eprintln!("warning: no CPU and memory figures: {err:#}"))
            .ok(),
        _ => None,
    };
    let loadbench = cost(own_pid, own_before)?;
    // Answers to the requests in flight at the window's end are still checked.
    let load = running.finish().await?;
    Ok(Measured {
        load,
        server,
        loadbench,
    })
}

/// The request body: a `.json` file as it is, anything else as GraphQL text.
fn request_body(path: &Path) -> Result<Bytes> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the query {}", path.display()))?;
    if path.extension().is_some_and(|ext| ext == "json") {
        let body: Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not JSON", path.display()))?;
        if body.get("query").and_then(Value::as_str).is_none() {
            bail!("{} has no \"query\" string", path.display());
        }
        return Ok(Bytes::from(serde_json::to_vec(&body)?));
    }
    let body = serde_json::json!({ "query": text });
    Ok(Bytes::from(serde_json::to_vec(&body)?))
}

fn read_json(path: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the expected response {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

/// The command line that reproduces this run, for the markdown block.
fn reproducing_command() -> String {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|arg| arg != "--json")
        .collect();
    let mut command = String::from("cargo run --release -p junction-loadbench");
    if !args.is_empty() {
        command.push_str(" -- ");
        command.push_str(&args.join(" "));
    }
    command
}

/// Parses `30s`, `500ms`, `2m` or a bare number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 30s, 500ms or 2m"))?;
    let seconds = match unit.trim() {
        "" | "s" => number,
        "ms" => number / 1000.0,
        "m" | "min" => number * 60.0,
        other => return Err(format!("unknown unit {other:?} (use ms, s or m)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|err| format!("{text:?}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_durations_in_common_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("5 fortnights").is_err());
        assert!(parse_duration("s").is_err());
    }

    #[test]
    fn wraps_graphql_text_as_a_request_body() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("loadbench-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let query = dir.join("q.graphql");
        std::fs::write(&query, "{ users { id } }\n")?;
        let body: Value = serde_json::from_slice(&request_body(&query)?)?;
        assert_eq!(body, serde_json::json!({ "query": "{ users { id } }\n" }));
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }

    #[test]
    fn the_arguments_parse() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }
}
