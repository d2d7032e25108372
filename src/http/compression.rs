//! Compressed answers (`Accept-Encoding`: br, zstd, gzip, deflate) and
//! compressed request bodies (`Content-Encoding`), by tower-http's layers.
//!
//! An answer is compressed when it is at least the minimum size and is not
//! `multipart/mixed`: incremental parts are sent as they are, so that each
//! reaches the client when it is ready instead of waiting in a compressor's
//! buffer. A compressed request body is decompressed as it is read, and the
//! body limit counts the decompressed bytes, so a small compressed body
//! cannot expand past the limit.
//!
//! An encoder holds memory for as long as its answer streams (zstd about
//! 0.3 MB, brotli about 1.6 MB), so at most `max_concurrent` answers are
//! compressed at once; past that, answers go out uncompressed (the
//! request's `Accept-Encoding` is set aside), which every client takes.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{ACCEPT_ENCODING, CONTENT_ENCODING};
use axum::middleware::Next;
use axum::response::Response;
use http_body_util::BodyExt;
use tokio::sync::Semaphore;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::decompression::RequestDecompressionLayer;

use super::{HttpError, ResponseMediaType};

/// Which encodings answers may use, from what size, at what level.
#[derive(Debug, Clone, Copy)]
pub struct CompressionSettings {
    pub br: bool,
    pub zstd: bool,
    pub gzip: bool,
    pub deflate: bool,
    /// Answers smaller than this are not compressed.
    pub min_size_bytes: u16,
    /// 1 (fastest) to 9.
    pub level: u8,
    /// Answers compressed at once, at most.
    pub max_concurrent: usize,
}

/// Content codings a request body may come in.
const READABLE_ENCODINGS: [&str; 5] = ["gzip", "br", "zstd", "deflate", "identity"];

/// Refuses a request body in a coding we cannot read, with a GraphQL
/// error (before the decompression layer would answer a bare 415).
pub async fn refuse_unknown_encoding(request: Request, next: Next) -> Response {
    let unknown = request
        .headers()
        .get_all(CONTENT_ENCODING)
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("?").split(','))
        .map(str::trim)
        .find(|coding| {
            !READABLE_ENCODINGS
                .iter()
                .any(|known| known.eq_ignore_ascii_case(coding))
        });
    match unknown {
        Some(coding) => {
            let error = HttpError::UnsupportedContentEncoding(coding.to_string());
            super::encode::http_error(&error, ResponseMediaType::Json)
        }
        None => next.run(request).await,
    }
}

/// Lets a request's answer be compressed only while fewer than the
/// maximum are: the permit goes with the answer's body and is released
/// when the body is done (sent, or dropped with its connection).
pub async fn limit_concurrent(
    State(permits): State<Arc<Semaphore>>,
    mut request: Request,
    next: Next,
) -> Response {
    if !request.headers().contains_key(ACCEPT_ENCODING) {
        return next.run(request).await;
    }
    let Ok(permit) = permits.try_acquire_owned() else {
        request.headers_mut().remove(ACCEPT_ENCODING);
        return next.run(request).await;
    };
    let response = next.run(request).await;
    response.map(|body| {
        Body::new(body.map_frame(move |frame| {
            let _held = &permit;
            frame
        }))
    })
}

/// The predicate deciding which answers are compressed.
pub type Compressible = tower_http::compression::predicate::And<
    tower_http::compression::predicate::And<SizeAbove, NotForContentType>,
    NotForContentType,
>;

/// The layer compressing answers.
pub fn response_layer(settings: &CompressionSettings) -> CompressionLayer<Compressible> {
    let predicate = SizeAbove::new(settings.min_size_bytes.saturating_sub(1))
        .and(NotForContentType::const_new("multipart/"))
        .and(NotForContentType::const_new("text/event-stream"));
    CompressionLayer::new()
        .br(settings.br)
        .zstd(settings.zstd)
        .gzip(settings.gzip)
        .deflate(settings.deflate)
        .quality(CompressionLevel::Precise(i32::from(settings.level)))
        .compress_when(predicate)
}

/// The layer decompressing request bodies (any of the four encodings);
/// another `Content-Encoding` is refused with 415.
pub fn request_layer() -> RequestDecompressionLayer {
    RequestDecompressionLayer::new()
        .br(true)
        .zstd(true)
        .gzip(true)
        .deflate(true)
}
