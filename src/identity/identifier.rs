//! The `identify` stage's work: from a request's headers to its
//! [`Caller`]. A token goes to the token verifier (external providers'
//! JWTs, later Junction's own), an API key to the key verifier; a request
//! that presents nothing is anonymous, or refused when authentication is
//! required. A presented credential that fails is refused, never taken
//! as anonymous.
//!
//! When no verifier is configured at all, Junction does not authenticate:
//! credentials are not read and every caller is anonymous. Without a token
//! verifier, a bearer token that is not an API key is not Junction's to
//! check (it may be meant for a subgraph, see `forward_authorization`).

use std::sync::Arc;

use async_trait::async_trait;
use http::HeaderMap;

use super::{Caller, Credentials, IdentityError, TokenSource};

/// Checks one kind of credential.
#[async_trait]
pub trait Verify: Send + Sync {
    /// The caller `credential` stands for, or why it is refused.
    async fn verify(&self, credential: &str) -> Result<Caller, IdentityError>;
}

/// How requests are identified.
#[derive(Debug, Clone, Default)]
pub struct IdentitySettings {
    /// Refuse requests without a credential (401).
    pub required: bool,
    /// Where the token is read from.
    pub token_source: TokenSource,
}

/// Builds each request's [`Caller`].
#[derive(Clone, Default)]
pub struct Identifier {
    settings: IdentitySettings,
    tokens: Option<Arc<dyn Verify>>,
    api_keys: Option<Arc<dyn Verify>>,
}

/// API keys start with this (also when sent as a bearer token).
pub const API_KEY_PREFIX: &str = "jk_";

impl Identifier {
    pub fn new(settings: IdentitySettings) -> Self {
        Self {
            settings,
            tokens: None,
            api_keys: None,
        }
    }

    /// Verifies tokens (JWTs) with `verifier`.
    #[must_use]
    pub fn with_tokens(mut self, verifier: Arc<dyn Verify>) -> Self {
        self.tokens = Some(verifier);
        self
    }

    /// Verifies API keys with `verifier`.
    #[must_use]
    pub fn with_api_keys(mut self, verifier: Arc<dyn Verify>) -> Self {
        self.api_keys = Some(verifier);
        self
    }

    /// What verifies tokens, when tokens are verified.
    pub fn token_verifier(&self) -> Option<Arc<dyn Verify>> {
        self.tokens.clone()
    }

    /// Whether credentials are read at all.
    pub fn authenticates(&self) -> bool {
        self.tokens.is_some() || self.api_keys.is_some()
    }

    /// The caller of a request with these headers.
    pub async fn identify(&self, headers: &HeaderMap) -> Result<Caller, IdentityError> {
        if !self.authenticates() {
            return match self.settings.required {
                true => Err(IdentityError::Required),
                false => Ok(Caller::anonymous()),
            };
        }
        let mut credentials = Credentials::from_headers(headers, &self.settings.token_source);
        // A bearer token is Junction's to check only when it verifies tokens
        // (or it is an API key); otherwise it may be meant for a subgraph.
        let is_key = |token: &String| token.starts_with(API_KEY_PREFIX);
        if self.tokens.is_none() && !credentials.token.as_ref().is_some_and(is_key) {
            credentials.token = None;
        }
        match (&credentials.token, &credentials.api_key) {
            (Some(_), Some(_)) => Err(IdentityError::Invalid(
                "both a token and an X-API-Key were presented".into(),
            )),
            (Some(token), None) if token.starts_with(API_KEY_PREFIX) => {
                self.check(&self.api_keys, token, "API keys").await
            }
            (Some(token), None) => {
                let caller = self.check(&self.tokens, token, "tokens").await?;
                match caller.is_anonymous() && self.settings.required {
                    true => Err(IdentityError::Required),
                    false => Ok(caller),
                }
            }
            (None, Some(key)) => self.check(&self.api_keys, key, "API keys").await,
            (None, None) if self.settings.required => Err(IdentityError::Required),
            (None, None) => Ok(Caller::anonymous()),
        }
    }

    async fn check(
        &self,
        verifier: &Option<Arc<dyn Verify>>,
        credential: &str,
        kind: &str,
    ) -> Result<Caller, IdentityError> {
        match verifier {
            Some(verifier) => verifier.verify(credential).await,
            None => Err(IdentityError::Invalid(format!(
                "{kind} are not accepted here (none is configured)"
            ))),
        }
    }
}

#[async_trait]
impl Verify for super::JwtVerifier {
    async fn verify(&self, token: &str) -> Result<Caller, IdentityError> {
        super::JwtVerifier::verify(self, token).await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::identity::CallerKind;

    /// Accepts one credential, as the caller it names.
    struct One(&'static str, CallerKind);

    #[async_trait]
    impl Verify for One {
        async fn verify(&self, credential: &str) -> Result<Caller, IdentityError> {
            match credential == self.0 {
                true => Ok(Caller {
                    kind: self.1,
                    subject: Some(credential.to_string()),
                    ..Caller::anonymous()
                }),
                false => Err(IdentityError::Invalid("unknown".into())),
            }
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, http::HeaderValue::from_static(value));
        }
        map
    }

    fn identifier(required: bool) -> Identifier {
        Identifier::new(IdentitySettings {
            required,
            token_source: TokenSource::default(),
        })
        .with_tokens(Arc::new(One("good", CallerKind::User)))
        .with_api_keys(Arc::new(One("jk_1_s", CallerKind::ApiKey)))
    }

    #[tokio::test]
    async fn each_credential_goes_to_its_verifier() {
        let id = identifier(false);
        let user = id
            .identify(&headers(&[("authorization", "Bearer good")]))
            .await;
        assert_eq!(user.unwrap().kind, CallerKind::User);
        let key = id.identify(&headers(&[("x-api-key", "jk_1_s")])).await;
        assert_eq!(key.unwrap().kind, CallerKind::ApiKey);
        let key = id
            .identify(&headers(&[("authorization", "Bearer jk_1_s")]))
            .await;
        assert_eq!(key.unwrap().kind, CallerKind::ApiKey);
        let anonymous = id.identify(&HeaderMap::new()).await.unwrap();
        assert!(anonymous.is_anonymous());
    }

    #[tokio::test]
    async fn a_failed_credential_is_refused_never_anonymous() {
        let id = identifier(false);
        for bad in [
            headers(&[("authorization", "Bearer bad")]),
            headers(&[("x-api-key", "jk_2_x")]),
            headers(&[("authorization", "Bearer good"), ("x-api-key", "jk_1_s")]),
        ] {
            assert!(matches!(
                id.identify(&bad).await,
                Err(IdentityError::Invalid(_))
            ));
        }
    }

    #[tokio::test]
    async fn required_refuses_the_anonymous() {
        assert_eq!(
            identifier(true).identify(&HeaderMap::new()).await,
            Err(IdentityError::Required)
        );
        let none = Identifier::new(IdentitySettings::default());
        let caller = none
            .identify(&headers(&[("authorization", "Bearer x")]))
            .await;
        assert!(
            caller.unwrap().is_anonymous(),
            "no verifier: not authenticating"
        );
        let keys_only = Identifier::new(IdentitySettings::default())
            .with_api_keys(Arc::new(One("jk_1_s", CallerKind::ApiKey)));
        let subgraph_token = headers(&[("authorization", "Bearer x")]);
        let caller = keys_only.identify(&subgraph_token).await;
        assert!(
            caller.unwrap().is_anonymous(),
            "a subgraph's token is not checked"
        );
        let wrong_key = headers(&[("authorization", "Bearer jk_2")]);
        assert!(keys_only.identify(&wrong_key).await.is_err());
    }
}
