//! Inbound request deduplication over real HTTP: identical concurrent
//! queries share one execution when it is on (never when it is off, never
//! for mutations or different variables), and a client that leads a shared
//! execution and disconnects hands it to the clients still waiting.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use junction::http::{HttpSettings, ServerSettings};
use junction::pipeline::GatewaySettings;
use serde_json::{json, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

use crate::common::fixture_subgraph::Subgraph;
use crate::hardening::support::{post_graphql, until, Served};

const TYPES: &str = r#"
type Query @join__type(graph: STOCK) {
  stock(item: String): Int @join__field(graph: STOCK)
}
type Mutation @join__type(graph: STOCK) {
  restock: Int @join__field(graph: STOCK)
}
"#;

const QUERY: &str = "query($item: String) { stock(item: $item) }";

/// A stock subgraph whose every request waits for a permit of `gate`; its
/// answers count the requests it has received.
fn stock(gate: &Arc<Semaphore>) -> Subgraph {
    let counter = Arc::new(AtomicI64::new(0));
    let count = Arc::clone(&counter);
    Subgraph::new("stock")
        .root("Query.stock", move |_| {
            json!(count.fetch_add(1, Ordering::SeqCst) + 1)
        })
        .root("Mutation.restock", move |_| {
            json!(counter.fetch_add(1, Ordering::SeqCst) + 1)
        })
        .gate(Arc::clone(gate))
}

async fn served(gate: &Arc<Semaphore>, inbound_dedupe: bool) -> Served {
    let settings = GatewaySettings {
        inbound_dedupe,
        ..GatewaySettings::dev()
    };
    Served::start(
        TYPES,
        vec![stock(gate)],
        settings,
        HttpSettings::default(),
        ServerSettings::default(),
    )
    .await
}

/// Sends `query` from a task of its own (a client that can be dropped).
fn send(served: &Served, query: &'static str, variables: Value) -> JoinHandle<(u16, Value)> {
    let url = served.server.url("/graphql");
    tokio::spawn(async move { post_graphql(&url, query, variables).await })
}

async fn waiting(served: &Served, waiters: usize) {
    until("the requests wait on the gateway", || async {
        served.gateway().in_flight_inbound_waiters() == waiters
    })
    .await;
}

#[tokio::test]
async fn identical_concurrent_queries_share_one_execution() {
    let gate = Arc::new(Semaphore::new(0));
    let served = served(&gate, true).await;
    let first = send(&served, QUERY, json!({ "item": "lamp" }));
    let second = send(&served, QUERY, json!({ "item": "lamp" }));
    waiting(&served, 2).await;
    assert_eq!(served.gateway().in_flight_inbound_requests(), 1);
    gate.add_permits(10);
    let answer = json!({ "data": { "stock": 1 } });
    assert_eq!(first.await.unwrap(), (200, answer.clone()));
    assert_eq!(second.await.unwrap(), (200, answer));
    assert_eq!(served.subgraphs.requests("stock").len(), 1);
    assert_eq!(served.gateway().in_flight_inbound_requests(), 0);
}

#[tokio::test]
async fn queries_with_different_variables_do_not_share() {
    let gate = Arc::new(Semaphore::new(0));
    let served = served(&gate, true).await;
    let lamp = send(&served, QUERY, json!({ "item": "lamp" }));
    let desk = send(&served, QUERY, json!({ "item": "desk" }));
    waiting(&served, 2).await;
    assert_eq!(served.gateway().in_flight_inbound_requests(), 2);
    gate.add_permits(10);
    let (lamp, desk) = (lamp.await.unwrap(), desk.await.unwrap());
    let mut counts = vec![
        lamp.1["data"]["stock"].clone(),
        desk.1["data"]["stock"].clone(),
    ];
    counts.sort_by_key(|v| v.as_i64());
    assert_eq!(counts, vec![json!(1), json!(2)]);
}

#[tokio::test]
async fn a_leader_that_disconnects_hands_the_execution_to_its_follower() {
    let gate = Arc::new(Semaphore::new(0));
    let served = served(&gate, true).await;
    let leader = send(&served, QUERY, json!({ "item": "lamp" }));
    served.subgraphs.received("stock", 1).await;
    let follower = send(&served, QUERY, json!({ "item": "lamp" }));
    waiting(&served, 2).await;
    leader.abort();
    waiting(&served, 1).await;
    assert_eq!(served.gateway().in_flight_inbound_requests(), 1);
    gate.add_permits(10);
    assert_eq!(
        follower.await.unwrap(),
        (200, json!({ "data": { "stock": 1 } }))
    );
    assert_eq!(served.gateway().in_flight_inbound_requests(), 0);
    let next = send(&served, QUERY, json!({ "item": "lamp" }));
    assert_eq!(
        next.await.unwrap(),
        (200, json!({ "data": { "stock": 2 } }))
    );
}

#[tokio::test]
async fn nothing_is_shared_when_it_is_off_or_for_mutations() {
    let gate = Arc::new(Semaphore::new(0));
    let off = served(&gate, false).await;
    let first = send(&off, QUERY, json!({ "item": "lamp" }));
    let second = send(&off, QUERY, json!({ "item": "lamp" }));
    until("both reach the gateway's subgraph fetch", || async {
        off.gateway().in_flight_subgraph_waiters() == 2
    })
    .await;
    assert_eq!(off.gateway().in_flight_inbound_waiters(), 0);
    gate.add_permits(10);
    first.await.unwrap();
    second.await.unwrap();

    let gate = Arc::new(Semaphore::new(0));
    let on = served(&gate, true).await;
    let first = send(&on, "mutation { restock }", json!({}));
    let second = send(&on, "mutation { restock }", json!({}));
    on.subgraphs.received("stock", 2).await;
    assert_eq!(on.gateway().in_flight_inbound_waiters(), 0);
    gate.add_permits(10);
    let mut counts = vec![
        first.await.unwrap().1["data"]["restock"].clone(),
        second.await.unwrap().1["data"]["restock"].clone(),
    ];
    counts.sort_by_key(|v| v.as_i64());
    assert_eq!(counts, vec![json!(1), json!(2)]);
}
