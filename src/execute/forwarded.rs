//! The headers a request's subgraph calls carry besides the fixed ones:
//! the caller's identity (`x-junction-subject`, … — built by the
//! pipeline), and the client's own `Authorization` header, sent only to the
//! subgraphs whose policy asks for it. Nothing else the client sent is
//! forwarded, so a client cannot claim an identity by sending those
//! headers itself.
//!
//! They are part of the in-flight key: two requests whose callers differ
//! never share a subgraph fetch.

use std::sync::Arc;

use http::{HeaderName, HeaderValue};

/// What one request forwards to its subgraphs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ForwardedHeaders {
    /// Sent to every subgraph.
    pub common: Arc<[(HeaderName, HeaderValue)]>,
    /// The client's `Authorization` header, for the subgraphs that ask.
    pub authorization: Option<HeaderValue>,
}

impl ForwardedHeaders {
    pub fn none() -> Self {
        Self::default()
    }

    /// The headers sent to a subgraph that does (or does not) take the
    /// client's `Authorization`.
    pub fn for_subgraph(&self, forward_authorization: bool) -> Vec<(HeaderName, HeaderValue)> {
        let mut headers = self.common.to_vec();
        if let (true, Some(value)) = (forward_authorization, &self.authorization) {
            headers.push((http::header::AUTHORIZATION, value.clone()));
        }
        headers
    }
}

/// The headers as the in-flight key holds them: sorted by name.
pub(super) fn key_of(headers: &[(HeaderName, HeaderValue)]) -> Vec<(HeaderName, HeaderValue)> {
    let mut key = headers.to_vec();
    key.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_goes_only_where_asked_and_keys_are_sorted() {
        let forwarded = ForwardedHeaders {
            common: Arc::from(vec![
                (
                    HeaderName::from_static("x-b"),
                    HeaderValue::from_static("2"),
                ),
                (
                    HeaderName::from_static("x-a"),
                    HeaderValue::from_static("1"),
                ),
            ]),
            authorization: Some(HeaderValue::from_static("Bearer t")),
        };
        assert_eq!(forwarded.for_subgraph(false).len(), 2);
        let with = forwarded.for_subgraph(true);
        assert_eq!(with.len(), 3);
        let key = key_of(&with);
        let names: Vec<&str> = key.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["authorization", "x-a", "x-b"]);
    }
}
