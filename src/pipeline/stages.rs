//! The stages of one request, in order, each one function over the
//! [`RequestContext`]: resolve a persisted operation (a published one by
//! id, or an automatic persisted query), apply the safelist, prepare (parse,
//! validate, plan — cached) and register the persisted query, check the
//! method, coerce variables, answer introspection, then execute and shape
//! ([`super::execution`], the same path with or without deferred
//! fragments). The identity, throttle and access stages of DESIGN.md §1
//! take their places in [`run`] as one line each.

use apollo_compiler::ast::OperationType;
use apollo_compiler::response::JsonMap;
use apollo_compiler::validation::Valid;
use serde_json::{Map, Value};

use std::sync::Arc;

use super::authorize::authorize;
use super::denied::DeniedAudit;
use super::execution::Execution;
use super::inbound::{InboundKey, SharedAnswer};
use super::snapshot::{PreparedRequest, Snapshot};
use super::{forwarding, one_of};
use super::{
    incremental, Delivery, GatewayError, GatewaySettings, GraphQLRequest, GraphQLResponse,
    RequestMethod,
};
use crate::access::{Access, Denial, VisibleSchema};
use crate::execute::{ForwardedHeaders, InFlight, SubgraphClient};
use crate::identity::{Caller, Identifier};
use crate::json::ValueBudget;
use crate::operation::{check_one_of_variables, check_variables, VariablesError};
use crate::persisted::{
    check_hash, requested_hash, AutomaticPersistedQueries, Named, PersistedError,
    PersistedOperations,
};
use crate::ratelimit::{client_ip, PolicyState, RateLimiter, Subject};
use crate::shape::OrgCheck;

/// How the request came and how its answer may go.
pub struct Delivering {
    pub method: RequestMethod,
    pub delivery: Delivery,
    /// When the request must be answered by (deferred fragments included).
    pub deadline: tokio::time::Instant,
}

/// What serves requests: the subgraph client, the executions identical
/// queries may share (inbound dedupe), and the registered persisted queries.
pub struct Executors<'a> {
    pub client: &'a SubgraphClient,
    pub inbound: &'a InFlight<SharedAnswer, InboundKey>,
    pub apq: Option<&'a AutomaticPersistedQueries>,
    pub operations: &'a PersistedOperations,
    pub identifier: &'a Identifier,
    /// The headers an anonymous caller's subgraph requests carry.
    pub anonymous_headers: &'a Arc<[(http::HeaderName, http::HeaderValue)]>,
    /// What callers may see.
    pub access: &'a Access,
    /// Where denied requests are recorded.
    pub denied_audit: Option<&'a DeniedAudit>,
    /// The rate limits, when any are configured.
    pub limiter: Option<&'a RateLimiter>,
}

/// One request on its way down the stages: what does not change while it
/// runs.
pub struct RequestContext<'a> {
    pub snapshot: &'a Arc<Snapshot>,
    pub settings: &'a GatewaySettings,
    pub request: GraphQLRequest,
    /// The HTTP request's headers (credentials, `Authorization` to forward).
    pub headers: &'a http::HeaderMap,
    /// The address of the connection's peer (rate limits by address).
    pub peer: Option<std::net::IpAddr>,
    pub delivering: Delivering,
}

/// What every stage returns: its product, or the one error that ends the
/// request before execution.
type StageResult<T> = Result<T, GatewayError>;

/// Runs a request; `Err` is the request error that stopped it (no
/// execution happened).
pub async fn run(
    mut context: RequestContext<'_>,
    executors: Executors<'_>,
    counted: &mut Counted,
) -> StageResult<GraphQLResponse> {
    let caller = identify(&context, executors.identifier).await?;
    let forwarded = forwarding::forwarded(
        &caller,
        &context.settings.identity_headers,
        executors.anonymous_headers,
        context.headers,
    );
    let resolved = resolve_persisted(&mut context.request, &executors).await?;
    admit_safelisted(
        &context.request,
        executors.operations,
        resolved.named,
        &caller,
    )?;
    let registering = resolved.register;
    let prepared = prepare(&context)?;
    register_persisted(&context.request, executors.apq, registering);
    check_method(&context, &prepared)?;
    let authorized = authorize(executors.access, context.snapshot, prepared, &caller)
        .inspect_err(|error| audit_denied(&context, &executors, &caller, error.denials()))?;
    audit_denied(&context, &executors, &caller, authorized.denials.as_deref());
    let prepared = authorized.prepared;
    let variables = coerce_variables(&context, &prepared)?;
    let cost = estimate_cost(&context, &executors, &prepared, &variables)?;
    counted.cost = cost.filter(|_| asks_for_cost(&context));
    counted.limits = throttle(&context, &executors, &caller, cost.unwrap_or(0)).await?;
    let introspection = introspect(&context, &prepared, &variables, authorized.visible)?;
    let mut execution = plan(
        &context,
        executors.client,
        prepared,
        variables,
        introspection,
        forwarded,
    )?;
    execution.org_check = org_check(executors.access, &caller);
    Ok(execute(&context, executors, execution, &caller).await)
}

/// What the request was counted as: its limits' states (for the response
/// headers) and its estimated cost when the client asked for it.
#[derive(Debug, Default)]
pub struct Counted {
    pub limits: Vec<PolicyState>,
    pub cost: Option<u64>,
}

/// Whether the request sends the header asking for its cost.
fn asks_for_cost(context: &RequestContext<'_>) -> bool {
    context
        .settings
        .cost
        .header
        .as_ref()
        .is_some_and(|name| context.headers.contains_key(name))
}

/// The operation's estimated cost, when anything reads it (a cost limit,
/// a cost budget, or a client asking for it); refused when over
/// `limits.max_cost`.
fn estimate_cost(
    context: &RequestContext<'_>,
    executors: &Executors<'_>,
    prepared: &PreparedRequest,
    variables: &Valid<JsonMap>,
) -> StageResult<Option<u64>> {
    let settings = &context.settings.cost;
    let asked = asks_for_cost(context);
    let budgeted = executors.limiter.is_some_and(RateLimiter::counts_cost);
    if settings.max_cost.is_none() && !asked && !budgeted {
        return Ok(None);
    }
    let operation = &prepared.operation;
    let variable = |name: &str| variables.get(name)?.as_i64();
    let cost = context
        .snapshot
        .cost_model
        .estimate(
            &context.snapshot.supergraph.api_schema,
            &operation.root_type,
            &operation.selections,
            &variable,
        )
        .map_err(GatewayError::SlicingArguments)?;
    match settings.max_cost {
        Some(max) if cost > max => Err(GatewayError::TooExpensive { cost, max }),
        _ => Ok(Some(cost)),
    }
}

/// Counts the request (and its `cost`) against the caller's rate limits,
/// after the variables are known so that the cost is counted in the same
/// round trip as the request; the limits' states, or the refusal.
async fn throttle(
    context: &RequestContext<'_>,
    executors: &Executors<'_>,
    caller: &Caller,
    cost: u64,
) -> StageResult<Vec<PolicyState>> {
    let Some(limiter) = executors.limiter else {
        return Ok(Vec::new());
    };
    let refused = |limited: &crate::ratelimit::Limited| {
        if let Some(audit) = executors.denied_audit {
            audit.record_rate_limited(caller, limited.by, context.headers, context.peer);
        }
    };
    let trusted = &limiter.settings().trusted_proxies;
    let subject = Subject {
        caller: (!caller.is_anonymous()).then(|| {
            let id = caller.subject.as_deref().unwrap_or_default();
            format!("{}:{id}", caller.kind.as_str())
        }),
        tier: caller.tier.as_deref(),
        ip: client_ip(context.peer, context.headers, trusted),
    };
    limiter
        .check(&subject, u32::try_from(cost).unwrap_or(u32::MAX))
        .await
        .inspect_err(refused)
        .map_err(|limited| GatewayError::RateLimited(Box::new(limited)))
}

/// Records the fields `caller` was denied, if any, in the audit log.
fn audit_denied(
    context: &RequestContext<'_>,
    executors: &Executors<'_>,
    caller: &Caller,
    denials: Option<&[Denial]>,
) {
    if let (Some(audit), Some(denials)) = (executors.denied_audit, denials) {
        audit.record(caller, denials, context.headers, context.peer);
    }
}

/// The request's caller, from the credential it presents; a credential
/// that fails (or none, where one is required) ends the request with 401.
async fn identify(context: &RequestContext<'_>, identifier: &Identifier) -> StageResult<Caller> {
    identifier.identify(context.headers).await.map_err(|error| {
        tracing::info!(reason = error.reason(), "request refused: no caller");
        GatewayError::Identity(error)
    })
}

/// How the request's operation text was found, and the APQ hash to file
/// it under once it validates.
struct Resolved {
    named: Named,
    register: Option<String>,
}

/// The operation's text, when the request names it instead of sending it:
/// by `documentId` (a published operation), or by
/// `extensions.persistedQuery` (a published operation with that id, else
/// an automatic persisted query). When a request sends both the text and
/// an APQ hash, the hash is checked (a query is never filed under
/// another's hash) and returned to register.
async fn resolve_persisted(
    request: &mut GraphQLRequest,
    executors: &Executors<'_>,
) -> StageResult<Resolved> {
    let (by_id, by_text) = (
        |register| Resolved {
            named: Named::ById,
            register,
        },
        |register| Resolved {
            named: Named::ByText,
            register,
        },
    );
    if let Some(id) = request.document_id.take() {
        if request.query.is_some() {
            return Err(PersistedError::QueryAndDocumentId.into());
        }
        let text = executors
            .operations
            .lookup(&id)
            .ok_or(PersistedError::UnknownDocument)?;
        request.query = Some(text.to_string());
        return Ok(by_id(None));
    }
    let Some(hash) = requested_hash(request.extensions.as_ref())? else {
        return Ok(by_text(None));
    };
    if request.query.is_none() {
        if let Some(text) = executors.operations.lookup(&hash) {
            request.query = Some(text.to_string());
            return Ok(by_id(None));
        }
    }
    let apq = executors.apq.ok_or(PersistedError::NotSupported)?;
    match &request.query {
        Some(query) => {
            check_hash(query, &hash)?;
            Ok(by_text(Some(hash)))
        }
        None => {
            let query = apq.lookup(&hash).await.ok_or(PersistedError::NotFound)?;
            request.query = Some(query.to_string());
            Ok(by_text(None))
        }
    }
}

/// The safelist: in `refuse` mode, only published operations run (by id,
/// or by their exact text); in `log` mode the others are logged. Callers
/// holding an exempt role (`persisted_operations.exempt_roles`) run anything.
fn admit_safelisted(
    request: &GraphQLRequest,
    operations: &PersistedOperations,
    named: Named,
    caller: &Caller,
) -> StageResult<()> {
    let Some(query) = request.query.as_deref() else {
        return Ok(());
    };
    if !operations.applies_to(&caller.roles) {
        return Ok(());
    }
    operations
        .admit(query, named, request.operation_name.as_deref())
        .map_err(GatewayError::from)
}

/// Registers a persisted query once it has parsed and validated (no
/// entry is spent on a query that cannot run).
fn register_persisted(
    request: &GraphQLRequest,
    apq: Option<&AutomaticPersistedQueries>,
    hash: Option<String>,
) {
    if let (Some(apq), Some(hash), Some(query)) = (apq, hash, &request.query) {
        apq.register(hash, query);
    }
}

/// Parses, validates and plans the operation (cached per document).
fn prepare(context: &RequestContext<'_>) -> StageResult<Arc<PreparedRequest>> {
    let request = &context.request;
    let query = request.query.as_deref().ok_or(GatewayError::MissingQuery)?;
    context
        .snapshot
        .prepare(query, request.operation_name.as_deref())
}

/// Mutations only over POST; no subscriptions.
fn check_method(context: &RequestContext<'_>, prepared: &PreparedRequest) -> StageResult<()> {
    match (prepared.operation.kind, context.delivering.method) {
        (OperationType::Mutation, RequestMethod::Get) => {
            Err(GatewayError::MethodNotAllowed("mutation"))
        }
        (OperationType::Subscription, RequestMethod::Get) => {
            Err(GatewayError::MethodNotAllowed("subscription"))
        }
        (OperationType::Subscription, _) => Err(GatewayError::SubscriptionUnsupported),
        _ => Ok(()),
    }
}

/// The request's variables, checked against the limits and coerced once
/// to the operation's types, defaults applied.
fn coerce_variables(
    context: &RequestContext<'_>,
    prepared: &PreparedRequest,
) -> StageResult<Valid<JsonMap>> {
    let limits = &context.settings.variable_limits;
    let raw =
        check_variables(context.request.variables.as_deref(), limits).map_err(|e| match e {
            VariablesError::Limit(limit) => GatewayError::VariablesTooLarge(limit),
            VariablesError::Invalid(message) => GatewayError::InvalidVariables(message),
        })?;
    let values: JsonMap = serde_json::from_value(Value::Object(raw)).unwrap_or_default();
    let operation = &prepared.operation;
    let Ok(definition) = operation.document.operations.get(operation.name.as_deref()) else {
        return Ok(Valid::assume_valid(values));
    };
    let schema = &context.snapshot.supergraph.api_schema;
    let coerced = apollo_compiler::request::coerce_variable_values(schema, definition, &values)
        .map_err(|e| GatewayError::InvalidVariables(e.message().to_string()))?;
    check_one_of_variables(schema, operation, &coerced).map_err(GatewayError::InvalidVariables)?;
    Ok(coerced)
}

/// The answers to `__schema` / `__type` root fields, when the operation
/// has any and introspection is on: from the schema the caller may see
/// when access control gives one, else from the API schema.
fn introspect(
    context: &RequestContext<'_>,
    prepared: &PreparedRequest,
    variables: &Valid<JsonMap>,
    visible: Option<Arc<VisibleSchema>>,
) -> StageResult<Option<Map<String, Value>>> {
    let operation_model = &prepared.operation;
    if !operation_model.has_schema_introspection {
        return Ok(None);
    }
    if !context.settings.introspection {
        return Err(GatewayError::IntrospectionDisabled);
    }
    let failed = GatewayError::Introspection;
    let document = &operation_model.document;
    let operation = document
        .operations
        .get(operation_model.name.as_deref())
        .map_err(|e| failed(e.message().to_string()))?;
    apollo_compiler::introspection::check_max_depth(document, operation)
        .map_err(|e| failed(e.message().to_string()))?;
    let (schema, implementers) = match &visible {
        Some(visible) => (&visible.schema, &visible.implementers),
        None => (
            &context.snapshot.supergraph.api_schema,
            &context.snapshot.implementers,
        ),
    };
    // `__Type.isOneOf`, which the introspection executor does not know.
    let replaced = one_of::replaced(document, schema);
    let (document, operation) = match &replaced {
        Some(replaced) => {
            let name = operation_model.name.as_deref();
            let operation = replaced
                .operations
                .get(name)
                .map_err(|e| failed(e.message().to_string()))?;
            (replaced, operation)
        }
        None => (document, operation),
    };
    let response = apollo_compiler::introspection::partial_execute(
        schema,
        implementers,
        document,
        operation,
        variables,
    )
    .map_err(|e| failed(e.message().to_string()))?;
    let mut data = serde_json::to_value(response.data.unwrap_or_default()).unwrap_or_default();
    if replaced.is_some() {
        one_of::restore(&mut data, schema);
    }
    Ok(match data {
        Value::Object(map) => Some(map),
        _ => None,
    })
}

/// The operation's plan, and everything its execution needs.
fn plan(
    context: &RequestContext<'_>,
    client: &SubgraphClient,
    prepared: Arc<PreparedRequest>,
    variables: Valid<JsonMap>,
    introspection: Option<Map<String, Value>>,
    forwarded: ForwardedHeaders,
) -> StageResult<Execution> {
    let plan = prepared
        .plan
        .as_ref()
        .map_err(|e| GatewayError::Plan(e.clone()))?
        .clone();
    let variables = match serde_json::to_value(variables.into_inner()) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    let settings = context.settings;
    let deferred = incremental::deferred_ids(&plan, &variables, context.delivering.delivery);
    Ok(Execution {
        snapshot: context.snapshot.clone(),
        client: client.clone(),
        prepared,
        plan,
        variables,
        introspection,
        deferred,
        deadline: context.delivering.deadline,
        max_errors: settings.limits.max_errors,
        budget: ValueBudget::new(settings.max_response_values),
        forwarded,
        org_check: None,
    })
}

/// The org check of the caller's answers, when org-scoped types are
/// configured and the caller is not a global admin (the admin role, no
/// org).
fn org_check(access: &Access, caller: &Caller) -> Option<OrgCheck> {
    let scoped = access.org_scoped_types()?;
    let global = caller.org.is_none() && caller.has_role(crate::access::GLOBAL_ADMIN_ROLE);
    (!global).then(|| OrgCheck {
        key: crate::access::ORG_KEY,
        types: scoped,
        org: caller.org.clone(),
    })
}

/// Executes and shapes; identical concurrent queries share one execution
/// when inbound dedupe is on (never with fragments deferred).
async fn execute(
    context: &RequestContext<'_>,
    executors: Executors<'_>,
    execution: Execution,
    caller: &Caller,
) -> GraphQLResponse {
    let shareable = context.settings.inbound_dedupe
        && execution.prepared.operation.kind == OperationType::Query
        && execution.deferred.is_empty();
    if !shareable {
        return execution.run().await;
    }
    let key = InboundKey::new(
        context.snapshot,
        &execution.prepared,
        &execution.variables,
        caller,
        &execution.forwarded,
    );
    let shared = async move {
        let response = execution.run().await;
        (response.kind, response.body)
    };
    let (kind, body) = executors.inbound.run(key, shared).await;
    GraphQLResponse {
        kind,
        body,
        subsequent: None,
        headers: Vec::new(),
    }
}
