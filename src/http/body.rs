//! Reading a request body within a size limit and a deadline for the whole
//! body (not per chunk: a client dripping one byte at a time still has to
//! finish in time). A declared `Content-Length` over the limit is refused
//! before anything is read.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderMap};

use super::HttpError;

/// How much of a body may be read, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    pub max_bytes: usize,
    pub timeout: Duration,
}

/// Reads the whole body within `limits`.
pub async fn read(headers: &HeaderMap, body: Body, limits: BodyLimits) -> Result<Bytes, HttpError> {
    let too_large = HttpError::BodyTooLarge {
        limit: limits.max_bytes,
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limits.max_bytes as u64) {
        return Err(too_large);
    }
    let reading = axum::body::to_bytes(body, limits.max_bytes);
    match tokio::time::timeout(limits.timeout, reading).await {
        Err(_) => Err(HttpError::BodyTimeout(limits.timeout)),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) => {
            let over = std::error::Error::source(&error)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            Err(if over {
                too_large
            } else {
                HttpError::BodyUnreadable
            })
        }
    }
}
