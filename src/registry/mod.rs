//! The subgraph registry: service teams publish, check and remove
//! subgraphs; each change composes the whole candidate set (`compose`) and,
//! only if it composes, becomes the new current supergraph, appended to the
//! history and announced to every replica (`store` pub/sub). Any earlier
//! supergraph can be made current again (rollback).
//!
//! All of it lives in a [`Store`]: the state (current subgraphs and
//! supergraph id) is one key written by compare-and-set, so concurrent
//! publishes from several replicas retry instead of losing one another's
//! change; supergraph records are content-addressed.

mod diff;
mod records;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

pub use crate::compose::{CompositionError, SubgraphInput};
pub use diff::{diff_api_schemas, ChangeKind, SchemaChange};
pub use records::{RegistryState, SubgraphRecord, SupergraphRecord, SupergraphSummary};

use crate::compose::compose;
use crate::egress::AllowedHosts;
use crate::store::{CasOutcome, Store, StoreError, Subscription};
use records::{supergraph_key, CHANGES_CHANNEL, HISTORY_LIST, STATE_KEY};

/// How often a change is retried when another replica changed the state first.
const MAX_ATTEMPTS: usize = 16;

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("the subgraphs do not compose ({} errors)", .0.len())]
    Composition(Vec<CompositionError>),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("the registry changed {MAX_ATTEMPTS} times while this change was prepared; try again")]
    Contended,
    #[error("a registry record is unreadable: {0}")]
    Corrupt(String),
}

/// The result of a publish, remove or rollback.
#[derive(Debug, Clone)]
pub enum ChangeOutcome {
    /// A new supergraph is current.
    Changed(SupergraphRecord),
    /// Nothing to do: the registry already holds exactly this.
    Unchanged(Option<SupergraphRecord>),
}

impl ChangeOutcome {
    /// The current supergraph after the change.
    pub fn supergraph(&self) -> Option<&SupergraphRecord> {
        match self {
            Self::Changed(record) => Some(record),
            Self::Unchanged(record) => record.as_ref(),
        }
    }
}

/// What publishing a subgraph would do, without doing it.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Composition errors (empty: the candidate composes).
    pub errors: Vec<CompositionError>,
    /// Changes of the API schema against the current supergraph.
    pub changes: Vec<SchemaChange>,
    /// The candidate supergraph, when it composes.
    pub supergraph: Option<String>,
}

/// The registry over one store.
#[derive(Clone)]
pub struct Registry {
    store: Arc<dyn Store>,
    /// Where published subgraph URLs may point.
    hosts: AllowedHosts,
}

impl Registry {
    /// A registry accepting subgraph URLs to any host but link-local and
    /// metadata addresses.
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            hosts: AllowedHosts::default(),
        }
    }

    /// Accepts only subgraph URLs whose host `hosts` allows.
    pub fn with_allowed_hosts(mut self, hosts: AllowedHosts) -> Self {
        self.hosts = hosts;
        self
    }

    /// The store the registry lives in (other records share it).
    pub fn store(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }

    /// Publishes (adds or replaces) a subgraph.
    pub async fn publish(
        &self,
        input: SubgraphInput,
        by: &str,
    ) -> Result<ChangeOutcome, RegistryError> {
        self.publish_many(vec![input], by).await
    }

    /// Publishes several subgraphs as one change (composed once, one new
    /// supergraph): subgraphs that depend on one another may not compose
    /// one at a time.
    pub async fn publish_many(
        &self,
        inputs: Vec<SubgraphInput>,
        by: &str,
    ) -> Result<ChangeOutcome, RegistryError> {
        for input in &inputs {
            validate_input(input, &self.hosts)?;
        }
        let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
        let change = format!("publish {}", names.join(", "));
        self.change(by, &change, |state| {
            let unchanged =
                |input: &SubgraphInput| state.subgraphs.iter().any(|s| s.same_as(input));
            if inputs.iter().all(unchanged) {
                return Ok(None);
            }
            let mut subgraphs: Vec<SubgraphRecord> = state
                .subgraphs
                .iter()
                .filter(|s| !inputs.iter().any(|i| i.name == s.name))
                .cloned()
                .collect();
            subgraphs.extend(inputs.iter().map(|input| SubgraphRecord {
                name: input.name.clone(),
                url: input.url.clone(),
                sdl: input.sdl.clone(),
                updated_at_ms: now_ms(),
                updated_by: by.to_string(),
            }));
            subgraphs.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(Some(subgraphs))
        })
        .await
    }

    /// Removes a subgraph; the rest must still compose.
    pub async fn remove(&self, name: &str, by: &str) -> Result<ChangeOutcome, RegistryError> {
        let change = format!("remove {name}");
        self.change(by, &change, |state| {
            if !state.subgraphs.iter().any(|s| s.name == name) {
                return Err(RegistryError::NotFound(format!(
                    "no subgraph named \"{name}\" is registered"
                )));
            }
            let rest: Vec<SubgraphRecord> = state
                .subgraphs
                .iter()
                .filter(|s| s.name != name)
                .cloned()
                .collect();
            if rest.is_empty() {
                return Err(RegistryError::Invalid(format!(
                    "\"{name}\" is the last subgraph; a supergraph needs at least one"
                )));
            }
            Ok(Some(rest))
        })
        .await
    }

    /// Composes the registry's subgraphs with `input` in place, storing
    /// nothing: the composition errors, or the API schema changes.
    pub async fn check(&self, input: SubgraphInput) -> Result<CheckReport, RegistryError> {
        validate_input(&input, &self.hosts)?;
        let (state, _) = self.state().await?;
        let current = self.current_of(&state).await?;
        let mut inputs: Vec<SubgraphInput> = state
            .subgraphs
            .iter()
            .filter(|s| s.name != input.name)
            .map(SubgraphRecord::input)
            .collect();
        inputs.push(input);
        let old_sdl = current.map(|record| record.sdl);
        let report = tokio::task::spawn_blocking(move || match compose(&inputs) {
            Err(errors) => CheckReport {
                errors,
                changes: Vec::new(),
                supergraph: None,
            },
            Ok(new_sdl) => CheckReport {
                errors: Vec::new(),
                changes: api_changes(old_sdl.as_deref(), &new_sdl),
                supergraph: Some(new_sdl),
            },
        })
        .await
        .map_err(|e| RegistryError::Invalid(format!("composition stopped: {e}")))?;
        Ok(report)
    }

    /// The registered subgraphs, by name.
    pub async fn list(&self) -> Result<Vec<SubgraphRecord>, RegistryError> {
        Ok(self.state().await?.0.subgraphs)
    }

    /// The current supergraph, if anything was published.
    pub async fn current(&self) -> Result<Option<SupergraphRecord>, RegistryError> {
        let (state, _) = self.state().await?;
        self.current_of(&state).await
    }

    /// The id of the current supergraph (one small read).
    pub async fn current_id(&self) -> Result<Option<String>, RegistryError> {
        Ok(self.state().await?.0.supergraph_id)
    }

    /// One supergraph by id.
    pub async fn supergraph(&self, id: &str) -> Result<Option<SupergraphRecord>, RegistryError> {
        match self.store.get(&supergraph_key(id)).await? {
            None => Ok(None),
            Some(found) => decode(&found.value).map(Some),
        }
    }

    /// The history, newest first, at most `limit` entries.
    pub async fn history(&self, limit: usize) -> Result<Vec<SupergraphSummary>, RegistryError> {
        let entries = self.store.newest(HISTORY_LIST, limit).await?;
        entries.iter().map(|bytes| decode(bytes)).collect()
    }

    /// Makes an earlier supergraph (and its subgraphs) current again.
    pub async fn rollback(&self, id: &str, by: &str) -> Result<ChangeOutcome, RegistryError> {
        let target = self
            .supergraph(id)
            .await?
            .ok_or_else(|| RegistryError::NotFound(format!("no supergraph with id \"{id}\"")))?;
        for _ in 0..MAX_ATTEMPTS {
            let (state, version) = self.state().await?;
            if state.supergraph_id.as_deref() == Some(id) {
                return Ok(ChangeOutcome::Unchanged(Some(target)));
            }
            let summary = SupergraphSummary {
                id: id.to_string(),
                parent: state.supergraph_id.clone(),
                created_at_ms: now_ms(),
                created_by: by.to_string(),
                change: format!("rollback to {id}"),
            };
            let next = RegistryState {
                subgraphs: target.subgraphs.clone(),
                supergraph_id: Some(id.to_string()),
            };
            if self.commit(version, &next, &summary).await? {
                return Ok(ChangeOutcome::Changed(SupergraphRecord {
                    summary,
                    ..target
                }));
            }
        }
        Err(RegistryError::Contended)
    }

    /// Notifications of a new current supergraph (the message is its id).
    pub async fn subscribe(&self) -> Result<Subscription, RegistryError> {
        Ok(self.store.subscribe(CHANGES_CHANNEL).await?)
    }

    /// Reads the state, applies `next` (None: nothing to change), composes
    /// the result and commits it by compare-and-set, retrying from a fresh
    /// read when another writer came first.
    async fn change(
        &self,
        by: &str,
        change: &str,
        next: impl Fn(&RegistryState) -> Result<Option<Vec<SubgraphRecord>>, RegistryError>,
    ) -> Result<ChangeOutcome, RegistryError> {
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(5 * attempt as u64)).await;
            }
            let (state, version) = self.state().await?;
            let Some(subgraphs) = next(&state)? else {
                return Ok(ChangeOutcome::Unchanged(self.current_of(&state).await?));
            };
            let sdl = compose_records(&subgraphs).await?;
            let id = content_id(&sdl);
            let summary = SupergraphSummary {
                id: id.clone(),
                parent: state.supergraph_id.clone(),
                created_at_ms: now_ms(),
                created_by: by.to_string(),
                change: change.to_string(),
            };
            let record = SupergraphRecord {
                summary: summary.clone(),
                subgraphs: subgraphs.clone(),
                sdl,
            };
            // Content-addressed: an existing record of the same id is kept.
            let encoded = encode(&record)?;
            self.store
                .compare_and_set(&supergraph_key(&id), 0, &encoded)
                .await?;
            let state = RegistryState {
                subgraphs,
                supergraph_id: Some(id),
            };
            if self.commit(version, &state, &summary).await? {
                return Ok(ChangeOutcome::Changed(record));
            }
        }
        Err(RegistryError::Contended)
    }

    /// Writes `state` if the state is still at `version`, then records the
    /// history entry and announces the change. `false`: someone came first.
    async fn commit(
        &self,
        version: u64,
        state: &RegistryState,
        summary: &SupergraphSummary,
    ) -> Result<bool, RegistryError> {
        match self
            .store
            .compare_and_set(STATE_KEY, version, &encode(state)?)
            .await?
        {
            CasOutcome::Conflict { .. } => Ok(false),
            CasOutcome::Stored { .. } => {
                self.store.append(HISTORY_LIST, &encode(summary)?).await?;
                if let Err(error) = self
                    .store
                    .publish(CHANGES_CHANNEL, summary.id.as_bytes())
                    .await
                {
                    // Replicas also poll; a lost notification only delays them.
                    tracing::warn!("announcing supergraph {} failed: {error}", summary.id);
                }
                Ok(true)
            }
        }
    }

    /// The state and its version (0: nothing published yet).
    async fn state(&self) -> Result<(RegistryState, u64), RegistryError> {
        match self.store.get(STATE_KEY).await? {
            None => Ok((RegistryState::default(), 0)),
            Some(found) => Ok((decode(&found.value)?, found.version)),
        }
    }

    async fn current_of(
        &self,
        state: &RegistryState,
    ) -> Result<Option<SupergraphRecord>, RegistryError> {
        match &state.supergraph_id {
            None => Ok(None),
            Some(id) => self.supergraph(id).await.and_then(|found| {
                found.map(Some).ok_or_else(|| {
                    RegistryError::Corrupt(format!("the current supergraph {id} is missing"))
                })
            }),
        }
    }
}

/// Composes the subgraphs off the async threads.
async fn compose_records(subgraphs: &[SubgraphRecord]) -> Result<String, RegistryError> {
    let inputs: Vec<SubgraphInput> = subgraphs.iter().map(SubgraphRecord::input).collect();
    tokio::task::spawn_blocking(move || compose(&inputs))
        .await
        .map_err(|e| RegistryError::Invalid(format!("composition stopped: {e}")))?
        .map_err(RegistryError::Composition)
}

/// The API schema changes from `old` (none: everything is new) to `new`.
fn api_changes(old: Option<&str>, new: &str) -> Vec<SchemaChange> {
    let parse = |sdl: &str| crate::supergraph::Supergraph::parse(sdl).ok();
    let (Some(new), old) = (parse(new), old.and_then(parse)) else {
        return Vec::new();
    };
    let empty = apollo_compiler::Schema::new();
    let old_schema = old.as_ref().map_or(&empty, |old| &*old.api_schema);
    diff_api_schemas(old_schema, &new.api_schema)
}

fn validate_input(input: &SubgraphInput, hosts: &AllowedHosts) -> Result<(), RegistryError> {
    let valid_name = !input.name.is_empty()
        && input
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_name {
        return Err(RegistryError::Invalid(format!(
            "invalid subgraph name {:?}: use letters, digits, '-' and '_'",
            input.name
        )));
    }
    hosts.check_url(&input.url).map_err(|error| {
        RegistryError::Invalid(format!(
            "invalid URL {:?} for subgraph \"{}\": {error}",
            input.url, input.name
        ))
    })
}

/// The first 16 bytes of the SDL's SHA-256, in hex.
fn content_id(sdl: &str) -> String {
    Sha256::digest(sdl.as_bytes())[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, RegistryError> {
    serde_json::to_vec(value).map_err(|e| RegistryError::Corrupt(e.to_string()))
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, RegistryError> {
    serde_json::from_slice(bytes).map_err(|e| RegistryError::Corrupt(e.to_string()))
}
