//! The subgraph client's DNS resolver: the system resolver, then every
//! address checked against the egress allow-list, so that a subgraph host
//! name cannot lead the gateway to a link-local or unlisted address
//! (whatever it resolved to at publish time).

use std::net::SocketAddr;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::egress::AllowedHosts;

/// Resolves with the system resolver and refuses disallowed addresses.
pub struct CheckedResolver {
    hosts: AllowedHosts,
}

impl CheckedResolver {
    pub fn new(hosts: AllowedHosts) -> Self {
        Self { hosts }
    }
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let hosts = self.hosts.clone();
        Box::pin(async move {
            let host = name.as_str().to_string();
            hosts.check_name(&host)?;
            let addresses: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            hosts.check_resolved(&host, &addresses)?;
            let addresses: Addrs = Box::new(addresses.into_iter());
            Ok(addresses)
        })
    }
}
