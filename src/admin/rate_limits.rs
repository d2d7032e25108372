//! The admin API's part for rate limits: the tiers (read-only, from the
//! configuration), a caller's tier, limits and current usage (reading
//! spends nothing), and per-caller overrides kept in the store (set and
//! cleared by global admins; every replica applies them within a second).

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, InputObject, Object, SimpleObject};

use super::scope::AdminScope;
use crate::identity::api_keys::ApiKeys;
use crate::identity::users::Users;
use crate::ratelimit::{
    check_caller, Override, OverridesError, PolicyState, Rate, RateLimiter, StoredOverrides,
    Subject,
};
use crate::registry::Registry;

#[derive(Default)]
pub struct RateLimitsQuery;

#[Object]
impl RateLimitsQuery {
    /// The configured tiers.
    async fn rate_limit_tiers(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<RateLimitTier>> {
        let limiter = limiter(ctx)?;
        Ok(limiter
            .settings()
            .tiers
            .iter()
            .map(|(name, tier)| RateLimitTier {
                name: name.clone(),
                requests: tier.requests.map(|r| r.to_string()),
                cost: tier.cost.map(|r| r.to_string()),
            })
            .collect())
    }

    /// The overrides in the store.
    async fn rate_limit_overrides(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<RateLimitOverride>> {
        let (overrides, _) = stored(ctx)?.read().await.map_err(to_error)?;
        Ok(overrides
            .into_iter()
            .map(|(caller, over)| RateLimitOverride::of(caller, &over))
            .collect())
    }

    /// A caller's tier, limits and where it stands with each (`user:<id>`,
    /// `api_key:<id>` or `ip:<address>`); its tier is read from its user or
    /// API key record, unless overridden.
    async fn rate_limit_usage(
        &self,
        ctx: &Context<'_>,
        caller: String,
    ) -> async_graphql::Result<RateLimitUsage> {
        check_caller(&caller).map_err(to_error)?;
        let limiter = limiter(ctx)?;
        let tier = record_tier(ctx, &caller).await?;
        let ip = caller.strip_prefix("ip:").and_then(|a| a.parse().ok());
        let subject = Subject {
            caller: (!caller.starts_with("ip:")).then(|| caller.clone()),
            tier: tier.as_deref(),
            ip,
        };
        let (_, tier, _) = limiter.limits_of(&subject).unwrap_or_default();
        let usage = limiter.usage(&subject).await;
        Ok(RateLimitUsage {
            overridden: limiter.overrides().contains_key(&caller),
            caller,
            tier,
            limits: usage.iter().map(LimitState::of).collect(),
        })
    }
}

#[derive(Default)]
pub struct RateLimitsMutation;

#[Object]
impl RateLimitsMutation {
    /// Gives `caller` another tier, or its own request rate or cost budget
    /// (`n/period`), in place of its tier's; every replica applies it
    /// within a second. Global admins only.
    async fn set_rate_limit_override(
        &self,
        ctx: &Context<'_>,
        caller: String,
        input: RateLimitOverrideInput,
    ) -> async_graphql::Result<RateLimitOverride> {
        AdminScope::of(ctx).require_global()?;
        let over = Override {
            tier: input.tier,
            requests: rate(input.requests.as_deref(), "requests")?,
            cost: rate(input.cost.as_deref(), "cost")?,
        };
        if let (Some(name), Some(limiter)) = (&over.tier, ctx.data_opt::<Arc<RateLimiter>>()) {
            if !limiter.settings().tiers.contains_key(name) {
                return Err(bad_input(&format!("no tier is named {name:?}")));
            }
        }
        stored(ctx)?
            .set(&caller, over.clone())
            .await
            .map_err(to_error)?;
        super::name_audit_target(ctx, &caller);
        Ok(RateLimitOverride::of(caller, &over))
    }

    /// Clears `caller`'s override; false when it had none. Global admins
    /// only.
    async fn clear_rate_limit_override(
        &self,
        ctx: &Context<'_>,
        caller: String,
    ) -> async_graphql::Result<bool> {
        AdminScope::of(ctx).require_global()?;
        let cleared = stored(ctx)?.clear(&caller).await.map_err(to_error)?;
        super::name_audit_target(ctx, &caller);
        Ok(cleared)
    }
}

/// One tier.
#[derive(SimpleObject)]
pub struct RateLimitTier {
    name: String,
    /// `n/period`, or null: unlimited.
    requests: Option<String>,
    cost: Option<String>,
}

/// One caller's override.
#[derive(SimpleObject)]
pub struct RateLimitOverride {
    caller: String,
    tier: Option<String>,
    requests: Option<String>,
    cost: Option<String>,
}

impl RateLimitOverride {
    fn of(caller: String, over: &Override) -> Self {
        Self {
            caller,
            tier: over.tier.clone(),
            requests: over.requests.map(|r| r.to_string()),
            cost: over.cost.map(|r| r.to_string()),
        }
    }
}

/// An override's limits; one left out is the tier's.
#[derive(InputObject)]
pub struct RateLimitOverrideInput {
    tier: Option<String>,
    requests: Option<String>,
    cost: Option<String>,
}

/// Where a caller stands.
#[derive(SimpleObject)]
pub struct RateLimitUsage {
    caller: String,
    tier: Option<String>,
    overridden: bool,
    limits: Vec<LimitState>,
}

/// One limit of a caller, now.
#[derive(SimpleObject)]
pub struct LimitState {
    /// `requests`, `cost` or `ip`.
    name: String,
    limit: u32,
    window_seconds: u64,
    remaining: u32,
    /// Until the limit is whole again.
    reset_seconds: u64,
}

impl LimitState {
    fn of(state: &PolicyState) -> Self {
        Self {
            name: state.name.to_string(),
            limit: state.rate.burst,
            window_seconds: crate::ratelimit::seconds(state.rate.period),
            remaining: state.remaining,
            reset_seconds: crate::ratelimit::seconds(state.reset),
        }
    }
}

/// The tier a user's or API key's record names.
async fn record_tier(ctx: &Context<'_>, caller: &str) -> async_graphql::Result<Option<String>> {
    if let Some(id) = caller.strip_prefix("user:") {
        if let Some(users) = ctx.data_opt::<Users>() {
            let found = users.get(id).await.map_err(super::users::to_error)?;
            return Ok(found.and_then(|user| user.tier));
        }
    }
    if let Some(id) = caller.strip_prefix("api_key:") {
        if let Some(keys) = ctx.data_opt::<ApiKeys>() {
            let found = keys.get(id).await.map_err(super::api_keys::to_error)?;
            return Ok(found.and_then(|(key, _)| key.tier));
        }
    }
    Ok(None)
}

fn limiter<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Arc<RateLimiter>> {
    ctx.data_opt::<Arc<RateLimiter>>().ok_or_else(|| {
        async_graphql::Error::new("rate limits are off (no rate_limits are configured)")
            .extend_with(|_, ext| ext.set("code", "RATE_LIMITS_OFF"))
    })
}

fn stored(ctx: &Context<'_>) -> async_graphql::Result<StoredOverrides> {
    Ok(StoredOverrides::new(ctx.data::<Registry>()?.store()))
}

fn rate(text: Option<&str>, what: &str) -> async_graphql::Result<Option<Rate>> {
    text.map(|t| {
        t.parse::<Rate>()
            .map_err(|e| bad_input(&format!("{what}: {e}")))
    })
    .transpose()
}

fn bad_input(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", "BAD_USER_INPUT"))
}

fn to_error(error: OverridesError) -> async_graphql::Error {
    let code = match &error {
        OverridesError::NotACaller(_) | OverridesError::Full => "BAD_USER_INPUT",
        OverridesError::Contended => "CONFLICT",
        OverridesError::Store(_) => "STORE_UNAVAILABLE",
        OverridesError::Corrupt(_) => "INTERNAL_SERVER_ERROR",
    };
    async_graphql::Error::new(error.to_string()).extend_with(|_, ext| ext.set("code", code))
}
