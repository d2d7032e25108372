//! The request pipeline: one straight line of stages from a decoded GraphQL
//! request to an encoded response body, run against the live [`Snapshot`].
//!
//! The HTTP layer hands a [`GraphQLRequest`] to [`Gateway::execute`] and gets
//! back a [`GraphQLResponse`] whose body is already serialised (and, when
//! fragments are deferred, a stream of the payloads that follow). Every
//! error of every stage is mapped to a GraphQL error (with `extensions.code`)
//! here, in one place.

use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwapOption;
use bytes::Bytes;
use serde::Deserialize;

use crate::access::Access;
use crate::execute::{ClientSettings, ErrorPolicy, HealthState, ProbeSettings, SubgraphClient};
use crate::identity::{Identifier, IdentitySettings, Verify};
use crate::operation::{Limits, VariableLimits};
use crate::persisted::{ApqSettings, AutomaticPersistedQueries, PersistedOperations, SafelistMode};
use crate::store::Store;
pub use errors::GatewayError;
pub use forwarding::IdentityHeaders;
pub use snapshot::Snapshot;

mod authorize;
mod denied;
mod errors;
mod execution;
mod forwarding;
mod inbound;
mod incremental;
mod one_of;
mod respond;
mod snapshot;
mod stages;

/// Settings of the gateway that do not come from the supergraph.
///
/// The default is production's: introspection off and subgraph errors
/// masked; [`GatewaySettings::dev`] turns both on.
#[derive(Debug, Clone)]
pub struct GatewaySettings {
    /// Answer `__schema` / `__type` queries.
    pub introspection: bool,
    /// Subgraph name → URL, replacing the URL the supergraph declares.
    pub subgraph_urls: std::collections::HashMap<String, String>,
    /// How subgraphs are called and their answers taken.
    pub client: ClientSettings,
    /// Limits on each operation's document.
    pub limits: Limits,
    /// Limits on each request's variables.
    pub variable_limits: VariableLimits,
    /// Fields a query plan may ask subgraphs for.
    pub max_plan_fields: usize,
    /// JSON values one request may receive from subgraphs (or copy while
    /// merging their answers), all its subgraph responses together.
    pub max_response_values: usize,
    /// Memory the cache of prepared operations may hold (estimated bytes).
    pub cache_max_bytes: u64,
    /// Prepared operations larger than this are not cached.
    pub cache_max_entry_bytes: u64,
    /// Time one request may take; past it the client gets `GATEWAY_TIMEOUT`.
    pub request_timeout: Duration,
    /// Check every subgraph operation of a new plan against the subgraph's
    /// schema (once per plan); a failure is `QUERY_PLANNING_FAILED`.
    /// Default: on in debug builds (every test), off in release builds.
    pub validate_subgraph_operations: bool,
    /// Answer identical concurrent queries with one execution (see
    /// `inbound`). Default off.
    pub inbound_dedupe: bool,
    /// Automatic persisted queries; `None` refuses them with
    /// `PERSISTED_QUERY_NOT_SUPPORTED`.
    pub apq: Option<ApqSettings>,
    /// What happens to an operation outside the published manifests.
    pub safelist: SafelistMode,
    /// Callers holding one of these roles are not held to the safelist.
    pub safelist_exempt_roles: Vec<String>,
    /// How callers are identified (the verifiers are added to the
    /// [`Gateway`]: [`Gateway::with_token_verifier`]).
    pub identity: IdentitySettings,
    /// The headers that tell subgraphs who the caller is.
    pub identity_headers: IdentityHeaders,
    /// How operations' costs are estimated and bounded.
    pub cost: CostSettings,
}

/// How operations' costs are estimated and bounded (`limits.max_cost`,
/// `limits.default_list_size`, `limits.cost_header`).
#[derive(Debug, Clone)]
pub struct CostSettings {
    pub max_cost: Option<u64>,
    pub default_list_size: u64,
    /// The request header asking for `extensions.cost`.
    pub header: Option<http::HeaderName>,
}

impl Default for CostSettings {
    fn default() -> Self {
        Self {
            max_cost: None,
            default_list_size: 10,
            header: None,
        }
    }
}

impl Default for GatewaySettings {
    fn default() -> Self {
        Self {
            introspection: false,
            subgraph_urls: Default::default(),
            client: ClientSettings::default(),
            limits: Limits::default(),
            variable_limits: VariableLimits::default(),
            max_plan_fields: crate::plan::DEFAULT_MAX_PLAN_FIELDS,
            max_response_values: 500_000,
            cache_max_bytes: 64 * 1024 * 1024,
            cache_max_entry_bytes: 4 * 1024 * 1024,
            request_timeout: Duration::from_secs(60),
            validate_subgraph_operations: cfg!(debug_assertions),
            inbound_dedupe: false,
            apq: Some(ApqSettings {
                ttl: Duration::from_secs(24 * 3600),
                local_cache_bytes: 16 * 1024 * 1024,
            }),
            safelist: SafelistMode::Off,
            safelist_exempt_roles: Vec::new(),
            identity: IdentitySettings::default(),
            identity_headers: IdentityHeaders::default(),
            cost: CostSettings::default(),
        }
    }
}

impl GatewaySettings {
    /// The settings of `junction dev`: introspection on, subgraph errors
    /// passed through.
    pub fn dev() -> Self {
        let mut settings = Self {
            introspection: true,
            ..Self::default()
        };
        settings.client.default.errors = ErrorPolicy::Passthrough;
        settings
    }
}

/// One GraphQL request as decoded from HTTP (POST body or GET parameters).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphQLRequest {
    pub query: Option<String>,
    pub operation_name: Option<String>,
    /// The variables' JSON text (an object), read within the variable
    /// limits by the pipeline.
    #[serde(default, deserialize_with = "object_text")]
    pub variables: Option<Box<serde_json::value::RawValue>>,
    pub extensions: Option<serde_json::Map<String, serde_json::Value>>,
    /// The id of a published operation, sent instead of `query`.
    pub document_id: Option<String>,
}

impl GraphQLRequest {
    /// A request for `query` with `variables` (an object or null).
    pub fn new(query: impl Into<String>, variables: &serde_json::Value) -> Self {
        Self {
            query: Some(query.into()),
            variables: variables_text(variables),
            ..Self::default()
        }
    }
}

/// A JSON object (or null) kept as text; anything else is refused.
fn object_text<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Box<serde_json::value::RawValue>>, D::Error> {
    let raw = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
    match raw.get().trim_start().as_bytes().first() {
        Some(b'{') => Ok(Some(raw)),
        Some(b'n') => Ok(None),
        _ => Err(serde::de::Error::custom("variables must be an object")),
    }
}

/// The JSON text of a variables value, or `None` for anything but an object.
pub fn variables_text(variables: &serde_json::Value) -> Option<Box<serde_json::value::RawValue>> {
    match variables {
        serde_json::Value::Object(_) => serde_json::value::to_raw_value(variables).ok(),
        _ => None,
    }
}

/// How the request arrived; mutations are refused over GET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestMethod {
    Get,
    Post,
}

/// What kind of response this is, for the HTTP layer to choose a status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseKind {
    /// Execution started: the body has a `data` entry (maybe null) and maybe `errors`.
    Executed,
    /// The request was rejected before execution (parse, validation, variables):
    /// the body has `errors` and no `data`.
    RequestError,
    /// A mutation (or subscription) sent over GET.
    MethodNotAllowed,
    /// No supergraph is loaded yet.
    NotReady,
    /// The request took longer than the request timeout.
    Timeout,
    /// No caller: a credential failed, or none was presented where one is
    /// required (HTTP 401 with `WWW-Authenticate`).
    Unauthenticated,
    /// A persisted query the gateway does not have (or takes no persisted
    /// queries): HTTP 200, so that the client sends the full query.
    QueryNeeded,
    /// The operation touches fields the caller may not have and access is
    /// in `reject` mode (HTTP 403).
    Forbidden,
    /// The caller is over a rate limit (HTTP 429 with `Retry-After`).
    RateLimited,
}

/// How the client can take a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// One response holding everything: deferred fragments are delivered inline.
    Complete,
    /// Deferred fragments may follow the initial payload (incremental delivery).
    Incremental,
}

/// The payloads that follow the initial one of an incremental response,
/// each a serialised JSON object (`{"incremental": […], "hasNext": …}`).
pub type Subsequent = futures::stream::BoxStream<'static, Bytes>;

/// A serialised GraphQL response body and its kind.
pub struct GraphQLResponse {
    pub kind: ResponseKind,
    /// The response, or the initial payload (with `"hasNext": true`) of an incremental one.
    pub body: Bytes,
    /// For an incremental response, the payloads still to come.
    pub subsequent: Option<Subsequent>,
    /// Headers the HTTP response carries (the rate limits' state).
    pub headers: Vec<(http::HeaderName, http::HeaderValue)>,
}

impl std::fmt::Debug for GraphQLResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphQLResponse")
            .field("kind", &self.kind)
            .field("body", &self.body)
            .field("incremental", &self.subsequent.is_some())
            .finish()
    }
}

/// Why a supergraph could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Supergraph(#[from] crate::supergraph::SupergraphError),
}

/// The long-lived gateway: the live snapshot and the subgraph HTTP client.
pub struct Gateway {
    settings: GatewaySettings,
    live: ArcSwapOption<Snapshot>,
    client: SubgraphClient,
    /// Client queries executing, shared by identical ones (inbound dedupe).
    inbound: crate::execute::InFlight<inbound::SharedAnswer, inbound::InboundKey>,
    /// Registered automatic persisted queries, when they are on.
    apq: Option<AutomaticPersistedQueries>,
    /// The operations SDK clients published, and the safelist over them.
    operations: PersistedOperations,
    /// Builds each request's caller.
    identifier: Identifier,
    /// The identity headers of an anonymous caller, built once.
    anonymous_headers: Arc<[(http::HeaderName, http::HeaderValue)]>,
    /// What callers may see: the supergraph's directives, and the policy
    /// when one is configured.
    access: Arc<Access>,
    /// Where denied requests are recorded, when an audit log is kept.
    denied_audit: Option<denied::DeniedAudit>,
    /// The rate limits, when any are configured.
    limiter: Option<Arc<crate::ratelimit::RateLimiter>>,
}

impl Gateway {
    pub fn new(settings: GatewaySettings) -> Self {
        let client = SubgraphClient::new(settings.client.clone());
        let apq = settings
            .apq
            .as_ref()
            .map(|apq| AutomaticPersistedQueries::new(apq, None));
        let operations = PersistedOperations::new(settings.safelist)
            .exempting(settings.safelist_exempt_roles.clone());
        let identifier = Identifier::new(settings.identity.clone());
        let anonymous_headers = forwarding::anonymous_headers(&settings.identity_headers);
        Self {
            settings,
            live: ArcSwapOption::empty(),
            client,
            inbound: Default::default(),
            apq,
            operations,
            identifier,
            anonymous_headers,
            access: Arc::new(Access::default()),
            denied_audit: None,
            limiter: None,
        }
    }

    /// Limits requests with `limiter` (when it limits anything).
    #[must_use]
    pub fn with_rate_limiter(mut self, limiter: Arc<crate::ratelimit::RateLimiter>) -> Self {
        self.limiter = limiter.settings().is_enabled().then_some(limiter);
        self
    }

    /// The rate limiter in force, if any.
    pub fn rate_limiter(&self) -> Option<&Arc<crate::ratelimit::RateLimiter>> {
        self.limiter.as_ref()
    }

    /// Records denied requests (who, which coordinates) in `log`.
    #[must_use]
    pub fn with_audit(mut self, log: crate::audit::AuditLog) -> Self {
        self.denied_audit = Some(denied::DeniedAudit::new(log));
        self
    }

    /// Decides what each caller may see with `access`.
    #[must_use]
    pub fn with_access(mut self, access: Arc<Access>) -> Self {
        self.access = access;
        self
    }

    /// The access control in force.
    pub fn access(&self) -> &Arc<Access> {
        &self.access
    }

    /// Shares registered persisted queries through `store` (with the other
    /// replicas using it), when they are on.
    #[must_use]
    pub fn with_apq_store(mut self, store: Arc<dyn Store>) -> Self {
        if let Some(apq) = &self.settings.apq {
            self.apq = Some(AutomaticPersistedQueries::new(apq, Some(store)));
        }
        self
    }

    /// Verifies bearer tokens (JWTs) with `verifier`.
    #[must_use]
    pub fn with_token_verifier(mut self, verifier: Arc<dyn Verify>) -> Self {
        self.identifier = self.identifier.with_tokens(verifier);
        self
    }

    /// Verifies API keys with `verifier`.
    #[must_use]
    pub fn with_api_key_verifier(mut self, verifier: Arc<dyn Verify>) -> Self {
        self.identifier = self.identifier.with_api_keys(verifier);
        self
    }

    /// How this gateway identifies callers (the admin API admits callers
    /// the same way).
    pub fn identifier(&self) -> &Identifier {
        &self.identifier
    }

    /// The published operations this gateway serves (the loader replaces
    /// them as manifests are published).
    pub fn persisted_operations(&self) -> &PersistedOperations {
        &self.operations
    }

    /// The API schema served now, if a supergraph is loaded.
    pub fn api_schema(
        &self,
    ) -> Option<apollo_compiler::validation::Valid<apollo_compiler::Schema>> {
        self.live
            .load_full()
            .map(|snapshot| snapshot.supergraph.api_schema.clone())
    }

    /// Builds a snapshot from supergraph SDL and makes it live. On error the
    /// previous snapshot (if any) keeps serving.
    pub fn load_supergraph(&self, sdl: &str) -> Result<(), SnapshotError> {
        let snapshot = Snapshot::build(sdl, &self.settings)?;
        self.live.store(Some(Arc::new(snapshot)));
        Ok(())
    }

    /// True once a supergraph is loaded.
    pub fn is_ready(&self) -> bool {
        self.live.load().is_some()
    }

    /// Subgraph query requests in flight (each shared by identical queries).
    pub fn in_flight_subgraph_requests(&self) -> usize {
        self.client.in_flight_count()
    }

    /// Requests waiting on those subgraph requests (leaders and followers).
    pub fn in_flight_subgraph_waiters(&self) -> usize {
        self.client.in_flight_waiters()
    }

    /// Client queries executing under inbound dedupe (each shared by the
    /// identical requests that arrived while it ran).
    pub fn in_flight_inbound_requests(&self) -> usize {
        self.inbound.len()
    }

    /// Client requests waiting on those executions (leaders and followers).
    pub fn in_flight_inbound_waiters(&self) -> usize {
        self.inbound.waiters()
    }

    /// Operations the live snapshot has prepared and planned (cache misses).
    pub fn operations_prepared(&self) -> usize {
        self.live.load().as_ref().map_or(0, |s| s.prepared_count())
    }

    /// Estimated bytes held by the live snapshot's operation cache.
    pub fn operation_cache_bytes(&self) -> u64 {
        self.live.load().as_ref().map_or(0, |s| s.cache_weight())
    }

    /// The last health probe results of the live supergraph's subgraphs.
    pub fn subgraph_health(&self) -> Vec<(String, HealthState)> {
        self.client.health().snapshot()
    }

    /// Probes the live supergraph's subgraphs once (nothing before a
    /// supergraph is loaded); [`Gateway::subgraph_health`] reports the results.
    pub async fn probe_subgraphs(&self, settings: &ProbeSettings) {
        let Some(snapshot) = self.live.load_full() else {
            return;
        };
        let subgraphs: Vec<(String, String)> = snapshot
            .supergraph
            .subgraphs
            .iter()
            .map(|s| (s.name.clone(), s.url.clone()))
            .collect();
        self.client.probe_all(&subgraphs, settings).await;
    }

    /// Runs one request that presents no credential (see [`Self::execute_for`]).
    pub async fn execute(
        &self,
        request: GraphQLRequest,
        method: RequestMethod,
        delivery: Delivery,
    ) -> GraphQLResponse {
        self.execute_for(request, &http::HeaderMap::new(), None, method, delivery)
            .await
    }

    /// Runs one request through the pipeline, within the request timeout
    /// (deferred fragments delivered later are held to the same deadline);
    /// `headers` are the HTTP request's (its credentials are read from them).
    pub async fn execute_for(
        &self,
        request: GraphQLRequest,
        headers: &http::HeaderMap,
        peer: Option<std::net::IpAddr>,
        method: RequestMethod,
        delivery: Delivery,
    ) -> GraphQLResponse {
        let Some(snapshot) = self.live.load_full() else {
            return respond::request_error(ResponseKind::NotReady, &GatewayError::NotReady);
        };
        let deadline = tokio::time::Instant::now() + self.settings.request_timeout;
        let context = stages::RequestContext {
            snapshot: &snapshot,
            settings: &self.settings,
            request,
            headers,
            peer,
            delivering: stages::Delivering {
                method,
                delivery,
                deadline,
            },
        };
        let executors = stages::Executors {
            client: &self.client,
            inbound: &self.inbound,
            apq: self.apq.as_ref(),
            operations: &self.operations,
            identifier: &self.identifier,
            anonymous_headers: &self.anonymous_headers,
            access: &self.access,
            denied_audit: self.denied_audit.as_ref(),
            limiter: self.limiter.as_deref(),
        };
        let mut counted = stages::Counted::default();
        let run = stages::run(context, executors, &mut counted);
        let mut response = match tokio::time::timeout_at(deadline, run).await {
            Ok(Ok(response)) => response,
            Ok(Err(GatewayError::RateLimited(limited))) => {
                let mut refused = respond::from_error(&GatewayError::RateLimited(limited.clone()));
                refused.headers = crate::ratelimit::headers(&limited.policies, limited.retry_after);
                refused
            }
            Ok(Err(error)) => respond::from_error(&error),
            Err(_) => {
                let timeout = self.settings.request_timeout;
                respond::request_error(ResponseKind::Timeout, &GatewayError::Timeout(timeout))
            }
        };
        if response.headers.is_empty() {
            response.headers = crate::ratelimit::headers(&counted.limits, None);
        }
        if let Some(cost) = counted.cost {
            respond::add_cost_extension(&mut response, cost);
        }
        response
    }

    /// The query plan of an operation, as text (`json = false`) or JSON.
    pub fn explain(
        &self,
        query: &str,
        operation_name: Option<&str>,
        json: bool,
    ) -> Result<String, String> {
        let snapshot = self.live.load_full().ok_or("no supergraph loaded")?;
        let prepared = snapshot
            .prepare(query, operation_name)
            .map_err(|e| respond::describe(&e))?;
        let plan = prepared.plan.as_ref().map_err(|e| e.to_string())?;
        Ok(if json {
            serde_json::to_string_pretty(&plan.to_json()).unwrap_or_default()
        } else {
            plan.to_string()
        })
    }

    /// The estimated cost of an operation (see `operation::CostModel`),
    /// integer arguments given as variables read from `variables`.
    pub fn estimate_cost(
        &self,
        query: &str,
        operation_name: Option<&str>,
        variables: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<u64, String> {
        let snapshot = self.live.load_full().ok_or("no supergraph loaded")?;
        let prepared = snapshot
            .prepare(query, operation_name)
            .map_err(|e| respond::describe(&e))?;
        let operation = &prepared.operation;
        let variable = |name: &str| variables.get(name)?.as_i64();
        snapshot.cost_model.estimate(
            &snapshot.supergraph.api_schema,
            &operation.root_type,
            &operation.selections,
            &variable,
        )
    }
}
