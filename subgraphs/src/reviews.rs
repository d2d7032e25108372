//! The reviews subgraph: owns `Review` (`@key(fields: "id")`) and adds `reviews` to `User`
//! and `Product`. `Review.author` `@provides(fields: "username")`, so it answers the
//! author's username itself, the same one the accounts subgraph holds.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, ID};

use crate::data::{self, ReviewRow};

pub(crate) type ReviewsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub(crate) fn schema() -> ReviewsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
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
        data::find_review(&id).map(Review)
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

pub(crate) struct Review(&'static ReviewRow);

#[Object]
impl Review {
    async fn id(&self) -> ID {
        ID::from(self.0.id)
    }

    async fn body(&self) -> Option<&str> {
        Some(self.0.body)
    }

    async fn product(&self) -> Option<Product> {
        Some(Product(self.0.product_upc.to_owned()))
    }

    #[graphql(provides = "username")]
    async fn author(&self) -> Option<User> {
        Some(User(self.0.author_id.to_owned()))
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
                .map(|row| Some(Review(row)))
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
                .map(|row| Some(Review(row)))
                .collect(),
        )
    }
}
