//! The accounts subgraph: owns `User` (`@key(fields: "id")`) and the `me`, `user` and
//! `users` root fields. `User.email` and `User.phone` are personal data, marked with
//! Junction's `@pii` directive (imported from its spec with `@link` and kept through
//! composition with `@composeDirective`), so a gateway with access control redacts them.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, TypeDirective, ID};

use crate::data::{self, UserRow};

pub(crate) type AccountsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub(crate) fn schema() -> AccountsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

// GraphQL types carry no doc comments: async-graphql would publish them as descriptions,
// and the subgraph SDL is meant to match the benchmark's.

pub(crate) struct Query;

#[Object]
impl Query {
    async fn me(&self) -> Option<User> {
        data::find_user(data::ME_ID).map(User)
    }

    async fn user(&self, id: ID) -> Option<User> {
        data::find_user(&id).map(User)
    }

    async fn users(&self) -> Option<Vec<Option<User>>> {
        Some(data::USERS.iter().map(|row| Some(User(row))).collect())
    }

    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> Option<User> {
        data::find_user(&id).map(User)
    }
}

pub(crate) struct User(&'static UserRow);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID::from(self.0.id)
    }

    async fn name(&self) -> Option<&str> {
        Some(self.0.name)
    }

    // Shareable: the reviews subgraph provides it with review authors.
    #[graphql(shareable)]
    async fn username(&self) -> Option<&str> {
        Some(self.0.username)
    }

    async fn birthday(&self) -> Option<i32> {
        Some(self.0.birthday)
    }

    #[graphql(directive = pii::apply("EMAIL".into(), Some("MASK".into())))]
    async fn email(&self) -> Option<&str> {
        Some(self.0.email)
    }

    #[graphql(directive = pii::apply("PHONE".into(), Some("MASK".into())))]
    async fn phone(&self) -> Option<&str> {
        Some(self.0.phone)
    }
}

// Junction's `@pii(kind:, strategy:)`: the field holds personal data of `kind`, redacted
// with `strategy` for callers who may not see it in clear. Its arguments are strings here
// (`"EMAIL"`, `"MASK"`) so that the subgraph need not publish enum types of its own;
// Junction reads enum values and strings alike. (No doc comment: it would be published.)
#[TypeDirective(
    location = "FieldDefinition",
    composable = "https://specs.junction.dev/pii/v0.1"
)]
fn pii(kind: String, strategy: Option<String>) {}
