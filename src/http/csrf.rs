//! Cross-site request forgery prevention for the GraphQL endpoint.
//!
//! A page on another site can make a browser send a "simple" request
//! without asking the server first (no CORS preflight): a `GET`, or a
//! `POST` whose `Content-Type` is `application/x-www-form-urlencoded`,
//! `multipart/form-data` or `text/plain`, with no header of its own. The
//! browser hides the answer, but the request has run, with the user's
//! cookies. So a request is served only when a browser would have had to
//! preflight it: it has a `Content-Type` that is none of those three (an
//! unparsable one counts as none of them, as browsers treat it), or one of
//! the configured headers (`apollo-require-preflight`,
//! `x-apollo-operation-name` by default), which no simple request can carry.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderName};

use super::HttpError;

/// The headers whose presence proves a request was preflighted.
#[derive(Debug, Clone, Default)]
pub struct CsrfSettings {
    pub required_headers: Vec<HeaderName>,
}

/// Content types a browser sends without a preflight.
const SIMPLE_CONTENT_TYPES: [&str; 3] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
];

/// Refuses a request a browser could have sent without a preflight.
pub fn check(headers: &HeaderMap, settings: &CsrfSettings) -> Result<(), HttpError> {
    if settings
        .required_headers
        .iter()
        .any(|h| headers.contains_key(h))
    {
        return Ok(());
    }
    if headers
        .get(CONTENT_TYPE)
        .is_some_and(|value| !is_simple(value.as_bytes()))
    {
        return Ok(());
    }
    let names: Vec<&str> = settings
        .required_headers
        .iter()
        .map(HeaderName::as_str)
        .collect();
    Err(HttpError::CsrfSuspected {
        headers: names.join(", "),
    })
}

/// Is this `Content-Type` one a simple request may have? Only when it
/// parses as a media type whose essence is one of the three.
fn is_simple(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let essence = text.split(';').next().unwrap_or_default().trim();
    let Some((kind, subtype)) = essence.split_once('/') else {
        return false;
    };
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
    };
    token(kind)
        && token(subtype)
        && SIMPLE_CONTENT_TYPES
            .iter()
            .any(|t| t.eq_ignore_ascii_case(essence))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> CsrfSettings {
        CsrfSettings {
            required_headers: vec![
                HeaderName::from_static("apollo-require-preflight"),
                HeaderName::from_static("x-apollo-operation-name"),
            ],
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_static(name),
                value.parse().unwrap_or_else(|_| unreachable!()),
            );
        }
        map
    }

    #[test]
    fn simple_requests_are_refused() {
        for pairs in [
            &[][..],
            &[("content-type", "text/plain")],
            &[("content-type", "TEXT/PLAIN; charset=utf-8")],
            &[("content-type", "text/plain;;;/")],
            &[("content-type", "application/x-www-form-urlencoded")],
            &[("content-type", "multipart/form-data; boundary=x")],
            &[("accept", "application/json")],
        ] {
            let refused = check(&headers(pairs), &settings());
            assert!(
                matches!(refused, Err(HttpError::CsrfSuspected { .. })),
                "{pairs:?}"
            );
        }
    }

    #[test]
    fn requests_a_browser_must_preflight_pass() {
        for pairs in [
            &[("content-type", "application/json")][..],
            &[("content-type", "application/graphql-response+json")],
            &[("content-type", "text/plain, application/json")],
            &[("apollo-require-preflight", "true")],
            &[
                ("x-apollo-operation-name", "Q"),
                ("content-type", "text/plain"),
            ],
        ] {
            assert_eq!(check(&headers(pairs), &settings()), Ok(()), "{pairs:?}");
        }
    }
}
