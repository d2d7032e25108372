//! Demo federation subgraphs: accounts, products, inventory, reviews.
//!
//! They serve the schema of the public gateways benchmark (graphql-hive's
//! graphql-gateways-benchmark) over its data, so that Junction can be benchmarked and
//! tested end to end on our own code: the benchmark's heavy query through a gateway in
//! front of these subgraphs answers `tests/fixtures/heavy_response.json`.
//!
//! All four are served by one axum [`Router`] at `/accounts`, `/products`, `/inventory`
//! and `/reviews` (POST for GraphQL, GET for GraphiQL). Each answers the federation
//! fields `_service { sdl }` and `_entities(representations:)`.

mod accounts;
mod data;
mod inventory;
mod products;
mod reviews;

use std::io;
use std::net::SocketAddr;

use async_graphql::http::GraphiQLSource;
use async_graphql::{ObjectType, SDLExportOptions, Schema, SubscriptionType};
use async_graphql_axum::GraphQL;
use axum::response::Html;
use axum::routing::{get, MethodRouter};
use axum::Router;
use tokio::sync::oneshot;

/// The names of the demo subgraphs, which are also their paths on the [`router`].
pub const SUBGRAPH_NAMES: [&str; 4] = ["accounts", "inventory", "products", "reviews"];

/// One router serving all four subgraphs at `/accounts`, `/products`, `/inventory` and
/// `/reviews`: POST for GraphQL requests, GET for GraphiQL.
pub fn router() -> Router {
    Router::new()
        .route("/accounts", endpoint("/accounts", accounts::schema()))
        .route("/inventory", endpoint("/inventory", inventory::schema()))
        .route("/products", endpoint("/products", products::schema()))
        .route("/reviews", endpoint("/reviews", reviews::schema()))
}

fn endpoint<Q, M, S>(path: &'static str, schema: Schema<Q, M, S>) -> MethodRouter
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let graphiql = Html(GraphiQLSource::build().endpoint(path).finish());
    get(move || async move { graphiql }).post_service(GraphQL::new(schema))
}

/// Binds `addr` (port 0 picks a free port) and serves [`router`] on a spawned tokio task
/// until [`DemoSubgraphs::shutdown`] or drop.
pub async fn spawn(addr: SocketAddr) -> io::Result<DemoSubgraphs> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        // Nothing to report to: a failed accept loop only means the subgraphs are gone,
        // which the callers' requests will show.
        let _ = axum::serve(listener, router())
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    Ok(DemoSubgraphs {
        addr,
        stop: Some(stop),
    })
}

/// The demo subgraphs served by [`spawn`]; they stop when this is shut down or dropped.
pub struct DemoSubgraphs {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
}

impl DemoSubgraphs {
    /// The address the subgraphs listen on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of one subgraph: `http://{addr}/{name}`.
    pub fn url(&self, name: &str) -> String {
        format!("http://{}/{name}", self.addr)
    }

    /// Stops accepting connections; open connections close once their current request
    /// is answered.
    pub fn shutdown(mut self) {
        self.stop_serving();
    }

    fn stop_serving(&mut self) {
        if let Some(stop) = self.stop.take() {
            // The server task may already have ended; then there is nothing to stop.
            let _ = stop.send(());
        }
    }
}

impl Drop for DemoSubgraphs {
    fn drop(&mut self) {
        self.stop_serving();
    }
}

/// A subgraph's federation SDL exactly as it answers `_service { sdl }`, or `None` for a
/// name not in [`SUBGRAPH_NAMES`].
pub fn sdl(name: &str) -> Option<String> {
    // The options `_service { sdl }` uses, so both always agree.
    let options = SDLExportOptions::new().federation().compose_directive();
    let sdl = match name {
        "accounts" => accounts::schema().sdl_with_options(options),
        "inventory" => inventory::schema().sdl_with_options(options),
        "products" => products::schema().sdl_with_options(options),
        "reviews" => reviews::schema().sdl_with_options(options),
        _ => return None,
    };
    Some(sdl)
}
