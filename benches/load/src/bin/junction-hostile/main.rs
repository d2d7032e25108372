//! `junction-hostile`: hostile requests, one at a time, against a gateway on its
//! default configuration.
//!
//! It starts two test subgraphs in this process (`items`, `details`; see
//! [`subgraphs`]), writes a subgraph list pointing at them, starts `junction serve
//! --subgraphs LIST` as a child process, and sends each case of [`cases`] in turn:
//! a fragment bomb, a 1.9 MB syntax error, wide alias fan-outs over entities
//! (distinct and shared), a 41 MB subgraph response, a hundred 600 KB operations, a
//! million-item list variable, and 20,000 non-null violations (twice). For each it
//! records the answer and what it cost the gateway (CPU seconds, resident memory now
//! and at its peak), and prints
//! a markdown report. The run passes when every request got data or a clear GraphQL
//! error, the gateway's peak RSS stayed under 256 MiB and its RSS after the cases is
//! within 32 MiB of its idle RSS; otherwise it exits non-zero. "After" is read twice:
//! 2 s after the last case, and then after 200 ordinary requests, which is the
//! figure judged: the allocator (mimalloc) returns a thread's freed pages to the
//! system when that thread allocates again, so an idle process still holds pages it
//! no longer uses, while one serving traffic gives them back.
//!
//! ```text
//! cargo build --release -p junction -p junction-loadbench
//! target/release/junction-hostile [--junction PATH] [--config FILE] [--only CASE]…
//!     [--rounds N]
//! ```

mod cases;
mod gateway_log;
mod measure;
mod report;
mod send;
mod subgraphs;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use clap::Parser;
use junction_loadbench::client::Target;
use junction_loadbench::gateway::{Gateway, GatewayCommand, Schema};
use junction_loadbench::signals::interrupted;
use junction_loadbench::{proc_stats, workspace};

use crate::gateway_log::LogCursor;
use crate::measure::{Bench, CaseResult, Meter};
use crate::report::Report;
use crate::send::Outcome;
use crate::subgraphs::HostileSubgraphs;

/// How long the gateway may take to answer `/ready` with 200.
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// How long the gateway rests after the warm-up before its idle RSS is read, and
/// after the last case before its final RSS is.
const SETTLE_IDLE: Duration = Duration::from_secs(1);
const SETTLE_FINAL: Duration = Duration::from_secs(2);

/// Ordinary requests sent after the cases before the memory is judged, by
/// this many clients at once (so that every gateway worker thread serves
/// some: each gives back its own freed pages).
const ORDINARY_REQUESTS: usize = 200;
const ORDINARY_CLIENTS: usize = 8;

/// Hostile requests, one at a time, against a gateway on its default configuration.
#[derive(Debug, Parser)]
#[command(name = "junction-hostile")]
struct Args {
    /// The gateway binary [default: target/release/junction of this workspace, in
    /// CARGO_TARGET_DIR when that is set].
    #[arg(long, value_name = "PATH")]
    junction: Option<PathBuf>,
    /// A configuration file for the gateway (default: none, its built-in defaults).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Run only this case (`1`, `2`, `3`, `3b`, `3c`, `3d`, `4`, `5`, `6`, `6b`); repeatable.
    #[arg(long, value_name = "CASE")]
    only: Vec<String>,
    /// Run the selected cases this many times over, to tell memory the gateway keeps
    /// for reuse (flat from round to round) from a leak (growing).
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    rounds: u16,
    /// Seconds one request may take before it counts as unanswered. Longer than the
    /// gateway's own 60 s request timeout, so that its timeout answer can arrive.
    #[arg(long, default_value_t = 75, value_name = "SECONDS")]
    timeout: u64,
    /// Also fail when a case gets an answer other than the expected one.
    #[arg(long)]
    strict: bool,
    /// Keep the gateway's log even when the run passes.
    #[arg(long)]
    keep_log: bool,
}

// Four workers: the subgraphs' big answers must not starve the client on a 2-core
// machine.
#[tokio::main(worker_threads = 4)]
async fn main() -> ExitCode {
    let args = Args::parse();
    // When a signal wins the race, `run` is dropped, and with it the gateway child.
    let outcome = tokio::select! {
        outcome = run(&args) => outcome,
        signal = interrupted() => Err(anyhow!("interrupted by {signal}")),
    };
    let report = match outcome {
        Ok(report) => report,
        Err(err) => {
            eprintln!("error: {err:#}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", report.markdown());
    let failures = report.failures();
    let unexpected = report.unexpected();
    if !failures.is_empty() {
        eprintln!("FAILED: {}", failures.join("; "));
        return ExitCode::FAILURE;
    }
    if args.strict && !unexpected.is_empty() {
        eprintln!(
            "FAILED (--strict): unexpected answers in case(s) {}",
            unexpected.join(", ")
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Starts the subgraphs and the gateway, runs the cases and measures them.
async fn run(args: &Args) -> Result<Report> {
    let root = workspace::root();
    let binary = args
        .junction
        .clone()
        .unwrap_or_else(|| workspace::release_gateway(&root));
    let cases = selected_cases(&args.only)?;
    let dir = WorkDir::create()?;
    let subgraphs = HostileSubgraphs::spawn().await?;
    let list = subgraphs.write_list(dir.path())?;
    eprintln!(
        "subgraphs at {} and {}",
        subgraphs.url("items"),
        subgraphs.url("details")
    );
    let mut gateway = Gateway::start(&GatewayCommand {
        binary: &binary,
        schema: Schema::SubgraphList(&list),
        subgraph_urls: Vec::new(),
        config: args.config.as_deref(),
        clear_junction_env: true,
        harness: "junction-hostile",
    })?;
    gateway.wait_ready(READY_TIMEOUT).await?;
    let pid = gateway.pid();
    eprintln!("gateway ready at {} (pid {pid})", gateway.base_url());
    let target = Target::resolve(&format!("{}/graphql", gateway.base_url())).await?;
    let meter = Meter::new(pid);
    warm_up(&target).await?;
    tokio::time::sleep(SETTLE_IDLE).await;
    let idle = meter.memory()?;
    let mut log = LogCursor::new(gateway.log_path());
    let mut bench = Bench {
        target: &target,
        gateway: &mut gateway,
        meter: &meter,
        log: &mut log,
        timeout: Duration::from_secs(args.timeout),
    };
    let (results, not_run) = run_rounds(&cases, usize::from(args.rounds), &mut bench).await?;
    tokio::time::sleep(SETTLE_FINAL).await;
    let last = match gateway.exit_status() {
        None => Some(meter.memory()?),
        Some(_) => None,
    };
    let after_traffic = match last {
        Some(_) => {
            ordinary_traffic(&target).await?;
            Some(meter.memory()?)
        }
        None => None,
    };
    let mut report = Report {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        gateway: describe_gateway(&binary, &list, args.config.as_deref(), &gateway),
        commit: workspace::git_head(&root),
        machine: proc_stats::machine(),
        idle,
        cases: results,
        not_run,
        last,
        after_traffic,
        log: None,
    };
    if args.keep_log || !report.failures().is_empty() || !report.unexpected().is_empty() {
        report.log = Some(gateway.keep_log().display().to_string());
    }
    Ok(report)
}

/// Runs `cases` in order, `rounds` times over; once the gateway has exited, the
/// rest are listed as not run.
async fn run_rounds(
    cases: &[cases::Case],
    rounds: usize,
    bench: &mut Bench<'_>,
) -> Result<(Vec<CaseResult>, Vec<String>)> {
    let mut results: Vec<CaseResult> = Vec::new();
    let mut not_run = Vec::new();
    for round in 1..=rounds {
        for case in cases {
            if results.last().is_some_and(|last| last.exited.is_some()) {
                not_run.push(format!("{} (round {round})", case.id));
                continue;
            }
            eprintln!("case {} ({round}/{rounds}): {}", case.id, case.title);
            results.push(measure::run_case(case, round, bench).await?);
        }
    }
    Ok((results, not_run))
}

/// The cases `--only` names, in their order; all of them without it.
fn selected_cases(only: &[String]) -> Result<Vec<cases::Case>> {
    let all = cases::all();
    if let Some(unknown) = only
        .iter()
        .find(|id| !all.iter().any(|case| case.id == *id))
    {
        let ids: Vec<&str> = all.iter().map(|case| case.id).collect();
        bail!("no case {unknown:?} (cases: {})", ids.join(", "));
    }
    Ok(all
        .into_iter()
        .filter(|case| only.is_empty() || only.iter().any(|id| id == case.id))
        .collect())
}

/// One small request through both subgraphs, which must come back with data and no
/// errors: the setup works, and the idle figures include the subgraph connections.
async fn warm_up(target: &Target) -> Result<()> {
    let body = cases::query_body("{ items(n: 2) { id detail } }");
    match send::post(target, body, Duration::from_secs(30)).await {
        Outcome::Answered(answer) if answer.first_code() == "ok" && answer.is_clear() => Ok(()),
        Outcome::Answered(answer) => {
            let why = answer.first_message.as_ref().or(answer.text.as_ref());
            bail!(
                "the warm-up request got {} {} ({})",
                answer.status,
                answer.first_code(),
                why.map_or("", String::as_str)
            )
        }
        Outcome::Unanswered(why) => bail!("the warm-up request got no answer: {why}"),
    }
}

/// `ORDINARY_REQUESTS` warm-up requests from `ORDINARY_CLIENTS` clients at once.
async fn ordinary_traffic(target: &Target) -> Result<()> {
    let clients: Vec<_> = (0..ORDINARY_CLIENTS)
        .map(|_| {
            let target = target.clone();
            tokio::spawn(async move {
                for _ in 0..ORDINARY_REQUESTS / ORDINARY_CLIENTS {
                    warm_up(&target).await?;
                }
                Ok::<(), anyhow::Error>(())
            })
        })
        .collect();
    for client in clients {
        client.await??;
    }
    Ok(())
}

/// The gateway's command line, for the report.
fn describe_gateway(
    binary: &Path,
    list: &Path,
    config: Option<&Path>,
    gateway: &Gateway,
) -> String {
    let config = match config {
        Some(config) => format!(" --config {}", config.display()),
        None => String::from(" (default configuration)"),
    };
    format!(
        "{} serve --subgraphs {} --listen {}{config}",
        binary.display(),
        list.display(),
        gateway.base_url().trim_start_matches("http://"),
    )
}

/// A directory of this run for the subgraph list, removed when dropped. The gateway
/// watches the list's directory, so it gets one of its own rather than the busy
/// temporary directory.
struct WorkDir(PathBuf);

impl WorkDir {
    fn create() -> Result<WorkDir> {
        let path = std::env::temp_dir().join(format!("junction-hostile-{}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("creating {}", path.display()))?;
        Ok(WorkDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        // Nothing to do about a failure: it only leaves a small file behind.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arguments_parse() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }

    #[test]
    fn selects_cases_by_id_in_their_order() -> Result<()> {
        let ids: Vec<&str> = selected_cases(&["6".into(), "3b".into()])?
            .iter()
            .map(|case| case.id)
            .collect();
        assert_eq!(ids, ["3b", "6"]);
        assert_eq!(selected_cases(&[])?.len(), cases::all().len());
        assert!(selected_cases(&["7".into()]).is_err());
        Ok(())
    }
}
