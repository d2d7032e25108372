//! The admin API's object types, thin views over the registry's records.

use async_graphql::{Object, SimpleObject, ID};

use super::operations::BrokenOperationView;
use crate::persisted::BrokenOperation;

use crate::registry::{
    ChangeKind, ChangeOutcome, CheckReport, CompositionError, SubgraphRecord, SupergraphRecord,
    SupergraphSummary,
};

pub struct Subgraph(pub SubgraphRecord);

#[Object]
impl Subgraph {
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The subgraph's schema as published.
    async fn sdl(&self) -> &str {
        &self.0.sdl
    }
    /// When it was last published, in milliseconds since the Unix epoch.
    async fn updated_at(&self) -> f64 {
        self.0.updated_at_ms as f64
    }
    async fn updated_by(&self) -> &str {
        &self.0.updated_by
    }
}

pub struct Supergraph(pub SupergraphRecord);

#[Object]
impl Supergraph {
    async fn id(&self) -> ID {
        ID(self.0.summary.id.clone())
    }
    async fn parent(&self) -> Option<ID> {
        self.0.summary.parent.clone().map(ID)
    }
    async fn created_at(&self) -> f64 {
        self.0.summary.created_at_ms as f64
    }
    async fn created_by(&self) -> &str {
        &self.0.summary.created_by
    }
    async fn change(&self) -> &str {
        &self.0.summary.change
    }
    /// The supergraph SDL.
    async fn sdl(&self) -> &str {
        &self.0.sdl
    }
    async fn subgraphs(&self) -> Vec<Subgraph> {
        self.0.subgraphs.iter().cloned().map(Subgraph).collect()
    }
}

/// One entry of the history.
pub struct SupergraphEntry(pub SupergraphSummary);

#[Object]
impl SupergraphEntry {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn parent(&self) -> Option<ID> {
        self.0.parent.clone().map(ID)
    }
    async fn created_at(&self) -> f64 {
        self.0.created_at_ms as f64
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn change(&self) -> &str {
        &self.0.change
    }
}

/// A composition error as data.
#[derive(SimpleObject)]
pub struct CompositionErrorView {
    code: String,
    message: String,
    /// `subgraph:line:column` of each place it points at.
    locations: Vec<String>,
}

impl From<&CompositionError> for CompositionErrorView {
    fn from(error: &CompositionError) -> Self {
        Self {
            code: error.code.to_string(),
            message: error.message.clone(),
            locations: error
                .locations
                .iter()
                .map(|l| format!("{}:{}:{}", l.subgraph, l.line, l.column))
                .collect(),
        }
    }
}

/// The result of publish, remove and rollback.
pub struct ChangeResult {
    ok: bool,
    changed: bool,
    supergraph: Option<SupergraphRecord>,
    errors: Vec<CompositionErrorView>,
}

impl ChangeResult {
    pub fn from_outcome(outcome: ChangeOutcome) -> Self {
        Self {
            ok: true,
            changed: matches!(outcome, ChangeOutcome::Changed(_)),
            supergraph: outcome.supergraph().cloned(),
            errors: Vec::new(),
        }
    }

    pub fn failed(errors: Vec<CompositionError>) -> Self {
        Self {
            ok: false,
            changed: false,
            supergraph: None,
            errors: errors.iter().map(CompositionErrorView::from).collect(),
        }
    }
}

#[Object]
impl ChangeResult {
    /// The change was accepted (or there was nothing to change).
    async fn ok(&self) -> bool {
        self.ok
    }
    /// A new supergraph became current.
    async fn changed(&self) -> bool {
        self.changed
    }
    /// The current supergraph after the change.
    async fn supergraph(&self) -> Option<Supergraph> {
        self.supergraph.clone().map(Supergraph)
    }
    /// Why the subgraphs do not compose (empty when `ok`).
    async fn errors(&self) -> &[CompositionErrorView] {
        &self.errors
    }
}

/// One change of the API schema.
#[derive(SimpleObject)]
pub struct SchemaChangeView {
    /// ADDED, REMOVED or CHANGED.
    kind: String,
    coordinate: String,
    detail: String,
    breaking: bool,
}

/// The result of checkSubgraph.
pub struct CheckResult(pub CheckReport, pub Vec<BrokenOperation>);

#[Object]
impl CheckResult {
    /// The candidate composes.
    async fn ok(&self) -> bool {
        self.0.errors.is_empty()
    }
    async fn errors(&self) -> Vec<CompositionErrorView> {
        self.0
            .errors
            .iter()
            .map(CompositionErrorView::from)
            .collect()
    }
    /// Changes of the API schema against the current supergraph.
    async fn changes(&self) -> Vec<SchemaChangeView> {
        self.0
            .changes
            .iter()
            .map(|c| SchemaChangeView {
                kind: match c.kind {
                    ChangeKind::Added => "ADDED",
                    ChangeKind::Removed => "REMOVED",
                    ChangeKind::Changed => "CHANGED",
                }
                .to_string(),
                coordinate: c.coordinate.clone(),
                detail: c.detail.clone(),
                breaking: c.breaking,
            })
            .collect()
    }
    /// Published operations (of SDK client manifests) that would no longer
    /// validate.
    async fn broken_operations(&self) -> Vec<BrokenOperationView> {
        self.1.iter().map(BrokenOperationView::from).collect()
    }
    /// Some change could break an existing client operation, or breaks a
    /// published one.
    async fn breaking(&self) -> bool {
        self.0.changes.iter().any(|c| c.breaking) || !self.1.is_empty()
    }
}
