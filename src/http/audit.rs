//! What the HTTP layer writes to the audit log: refused credentials (on
//! `/graphql` and `/admin/graphql`) and admin mutations, with the client's
//! address and the request id. Targets are names and ids from the
//! mutation's arguments (`name`, `id`, `client`, `version`), never other
//! argument values (an SDL, a manifest) and never a credential; a mutation
//! with none of them may name its target itself (a new signing key's kid,
//! through [`crate::admin::AuditTargets`]).

use std::net::SocketAddr;

use async_graphql::parser::types::{OperationType, Selection};
use async_graphql::Value as GqlValue;
use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};

use crate::audit::{Action, AuditLog, Outcome};

/// Arguments that name a mutation's target.
const TARGET_ARGUMENTS: [&str; 4] = ["name", "id", "client", "version"];

/// The client's address and the request id of a request.
pub(super) fn origin(
    headers: &HeaderMap,
    extensions: &Extensions,
) -> (Option<String>, Option<String>) {
    let ip = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip().to_string());
    let request_id = headers
        .get(super::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (ip, request_id)
}

/// Records a refused credential.
pub(super) fn refused(
    log: Option<&AuditLog>,
    action: &str,
    target: &str,
    headers: &HeaderMap,
    extensions: &Extensions,
) {
    let Some(log) = log else {
        return;
    };
    let (client_ip, request_id) = origin(headers, extensions);
    let action = Action {
        actor: "unknown".to_string(),
        action: action.to_string(),
        target: Some(target.to_string()),
        client_ip,
        request_id,
        ..Action::default()
    };
    log.record(action, Outcome::Refused);
}

/// One mutation of an admin request.
pub(super) struct Mutation {
    pub name: String,
    /// Where its result is in the response (its alias, or its name).
    pub key: String,
    pub target: Option<String>,
}

/// The mutations an admin request runs: each root field's name, and its
/// target from its arguments (literals, or variables' values).
pub(super) fn mutations(request: &async_graphql::Request) -> Vec<Mutation> {
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return Vec::new();
    };
    let operation = document.operations.iter().find(|(name, _)| {
        request
            .operation_name
            .as_deref()
            .is_none_or(|wanted| name.is_some_and(|name| name.as_str() == wanted))
    });
    let Some((_, operation)) = operation else {
        return Vec::new();
    };
    if operation.node.ty != OperationType::Mutation {
        return Vec::new();
    }
    operation
        .node
        .selection_set
        .node
        .items
        .iter()
        .filter_map(|item| match &item.node {
            Selection::Field(field) => Some(&field.node),
            _ => None,
        })
        .map(|field| {
            let targets: Vec<String> = TARGET_ARGUMENTS
                .iter()
                .filter_map(|wanted| {
                    let (_, value) = field.arguments.iter().find(|(n, _)| n.node == *wanted)?;
                    let value = value
                        .node
                        .clone()
                        .into_const_with(|name| request.variables.get(&name).cloned().ok_or(()))
                        .ok()?;
                    match value {
                        GqlValue::String(text) => Some(text),
                        _ => None,
                    }
                })
                .collect();
            let target = (!targets.is_empty()).then(|| targets.join(" "));
            let name = field.name.node.to_string();
            let key = field
                .alias
                .as_ref()
                .map_or_else(|| name.clone(), |alias| alias.node.to_string());
            Mutation { name, key, target }
        })
        .collect()
}

/// Whether a mutation's result says it did not go through (`ok: false`).
pub(super) fn failed(data: &GqlValue, field: &str) -> bool {
    let GqlValue::Object(root) = data else {
        return false;
    };
    let Some(GqlValue::Object(result)) = root.get(field) else {
        return false;
    };
    matches!(result.get("ok"), Some(GqlValue::Boolean(false)))
}
