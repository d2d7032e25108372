//! Composition: subgraph SDLs in, an Apollo-format supergraph SDL out
//! (link v1.0, join v0.3–v0.5), or every composition error as data.
//!
//! The steps, each its own file: `subgraph` reads one subgraph's SDL into
//! [`model::Subgraph`] (federation directives resolved whatever their
//! imported names, Federation 1 upgraded); `merge` merges the subgraphs
//! into [`model::Supergraph`] with the `@join__*` information; `print`
//! writes it in Apollo's format. `input` reads the subgraph list files of
//! `junction compose --subgraphs` and `junction serve --subgraphs`;
//! `compare` tells whether two supergraphs mean the same (our check
//! against supergraphs other composers produced).

mod access;
pub mod compare;
mod input;
mod merge;
pub mod model;
mod print;
mod provided;
mod subgraph;
mod validate;

pub use input::{read_subgraph_list, referenced_files, InputError};

/// One subgraph to compose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubgraphInput {
    pub name: String,
    pub url: String,
    pub sdl: String,
}

/// Where a composition error points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorLocation {
    pub subgraph: String,
    pub line: usize,
    pub column: usize,
}

/// Why a set of subgraphs does not compose: a stable code (Apollo's
/// composition error codes where one fits), a message naming subgraphs,
/// types and fields, and where in which SDL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CompositionError {
    pub code: &'static str,
    pub message: String,
    pub locations: Vec<ErrorLocation>,
}

impl CompositionError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            locations: Vec::new(),
        }
    }

    /// `CODE: message (at subgraph:line:column, …)`: one line for a terminal or a log.
    pub fn located(&self) -> String {
        let locations: Vec<String> = self
            .locations
            .iter()
            .map(|l| format!("{}:{}:{}", l.subgraph, l.line, l.column))
            .collect();
        if locations.is_empty() {
            format!("{}: {}", self.code, self.message)
        } else {
            format!(
                "{}: {} (at {})",
                self.code,
                self.message,
                locations.join(", ")
            )
        }
    }

    /// Adds a location in `subgraph`.
    pub fn at(mut self, subgraph: &str, location: model::Location) -> Self {
        self.locations.push(ErrorLocation {
            subgraph: subgraph.to_string(),
            line: location.line,
            column: location.column,
        });
        self
    }
}

/// Composes subgraphs into a supergraph SDL, or returns every error found.
pub fn compose(subgraphs: &[SubgraphInput]) -> Result<String, Vec<CompositionError>> {
    let mut errors = check_names(subgraphs);
    let mut read = Vec::with_capacity(subgraphs.len());
    for input in subgraphs {
        match subgraph::read_subgraph(input) {
            Ok(subgraph) => read.push(subgraph),
            Err(mut subgraph_errors) => errors.append(&mut subgraph_errors),
        }
    }
    if errors.is_empty() {
        errors = validate::validate_subgraphs(&read);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let supergraph = merge::merge(read.clone())?;
    if !supergraph
        .types
        .iter()
        .any(|t| t.name == "Query" && !t.fields.is_empty())
    {
        return Err(vec![CompositionError::new(
            "NO_QUERIES",
            "None of the subgraphs defines a query field; a supergraph needs at least one.",
        )]);
    }
    let errors = validate::validate(&read, &supergraph);
    if !errors.is_empty() {
        return Err(errors);
    }
    let printed = print::print_supergraph(&supergraph);
    let errors = validate::validate_printed(&read, &printed);
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(printed)
}

/// Subgraph names must be unique, and `_` is reserved.
fn check_names(subgraphs: &[SubgraphInput]) -> Vec<CompositionError> {
    let mut errors = Vec::new();
    for (i, input) in subgraphs.iter().enumerate() {
        if input.name == "_" || input.name.is_empty() {
            errors.push(CompositionError::new(
                "INVALID_SUBGRAPH_NAME",
                format!(
                    "Invalid name {:?} for a subgraph: this name is reserved",
                    input.name
                ),
            ));
        } else if subgraphs[..i].iter().any(|s| s.name == input.name) {
            errors.push(CompositionError::new(
                "INVALID_SUBGRAPH_NAME",
                format!(
                    "Two subgraphs are named {:?}: subgraph names must be unique",
                    input.name
                ),
            ));
        }
    }
    errors
}
