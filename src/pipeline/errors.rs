//! Every error a request can meet before execution ([`GatewayError`]), and
//! the GraphQL form of every error: the one place where errors get their
//! `extensions.code` (from a [`GatewayError`], or from the [`Cause`] of an
//! error met while executing), and where errors are written as JSON.

use std::sync::Arc;
use std::time::Duration;

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::graphql_error::{Cause, EntityLimit, FetchFailure, GraphQLError, Location, PathElement};
use crate::operation::{LimitExceeded, OperationError};
use crate::persisted::PersistedError;
use crate::plan::PlanError;

/// A request-level error of the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the gateway has no supergraph loaded yet")]
    NotReady,
    #[error("Must provide query string.")]
    MissingQuery,
    #[error("{0}")]
    Operation(Arc<OperationError>),
    #[error("Can only perform a {0} operation from a POST request.")]
    MethodNotAllowed(&'static str),
    #[error("Subscriptions are not supported.")]
    SubscriptionUnsupported,
    #[error("{0}")]
    InvalidVariables(String),
    #[error("{0}")]
    VariablesTooLarge(LimitExceeded),
    #[error("GraphQL introspection is not allowed, but the query contained __schema or __type.")]
    IntrospectionDisabled,
    #[error("{0}")]
    Introspection(String),
    #[error("{0}")]
    Plan(#[from] PlanError),
    #[error("The request took longer than the gateway's request timeout of {} ms.", .0.as_millis())]
    Timeout(Duration),
    #[error("{0}")]
    Persisted(#[from] PersistedError),
    #[error("{0}")]
    Identity(crate::identity::IdentityError),
    /// The operation touches fields the caller may not have (access in
    /// `reject` mode).
    #[error("The operation asks for fields the caller may not have.")]
    Forbidden(Arc<[crate::access::Denial]>),
    /// A list field that must be given exactly one of its slicing
    /// arguments (`@listSize(requireOneSlicingArgument:)`) is not.
    #[error("{0}")]
    SlicingArguments(String),
    /// The operation's estimated cost is over `limits.max_cost`.
    #[error("The operation's estimated cost, {cost}, is over the limit of {max}.")]
    TooExpensive { cost: u64, max: u64 },
    /// The caller is over one of its rate limits.
    #[error("{}", rate_limited_message(.0))]
    RateLimited(Box<crate::ratelimit::Limited>),
}

fn rate_limited_message(limited: &crate::ratelimit::Limited) -> String {
    match (limited.retry_after, limited.by) {
        (Some(wait), by) => format!(
            "Too many requests: the {by} limit is reached; retry in {} s.",
            crate::ratelimit::seconds(wait)
        ),
        (None, "cost") => "This operation costs more than the caller's whole cost budget.".into(),
        (None, by) => format!("This request is more than the whole {by} limit."),
    }
}

impl GatewayError {
    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotReady => "SERVICE_UNAVAILABLE",
            Self::MissingQuery => "BAD_REQUEST",
            Self::Operation(error) => match error.as_ref() {
                OperationError::Parse(_) => "GRAPHQL_PARSE_FAILED",
                OperationError::UnknownOperation(_) => "OPERATION_NOT_FOUND",
                OperationError::Limit(_) => "OPERATION_LIMIT_EXCEEDED",
                _ => "GRAPHQL_VALIDATION_FAILED",
            },
            Self::MethodNotAllowed(_) => "METHOD_NOT_ALLOWED",
            Self::SubscriptionUnsupported => "SUBSCRIPTION_NOT_SUPPORTED",
            Self::InvalidVariables(_) => "BAD_USER_INPUT",
            Self::VariablesTooLarge(_) | Self::Plan(PlanError::TooLarge(_)) => {
                "OPERATION_LIMIT_EXCEEDED"
            }
            Self::IntrospectionDisabled => "INTROSPECTION_DISABLED",
            Self::Introspection(_) => "GRAPHQL_VALIDATION_FAILED",
            Self::Plan(_) => "QUERY_PLANNING_FAILED",
            Self::Timeout(_) => "GATEWAY_TIMEOUT",
            Self::Persisted(error) => error.code(),
            Self::Identity(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::RateLimited(_) => "RATE_LIMITED",
            Self::TooExpensive { .. } => "COST_ESTIMATED_TOO_EXPENSIVE",
            Self::SlicingArguments(_) => "GRAPHQL_VALIDATION_FAILED",
        }
    }

    /// The limit this error reports, if it reports one.
    fn limit(&self) -> Option<&LimitExceeded> {
        match self {
            Self::Operation(error) => match error.as_ref() {
                OperationError::Limit(limit) => Some(limit),
                _ => None,
            },
            Self::VariablesTooLarge(limit) | Self::Plan(PlanError::TooLarge(limit)) => Some(limit),
            _ => None,
        }
    }

    /// The fields refused, when this is an access refusal.
    pub fn denials(&self) -> Option<&[crate::access::Denial]> {
        match self {
            Self::Forbidden(denials) => Some(denials),
            _ => None,
        }
    }

    /// The GraphQL errors reporting this error: a document's own errors
    /// (with their locations), or one error with this one's message.
    pub fn to_graphql(&self) -> Vec<GraphQLError<&Self>> {
        if let Self::Forbidden(denials) = self {
            return denials
                .iter()
                .map(|denial| GraphQLError {
                    path: Some(denial.path.clone()),
                    ..GraphQLError::new(format!("Access to {} is denied.", denial.coordinate), self)
                })
                .collect();
        }
        if let Self::Operation(error) = self {
            if !matches!(error.as_ref(), OperationError::Limit(_)) {
                return error
                    .to_graphql_errors()
                    .into_iter()
                    .map(|e| GraphQLError {
                        locations: e
                            .locations
                            .iter()
                            .map(|l| Location {
                                line: l.line,
                                column: l.column,
                            })
                            .collect(),
                        path: (!e.path.is_empty())
                            .then(|| e.path.iter().map(path_element).collect()),
                        ..GraphQLError::new(e.message, self)
                    })
                    .collect();
            }
        }
        vec![GraphQLError::new(self.to_string(), self)]
    }
}

fn path_element(segment: &apollo_compiler::response::ResponseDataPathSegment) -> PathElement {
    use apollo_compiler::response::ResponseDataPathSegment as Segment;
    match segment {
        Segment::Field(name) => PathElement::Key(name.as_str().into()),
        Segment::ListIndex(index) => PathElement::Index(*index),
    }
}

/// What an error's cause writes into its `extensions`: the code, then
/// entries of its own.
pub(super) trait Coded {
    fn code(&self) -> Option<&str>;

    /// Entries written after the code (only a cause with a code has any).
    fn write_entries<M: SerializeMap>(&self, _map: &mut M) -> Result<(), M::Error> {
        Ok(())
    }
}

/// The code of an error met while executing; none for a subgraph's error
/// passed through (it keeps the code it came with, if any).
impl Coded for Cause {
    fn code(&self) -> Option<&str> {
        Some(match self {
            Self::Subgraph => return None,
            Self::MaskedSubgraph { code } => code.as_deref().unwrap_or("SUBGRAPH_ERROR"),
            Self::Fetch(FetchFailure::TooLarge | FetchFailure::TooManyValues) => {
                "SUBGRAPH_RESPONSE_TOO_LARGE"
            }
            Self::Fetch(
                FetchFailure::Transport
                | FetchFailure::Status
                | FetchFailure::Timeout
                | FetchFailure::InvalidResponse
                | FetchFailure::Unhealthy
                | FetchFailure::NotAllowed,
            ) => "SUBGRAPH_REQUEST_FAILED",
            Self::EntityFetchRefused(EntityLimit::Representations) => "OPERATION_LIMIT_EXCEEDED",
            Self::EntityFetchRefused(EntityLimit::Values) | Self::EntityCopiesRefused => {
                "SUBGRAPH_RESPONSE_TOO_LARGE"
            }
            Self::InvalidSubgraphValue => "INVALID_SUBGRAPH_VALUE",
            Self::NonNullViolation => "NON_NULL_VIOLATION",
            Self::Forbidden => "FORBIDDEN",
            Self::TooManyErrors { .. } => "TOO_MANY_ERRORS",
        })
    }

    fn write_entries<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        if let Self::TooManyErrors { omitted } = self {
            map.serialize_entry("omitted", omitted)?;
        }
        Ok(())
    }
}

/// A request error's code is [`GatewayError::code`]; a limit error names
/// the limit, its value and the operation's figure.
impl Coded for &GatewayError {
    fn code(&self) -> Option<&str> {
        Some(GatewayError::code(self))
    }

    fn write_entries<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        if let GatewayError::TooExpensive { cost, max } = self {
            map.serialize_entry("cost", cost)?;
            map.serialize_entry("max", max)?;
        }
        if let GatewayError::RateLimited(limited) = self {
            map.serialize_entry("limit", limited.by)?;
            if let Some(wait) = limited.retry_after {
                map.serialize_entry("retryAfter", &crate::ratelimit::seconds(wait))?;
            }
        }
        if let Some(limit) = self.limit() {
            map.serialize_entry("limit", limit.limit)?;
            map.serialize_entry("max", &limit.max)?;
            map.serialize_entry("actual", &limit.actual)?;
        }
        Ok(())
    }
}

/// Errors (one, or a list) as a client receives them: `message`,
/// `locations` (unless empty), `path` (unless there is none), `extensions`
/// (unless empty) with `code` first.
pub(super) struct Encoded<'a, T: ?Sized>(pub &'a T);

impl<C: Coded> Serialize for Encoded<'_, [GraphQLError<C>]> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(Encoded))
    }
}

impl<C: Coded> Serialize for Encoded<'_, GraphQLError<C>> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let error = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("message", &error.message)?;
        if !error.locations.is_empty() {
            map.serialize_entry("locations", &error.locations)?;
        }
        if let Some(path) = &error.path {
            map.serialize_entry("path", path)?;
        }
        let extensions = &error.extensions;
        let code = extensions.cause.code();
        if code.is_some() || extensions.service.is_some() || !extensions.subgraph_entries.is_empty()
        {
            map.serialize_entry("extensions", &ExtensionsOut { error, code })?;
        }
        map.end()
    }
}

/// An error's `extensions`: the code (the cause's, or the one a subgraph's
/// error came with), the cause's own entries, `service`, then the
/// subgraph's entries.
struct ExtensionsOut<'a, C> {
    error: &'a GraphQLError<C>,
    code: Option<&'a str>,
}

impl<C: Coded> Serialize for ExtensionsOut<'_, C> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let extensions = &self.error.extensions;
        let mut map = serializer.serialize_map(None)?;
        match self.code {
            Some(code) => map.serialize_entry("code", code)?,
            None => {
                if let Some(code) = extensions.subgraph_entries.get("code") {
                    map.serialize_entry("code", code)?;
                }
            }
        }
        extensions.cause.write_entries(&mut map)?;
        if let Some(service) = &extensions.service {
            map.serialize_entry("service", service.as_str())?;
        }
        for (key, value) in &extensions.subgraph_entries {
            if key != "code" {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::operation::DocumentErrors;

    fn written<C: Coded>(error: &GraphQLError<C>) -> String {
        serde_json::to_string(&Encoded(error)).unwrap_or_default()
    }

    fn path(steps: &[&str]) -> Vec<PathElement> {
        steps
            .iter()
            .map(|s| match s.parse() {
                Ok(index) => PathElement::Index(index),
                Err(_) => PathElement::Key((*s).into()),
            })
            .collect()
    }

    #[test]
    fn every_cause_of_an_execution_error_has_its_code() {
        let masked = |code: Option<&str>| Cause::MaskedSubgraph {
            code: code.map(Into::into),
        };
        let cases = [
            (Cause::Subgraph, None),
            (masked(None), Some("SUBGRAPH_ERROR")),
            (masked(Some("NOT_FOUND")), Some("NOT_FOUND")),
            (
                Cause::Fetch(FetchFailure::TooLarge),
                Some("SUBGRAPH_RESPONSE_TOO_LARGE"),
            ),
            (
                Cause::Fetch(FetchFailure::TooManyValues),
                Some("SUBGRAPH_RESPONSE_TOO_LARGE"),
            ),
            (
                Cause::EntityFetchRefused(EntityLimit::Representations),
                Some("OPERATION_LIMIT_EXCEEDED"),
            ),
            (
                Cause::EntityFetchRefused(EntityLimit::Values),
                Some("SUBGRAPH_RESPONSE_TOO_LARGE"),
            ),
            (
                Cause::EntityCopiesRefused,
                Some("SUBGRAPH_RESPONSE_TOO_LARGE"),
            ),
            (Cause::InvalidSubgraphValue, Some("INVALID_SUBGRAPH_VALUE")),
            (Cause::NonNullViolation, Some("NON_NULL_VIOLATION")),
            (Cause::TooManyErrors { omitted: 2 }, Some("TOO_MANY_ERRORS")),
        ];
        for (cause, code) in cases {
            assert_eq!(cause.code(), code, "{cause:?}");
        }
        let failed = [
            FetchFailure::Transport,
            FetchFailure::Status,
            FetchFailure::Timeout,
            FetchFailure::InvalidResponse,
            FetchFailure::Unhealthy,
            FetchFailure::NotAllowed,
        ];
        for failure in failed {
            let cause = Cause::Fetch(failure);
            assert_eq!(cause.code(), Some("SUBGRAPH_REQUEST_FAILED"), "{cause:?}");
        }
    }

    #[test]
    fn every_request_error_has_its_code() {
        let limit = LimitExceeded {
            limit: "max_depth",
            max: 2,
            actual: 3,
        };
        let document = || DocumentErrors {
            first: Vec::new(),
            total: 0,
        };
        let operation = |error: OperationError| GatewayError::Operation(Arc::new(error));
        let cases = [
            (GatewayError::NotReady, "SERVICE_UNAVAILABLE"),
            (GatewayError::MissingQuery, "BAD_REQUEST"),
            (
                operation(OperationError::Parse(document())),
                "GRAPHQL_PARSE_FAILED",
            ),
            (
                operation(OperationError::Validation(document())),
                "GRAPHQL_VALIDATION_FAILED",
            ),
            (
                operation(OperationError::UnsupportedRoot("mutation")),
                "GRAPHQL_VALIDATION_FAILED",
            ),
            (
                operation(OperationError::UnknownOperation("x".into())),
                "OPERATION_NOT_FOUND",
            ),
            (
                operation(OperationError::Limit(limit.clone())),
                "OPERATION_LIMIT_EXCEEDED",
            ),
            (
                GatewayError::MethodNotAllowed("mutation"),
                "METHOD_NOT_ALLOWED",
            ),
            (
                GatewayError::SubscriptionUnsupported,
                "SUBSCRIPTION_NOT_SUPPORTED",
            ),
            (GatewayError::InvalidVariables("x".into()), "BAD_USER_INPUT"),
            (
                GatewayError::VariablesTooLarge(limit.clone()),
                "OPERATION_LIMIT_EXCEEDED",
            ),
            (
                GatewayError::IntrospectionDisabled,
                "INTROSPECTION_DISABLED",
            ),
            (
                GatewayError::Introspection("x".into()),
                "GRAPHQL_VALIDATION_FAILED",
            ),
            (
                GatewayError::Plan(PlanError::TooLarge(limit)),
                "OPERATION_LIMIT_EXCEEDED",
            ),
            (
                GatewayError::Plan(PlanError::Unresolvable {
                    type_name: "T".into(),
                    field: "f".into(),
                    reason: "r".into(),
                }),
                "QUERY_PLANNING_FAILED",
            ),
            (
                GatewayError::Timeout(Duration::from_secs(1)),
                "GATEWAY_TIMEOUT",
            ),
        ];
        for (error, code) in cases {
            for graphql in error.to_graphql() {
                assert_eq!(
                    Coded::code(&graphql.extensions.cause),
                    Some(code),
                    "{error:?}"
                );
            }
        }
    }

    #[test]
    fn an_error_is_written_message_locations_path_extensions_with_the_code_first() {
        let mut error = GraphQLError::new(
            "Cannot return null for non-nullable field",
            Cause::NonNullViolation,
        )
        .at(path(&["items", "0", "count"]));
        error.locations.push(Location { line: 1, column: 3 });
        assert_eq!(
            written(&error),
            r#"{"message":"Cannot return null for non-nullable field","locations":[{"line":1,"column":3}],"path":["items",0,"count"],"extensions":{"code":"NON_NULL_VIOLATION"}}"#
        );
        let masked = GraphQLError::new("subgraph error", Cause::MaskedSubgraph { code: None })
            .from_service("accounts");
        assert_eq!(
            written(&masked),
            r#"{"message":"subgraph error","extensions":{"code":"SUBGRAPH_ERROR","service":"accounts"}}"#
        );
    }

    #[test]
    fn an_empty_path_is_written_and_a_missing_one_is_not() {
        let error = GraphQLError::new("x", Cause::EntityCopiesRefused);
        assert_eq!(
            written(&error.clone().at(Vec::new())),
            r#"{"message":"x","path":[],"extensions":{"code":"SUBGRAPH_RESPONSE_TOO_LARGE"}}"#
        );
        assert_eq!(
            written(&error),
            r#"{"message":"x","extensions":{"code":"SUBGRAPH_RESPONSE_TOO_LARGE"}}"#
        );
    }

    #[test]
    fn a_subgraph_error_passed_through_keeps_its_extensions_with_its_code_first() {
        let mut error = GraphQLError::new("rate limited", Cause::Subgraph).at(path(&["reviews"]));
        let extensions = json!({ "retryAfter": 5, "code": "RATE_LIMITED", "tags": ["a"] });
        if let serde_json::Value::Object(map) = extensions {
            error.extensions.subgraph_entries = map;
        }
        assert_eq!(
            written(&error),
            r#"{"message":"rate limited","path":["reviews"],"extensions":{"code":"RATE_LIMITED","retryAfter":5,"tags":["a"]}}"#
        );
        let bare = GraphQLError::new("name is private", Cause::Subgraph);
        assert_eq!(written(&bare), r#"{"message":"name is private"}"#);
    }

    #[test]
    fn counted_errors_and_limits_write_their_figures_after_the_code() {
        let omitted = GraphQLError::new("3 more", Cause::TooManyErrors { omitted: 3 });
        assert_eq!(
            written(&omitted),
            r#"{"message":"3 more","extensions":{"code":"TOO_MANY_ERRORS","omitted":3}}"#
        );
        let limit = GatewayError::VariablesTooLarge(LimitExceeded {
            limit: "max_variables_depth",
            max: 2,
            actual: 5,
        });
        let errors = limit.to_graphql();
        assert_eq!(
            serde_json::to_string(&Encoded(errors.as_slice())).unwrap_or_default(),
            format!(
                r#"[{{"message":"{limit}","extensions":{{"code":"OPERATION_LIMIT_EXCEEDED","limit":"max_variables_depth","max":2,"actual":5}}}}]"#
            )
        );
    }
}
