//! The operation library: the manifests SDK clients publish, one per
//! client name and version, kept in the [`Store`] so that every replica
//! serves them.
//!
//! A manifest is taken whole or not at all: it must read (either format,
//! [`super::manifest`]), every operation must validate against the schema
//! served now, and no id may name another text in another manifest (ids
//! are one namespace, so a request by id is never ambiguous). The index
//! (which manifests exist) is one compare-and-set key; each manifest is a
//! content-addressed record. A change is announced on a channel, and
//! replicas also poll the index's version as a backstop.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;

use super::manifest::{self, ManifestError, OperationProblem, PersistedOperation};
use super::safelist::OperationSet;
use crate::store::{CasOutcome, Store, StoreError, Subscription};

/// Store key of the index.
const INDEX_KEY: &str = "operations:index";
/// Channel announcing a change of the index.
const CHANGES_CHANNEL: &str = "operations:changes";
/// Most manifests the library holds (old versions must be removed first).
pub const MAX_MANIFESTS: usize = 1000;
/// Longest client name or version.
const MAX_LABEL: usize = 128;
/// How often a change is retried when another replica changed the index first.
const MAX_ATTEMPTS: usize = 16;

/// Why a library operation failed.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    #[error("the store failed: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Manifest(#[from] ManifestError),
    #[error("the manifest was refused: {} operations have problems", .0.len())]
    Rejected(Vec<OperationProblem>),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    NotFound(String),
    #[error("the library changed {MAX_ATTEMPTS} times while this change was made; try again")]
    Contended,
    #[error("a library record is unreadable: {0}")]
    Corrupt(String),
}

/// One published manifest, as the index lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSummary {
    pub client: String,
    pub version: String,
    /// Content hash of the record.
    pub id: String,
    pub operations: usize,
    pub published_at_ms: u64,
    pub published_by: String,
}

/// A published manifest with its operations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestRecord {
    pub client: String,
    pub version: String,
    pub operations: Vec<StoredOperation>,
}

/// One operation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOperation {
    pub id: String,
    pub name: Option<String>,
    pub body: String,
}

impl From<&StoredOperation> for PersistedOperation {
    fn from(stored: &StoredOperation) -> Self {
        Self {
            id: stored.id.clone(),
            name: stored.name.clone(),
            body: stored.body.clone(),
        }
    }
}

/// Which manifests exist (one compare-and-set key).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Index {
    manifests: Vec<ManifestSummary>,
}

/// A registered operation that a schema no longer serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenOperation {
    pub client: String,
    pub version: String,
    pub id: String,
    pub name: Option<String>,
    pub problems: Vec<String>,
}

/// The library over one store.
#[derive(Clone)]
pub struct OperationLibrary {
    store: Arc<dyn Store>,
}

impl OperationLibrary {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// Publishes (adds or replaces) the manifest of `client` at `version`,
    /// checked against `schema` (the API schema served now).
    pub async fn publish(
        &self,
        client: &str,
        version: &str,
        text: &str,
        schema: &Valid<Schema>,
        by: &str,
    ) -> Result<ManifestSummary, LibraryError> {
        check_label("client", client)?;
        check_label("version", version)?;
        let (operations, mut problems) = manifest::parse(text)?;
        let (checked, schema) = (operations.clone(), schema.clone());
        let invalid = tokio::task::spawn_blocking(move || manifest::check(&checked, &schema))
            .await
            .map_err(|e| LibraryError::Invalid(format!("the check stopped: {e}")))?;
        problems.extend(invalid);
        let record = ManifestRecord {
            client: client.to_string(),
            version: version.to_string(),
            operations: operations
                .iter()
                .map(|o| StoredOperation {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    body: o.body.clone(),
                })
                .collect(),
        };
        let bytes = encode(&record)?;
        let summary = ManifestSummary {
            client: client.to_string(),
            version: version.to_string(),
            id: content_id(&bytes),
            operations: record.operations.len(),
            published_at_ms: now_ms(),
            published_by: by.to_string(),
        };
        for _ in 0..MAX_ATTEMPTS {
            let (index, version_of_index) = self.index().await?;
            let mut all = problems.clone();
            all.extend(self.conflicts(&index, &record).await?);
            if !all.is_empty() {
                return Err(LibraryError::Rejected(all));
            }
            let mut next = index.clone();
            next.manifests
                .retain(|m| !(m.client == client && m.version == version));
            if next.manifests.len() >= MAX_MANIFESTS {
                return Err(LibraryError::Invalid(format!(
                    "the library holds {MAX_MANIFESTS} manifests; remove old versions first"
                )));
            }
            next.manifests.push(summary.clone());
            next.manifests
                .sort_by(|a, b| (&a.client, &a.version).cmp(&(&b.client, &b.version)));
            self.store.put(&record_key(&summary.id), &bytes).await?;
            if self.commit(version_of_index, &next).await? {
                self.forget_unused(&index, &next).await;
                return Ok(summary);
            }
        }
        Err(LibraryError::Contended)
    }

    /// Removes the manifest of `client` at `version`.
    pub async fn remove(&self, client: &str, version: &str) -> Result<(), LibraryError> {
        for _ in 0..MAX_ATTEMPTS {
            let (index, version_of_index) = self.index().await?;
            let mut next = index.clone();
            next.manifests
                .retain(|m| !(m.client == client && m.version == version));
            if next.manifests.len() == index.manifests.len() {
                return Err(LibraryError::NotFound(format!(
                    "no manifest for client \"{client}\" version \"{version}\""
                )));
            }
            if self.commit(version_of_index, &next).await? {
                self.forget_unused(&index, &next).await;
                return Ok(());
            }
        }
        Err(LibraryError::Contended)
    }

    /// The published manifests, by client and version.
    pub async fn list(&self) -> Result<Vec<ManifestSummary>, LibraryError> {
        Ok(self.index().await?.0.manifests)
    }

    /// One manifest's record.
    pub async fn manifest(
        &self,
        client: &str,
        version: &str,
    ) -> Result<Option<ManifestRecord>, LibraryError> {
        let (index, _) = self.index().await?;
        let found = index
            .manifests
            .iter()
            .find(|m| m.client == client && m.version == version);
        match found {
            None => Ok(None),
            Some(summary) => self.record(&summary.id).await.map(Some),
        }
    }

    /// The index's version: it changes with every publish and removal.
    pub async fn revision(&self) -> Result<u64, LibraryError> {
        Ok(self.store.get(INDEX_KEY).await?.map_or(0, |v| v.version))
    }

    /// Every published operation, for a replica to serve, and the revision
    /// it was read at. `known` holds records read before (by id): only new
    /// ones are read from the store.
    pub async fn load(
        &self,
        known: &mut HashMap<String, Arc<ManifestRecord>>,
    ) -> Result<(OperationSet, u64), LibraryError> {
        let (index, revision) = self.index().await?;
        let mut records = HashMap::new();
        for summary in &index.manifests {
            let record = match known.get(&summary.id) {
                Some(record) => Arc::clone(record),
                None => Arc::new(self.record(&summary.id).await?),
            };
            records.insert(summary.id.clone(), record);
        }
        *known = records;
        let operations: Vec<PersistedOperation> = known
            .values()
            .flat_map(|record| record.operations.iter().map(PersistedOperation::from))
            .collect();
        Ok((OperationSet::new(&operations), revision))
    }

    /// The registered operations that do not validate against `schema`
    /// (a candidate supergraph's API schema): what publishing it would break.
    pub async fn broken_by(
        &self,
        schema: &Valid<Schema>,
    ) -> Result<Vec<BrokenOperation>, LibraryError> {
        let (index, _) = self.index().await?;
        let mut records = Vec::new();
        for summary in &index.manifests {
            records.push(self.record(&summary.id).await?);
        }
        let schema = schema.clone();
        tokio::task::spawn_blocking(move || broken_in(&records, &schema))
            .await
            .map_err(|e| LibraryError::Invalid(format!("the check stopped: {e}")))
    }

    /// Messages announcing changes of the library.
    pub async fn subscribe(&self) -> Result<Subscription, LibraryError> {
        Ok(self.store.subscribe(CHANGES_CHANNEL).await?)
    }

    /// Ids of `record` that another manifest holds with another text.
    async fn conflicts(
        &self,
        index: &Index,
        record: &ManifestRecord,
    ) -> Result<Vec<OperationProblem>, LibraryError> {
        let mut problems = Vec::new();
        let others = index
            .manifests
            .iter()
            .filter(|m| !(m.client == record.client && m.version == record.version));
        for other in others {
            let other_record = self.record(&other.id).await?;
            let texts: HashMap<&str, &str> = other_record
                .operations
                .iter()
                .map(|o| (o.id.as_str(), o.body.as_str()))
                .collect();
            for operation in &record.operations {
                if texts
                    .get(operation.id.as_str())
                    .is_some_and(|text| *text != operation.body)
                {
                    problems.push(OperationProblem {
                        operation: operation.id.clone(),
                        problems: vec![format!(
                            "its id names another operation in client \"{}\" version \"{}\"",
                            other.client, other.version
                        )],
                    });
                }
            }
        }
        Ok(problems)
    }

    /// Deletes the records `before` listed and `after` no longer does
    /// (best effort: a record left behind is only unused space).
    async fn forget_unused(&self, before: &Index, after: &Index) {
        let unused = before
            .manifests
            .iter()
            .filter(|old| !after.manifests.iter().any(|new| new.id == old.id));
        for summary in unused {
            if let Err(error) = self.store.delete(&record_key(&summary.id)).await {
                tracing::warn!("deleting an unused manifest record failed: {error}");
            }
        }
    }

    async fn index(&self) -> Result<(Index, u64), LibraryError> {
        match self.store.get(INDEX_KEY).await? {
            None => Ok((Index::default(), 0)),
            Some(found) => Ok((decode(&found.value)?, found.version)),
        }
    }

    async fn record(&self, id: &str) -> Result<ManifestRecord, LibraryError> {
        match self.store.get(&record_key(id)).await? {
            Some(found) => decode(&found.value),
            None => Err(LibraryError::Corrupt(format!(
                "the manifest record {id} is missing"
            ))),
        }
    }

    async fn commit(&self, version: u64, index: &Index) -> Result<bool, LibraryError> {
        let stored = self
            .store
            .compare_and_set(INDEX_KEY, version, &encode(index)?)
            .await?;
        if matches!(stored, CasOutcome::Conflict { .. }) {
            return Ok(false);
        }
        if let Err(error) = self.store.publish(CHANGES_CHANNEL, b"changed").await {
            // Replicas also poll; a lost notification only delays them.
            tracing::warn!("announcing an operations change failed: {error}");
        }
        Ok(true)
    }
}

fn broken_in(records: &[ManifestRecord], schema: &Valid<Schema>) -> Vec<BrokenOperation> {
    let mut broken = Vec::new();
    for record in records {
        let operations: Vec<PersistedOperation> = record
            .operations
            .iter()
            .map(PersistedOperation::from)
            .collect();
        for problem in manifest::check(&operations, schema) {
            let name = operations
                .iter()
                .find(|o| o.id == problem.operation)
                .and_then(|o| o.name.clone());
            broken.push(BrokenOperation {
                client: record.client.clone(),
                version: record.version.clone(),
                id: problem.operation,
                name,
                problems: problem.problems,
            });
        }
    }
    broken
}

fn check_label(what: &str, label: &str) -> Result<(), LibraryError> {
    let fits =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '@' | '/');
    if label.is_empty() || label.len() > MAX_LABEL || !label.chars().all(fits) {
        return Err(LibraryError::Invalid(format!(
            "the {what} must be 1 to {MAX_LABEL} characters of letters, digits and . - _ + @ /"
        )));
    }
    Ok(())
}

fn record_key(id: &str) -> String {
    format!("operations:manifest:{id}")
}

/// The first 16 bytes of the record's SHA-256, hex.
fn content_id(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, LibraryError> {
    serde_json::to_vec(value).map_err(|e| LibraryError::Corrupt(e.to_string()))
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, LibraryError> {
    serde_json::from_slice(bytes).map_err(|e| LibraryError::Corrupt(e.to_string()))
}
