//! `junction serve`: load the configuration and the supergraph (a file, or
//! composed from a subgraph list), watch its files, serve HTTP until
//! SIGTERM or Ctrl-C.

use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, Context};
use tokio::net::TcpListener;

use super::watch::SupergraphSource;
use super::{signals, watch, ServeArgs};
use crate::config::{Config, ConfigOverrides};
use crate::http::{self, HttpSettings};
use crate::pipeline::{Gateway, GatewaySettings};

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let overrides = ConfigOverrides {
        listen: args.listen,
        supergraph: args.supergraph,
        subgraph_urls: args.subgraph_urls,
    };
    let config = Config::load(args.config.as_deref(), overrides)?;
    let source = match (args.subgraphs, config.supergraph.clone()) {
        (Some(subgraphs), _) => SupergraphSource::Subgraphs(subgraphs),
        (None, Some(path)) => SupergraphSource::File(path),
        (None, None) => return Err(anyhow!(
            "no supergraph: pass --supergraph FILE or --subgraphs FILE, set JUNCTION_SUPERGRAPH, or set `supergraph` in the config file"
        )),
    };
    let gateway = Arc::new(Gateway::new(gateway_settings(&config)));
    let sdl = load_supergraph(&gateway, &source)?;
    tracing::info!(path = %source.path().display(), "supergraph loaded");
    let watched = source.path().display().to_string();
    let _watcher = watch::watch_supergraph(source, Arc::clone(&gateway), sdl)
        .with_context(|| format!("cannot watch {watched}"))?;
    let listener = bind(config.listen).await?;
    let router = http::router(gateway, &http_settings(&config));
    http::serve(
        listener,
        router,
        signals::shutdown_signal(),
        config.shutdown_drain_timeout(),
    )
    .await
    .context("the HTTP server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Reads (or composes) and loads the supergraph; its text, for the watcher to compare against.
fn load_supergraph(gateway: &Gateway, source: &SupergraphSource) -> anyhow::Result<String> {
    let sdl = source.read().map_err(|e| anyhow!(e))?;
    let path: &Path = source.path();
    gateway
        .load_supergraph(&sdl)
        .with_context(|| format!("invalid supergraph from {}", path.display()))?;
    Ok(sdl)
}

/// Binds the listen address and logs the URL it serves.
pub async fn bind(address: std::net::SocketAddr) -> anyhow::Result<TcpListener> {
    let listener = TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}"))?;
    let bound = listener.local_addr()?;
    tracing::info!("listening on http://{bound}/graphql");
    Ok(listener)
}

/// The pipeline's settings from the configuration.
pub fn gateway_settings(config: &Config) -> GatewaySettings {
    GatewaySettings {
        introspection: config.introspection,
        subgraph_timeout: config.subgraph_timeout(),
        subgraph_urls: config
            .subgraph_urls
            .iter()
            .map(|(name, url)| (name.clone(), url.clone()))
            .collect(),
        cache_capacity: config.cache_capacity,
    }
}

/// The HTTP layer's settings from the configuration.
pub fn http_settings(config: &Config) -> HttpSettings {
    HttpSettings {
        body_limit_bytes: config.body_limit_bytes,
    }
}
