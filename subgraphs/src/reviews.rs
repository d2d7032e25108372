//! The reviews subgraph: owns `Review` (`@key(fields: "id")`) and adds `reviews` to `User`
//! and `Product`. `Review.author` `@provides(fields: "username")`, so it answers the
//! author's username itself, the same one the accounts subgraph holds.
//!
//! `Mutation.createReview` answers the review it would create without keeping it: the
//! demo data stays fixed, so every query (the benchmark's among them) always answers the
//! same. It is there so that access control has a write to allow or deny.

use std::borrow::Cow;
use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::{EmptySubscription, Object, Schema, ID};

use crate::data;

pub(crate) type ReviewsSchema = Schema<Query, Mutation, EmptySubscription>;

pub(crate) fn schema() -> ReviewsSchema {
    Schema::build(Query, Mutation::default(), EmptySubscription)
        .enable_federation()
        .finish()
}

// GraphQL types carry no doc comments: async-graphql would publish them as descriptions,
// and the subgraph SDL is meant to match the benchmark's.

pub(crate) struct Query;

#[Object]
impl Query {
    #[graphql(entity)]
    async fn find_review_by_id(&self, id: ID) -> Option<Review> {
        data::find_review(&id).map(Review::from)
    }

    // Any id is a user to this subgraph; one outside the dataset has no reviews.
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User(id.0)
    }

    // Any upc is a product to this subgraph; one nobody reviewed has no reviews.
    #[graphql(entity)]
    async fn find_product_by_upc(&self, upc: String) -> Product {
        Product(upc)
    }
}

#[derive(Default)]
pub(crate) struct Mutation {
    created: AtomicU64,
}

#[Object]
impl Mutation {
    async fn create_review(&self, upc: String, body: String) -> Option<Review> {
        let number = self.created.fetch_add(1, Ordering::Relaxed) + 1;
        Some(Review {
            id: Cow::Owned(format!("new-{number}")),
            body: Cow::Owned(body),
            product_upc: Cow::Owned(upc),
            author_id: Cow::Borrowed(data::ME_ID),
        })
    }
}

/// A review of the dataset, or one `createReview` answered.
pub(crate) struct Review {
    id: Cow<'static, str>,
    body: Cow<'static, str>,
    product_upc: Cow<'static, str>,
    author_id: Cow<'static, str>,
}

impl From<&'static data::ReviewRow> for Review {
    fn from(row: &'static data::ReviewRow) -> Self {
        Self {
            id: Cow::Borrowed(row.id),
            body: Cow::Borrowed(row.body),
            product_upc: Cow::Borrowed(row.product_upc),
            author_id: Cow::Borrowed(row.author_id),
        }
    }
}

#[Object]
impl Review {
    async fn id(&self) -> ID {
        ID::from(&*self.id)
    }

    async fn body(&self) -> Option<&str> {
        Some(&self.body)
    }

    async fn product(&self) -> Option<Product> {
        Some(Product(self.product_upc.to_string()))
    }

    #[graphql(provides = "username")]
    async fn author(&self) -> Option<User> {
        Some(User(self.author_id.to_string()))
    }
}

pub(crate) struct User(String);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID::from(self.0.as_str())
    }

    #[graphql(external)]
    async fn username(&self) -> Option<&str> {
        data::find_user(&self.0).map(|user| user.username)
    }

    async fn reviews(&self) -> Option<Vec<Option<Review>>> {
        let known = data::find_user(&self.0).is_some();
        let ids = if known {
            &data::USER_REVIEW_IDS[..]
        } else {
            &[]
        };
        Some(
            ids.iter()
                .filter_map(|id| data::find_review(id))
                .map(|row| Some(Review::from(row)))
                .collect(),
        )
    }
}

pub(crate) struct Product(String);

#[Object]
impl Product {
    async fn upc(&self) -> &str {
        &self.0
    }

    async fn reviews(&self) -> Option<Vec<Option<Review>>> {
        Some(
            data::REVIEWS
                .iter()
                .filter(|row| row.product_upc == self.0)
                .map(|row| Some(Review::from(row)))
                .collect(),
        )
    }
}
