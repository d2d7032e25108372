//! The inventory subgraph: adds stock and shipping to `Product` (`@key(fields: "upc")`).
//!
//! `shippingEstimate` `@requires(fields: "price weight")`: the gateway sends the product's
//! price and weight (owned by the products subgraph) in the `_entities` representation,
//! and the estimate is computed from them by [`shipping_estimate`].

use async_graphql::{
    EmptyMutation, EmptySubscription, Error, MaybeUndefined, Object, Result, Schema,
};

use crate::data::{self, StockRow};

pub(crate) type InventorySchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub(crate) fn schema() -> InventorySchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

/// The shipping estimate of a product: none for a product the shop does not deliver or
/// whose price is unknown; free (0) above a price of 1000; otherwise half its weight
/// (none when the weight is unknown).
pub(crate) fn shipping_estimate(
    delivered: bool,
    price: Option<i32>,
    weight: Option<i32>,
) -> Option<i32> {
    if !delivered {
        return None;
    }
    if price? > 1000 {
        return Some(0);
    }
    weight.map(|weight| weight / 2)
}

// GraphQL types carry no doc comments: async-graphql would publish them as descriptions,
// and the subgraph SDL is meant to match the benchmark's.

pub(crate) struct Query;

#[Object]
impl Query {
    // `price` and `weight` are not keys: they come from the representation, absent unless
    // the gateway asked for `shippingEstimate`.
    #[graphql(entity)]
    async fn find_product_by_upc(
        &self,
        #[graphql(key)] upc: String,
        price: MaybeUndefined<i32>,
        weight: MaybeUndefined<i32>,
    ) -> Option<Product> {
        data::find_stock(&upc).map(|stock| Product {
            stock,
            price,
            weight,
        })
    }
}

pub(crate) struct Product {
    stock: &'static StockRow,
    price: MaybeUndefined<i32>,
    weight: MaybeUndefined<i32>,
}

#[Object]
impl Product {
    async fn upc(&self) -> &str {
        self.stock.upc
    }

    #[graphql(external)]
    async fn weight(&self) -> Option<i32> {
        self.weight.value().copied()
    }

    #[graphql(external)]
    async fn price(&self) -> Option<i32> {
        self.price.value().copied()
    }

    async fn in_stock(&self) -> Option<bool> {
        Some(self.stock.in_stock)
    }

    // A representation without price or weight is a gateway that ignored @requires: say so
    // rather than answer as if they were null.
    #[graphql(requires = "price weight")]
    async fn shipping_estimate(&self) -> Result<Option<i32>> {
        let (Some(price), Some(weight)) = (self.price.as_opt_ref(), self.weight.as_opt_ref())
        else {
            return Err(Error::new(
                "shippingEstimate requires `price` and `weight` in the Product representation",
            ));
        };
        Ok(shipping_estimate(
            self.stock.delivered,
            price.copied(),
            weight.copied(),
        ))
    }
}
