//! The admin API's part for the keys that sign Junction's own tokens:
//! list the published ones (never a private part), and rotate — a new key
//! signs from then on, the older ones stay published until their tokens
//! have expired. A key from `auth.issuer.signing_key_file` is rotated by
//! replacing the file, not here (`SIGNING_KEY_FROM_CONFIG`). The keys
//! sign every org's tokens: an org admin may list them, not rotate them.

use async_graphql::{Context, ErrorExtensions, Object, SimpleObject};

use crate::identity::issuer::TokenIssuer;
use crate::identity::signing_keys::{PublishedKey, SigningKeyError};

#[derive(Default)]
pub struct SigningKeysQuery;

#[Object]
impl SigningKeysQuery {
    /// The published signing keys (those `/.well-known/jwks.json` lists),
    /// oldest first; the newest signs.
    async fn signing_keys(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SigningKey>> {
        let keys = issuer(ctx)?.signing_keys().await.map_err(to_error)?;
        Ok(keys.into_iter().map(SigningKey).collect())
    }
}

#[derive(Default)]
pub struct SigningKeysMutation;

#[Object]
impl SigningKeysMutation {
    /// Adds a signing key of the configured algorithm, which signs new
    /// tokens from now on (here at once, on other replicas within 10 s;
    /// every replica accepts its tokens at once). The older keys stay
    /// published until the tokens they signed have expired.
    async fn rotate_signing_key(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<SigningKeyRotation> {
        super::scope::AdminScope::of(ctx).require_global()?;
        let rotation = issuer(ctx)?.rotate().await.map_err(to_error)?;
        super::name_audit_target(ctx, &rotation.kid);
        Ok(SigningKeyRotation {
            kid: rotation.kid,
            published: rotation.published,
        })
    }
}

/// What a rotation did.
#[derive(SimpleObject)]
pub struct SigningKeyRotation {
    /// The new signing key's `kid`.
    kid: String,
    /// Every published `kid`, oldest first.
    published: Vec<String>,
}

/// A published signing key: its public description only.
pub struct SigningKey(PublishedKey);

#[Object]
impl SigningKey {
    async fn kid(&self) -> &str {
        self.0.key.kid()
    }
    /// `EdDSA` or `RS256`.
    async fn algorithm(&self) -> &str {
        self.0.key.algorithm().as_str()
    }
    /// Milliseconds since the Unix epoch; null for the key of
    /// `signing_key_file`.
    async fn created_at(&self) -> Option<f64> {
        self.0.key.created_at_ms().map(|at| at as f64)
    }
    /// It signs new tokens.
    async fn signing(&self) -> bool {
        self.0.signing
    }
    /// When it stops being published (its tokens have expired by then);
    /// null while it signs.
    async fn retires_at(&self) -> Option<f64> {
        self.0.retires_at_ms.map(|at| at as f64)
    }
}

fn issuer<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c TokenIssuer> {
    ctx.data_opt::<TokenIssuer>().ok_or_else(|| {
        async_graphql::Error::new("this admin API was built without Junction's token issuer")
            .extend_with(|_, e| e.set("code", "SIGNING_KEYS_UNAVAILABLE"))
    })
}

fn to_error(error: SigningKeyError) -> async_graphql::Error {
    let code = match &error {
        SigningKeyError::FromConfig => "SIGNING_KEY_FROM_CONFIG",
        SigningKeyError::TooMany => "TOO_MANY_SIGNING_KEYS",
        SigningKeyError::Store(_) | SigningKeyError::Contended => "STORE_UNAVAILABLE",
        SigningKeyError::Corrupt(_) | SigningKeyError::Generate(_) => "INTERNAL_SERVER_ERROR",
    };
    async_graphql::Error::new(error.to_string()).extend_with(|_, e| e.set("code", code))
}
