//! The verdict of a run and its markdown rendering: what was run where, one table row
//! per case between the idle and final memory rows, the pass criteria with their
//! figures, and notes quoting the first error and the gateway's warnings of each case.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use junction_loadbench::proc_stats::Machine;

use crate::measure::{CaseResult, Memory};
use crate::send::Outcome;

/// The gateway's peak resident memory must stay under this, in KiB (256 MiB).
pub const PEAK_LIMIT_KIB: u64 = 256 * 1024;

/// Its resident memory after the run may exceed the idle one by this much, in KiB
/// (32 MiB).
pub const GROWTH_LIMIT_KIB: u64 = 32 * 1024;

/// Everything a run measured, and where.
pub struct Report {
    /// The command line of this run.
    pub command: String,
    /// How the gateway was started.
    pub gateway: String,
    pub commit: Option<String>,
    pub machine: Machine,
    /// After the warm-up request.
    pub idle: Memory,
    pub cases: Vec<CaseResult>,
    /// Cases not run because the gateway was gone.
    pub not_run: Vec<String>,
    /// A while after the last case; `None` if the gateway was gone.
    pub last: Option<Memory>,
    /// After that, once ordinary requests have been served: the figure
    /// judged against the idle one.
    pub after_traffic: Option<Memory>,
    /// Where the gateway's log was kept, if it was.
    pub log: Option<String>,
}

impl Report {
    /// Why the run failed; empty if it passed.
    pub fn failures(&self) -> Vec<String> {
        let mut failures = Vec::new();
        for case in &self.cases {
            if let Some(status) = &case.exited {
                failures.push(format!(
                    "the gateway exited during case {} ({status})",
                    case.id
                ));
            }
            let unclear = case.sent.iter().filter(|sent| !is_clear(sent)).count();
            if unclear > 0 {
                failures.push(format!(
                    "case {}: {unclear} of {} requests without data or a clear GraphQL error",
                    case.label(),
                    case.sent.len()
                ));
            }
        }
        if !self.not_run.is_empty() {
            failures.push(format!("cases not run: {}", self.not_run.join(", ")));
        }
        let peak = self.peak_kib();
        if peak >= PEAK_LIMIT_KIB {
            failures.push(format!("peak RSS {} ≥ {}", mib(peak), mib(PEAK_LIMIT_KIB)));
        }
        match self.after_traffic {
            Some(last) if self.growth_kib(last) > GROWTH_LIMIT_KIB as i64 => {
                failures.push(format!(
                    "RSS after the cases and 200 ordinary requests {} is {} above idle {} (> {})",
                    mib(last.rss_kib),
                    mib(self.growth_kib(last).unsigned_abs()),
                    mib(self.idle.rss_kib),
                    mib(GROWTH_LIMIT_KIB)
                ))
            }
            Some(_) => {}
            None => failures.push(String::from("no RSS after the cases: the gateway is gone")),
        }
        failures
    }

    /// Cases with an answer other than the expected one.
    pub fn unexpected(&self) -> Vec<String> {
        self.cases
            .iter()
            .filter(|case| case.sent.iter().any(|sent| !sent.expected))
            .map(CaseResult::label)
            .collect()
    }

    /// The highest `VmHWM` read during the run.
    fn peak_kib(&self) -> u64 {
        let cases = self.cases.iter().filter_map(|case| case.memory);
        std::iter::once(self.idle)
            .chain(cases)
            .chain(self.last)
            .chain(self.after_traffic)
            .map(|memory| memory.peak_kib)
            .max()
            .unwrap_or(0)
    }

    fn growth_kib(&self, last: Memory) -> i64 {
        last.rss_kib as i64 - self.idle.rss_kib as i64
    }

    /// The whole report in markdown.
    pub fn markdown(&self) -> String {
        let mut out = String::from("## junction-hostile\n\n");
        let _ = writeln!(out, "Command: `{}`  ", self.command);
        let _ = writeln!(out, "Gateway: `{}`  ", self.gateway);
        let commit = self.commit.as_deref().unwrap_or("unknown");
        let _ = writeln!(out, "Commit: {commit}  ");
        let _ = writeln!(
            out,
            "Machine: {} CPUs, {}\n",
            self.machine.cpus, self.machine.cpu_model
        );
        out.push_str(&self.table());
        out.push_str(&self.verdict());
        out.push_str(&self.notes());
        out
    }

    fn table(&self) -> String {
        let mut out = String::from(
            "| case | what | requests | HTTP status | first error code | answer | body | \
             wall | gateway CPU | harness CPU | VmRSS after | VmHWM so far | as expected |\n\
             |---|---|--:|---|---|---|--:|--:|--:|--:|--:|--:|---|\n",
        );
        let _ = writeln!(
            out,
            "| idle | after one warm-up request |  |  |  |  |  |  |  |  | {} | {} |  |",
            mib(self.idle.rss_kib),
            mib(self.idle.peak_kib)
        );
        for case in &self.cases {
            out.push_str(&row(case));
        }
        let (rss, peak) = self
            .last
            .map_or((String::from("—"), String::from("—")), |last| {
                (mib(last.rss_kib), mib(last.peak_kib))
            });
        let _ = writeln!(
            out,
            "| final | 2 s after the last case |  |  |  |  |  |  |  |  | {rss} | {peak} |  |"
        );
        let (rss, peak) = self
            .after_traffic
            .map_or((String::from("—"), String::from("—")), |last| {
                (mib(last.rss_kib), mib(last.peak_kib))
            });
        let _ = writeln!(
            out,
            "| after traffic | then 200 ordinary requests |  |  |  |  |  |  |  |  | {rss} | {peak} |  |\n"
        );
        out
    }

    fn verdict(&self) -> String {
        let failures = self.failures();
        let mut out = match failures.is_empty() {
            true => String::from("**PASS**"),
            false => String::from("**FAIL**"),
        };
        let peak = self.peak_kib();
        let _ = write!(
            out,
            ": every request answered with data or a clear GraphQL error: {}; \
             peak RSS {} (limit {}); ",
            yes_no(self.cases.iter().all(|case| case.sent.iter().all(is_clear))),
            mib(peak),
            mib(PEAK_LIMIT_KIB)
        );
        match self.after_traffic {
            Some(last) => {
                let growth = self.growth_kib(last);
                let sign = if growth < 0 { "−" } else { "+" };
                let _ = write!(
                    out,
                    "RSS after the cases and 200 ordinary requests {sign}{} against idle (limit +{}).\n\n",
                    mib(growth.unsigned_abs()),
                    mib(GROWTH_LIMIT_KIB)
                );
            }
            None => out.push_str("no final RSS (the gateway is gone).\n\n"),
        }
        for failure in failures {
            let _ = writeln!(out, "- failed: {failure}");
        }
        let unexpected = self.unexpected();
        if !unexpected.is_empty() {
            let _ = writeln!(
                out,
                "- answers other than expected in case(s) {}",
                unexpected.join(", ")
            );
        }
        out.push('\n');
        out
    }

    fn notes(&self) -> String {
        let mut out = String::from("Notes:\n\n");
        for case in &self.cases {
            out.push_str(&case_notes(case));
        }
        if let Some(log) = &self.log {
            let _ = writeln!(out, "\nGateway log kept at `{log}`.");
        }
        out
    }
}

/// A case's table row.
fn row(case: &CaseResult) -> String {
    let many = case.sent.len() > 1;
    let statuses = tally(case.sent.iter().map(|sent| match &sent.outcome {
        Outcome::Answered(answer) => answer.status.to_string(),
        Outcome::Unanswered(_) => String::from("—"),
    }));
    let codes = tally(case.sent.iter().map(|sent| match &sent.outcome {
        Outcome::Answered(answer) => answer.first_code().to_owned(),
        Outcome::Unanswered(_) => String::from("no answer"),
    }));
    let shapes = tally(case.sent.iter().map(|sent| match &sent.outcome {
        Outcome::Answered(answer) => capped(answer.shape(), answer.last_code()),
        Outcome::Unanswered(_) => String::from("none"),
    }));
    let bytes = case
        .sent
        .iter()
        .filter_map(|sent| match &sent.outcome {
            Outcome::Answered(answer) => Some(answer.bytes),
            Outcome::Unanswered(_) => None,
        })
        .max()
        .map_or_else(|| String::from("—"), size);
    let wall = match many {
        true => format!(
            "{} (max {})",
            seconds(case.wall()),
            seconds(case.max_wall())
        ),
        false => seconds(case.wall()),
    };
    let gateway_cpu = case
        .gateway_cpu
        .map_or_else(|| String::from("—"), |cpu| format!("{cpu:.2} s"));
    let (rss, peak) = case
        .memory
        .map_or((String::from("—"), String::from("—")), |memory| {
            (mib(memory.rss_kib), mib(memory.peak_kib))
        });
    let expected = case.sent.iter().filter(|sent| sent.expected).count();
    let as_expected = match (expected == case.sent.len(), many) {
        (true, _) => String::from("yes"),
        (false, false) => String::from("**no**"),
        (false, true) => format!("**no** ({expected} of {})", case.sent.len()),
    };
    format!(
        "| {} | {} | {} | {statuses} | {codes} | {shapes} | {bytes} | {wall} | {gateway_cpu} | \
         {:.2} s | {rss} | {peak} | {as_expected} |\n",
        case.label(),
        case.title,
        case.sent.len(),
        case.harness_cpu
    )
}

/// A case's notes: what was expected, the first error's message, how many requests
/// went unanswered and why, and the gateway's warnings.
fn case_notes(case: &CaseResult) -> String {
    let mut out = format!("- **{}** expected {}.", case.label(), case.expected);
    let answers = case.sent.iter().filter_map(|sent| match &sent.outcome {
        Outcome::Answered(answer) => Some(answer),
        Outcome::Unanswered(_) => None,
    });
    if let Some(answer) = answers.clone().next() {
        if let Some(message) = &answer.first_message {
            let _ = write!(out, " First error: “{message}”.");
        }
        if let Some(text) = &answer.text {
            let _ = write!(out, " Body: “{text}”.");
        }
        if answer.codes.len() > 1 {
            let codes: Vec<String> = answer
                .codes
                .iter()
                .map(|(code, count)| format!("{code} ×{count}"))
                .collect();
            let _ = write!(out, " Error codes: {}.", codes.join(", "));
        }
    }
    let unanswered: Vec<&str> = case
        .sent
        .iter()
        .filter_map(|sent| match &sent.outcome {
            Outcome::Unanswered(why) => Some(why.as_str()),
            Outcome::Answered(_) => None,
        })
        .collect();
    if let Some(first) = unanswered.first() {
        let _ = write!(out, " {} unanswered, first: {first}.", unanswered.len());
    }
    if case.log.count > 0 {
        let _ = write!(
            out,
            " Gateway logged {} WARN/ERROR line(s), first: `{}`",
            case.log.count,
            case.log.samples.join("` / `")
        );
    }
    out.push('\n');
    out
}

fn is_clear(sent: &crate::measure::Sent) -> bool {
    match &sent.outcome {
        Outcome::Answered(answer) => answer.is_clear(),
        Outcome::Unanswered(_) => false,
    }
}

/// `shape`, marked when the last error says others were left out.
fn capped(shape: String, last_code: Option<&str>) -> String {
    match last_code {
        Some("TOO_MANY_ERRORS") => format!("{shape} (last: TOO_MANY_ERRORS)"),
        _ => shape,
    }
}

/// Distinct values with their counts, `a ×3; b ×1`, or the one value alone.
fn tally(values: impl Iterator<Item = String>) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    for value in values {
        *counts.entry(value).or_default() += 1;
        total += 1;
    }
    if total == 1 {
        return counts.into_keys().next().unwrap_or_default();
    }
    let parts: Vec<String> = counts
        .into_iter()
        .map(|(value, count)| format!("{value} ×{count}"))
        .collect();
    parts.join("; ")
}

fn yes_no(yes: bool) -> &'static str {
    if yes {
        "yes"
    } else {
        "no"
    }
}

fn seconds(duration: Duration) -> String {
    format!("{:.3} s", duration.as_secs_f64())
}

/// KiB as MiB with one decimal.
pub fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Bytes as B, KB or MB (decimal, as the case titles count them).
fn size(bytes: usize) -> String {
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.1} KB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tallies_repeated_values() {
        let values = ["400", "400", "200"].map(String::from);
        assert_eq!(tally(values.into_iter()), "200 ×1; 400 ×2");
        assert_eq!(tally(std::iter::once(String::from("400"))), "400");
    }

    #[test]
    fn formats_sizes_and_memory() {
        assert_eq!(size(187), "187 B");
        assert_eq!(size(1_900_012), "1.9 MB");
        assert_eq!(mib(262_144), "256.0 MiB");
    }
}
