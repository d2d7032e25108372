//! Why the HTTP layer refused a request before it reached the pipeline, and
//! the status and `extensions.code` each reason gets.

use axum::http::StatusCode;

/// A request the HTTP layer could not turn into a GraphQL request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("none of the media types in the Accept header can be produced; accept application/graphql-response+json, application/json or multipart/mixed;deferSpec=20220824")]
    NotAcceptable,
    #[error(
        "a POST request needs a Content-Type header; send the GraphQL request as application/json"
    )]
    MissingContentType,
    #[error("unsupported Content-Type {0:?}; send the GraphQL request as application/json")]
    UnsupportedMediaType(String),
    #[error("unsupported Content-Encoding {0:?}; send the body uncompressed or as gzip, br, zstd or deflate")]
    UnsupportedContentEncoding(String),
    #[error("the request body is larger than the limit of {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("the request body could not be read")]
    BodyUnreadable,
    #[error("the request body was not received within {} ms", .0.as_millis())]
    BodyTimeout(std::time::Duration),
    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("batching is not enabled: send one GraphQL request object, not an array")]
    BatchingDisabled,
    #[error("a batch holds at most {max} operations")]
    BatchTooLarge { max: usize },
    #[error("the batch is empty: send at least one GraphQL request object")]
    EmptyBatch,
    #[error("the request body must be a JSON object")]
    NotAnObject,
    #[error("`{name}` must be {expected}")]
    InvalidParameter {
        name: &'static str,
        expected: &'static str,
    },
    #[error("the `{name}` parameter is not valid JSON: {reason}")]
    InvalidJsonParameter { name: &'static str, reason: String },
    #[error("the query string could not be decoded: {0}")]
    InvalidQueryString(String),
    #[error("subscriptions are not supported yet: this gateway does not speak GraphQL over WebSocket (graphql-transport-ws, graphql-ws); send queries and mutations over HTTP")]
    WebSocketUnsupported,
    #[error("subscriptions are not supported yet: this gateway does not answer with text/event-stream (GraphQL over SSE); accept application/graphql-response+json, application/json or multipart/mixed;deferSpec=20220824")]
    EventStreamUnsupported,
    #[error("this request was refused as a possible cross-site request forgery: a browser could have sent it from any web page without asking first. Send it with Content-Type: application/json, or with one of these headers: {headers}")]
    CsrfSuspected { headers: String },
}

impl HttpError {
    /// The HTTP status of the response reporting this error.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotAcceptable | Self::EventStreamUnsupported => StatusCode::NOT_ACCEPTABLE,
            Self::MissingContentType
            | Self::UnsupportedMediaType(_)
            | Self::UnsupportedContentEncoding(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::BodyUnreadable
            | Self::MalformedJson(_)
            | Self::BatchingDisabled
            | Self::BatchTooLarge { .. }
            | Self::EmptyBatch
            | Self::NotAnObject
            | Self::InvalidParameter { .. }
            | Self::InvalidJsonParameter { .. }
            | Self::InvalidQueryString(_)
            | Self::CsrfSuspected { .. }
            | Self::WebSocketUnsupported => StatusCode::BAD_REQUEST,
        }
    }

    /// The `extensions.code` of the GraphQL error reporting this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::CsrfSuspected { .. } => return "CSRF_ERROR",
            Self::WebSocketUnsupported | Self::EventStreamUnsupported => {
                return "SUBSCRIPTION_NOT_SUPPORTED"
            }
            _ => {}
        }
        match self.status() {
            StatusCode::NOT_ACCEPTABLE => "NOT_ACCEPTABLE",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
            StatusCode::PAYLOAD_TOO_LARGE => "PAYLOAD_TOO_LARGE",
            StatusCode::REQUEST_TIMEOUT => "REQUEST_TIMEOUT",
            _ => "BAD_REQUEST",
        }
    }
}
