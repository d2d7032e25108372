//! `junction serve`: load the configuration and the supergraph file, watch the
//! file, serve HTTP until SIGTERM or Ctrl-C.

use std::path::Path;
use std::sync::Arc;

use anyhow::{anyhow, Context};
use tokio::net::TcpListener;

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
    let path = config.supergraph.clone().ok_or_else(|| {
        anyhow!("no supergraph: pass --supergraph FILE, set JUNCTION_SUPERGRAPH, or set `supergraph` in the config file")
    })?;
    let gateway = Arc::new(Gateway::new(gateway_settings(&config)));
    let sdl = load_supergraph_file(&gateway, &path)?;
    tracing::info!(path = %path.display(), "supergraph loaded");
    let _watcher = watch::watch_supergraph(&path, Arc::clone(&gateway), sdl)
        .with_context(|| format!("cannot watch {}", path.display()))?;
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

/// Reads and loads a supergraph file; its text, for the watcher to compare against.
fn load_supergraph_file(gateway: &Gateway, path: &Path) -> anyhow::Result<String> {
    let sdl = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read supergraph {}", path.display()))?;
    gateway
        .load_supergraph(&sdl)
        .with_context(|| format!("invalid supergraph {}", path.display()))?;
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
