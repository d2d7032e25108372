//! Compressed answers (`Accept-Encoding`: br, zstd, gzip, deflate) and
//! compressed request bodies (`Content-Encoding`), by tower-http's layers.
//!
//! An answer is compressed when it is at least the minimum size and is not
//! `multipart/mixed`: incremental parts are sent as they are, so that each
//! reaches the client when it is ready instead of waiting in a compressor's
//! buffer. A compressed request body is decompressed as it is read, and the
//! body limit counts the decompressed bytes, so a small compressed body
//! cannot expand past the limit.

use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::decompression::RequestDecompressionLayer;

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
