//! The admin API's part for first-party users: create (a password given,
//! or generated and returned once), list a page at a time, read, change
//! org/roles/tier, disable and enable, reset the password (given, or
//! generated and returned once), delete; and `me`, the caller itself.
//! A password hash never leaves the store.
//!
//! An org admin ([`AdminScope`]) reaches its own org's users only: others
//! are left out of lists, read as `null` and are `NOT_FOUND` to a change;
//! a new user gets its org (another is `FORBIDDEN`), and no user may be
//! moved to another org.

use async_graphql::{Context, ErrorExtensions, InputObject, Object, SimpleObject};

use super::scope::AdminScope;
use crate::identity::users::{
    generate_password, NewUser, UserChanges, UserError, UserRecord, Users,
};
use crate::identity::Caller;

#[derive(Default)]
pub struct UsersQuery;

#[Object]
impl UsersQuery {
    /// Users, oldest first: at most `first` (1 to 500, default 50), after
    /// the user with id `after`. An org admin sees its org's users only.
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Vec<User>> {
        let first = usize::try_from(first.unwrap_or(50).clamp(1, 500)).unwrap_or(50);
        let scope = AdminScope::of(ctx);
        let page = users(ctx)?
            .list_where(first, after.as_deref(), |user| in_scope(&scope, user))
            .await
            .map_err(to_error)?;
        Ok(page.into_iter().map(User).collect())
    }

    /// A user by id; `null` when there is none (or it is of another org
    /// than an org admin's).
    async fn user(&self, ctx: &Context<'_>, id: String) -> async_graphql::Result<Option<User>> {
        let scope = AdminScope::of(ctx);
        let found = users(ctx)?.get(&id).await.map_err(to_error)?;
        Ok(found.filter(|user| in_scope(&scope, user)).map(User))
    }

    /// Who is asking.
    async fn me(&self, ctx: &Context<'_>) -> Me {
        match ctx.data_opt::<Caller>() {
            Some(caller) => Me {
                kind: caller.kind.as_str().to_string(),
                subject: caller.subject.clone(),
                org: caller.org.clone(),
                roles: caller.roles.clone(),
                scopes: caller.scopes.clone(),
                tier: caller.tier.clone(),
            },
            None => Me {
                kind: "admin_token".to_string(),
                subject: None,
                org: None,
                roles: vec!["admin".to_string()],
                scopes: Vec::new(),
                tier: None,
            },
        }
    }
}

/// The caller of an admin request.
#[derive(SimpleObject)]
pub struct Me {
    /// `user`, `api_key`, or `admin_token` (the bootstrap token).
    kind: String,
    subject: Option<String>,
    org: Option<String>,
    roles: Vec<String>,
    scopes: Vec<String>,
    tier: Option<String>,
}

#[derive(InputObject)]
pub struct CreateUserInput {
    email: String,
    /// At least 12 characters; one is generated (and returned once) when
    /// left out.
    password: Option<String>,
    org: Option<String>,
    #[graphql(default)]
    roles: Vec<String>,
    tier: Option<String>,
}

/// Changes to a user; a field left out stays as it is.
#[derive(InputObject)]
pub struct UpdateUserInput {
    org: Option<String>,
    roles: Option<Vec<String>>,
    tier: Option<String>,
}

/// A user, and the password Junction generated for it (shown once).
#[derive(SimpleObject)]
pub struct UserWithPassword {
    user: User,
    /// Only when Junction generated it; not stored, cannot be read again.
    password: Option<String>,
}

#[derive(Default)]
pub struct UsersMutation;

#[Object]
impl UsersMutation {
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserInput,
    ) -> async_graphql::Result<UserWithPassword> {
        let org = AdminScope::of(ctx).org_within(input.org)?;
        let (password, generated) = given_or_generated(input.password)?;
        let new = NewUser {
            email: input.email,
            password,
            org,
            roles: input.roles,
            tier: input.tier,
        };
        let by = super::caller(ctx);
        let user = users(ctx)?.create(new, &by).await.map_err(to_error)?;
        Ok(UserWithPassword {
            user: User(user),
            password: generated,
        })
    }

    async fn update_user(
        &self,
        ctx: &Context<'_>,
        id: String,
        input: UpdateUserInput,
    ) -> async_graphql::Result<User> {
        let scope = AdminScope::of(ctx);
        let org = match input.org {
            Some(org) => scope.org_within(Some(org))?.map(Some),
            None => None,
        };
        let changes = UserChanges {
            org,
            roles: input.roles,
            tier: input.tier.map(Some),
            disabled: None,
        };
        update(ctx, &id, changes).await
    }

    /// Disables (or enables again) a user: a disabled user cannot log in.
    async fn set_user_disabled(
        &self,
        ctx: &Context<'_>,
        id: String,
        disabled: bool,
    ) -> async_graphql::Result<User> {
        let changes = UserChanges {
            disabled: Some(disabled),
            ..UserChanges::default()
        };
        update(ctx, &id, changes).await
    }

    /// Sets a user's password: the one given, or a generated one returned once.
    async fn reset_user_password(
        &self,
        ctx: &Context<'_>,
        id: String,
        password: Option<String>,
    ) -> async_graphql::Result<UserWithPassword> {
        let (password, generated) = given_or_generated(password)?;
        let scope = AdminScope::of(ctx);
        let user = users(ctx)?
            .set_password_where(&id, password, |user| in_scope(&scope, user))
            .await
            .map_err(to_error)?;
        Ok(UserWithPassword {
            user: User(user),
            password: generated,
        })
    }

    async fn delete_user(&self, ctx: &Context<'_>, id: String) -> async_graphql::Result<bool> {
        let scope = AdminScope::of(ctx);
        users(ctx)?
            .delete_where(&id, |user| in_scope(&scope, user))
            .await
            .map_err(to_error)?;
        Ok(true)
    }
}

/// Applies `changes` to user `id`, if it is within the request's reach.
async fn update(ctx: &Context<'_>, id: &str, changes: UserChanges) -> async_graphql::Result<User> {
    let scope = AdminScope::of(ctx);
    let user = users(ctx)?
        .update_where(id, changes, |user| in_scope(&scope, user))
        .await
        .map_err(to_error)?;
    Ok(User(user))
}

fn in_scope(scope: &AdminScope, user: &UserRecord) -> bool {
    scope.covers(user.org.as_deref())
}

fn given_or_generated(password: Option<String>) -> async_graphql::Result<(String, Option<String>)> {
    match password {
        Some(password) => Ok((password, None)),
        None => {
            let generated = generate_password().map_err(to_error)?;
            Ok((generated.clone(), Some(generated)))
        }
    }
}

/// A user, without its password hash.
pub struct User(UserRecord);

#[Object]
impl User {
    async fn id(&self) -> &str {
        &self.0.id
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn org(&self) -> Option<&str> {
        self.0.org.as_deref()
    }
    async fn roles(&self) -> &[String] {
        &self.0.roles
    }
    async fn tier(&self) -> Option<&str> {
        self.0.tier.as_deref()
    }
    async fn disabled(&self) -> bool {
        self.0.disabled
    }
    /// Milliseconds since the Unix epoch.
    async fn created_at(&self) -> f64 {
        self.0.created_at_ms as f64
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn updated_at(&self) -> f64 {
        self.0.updated_at_ms as f64
    }
}

fn users<'c>(ctx: &Context<'c>) -> async_graphql::Result<&'c Users> {
    ctx.data::<Users>()
}

pub(super) fn to_error(error: UserError) -> async_graphql::Error {
    let code = match &error {
        UserError::Invalid(_) | UserError::EmailTaken => "BAD_USER_INPUT",
        UserError::NotFound(_) => "NOT_FOUND",
        UserError::Store(_) | UserError::Contended => "STORE_UNAVAILABLE",
        UserError::Corrupt(_) | UserError::Hash(_) => "INTERNAL_SERVER_ERROR",
    };
    async_graphql::Error::new(error.to_string()).extend_with(|_, e| e.set("code", code))
}
