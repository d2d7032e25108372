//! The credential a request presents, read from its headers: a bearer
//! token (`Authorization: Bearer …` by default, or a configured header or
//! cookie) and an API key (`X-API-Key`).

use http::HeaderMap;

/// Where a request's token is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// A header; with a scheme (`Bearer`), the header's value must start
    /// with it (compared without regard to case) and a space.
    Header {
        name: http::HeaderName,
        scheme: Option<String>,
    },
    /// A cookie of this name.
    Cookie(String),
}

impl Default for TokenSource {
    fn default() -> Self {
        Self::Header {
            name: http::header::AUTHORIZATION,
            scheme: Some("Bearer".to_string()),
        }
    }
}

/// What a request presents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// A token from the configured source.
    pub token: Option<String>,
    /// An `X-API-Key` header.
    pub api_key: Option<String>,
}

impl Credentials {
    pub fn none() -> Self {
        Self::default()
    }

    /// The credentials in `headers`.
    pub fn from_headers(headers: &HeaderMap, source: &TokenSource) -> Self {
        let api_key = headers
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        Self {
            token: token(headers, source),
            api_key,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.token.is_none() && self.api_key.is_none()
    }
}

fn token(headers: &HeaderMap, source: &TokenSource) -> Option<String> {
    match source {
        TokenSource::Header { name, scheme } => {
            let value = headers.get(name)?.to_str().ok()?.trim();
            let token = match scheme {
                None => value,
                Some(scheme) => {
                    let (given, rest) = value.split_once(' ')?;
                    if !given.eq_ignore_ascii_case(scheme) {
                        return None;
                    }
                    rest.trim()
                }
            };
            (!token.is_empty()).then(|| token.to_string())
        }
        TokenSource::Cookie(name) => headers
            .get_all(http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.trim().to_string())
            .filter(|value| !value.is_empty()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    #[test]
    fn a_bearer_token_is_read_whatever_the_scheme_case() {
        let source = TokenSource::default();
        for value in ["Bearer abc", "bearer abc", "BEARER   abc "] {
            let found = Credentials::from_headers(&headers(&[("authorization", value)]), &source);
            assert_eq!(found.token.as_deref(), Some("abc"), "{value}");
        }
        for value in ["Basic abc", "Bearer", "Bearer  ", "abc"] {
            let found = Credentials::from_headers(&headers(&[("authorization", value)]), &source);
            assert_eq!(found.token, None, "{value}");
        }
    }

    #[test]
    fn a_token_may_come_from_another_header_or_a_cookie() {
        let header = TokenSource::Header {
            name: http::HeaderName::from_static("x-token"),
            scheme: None,
        };
        let found = Credentials::from_headers(&headers(&[("x-token", "t1")]), &header);
        assert_eq!(found.token.as_deref(), Some("t1"));
        let cookie = TokenSource::Cookie("session".into());
        let request = headers(&[("cookie", "a=1; session=t2"), ("cookie", "b=2")]);
        assert_eq!(
            Credentials::from_headers(&request, &cookie)
                .token
                .as_deref(),
            Some("t2")
        );
        assert_eq!(
            Credentials::from_headers(&headers(&[("cookie", "sessionx=t")]), &cookie).token,
            None
        );
    }

    #[test]
    fn an_api_key_is_read_from_its_header() {
        let found = Credentials::from_headers(
            &headers(&[("x-api-key", " jk_1_s ")]),
            &TokenSource::default(),
        );
        assert_eq!(found.api_key.as_deref(), Some("jk_1_s"));
        assert!(Credentials::none().is_empty());
    }
}
