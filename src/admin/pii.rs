//! The admin API's read-only view of personal data rules: every field the
//! live supergraph marks `@pii` and every rule of the PII rules file
//! (`access.pii_rules`), with its kind, strategy and where it comes from.
//! Changing them is a subgraph's SDL change or an edit of the file.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, Object, SimpleObject};

use crate::access::{Access, PiiFields};
use crate::registry::Registry;

#[derive(Default)]
pub struct PiiQuery;

#[Object]
impl PiiQuery {
    /// The personal data rules in force: the live supergraph's `@pii`
    /// fields (`source: "schema"`), then the PII rules file's
    /// (`source: "rules"`), each by coordinate.
    async fn pii_rules(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PiiRule>> {
        let mut rules = from_schema(ctx).await?;
        if let Some(access) = ctx.data_opt::<Arc<Access>>() {
            rules.extend(listed(access.pii_rules(), "rules"));
        }
        Ok(rules)
    }
}

/// One personal data rule.
#[derive(SimpleObject)]
pub struct PiiRule {
    /// `Type.field`.
    coordinate: String,
    /// `EMAIL`, `PHONE`, `NAME`, `ADDRESS`, `IP`, `CARD` or `FREE_TEXT`.
    kind: String,
    /// `MASK`, `HASH` or `NULL`.
    strategy: String,
    /// `schema` (a subgraph's `@pii`) or `rules` (the PII rules file).
    source: String,
}

/// The `@pii` fields of the registry's live supergraph (none without one).
async fn from_schema(ctx: &Context<'_>) -> async_graphql::Result<Vec<PiiRule>> {
    let current = ctx.data::<Registry>()?.current().await.map_err(|e| {
        async_graphql::Error::new(e.to_string()).extend_with(|_, ext| {
            ext.set("code", "STORE_UNAVAILABLE");
        })
    })?;
    let Some(record) = current else {
        return Ok(Vec::new());
    };
    let supergraph = crate::supergraph::Supergraph::parse(&record.sdl).map_err(|e| {
        async_graphql::Error::new(e.to_string()).extend_with(|_, ext| {
            ext.set("code", "INTERNAL_SERVER_ERROR");
        })
    })?;
    Ok(listed(&PiiFields::of(&supergraph.schema), "schema"))
}

fn listed(fields: &PiiFields, source: &str) -> Vec<PiiRule> {
    fields
        .entries()
        .into_iter()
        .map(|(coordinate, kind, strategy)| PiiRule {
            coordinate,
            kind: kind.as_str().to_string(),
            strategy: strategy.as_str().to_string(),
            source: source.to_string(),
        })
        .collect()
}
