//! `junction serve`: load the configuration and the supergraph (a file, a
//! subgraph list composed here, or the registry in the store), follow its
//! changes, serve HTTP (and the admin API when a token is set) until
//! SIGTERM or Ctrl-C.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, Context};
use tokio::net::TcpListener;

use super::watch::SupergraphSource;
use super::{follow, signals, watch, ServeArgs};
use crate::admin;
use crate::config::ErrorExposure;
use crate::config::{Config, ConfigOverrides};
use crate::egress::AllowedHosts;
use crate::execute::{ClientSettings, ErrorPolicy, ProbeSettings, SubgraphPolicy};
use crate::http::AdminEndpoint;
use crate::http::{self, HttpSettings, ServerSettings};
use crate::operation::{Limits, VariableLimits};
use crate::pipeline::{Gateway, GatewaySettings};
use crate::registry::Registry;
use crate::store::{open_store, open_store_lazily, StoreConfig};

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let overrides = ConfigOverrides {
        listen: args.listen,
        supergraph: args.supergraph,
        subgraph_urls: args.subgraph_urls,
        registry: args.registry,
        redis_url: args.store.redis,
        data_dir: args.store.data_dir,
        admin_token: std::env::var("JUNCTION_ADMIN_TOKEN").ok(),
    };
    let config = Config::load(args.config.as_deref(), overrides)?;
    let gateway = Arc::new(Gateway::new(gateway_settings(&config)?));
    let from_registry = config.serves_registry(args.subgraphs.is_some());
    let registry = match from_registry || config.admin.token.is_some() {
        true => Some(open_server_registry(&config).await?),
        false => None,
    };
    let _follower;
    let _watcher;
    if from_registry {
        let registry = registry.clone().ok_or_else(|| anyhow!("no registry"))?;
        _follower = follow::follow_registry(registry, Arc::clone(&gateway));
        tracing::info!("serving the registry's supergraph (ready once one is published)");
    } else {
        let source = supergraph_source(args.subgraphs, &config)?;
        let sdl = load_supergraph(&gateway, &source)?;
        tracing::info!(path = %source.path().display(), "supergraph loaded");
        let watched = source.path().display().to_string();
        _watcher = watch::watch_supergraph(source, Arc::clone(&gateway), sdl)
            .with_context(|| format!("cannot watch {watched}"))?;
    }
    let _health_checks = gateway.start_health_checks(probe_settings(&config));
    let mut settings = http_settings(&config);
    if let (Some(registry), Some(token)) = (registry, &config.admin.token) {
        settings.admin = Some(AdminEndpoint::new(admin::schema(registry), token));
        tracing::info!("admin API at /admin/graphql");
    }
    let listener = bind(config.listen).await?;
    let router = http::router(gateway, &settings);
    http::serve(
        listener,
        router,
        signals::shutdown_signal(),
        server_settings(&config),
    )
    .await
    .context("the HTTP server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// The supergraph file or subgraph list to serve.
fn supergraph_source(
    subgraphs: Option<std::path::PathBuf>,
    config: &Config,
) -> anyhow::Result<SupergraphSource> {
    match (subgraphs, config.supergraph.clone()) {
        (Some(subgraphs), _) => Ok(SupergraphSource::Subgraphs(subgraphs)),
        (None, Some(path)) => Ok(SupergraphSource::File(path)),
        (None, None) => Err(anyhow!(
            "no supergraph: pass --supergraph FILE, --subgraphs FILE or --registry, set JUNCTION_SUPERGRAPH or JUNCTION_REDIS_URL, or set `supergraph` or `registry` in the config file"
        )),
    }
}

/// Opens the configured store and the registry in it.
pub async fn open_registry(config: &Config) -> anyhow::Result<Registry> {
    let store = open_store(&store_config(config))
        .await
        .context("cannot open the store")?;
    tracing::info!(backend = store.backend(), "store opened");
    Ok(Registry::new(store).with_allowed_hosts(allowed_hosts(config)?))
}

/// The registry of a server: a Redis store may still be down (it is
/// connected on first use and the server is not ready until then).
async fn open_server_registry(config: &Config) -> anyhow::Result<Registry> {
    let store = open_store_lazily(&store_config(config))
        .await
        .context("cannot open the store")?;
    if let Err(error) = store.ping().await {
        tracing::warn!("the store does not answer yet; serving once it does: {error}");
    }
    tracing::info!(backend = store.backend(), "store opened");
    Ok(Registry::new(store).with_allowed_hosts(allowed_hosts(config)?))
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
pub fn gateway_settings(config: &Config) -> anyhow::Result<GatewaySettings> {
    let limits = &config.limits;
    Ok(GatewaySettings {
        introspection: config.introspection_enabled(),
        subgraph_urls: config
            .subgraph_urls
            .iter()
            .map(|(name, url)| (name.clone(), url.clone()))
            .collect(),
        client: client_settings(config)?,
        limits: Limits {
            max_tokens: limits.max_tokens,
            max_depth: limits.max_depth,
            max_aliases: limits.max_aliases,
            max_root_fields: limits.max_root_fields,
            max_directives: limits.max_directives,
            max_fields: limits.max_fields,
            max_errors: limits.max_errors,
        },
        variable_limits: VariableLimits {
            max_bytes: limits.max_variables_bytes,
            max_list_length: limits.max_list_length,
        },
        max_plan_fields: limits.max_plan_fields,
        max_response_values: limits.max_response_values,
        cache_max_bytes: config.cache_max_bytes,
        cache_max_entry_bytes: config.cache_max_entry_bytes,
        request_timeout: config.server.request_timeout,
        validate_subgraph_operations: config.validate_subgraph_operations || cfg!(debug_assertions),
        inbound_dedupe: config.inbound_dedupe || inbound_dedupe_from_env(),
    })
}

/// `JUNCTION_INBOUND_DEDUPE=true` (or `1`) turns inbound dedupe on whatever
/// the configuration says.
fn inbound_dedupe_from_env() -> bool {
    std::env::var("JUNCTION_INBOUND_DEDUPE")
        .is_ok_and(|value| matches!(value.trim().to_ascii_lowercase().as_str(), "true" | "1"))
}

/// How subgraphs are called, from the configuration.
fn client_settings(config: &Config) -> anyhow::Result<ClientSettings> {
    let policy = |name: &str| SubgraphPolicy {
        max_response_bytes: config
            .subgraphs
            .get(name)
            .and_then(|s| s.response_limit_bytes)
            .unwrap_or(config.subgraph_response_limit_bytes),
        errors: match config.subgraph_errors(name) {
            ErrorExposure::Passthrough => ErrorPolicy::Passthrough,
            ErrorExposure::Mask => ErrorPolicy::Mask,
        },
        http2: config.subgraphs.get(name).is_some_and(|s| s.http2),
    };
    Ok(ClientSettings {
        timeout: config.subgraph_timeout(),
        hosts: allowed_hosts(config)?,
        // A name no subgraph has: the defaults.
        default: policy(""),
        subgraphs: config
            .subgraphs
            .keys()
            .map(|name| (name.clone(), policy(name)))
            .collect(),
        max_entity_representations: config.limits.max_entity_representations,
    })
}

/// The subgraph hosts the gateway may call (`subgraph_hosts`).
pub fn allowed_hosts(config: &Config) -> anyhow::Result<AllowedHosts> {
    AllowedHosts::parse(&config.subgraph_hosts).context("invalid config: `subgraph_hosts`")
}

/// How subgraphs are probed, from the configuration.
pub fn probe_settings(config: &Config) -> ProbeSettings {
    ProbeSettings {
        interval: Duration::from_millis(config.subgraph_health_interval_ms),
        query: config.subgraph_health_query.clone(),
        timeout: config.subgraph_timeout().min(Duration::from_secs(2)),
    }
}

/// The store the configuration describes.
fn store_config(config: &Config) -> StoreConfig {
    StoreConfig {
        redis_url: config.redis_url.clone(),
        data_dir: config.data_dir.clone(),
        prefix: config.store_prefix.clone(),
    }
}

/// The HTTP server's limits from the configuration.
pub fn server_settings(config: &Config) -> ServerSettings {
    ServerSettings {
        header_read_timeout: config.server.header_read_timeout,
        keep_alive_timeout: config.server.keep_alive_timeout,
        max_connections: config.server.max_connections,
        drain_timeout: config.shutdown_drain_timeout(),
    }
}

/// The HTTP layer's settings from the configuration.
pub fn http_settings(config: &Config) -> HttpSettings {
    HttpSettings {
        body_limit_bytes: config.body_limit_bytes,
        body_read_timeout: config.server.body_read_timeout,
        admin: None,
    }
}
