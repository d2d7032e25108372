//! The response headers of a limited request: the IETF `RateLimit-Policy`
//! and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers: one
//! quoted policy name per limit, `q` its quota and `w` its window in
//! seconds; `r` what remains and `t` the seconds until it is all back),
//! the common `X-RateLimit-Limit/Remaining/Reset` of the first (the
//! caller's request rate), and `Retry-After` on a refusal.

use std::fmt::Write as _;
use std::time::Duration;

use http::{HeaderName, HeaderValue};

use super::Rate;

/// One limit a request was counted against, and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyState {
    /// `requests`, `cost` or `ip`.
    pub name: &'static str,
    pub rate: Rate,
    pub remaining: u32,
    pub reset: Duration,
}

/// The headers for `policies` (none when there are none), with
/// `Retry-After` when the request was refused.
pub fn headers(
    policies: &[PolicyState],
    retry_after: Option<Duration>,
) -> Vec<(HeaderName, HeaderValue)> {
    let Some(first) = policies.first() else {
        return Vec::new();
    };
    let mut policy = String::new();
    let mut state = String::new();
    for (i, p) in policies.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        let _ = write!(
            policy,
            "{sep}\"{}\";q={};w={}",
            p.name,
            p.rate.burst,
            seconds(p.rate.period)
        );
        let _ = write!(
            state,
            "{sep}\"{}\";r={};t={}",
            p.name,
            p.remaining,
            seconds(p.reset)
        );
    }
    let mut out = vec![
        (HeaderName::from_static("ratelimit-policy"), policy),
        (HeaderName::from_static("ratelimit"), state),
        (
            HeaderName::from_static("x-ratelimit-limit"),
            first.rate.burst.to_string(),
        ),
        (
            HeaderName::from_static("x-ratelimit-remaining"),
            first.remaining.to_string(),
        ),
        (
            HeaderName::from_static("x-ratelimit-reset"),
            seconds(first.reset).to_string(),
        ),
    ];
    if let Some(wait) = retry_after {
        out.push((http::header::RETRY_AFTER, seconds(wait).to_string()));
    }
    out.into_iter()
        .filter_map(|(name, value)| Some((name, HeaderValue::from_str(&value).ok()?)))
        .collect()
}

/// Whole seconds, rounded up (a client waiting that long is not early).
pub fn seconds(duration: Duration) -> u64 {
    let whole = duration.as_secs();
    whole + u64::from(duration.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn every_policy_is_listed_and_the_first_is_repeated_in_the_common_headers() {
        let policies = [
            PolicyState {
                name: "requests",
                rate: "20/10s".parse().unwrap(),
                remaining: 4,
                reset: Duration::from_millis(8_001),
            },
            PolicyState {
                name: "ip",
                rate: "600/1m".parse().unwrap(),
                remaining: 590,
                reset: Duration::from_secs(1),
            },
        ];
        let listed: Vec<(String, String)> = headers(&policies, Some(Duration::from_millis(400)))
            .into_iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        let expected = [
            (
                "ratelimit-policy",
                "\"requests\";q=20;w=10, \"ip\";q=600;w=60",
            ),
            ("ratelimit", "\"requests\";r=4;t=9, \"ip\";r=590;t=1"),
            ("x-ratelimit-limit", "20"),
            ("x-ratelimit-remaining", "4"),
            ("x-ratelimit-reset", "9"),
            ("retry-after", "1"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(listed, expected);
        assert!(headers(&[], None).is_empty());
    }
}
