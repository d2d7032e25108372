//! What the registry stores, as JSON values in the store: the registry's
//! state (the current subgraphs and supergraph id, one compare-and-set
//! key), one record per supergraph (content-addressed), and the history.

use serde::{Deserialize, Serialize};

use crate::compose::SubgraphInput;

/// Store key of the registry state.
pub(super) const STATE_KEY: &str = "registry:state";
/// Store list of [`SupergraphSummary`], newest last.
pub(super) const HISTORY_LIST: &str = "registry:history";
/// Channel announcing a new current supergraph (the message is its id).
pub(super) const CHANGES_CHANNEL: &str = "registry:changes";

/// Store key of one supergraph record.
pub(super) fn supergraph_key(id: &str) -> String {
    format!("registry:supergraph:{id}")
}

/// One registered subgraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubgraphRecord {
    pub name: String,
    pub url: String,
    pub sdl: String,
    /// When it was last published (milliseconds since the Unix epoch).
    pub updated_at_ms: u64,
    /// Who published it.
    pub updated_by: String,
}

impl SubgraphRecord {
    pub fn input(&self) -> SubgraphInput {
        SubgraphInput {
            name: self.name.clone(),
            url: self.url.clone(),
            sdl: self.sdl.clone(),
        }
    }

    /// Same name, URL and schema (who and when aside).
    pub fn same_as(&self, input: &SubgraphInput) -> bool {
        self.name == input.name && self.url == input.url && self.sdl == input.sdl
    }
}

/// The registry's current state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryState {
    /// Sorted by name.
    pub subgraphs: Vec<SubgraphRecord>,
    /// The supergraph composed from `subgraphs` (none before the first publish).
    pub supergraph_id: Option<String>,
}

/// A supergraph as the registry keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupergraphRecord {
    #[serde(flatten)]
    pub summary: SupergraphSummary,
    /// The subgraphs it was composed from.
    pub subgraphs: Vec<SubgraphRecord>,
    /// The supergraph SDL.
    pub sdl: String,
}

/// One entry of the history: which supergraph became current, when, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupergraphSummary {
    /// Content hash of the SDL (the first 16 bytes of its SHA-256, hex).
    pub id: String,
    /// The supergraph current before it.
    pub parent: Option<String>,
    pub created_at_ms: u64,
    pub created_by: String,
    /// What changed: `publish accounts`, `remove reviews`, `rollback to …`.
    pub change: String,
}
