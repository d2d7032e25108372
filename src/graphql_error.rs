//! A GraphQL error as a client receives it: message, locations, path and
//! extensions, one type from where the error is met (a subgraph's answer
//! read, a fetch failed, a value shaped) to the encoder.
//!
//! An error the gateway raises carries its cause ([`Cause`]), never a code:
//! `extensions.code` is assigned from the cause in one place, `pipeline`'s
//! error mapping, which also writes errors as JSON. A subgraph's error
//! keeps the subgraph's own extensions (data from the subgraph, as JSON) for
//! when it is passed through. Nothing here holds what a client must not see
//! (subgraph URLs, OS errors): that stays in the origins' own error types
//! and in the logs.
//!
//! This module uses no other module of ours, so that `execute`, `shape` and
//! `pipeline` can all use it.

use compact_str::CompactString;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

/// One GraphQL error. `C` is why it was raised: a [`Cause`] for every
/// error met while executing; the pipeline's request errors bring their
/// own.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphQLError<C = Cause> {
    pub message: String,
    /// Where in the client's document the error is (empty: nowhere in particular).
    pub locations: Vec<Location>,
    /// Where in the response the error is (`None`: not at a field).
    pub path: Option<Vec<PathElement>>,
    pub extensions: Extensions<C>,
}

impl<C> GraphQLError<C> {
    /// An error with `message` for `cause`, at no path or location.
    pub fn new(message: impl Into<String>, cause: C) -> Self {
        Self {
            message: message.into(),
            locations: Vec::new(),
            path: None,
            extensions: Extensions {
                cause,
                service: None,
                subgraph_entries: Map::new(),
            },
        }
    }

    /// This error at `path`.
    pub fn at(mut self, path: Vec<PathElement>) -> Self {
        self.path = Some(path);
        self
    }

    /// This error about subgraph `name` (`extensions.service`).
    pub fn from_service(mut self, name: &str) -> Self {
        self.extensions.service = Some(CompactString::from(name));
        self
    }
}

/// A place in the client's document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// From 1.
    pub line: usize,
    /// From 1, in characters.
    pub column: usize,
}

/// One step of a response path: a response key, or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PathElement {
    Key(CompactString),
    Index(usize),
}

/// An error's `extensions`: `code` (from the cause, or the subgraph's own)
/// comes first when written, then the cause's own entries, `service`, and
/// the subgraph's entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Extensions<C = Cause> {
    pub cause: C,
    /// The subgraph the error came from or is about.
    pub service: Option<CompactString>,
    /// A subgraph's own extensions, kept to be passed through.
    pub subgraph_entries: Map<String, Value>,
}

/// Why an error met while executing was raised. Each has its code in
/// `pipeline`'s error mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cause {
    /// A subgraph's error, passed through: its code, if it sent one, is
    /// among its extensions.
    Subgraph,
    /// A subgraph's error, masked; `code` is the subgraph's own when it is
    /// a plain one (it tells nothing the masking hides).
    MaskedSubgraph { code: Option<CompactString> },
    /// A subgraph request failed as a whole.
    Fetch(FetchFailure),
    /// An entity fetch was not sent: it would have gone over a limit.
    EntityFetchRefused(EntityLimit),
    /// An entity fetch's results were not all merged: copying them to every
    /// object they belong to would have gone over the request's value budget.
    EntityCopiesRefused,
    /// A subgraph's value is not of its field's type.
    InvalidSubgraphValue,
    /// A non-null field was null.
    NonNullViolation,
    /// The caller may not have this field (access control).
    Forbidden,
    /// Errors past `limits.max_errors` were left out.
    TooManyErrors { omitted: usize },
}

/// How a subgraph request failed: the kinds of `execute::FetchError`,
/// without their detail (which may hold URLs and OS errors, and is logged).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchFailure {
    Transport,
    Status,
    Timeout,
    InvalidResponse,
    /// The response was larger than the subgraph's limit in bytes.
    TooLarge,
    /// The response would have taken the request over its value budget.
    TooManyValues,
    Unhealthy,
    NotAllowed,
}

/// The limit an entity fetch would have gone over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityLimit {
    /// More distinct representations than `limits.max_entity_representations`.
    Representations,
    /// More objects to enrich than the request's value budget allows.
    Values,
}

impl Serialize for Location {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("line", &self.line)?;
        map.serialize_entry("column", &self.column)?;
        map.end()
    }
}

impl Serialize for PathElement {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Key(key) => serializer.serialize_str(key),
            Self::Index(index) => index.serialize(serializer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_and_a_location_are_written_as_the_spec_has_them() {
        let path = vec![PathElement::Key("items".into()), PathElement::Index(3)];
        assert_eq!(
            serde_json::to_string(&path).unwrap_or_default(),
            r#"["items",3]"#
        );
        let location = Location { line: 2, column: 7 };
        assert_eq!(
            serde_json::to_string(&location).unwrap_or_default(),
            r#"{"line":2,"column":7}"#
        );
    }
}
