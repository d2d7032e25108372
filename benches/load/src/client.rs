//! A minimal HTTP/1.1 client over hyper for both harnesses: an `http://` endpoint
//! resolved once (so that connecting needs no DNS), a fresh connection to it, and a
//! `GET` that returns only the status (for `/ready`). The load benchmark keeps one
//! connection per worker; the hostile harness opens one per request.

use std::net::SocketAddr;

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::HOST;
use hyper::{Request, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// An HTTP endpoint, resolved once so workers connect without DNS.
#[derive(Debug, Clone)]
pub struct Target {
    addr: SocketAddr,
    authority: String,
    path: String,
}

impl Target {
    /// Parses and resolves an `http://host:port/path` URL.
    pub async fn resolve(url: &str) -> Result<Target> {
        let uri: Uri = url.parse().with_context(|| format!("bad URL {url:?}"))?;
        if uri.scheme_str() != Some("http") {
            bail!("{url}: only http:// URLs are supported");
        }
        let Some(authority) = uri.authority() else {
            bail!("{url}: no host");
        };
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let port = authority.port_u16().unwrap_or(80);
        let addr = tokio::net::lookup_host((host, port))
            .await
            .with_context(|| format!("resolving {host}"))?
            .next()
            .with_context(|| format!("{host} resolves to no address"))?;
        let path = uri
            .path_and_query()
            .map_or_else(|| String::from("/"), |path| path.as_str().to_owned());
        Ok(Target {
            addr,
            authority: authority.as_str().to_owned(),
            path,
        })
    }

    /// A new HTTP/1.1 connection to the target, for requests with a whole body.
    pub async fn connect(&self) -> Result<SendRequest<Full<Bytes>>> {
        connect(self.addr).await
    }

    /// The value of the `Host` header.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The path (and query) to request.
    pub fn path(&self) -> &str {
        &self.path
    }
}

async fn connect<B>(addr: SocketAddr) -> Result<SendRequest<B>>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // The connection ends when the sender is dropped or the peer closes it; a
        // broken connection shows up as an error on the next request.
        let _ = connection.await;
    });
    Ok(sender)
}

/// `GET url` on a fresh connection; the status code of the answer.
pub async fn get_status(url: &str) -> Result<u16> {
    let target = Target::resolve(url).await?;
    let mut sender = connect::<Empty<Bytes>>(target.addr).await?;
    let request = Request::get(target.path.as_str())
        .header(HOST, target.authority.as_str())
        .body(Empty::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    response.into_body().collect().await?;
    Ok(status)
}
