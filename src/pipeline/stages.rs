//! The stages of one request, in order: prepare (parse, validate, plan —
//! cached), check the method, coerce variables, answer introspection,
//! execute the plan, shape the response. An operation with deferred
//! fragments takes the same line through [`super::incremental`].

use apollo_compiler::ast::OperationType;
use serde_json::{Map, Value};

use std::sync::Arc;

use super::inbound::{InboundKey, SharedAnswer};
use super::snapshot::{PreparedRequest, Snapshot};
use super::{
    incremental, respond, Delivery, GatewayError, GatewaySettings, GraphQLRequest, GraphQLResponse,
    RequestMethod,
};
use crate::execute::{execute_plan, FetchContext, InFlight, SubgraphClient};
use crate::json::ValueBudget;
use crate::operation::{check_variables, VariablesError};
use crate::plan::QueryPlan;
use crate::shape::{shape_response, ShapeInput};

/// How the request came and how its answer may go.
pub struct Delivering {
    pub method: RequestMethod,
    pub delivery: Delivery,
    /// When the request must be answered by (deferred fragments included).
    pub deadline: tokio::time::Instant,
}

/// What executes requests: the subgraph client, and the executions
/// identical queries may share (inbound dedupe).
pub struct Executors<'a> {
    pub client: &'a SubgraphClient,
    pub inbound: &'a InFlight<SharedAnswer, InboundKey>,
}

/// Runs a request; `Err` carries request errors (no execution happened).
pub async fn run(
    snapshot: &Arc<Snapshot>,
    settings: &GatewaySettings,
    executors: Executors<'_>,
    request: GraphQLRequest,
    delivering: Delivering,
) -> Result<GraphQLResponse, Vec<GatewayError>> {
    let client = executors.client;
    let Delivering {
        method,
        delivery,
        deadline,
    } = delivering;
    let query = request
        .query
        .as_deref()
        .ok_or_else(|| vec![GatewayError::MissingQuery])?;
    let prepared = snapshot
        .prepare(query, request.operation_name.as_deref())
        .map_err(|e| vec![e])?;
    check_method(&prepared, method)?;
    let raw_variables = check_variables(request.variables.as_deref(), &settings.variable_limits)
        .map_err(|e| {
            vec![match e {
                VariablesError::Limit(limit) => GatewayError::VariablesTooLarge(limit),
                VariablesError::Invalid(message) => GatewayError::InvalidVariables(message),
            }]
        })?;
    let variables = coerce_variables(snapshot, &prepared, &raw_variables)?;
    let introspection = introspect(snapshot, settings, &prepared, &variables)?;
    let plan = prepared
        .plan
        .as_ref()
        .map_err(|e| vec![GatewayError::Plan(e.clone())])?;
    if !plan.deferred.is_empty() {
        let deferred = incremental::deferred_ids(plan, &variables, delivery);
        let run = incremental::DeferredRun {
            snapshot: snapshot.clone(),
            client: client.clone(),
            operation: prepared.operation.clone(),
            plan: plan.clone(),
            variables,
            introspection,
            deferred,
            deadline,
            max_errors: settings.limits.max_errors,
            budget: ValueBudget::new(settings.max_response_values),
        };
        return Ok(incremental::run(run).await);
    }
    let execution = Execution {
        snapshot: snapshot.clone(),
        client: client.clone(),
        prepared: prepared.clone(),
        plan: plan.clone(),
        variables,
        introspection,
        max_errors: settings.limits.max_errors,
        max_response_values: settings.max_response_values,
    };
    if settings.inbound_dedupe && prepared.operation.kind == OperationType::Query {
        let key = InboundKey::new(snapshot, &prepared, &execution.variables);
        let shared = async move {
            let response = execution.run().await;
            (response.kind, response.body)
        };
        let (kind, body) = executors.inbound.run(key, shared).await;
        return Ok(GraphQLResponse {
            kind,
            body,
            subsequent: None,
        });
    }
    Ok(execution.run().await)
}

/// Everything one execution of a prepared operation needs, owned, so that
/// identical requests can share it.
struct Execution {
    snapshot: Arc<Snapshot>,
    client: SubgraphClient,
    prepared: Arc<PreparedRequest>,
    plan: Arc<QueryPlan>,
    variables: Map<String, Value>,
    introspection: Option<Map<String, Value>>,
    max_errors: usize,
    max_response_values: usize,
}

impl Execution {
    /// Executes the plan and shapes the response.
    async fn run(self) -> GraphQLResponse {
        let budget = ValueBudget::new(self.max_response_values);
        let context = FetchContext {
            supergraph: &self.snapshot.supergraph,
            client: &self.client,
            variables: &self.variables,
            budget: &budget,
        };
        let output = execute_plan(&self.plan, context).await;
        let mut errors = output.errors;
        let input = ShapeInput {
            schema: &self.snapshot.supergraph.api_schema,
            variables: &self.variables,
            introspection: self.introspection.as_ref(),
            deferred: &[],
            max_errors: self.max_errors,
        };
        let operation = &self.prepared.operation;
        let data = shape_response(
            &input,
            &operation.root_type,
            &operation.selections,
            &output.data,
            &mut errors,
        );
        respond::executed(data, errors, self.max_errors)
    }
}

fn check_method(
    prepared: &PreparedRequest,
    method: RequestMethod,
) -> Result<(), Vec<GatewayError>> {
    match (prepared.operation.kind, method) {
        (OperationType::Mutation, RequestMethod::Get) => {
            Err(vec![GatewayError::MethodNotAllowed("mutation")])
        }
        (OperationType::Subscription, RequestMethod::Get) => {
            Err(vec![GatewayError::MethodNotAllowed("subscription")])
        }
        (OperationType::Subscription, _) => Err(vec![GatewayError::SubscriptionUnsupported]),
        _ => Ok(()),
    }
}

/// Coerces the request's variables to the operation's types, defaults applied.
fn coerce_variables(
    snapshot: &Snapshot,
    prepared: &PreparedRequest,
    variables: &Map<String, Value>,
) -> Result<Map<String, Value>, Vec<GatewayError>> {
    let Ok(operation) = prepared
        .operation
        .document
        .operations
        .get(prepared.operation.name.as_deref())
    else {
        return Ok(variables.clone());
    };
    let values = to_json_bytes(variables);
    let coerced = apollo_compiler::request::coerce_variable_values(
        &snapshot.supergraph.api_schema,
        operation,
        &values,
    )
    .map_err(|e| vec![GatewayError::InvalidVariables(e.message().to_string())])?;
    match serde_json::to_value(coerced.into_inner()) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Ok(variables.clone()),
    }
}

fn introspect(
    snapshot: &Snapshot,
    settings: &GatewaySettings,
    prepared: &PreparedRequest,
    variables: &Map<String, Value>,
) -> Result<Option<Map<String, Value>>, Vec<GatewayError>> {
    let operation_model = &prepared.operation;
    if !operation_model.has_schema_introspection {
        return Ok(None);
    }
    if !settings.introspection {
        return Err(vec![GatewayError::IntrospectionDisabled]);
    }
    let document = &operation_model.document;
    let operation = document
        .operations
        .get(operation_model.name.as_deref())
        .map_err(|e| vec![GatewayError::Introspection(e.message().to_string())])?;
    let schema = &snapshot.supergraph.api_schema;
    let values = apollo_compiler::request::coerce_variable_values(
        schema,
        operation,
        &to_json_bytes(variables),
    )
    .map_err(|e| vec![GatewayError::InvalidVariables(e.message().to_string())])?;
    apollo_compiler::introspection::check_max_depth(document, operation)
        .map_err(|e| vec![GatewayError::Introspection(e.message().to_string())])?;
    let response = apollo_compiler::introspection::partial_execute(
        schema,
        &snapshot.implementers,
        document,
        operation,
        &values,
    )
    .map_err(|e| vec![GatewayError::Introspection(e.message().to_string())])?;
    let data = serde_json::to_value(response.data.unwrap_or_default()).unwrap_or_default();
    Ok(match data {
        Value::Object(map) => Some(map),
        _ => None,
    })
}

fn to_json_bytes(variables: &Map<String, Value>) -> apollo_compiler::response::JsonMap {
    serde_json::from_value(Value::Object(variables.clone())).unwrap_or_default()
}
