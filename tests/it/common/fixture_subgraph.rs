//! Fixture subgraphs: a small, real GraphQL server (axum, 127.0.0.1, an
//! ephemeral port) hosting named subgraphs at `/<name>`, each defined in
//! Rust by data and closures, and [`Federation`]: a Junction gateway in
//! front of them.
//!
//! A subgraph knows its schema: its part of the test's supergraph (see
//! `fixture_schema`). Like a real server it validates every operation it
//! receives against that schema and answers a request error (HTTP 400,
//! `GRAPHQL_VALIDATION_FAILED`) for one that selects a field the subgraph
//! does not have, a fragment on a type it does not know, an object field
//! without subfields, fields that cannot be merged, and so on: a test fails
//! when the gateway asks a subgraph for something it could not serve.
//!
//! A valid operation is executed without the schema: root fields,
//! `_entities` and registered `Type.field` resolvers, plain JSON values
//! projected onto the selection set the way the spec's CollectFields does
//! (aliases, lists, fragments matched on a value's `"__typename"`,
//! `@skip`/`@include`). That is enough to serve shapes typed subgraph
//! libraries cannot express (interface entities, `@interfaceObject`,
//! partial unions), and it records every request so tests can assert what
//! the gateway fetched.

#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use apollo_compiler::ast::{self, Definition, Selection};
use apollo_compiler::ExecutableDocument;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use junction::pipeline::{Delivery, Gateway, GatewaySettings, GraphQLRequest, RequestMethod};
use serde_json::{json, Map, Value};

use super::fixture_schema::{subgraph_schemas, SubgraphSchema};

/// What a resolver produced: a value, or a field error (the field becomes
/// null and an error with the field's path is reported).
pub enum Resolved {
    Value(Value),
    Error(String),
}

impl From<Value> for Resolved {
    fn from(value: Value) -> Self {
        Self::Value(value)
    }
}

/// A field error, for resolvers: `|_| field_error("not allowed")`.
pub fn field_error(message: &str) -> Resolved {
    Resolved::Error(message.to_string())
}

type Args = Map<String, Value>;
type RootResolver = Box<dyn Fn(&Args) -> Resolved + Send + Sync>;
type EntityResolver = Box<dyn Fn(&Value) -> Resolved + Send + Sync>;
type FieldResolver = Box<dyn Fn(&Value, &Args) -> Resolved + Send + Sync>;

/// How a subgraph misbehaves, for failure tests.
enum Failure {
    Status(u16),
    MalformedJson,
}

/// One subgraph: resolvers plus optional misbehaviour.
#[derive(Default)]
pub struct Subgraph {
    name: String,
    roots: HashMap<String, RootResolver>,
    entities: HashMap<String, EntityResolver>,
    fields: HashMap<String, FieldResolver>,
    possible_types: HashMap<String, Vec<String>>,
    delay: Option<Duration>,
    gate: Option<Arc<tokio::sync::Semaphore>>,
    failure: Option<Failure>,
    extra_errors: Vec<Value>,
    /// Set when the server starts, from the supergraph.
    schema: Option<SubgraphSchema>,
}

impl Subgraph {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            ..Default::default()
        }
    }

    /// A root field, `"Query.users"` or `"Mutation.addUser"`, from its arguments.
    pub fn root<R, F>(mut self, key: &str, resolve: F) -> Self
    where
        R: Into<Resolved>,
        F: Fn(&Args) -> R + Send + Sync + 'static,
    {
        let resolve: RootResolver = Box::new(move |args| resolve(args).into());
        self.roots.insert(key.to_string(), resolve);
        self
    }

    /// The `_entities` resolver of a type: representation → object, or `Value::Null`.
    pub fn entity<R, F>(mut self, typename: &str, resolve: F) -> Self
    where
        R: Into<Resolved>,
        F: Fn(&Value) -> R + Send + Sync + 'static,
    {
        let resolve: EntityResolver = Box::new(move |rep| resolve(rep).into());
        self.entities.insert(typename.to_string(), resolve);
        self
    }

    /// A computed field, `"User.greeting"`, from its parent object and
    /// arguments; wins over a plain field of the same name in the parent.
    pub fn field<R, F>(mut self, key: &str, resolve: F) -> Self
    where
        R: Into<Resolved>,
        F: Fn(&Value, &Args) -> R + Send + Sync + 'static,
    {
        let resolve: FieldResolver = Box::new(move |parent, args| resolve(parent, args).into());
        self.fields.insert(key.to_string(), resolve);
        self
    }

    /// Declares the object types of an abstract type, so that
    /// `... on Abstract` applies to values of those types.
    pub fn possible_types(mut self, abstract_type: &str, objects: &[&str]) -> Self {
        let objects = objects.iter().map(|o| o.to_string()).collect();
        self.possible_types
            .insert(abstract_type.to_string(), objects);
        self
    }

    /// Waits this long before answering.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// Holds each request until the test opens the gate by one (a permit
    /// added to the semaphore): the order of events is then the test's.
    pub fn gate(mut self, gate: Arc<tokio::sync::Semaphore>) -> Self {
        self.gate = Some(gate);
        self
    }

    /// Answers every request with this HTTP status and a plain-text body.
    pub fn http_status(mut self, status: u16) -> Self {
        self.failure = Some(Failure::Status(status));
        self
    }

    /// Answers every request with a truncated JSON body.
    pub fn malformed_json(mut self) -> Self {
        self.failure = Some(Failure::MalformedJson);
        self
    }

    /// Adds these GraphQL errors to every response.
    pub fn errors(mut self, errors: Vec<Value>) -> Self {
        self.extra_errors = errors;
        self
    }
}

/// One request a subgraph received.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub query: String,
    pub variables: Map<String, Value>,
    /// The HTTP version the request came over.
    pub version: axum::http::Version,
    /// The request's headers.
    pub headers: axum::http::HeaderMap,
}

impl RecordedRequest {
    /// The `representations` variable of an `_entities` request (empty otherwise).
    pub fn representations(&self) -> Vec<Value> {
        match self.variables.get("representations") {
            Some(Value::Array(reps)) => reps.clone(),
            _ => Vec::new(),
        }
    }
}

struct ServerState {
    subgraphs: HashMap<String, Subgraph>,
    log: Mutex<HashMap<String, Vec<RecordedRequest>>>,
    /// Requests recorded so far (all subgraphs), for tests waiting on arrivals.
    arrivals: tokio::sync::watch::Sender<usize>,
}

/// The running server; stops when dropped.
pub struct FixtureServer {
    addr: SocketAddr,
    supergraph: String,
    state: Arc<ServerState>,
    task: tokio::task::JoinHandle<()>,
}

impl FixtureServer {
    /// Serves `subgraphs` behind the supergraph of `types` (see
    /// [`FixtureServer::supergraph`]); each subgraph validates what it
    /// receives against its part of that supergraph.
    pub async fn start(types: &str, subgraphs: Vec<Subgraph>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("fixture server address");
        let names: Vec<&str> = subgraphs.iter().map(|s| s.name.as_str()).collect();
        let supergraph = supergraph(addr, &names, types);
        let mut schemas = subgraph_schemas(&supergraph);
        let subgraphs = subgraphs.into_iter().map(|mut subgraph| {
            subgraph.schema = schemas.remove(&subgraph.name);
            (subgraph.name.clone(), subgraph)
        });
        let state = Arc::new(ServerState {
            subgraphs: subgraphs.collect(),
            log: Mutex::default(),
            arrivals: tokio::sync::watch::Sender::new(0),
        });
        let router = axum::Router::new()
            .route("/{name}", axum::routing::post(serve))
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Self {
            addr,
            supergraph,
            state,
            task,
        }
    }

    pub fn url(&self, name: &str) -> String {
        url(self.addr, name)
    }

    /// The supergraph SDL: the link/join machinery, a `join__Graph` enum
    /// with one value per subgraph (its name upper-cased) at this server,
    /// and the `types` the server was started with.
    pub fn supergraph(&self) -> &str {
        &self.supergraph
    }

    /// The schema subgraph `name` validates requests against, as SDL.
    pub fn sdl(&self, name: &str) -> &str {
        let subgraph = self.state.subgraphs.get(name);
        let schema = subgraph.and_then(|s| s.schema.as_ref());
        schema.map_or("", |s| s.sdl.as_str())
    }

    /// The requests subgraph `name` received, in arrival order.
    pub fn requests(&self, name: &str) -> Vec<RecordedRequest> {
        let log = self.state.log.lock().unwrap_or_else(|e| e.into_inner());
        log.get(name).cloned().unwrap_or_default()
    }

    /// Waits until subgraph `name` has received at least `count` requests
    /// (recorded as they arrive, before any delay, gate or failure), woken
    /// by each arrival; fails the test if that takes 20 s (a bound against
    /// hanging, not a timing claim).
    pub async fn received(&self, name: &str, count: usize) {
        let mut arrivals = self.state.arrivals.subscribe();
        let arrived = arrivals.wait_for(|_| self.requests(name).len() >= count);
        let waited = tokio::time::timeout(Duration::from_secs(20), arrived).await;
        assert!(
            matches!(waited, Ok(Ok(_))),
            "subgraph {name} never received {count} requests"
        );
    }
}

fn url(addr: SocketAddr, name: &str) -> String {
    format!("http://{addr}/{name}")
}

/// The supergraph of `types` over subgraphs `names` served at `addr`.
fn supergraph(addr: SocketAddr, names: &[&str], types: &str) -> String {
    let graphs: String = names
        .iter()
        .map(|n| {
            let url = url(addr, n);
            format!(
                "  {} @join__graph(name: \"{n}\", url: \"{url}\")\n",
                n.to_uppercase()
            )
        })
        .collect();
    let mutation = if types.contains("type Mutation") {
        "mutation: Mutation"
    } else {
        ""
    };
    format!(
        "{LINKS}{{ query: Query {mutation} }}\n{MACHINERY}enum join__Graph {{\n{graphs}}}\n{types}"
    )
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

const LINKS: &str = r#"schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
"#;

const MACHINERY: &str = r#"
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar join__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
"#;

/// An address nothing listens on: requests to it are refused.
pub fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a probe port");
    let addr = listener.local_addr().expect("probe port address");
    format!("http://{addr}/down")
}

async fn serve(
    State(state): State<Arc<ServerState>>,
    Path(name): Path<String>,
    version: axum::http::Version,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let Some(subgraph) = state.subgraphs.get(&name) else {
        return (StatusCode::NOT_FOUND, "no such subgraph").into_response();
    };
    let request: Map<String, Value> = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return graphql_error(&e.to_string()),
    };
    let query = request
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let variables = match request.get("variables") {
        Some(Value::Object(variables)) => variables.clone(),
        _ => Map::new(),
    };
    let recorded = RecordedRequest {
        query: query.to_string(),
        variables: variables.clone(),
        version,
        headers,
    };
    {
        let mut log = state.log.lock().unwrap_or_else(|e| e.into_inner());
        log.entry(name).or_default().push(recorded);
    }
    state.arrivals.send_modify(|arrivals| *arrivals += 1);
    if let Some(delay) = subgraph.delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(gate) = &subgraph.gate {
        if let Ok(permit) = gate.acquire().await {
            permit.forget();
        }
    }
    match subgraph.failure {
        Some(Failure::Status(status)) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, "subgraph failure").into_response();
        }
        Some(Failure::MalformedJson) => {
            let truncated = "{\"data\": {\"users\": [";
            return ([(header::CONTENT_TYPE, "application/json")], truncated).into_response();
        }
        None => {}
    }
    if let Err(errors) = validate_against_schema(subgraph, query) {
        return request_error(errors);
    }
    let operation_name = request.get("operationName").and_then(Value::as_str);
    match execute(subgraph, query, operation_name, variables) {
        Ok((data, mut errors)) => {
            errors.extend(subgraph.extra_errors.iter().cloned());
            let mut body = json!({ "data": data });
            if !errors.is_empty() {
                body["errors"] = Value::Array(errors);
            }
            axum::Json(body).into_response()
        }
        Err(message) => graphql_error(&message),
    }
}

/// A request error: `errors` and no `data`, as a GraphQL server answers
/// an operation it cannot parse or validate.
fn graphql_error(message: &str) -> Response {
    request_error(vec![json!({ "message": message })])
}

/// A request error with these errors, the way GraphQL over HTTP answers a
/// client that accepts `application/graphql-response+json` (the gateway does).
fn request_error(errors: Vec<Value>) -> Response {
    let body = json!({ "errors": errors }).to_string();
    let content_type = [(header::CONTENT_TYPE, "application/graphql-response+json")];
    (StatusCode::BAD_REQUEST, content_type, body).into_response()
}

/// Validates `query` against the subgraph's schema, as a GraphQL server
/// does before executing anything: the errors, each with its locations and
/// `extensions.code` `GRAPHQL_VALIDATION_FAILED`.
fn validate_against_schema(subgraph: &Subgraph, query: &str) -> Result<(), Vec<Value>> {
    let Some(schema) = &subgraph.schema else {
        let message = format!("the test supergraph has no subgraph {}", subgraph.name);
        return Err(vec![json!({ "message": message })]);
    };
    let Err(invalid) =
        ExecutableDocument::parse_and_validate(&schema.schema, query, "operation.graphql")
    else {
        return Ok(());
    };
    let errors = invalid.errors.iter().map(|diagnostic| {
        let mut error = serde_json::to_value(diagnostic.to_json()).unwrap_or_default();
        error["extensions"] = json!({ "code": "GRAPHQL_VALIDATION_FAILED" });
        error
    });
    Err(errors.collect())
}

/// One operation being executed.
struct Execution<'a> {
    subgraph: &'a Subgraph,
    fragments: HashMap<&'a str, &'a ast::FragmentDefinition>,
    variables: Map<String, Value>,
    errors: Vec<Value>,
}

fn execute(
    subgraph: &Subgraph,
    query: &str,
    operation_name: Option<&str>,
    mut variables: Map<String, Value>,
) -> Result<(Value, Vec<Value>), String> {
    let document = ast::Document::parse(query, "op.graphql").map_err(|e| e.errors.to_string())?;
    let mut operation = None;
    let mut fragments = HashMap::new();
    for definition in &document.definitions {
        match definition {
            Definition::OperationDefinition(op)
                if operation_name.is_none() || op.name.as_deref() == operation_name =>
            {
                operation = operation.or(Some(op));
            }
            Definition::FragmentDefinition(f) => {
                fragments.insert(f.name.as_str(), &**f);
            }
            _ => {}
        }
    }
    let operation = operation.ok_or("no operation to execute")?;
    for definition in &operation.variables {
        if let Some(default) = &definition.default_value {
            let name = definition.name.to_string();
            variables
                .entry(name)
                .or_insert_with(|| literal(default, &Map::new()));
        }
    }
    let root = match operation.operation_type {
        ast::OperationType::Query => "Query",
        ast::OperationType::Mutation => "Mutation",
        ast::OperationType::Subscription => return Err("subscriptions are not supported".into()),
    };
    let mut execution = Execution {
        subgraph,
        fragments,
        variables,
        errors: Vec::new(),
    };
    let data = execution.select(
        &json!({ "__typename": root }),
        &operation.selection_set,
        &[],
    );
    Ok((Value::Object(data), execution.errors))
}

impl<'a> Execution<'a> {
    /// Projects `object` onto `selections`: fields grouped by response key,
    /// their sub-selections merged.
    fn select(&mut self, object: &Value, selections: &[Selection], path: &[Value]) -> Args {
        let typename = object
            .get("__typename")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut groups = Vec::new();
        self.collect(typename, selections, &mut groups);
        let mut out = Map::new();
        for (key, fields) in groups {
            // Validation made sure the fields under one key can be merged.
            let field = fields[0];
            let mut field_path = path.to_vec();
            field_path.push(json!(key));
            let value = if field.name == "__typename" {
                json!(typename)
            } else {
                let resolved = self.resolve(object, typename, field, &field_path);
                let merged: Vec<Selection> = fields
                    .iter()
                    .flat_map(|f| f.selection_set.iter().cloned())
                    .collect();
                self.complete(resolved, &merged, &field_path)
            };
            out.insert(key, value);
        }
        out
    }

    /// CollectFields: the fields that apply to an object of type `typename`.
    fn collect<'s>(
        &self,
        typename: &str,
        selections: &'s [Selection],
        groups: &mut Vec<(String, Vec<&'s ast::Field>)>,
    ) where
        'a: 's,
    {
        for selection in selections {
            let (directives, condition, inner) = match selection {
                Selection::Field(field) => {
                    if self.included(&field.directives) {
                        let key = field.alias.as_ref().unwrap_or(&field.name).to_string();
                        match groups.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, fields)) => fields.push(field),
                            None => groups.push((key, vec![field])),
                        }
                    }
                    continue;
                }
                Selection::FragmentSpread(spread) => {
                    let Some(f) = self.fragments.get(spread.fragment_name.as_str()).copied() else {
                        continue;
                    };
                    (
                        &spread.directives,
                        Some(f.type_condition.as_str()),
                        &f.selection_set,
                    )
                }
                Selection::InlineFragment(inline) => {
                    let condition = inline.type_condition.as_ref().map(|c| c.as_str());
                    (&inline.directives, condition, &inline.selection_set)
                }
            };
            if self.included(directives) && self.applies(condition, typename) {
                self.collect(typename, inner, groups);
            }
        }
    }

    fn resolve(
        &mut self,
        object: &Value,
        typename: &str,
        field: &ast::Field,
        path: &[Value],
    ) -> Value {
        let args: Args = field
            .arguments
            .iter()
            .map(|a| (a.name.to_string(), literal(&a.value, &self.variables)))
            .collect();
        let key = format!("{typename}.{}", field.name);
        let resolved = if let Some(resolve) = self.subgraph.fields.get(&key) {
            resolve(object, &args)
        } else if key == "Query._entities" {
            return self.entities(&args, path);
        } else if matches!(typename, "Query" | "Mutation") {
            match self.subgraph.roots.get(&key) {
                Some(resolve) => resolve(&args),
                None => field_error(&format!("no resolver for {key}")),
            }
        } else {
            Resolved::Value(
                object
                    .get(field.name.as_str())
                    .cloned()
                    .unwrap_or(Value::Null),
            )
        };
        self.value_or_error(resolved, path)
    }

    /// `_entities`: each representation through its type's entity resolver;
    /// the results carry `__typename` so fragments can match them.
    fn entities(&mut self, args: &Args, path: &[Value]) -> Value {
        let representations = match args.get("representations") {
            Some(Value::Array(representations)) => representations.clone(),
            _ => Vec::new(),
        };
        let mut entities = Vec::new();
        for (i, representation) in representations.iter().enumerate() {
            let typename = representation["__typename"].as_str().unwrap_or_default();
            let resolved = match self.subgraph.entities.get(typename) {
                Some(resolve) => resolve(representation),
                None => field_error(&format!("no entity resolver for {typename}")),
            };
            let mut entity_path = path.to_vec();
            entity_path.push(json!(i));
            let mut entity = self.value_or_error(resolved, &entity_path);
            if let Value::Object(map) = &mut entity {
                map.entry("__typename").or_insert_with(|| json!(typename));
            }
            entities.push(entity);
        }
        Value::Array(entities)
    }

    fn value_or_error(&mut self, resolved: Resolved, path: &[Value]) -> Value {
        match resolved {
            Resolved::Value(value) => value,
            Resolved::Error(message) => {
                self.errors
                    .push(json!({ "message": message, "path": path }));
                Value::Null
            }
        }
    }

    fn complete(&mut self, value: Value, selections: &[Selection], path: &[Value]) -> Value {
        match value {
            Value::Array(items) => {
                let mut completed = Vec::with_capacity(items.len());
                for (i, item) in items.into_iter().enumerate() {
                    let mut item_path = path.to_vec();
                    item_path.push(json!(i));
                    completed.push(self.complete(item, selections, &item_path));
                }
                Value::Array(completed)
            }
            Value::Object(_) if !selections.is_empty() => {
                Value::Object(self.select(&value, selections, path))
            }
            other => other,
        }
    }

    /// Whether a fragment applies; a value without `__typename` matches any.
    fn applies(&self, condition: Option<&str>, typename: &str) -> bool {
        let Some(condition) = condition else {
            return true;
        };
        let possible = self.subgraph.possible_types.get(condition);
        typename.is_empty()
            || condition == typename
            || possible.is_some_and(|objects| objects.iter().any(|o| o == typename))
    }

    fn included(&self, directives: &ast::DirectiveList) -> bool {
        let condition = |name: &str| {
            let argument = directives.get(name)?.specified_argument_by_name("if")?;
            Some(literal(argument, &self.variables))
        };
        condition("skip") != Some(json!(true)) && condition("include") != Some(json!(false))
    }
}

/// A GraphQL literal as JSON, variables substituted.
fn literal(value: &ast::Value, variables: &Map<String, Value>) -> Value {
    match value {
        ast::Value::Null => Value::Null,
        ast::Value::Enum(name) => json!(name.as_str()),
        ast::Value::Variable(name) => variables.get(name.as_str()).cloned().unwrap_or(Value::Null),
        ast::Value::String(s) => json!(s),
        ast::Value::Float(f) => serde_json::from_str(f.as_str()).unwrap_or(Value::Null),
        ast::Value::Int(i) => serde_json::from_str(i.as_str()).unwrap_or(Value::Null),
        ast::Value::Boolean(b) => json!(b),
        ast::Value::List(items) => items.iter().map(|v| literal(v, variables)).collect(),
        ast::Value::Object(fields) => {
            let fields = fields
                .iter()
                .map(|(k, v)| (k.to_string(), literal(v, variables)));
            Value::Object(fields.collect())
        }
    }
}

/// A Junction gateway in front of a [`FixtureServer`].
pub struct Federation {
    pub server: FixtureServer,
    pub gateway: Gateway,
}

impl Federation {
    /// Starts the subgraphs and a gateway over the supergraph of `types`.
    pub async fn start(types: &str, subgraphs: Vec<Subgraph>) -> Self {
        Self::start_with(GatewaySettings::dev(), types, subgraphs).await
    }

    pub async fn start_with(
        settings: GatewaySettings,
        types: &str,
        subgraphs: Vec<Subgraph>,
    ) -> Self {
        let server = FixtureServer::start(types, subgraphs).await;
        let gateway = Gateway::new(settings);
        if let Err(e) = gateway.load_supergraph(server.supergraph()) {
            panic!("the test supergraph does not load: {e}");
        }
        Self { server, gateway }
    }

    /// The response body of `query`, as JSON.
    pub async fn query(&self, query: &str) -> Value {
        self.query_with(query, json!({})).await
    }

    pub async fn query_with(&self, query: &str, variables: Value) -> Value {
        let request = graphql_request(query, &variables);
        let response = self
            .gateway
            .execute(request, RequestMethod::Post, Delivery::Complete)
            .await;
        serde_json::from_slice(&response.body).expect("the gateway answers JSON")
    }

    /// The payloads of `query` asked for with incremental delivery: the
    /// response (or initial payload), then every payload that followed.
    pub async fn query_incremental(&self, query: &str, variables: Value) -> Vec<Value> {
        use futures::StreamExt;
        let request = graphql_request(query, &variables);
        let response = self
            .gateway
            .execute(request, RequestMethod::Post, Delivery::Incremental)
            .await;
        let parse =
            |body: &[u8]| -> Value { serde_json::from_slice(body).expect("every payload is JSON") };
        let mut payloads = vec![parse(&response.body)];
        if let Some(rest) = response.subsequent {
            payloads.extend(rest.map(|body| parse(&body)).collect::<Vec<_>>().await);
        }
        payloads
    }

    /// The query plan, for assertion messages.
    pub fn plan(&self, query: &str) -> String {
        self.gateway
            .explain(query, None, false)
            .unwrap_or_else(|e| e)
    }
}

fn graphql_request(query: &str, variables: &Value) -> GraphQLRequest {
    GraphQLRequest::new(query, variables)
}
