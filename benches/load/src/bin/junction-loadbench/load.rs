//! The load: N workers, each holding one persistent HTTP/1.1 connection, sending the
//! same GraphQL request (with the same `Authorization` header, under `--auth jwt`)
//! back to back through a warm-up and then a measured window.
//!
//! Every answer is checked: it must be a 200 whose JSON equals the expected response.
//! The check is cheap when the body is byte-identical to the expected value serialised
//! compactly (one slice comparison); any other body is parsed and compared as a
//! `serde_json::Value`, so a differently ordered or spaced but equal answer still
//! passes and a wrong one never does. Correct answers received inside the measured
//! window are counted and their latencies go into one HDR histogram per worker, merged
//! at the end; answers to requests still in flight when it closes are checked but not
//! counted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Result};
use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use junction_loadbench::client::Target;
use serde_json::Value;
use tokio::task::JoinHandle;

/// How many failure descriptions a run keeps to show; the rest are only counted.
const FAILURE_SAMPLES: usize = 3;

/// A request without an answer after this long counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The answer every request must get.
pub struct Expected {
    value: Value,
    compact: Bytes,
}

impl Expected {
    /// Expects bodies equal to `value` as JSON.
    pub fn new(value: Value) -> Result<Expected> {
        let compact = Bytes::from(serde_json::to_vec(&value)?);
        Ok(Expected { value, compact })
    }

    fn check(&self, body: &[u8]) -> Result<Match, String> {
        if body == self.compact.as_ref() {
            return Ok(Match::Bytes);
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|err| format!("body is not JSON ({err}): {}", snippet(body)))?;
        match first_difference(&self.value, &value, String::from("$")) {
            None => Ok(Match::Value),
            Some(difference) => Err(format!("wrong answer: {difference}")),
        }
    }
}

enum Match {
    /// Byte for byte the compact serialisation of the expected value.
    Bytes,
    /// Equal as JSON, but not byte-identical.
    Value,
}

/// Where two JSON values first differ, as a path and the two values there.
fn first_difference(expected: &Value, actual: &Value, path: String) -> Option<String> {
    match (expected, actual) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, want_value) in want {
                let path = format!("{path}.{key}");
                match got.get(key) {
                    Some(got_value) => {
                        if let Some(diff) = first_difference(want_value, got_value, path) {
                            return Some(diff);
                        }
                    }
                    None => return Some(format!("{path} is missing")),
                }
            }
            got.keys()
                .find(|key| !want.contains_key(*key))
                .map(|key| format!("{path}.{key} is not expected"))
        }
        (Value::Array(want), Value::Array(got)) => {
            if want.len() != got.len() {
                return Some(format!(
                    "{path} has {} items, expected {}",
                    got.len(),
                    want.len()
                ));
            }
            want.iter()
                .zip(got)
                .enumerate()
                .find_map(|(i, (w, g))| first_difference(w, g, format!("{path}[{i}]")))
        }
        _ if expected == actual => None,
        _ => Some(format!(
            "{path} is {}, expected {}",
            snippet(actual.to_string().as_bytes()),
            snippet(expected.to_string().as_bytes())
        )),
    }
}

fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(200).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Sends the workload's request once and checks the answer, so that a wrong server
/// fails the run at once rather than after the whole warm-up and measurement.
pub async fn probe(workload: &Workload) -> Result<()> {
    let mut reconnects = 0;
    match send_one(workload, &mut None, &mut reconnects).await {
        Ok(_) => Ok(()),
        Err(failure) => bail!(failure.describe()),
    }
}

/// The value of header `name` on the answer to the workload's request, sent once
/// on a fresh connection.
pub async fn header_of_one(workload: &Workload, name: &str) -> Result<Option<String>> {
    let mut sender = workload.target.connect().await?;
    let response = sender
        .send_request(request(workload, workload.authorization.as_ref())?)
        .await?;
    let value = response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let _ = response.into_body().collect().await?;
    Ok(value)
}

/// What to send, where, and what must come back.
pub struct Workload {
    pub target: Target,
    pub body: Bytes,
    /// The `Authorization` header every request carries, if any (`--auth jwt`).
    pub authorization: Option<HeaderValue>,
    pub expected: Expected,
}

/// Sends the workload's request once on a fresh connection, with `authorization` in
/// place of the workload's own (none when `None`); the answer's status and body,
/// unchecked. For showing that the server refuses what it should.
pub async fn send_with(
    workload: &Workload,
    authorization: Option<&HeaderValue>,
) -> Result<(u16, Bytes)> {
    let mut sender = workload.target.connect().await?;
    let response = sender
        .send_request(request(workload, authorization)?)
        .await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// The workload's `POST`, with `authorization` when given.
fn request(
    workload: &Workload,
    authorization: Option<&HeaderValue>,
) -> Result<Request<Full<Bytes>>> {
    let mut builder = Request::builder()
        .method(Method::POST)
        .uri(workload.target.path())
        .header(HOST, workload.target.authority())
        .header(CONTENT_TYPE, "application/json")
        .header(ACCEPT, "application/json");
    if let Some(value) = authorization {
        builder = builder.header(AUTHORIZATION, value.clone());
    }
    Ok(builder.body(Full::new(workload.body.clone()))?)
}

/// When the measured window starts and when workers stop sending.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub measure_from: Instant,
    pub stop_at: Instant,
}

impl Schedule {
    /// A warm-up starting now, then the measured window.
    pub fn starting_now(warmup: Duration, duration: Duration) -> Schedule {
        let measure_from = Instant::now() + warmup;
        Schedule {
            measure_from,
            stop_at: measure_from + duration,
        }
    }

    /// The measured window's length.
    pub fn window(&self) -> Duration {
        self.stop_at.duration_since(self.measure_from)
    }

    /// Which part of the run an answer received at `at` belongs to: throughput and
    /// latency count the answers received inside the window, so the window's length is
    /// the exact denominator and the CPU sampled at its edges matches them.
    fn phase(&self, at: Instant) -> Phase {
        if at < self.measure_from {
            Phase::Warmup
        } else if at < self.stop_at {
            Phase::Measured
        } else {
            Phase::After
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Warmup,
    Measured,
    After,
}

/// Failed or wrong answers.
#[derive(Debug, Default, Clone)]
pub struct Failures {
    /// Connection or protocol errors.
    pub transport: u64,
    /// Answers with a status other than 200.
    pub status: u64,
    /// 200 answers whose body is not the expected response.
    pub wrong_body: u64,
    /// The first few failures, described.
    pub samples: Vec<String>,
}

impl Failures {
    /// All failures counted.
    pub fn total(&self) -> u64 {
        self.transport + self.status + self.wrong_body
    }

    fn merge(&mut self, other: Failures) {
        self.transport += other.transport;
        self.status += other.status;
        self.wrong_body += other.wrong_body;
        let room = FAILURE_SAMPLES.saturating_sub(self.samples.len());
        self.samples.extend(other.samples.into_iter().take(room));
    }

    fn record(&mut self, failure: Failure) {
        match failure {
            Failure::Transport(_) => self.transport += 1,
            Failure::Status(..) => self.status += 1,
            Failure::WrongBody(_) => self.wrong_body += 1,
        }
        if self.samples.len() < FAILURE_SAMPLES {
            self.samples.push(failure.describe());
        }
    }
}

enum Failure {
    Transport(String),
    Status(u16, String),
    WrongBody(String),
}

impl Failure {
    fn describe(self) -> String {
        match self {
            Failure::Transport(err) => format!("transport: {err}"),
            Failure::Status(status, body) => format!("status {status}: {body}"),
            Failure::WrongBody(why) => why,
        }
    }
}

/// The outcome of a run.
pub struct LoadReport {
    /// Latency of correct answers in the measured window, in microseconds.
    pub latency_us: Histogram<u64>,
    /// Correct answers in the measured window.
    pub requests: u64,
    /// Failures in the measured window.
    pub failures: Failures,
    /// Correct answers during the warm-up.
    pub warmup_requests: u64,
    /// Failures during the warm-up.
    pub warmup_failures: Failures,
    /// Correct answers that were equal as JSON but not byte-identical to the expected
    /// compact serialisation (each cost a parse on the load generator).
    pub not_byte_identical: u64,
    /// Connections that had to be opened again because the server closed them.
    pub reconnects: u64,
    /// Answers (correct or not) that came after the measured window closed, from
    /// requests in flight at that moment.
    pub after_window: u64,
    /// The measured window's length.
    pub window: Duration,
}

impl LoadReport {
    /// Correct answers per second in the measured window.
    pub fn requests_per_second(&self) -> f64 {
        let seconds = self.window.as_secs_f64();
        if seconds > 0.0 {
            self.requests as f64 / seconds
        } else {
            0.0
        }
    }

    fn empty() -> Result<LoadReport> {
        Ok(LoadReport {
            latency_us: new_histogram()?,
            requests: 0,
            failures: Failures::default(),
            warmup_requests: 0,
            warmup_failures: Failures::default(),
            not_byte_identical: 0,
            reconnects: 0,
            after_window: 0,
            window: Duration::ZERO,
        })
    }

    fn merge(&mut self, other: LoadReport) -> Result<()> {
        self.latency_us.add(&other.latency_us)?;
        self.requests += other.requests;
        self.failures.merge(other.failures);
        self.warmup_requests += other.warmup_requests;
        self.warmup_failures.merge(other.warmup_failures);
        self.not_byte_identical += other.not_byte_identical;
        self.reconnects += other.reconnects;
        self.after_window += other.after_window;
        Ok(())
    }
}

fn new_histogram() -> Result<Histogram<u64>> {
    // 1 µs to 60 s at 3 significant figures; slower answers are clamped to 60 s.
    Ok(Histogram::new_with_bounds(1, 60_000_000, 3)?)
}

/// A load that is running; [`LoadRun::finish`] waits for its end.
pub struct LoadRun {
    workers: Vec<JoinHandle<Result<LoadReport>>>,
    schedule: Schedule,
}

/// Starts `connections` workers on `workload` following `schedule`.
pub fn start(workload: Arc<Workload>, connections: usize, schedule: Schedule) -> LoadRun {
    let workers = (0..connections)
        .map(|_| tokio::spawn(worker(Arc::clone(&workload), schedule)))
        .collect();
    LoadRun { workers, schedule }
}

impl LoadRun {
    /// Waits for every worker to stop and merges what they saw.
    pub async fn finish(self) -> Result<LoadReport> {
        let mut report = LoadReport::empty()?;
        for worker in self.workers {
            report.merge(worker.await??)?;
        }
        report.window = self.schedule.window();
        Ok(report)
    }
}

async fn worker(workload: Arc<Workload>, schedule: Schedule) -> Result<LoadReport> {
    let mut tally = LoadReport::empty()?;
    let mut connection: Option<SendRequest<Full<Bytes>>> = None;
    loop {
        let started = Instant::now();
        if started >= schedule.stop_at {
            return Ok(tally);
        }
        let sent = send_one(&workload, &mut connection, &mut tally.reconnects);
        let outcome = match tokio::time::timeout(REQUEST_TIMEOUT, sent).await {
            Ok(outcome) => outcome,
            Err(_) => {
                // The connection still carries the abandoned request: never reuse it.
                connection = None;
                Err(Failure::Transport(format!(
                    "no answer within {}s",
                    REQUEST_TIMEOUT.as_secs()
                )))
            }
        };
        let finished = Instant::now();
        let phase = schedule.phase(finished);
        if phase == Phase::After {
            tally.after_window += 1;
        }
        match outcome {
            Ok(matched) => {
                if matches!(matched, Match::Value) {
                    tally.not_byte_identical += 1;
                }
                match phase {
                    Phase::Warmup => tally.warmup_requests += 1,
                    Phase::Measured => {
                        tally.requests += 1;
                        let latency = finished.duration_since(started);
                        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
                        tally.latency_us.saturating_record(micros.max(1));
                    }
                    // Outside the window: neither its throughput nor its latency.
                    Phase::After => {}
                }
            }
            Err(failure) => {
                let transport = matches!(failure, Failure::Transport(_));
                match phase {
                    Phase::Warmup => tally.warmup_failures.record(failure),
                    // A wrong answer is reported whenever it comes.
                    Phase::Measured | Phase::After => tally.failures.record(failure),
                }
                if transport {
                    // Start over on a new connection, without spinning on a dead server.
                    connection = None;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }
        }
    }
}

/// Sends the workload's request on the worker's connection (opening it if needed) and
/// checks the answer.
async fn send_one(
    workload: &Workload,
    connection: &mut Option<SendRequest<Full<Bytes>>>,
    reconnects: &mut u64,
) -> Result<Match, Failure> {
    let transport = |err: anyhow::Error| Failure::Transport(format!("{err:#}"));
    if let Some(sender) = connection.as_mut() {
        if sender.ready().await.is_err() {
            // The server closed an idle keep-alive connection; not a failed request.
            *connection = None;
            *reconnects += 1;
        }
    }
    let sender = match connection {
        Some(sender) => sender,
        None => connection.insert(workload.target.connect().await.map_err(transport)?),
    };
    let request = request(workload, workload.authorization.as_ref()).map_err(transport)?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|err| transport(err.into()))?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|err| transport(err.into()))?
        .to_bytes();
    if status != 200 {
        return Err(Failure::Status(status, snippet(&body)));
    }
    workload.expected.check(&body).map_err(Failure::WrongBody)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn expected() -> Expected {
        match Expected::new(json!({"data": {"users": [{"id": "1", "name": "Ada"}]}})) {
            Ok(expected) => expected,
            Err(err) => panic!("{err}"),
        }
    }

    #[test]
    fn accepts_the_compact_expected_bytes_without_parsing() {
        let body = br#"{"data":{"users":[{"id":"1","name":"Ada"}]}}"#;
        assert!(matches!(expected().check(body), Ok(Match::Bytes)));
    }

    #[test]
    fn accepts_an_equal_answer_spaced_or_ordered_differently() {
        let body = br#"{ "data": { "users": [ { "name": "Ada", "id": "1" } ] } }"#;
        assert!(matches!(expected().check(body), Ok(Match::Value)));
    }

    #[test]
    fn names_where_a_wrong_answer_differs() {
        let body = br#"{"data":{"users":[{"id":"1","name":"Bob"}]}}"#;
        assert_eq!(
            expected().check(body).err().as_deref(),
            Some(r#"wrong answer: $.data.users[0].name is "Bob", expected "Ada""#)
        );
        let body = br#"{"data":{"users":[]},"errors":[]}"#;
        assert_eq!(
            expected().check(body).err().as_deref(),
            Some("wrong answer: $.data.users has 0 items, expected 1")
        );
        let body = br#"{"data":{"users":[{"id":"1","name":"Ada"}]},"errors":[]}"#;
        assert_eq!(
            expected().check(body).err().as_deref(),
            Some("wrong answer: $.errors is not expected")
        );
    }

    #[test]
    fn counts_answers_by_when_they_arrive() {
        let schedule = Schedule::starting_now(Duration::from_secs(5), Duration::from_secs(30));
        let at = |seconds| schedule.measure_from + Duration::from_secs(seconds);
        assert_eq!(schedule.window(), Duration::from_secs(30));
        assert_eq!(schedule.phase(Instant::now()), Phase::Warmup);
        assert_eq!(schedule.phase(at(0)), Phase::Measured);
        assert_eq!(schedule.phase(at(29)), Phase::Measured);
        assert_eq!(schedule.phase(at(30)), Phase::After);
    }

    #[test]
    fn rejects_a_body_that_is_not_json() {
        assert!(expected()
            .check(b"Internal Server Error")
            .is_err_and(|why| why.starts_with("body is not JSON")));
    }
}
