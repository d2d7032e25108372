//! In-flight subgraph request deduplication over real HTTP: a client that
//! leads a shared subgraph fetch and disconnects neither leaves an entry
//! behind nor hands its old answer to the next client; its followers still
//! get the answer; mutations are never shared.

use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::Semaphore;

use crate::common::fixture_subgraph::Subgraph;
use crate::hardening::support::{post_graphql, until, Served};

const TYPES: &str = r#"
type Query @join__type(graph: STOCK) {
  stock: Int @join__field(graph: STOCK)
}
type Mutation @join__type(graph: STOCK) {
  restock: Int @join__field(graph: STOCK)
}
"#;

const QUERY: &str = "{ stock }";

/// A stock subgraph whose every request waits for a permit of `gate`, and
/// whose answer counts the requests it has received.
fn stock(gate: &Arc<Semaphore>) -> Subgraph {
    let counter = Arc::new(std::sync::atomic::AtomicI64::new(0));
    let count = Arc::clone(&counter);
    Subgraph::new("stock")
        .root("Query.stock", move |_| {
            json!(count.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1)
        })
        .root("Mutation.restock", move |_| {
            json!(counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1)
        })
        .gate(Arc::clone(gate))
}

async fn served(gate: &Arc<Semaphore>) -> Served {
    Served::dev(TYPES, vec![stock(gate)]).await
}

/// Sends `query` from a task of its own (a client that can be dropped).
fn client_request(served: &Served, query: &'static str) -> tokio::task::JoinHandle<(u16, Value)> {
    let url = served.server.url("/graphql");
    tokio::spawn(async move { post_graphql(&url, query, json!({})).await })
}

fn arrived(served: &Served) -> usize {
    served.subgraphs.requests("stock").len()
}

/// Sends `QUERY` and waits until its fetch is the `nth` request the
/// subgraph received.
async fn leading(served: &Served, nth: usize) -> tokio::task::JoinHandle<(u16, Value)> {
    let leader = client_request(served, QUERY);
    served.subgraphs.received("stock", nth).await;
    assert_eq!(
        arrived(served),
        nth,
        "the leader's fetch is request number {nth}"
    );
    leader
}

#[tokio::test]
async fn a_leader_dropped_mid_fetch_leaves_no_entry_and_the_next_request_reaches_the_subgraph() {
    let gate = Arc::new(Semaphore::new(0));
    let served = served(&gate).await;
    let leader = leading(&served, 1).await;
    assert_eq!(served.gateway().in_flight_subgraph_requests(), 1);
    leader.abort();
    until("the dropped leader's entry is removed", || async {
        served.gateway().in_flight_subgraph_requests() == 0
    })
    .await;

    let next = client_request(&served, QUERY);
    served.subgraphs.received("stock", 2).await;
    gate.add_permits(2);
    let (status, body) = next.await.unwrap();
    assert_eq!(status, 200);
    assert!(
        body["data"]["stock"].is_number(),
        "a fresh answer, not a failure: {body}"
    );
    assert_eq!(served.gateway().in_flight_subgraph_requests(), 0);
}

#[tokio::test]
async fn a_hundred_dropped_leaders_leave_no_entry_and_a_later_request_is_answered() {
    let gate = Arc::new(Semaphore::new(0));
    let served = served(&gate).await;
    for round in 1..=100 {
        let leader = leading(&served, round).await;
        leader.abort();
        until("its entry is removed", || async {
            served.gateway().in_flight_subgraph_requests() == 0
        })
        .await;
    }
    assert_eq!(served.gateway().in_flight_subgraph_waiters(), 0);
    let later = client_request(&served, QUERY);
    served.subgraphs.received("stock", 101).await;
    gate.add_permits(101);
    let (status, body) = later.await.unwrap();
    assert_eq!((status, body["errors"].is_null()), (200, true), "{body}");
}

#[tokio::test]
async fn followers_of_a_dropped_leader_get_the_answer_of_the_one_fetch() {
    let gate = Arc::new(Semaphore::new(0));
    let served = served(&gate).await;
    let leader = leading(&served, 1).await;
    let followers = [
        client_request(&served, QUERY),
        client_request(&served, QUERY),
    ];
    until("both followers join the leader's fetch", || async {
        served.gateway().in_flight_subgraph_waiters() == 3
    })
    .await;
    leader.abort();
    until("the leader is gone, its followers still wait", || async {
        served.gateway().in_flight_subgraph_waiters() == 2
    })
    .await;
    assert_eq!(served.gateway().in_flight_subgraph_requests(), 1);
    gate.add_permits(1);
    for follower in followers {
        let (status, body) = follower.await.unwrap();
        assert_eq!((status, body), (200, json!({ "data": { "stock": 1 } })));
    }
    assert_eq!(arrived(&served), 1, "the one fetch answered everyone");
    assert_eq!(served.gateway().in_flight_subgraph_requests(), 0);
}

#[tokio::test]
async fn identical_concurrent_queries_reach_the_subgraph_once() {
    let gate = Arc::new(Semaphore::new(0));
    let served = served(&gate).await;
    let clients: Vec<_> = (0..10).map(|_| client_request(&served, QUERY)).collect();
    until("all ten wait on one fetch", || async {
        served.gateway().in_flight_subgraph_waiters() == 10
    })
    .await;
    gate.add_permits(1);
    for client in clients {
        let (status, body) = client.await.unwrap();
        assert_eq!((status, body), (200, json!({ "data": { "stock": 1 } })));
    }
    assert_eq!(arrived(&served), 1);
}

#[tokio::test]
async fn a_request_after_a_finished_fetch_reaches_the_subgraph_again() {
    let gate = Arc::new(Semaphore::new(2));
    let served = served(&gate).await;
    let first = served.post(QUERY, json!({})).await;
    let second = served.post(QUERY, json!({})).await;
    assert_eq!(first, (200, json!({ "data": { "stock": 1 } })));
    assert_eq!(second, (200, json!({ "data": { "stock": 2 } })));
}

#[tokio::test]
async fn identical_concurrent_mutations_reach_the_subgraph_every_time() {
    let gate = Arc::new(Semaphore::new(0));
    let served = served(&gate).await;
    let clients: Vec<_> = (0..10)
        .map(|_| client_request(&served, "mutation { restock }"))
        .collect();
    served.subgraphs.received("stock", 10).await;
    assert_eq!(served.gateway().in_flight_subgraph_waiters(), 0);
    gate.add_permits(10);
    let mut answers: Vec<i64> = Vec::new();
    for client in clients {
        let (status, body) = client.await.unwrap();
        assert_eq!(status, 200, "{body}");
        answers.push(body["data"]["restock"].as_i64().unwrap());
    }
    answers.sort_unstable();
    assert_eq!(answers, (1..=10).collect::<Vec<_>>());
}
