//! The admin API's part for API keys: create (the key's text returned
//! once), list and read (never a secret), change roles, scopes and tier,
//! revoke, rotate.
//!
//! An org admin ([`AdminScope`]) reaches its own org's keys only: others
//! are left out of the list, read as `null` and are `NOT_FOUND` to a
//! change; a new key gets its org (another is `FORBIDDEN`). A key's org
//! never changes after it is made, so checking it before a change is as
//! good as checking it in the change.

use std::time::Duration;

use async_graphql::{Context, ErrorExtensions, InputObject, Object, SimpleObject};

use super::scope::AdminScope;
use crate::identity::api_keys::{ApiKeyChanges, ApiKeyError, ApiKeyRecord, ApiKeys, NewApiKey};

#[derive(Default)]
pub struct ApiKeysQuery;

#[Object]
impl ApiKeysQuery {
    /// Every API key (revoked ones too), oldest first; an org admin's
    /// org's only.
    async fn api_keys(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApiKey>> {
        let scope = AdminScope::of(ctx);
        let keys = api_keys(ctx)?.list().await.map_err(to_error)?;
        Ok(keys
            .into_iter()
            .filter(|(record, _)| in_scope(&scope, record))
            .map(|(record, used)| ApiKey { record, used })
            .collect())
    }

    /// One API key by id; `null` when there is none (or it is of another
    /// org than an org admin's).
    async fn api_key(
        &self,
        ctx: &Context<'_>,
        id: String,
    ) -> async_graphql::Result<Option<ApiKey>> {
        let scope = AdminScope::of(ctx);
        let found = api_keys(ctx)?.get(&id).await.map_err(to_error)?;
        Ok(found
            .filter(|(record, _)| in_scope(&scope, record))
            .map(|(record, used)| ApiKey { record, used }))
    }
}

#[derive(Default)]
pub struct ApiKeysMutation;

/// Changes to a key; a field left out stays as it is.
#[derive(InputObject)]
pub struct UpdateApiKeyInput {
    roles: Option<Vec<String>>,
    scopes: Option<Vec<String>>,
    tier: Option<String>,
}

/// What a new key stands for.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    name: String,
    org: Option<String>,
    #[graphql(default)]
    roles: Vec<String>,
    #[graphql(default)]
    scopes: Vec<String>,
    tier: Option<String>,
    /// When it stops working, in milliseconds since the Unix epoch.
    expires_at: Option<f64>,
}

#[Object]
impl ApiKeysMutation {
    /// Creates an API key. `key` (its text) is in this answer only: it is
    /// not stored and cannot be read again.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> async_graphql::Result<IssuedApiKey> {
        let org = AdminScope::of(ctx).org_within(input.org)?;
        let new = NewApiKey {
            name: input.name,
            org,
            roles: input.roles,
            scopes: input.scopes,
            tier: input.tier,
            expires_at_ms: input.expires_at.map(|at| at.max(0.0) as u64),
        };
        let by = super::caller(ctx);
        let issued = api_keys(ctx)?.create(new, &by).await.map_err(to_error)?;
        Ok(IssuedApiKey {
            key: issued.key,
            api_key: ApiKey {
                record: issued.record,
                used: None,
            },
        })
    }

    /// Changes an API key's roles, scopes or tier (a field left out stays
    /// as it is; a revoked key cannot be changed). Every replica verifies
    /// the key with the new values within a second: requests already
    /// admitted finish with the old ones, and each replica trusts a key's
    /// record it read for at most half a second.
    async fn update_api_key(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: UpdateApiKeyInput,
    ) -> async_graphql::Result<ApiKey> {
        check_in_scope(ctx, &id).await?;
        let changes = ApiKeyChanges {
            roles: input.roles,
            scopes: input.scopes,
            tier: input.tier.map(Some),
        };
        let record = api_keys(ctx)?
            .update(&id, changes)
            .await
            .map_err(to_error)?;
        Ok(ApiKey { record, used: None })
    }

    /// Revokes an API key: every replica refuses it within a second.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: String) -> async_graphql::Result<ApiKey> {
        check_in_scope(ctx, &id).await?;
        let by = super::caller(ctx);
        let record = api_keys(ctx)?.revoke(&id, &by).await.map_err(to_error)?;
        Ok(ApiKey { record, used: None })
    }

    /// Gives an API key a new secret (returned once); the old secret keeps
    /// working for `graceSeconds` (default 0: it stops at once).
    async fn rotate_api_key(
        &self,
        ctx: &Context<'_>,
        id: String,
        #[graphql(default = 0)] grace_seconds: u32,
    ) -> async_graphql::Result<IssuedApiKey> {
        check_in_scope(ctx, &id).await?;
        let grace = Duration::from_secs(u64::from(grace_seconds));
        let issued = api_keys(ctx)?.rotate(&id, grace).await.map_err(to_error)?;
        Ok(IssuedApiKey {
            key: issued.key,
            api_key: ApiKey {
                record: issued.record,
                used: None,
            },
        })
    }
}

/// A key just created or rotated.
#[derive(SimpleObject)]
pub struct IssuedApiKey {
    /// The key's text (`jk_<id>_<secret>`): shown this once.
    key: String,
    api_key: ApiKey,
}

/// An API key, without its secret.
pub struct ApiKey {
    record: ApiKeyRecord,
    used: Option<u64>,
}

#[Object]
impl ApiKey {
    async fn id(&self) -> &str {
        &self.record.id
    }
    async fn name(&self) -> &str {
        &self.record.name
    }
    async fn org(&self) -> Option<&str> {
        self.record.org.as_deref()
    }
    async fn roles(&self) -> &[String] {
        &self.record.roles
    }
    async fn scopes(&self) -> &[String] {
        &self.record.scopes
    }
    async fn tier(&self) -> Option<&str> {
        self.record.tier.as_deref()
    }
    /// Milliseconds since the Unix epoch.
    async fn expires_at(&self) -> Option<f64> {
        self.record.expires_at_ms.map(|at| at as f64)
    }
    async fn created_at(&self) -> f64 {
        self.record.created_at_ms as f64
    }
    async fn created_by(&self) -> &str {
        &self.record.created_by
    }
    /// When it was last used (written at most once a minute per replica).
    async fn last_used_at(&self) -> Option<f64> {
        self.used.map(|at| at as f64)
    }
    async fn revoked(&self) -> bool {
        self.record.revoked_at_ms.is_some()
    }
    async fn revoked_at(&self) -> Option<f64> {
        self.record.revoked_at_ms.map(|at| at as f64)
    }
}

/// `NOT_FOUND` unless key `id` exists and is within the request's reach
/// (a key of another org is answered as one that does not exist).
async fn check_in_scope(ctx: &Context<'_>, id: &str) -> async_graphql::Result<()> {
    let scope = AdminScope::of(ctx);
    if scope == AdminScope::Global {
        return Ok(());
    }
    let found = api_keys(ctx)?.get(id).await.map_err(to_error)?;
    match found {
        Some((record, _)) if in_scope(&scope, &record) => Ok(()),
        _ => Err(to_error(ApiKeyError::NotFound(id.to_string()))),
    }
}

fn in_scope(scope: &AdminScope, record: &ApiKeyRecord) -> bool {
    scope.covers(record.org.as_deref())
}

fn api_keys<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c ApiKeys> {
    ctx.data::<ApiKeys>()
}

pub(super) fn to_error(error: ApiKeyError) -> async_graphql::Error {
    let code = match &error {
        ApiKeyError::Invalid(_) => "BAD_USER_INPUT",
        ApiKeyError::NotFound(_) => "NOT_FOUND",
        ApiKeyError::Store(_) | ApiKeyError::Contended => "STORE_UNAVAILABLE",
        ApiKeyError::Corrupt(_) | ApiKeyError::Random(_) => "INTERNAL_SERVER_ERROR",
    };
    async_graphql::Error::new(error.to_string()).extend_with(|_, e| e.set("code", code))
}
