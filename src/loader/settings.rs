//! The gateway's settings from the typed configuration: what the pipeline,
//! the subgraph client and the health probes are built with.

use std::time::Duration;

use super::LoadError;
use crate::config::{Config, ErrorExposure, ForwardConfig, Safelist};
use crate::egress::AllowedHosts;
use crate::execute::{ClientSettings, ErrorPolicy, ProbeSettings, SubgraphPolicy};
use crate::identity::{AuthSettings, IdentitySettings};
use crate::operation::{Limits, VariableLimits};
use crate::persisted::{ApqSettings, SafelistMode};
use crate::pipeline::IdentityHeaders;
use crate::pipeline::{CostSettings, GatewaySettings};
use http::HeaderName;

/// The pipeline's settings from the configuration.
pub fn gateway_settings(config: &Config) -> Result<GatewaySettings, LoadError> {
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
        apq: config.apq.enabled.then_some(ApqSettings {
            ttl: config.apq.ttl,
            local_cache_bytes: config.apq.local_cache_bytes,
        }),
        identity: identity_settings(config)?,
        identity_headers: identity_headers(&config.auth.forward)?,
        cost: cost_settings(config)?,
        safelist_exempt_roles: config.persisted_operations.exempt_roles.clone(),
        safelist: match config.persisted_operations.safelist {
            Safelist::Off => SafelistMode::Off,
            Safelist::Log => SafelistMode::Log,
            Safelist::Refuse => SafelistMode::Refuse,
        },
    })
}

/// `limits.max_cost`, `limits.default_list_size` and `limits.cost_header`.
fn cost_settings(config: &Config) -> Result<CostSettings, LoadError> {
    let limits = &config.limits;
    let header = limits
        .cost_header
        .as_deref()
        .map(|name| {
            http::HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
                LoadError::Config(format!(
                    "invalid config: `limits.cost_header` {name:?} is not a header name"
                ))
            })
        })
        .transpose()?;
    Ok(CostSettings {
        max_cost: limits.max_cost,
        default_list_size: limits.default_list_size,
        header,
    })
}

/// Who must authenticate and where the token is read (the verifiers are
/// built by the command line: they need an HTTP client and a store).
fn identity_settings(config: &Config) -> Result<IdentitySettings, LoadError> {
    let auth =
        AuthSettings::try_from(&config.auth).map_err(|e| LoadError::Config(e.to_string()))?;
    Ok(IdentitySettings {
        required: auth.required,
        token_source: auth.token_source,
    })
}

/// The headers carrying the caller to subgraphs.
fn identity_headers(forward: &ForwardConfig) -> Result<IdentityHeaders, LoadError> {
    let name = |name: &Option<String>| -> Result<Option<HeaderName>, LoadError> {
        name.as_deref()
            .map(|n| HeaderName::try_from(n).map_err(|e| LoadError::Config(format!("{n}: {e}"))))
            .transpose()
    };
    Ok(IdentityHeaders {
        subject: name(&forward.subject)?,
        org: name(&forward.org)?,
        roles: name(&forward.roles)?,
        kind: name(&forward.kind)?,
    })
}

/// `JUNCTION_INBOUND_DEDUPE=true` (or `1`) turns inbound dedupe on whatever
/// the configuration says.
fn inbound_dedupe_from_env() -> bool {
    std::env::var("JUNCTION_INBOUND_DEDUPE")
        .is_ok_and(|value| matches!(value.trim().to_ascii_lowercase().as_str(), "true" | "1"))
}

/// How subgraphs are called, from the configuration.
pub fn client_settings(config: &Config) -> Result<ClientSettings, LoadError> {
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
        forward_authorization: config
            .subgraphs
            .get(name)
            .is_some_and(|s| s.forward_authorization),
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
pub fn allowed_hosts(config: &Config) -> Result<AllowedHosts, LoadError> {
    AllowedHosts::parse(&config.subgraph_hosts)
        .map_err(|error| LoadError::Config(format!("`subgraph_hosts`: {error}")))
}

/// How subgraphs are probed, from the configuration.
pub fn probe_settings(config: &Config) -> ProbeSettings {
    ProbeSettings {
        interval: Duration::from_millis(config.subgraph_health_interval_ms),
        query: config.subgraph_health_query.clone(),
        timeout: config.subgraph_timeout().min(Duration::from_secs(2)),
    }
}
