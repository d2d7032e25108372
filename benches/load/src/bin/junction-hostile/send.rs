//! Sending one request to the gateway, on a connection of its own, with a deadline,
//! and reading what came back: the status, the size, and the GraphQL shape of the
//! body (data absent, null or present; how many errors; their codes). Only what the
//! report shows is kept, so a large answer is dropped as soon as it is read.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Result;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{ACCEPT, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use junction_loadbench::client::Target;
use serde_json::Value;

/// What became of one request.
pub enum Outcome {
    /// An HTTP answer came, whole.
    Answered(Answer),
    /// No answer: a connection error, or nothing before the deadline.
    Unanswered(String),
}

/// `POST` `body` to `target`; an answer not complete within `timeout` is none.
pub async fn post(target: &Target, body: Bytes, timeout: Duration) -> Outcome {
    match tokio::time::timeout(timeout, exchange(target, body)).await {
        Ok(Ok((status, body))) => Outcome::Answered(Answer::read(status, &body)),
        Ok(Err(err)) => Outcome::Unanswered(format!("{err:#}")),
        Err(_) => Outcome::Unanswered(format!("no answer within {} s", timeout.as_secs())),
    }
}

async fn exchange(target: &Target, body: Bytes) -> Result<(u16, Bytes)> {
    // A connection per request: an abandoned or refused request never leaves a
    // half-used connection behind for the next case.
    let mut sender = target.connect().await?;
    let request = Request::builder()
        .method(Method::POST)
        .uri(target.path())
        .header(HOST, target.authority())
        .header(CONTENT_TYPE, "application/json")
        // The GraphQL-over-HTTP media type, so that refusals get 4xx statuses.
        .header(
            ACCEPT,
            "application/graphql-response+json, application/json;q=0.9",
        )
        .body(Full::new(body))?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// What `data` is in a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Data {
    Absent,
    Null,
    Present,
}

/// What one answer said.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    /// Size of the body.
    pub bytes: usize,
    /// Whether the body is a JSON object.
    pub json: bool,
    pub data: Data,
    /// Length of `errors`.
    pub errors: usize,
    /// `extensions.code` of the first error, if it has one.
    pub first: Option<String>,
    /// The first error's message, shortened.
    pub first_message: Option<String>,
    /// `extensions.code` of the last error, if it has one.
    pub last: Option<String>,
    /// How many errors carry each code.
    pub codes: BTreeMap<String, usize>,
    /// The start of a body that is not JSON, to show.
    pub text: Option<String>,
}

impl Answer {
    /// Reads a status and body.
    pub fn read(status: u16, body: &[u8]) -> Answer {
        let mut answer = Answer {
            status,
            bytes: body.len(),
            json: false,
            data: Data::Absent,
            errors: 0,
            first: None,
            first_message: None,
            last: None,
            codes: BTreeMap::new(),
            text: None,
        };
        let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(body) else {
            answer.text = Some(shorten(&String::from_utf8_lossy(body)));
            return answer;
        };
        answer.json = true;
        answer.data = match object.get("data") {
            None => Data::Absent,
            Some(Value::Null) => Data::Null,
            Some(_) => Data::Present,
        };
        let errors = object.get("errors").and_then(Value::as_array);
        for error in errors.into_iter().flatten() {
            if let Some(code) = code(error) {
                *answer.codes.entry(code.to_owned()).or_default() += 1;
            }
        }
        answer.errors = errors.map_or(0, Vec::len);
        let first = errors.and_then(|errors| errors.first());
        answer.first = first.and_then(code).map(str::to_owned);
        answer.first_message = first
            .and_then(|error| error.get("message"))
            .and_then(Value::as_str)
            .map(shorten);
        answer.last = errors
            .and_then(|errors| errors.last())
            .and_then(code)
            .map(str::to_owned);
        answer
    }

    /// Whether this is data or a clear GraphQL error: a JSON object with `data`, or
    /// with errors whose first carries an `extensions.code`.
    pub fn is_clear(&self) -> bool {
        self.json && (self.data == Data::Present || (self.errors > 0 && self.first.is_some()))
    }

    /// The first error's code; `ok` without errors; `(no code)` or `(not JSON)`.
    pub fn first_code(&self) -> &str {
        match (&self.first, self.json, self.errors) {
            (Some(code), _, _) => code,
            (None, false, _) => "(not JSON)",
            (None, true, 0) => "ok",
            (None, true, _) => "(no code)",
        }
    }

    /// The last error's code, if it has one.
    pub fn last_code(&self) -> Option<&str> {
        self.last.as_deref()
    }

    /// Whether any error carries `code`.
    pub fn has_code(&self, code: &str) -> bool {
        self.codes.contains_key(code)
    }

    /// The body's GraphQL shape in a few words: `data null, 101 errors`.
    pub fn shape(&self) -> String {
        if !self.json {
            return String::from("not JSON");
        }
        let data = match self.data {
            Data::Absent => "no data",
            Data::Null => "data null",
            Data::Present => "data",
        };
        match self.errors {
            0 => data.to_owned(),
            1 => format!("{data}, 1 error"),
            n => format!("{data}, {n} errors"),
        }
    }
}

fn code(error: &Value) -> Option<&str> {
    error.get("extensions")?.get("code")?.as_str()
}

/// At most 200 characters of `text`, on one line.
pub fn shorten(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    match text.chars().nth(200) {
        Some(_) => format!("{line}…"),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_capped_error_list_with_partial_data() {
        let body = br#"{"data":null,"errors":[
            {"message":"a","extensions":{"code":"X"}},
            {"message":"b","extensions":{"code":"X"}},
            {"message":"1 more","extensions":{"code":"TOO_MANY_ERRORS"}}]}"#;
        let answer = Answer::read(200, body);
        assert!(answer.is_clear());
        assert_eq!(answer.first_code(), "X");
        assert_eq!(answer.last_code(), Some("TOO_MANY_ERRORS"));
        assert_eq!(answer.codes.get("X"), Some(&2));
        assert_eq!(answer.shape(), "data null, 3 errors");
        assert_eq!(answer.first_message.as_deref(), Some("a"));
    }

    #[test]
    fn data_without_errors_is_ok() {
        let answer = Answer::read(200, br#"{"data":{"items":[]}}"#);
        assert!(answer.is_clear());
        assert_eq!(answer.first_code(), "ok");
        assert_eq!(answer.shape(), "data");
    }

    #[test]
    fn an_error_without_a_code_or_a_body_that_is_not_json_is_not_clear() {
        let answer = Answer::read(400, br#"{"errors":[{"message":"bad"}]}"#);
        assert!(!answer.is_clear());
        assert_eq!(answer.first_code(), "(no code)");
        let answer = Answer::read(413, b"length limit exceeded");
        assert!(!answer.is_clear());
        assert_eq!(answer.first_code(), "(not JSON)");
        assert_eq!(answer.text.as_deref(), Some("length limit exceeded"));
    }

    #[test]
    fn shortens_long_text_to_one_line() {
        assert_eq!(shorten("a\nb"), "a b");
        let long = "x".repeat(300);
        assert_eq!(shorten(&long).chars().count(), 201);
    }
}
