//! The products subgraph: owns `Product` (`@key(fields: "upc")`) with its name, price and
//! weight, and the `topProducts` root field.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

use crate::data::{self, ProductRow};

pub(crate) type ProductsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub(crate) fn schema() -> ProductsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

// GraphQL types carry no doc comments: async-graphql would publish them as descriptions,
// and the subgraph SDL is meant to match the benchmark's.

pub(crate) struct Query;

#[Object]
impl Query {
    async fn top_products(
        &self,
        #[graphql(default = 5)] first: Option<i32>,
    ) -> Option<Vec<Option<Product>>> {
        // A null or negative `first` lists nothing.
        let first = first.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
        Some(
            data::PRODUCTS
                .iter()
                .take(first)
                .map(|row| Some(Product(row)))
                .collect(),
        )
    }

    #[graphql(entity)]
    async fn find_product_by_upc(&self, upc: String) -> Option<Product> {
        data::find_product(&upc).map(Product)
    }
}

pub(crate) struct Product(&'static ProductRow);

#[Object]
impl Product {
    async fn upc(&self) -> &str {
        self.0.upc
    }

    async fn name(&self) -> Option<&str> {
        Some(self.0.name)
    }

    async fn price(&self) -> Option<i32> {
        Some(self.0.price)
    }

    async fn weight(&self) -> Option<i32> {
        Some(self.0.weight)
    }
}
