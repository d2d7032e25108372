//! The two hostile test subgraphs, `items` and `details`, served in this process at
//! `/items` and `/details` of one local port, and the subgraph list file
//! (`[{name, url, sdl}]`, as `junction compose --subgraphs` reads it) that points the
//! gateway at them.
//!
//! The SDL in the list is written here by hand rather than exported from the
//! implementations, because it must say what the implementations do not do: `items`
//! declares `value: String!` and answers null (see [`items`]), and declares the list
//! of `nullableItems` nullable where the implementation's is not.

mod details;
mod items;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use async_graphql::{ObjectType, Schema, SubscriptionType};
use async_graphql_axum::GraphQL;
use axum::routing::{post_service, MethodRouter};
use axum::Router;
use serde_json::json;
use tokio::sync::oneshot;

/// The `items` subgraph's schema as the gateway is told it (Federation 2).
pub const ITEMS_SDL: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Query {
  items(n: Int!, from: Int! = 0): [Item!]!
  nullableItems(n: Int!): [Item]!
  byIds(ids: [ID!]!): [Item!]!
}

type Item @key(fields: "id") {
  id: ID!
  value: String!
  next: Item
  children(n: Int!, from: Int! = 0): [Item!]!
  payload: String
}
"#;

/// The `details` subgraph's schema as the gateway is told it (Federation 2).
pub const DETAILS_SDL: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Item @key(fields: "id") {
  id: ID!
  detail: String
}
"#;

/// Both subgraphs on one router: POST `/items` and POST `/details`.
fn router() -> Router {
    Router::new()
        .route("/items", endpoint(items::schema()))
        .route("/details", endpoint(details::schema()))
}

fn endpoint<Q, M, S>(schema: Schema<Q, M, S>) -> MethodRouter
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    post_service(GraphQL::new(schema))
}

/// The subgraphs, serving on a spawned task until this is dropped.
pub struct HostileSubgraphs {
    addr: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl HostileSubgraphs {
    /// Serves both subgraphs on a free port of 127.0.0.1.
    pub async fn spawn() -> Result<HostileSubgraphs> {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .context("binding the subgraphs' port")?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            // A failed accept loop only means the subgraphs are gone, which the
            // gateway's answers will show.
            let _ = axum::serve(listener, router())
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(HostileSubgraphs { addr, _stop: stop })
    }

    /// The URL of one subgraph: `http://{addr}/{name}`.
    pub fn url(&self, name: &str) -> String {
        format!("http://{}/{name}", self.addr)
    }

    /// Writes the subgraph list (JSON) into `dir`; its path.
    pub fn write_list(&self, dir: &Path) -> Result<PathBuf> {
        let list = json!([
            { "name": "items", "url": self.url("items"), "sdl": ITEMS_SDL },
            { "name": "details", "url": self.url("details"), "sdl": DETAILS_SDL },
        ]);
        let path = dir.join("subgraphs.json");
        std::fs::write(&path, serde_json::to_vec_pretty(&list)?)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{Request, Variables};
    use serde_json::{json, Value};

    use super::*;

    async fn answer<Q, M, S>(schema: &Schema<Q, M, S>, request: Request) -> Value
    where
        Q: ObjectType + 'static,
        M: ObjectType + 'static,
        S: SubscriptionType + 'static,
    {
        let response = schema.execute(request).await;
        match serde_json::to_value(&response) {
            Ok(value) => value,
            Err(err) => panic!("{err}"),
        }
    }

    #[tokio::test]
    async fn items_have_ids_from_their_offset_and_null_values() {
        let query = "{ items(n: 2, from: 7) { id value next { id } \
                     children(n: 1, from: 3) { id } } }";
        let value = answer(&items::schema(), Request::new(query)).await;
        let children = json!([{ "id": "3" }]);
        assert_eq!(
            value,
            json!({ "data": { "items": [
                { "id": "7", "value": null, "next": null, "children": children },
                { "id": "8", "value": null, "next": null, "children": children },
            ] } })
        );
    }

    #[tokio::test]
    async fn items_by_ids_and_payloads_of_one_kib() {
        let query = "query($ids: [ID!]!) { byIds(ids: $ids) { id payload } }";
        let variables = Variables::from_json(json!({ "ids": [1, "2"] }));
        let value = answer(&items::schema(), Request::new(query).variables(variables)).await;
        let items = &value["data"]["byIds"];
        assert_eq!(items[0]["id"], "1");
        assert_eq!(items[1]["id"], "2");
        assert_eq!(items[1]["payload"].as_str().map(str::len), Some(1024));
    }

    #[tokio::test]
    async fn details_resolve_items_as_entities() {
        let query = r#"{ _entities(representations: [{__typename: "Item", id: "5"}]) {
            ... on Item { detail } } }"#;
        let value = answer(&details::schema(), Request::new(query)).await;
        assert_eq!(
            value,
            json!({ "data": { "_entities": [{ "detail": "detail of 5" }] } })
        );
    }

    #[tokio::test]
    async fn the_declared_sdl_names_only_fields_the_subgraphs_serve() {
        // The hand-written SDL may differ from the exported one in nullability (on
        // purpose) but not in names: every declared field must exist.
        let exported = items::schema().sdl() + &details::schema().sdl();
        let fields = [
            "items(",
            "nullableItems(",
            "byIds(",
            "value:",
            "next:",
            "children(",
            "payload:",
        ];
        for field in fields {
            assert!(
                ITEMS_SDL.contains(field) && exported.contains(field),
                "{field}"
            );
        }
        assert!(DETAILS_SDL.contains("detail:") && exported.contains("detail:"));
    }
}
