//! Operations: parse and validate a client's GraphQL document against the
//! API schema (plus the `@defer` rules apollo-compiler does not know), pick
//! the operation to run, and normalise it into our own selection tree
//! ([`SelectionSet`]) with fragment spreads inlined and deferred fragments
//! numbered.
//!
//! The normalised tree is what the planner and the shaper read; the
//! validated document is kept for introspection and variable coercion.

mod defer_rules;
mod normalize;
mod selection;

use std::sync::Arc;

use apollo_compiler::ast::OperationType;
use apollo_compiler::executable::{ExecutableDocument, VariableDefinition};
use apollo_compiler::response::GraphQLError;
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Node, Schema};

pub use normalize::normalize_field_set;
pub use selection::{
    collect_variables, conditions_met, defer_enabled, merge_into, print_selection_set, Condition,
    Defer, Field, InlineFragment, Selection, SelectionSet,
};

/// A validated operation, ready to plan and execute.
#[derive(Debug)]
pub struct PreparedOperation {
    pub kind: OperationType,
    pub name: Option<Name>,
    /// The root type of the operation in the API schema (`Query`, `Mutation`, …).
    pub root_type: Name,
    pub selections: SelectionSet,
    pub variables: Vec<Node<VariableDefinition>>,
    /// The validated document, for introspection and variable coercion.
    pub document: Valid<ExecutableDocument>,
    /// The operation uses `__schema` or `__type`.
    pub has_schema_introspection: bool,
}

/// Why an operation cannot run.
#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    #[error("syntax error")]
    Parse(Vec<GraphQLError>),
    #[error("validation failed")]
    Validation(Vec<GraphQLError>),
    #[error("{0}")]
    UnknownOperation(String),
    #[error("the schema has no {0} root type")]
    UnsupportedRoot(&'static str),
}

impl OperationError {
    /// The GraphQL errors to report for this failure.
    pub fn to_graphql_errors(&self) -> Vec<GraphQLError> {
        match self {
            Self::Parse(errors) | Self::Validation(errors) => errors.clone(),
            other => vec![GraphQLError {
                message: other.to_string(),
                locations: Vec::new(),
                path: Vec::new(),
                extensions: Default::default(),
            }],
        }
    }
}

/// Parses, validates and normalises `query`, selecting `operation_name`.
pub fn prepare(
    schema: &Valid<Schema>,
    query: &str,
    operation_name: Option<&str>,
) -> Result<Arc<PreparedOperation>, OperationError> {
    let document = parse_and_validate(schema, query)?;
    let operation = document.operations.get(operation_name).map_err(|e| {
        OperationError::UnknownOperation(unknown_operation_message(
            &e.message().to_string(),
            operation_name,
        ))
    })?;
    let defer_errors = defer_rules::check(&document, operation);
    if !defer_errors.is_empty() {
        return Err(OperationError::Validation(defer_errors));
    }
    let root_type = schema
        .root_operation(operation.operation_type)
        .cloned()
        .ok_or(OperationError::UnsupportedRoot(operation_type_name(
            operation.operation_type,
        )))?;
    let selections = normalize::normalize_operation(schema, &document, operation);
    let has_schema_introspection = operation
        .root_fields(&document)
        .any(|f| f.name == "__schema" || f.name == "__type");
    Ok(Arc::new(PreparedOperation {
        kind: operation.operation_type,
        name: operation.name.clone(),
        root_type,
        selections,
        variables: operation.variables.clone(),
        has_schema_introspection,
        document,
    }))
}

fn parse_and_validate(
    schema: &Valid<Schema>,
    query: &str,
) -> Result<Valid<ExecutableDocument>, OperationError> {
    let ast = apollo_compiler::ast::Document::parse(query, "operation.graphql")
        .map_err(|e| OperationError::Parse(e.errors.iter().map(|d| d.to_json()).collect()))?;
    ast.to_executable_validate(schema)
        .map_err(|e| OperationError::Validation(e.errors.iter().map(|d| d.to_json()).collect()))
}

fn unknown_operation_message(detail: &str, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("Unknown operation named \"{name}\"."),
        None => detail.to_string(),
    }
}

fn operation_type_name(kind: OperationType) -> &'static str {
    match kind {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}
