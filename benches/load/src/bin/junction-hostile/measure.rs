//! Running one case and measuring what it cost the gateway: its requests are sent one
//! after another, and around them the gateway's CPU time (utime + stime), and after
//! them its resident memory now and at its peak, are read from `/proc`; this
//! process's CPU time too (client and subgraphs), which shares the machine with it.

use std::time::{Duration, Instant};

use anyhow::Result;
use junction_loadbench::client::Target;
use junction_loadbench::gateway::Gateway;
use junction_loadbench::proc_stats;

use crate::cases::Case;
use crate::gateway_log::{LogCursor, LogExcerpt};
use crate::send::{self, Outcome};

/// The gateway's resident memory at one moment.
#[derive(Debug, Clone, Copy)]
pub struct Memory {
    /// `VmRSS`, in KiB.
    pub rss_kib: u64,
    /// `VmHWM`: the peak so far, in KiB.
    pub peak_kib: u64,
}

/// Reads the gateway's and this process's figures.
pub struct Meter {
    gateway: u32,
    own: u32,
    ticks_per_second: f64,
}

impl Meter {
    /// A meter of the gateway with process id `gateway`.
    pub fn new(gateway: u32) -> Meter {
        Meter {
            gateway,
            own: std::process::id(),
            ticks_per_second: proc_stats::clock_ticks_per_second() as f64,
        }
    }

    /// The gateway's memory now.
    pub fn memory(&self) -> Result<Memory> {
        Ok(Memory {
            rss_kib: proc_stats::rss_kib(self.gateway)?,
            peak_kib: proc_stats::peak_rss_kib(self.gateway)?,
        })
    }

    /// CPU ticks of the gateway and of this process.
    fn ticks(&self) -> Result<(u64, u64)> {
        let gateway = proc_stats::cpu_ticks(self.gateway)?.total();
        let own = proc_stats::cpu_ticks(self.own)?.total();
        Ok((gateway, own))
    }

    fn seconds(&self, ticks: u64) -> f64 {
        ticks as f64 / self.ticks_per_second
    }
}

/// One request of a case and its answer.
pub struct Sent {
    pub outcome: Outcome,
    /// From the first byte sent to the last byte of the answer received.
    pub wall: Duration,
    /// Whether the answer is the one the case expects.
    pub expected: bool,
}

/// What a case cost and got.
pub struct CaseResult {
    pub id: &'static str,
    /// Which round of the run (`--rounds`) this is, from 1.
    pub round: usize,
    pub title: &'static str,
    pub expected: &'static str,
    pub sent: Vec<Sent>,
    /// The gateway's CPU seconds over the case; `None` if it exited.
    pub gateway_cpu: Option<f64>,
    /// This process's CPU seconds over the case (client, subgraphs, building bodies).
    pub harness_cpu: f64,
    /// The gateway's memory right after the case; `None` if it is gone.
    pub memory: Option<Memory>,
    /// What the gateway logged at WARN or ERROR during the case.
    pub log: LogExcerpt,
    /// How the gateway exited during the case, if it did.
    pub exited: Option<String>,
}

impl CaseResult {
    /// The case's name in the report: `3b`, or `3b (round 2)` after the first round.
    pub fn label(&self) -> String {
        match self.round {
            1 => self.id.to_owned(),
            round => format!("{} (round {round})", self.id),
        }
    }

    /// Sum of the requests' wall times.
    pub fn wall(&self) -> Duration {
        self.sent.iter().map(|sent| sent.wall).sum()
    }

    /// The slowest request's wall time.
    pub fn max_wall(&self) -> Duration {
        self.sent
            .iter()
            .map(|sent| sent.wall)
            .max()
            .unwrap_or_default()
    }
}

/// What a case runs against.
pub struct Bench<'a> {
    pub target: &'a Target,
    pub gateway: &'a mut Gateway,
    pub meter: &'a Meter,
    pub log: &'a mut LogCursor,
    /// How long one request may take to be answered.
    pub timeout: Duration,
}

/// Sends the case's requests one at a time (stopping if the gateway exits) and
/// measures it.
pub async fn run_case(case: &Case, round: usize, bench: &mut Bench<'_>) -> Result<CaseResult> {
    bench.log.skip_to_end();
    let (gateway_before, own_before) = bench.meter.ticks()?;
    let mut sent = Vec::with_capacity(case.requests);
    let mut exited = None;
    for i in 0..case.requests {
        let body = (case.body)(i);
        let started = Instant::now();
        let outcome = send::post(bench.target, body, bench.timeout).await;
        let wall = started.elapsed();
        let expected = match &outcome {
            Outcome::Answered(answer) => (case.accepts)(answer),
            Outcome::Unanswered(_) => false,
        };
        sent.push(Sent {
            outcome,
            wall,
            expected,
        });
        exited = bench.gateway.exit_status().map(|status| status.to_string());
        if exited.is_some() {
            break;
        }
    }
    // A gateway that exited has no /proc entry left: its figures are unknown.
    let (gateway_cpu, memory) = match exited {
        None => {
            let ticks = bench.meter.ticks()?.0.saturating_sub(gateway_before);
            (
                Some(bench.meter.seconds(ticks)),
                Some(bench.meter.memory()?),
            )
        }
        Some(_) => (None, None),
    };
    let own_after = proc_stats::cpu_ticks(bench.meter.own)?.total();
    Ok(CaseResult {
        id: case.id,
        round,
        title: case.title,
        expected: case.expected,
        sent,
        gateway_cpu,
        harness_cpu: bench.meter.seconds(own_after.saturating_sub(own_before)),
        memory,
        log: bench.log.read_new(),
        exited,
    })
}
