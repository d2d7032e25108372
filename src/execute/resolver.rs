//! The subgraph client's DNS resolver: the system resolver, then every
//! address checked against the egress allow-list, so that a subgraph host
//! name cannot lead the gateway to a link-local or unlisted address
//! (whatever it resolved to at publish time).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};

use hyper_util::client::legacy::connect::dns::Name;

use crate::egress::AllowedHosts;

/// Resolves with the system resolver and refuses disallowed addresses.
#[derive(Clone)]
pub struct CheckedResolver {
    hosts: AllowedHosts,
}

impl CheckedResolver {
    pub fn new(hosts: AllowedHosts) -> Self {
        Self { hosts }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

type Resolving =
    Pin<Box<dyn Future<Output = Result<std::vec::IntoIter<SocketAddr>, BoxError>> + Send>>;

impl tower::Service<Name> for CheckedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = BoxError;
    type Future = Resolving;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Resolving {
        let hosts = self.hosts.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            hosts.check_name(&host)?;
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            hosts.check_resolved(&host, &addresses)?;
            Ok(addresses.into_iter())
        })
    }
}
