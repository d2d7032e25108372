//! The accounts subgraph: owns `User` (`@key(fields: "id")`) and the `me`, `user` and
//! `users` root fields.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, ID};

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

    async fn username(&self) -> Option<&str> {
        Some(self.0.username)
    }

    async fn birthday(&self) -> Option<i32> {
        Some(self.0.birthday)
    }
}
