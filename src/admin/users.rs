//! The admin API's part for first-party users: create (a password given,
//! or generated and returned once), list a page at a time, read, change
//! org/roles/tier, disable and enable, reset the password (given, or
//! generated and returned once), delete; and `me`, the caller itself.
//! A password hash never leaves the store.

use async_graphql::{Context, ErrorExtensions, InputObject, Object, SimpleObject};

use crate::identity::users::{
    generate_password, NewUser, UserChanges, UserError, UserRecord, Users,
};
use crate::identity::Caller;

#[derive(Default)]
pub struct UsersQuery;

#[Object]
impl UsersQuery {
    /// Users, oldest first: at most `first` (1 to 500, default 50), after
    /// the user with id `after`.
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Vec<User>> {
        let first = usize::try_from(first.unwrap_or(50).clamp(1, 500)).unwrap_or(50);
        let page = users(ctx)?
            .list(first, after.as_deref())
            .await
            .map_err(to_error)?;
        Ok(page.into_iter().map(User).collect())
    }

    async fn user(&self, ctx: &Context<'_>, id: String) -> async_graphql::Result<Option<User>> {
        Ok(users(ctx)?.get(&id).await.map_err(to_error)?.map(User))
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
        let (password, generated) = given_or_generated(input.password)?;
        let new = NewUser {
            email: input.email,
            password,
            org: input.org,
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
        let changes = UserChanges {
            org: input.org.map(Some),
            roles: input.roles,
            tier: input.tier.map(Some),
            disabled: None,
        };
        Ok(User(
            users(ctx)?.update(&id, changes).await.map_err(to_error)?,
        ))
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
        Ok(User(
            users(ctx)?.update(&id, changes).await.map_err(to_error)?,
        ))
    }

    /// Sets a user's password: the one given, or a generated one returned once.
    async fn reset_user_password(
        &self,
        ctx: &Context<'_>,
        id: String,
        password: Option<String>,
    ) -> async_graphql::Result<UserWithPassword> {
        let (password, generated) = given_or_generated(password)?;
        let user = users(ctx)?
            .set_password(&id, password)
            .await
            .map_err(to_error)?;
        Ok(UserWithPassword {
            user: User(user),
            password: generated,
        })
    }

    async fn delete_user(&self, ctx: &Context<'_>, id: String) -> async_graphql::Result<bool> {
        users(ctx)?.delete(&id).await.map_err(to_error)?;
        Ok(true)
    }
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

fn to_error(error: UserError) -> async_graphql::Error {
    let code = match &error {
        UserError::Invalid(_) | UserError::EmailTaken => "BAD_USER_INPUT",
        UserError::NotFound(_) => "NOT_FOUND",
        UserError::Store(_) | UserError::Contended => "STORE_UNAVAILABLE",
        UserError::Corrupt(_) | UserError::Hash(_) => "INTERNAL_SERVER_ERROR",
    };
    async_graphql::Error::new(error.to_string()).extend_with(|_, e| e.set("code", code))
}
