//! Every error a request can meet before execution, and its GraphQL form:
//! the one place where stage errors get their `extensions.code`.

use serde_json::{json, Value};

use crate::operation::OperationError;
use crate::plan::PlanError;

/// A request-level error of the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    #[error("the gateway has no supergraph loaded yet")]
    NotReady,
    #[error("Must provide query string.")]
    MissingQuery,
    #[error("{0}")]
    Operation(#[from] OperationError),
    #[error("Can only perform a {0} operation from a POST request.")]
    MethodNotAllowed(&'static str),
    #[error("Subscriptions are not supported.")]
    SubscriptionUnsupported,
    #[error("{0}")]
    InvalidVariables(String),
    #[error("GraphQL introspection is not allowed, but the query contained __schema or __type.")]
    IntrospectionDisabled,
    #[error("{0}")]
    Introspection(String),
    #[error("{0}")]
    Plan(#[from] PlanError),
}

impl GatewayError {
    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotReady => "SERVICE_UNAVAILABLE",
            Self::MissingQuery => "BAD_REQUEST",
            Self::Operation(OperationError::Parse(_)) => "GRAPHQL_PARSE_FAILED",
            Self::Operation(OperationError::UnknownOperation(_)) => "OPERATION_NOT_FOUND",
            Self::Operation(_) => "GRAPHQL_VALIDATION_FAILED",
            Self::MethodNotAllowed(_) => "METHOD_NOT_ALLOWED",
            Self::SubscriptionUnsupported => "SUBSCRIPTION_NOT_SUPPORTED",
            Self::InvalidVariables(_) => "BAD_USER_INPUT",
            Self::IntrospectionDisabled => "INTROSPECTION_DISABLED",
            Self::Introspection(_) => "GRAPHQL_VALIDATION_FAILED",
            Self::Plan(_) => "QUERY_PLANNING_FAILED",
        }
    }

    /// The GraphQL errors (JSON) reporting this error.
    pub fn to_graphql(&self) -> Vec<Value> {
        let code = self.code();
        match self {
            Self::Operation(error) => error
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
                .collect(),
            other => vec![json!({ "message": other.to_string(), "extensions": { "code": code } })],
        }
    }
}
