//! Typed configuration of the gateway process: the YAML file given with
//! `--config`, with command-line flags and `JUNCTION_*` variables laid over it.
//!
//! Every key has a documented default, so an empty file (or no file) is a
//! complete configuration. Unknown keys are refused, and validation errors name
//! the key they are about. `junction.example.yaml` at the repository root lists
//! every key with its default; a test below parses it so it cannot go stale.
//!
//! Nothing here reads the environment or the command line: the CLI passes the
//! values it got as a [`ConfigOverrides`].

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

mod access;
mod auth;
mod edge;
mod issuer;
mod limits;
mod persisted;
mod rate_limits;
mod server;
mod subgraphs;

pub use access::{AccessConfig, AccessModeConfig};
pub use auth::{
    AuthConfig, ClaimsConfig, ForwardConfig, JwtProviderConfig, Secret, TokenConfig,
    HMAC_ALGORITHMS, JWT_ALGORITHMS, MIN_SECRET_BYTES,
};
pub use edge::{
    BatchingConfig, CompressionConfig, CorsConfig, CsrfConfig, Encoding, GraphiqlConfig,
    DEV_ORIGINS,
};
pub use issuer::{
    IssuerAlgorithm, IssuerConfig, ACCESS_TOKEN_TTL_BOUNDS, REFRESH_TOKEN_TTL_BOUNDS,
};
pub use limits::LimitsConfig;
pub use persisted::{ApqConfig, PersistedOperationsConfig, Safelist};
pub use rate_limits::{OnStoreErrorConfig, RateLimitsConfig, TierConfig};
pub use server::ServerConfig;
pub use subgraphs::{ErrorExposure, ErrorsConfig, SubgraphConfig};

/// How strict the defaults are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// `junction serve`: introspection off, subgraph errors masked.
    #[default]
    Production,
    /// `junction dev`: introspection on, subgraph errors passed through.
    Dev,
}

/// The gateway's configuration, as read from YAML.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `production` (default) or `dev`: the defaults of `introspection`,
    /// `errors.subgraph`, `cors.allow_origins`, `csrf.enabled`,
    /// `batching.enabled` and `graphiql.enabled`. `junction dev` runs in
    /// `dev` mode.
    pub mode: Mode,
    /// Address the HTTP server binds. Default `127.0.0.1:4000`.
    pub listen: SocketAddr,
    /// Supergraph SDL file to serve and watch for changes. No default: it must
    /// come from here, `--supergraph` or `JUNCTION_SUPERGRAPH`. A relative path
    /// in the file is relative to the config file's directory.
    pub supergraph: Option<PathBuf>,
    /// Subgraph name → URL, replacing the URLs the supergraph declares.
    /// Default: none (the supergraph's URLs are used).
    pub subgraph_urls: BTreeMap<String, String>,
    /// Answer introspection queries (`__schema`, `__type`). Default: off in
    /// production mode, on in dev mode.
    pub introspection: Option<bool>,
    /// Timeout of one subgraph HTTP request, in milliseconds. Default `30000`.
    pub subgraph_timeout_ms: u64,
    /// Largest accepted request body, in bytes; larger bodies get HTTP 413.
    /// Default `2097152` (2 MiB).
    pub body_limit_bytes: usize,
    /// On SIGTERM or Ctrl-C, how long in-flight requests may take to finish
    /// before the process exits anyway, in milliseconds. Default `10000`.
    pub shutdown_drain_timeout_ms: u64,
    /// Memory the cache of prepared operations and query plans may hold, in
    /// bytes (estimated). Default `67108864` (64 MiB).
    pub cache_max_bytes: u64,
    /// An operation whose prepared form is larger than this is not cached.
    /// Default `4194304` (4 MiB).
    pub cache_max_entry_bytes: u64,
    /// Time between health probes of each subgraph, in milliseconds; `0`
    /// turns probing off. A subgraph failing two probes in a row gets no
    /// requests (they fail at once) until a probe succeeds. Default `5000`.
    pub subgraph_health_interval_ms: u64,
    /// The GraphQL query of the health probe. Default `{ __typename }`.
    pub subgraph_health_query: String,
    /// Serve the supergraph of the subgraph registry (in the store) instead
    /// of a file, following its changes live. Default `false`; also implied
    /// by `redis_url` when no `supergraph` file (or `--subgraphs`) is given.
    pub registry: bool,
    /// Redis URL of the store (`redis://`, `rediss://`, cluster and
    /// sentinel URLs). Default none: the embedded store in `data_dir`.
    pub redis_url: Option<String>,
    /// Directory of the embedded store (file `junction.redb`). Default `.junction`.
    pub data_dir: PathBuf,
    /// Prefix of every store key and channel. Default `junction:`.
    pub store_prefix: String,
    /// The admin API (`/admin/graphql`).
    pub admin: AdminConfig,
    /// Who the caller of a request is: credentials, identity providers.
    pub auth: AuthConfig,
    /// What each caller may see: the access policy.
    pub access: AccessConfig,
    /// Limits on each operation.
    pub limits: LimitsConfig,
    /// Request rates and cost budgets per caller.
    pub rate_limits: RateLimitsConfig,
    /// Limits of the HTTP server.
    pub server: ServerConfig,
    /// Cross-origin requests from browsers.
    pub cors: CorsConfig,
    /// Compressed answers and request bodies.
    pub compression: CompressionConfig,
    /// Cross-site request forgery prevention.
    pub csrf: CsrfConfig,
    /// Automatic persisted queries.
    pub apq: ApqConfig,
    /// Operations published by SDK clients, and the safelist.
    pub persisted_operations: PersistedOperationsConfig,
    /// Several operations in one request.
    pub batching: BatchingConfig,
    /// GraphiQL for browsers on `GET /graphql`.
    pub graphiql: GraphiqlConfig,
    /// What clients see of subgraph errors.
    pub errors: ErrorsConfig,
    /// Largest response accepted from a subgraph, in bytes; a larger one is
    /// cut off with `SUBGRAPH_RESPONSE_TOO_LARGE`. Default `33554432` (32 MiB).
    pub subgraph_response_limit_bytes: usize,
    /// Settings of single subgraphs, by name.
    pub subgraphs: BTreeMap<String, SubgraphConfig>,
    /// Check every subgraph operation of a new query plan against the
    /// subgraph's schema (as the supergraph tells it), once per plan; an
    /// invalid one is `QUERY_PLANNING_FAILED` instead of a subgraph's refusal.
    /// Default `false` (always on in debug builds).
    pub validate_subgraph_operations: bool,
    /// Answer identical concurrent queries (same operation, variables and
    /// caller) with one execution. Default `false`; the environment variable
    /// `JUNCTION_INBOUND_DEDUPE=true` turns it on whatever this says.
    pub inbound_dedupe: bool,
    /// Hosts the gateway may send subgraph requests to: names (`products.internal`),
    /// name suffixes (`*.internal`), IP addresses and CIDR blocks (`10.0.0.0/8`).
    /// Default empty: any host except link-local and cloud metadata addresses.
    pub subgraph_hosts: Vec<String>,
}

/// The admin API's settings.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdminConfig {
    /// Bearer token opening the admin API. Default none: the admin API is off.
    pub token: Option<String>,
}

impl std::fmt::Debug for AdminConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let token = self.token.as_ref().map(|_| "<redacted>");
        f.debug_struct("AdminConfig")
            .field("token", &token)
            .finish()
    }
}

/// The default listen address, also shown in `--help`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:4000";

impl Default for Config {
    fn default() -> Self {
        Self {
            mode: Mode::Production,
            listen: SocketAddr::from(([127, 0, 0, 1], 4000)),
            supergraph: None,
            subgraph_urls: BTreeMap::new(),
            introspection: None,
            subgraph_timeout_ms: 30_000,
            body_limit_bytes: 2 * 1024 * 1024,
            shutdown_drain_timeout_ms: 10_000,
            cache_max_bytes: 64 * 1024 * 1024,
            cache_max_entry_bytes: 4 * 1024 * 1024,
            subgraph_health_interval_ms: 5000,
            subgraph_health_query: "{ __typename }".to_string(),
            registry: false,
            redis_url: None,
            data_dir: PathBuf::from(".junction"),
            store_prefix: "junction:".to_string(),
            admin: AdminConfig::default(),
            auth: AuthConfig::default(),
            access: AccessConfig::default(),
            limits: LimitsConfig::default(),
            rate_limits: RateLimitsConfig::default(),
            server: ServerConfig::default(),
            cors: CorsConfig::default(),
            compression: CompressionConfig::default(),
            csrf: CsrfConfig::default(),
            apq: ApqConfig::default(),
            persisted_operations: PersistedOperationsConfig::default(),
            batching: BatchingConfig::default(),
            graphiql: GraphiqlConfig::default(),
            errors: ErrorsConfig::default(),
            subgraph_response_limit_bytes: 32 * 1024 * 1024,
            subgraphs: BTreeMap::new(),
            validate_subgraph_operations: false,
            inbound_dedupe: false,
            subgraph_hosts: Vec::new(),
        }
    }
}

/// Values from the command line or environment that replace file values.
#[derive(Debug, Clone, Default)]
pub struct ConfigOverrides {
    pub listen: Option<SocketAddr>,
    pub supergraph: Option<PathBuf>,
    /// Added to the file's `subgraph_urls`, replacing entries of the same name.
    pub subgraph_urls: Vec<(String, String)>,
    /// `--registry`: serve from the registry.
    pub registry: bool,
    pub redis_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub admin_token: Option<String>,
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        #[source]
        source: serde_yaml::Error,
    },
    #[error("invalid config: `{key}` {reason}")]
    Invalid { key: String, reason: String },
}

impl Config {
    /// Reads `path` (when given), lays `overrides` over it and validates the result.
    pub fn load(path: Option<&Path>, overrides: ConfigOverrides) -> Result<Self, ConfigError> {
        let mut config = match path {
            Some(path) => Self::read_file(path)?,
            None => Self::default(),
        };
        config.apply(overrides);
        config.validate()?;
        Ok(config)
    }

    /// Parses a config file; a relative `supergraph` path is resolved against
    /// the file's directory, so the file means the same from any working directory.
    pub fn read_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Self::from_yaml(&text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        if let Some(dir) = path.parent() {
            config.resolve_paths(dir);
        }
        Ok(config)
    }

    /// Makes the file's relative paths (`supergraph`,
    /// `auth.issuer.signing_key_file`, `access.policy`, `access.model`,
    /// `access.pii_rules`, `access.org_scoped`) relative to `dir`, the
    /// file's directory.
    fn resolve_paths(&mut self, dir: &Path) {
        let paths = [
            &mut self.supergraph,
            &mut self.auth.issuer.signing_key_file,
            &mut self.access.policy,
            &mut self.access.model,
            &mut self.access.pii_rules,
            &mut self.access.org_scoped,
        ];
        for path in paths.into_iter().flatten() {
            if path.is_relative() {
                *path = dir.join(&*path);
            }
        }
    }

    /// Parses YAML text; an empty document is the default configuration.
    pub fn from_yaml(text: &str) -> Result<Self, serde_yaml::Error> {
        if text.trim().is_empty() {
            return Ok(Self::default());
        }
        // A file of comments only parses as YAML null; treat it as empty too.
        if serde_yaml::from_str::<serde_yaml::Value>(text)?.is_null() {
            return Ok(Self::default());
        }
        // Parsed from the text (not from the value above) so that errors
        // carry the key path and the line.
        serde_yaml::from_str(text)
    }

    /// Replaces file values with those given on the command line or in the environment.
    pub fn apply(&mut self, overrides: ConfigOverrides) {
        if let Some(listen) = overrides.listen {
            self.listen = listen;
        }
        if let Some(supergraph) = overrides.supergraph {
            self.supergraph = Some(supergraph);
        }
        self.subgraph_urls.extend(overrides.subgraph_urls);
        self.registry |= overrides.registry;
        if let Some(url) = overrides.redis_url {
            self.redis_url = Some(url);
        }
        if let Some(dir) = overrides.data_dir {
            self.data_dir = dir;
        }
        if let Some(token) = overrides.admin_token {
            self.admin.token = Some(token);
        }
    }

    /// The supergraph comes from the registry: asked for (`registry: true`,
    /// `--registry`), or implied by a Redis URL when no supergraph file is given.
    pub fn serves_registry(&self, subgraph_list_given: bool) -> bool {
        self.registry
            || (self.redis_url.is_some() && self.supergraph.is_none() && !subgraph_list_given)
    }

    /// Checks every value; the error names the first offending key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        positive("subgraph_timeout_ms", self.subgraph_timeout_ms)?;
        positive("body_limit_bytes", self.body_limit_bytes as u64)?;
        positive("cache_max_bytes", self.cache_max_bytes)?;
        positive(
            "subgraph_response_limit_bytes",
            self.subgraph_response_limit_bytes as u64,
        )?;
        positive("server.max_connections", self.server.max_connections as u64)?;
        if self
            .admin
            .token
            .as_deref()
            .is_some_and(|t| t.trim().len() < 16)
        {
            return Err(invalid("admin.token", "must be at least 16 characters"));
        }
        self.validate_edge()?;
        self.auth.validate()?;
        self.access.validate()?;
        for (name, url) in &self.subgraph_urls {
            let key = format!("subgraph_urls.{name}");
            if name.is_empty() {
                return Err(invalid("subgraph_urls", "has an empty subgraph name"));
            }
            match url::Url::parse(url) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
                Ok(parsed) => {
                    let reason = format!("must be an http or https URL, not {}:", parsed.scheme());
                    return Err(invalid(&key, &reason));
                }
                Err(error) => {
                    let reason = format!("is not a valid URL ({error}): {url:?}");
                    return Err(invalid(&key, &reason));
                }
            }
        }
        Ok(())
    }

    /// The `cors`, `compression` and `csrf` sections.
    fn validate_edge(&self) -> Result<(), ConfigError> {
        let origins = self.cors.allow_origins.iter().flatten();
        for origin in origins.clone() {
            let scheme = origin.starts_with("http://") || origin.starts_with("https://");
            if origin != "*" && (!scheme || origin.ends_with('/')) {
                let reason =
                    format!("has {origin:?}: an origin is scheme://host[:port], with no path");
                return Err(invalid("cors.allow_origins", &reason));
            }
        }
        if self.cors.allow_credentials && origins.clone().any(|o| o == "*") {
            let reason = "cannot hold \"*\" with allow_credentials: name the origins";
            return Err(invalid("cors.allow_origins", reason));
        }
        for method in &self.cors.allow_methods {
            if http::Method::from_bytes(method.as_bytes()).is_err() {
                return Err(invalid(
                    "cors.allow_methods",
                    &format!("has {method:?}, not a method"),
                ));
            }
        }
        let headers = [
            ("cors.allow_headers", &self.cors.allow_headers),
            ("cors.expose_headers", &self.cors.expose_headers),
            ("csrf.required_headers", &self.csrf.required_headers),
        ];
        for (key, names) in headers {
            if let Some(name) = names
                .iter()
                .find(|n| http::HeaderName::try_from(n.as_str()).is_err())
            {
                return Err(invalid(key, &format!("has {name:?}, not a header name")));
            }
        }
        if self.apq.enabled && self.apq.ttl.is_zero() {
            return Err(invalid("apq.ttl", "must be greater than 0"));
        }
        positive(
            "batching.max_batch_size",
            self.batching.max_batch_size as u64,
        )?;
        if !(1..=9).contains(&self.compression.level) {
            return Err(invalid("compression.level", "must be from 1 to 9"));
        }
        if self.compression.enabled && self.compression.algorithms.is_empty() {
            return Err(invalid(
                "compression.algorithms",
                "must name at least one encoding when compression is enabled",
            ));
        }
        Ok(())
    }

    /// The origins allowed cross-origin access: as set, else the local
    /// ones in dev mode and none in production.
    pub fn cors_origins(&self) -> Vec<String> {
        match (&self.cors.allow_origins, self.mode) {
            (Some(origins), _) => origins.clone(),
            (None, Mode::Dev) => DEV_ORIGINS.iter().map(|o| o.to_string()).collect(),
            (None, Mode::Production) => Vec::new(),
        }
    }

    /// The most operations one batch may hold, when batching is on: as
    /// set, else on in dev mode only.
    pub fn max_batch(&self) -> Option<usize> {
        let enabled = self.batching.enabled.unwrap_or(self.mode == Mode::Dev);
        enabled.then_some(self.batching.max_batch_size)
    }

    /// Whether CSRF prevention is on: as set, else on in production mode only.
    pub fn csrf_enabled(&self) -> bool {
        self.csrf.enabled.unwrap_or(self.mode == Mode::Production)
    }

    /// Whether browsers get GraphiQL on `GET /graphql`: as set, else on in
    /// dev mode only.
    pub fn graphiql_enabled(&self) -> bool {
        self.graphiql.enabled.unwrap_or(self.mode == Mode::Dev)
    }

    /// Whether introspection is answered: as set, else on in dev mode only.
    pub fn introspection_enabled(&self) -> bool {
        self.introspection.unwrap_or(self.mode == Mode::Dev)
    }

    /// What clients see of `subgraph`'s errors: its own setting, else
    /// `errors.subgraph`, else masked (passed through in dev mode).
    pub fn subgraph_errors(&self, subgraph: &str) -> ErrorExposure {
        let default = match self.mode {
            Mode::Dev => ErrorExposure::Passthrough,
            Mode::Production => ErrorExposure::Mask,
        };
        self.subgraphs
            .get(subgraph)
            .and_then(|s| s.errors)
            .or(self.errors.subgraph)
            .unwrap_or(default)
    }

    /// [`Self::subgraph_timeout_ms`] as a duration.
    pub fn subgraph_timeout(&self) -> Duration {
        Duration::from_millis(self.subgraph_timeout_ms)
    }

    /// [`Self::shutdown_drain_timeout_ms`] as a duration.
    pub fn shutdown_drain_timeout(&self) -> Duration {
        Duration::from_millis(self.shutdown_drain_timeout_ms)
    }
}

fn positive(key: &str, value: u64) -> Result<(), ConfigError> {
    if value == 0 {
        return Err(invalid(key, "must be greater than 0"));
    }
    Ok(())
}

fn invalid(key: &str, reason: &str) -> ConfigError {
    ConfigError::Invalid {
        key: key.to_string(),
        reason: reason.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const EXAMPLE: &str = include_str!("../../junction.example.yaml");

    #[test]
    fn example_file_parses_and_states_every_default() {
        let example = Config::from_yaml(EXAMPLE).unwrap();
        example.validate().unwrap();
        // Every value in the example is the default, except the supergraph
        // path, which has none.
        let expected = Config {
            supergraph: Some(PathBuf::from("schema/supergraph.graphql")),
            ..Config::default()
        };
        assert_eq!(example, expected);
    }

    #[test]
    fn access_files_are_relative_to_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("junction.yaml");
        let text = "supergraph: s.graphql\naccess:\n  policy: p/policy.csv\n  model: p/model.conf\n  pii_rules: p/pii.yaml\n  org_scoped: p/org.yaml\n";
        std::fs::write(&file, text).unwrap();
        let config = Config::read_file(&file).unwrap();
        let at = |name: &str| Some(dir.path().join(name));
        assert_eq!(config.supergraph, at("s.graphql"));
        assert_eq!(config.access.policy, at("p/policy.csv"));
        assert_eq!(config.access.model, at("p/model.conf"));
        assert_eq!(config.access.pii_rules, at("p/pii.yaml"));
        assert_eq!(config.access.org_scoped, at("p/org.yaml"));
    }

    #[test]
    fn example_file_sets_every_key() {
        let defaults = serde_yaml::to_value(Config::default()).unwrap();
        let Some(keys) = defaults.as_mapping() else {
            panic!("a config serialises to a mapping");
        };
        for key in keys.keys() {
            let key = key.as_str().unwrap();
            assert!(
                EXAMPLE.contains(&format!("\n{key}:")),
                "junction.example.yaml does not set `{key}`"
            );
        }
    }

    #[test]
    fn edge_values_that_cannot_work_are_refused_by_key() {
        let cases = [
            (
                "cors:\n  allow_origins: [\"*\"]\n  allow_credentials: true\n",
                "cors.allow_origins",
            ),
            (
                "cors:\n  allow_origins: [\"app.example.com\"]\n",
                "cors.allow_origins",
            ),
            (
                "cors:\n  allow_origins: [\"https://a.io/\"]\n",
                "cors.allow_origins",
            ),
            ("cors:\n  allow_methods: [\"GE T\"]\n", "cors.allow_methods"),
            (
                "cors:\n  allow_headers: [\"bad header\"]\n",
                "cors.allow_headers",
            ),
            (
                "csrf:\n  required_headers: [\"x:y\"]\n",
                "csrf.required_headers",
            ),
            ("compression:\n  level: 0\n", "compression.level"),
            ("compression:\n  algorithms: []\n", "compression.algorithms"),
        ];
        for (yaml, key) in cases {
            let error = Config::from_yaml(yaml).unwrap().validate().unwrap_err();
            assert!(
                error.to_string().contains(&format!("`{key}`")),
                "{yaml}: {error}"
            );
        }
        let config = Config::from_yaml("compression:\n  enabled: false\n  algorithms: []\n");
        config.unwrap().validate().unwrap();
    }

    #[test]
    fn cors_and_csrf_defaults_follow_the_mode() {
        let production = Config::default();
        assert!(production.cors_origins().is_empty());
        assert!(production.csrf_enabled());
        let dev = Config {
            mode: Mode::Dev,
            ..Config::default()
        };
        assert_eq!(dev.cors_origins(), DEV_ORIGINS);
        assert!(!dev.csrf_enabled());
        assert_eq!((production.max_batch(), dev.max_batch()), (None, Some(10)));
        assert!(!production.graphiql_enabled() && dev.graphiql_enabled());
        // Brotli's memory per answer makes it opt-in.
        assert!(!production.compression.algorithms.contains(&Encoding::Br));
        let set =
            Config::from_yaml("mode: dev\ncsrf:\n  enabled: true\ncors:\n  allow_origins: []\n");
        let set = set.unwrap();
        assert!(set.csrf_enabled() && set.cors_origins().is_empty());
        let graphiql = Config::from_yaml("graphiql:\n  enabled: true\n").unwrap();
        assert!(graphiql.graphiql_enabled());
    }

    #[test]
    fn empty_file_is_the_default_configuration() {
        assert_eq!(Config::from_yaml("").unwrap(), Config::default());
        assert_eq!(Config::from_yaml("# nothing\n").unwrap(), Config::default());
    }

    #[test]
    fn unknown_key_is_refused_by_name() {
        let error = Config::from_yaml("listn: 127.0.0.1:4000\n").unwrap_err();
        assert!(error.to_string().contains("listn"), "{error}");
    }

    #[test]
    fn wrongly_typed_value_names_the_key() {
        let error = Config::from_yaml("introspection: maybe\n").unwrap_err();
        assert!(error.to_string().contains("introspection"), "{error}");
    }

    #[test]
    fn zero_timeout_is_invalid_and_names_the_key() {
        let config = Config::from_yaml("subgraph_timeout_ms: 0\n").unwrap();
        let error = config.validate().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid config: `subgraph_timeout_ms` must be greater than 0"
        );
    }

    #[test]
    fn subgraph_url_must_be_http() {
        let config = Config::from_yaml("subgraph_urls:\n  accounts: ftp://x/\n").unwrap();
        let error = config.validate().unwrap_err();
        assert!(
            error.to_string().contains("`subgraph_urls.accounts`"),
            "{error}"
        );
    }

    #[test]
    fn a_redis_url_turns_the_registry_on_and_short_admin_tokens_are_refused() {
        let mut config = Config::default();
        config.apply(ConfigOverrides {
            redis_url: Some("redis://127.0.0.1:6390".into()),
            admin_token: Some("short".into()),
            ..ConfigOverrides::default()
        });
        assert!(config.serves_registry(false));
        assert!(
            !config.serves_registry(true),
            "an explicit subgraph list wins"
        );
        assert_eq!(config.redis_url.as_deref(), Some("redis://127.0.0.1:6390"));
        let error = config.validate().unwrap_err().to_string();
        assert!(error.contains("admin.token"), "{error}");
        assert!(
            !format!("{config:?}").contains("short"),
            "the token is never shown"
        );
    }

    #[test]
    fn overrides_replace_file_values_and_merge_subgraph_urls() {
        let mut config = Config::from_yaml(
            "listen: 0.0.0.0:9000\nsupergraph: a.graphql\nsubgraph_urls:\n  a: http://a/\n  b: http://b/\n",
        )
        .unwrap();
        config.apply(ConfigOverrides {
            listen: Some("127.0.0.1:1234".parse().unwrap()),
            supergraph: Some(PathBuf::from("b.graphql")),
            subgraph_urls: vec![("b".into(), "http://b2/".into())],
            ..ConfigOverrides::default()
        });
        assert_eq!(config.listen, "127.0.0.1:1234".parse().unwrap());
        assert_eq!(config.supergraph, Some(PathBuf::from("b.graphql")));
        assert_eq!(
            config.subgraph_urls,
            BTreeMap::from([
                ("a".to_string(), "http://a/".to_string()),
                ("b".to_string(), "http://b2/".to_string()),
            ])
        );
    }

    #[test]
    fn relative_paths_are_relative_to_the_config_file() {
        let dir = std::env::temp_dir().join(format!("junction-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("junction.yaml");
        let yaml = "supergraph: schema/supergraph.graphql\nauth:\n  issuer:\n    signing_key_file: keys/signing.pem\n";
        std::fs::write(&path, yaml).unwrap();
        let config = Config::read_file(&path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            config.supergraph,
            Some(dir.join("schema/supergraph.graphql"))
        );
        assert_eq!(
            config.auth.issuer.signing_key_file,
            Some(dir.join("keys/signing.pem"))
        );
    }
}
