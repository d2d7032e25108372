//! Operations: parse and validate a client's GraphQL document against the
//! API schema (plus the `@defer` rules apollo-compiler does not know), pick
//! the operation to run, and normalise it into our own selection tree
//! ([`SelectionSet`]) with fragment spreads inlined and deferred fragments
//! numbered.
//!
//! The normalised tree is what the planner and the shaper read; the
//! validated document is kept for introspection and variable coercion.

mod cost;
mod defer_rules;
mod diagnostics;
mod limits;
mod normalize;
mod one_of;
#[cfg(test)]
mod properties;
mod selection;
mod variables;

use std::sync::Arc;

use apollo_compiler::ast::{self, OperationType};
use apollo_compiler::executable::{ExecutableDocument, VariableDefinition};
use apollo_compiler::parser::Parser;
use apollo_compiler::response::GraphQLError;
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Node, Schema};

pub use cost::CostModel;
pub use limits::{LimitExceeded, Limits};
pub use normalize::normalize_field_set;
pub use one_of::{check_variables as check_one_of_variables, OneOfVariable};
pub use selection::{
    collect_variables, conditions_met, defer_enabled, merge_into, print_selection_set, Condition,
    Defer, Field, InlineFragment, Rewrite, Rewriter, Selection, SelectionSet,
};
pub use variables::{check_variables, VariableLimits, VariablesError};

/// A validated operation, ready to plan and execute.
#[derive(Debug, Clone)]
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
    /// The schema declares `@oneOf` (variables are checked against it).
    pub schema_has_one_of: bool,
    /// Variables that fill a field of a `@oneOf` literal: each must be
    /// given, and not as null.
    pub one_of_variables: Vec<OneOfVariable>,
}

/// The first errors of a document (at most `limits.max_errors`) and how
/// many there were in all.
#[derive(Debug, Clone)]
pub struct DocumentErrors {
    pub first: Vec<GraphQLError>,
    pub total: usize,
}

/// Why an operation cannot run.
#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    #[error("syntax error")]
    Parse(DocumentErrors),
    #[error("validation failed")]
    Validation(DocumentErrors),
    #[error("{0}")]
    Limit(#[from] LimitExceeded),
    #[error("{0}")]
    UnknownOperation(String),
    #[error("the schema has no {0} root type")]
    UnsupportedRoot(&'static str),
}

impl OperationError {
    /// The GraphQL errors to report for this failure; past the first
    /// `limits.max_errors`, one more error says how many were left out.
    pub fn to_graphql_errors(&self) -> Vec<GraphQLError> {
        let plain = |message: String| GraphQLError {
            message,
            locations: Vec::new(),
            path: Vec::new(),
            extensions: Default::default(),
        };
        match self {
            Self::Parse(errors) | Self::Validation(errors) => {
                let mut all = errors.first.clone();
                let omitted = errors.total.saturating_sub(errors.first.len());
                if omitted > 0 {
                    all.push(plain(format!(
                        "{omitted} more errors were left out (limits.max_errors)."
                    )));
                }
                all
            }
            other => vec![plain(other.to_string())],
        }
    }
}

/// Parses, validates and normalises `query`, selecting `operation_name`,
/// within the default [`Limits`].
pub fn prepare(
    schema: &Valid<Schema>,
    query: &str,
    operation_name: Option<&str>,
) -> Result<Arc<PreparedOperation>, OperationError> {
    prepare_within(schema, query, operation_name, &Limits::default())
}

/// Parses, checks the limits, validates and normalises `query`, selecting
/// `operation_name`. Each step runs only on what passed the one before, so
/// the limits bound the work of validation and normalisation.
pub fn prepare_within(
    schema: &Valid<Schema>,
    query: &str,
    operation_name: Option<&str>,
    limits: &Limits,
) -> Result<Arc<PreparedOperation>, OperationError> {
    let ast = parse(query, limits)?;
    limits::check(&ast, operation_name, limits)?;
    let document = ast.to_executable_validate(schema).map_err(|e| {
        let errors = diagnostics::validation_errors(&e.errors, &ast, limits.max_errors);
        OperationError::Validation(errors)
    })?;
    let operation = document.operations.get(operation_name).map_err(|e| {
        OperationError::UnknownOperation(unknown_operation_message(
            &e.message().to_string(),
            operation_name,
        ))
    })?;
    let defer_errors = defer_rules::check(&document, operation);
    if !defer_errors.is_empty() {
        let total = defer_errors.len();
        return Err(OperationError::Validation(DocumentErrors {
            first: defer_errors.into_iter().take(limits.max_errors).collect(),
            total,
        }));
    }
    let schema_has_one_of = one_of::schema_has_one_of(schema);
    let one_of_variables = if schema_has_one_of {
        let (errors, variables) = one_of::check_document(schema, &document, operation);
        if !errors.is_empty() {
            let total = errors.len();
            return Err(OperationError::Validation(DocumentErrors {
                first: errors.into_iter().take(limits.max_errors).collect(),
                total,
            }));
        }
        variables
    } else {
        Vec::new()
    };
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
        schema_has_one_of,
        one_of_variables,
        document,
    }))
}

/// Parses with the token and nesting limits. The tokens are counted by the
/// lexer alone first (no tree, nothing allocated per token): a document over
/// the limit is refused at the cost of reading its first `max_tokens`
/// tokens, where parsing them would build a tree and an error per token.
fn parse(query: &str, limits: &Limits) -> Result<ast::Document, OperationError> {
    let over = apollo_parser::Lexer::new(query)
        .with_limit(limits.max_tokens)
        .any(|token| token.is_err_and(|error| error.is_limit()));
    if over {
        return Err(OperationError::Limit(LimitExceeded {
            limit: "max_tokens",
            max: limits.max_tokens,
            actual: limits.max_tokens as u64 + 1,
        }));
    }
    let mut parser = Parser::new()
        .token_limit(limits.max_tokens)
        .recursion_limit(limits.parser_recursion_limit());
    let parsed = parser.parse_ast(query, "operation.graphql");
    if parser.tokens_reached() > limits.max_tokens {
        return Err(OperationError::Limit(LimitExceeded {
            limit: "max_tokens",
            max: limits.max_tokens,
            actual: parser.tokens_reached() as u64,
        }));
    }
    parsed.map_err(|e| OperationError::Parse(diagnostics::syntax_errors(&e.errors)))
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
