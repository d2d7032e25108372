//! Who the caller of a request is: the [`Caller`] built once per request
//! by the pipeline's `identify` stage, from the credential the request
//! presents — an external identity provider's JWT ([`jwt`]), a token
//! Junction issued, or an API key — or anonymous when it presents none.
//!
//! A presented credential that fails is always refused
//! ([`IdentityError`], `UNAUTHENTICATED`), never taken as anonymous. Why it
//! failed is for the logs; the client is told only that it failed.

pub mod api_keys;
pub mod credentials;
pub mod identifier;
pub mod issuer;
pub mod jwt;
pub mod refresh;
pub mod revocation;
mod settings;
pub mod signing_keys;
pub mod users;

pub use credentials::{Credentials, TokenSource};
pub use identifier::{Identifier, IdentitySettings, Verify, API_KEY_PREFIX};
pub use jwt::JwtVerifier;
pub use settings::{AuthSettings, AuthSetupError, IssuerSettings};

/// What kind of caller a request has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallerKind {
    /// A person: a JWT from an identity provider, or one Junction issued.
    User,
    /// A machine client holding an API key.
    ApiKey,
    /// No credential was presented.
    Anonymous,
}

impl CallerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::ApiKey => "api_key",
            Self::Anonymous => "anonymous",
        }
    }
}

/// The caller of one request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Caller {
    pub kind: CallerKind,
    /// The user's or key's id (`sub` of a token); none when anonymous.
    pub subject: Option<String>,
    /// The organisation the caller belongs to.
    pub org: Option<String>,
    pub roles: Vec<String>,
    pub scopes: Vec<String>,
    /// The rate-limit tier.
    pub tier: Option<String>,
    /// The credential's id (a token's `jti`, an API key's id).
    pub token_id: Option<String>,
}

impl Caller {
    /// The caller of a request that presents no credential.
    pub fn anonymous() -> Self {
        Self {
            kind: CallerKind::Anonymous,
            subject: None,
            org: None,
            roles: Vec::new(),
            scopes: Vec::new(),
            tier: None,
            token_id: None,
        }
    }

    pub fn is_anonymous(&self) -> bool {
        self.kind == CallerKind::Anonymous
    }

    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// Why a request has no caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// `auth.required` and no credential was presented.
    #[error("This endpoint requires authentication.")]
    Required,
    /// A credential was presented and failed; the reason is logged, never
    /// sent (it may say which check failed, which helps an attacker).
    #[error("The credential is invalid or expired.")]
    Invalid(String),
}

impl IdentityError {
    /// What the logs may say (never the credential itself).
    pub fn reason(&self) -> &str {
        match self {
            Self::Required => "no credential",
            Self::Invalid(reason) => reason,
        }
    }
}
