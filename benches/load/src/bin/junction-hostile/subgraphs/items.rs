//! The `items` subgraph: lists of `Item`s as long as the query asks, each with an id
//! unique to its position (`from + i`), so that no two aliases share an entity and the
//! gateway cannot deduplicate their representations.
//!
//! It lies on purpose: the SDL Junction is given ([`super::ITEMS_SDL`]) declares
//! `value: String!`, but this implementation declares it nullable and always answers
//! null, so every item of a list is a non-null violation the gateway must report.

use std::sync::LazyLock;

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, ID};

pub(crate) type ItemsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The longest list one field returns, so that a mistaken query cannot make the
/// harness itself run out of memory.
const MAX_ITEMS: usize = 1_000_000;

/// What `payload` answers: 1 KiB, so that a long list makes a large response.
static PAYLOAD: LazyLock<String> = LazyLock::new(|| "0123456789abcdef".repeat(64));

pub(crate) fn schema() -> ItemsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

pub(crate) struct Query;

#[Object]
impl Query {
    async fn items(&self, n: i32, #[graphql(default)] from: i32) -> Vec<Item> {
        Item::run(n, from)
    }

    /// The same items; the gateway is told the list's items are nullable, so that
    /// each violation nulls one item and gets an error of its own.
    async fn nullable_items(&self, n: i32) -> Vec<Item> {
        Item::run(n, 0)
    }

    async fn by_ids(&self, ids: Vec<ID>) -> Vec<Item> {
        ids.into_iter()
            .take(MAX_ITEMS)
            .map(|id| Item { id })
            .collect()
    }

    #[graphql(entity)]
    async fn find_item_by_id(&self, id: ID) -> Item {
        Item { id }
    }
}

pub(crate) struct Item {
    id: ID,
}

impl Item {
    /// `n` items with ids `from`, `from + 1`, …; none for a negative `n`.
    fn run(n: i32, from: i32) -> Vec<Item> {
        let n = usize::try_from(n).unwrap_or(0).min(MAX_ITEMS);
        let from = i64::from(from);
        (from..)
            .take(n)
            .map(|id| Item {
                id: ID(id.to_string()),
            })
            .collect()
    }
}

#[Object]
impl Item {
    async fn id(&self) -> &ID {
        &self.id
    }

    /// Null although the SDL given to the gateway says `String!`.
    async fn value(&self) -> Option<String> {
        None
    }

    async fn next(&self) -> Option<Item> {
        None
    }

    async fn children(&self, n: i32, #[graphql(default)] from: i32) -> Vec<Item> {
        Item::run(n, from)
    }

    async fn payload(&self) -> &'static str {
        PAYLOAD.as_str()
    }
}
