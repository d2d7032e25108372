//! The result of a benchmark run and its three renderings: an aligned table for a
//! terminal, a markdown block to paste into `BENCHMARKS.md`, and JSON for machines.

use std::fmt::Write as _;
use std::time::Duration;

use junction_loadbench::proc_stats::Machine;
use serde_json::{json, Value};

use crate::access::AccessMode;
use crate::auth::AuthMode;
use crate::load::LoadReport;
use crate::ratelimit::RateLimitMode;

/// What one process cost over the measured window.
#[derive(Debug, Clone, Copy)]
pub struct ProcessCost {
    /// User + system CPU time, in seconds.
    pub cpu_seconds: f64,
    /// Peak resident set size (`VmHWM`) at the end of the run, in KiB.
    pub peak_rss_kib: u64,
}

/// Everything a run measured, and where.
pub struct Run {
    /// What was driven: the spawned gateway or a URL given with `--target-url`.
    pub target: String,
    /// What the measured process is called in the report: `gateway`, or `target` for
    /// a server given with `--target-url`.
    pub server_role: &'static str,
    /// The query sent: `Heavy query`, or the file given with `--query-file`.
    pub query: String,
    /// The command line that reproduces the run.
    pub command: String,
    /// How requests authenticated (`--auth`).
    pub auth: AuthMode,
    /// How the gateway controlled access (`--access`).
    pub access: AccessMode,
    /// How the gateway limited requests (`--ratelimit`).
    pub ratelimit: RateLimitMode,
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
    pub load: LoadReport,
    /// The gateway's (or target's) cost; `None` when its process is not known.
    pub gateway: Option<ProcessCost>,
    /// This process's cost: the load generator plus, unless `--target-url` was given,
    /// the in-process demo subgraphs.
    pub loadbench: ProcessCost,
    pub machine: Machine,
    /// `git describe --always --dirty` of the workspace, when git can tell.
    pub commit: Option<String>,
}

/// Latency percentiles in milliseconds.
struct Latency {
    p50: f64,
    p95: f64,
    p99: f64,
    max: f64,
    mean: f64,
}

impl Run {
    fn latency(&self) -> Latency {
        let histogram = &self.load.latency_us;
        let ms = |micros: u64| micros as f64 / 1000.0;
        Latency {
            p50: ms(histogram.value_at_quantile(0.50)),
            p95: ms(histogram.value_at_quantile(0.95)),
            p99: ms(histogram.value_at_quantile(0.99)),
            max: ms(histogram.max()),
            mean: histogram.mean() / 1000.0,
        }
    }

    /// CPU seconds per 1,000 correct answers.
    fn per_thousand(&self, cost: ProcessCost) -> Option<f64> {
        (self.load.requests > 0).then(|| cost.cpu_seconds * 1000.0 / self.load.requests as f64)
    }

    /// Failures over the whole run, warm-up included.
    pub fn all_failures(&self) -> u64 {
        self.load.failures.total() + self.load.warmup_failures.total()
    }

    fn machine_line(&self) -> String {
        format!("{} CPUs, {}", self.machine.cpus, self.machine.cpu_model)
    }

    /// The aligned, human-readable table.
    pub fn table(&self) -> String {
        let latency = self.latency();
        let failures = &self.load.failures;
        let cpu_key = format!("{} CPU/1k req", self.server_role);
        let rss_key = format!("{} peak RSS", self.server_role);
        let mut rows: Vec<(&str, String)> = vec![
            ("target", self.target.clone()),
            ("auth", self.auth.description().to_owned()),
            ("access", self.access.description().to_owned()),
            ("ratelimit", self.ratelimit.description()),
            (
                "load",
                format!(
                    "{} connections, {} warm-up, {} measured",
                    self.connections,
                    seconds(self.warmup),
                    seconds(self.duration),
                ),
            ),
            (
                "requests/s",
                format!("{:.1}", self.load.requests_per_second()),
            ),
            ("requests", self.load.requests.to_string()),
            (
                "errors",
                format!(
                    "{} (transport {}, status {}, wrong body {}); warm-up: {} of {}",
                    failures.total(),
                    failures.transport,
                    failures.status,
                    failures.wrong_body,
                    self.load.warmup_failures.total(),
                    self.load.warmup_requests + self.load.warmup_failures.total()
                ),
            ),
            (
                "latency p50/p95/p99",
                format!(
                    "{:.2} / {:.2} / {:.2} ms",
                    latency.p50, latency.p95, latency.p99
                ),
            ),
            (
                "latency max/mean",
                format!("{:.2} / {:.2} ms", latency.max, latency.mean),
            ),
        ];
        if let Some(gateway) = self.gateway {
            rows.push((&cpu_key, self.cpu_cell(gateway)));
            rows.push((&rss_key, mib(gateway.peak_rss_kib)));
        }
        rows.push(("loadbench CPU/1k req", self.cpu_cell(self.loadbench)));
        rows.push(("machine", self.machine_line()));
        if let Some(commit) = &self.commit {
            rows.push(("commit", commit.clone()));
        }
        if self.load.not_byte_identical > 0 || self.load.reconnects > 0 {
            rows.push((
                "notes",
                format!(
                    "{} answers equal but not byte-identical; {} reconnects",
                    self.load.not_byte_identical, self.load.reconnects
                ),
            ));
        }
        let width = rows.iter().map(|(key, _)| key.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (key, value) in rows {
            let _ = writeln!(out, "{key:<width$}  {value}");
        }
        for sample in &self.load.warmup_failures.samples {
            let _ = writeln!(out, "warm-up failure: {sample}");
        }
        for sample in &failures.samples {
            let _ = writeln!(out, "failure: {sample}");
        }
        out
    }

    fn cpu_cell(&self, cost: ProcessCost) -> String {
        let busy = cost.cpu_seconds / self.load.window.as_secs_f64().max(f64::EPSILON);
        match self.per_thousand(cost) {
            Some(per_thousand) => format!(
                "{per_thousand:.3} s ({:.2} CPU s in total, {busy:.2} cores busy)",
                cost.cpu_seconds
            ),
            None => format!("n/a ({:.2} CPU s, no correct answers)", cost.cpu_seconds),
        }
    }

    /// A markdown block for `BENCHMARKS.md`.
    pub fn markdown(&self) -> String {
        let latency = self.latency();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "### {}, {} connections, {} measured after {} warm-up, auth {}, access {}, ratelimit {}\n",
            self.query,
            self.connections,
            seconds(self.duration),
            seconds(self.warmup),
            self.auth.name(),
            self.access.name(),
            self.ratelimit.name()
        );
        let _ = writeln!(out, "`{}`\n", self.command);
        let commit = self.commit.as_deref().unwrap_or("unknown");
        let _ = writeln!(out, "Machine: {}; commit {commit}.\n", self.machine_line());
        let _ = writeln!(out, "| metric | value |\n|---|---|");
        let _ = writeln!(out, "| auth | {} |", self.auth.description());
        let _ = writeln!(out, "| access | {} |", self.access.description());
        let _ = writeln!(out, "| ratelimit | {} |", self.ratelimit.description());
        let _ = writeln!(
            out,
            "| requests/s | {:.1} |",
            self.load.requests_per_second()
        );
        let _ = writeln!(
            out,
            "| latency p50 / p95 / p99 / max | {:.2} / {:.2} / {:.2} / {:.2} ms |",
            latency.p50, latency.p95, latency.p99, latency.max
        );
        let _ = writeln!(
            out,
            "| requests (errors) | {} ({}) |",
            self.load.requests,
            self.load.failures.total()
        );
        if let Some(gateway) = self.gateway {
            let per_thousand = self
                .per_thousand(gateway)
                .map_or_else(|| String::from("n/a"), |value| format!("{value:.3} s"));
            let role = self.server_role;
            let _ = writeln!(out, "| {role} CPU per 1,000 requests | {per_thousand} |");
            let _ = writeln!(out, "| {role} peak RSS | {} |", mib(gateway.peak_rss_kib));
        }
        out
    }

    /// The machine-readable result.
    pub fn json(&self) -> Value {
        let latency = self.latency();
        let failures = |failures: &crate::load::Failures| {
            json!({
                "total": failures.total(),
                "transport": failures.transport,
                "status": failures.status,
                "wrong_body": failures.wrong_body,
                "samples": failures.samples,
            })
        };
        let cost = |cost: ProcessCost| {
            json!({
                "cpu_seconds": cost.cpu_seconds,
                "cpu_seconds_per_1000_requests": self.per_thousand(cost),
                "peak_rss_kib": cost.peak_rss_kib,
            })
        };
        json!({
            "target": self.target,
            "query": self.query,
            "command": self.command,
            "auth": self.auth.name(),
            "access": self.access.name(),
            "ratelimit": self.ratelimit.name(),
            "connections": self.connections,
            "warmup_seconds": self.warmup.as_secs_f64(),
            "duration_seconds": self.duration.as_secs_f64(),
            "requests": self.load.requests,
            "requests_per_second": self.load.requests_per_second(),
            "errors": failures(&self.load.failures),
            "warmup_requests": self.load.warmup_requests,
            "warmup_errors": failures(&self.load.warmup_failures),
            "latency_ms": {
                "p50": latency.p50,
                "p95": latency.p95,
                "p99": latency.p99,
                "max": latency.max,
                "mean": latency.mean,
            },
            "gateway": self.gateway.map(cost),
            "loadbench": cost(self.loadbench),
            "not_byte_identical": self.load.not_byte_identical,
            "reconnects": self.load.reconnects,
            "answers_after_window": self.load.after_window,
            "machine": {
                "nproc": self.machine.cpus,
                "cpu_model": self.machine.cpu_model,
            },
            "commit": self.commit,
        })
    }
}

fn seconds(duration: Duration) -> String {
    format!("{}s", duration.as_secs_f64())
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
