//! The `details` subgraph: adds `detail` to `Item`, reachable only through
//! `_entities`, so that every item the gateway shows with a `detail` costs it an
//! entity representation sent here.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, ID};

pub(crate) type DetailsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub(crate) fn schema() -> DetailsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

pub(crate) struct Query;

#[Object]
impl Query {
    #[graphql(entity)]
    async fn find_item_by_id(&self, id: ID) -> Item {
        Item { id }
    }
}

pub(crate) struct Item {
    id: ID,
}

#[Object]
impl Item {
    async fn id(&self) -> &ID {
        &self.id
    }

    async fn detail(&self) -> String {
        format!("detail of {}", self.id.as_str())
    }
}
