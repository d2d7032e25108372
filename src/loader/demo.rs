//! The built-in demo: the demo subgraphs (accounts, inventory, products,
//! reviews) served in this process, and a gateway on the demo supergraph
//! in front of them. `junction dev` runs it; tests start it too.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use junction_subgraphs::{DemoSubgraphs, SUBGRAPH_NAMES};

use super::{gateway_settings, LoadError};
use crate::config::Config;
use crate::pipeline::Gateway;

/// The demo supergraph (`schema/supergraph.graphql`), composed from the
/// demo subgraphs and built into the binary, so that the demo runs from any
/// working directory.
pub const DEMO_SUPERGRAPH: &str = include_str!("../../schema/supergraph.graphql");

/// The demo subgraphs and a gateway serving the demo supergraph in front of them.
pub struct DemoGateway {
    pub gateway: Arc<Gateway>,
    pub subgraphs: DemoSubgraphs,
}

/// Starts the demo subgraphs on `subgraphs_addr` (port 0: any free port) and
/// builds a gateway (from `config`) whose subgraph URLs point at them.
pub async fn start_demo(
    subgraphs_addr: SocketAddr,
    config: &Config,
) -> Result<DemoGateway, LoadError> {
    start_demo_with(subgraphs_addr, config, |gateway| gateway).await
}

/// [`start_demo`], the gateway finished by `finish` (its verifiers) before
/// it starts.
pub async fn start_demo_with(
    subgraphs_addr: SocketAddr,
    config: &Config,
    finish: impl FnOnce(Gateway) -> Gateway,
) -> Result<DemoGateway, LoadError> {
    let subgraphs = junction_subgraphs::spawn(subgraphs_addr)
        .await
        .map_err(LoadError::Demo)?;
    let mut settings = gateway_settings(config)?;
    let urls: HashMap<String, String> = SUBGRAPH_NAMES
        .iter()
        .map(|name| (name.to_string(), subgraphs.url(name)))
        .collect();
    settings.subgraph_urls.extend(urls);
    let gateway = Arc::new(finish(Gateway::new(settings)));
    gateway
        .load_supergraph(DEMO_SUPERGRAPH)
        .map_err(|error| LoadError::Invalid {
            origin: "the built-in demo supergraph".into(),
            error,
        })?;
    Ok(DemoGateway { gateway, subgraphs })
}
