//! The admin API (`/admin/graphql`, async-graphql): the subgraph registry
//! (subgraphs, supergraphs and their history; publish, check, remove,
//! roll back) and the operation manifests SDK clients publish
//! ([`operations`]; a subgraph check names the published operations it
//! would break), API keys ([`api_keys`]), first-party users ([`users`],
//! and `me`), the keys signing Junction's tokens ([`signing_keys`]), the
//! access rules kept in the store ([`access`]), the personal data rules
//! (read-only, [`pii`]) and the audit log
//! ([`audit`]). Composition errors are data in the results, so a CI
//! pipeline reads them like any field; other failures are GraphQL errors
//! with `extensions.code` (`BAD_USER_INPUT`, `NOT_FOUND`,
//! `STORE_UNAVAILABLE`, `INTERNAL_SERVER_ERROR`, and a few of one
//! operation's own).
//!
//! Who may call it is the HTTP layer's concern (the admin token, or a
//! credential holding the `admin` role). How far a caller reaches is
//! decided in one place, [`scope`]: a *global* admin (the bootstrap token,
//! or an admin of no org) reaches everything; an *org* admin (holding
//! `admin` in org X) sees and changes only X's users, API keys, access
//! rules and audit entries (another org's records read as absent, naming
//! another org is `FORBIDDEN`), and may read but not change what every
//! org shares (subgraphs and supergraphs, operation manifests, signing
//! keys: `FORBIDDEN`). `checkSubgraph` stores nothing and stays open.

mod access;
mod api_keys;
mod audit;
mod operations;
mod pii;
mod rate_limits;
mod scope;
mod signing_keys;
mod types;
mod users;

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::{
    Context, EmptySubscription, ErrorExtensions, MergedObject, Object, Schema, ID,
};

use crate::audit::{AuditLog, DEFAULT_MAX_ENTRIES};
use crate::identity::api_keys::ApiKeys;
use crate::identity::issuer::TokenIssuer;
use crate::identity::users::Users;
use crate::persisted::OperationLibrary;
use access::{AccessMutation, AccessQuery};
use api_keys::{ApiKeysMutation, ApiKeysQuery};
use audit::AuditQuery;
pub use operations::ServedSchema;
use operations::{OperationsMutation, OperationsQuery};
use pii::PiiQuery;
use rate_limits::{RateLimitsMutation, RateLimitsQuery};
use scope::AdminScope;
use signing_keys::{SigningKeysMutation, SigningKeysQuery};
use users::{UsersMutation, UsersQuery};

use crate::registry::{ChangeOutcome, Registry, RegistryError, SubgraphInput};
use types::{ChangeResult, CheckResult, Subgraph, Supergraph, SupergraphEntry};

/// The admin schema.
pub type AdminSchema = Schema<Query, Mutation, EmptySubscription>;

/// Every query field of the admin API.
#[derive(MergedObject, Default)]
pub struct Query(
    AdminQuery,
    OperationsQuery,
    ApiKeysQuery,
    AuditQuery,
    UsersQuery,
    SigningKeysQuery,
    AccessQuery,
    PiiQuery,
    RateLimitsQuery,
);

/// Every mutation of the admin API.
#[derive(MergedObject, Default)]
pub struct Mutation(
    AdminMutation,
    OperationsMutation,
    ApiKeysMutation,
    UsersMutation,
    SigningKeysMutation,
    AccessMutation,
    RateLimitsMutation,
);

/// Who the caller is, for the history (`createdBy`); set per request.
#[derive(Debug, Clone)]
pub struct Caller(pub String);

/// What the admin schema is built with beyond the registry.
#[derive(Default)]
pub struct AdminParts {
    /// The API schema a serving gateway serves, which manifests are
    /// checked against (else the registry's supergraph).
    pub served: Option<ServedSchema>,
    /// Junction's token issuer, whose signing keys the API lists and
    /// rotates (else those operations answer `SIGNING_KEYS_UNAVAILABLE`).
    pub issuer: Option<TokenIssuer>,
    /// The gateway's access control, which `checkAccess` and `accessRules`
    /// read (else they answer `ACCESS_UNAVAILABLE`).
    pub access: Option<Arc<crate::access::Access>>,
    /// The gateway's rate limiter, whose tiers and usage the API reads
    /// (else those answer `RATE_LIMITS_OFF`).
    pub limiter: Option<Arc<crate::ratelimit::RateLimiter>>,
}

/// Builds the admin schema over `registry` (and the operation manifests in
/// its store), checking manifests against the registry's supergraph.
pub fn schema(registry: Registry) -> AdminSchema {
    schema_with(registry, AdminParts::default())
}

/// Builds the admin schema of a serving gateway: manifests are checked
/// against the API schema it serves.
pub fn schema_serving(registry: Registry, served: ServedSchema) -> AdminSchema {
    let parts = AdminParts {
        served: Some(served),
        ..AdminParts::default()
    };
    schema_with(registry, parts)
}

/// Builds the admin schema over `registry` with `parts`.
pub fn schema_with(registry: Registry, parts: AdminParts) -> AdminSchema {
    let mut builder = builder(registry);
    if let Some(served) = parts.served {
        builder = builder.data(served);
    }
    if let Some(issuer) = parts.issuer {
        builder = builder.data(issuer);
    }
    if let Some(access) = parts.access {
        builder = builder.data(access);
    }
    if let Some(limiter) = parts.limiter {
        builder = builder.data(limiter);
    }
    builder.finish()
}

fn builder(registry: Registry) -> async_graphql::SchemaBuilder<Query, Mutation, EmptySubscription> {
    let library = OperationLibrary::new(registry.store());
    let api_keys = ApiKeys::new(registry.store());
    let audit = AuditLog::new(registry.store(), DEFAULT_MAX_ENTRIES);
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .data(audit)
        .data(Users::new(registry.store()))
        .data(crate::access::StoredRules::new(registry.store()))
        .data(registry)
        .data(library)
        .data(api_keys)
}

#[derive(Default)]
pub struct AdminQuery;

#[Object]
impl AdminQuery {
    /// The registered subgraphs, by name.
    async fn subgraphs(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Subgraph>> {
        let list = registry(ctx)?.list().await.map_err(to_error)?;
        Ok(list.into_iter().map(Subgraph).collect())
    }

    /// A supergraph by id; the current one without `id`.
    async fn supergraph(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
    ) -> async_graphql::Result<Option<Supergraph>> {
        let registry = registry(ctx)?;
        let found = match id {
            Some(id) => registry.supergraph(&id).await,
            None => registry.current().await,
        };
        Ok(found.map_err(to_error)?.map(Supergraph))
    }

    /// The supergraphs that were current, newest first.
    async fn supergraph_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] limit: i32,
    ) -> async_graphql::Result<Vec<SupergraphEntry>> {
        let limit = usize::try_from(limit.clamp(1, 1000)).unwrap_or(20);
        let history = registry(ctx)?.history(limit).await.map_err(to_error)?;
        Ok(history.into_iter().map(SupergraphEntry).collect())
    }
}

#[derive(Default)]
pub struct AdminMutation;

#[Object]
impl AdminMutation {
    /// Adds or replaces a subgraph. If the subgraphs then compose, the
    /// result is the new current supergraph; otherwise nothing is stored
    /// and `errors` says why.
    async fn publish_subgraph(
        &self,
        ctx: &Context<'_>,
        name: String,
        url: String,
        sdl: String,
    ) -> async_graphql::Result<ChangeResult> {
        AdminScope::of(ctx).require_global()?;
        let outcome = registry(ctx)?
            .publish(SubgraphInput { name, url, sdl }, &caller(ctx))
            .await;
        change_result(outcome)
    }

    /// Composes as `publishSubgraph` would, storing nothing: the errors, or
    /// the changes to the API schema and the published operations that
    /// would no longer validate.
    async fn check_subgraph(
        &self,
        ctx: &Context<'_>,
        name: String,
        url: String,
        sdl: String,
    ) -> async_graphql::Result<CheckResult> {
        let report = registry(ctx)?
            .check(SubgraphInput { name, url, sdl })
            .await
            .map_err(to_error)?;
        let broken = operations::broken_by(ctx, report.supergraph.as_deref()).await?;
        Ok(CheckResult(report, broken))
    }

    /// Removes a subgraph if the others still compose.
    async fn remove_subgraph(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<ChangeResult> {
        AdminScope::of(ctx).require_global()?;
        change_result(registry(ctx)?.remove(&name, &caller(ctx)).await)
    }

    /// Makes an earlier supergraph (and its subgraphs) current again.
    async fn rollback_supergraph(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<ChangeResult> {
        AdminScope::of(ctx).require_global()?;
        change_result(registry(ctx)?.rollback(&id, &caller(ctx)).await)
    }
}

fn registry<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Registry> {
    ctx.data::<Registry>()
}

/// The audit targets the resolvers of one request named: what a mutation
/// made, when its arguments do not name it (a new signing key's kid). The
/// HTTP layer puts one in each request and reads it after.
#[derive(Debug, Clone, Default)]
pub struct AuditTargets(Arc<Mutex<Vec<(String, String)>>>);

impl AuditTargets {
    /// The target named by the mutation whose result is at `key` (its
    /// alias, or its name).
    pub fn get(&self, key: &str) -> Option<String> {
        let named = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        named
            .iter()
            .find(|(at, _)| at == key)
            .map(|(_, target)| target.clone())
    }
}

/// Names `target` as the audit target of the mutation being resolved.
pub(crate) fn name_audit_target(ctx: &Context<'_>, target: &str) {
    let Some(targets) = ctx.data_opt::<AuditTargets>() else {
        return;
    };
    let key = ctx.item.node.response_key().node.to_string();
    let mut named = targets.0.lock().unwrap_or_else(PoisonError::into_inner);
    named.push((key, target.to_string()));
}

pub(crate) fn caller(ctx: &Context<'_>) -> String {
    ctx.data_opt::<Caller>()
        .map_or_else(|| "admin".to_string(), |c| c.0.clone())
}

fn change_result(
    outcome: Result<ChangeOutcome, RegistryError>,
) -> async_graphql::Result<ChangeResult> {
    match outcome {
        Ok(outcome) => Ok(ChangeResult::from_outcome(outcome)),
        Err(RegistryError::Composition(errors)) => Ok(ChangeResult::failed(errors)),
        Err(other) => Err(to_error(other)),
    }
}

/// A registry failure as a GraphQL error with its code.
fn to_error(error: RegistryError) -> async_graphql::Error {
    let code = match &error {
        RegistryError::Invalid(_) | RegistryError::Composition(_) => "BAD_USER_INPUT",
        RegistryError::NotFound(_) => "NOT_FOUND",
        RegistryError::Store(_) | RegistryError::Contended => "STORE_UNAVAILABLE",
        RegistryError::Corrupt(_) => "INTERNAL_SERVER_ERROR",
    };
    async_graphql::Error::new(error.to_string()).extend_with(|_, e| e.set("code", code))
}
