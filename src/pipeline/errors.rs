//! Every error a request can meet before execution, and its GraphQL form:
//! the one place where stage errors get their `extensions.code`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};

use crate::operation::{LimitExceeded, OperationError};
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

    /// The GraphQL errors (JSON) reporting this error. A limit error names
    /// the limit, its value and the operation's figure in `extensions`.
    pub fn to_graphql(&self) -> Vec<Value> {
        let code = self.code();
        if let Self::Operation(error) = self {
            if !matches!(error.as_ref(), OperationError::Limit(_)) {
                return error
                    .to_graphql_errors()
                    .into_iter()
                    .map(|e| {
                        let mut value = serde_json::to_value(&e)
                            .unwrap_or_else(|_| json!({ "message": e.message }));
                        if let Value::Object(map) = &mut value {
                            map.insert("extensions".into(), json!({ "code": code }));
                        }
                        value
                    })
                    .collect();
            }
        }
        let mut extensions = Map::new();
        extensions.insert("code".into(), code.into());
        if let Some(limit) = self.limit() {
            extensions.insert("limit".into(), limit.limit.into());
            extensions.insert("max".into(), limit.max.into());
            extensions.insert("actual".into(), limit.actual.into());
        }
        vec![json!({ "message": self.to_string(), "extensions": extensions })]
    }
}
