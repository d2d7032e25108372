//! `junction serve`: load the configuration, build the gateway, start the
//! [`Loader`] that loads its supergraph (a file, a subgraph list composed
//! here, or the registry in the store) and keeps it current, and serve HTTP
//! (and the admin API when a store is open) until SIGTERM or Ctrl-C.

use std::sync::Arc;

use anyhow::{anyhow, Context};
use axum::http::HeaderName;
use tokio::net::TcpListener;

use super::{signals, ServeArgs};
use crate::admin;
use crate::audit::{AuditLog, DEFAULT_MAX_ENTRIES};
use crate::config::{CompressionConfig, Config, ConfigOverrides, Encoding, Safelist};
use crate::http::AdminEndpoint;
use crate::http::{
    self, CompressionSettings, CorsSettings, CsrfSettings, GraphiqlSettings, HttpSettings,
    ServerSettings,
};
use crate::identity::api_keys::ApiKeys;
use crate::identity::issuer::{TokenIssuer, TokenVerifiers};
use crate::identity::{AuthSettings, IssuerSettings, JwtVerifier, Verify};
use crate::loader::{allowed_hosts, gateway_settings, probe_settings, Loader, SupergraphSource};
use crate::persisted::OperationLibrary;
use crate::pipeline::Gateway;
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
    let from_registry = config.serves_registry(args.subgraphs.is_some());
    let registry = match from_registry || config.admin.token.is_some() {
        true => Some(open_server_registry(&config).await?),
        false => None,
    };
    let mut gateway = with_shared_apq(Gateway::new(gateway_settings(&config)?), &config).await?;
    let external = token_verifier(&config)?.map(|v| v as Arc<dyn Verify>);
    let issuer = token_issuer(&config, registry.as_ref())?;
    if let Some(registry) = &registry {
        gateway = gateway.with_api_key_verifier(Arc::new(ApiKeys::new(registry.store())));
    }
    match (&issuer, external) {
        (Some(own), external) => {
            let own = own.clone();
            gateway = gateway.with_token_verifier(Arc::new(TokenVerifiers { own, external }));
        }
        (None, Some(external)) => gateway = gateway.with_token_verifier(external),
        (None, None) => {}
    }
    let access = crate::access::from_config(&config.access).await?;
    if let (Some(policy), _) = access.current() {
        let rules = policy.rules().len();
        tracing::info!(rules, mode = ?access.settings().mode, "access control on");
    }
    gateway = gateway.with_access(Arc::new(access));
    if let Some(limiter) = rate_limiter(&config, registry.as_ref()).await? {
        gateway = gateway.with_rate_limiter(limiter);
    }
    let audit = registry
        .as_ref()
        .map(|registry| AuditLog::new(registry.store(), DEFAULT_MAX_ENTRIES));
    if let Some(audit) = &audit {
        gateway = gateway.with_audit(audit.clone());
    }
    let gateway = Arc::new(gateway);
    let source = match (from_registry, &registry) {
        (true, Some(registry)) => SupergraphSource::Registry(registry.clone()),
        _ => file_source(args.subgraphs, &config)?,
    };
    let mut loader = Loader::start(Arc::clone(&gateway), source, probe_settings(&config))?;
    if let Some(policy) = &config.access.policy {
        loader.watch_access_policy(policy.clone(), Arc::clone(&gateway))?;
    }
    if let Some(registry) = &registry {
        let rules = crate::access::StoredRules::new(registry.store());
        loader.follow_access(rules, Arc::clone(&gateway));
        if let Some(limiter) = gateway.rate_limiter() {
            let overrides = crate::ratelimit::StoredOverrides::new(registry.store());
            loader.follow_rate_limit_overrides(overrides, Arc::clone(limiter));
        }
        loader.follow_operations(
            OperationLibrary::new(registry.store()),
            Arc::clone(&gateway),
        );
    } else if config.persisted_operations.safelist != Safelist::Off {
        tracing::warn!("persisted_operations.safelist is on but no store is configured (set admin.token, registry or redis_url): no operation is published, so none is safelisted");
    }
    let mut settings = http_settings(&config);
    settings.oauth = issuer;
    if let (Some(registry), Some(audit)) = (registry, audit) {
        let parts = admin::AdminParts {
            served: Some(served_schema(&gateway)),
            issuer: settings.oauth.clone(),
            access: Some(Arc::clone(gateway.access())),
            limiter: gateway.rate_limiter().cloned(),
        };
        let schema = admin::schema_with(registry, parts);
        let endpoint = match &config.admin.token {
            Some(token) => AdminEndpoint::new(schema, token),
            None => AdminEndpoint::without_token(schema),
        };
        settings.audit = Some(audit.clone());
        let endpoint = endpoint.with_audit(audit);
        settings.admin = Some(endpoint.with_identifier(gateway.identifier().clone()));
        tracing::info!("admin API at /admin/graphql (callers holding the admin role)");
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
    loader.stop().await;
    tracing::info!("stopped");
    Ok(())
}

/// Junction's own token issuer (`auth.issuer`), when a store is open to
/// keep its users and keys in; a signing key file is read now.
fn token_issuer(
    config: &Config,
    registry: Option<&Registry>,
) -> anyhow::Result<Option<TokenIssuer>> {
    let Some(registry) = registry else {
        if config.auth.issuer.signing_key_file.is_some() {
            tracing::warn!("auth.issuer.signing_key_file is not used: Junction issues no tokens without a store (set admin.token, registry or redis_url)");
        }
        return Ok(None);
    };
    let settings = IssuerSettings::try_from(&config.auth.issuer)?;
    tracing::info!(
        issuer = settings.name,
        algorithm = settings.algorithm.as_str(),
        key = if settings.signing_key.is_some() {
            "signing_key_file"
        } else {
            "store"
        },
        "Junction's own tokens are issued at /oauth/token"
    );
    let issuer = TokenIssuer::new(registry.store(), settings);
    prepare_signing_keys(&issuer);
    Ok(Some(issuer))
}

/// Reads the signing keys now, in the background (making the first one
/// when the store has none), so the first login does not wait for it.
pub fn prepare_signing_keys(issuer: &TokenIssuer) {
    let issuer = issuer.clone();
    tokio::spawn(async move {
        if let Err(error) = issuer.signing_keys().await {
            tracing::warn!("the signing keys could not be read yet: {error}");
        }
    });
}

/// The verifier of the external providers' JWTs, when `auth.providers`
/// lists any; their keys are fetched at once, in the background.
fn token_verifier(config: &Config) -> anyhow::Result<Option<Arc<JwtVerifier>>> {
    let auth = AuthSettings::try_from(&config.auth)?;
    if auth.jwt.providers.is_empty() {
        return Ok(None);
    }
    let client = reqwest::Client::builder()
        .build()
        .context("cannot build the HTTP client for JWKS")?;
    let verifier = Arc::new(JwtVerifier::new(auth.jwt, client)?);
    let prefetching = Arc::clone(&verifier);
    tokio::spawn(async move { prefetching.prefetch().await });
    tracing::info!(
        providers = config.auth.providers.len(),
        "JWTs of the configured identity providers are verified"
    );
    Ok(Some(verifier))
}

/// The API schema `gateway` serves, for the admin API to check operation
/// manifests against.
pub fn served_schema(gateway: &Arc<Gateway>) -> admin::ServedSchema {
    let gateway = Arc::clone(gateway);
    Arc::new(move || gateway.api_schema())
}

/// Persisted queries shared with the other replicas through Redis, when a
/// Redis store is configured (the embedded store belongs to one process).
async fn with_shared_apq(gateway: Gateway, config: &Config) -> anyhow::Result<Gateway> {
    if config.redis_url.is_none() || !config.apq.enabled {
        return Ok(gateway);
    }
    let store = open_store_lazily(&store_config(config))
        .await
        .context("cannot open the store for persisted queries")?;
    Ok(gateway.with_apq_store(store))
}

/// The supergraph file or subgraph list to serve.
fn file_source(
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

/// The rate limiter `config.rate_limits` asks for (none when it limits
/// nothing): shared through Redis when a Redis URL is configured (the
/// registry's store, or one opened for it), else in process.
pub async fn rate_limiter(
    config: &Config,
    registry: Option<&Registry>,
) -> anyhow::Result<Option<Arc<crate::ratelimit::RateLimiter>>> {
    let settings = crate::ratelimit::from_config(&config.rate_limits)?;
    if !settings.is_enabled() {
        return Ok(None);
    }
    let store = match (registry, &config.redis_url) {
        (Some(registry), _) => Some(registry.store()),
        (None, Some(_)) => Some(
            open_store_lazily(&store_config(config))
                .await
                .context("cannot open the store for rate limits")?,
        ),
        (None, None) => None,
    };
    let shared = store.as_ref().is_some_and(|s| s.backend() == "redis");
    tracing::info!(shared, tiers = settings.tiers.len(), "rate limits on");
    Ok(Some(Arc::new(crate::ratelimit::RateLimiter::new(
        settings, store,
    ))))
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
        cors: CorsSettings {
            origins: config.cors_origins(),
            methods: config.cors.allow_methods.clone(),
            headers: config.cors.allow_headers.clone(),
            expose_headers: config.cors.expose_headers.clone(),
            credentials: config.cors.allow_credentials,
            max_age: config.cors.max_age,
        },
        compression: config
            .compression
            .enabled
            .then(|| compression_settings(&config.compression)),
        max_batch: config.max_batch(),
        audit: None,
        oauth: None,
        csrf: config.csrf_enabled().then(|| CsrfSettings {
            required_headers: config
                .csrf
                .required_headers
                .iter()
                .filter_map(|name| HeaderName::try_from(name.as_str()).ok())
                .collect(),
        }),
        graphiql: config.graphiql_enabled().then(GraphiqlSettings::default),
    }
}

fn compression_settings(config: &CompressionConfig) -> CompressionSettings {
    let offers = |encoding| config.algorithms.contains(&encoding);
    CompressionSettings {
        br: offers(Encoding::Br),
        zstd: offers(Encoding::Zstd),
        gzip: offers(Encoding::Gzip),
        deflate: offers(Encoding::Deflate),
        min_size_bytes: config.min_size_bytes,
        level: config.level,
        max_concurrent: config.max_concurrent,
    }
}
