//! The admin API's part for persisted operations: publish, list, read and
//! remove the manifests SDK clients publish. A manifest's problems (one
//! entry per operation) are data in the result, like composition errors.
//!
//! Manifests are checked against the API schema the gateway serves now
//! ([`ServedSchema`]); a process without a gateway (the command line
//! working on the store) checks against the registry's current supergraph.
//!
//! Manifests are served to every org: an org admin may read them, not
//! publish or remove them.

use std::sync::Arc;

use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;
use async_graphql::{Context, ErrorExtensions, Object, SimpleObject};

use crate::persisted::library::{ManifestRecord, StoredOperation};
use crate::persisted::manifest::OperationProblem;
use crate::persisted::{BrokenOperation, LibraryError, ManifestSummary, OperationLibrary};
use crate::registry::Registry;

/// The API schema the gateway serves now, if it serves one.
pub type ServedSchema = Arc<dyn Fn() -> Option<Valid<Schema>> + Send + Sync>;

#[derive(Default)]
pub struct OperationsQuery;

#[Object]
impl OperationsQuery {
    /// The published operation manifests, by client and version.
    async fn operation_manifests(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<OperationManifest>> {
        let list = library(ctx)?.list().await.map_err(to_error)?;
        Ok(list.into_iter().map(OperationManifest).collect())
    }

    /// One manifest with its operations.
    async fn operation_manifest(
        &self,
        ctx: &Context<'_>,
        client: String,
        version: String,
    ) -> async_graphql::Result<Option<ManifestDetail>> {
        let found = library(ctx)?
            .manifest(&client, &version)
            .await
            .map_err(to_error)?;
        Ok(found.map(ManifestDetail))
    }
}

#[derive(Default)]
pub struct OperationsMutation;

#[Object]
impl OperationsMutation {
    /// Publishes (adds or replaces) the operation manifest of a client
    /// version: Apollo's persisted query list or a Relay `id → text` map,
    /// as JSON text. Taken whole or not at all: `problems` names every
    /// operation that does not read, does not validate against the schema
    /// served now, or reuses another manifest's id for another text.
    async fn publish_operations(
        &self,
        ctx: &Context<'_>,
        client: String,
        version: String,
        manifest: String,
    ) -> async_graphql::Result<PublishOperationsResult> {
        super::scope::AdminScope::of(ctx).require_global()?;
        let schema = served_schema(ctx).await?;
        let by = super::caller(ctx);
        let published = library(ctx)?
            .publish(&client, &version, &manifest, &schema, &by)
            .await;
        match published {
            Ok(summary) => Ok(PublishOperationsResult {
                ok: true,
                manifest: Some(summary),
                problems: Vec::new(),
            }),
            Err(LibraryError::Rejected(problems)) => Ok(PublishOperationsResult {
                ok: false,
                manifest: None,
                problems: problems.into_iter().map(ProblemView::from).collect(),
            }),
            Err(other) => Err(to_error(other)),
        }
    }

    /// Removes the manifest of a client version; its operations are no
    /// longer served (nor safelisted).
    async fn remove_operations(
        &self,
        ctx: &Context<'_>,
        client: String,
        version: String,
    ) -> async_graphql::Result<bool> {
        super::scope::AdminScope::of(ctx).require_global()?;
        library(ctx)?
            .remove(&client, &version)
            .await
            .map_err(to_error)?;
        Ok(true)
    }
}

/// The registered operations a candidate supergraph would break.
pub(super) async fn broken_by(
    ctx: &Context<'_>,
    candidate_sdl: Option<&str>,
) -> async_graphql::Result<Vec<BrokenOperation>> {
    let Some(sdl) = candidate_sdl else {
        return Ok(Vec::new());
    };
    let schema = api_schema_of(sdl)?;
    library(ctx)?.broken_by(&schema).await.map_err(to_error)
}

/// The schema manifests are checked against.
async fn served_schema(ctx: &Context<'_>) -> async_graphql::Result<Valid<Schema>> {
    if let Some(served) = ctx.data_opt::<ServedSchema>() {
        if let Some(schema) = served() {
            return Ok(schema);
        }
    }
    let current = ctx
        .data::<Registry>()?
        .current()
        .await
        .map_err(|e| coded(e.to_string(), "STORE_UNAVAILABLE"))?;
    match current {
        Some(record) => api_schema_of(&record.sdl),
        None => Err(coded(
            "no supergraph is served yet: operations are checked against it".into(),
            "NOT_READY",
        )),
    }
}

fn api_schema_of(sdl: &str) -> async_graphql::Result<Valid<Schema>> {
    crate::supergraph::Supergraph::parse(sdl)
        .map(|supergraph| supergraph.api_schema)
        .map_err(|e| coded(e.to_string(), "INTERNAL_SERVER_ERROR"))
}

fn library<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c OperationLibrary> {
    ctx.data::<OperationLibrary>()
}

fn to_error(error: LibraryError) -> async_graphql::Error {
    let code = match &error {
        LibraryError::Invalid(_) | LibraryError::Manifest(_) | LibraryError::Rejected(_) => {
            "BAD_USER_INPUT"
        }
        LibraryError::NotFound(_) => "NOT_FOUND",
        LibraryError::Store(_) | LibraryError::Contended => "STORE_UNAVAILABLE",
        LibraryError::Corrupt(_) => "INTERNAL_SERVER_ERROR",
    };
    coded(error.to_string(), code)
}

fn coded(message: String, code: &'static str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code))
}

/// A published manifest.
pub struct OperationManifest(pub ManifestSummary);

#[Object]
impl OperationManifest {
    async fn client(&self) -> &str {
        &self.0.client
    }
    async fn version(&self) -> &str {
        &self.0.version
    }
    /// Content hash of the manifest as stored.
    async fn id(&self) -> &str {
        &self.0.id
    }
    /// How many operations it holds.
    async fn operation_count(&self) -> usize {
        self.0.operations
    }
    /// When it was published, in milliseconds since the Unix epoch.
    async fn published_at(&self) -> f64 {
        self.0.published_at_ms as f64
    }
    async fn published_by(&self) -> &str {
        &self.0.published_by
    }
}

/// A manifest with its operations.
pub struct ManifestDetail(ManifestRecord);

#[Object]
impl ManifestDetail {
    async fn client(&self) -> &str {
        &self.0.client
    }
    async fn version(&self) -> &str {
        &self.0.version
    }
    async fn operations(&self) -> Vec<OperationView> {
        self.0.operations.iter().map(OperationView::from).collect()
    }
}

/// One published operation.
#[derive(SimpleObject)]
pub struct OperationView {
    /// The id clients send (`documentId`, or `extensions.persistedQuery.sha256Hash`).
    id: String,
    name: Option<String>,
    /// The operation's text.
    body: String,
}

impl From<&StoredOperation> for OperationView {
    fn from(operation: &StoredOperation) -> Self {
        Self {
            id: operation.id.clone(),
            name: operation.name.clone(),
            body: operation.body.clone(),
        }
    }
}

/// The result of publishOperations.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PublishOperationsResult {
    /// The manifest was published.
    ok: bool,
    #[graphql(skip)]
    manifest: Option<ManifestSummary>,
    /// Why it was refused, per operation (empty when `ok`).
    problems: Vec<ProblemView>,
}

#[async_graphql::ComplexObject]
impl PublishOperationsResult {
    /// The manifest as published.
    async fn manifest(&self) -> Option<OperationManifest> {
        self.manifest.clone().map(OperationManifest)
    }
}

/// What is wrong with one operation of a manifest.
#[derive(SimpleObject)]
pub struct ProblemView {
    /// The operation's id (or `#position` when it has none).
    operation: String,
    problems: Vec<String>,
}

impl From<OperationProblem> for ProblemView {
    fn from(problem: OperationProblem) -> Self {
        Self {
            operation: problem.operation,
            problems: problem.problems,
        }
    }
}

/// A registered operation that a candidate supergraph would break.
#[derive(SimpleObject)]
pub struct BrokenOperationView {
    client: String,
    version: String,
    id: String,
    name: Option<String>,
    /// Why it no longer validates.
    problems: Vec<String>,
}

impl From<&BrokenOperation> for BrokenOperationView {
    fn from(broken: &BrokenOperation) -> Self {
        Self {
            client: broken.client.clone(),
            version: broken.version.clone(),
            id: broken.id.clone(),
            name: broken.name.clone(),
            problems: broken.problems.clone(),
        }
    }
}
