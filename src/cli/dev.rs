//! `junction dev`: the demo subgraphs in this process and the gateway in
//! front of them, with the demo supergraph built into the binary so that it
//! runs from any working directory.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use junction_subgraphs::{DemoSubgraphs, SUBGRAPH_NAMES};

use super::{serve, signals, DevArgs};
use crate::config::Config;
use crate::http;
use crate::pipeline::Gateway;

/// The demo supergraph (`schema/supergraph.graphql`), composed from the demo subgraphs.
pub const DEMO_SUPERGRAPH: &str = include_str!("../../schema/supergraph.graphql");

/// The demo subgraphs and a gateway serving the demo supergraph in front of them.
pub struct DemoGateway {
    pub gateway: Arc<Gateway>,
    pub subgraphs: DemoSubgraphs,
}

/// Starts the demo subgraphs on `subgraphs_addr` (port 0: any free port) and
/// builds a gateway whose subgraph URLs point at them.
pub async fn start_demo(
    subgraphs_addr: SocketAddr,
    config: &Config,
) -> anyhow::Result<DemoGateway> {
    let subgraphs = junction_subgraphs::spawn(subgraphs_addr)
        .await
        .with_context(|| format!("cannot start the demo subgraphs on {subgraphs_addr}"))?;
    let mut settings = serve::gateway_settings(config);
    let urls: HashMap<String, String> = SUBGRAPH_NAMES
        .iter()
        .map(|name| (name.to_string(), subgraphs.url(name)))
        .collect();
    settings.subgraph_urls.extend(urls);
    let gateway = Arc::new(Gateway::new(settings));
    gateway
        .load_supergraph(DEMO_SUPERGRAPH)
        .context("the built-in demo supergraph is invalid")?;
    Ok(DemoGateway { gateway, subgraphs })
}

pub async fn run(args: DevArgs) -> anyhow::Result<()> {
    let config = Config {
        listen: args.listen,
        ..Config::default()
    };
    let subgraphs_addr = SocketAddr::from(([127, 0, 0, 1], args.subgraphs_port.unwrap_or(0)));
    let demo = start_demo(subgraphs_addr, &config).await?;
    let listener = serve::bind(config.listen).await?;
    print_welcome(listener.local_addr()?, &demo.subgraphs);
    let router = http::router(Arc::clone(&demo.gateway), &serve::http_settings(&config));
    http::serve(
        listener,
        router,
        signals::shutdown_signal(),
        config.shutdown_drain_timeout(),
    )
    .await
    .context("the HTTP server failed")?;
    demo.subgraphs.shutdown();
    tracing::info!("stopped");
    Ok(())
}

fn print_welcome(gateway: SocketAddr, subgraphs: &DemoSubgraphs) {
    let url = format!("http://{gateway}/graphql");
    println!();
    println!("Junction dev: the demo supergraph over the demo subgraphs.");
    println!();
    println!("  GraphQL   {url}");
    println!("  health    http://{gateway}/health");
    println!("  ready     http://{gateway}/ready");
    for name in SUBGRAPH_NAMES {
        println!("  subgraph  {name:<10} {}", subgraphs.url(name));
    }
    println!();
    println!("Try:");
    println!(
        "  curl -s {url} -H 'content-type: application/json' \\\n       -d '{{\"query\":\"{{ topProducts {{ name price reviews {{ body author {{ username }} }} }} }}\"}}'"
    );
    println!();
    println!("Ctrl-C stops.");
}
