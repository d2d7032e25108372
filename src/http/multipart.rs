//! `multipart/mixed` framing of GraphQL responses (RFC 2046), as Apollo
//! Client, Relay (with meros) and other incremental-delivery clients read it.
//!
//! Each part is a JSON payload with its own `content-type`. Every chunk we
//! write ends with the delimiter that closes its part, so a client can hand
//! a payload on as soon as its chunk arrives, not only when the next one
//! does; the last chunk turns that delimiter into the closing one.

use std::convert::Infallible;

use axum::body::Body;
use bytes::{BufMut, Bytes, BytesMut};
use futures::stream::{self, BoxStream, StreamExt};

/// The boundary between parts.
const BOUNDARY: &str = "graphql";

const PART_HEADERS: &[u8] = b"\r\ncontent-type: application/json; charset=utf-8\r\n\r\n";

/// A multipart body: the initial payload, then the `subsequent` ones as they come.
pub fn body(initial: Bytes, subsequent: Option<BoxStream<'static, Bytes>>) -> Body {
    let mut first = BytesMut::new();
    first.put_slice(b"\r\n--");
    first.put_slice(BOUNDARY.as_bytes());
    first.put_slice(&part(&initial));
    let rest = subsequent.unwrap_or_else(|| stream::empty().boxed());
    let chunks = stream::once(async move { first.freeze() })
        .chain(rest.map(|payload| part(&payload)))
        .chain(stream::once(async { Bytes::from_static(b"--\r\n") }))
        .map(Ok::<Bytes, Infallible>);
    Body::from_stream(chunks)
}

/// One part's headers and payload, and the delimiter that ends it.
fn part(payload: &[u8]) -> Bytes {
    let mut chunk = BytesMut::with_capacity(payload.len() + 80);
    chunk.put_slice(PART_HEADERS);
    chunk.put_slice(payload);
    chunk.put_slice(b"\r\n--");
    chunk.put_slice(BOUNDARY.as_bytes());
    chunk.freeze()
}
