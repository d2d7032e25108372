//! The HTTP server's own limits, seen from raw TCP clients: a client that
//! drips its headers is cut off at the header timeout while others are
//! served, idle connections are closed after the keep-alive timeout and do
//! not keep new clients out, a slow body gets 408, a slow request 504.

use std::sync::Arc;
use std::time::Duration;

use junction::http::{HttpSettings, ServerSettings};
use junction::pipeline::GatewaySettings;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use crate::common::fixture_subgraph::Subgraph;
use crate::hardening::support::Served;

const TYPES: &str = r#"
type Query @join__type(graph: STOCK) { stock: Int @join__field(graph: STOCK) }
"#;

fn stock() -> Subgraph {
    Subgraph::new("stock").root("Query.stock", |_| json!(7))
}

async fn serve_with(server: ServerSettings, http: HttpSettings, subgraph: Subgraph) -> Served {
    Served::start(TYPES, vec![subgraph], GatewaySettings::dev(), http, server).await
}

fn address(served: &Served) -> String {
    served
        .server
        .base_url
        .trim_start_matches("http://")
        .to_string()
}

const REQUEST_BODY: &str = r#"{"query":"{ stock }"}"#;

fn request_head(content_length: usize) -> String {
    format!(
        "POST /graphql HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {content_length}\r\n\r\n"
    )
}

/// Reads from `stream` until the server closes it; what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut received));
    match read.await {
        Ok(_) => String::from_utf8_lossy(&received).into_owned(),
        Err(_) => panic!("the server never closed the connection"),
    }
}

/// On a paused clock: the client's drip and the server's header timeout
/// are both tokio timers, so their order is decided, not raced.
#[tokio::test(start_paused = true)]
async fn a_client_dripping_its_headers_is_cut_off_while_another_is_served() {
    let server = ServerSettings {
        header_read_timeout: Duration::from_millis(500),
        ..ServerSettings::default()
    };
    let served = serve_with(server, HttpSettings::default(), stock()).await;
    let mut slow = TcpStream::connect(address(&served)).await.unwrap();
    let head = request_head(REQUEST_BODY.len());
    let (mut reader, mut writer) = slow.split();
    let drip = async {
        let mut sent = 0;
        for byte in head.as_bytes() {
            if writer.write_all(&[*byte]).await.is_err() {
                break;
            }
            sent += 1;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        sent
    };
    let closed = async {
        let mut rest = Vec::new();
        let _ = reader.read_to_end(&mut rest).await;
        rest
    };
    let served_meanwhile = served.post("{ stock }", json!({}));
    let (sent_or_closed, answer) = tokio::join!(
        async {
            tokio::select! {
                sent = drip => Err(sent),
                rest = closed => Ok(rest),
            }
        },
        served_meanwhile
    );
    let rest =
        sent_or_closed.expect("the server closed the connection before the head was complete");
    assert!(rest.is_empty(), "no response to a request never made");
    assert_eq!(answer, (200, json!({ "data": { "stock": 7 } })));
}

#[tokio::test]
async fn two_thousand_idle_connections_do_not_keep_a_new_client_out() {
    // Both ends of every connection are in this process.
    rlimit::increase_nofile_limit(u64::MAX).unwrap();
    let served = serve_with(ServerSettings::default(), HttpSettings::default(), stock()).await;
    let mut idle = Vec::with_capacity(2000);
    for _ in 0..2000 {
        idle.push(TcpStream::connect(address(&served)).await.unwrap());
    }
    let answer = served.post("{ stock }", json!({})).await;
    assert_eq!(answer, (200, json!({ "data": { "stock": 7 } })));
    drop(idle);
}

#[tokio::test]
async fn past_the_connection_limit_new_clients_wait_until_a_connection_closes() {
    let server = ServerSettings {
        max_connections: 2,
        header_read_timeout: Duration::from_millis(300),
        ..ServerSettings::default()
    };
    let served = serve_with(server, HttpSettings::default(), stock()).await;
    let mut first = TcpStream::connect(address(&served)).await.unwrap();
    let mut second = TcpStream::connect(address(&served)).await.unwrap();
    let answer = served.post("{ stock }", json!({})).await;
    assert_eq!(answer, (200, json!({ "data": { "stock": 7 } })));
    // The new client was served once the idle ones had been closed.
    assert_eq!(read_until_closed(&mut first).await, "");
    assert_eq!(read_until_closed(&mut second).await, "");
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout() {
    let server = ServerSettings {
        keep_alive_timeout: Duration::from_millis(300),
        ..ServerSettings::default()
    };
    let served = serve_with(server, HttpSettings::default(), stock()).await;
    let mut stream = TcpStream::connect(address(&served)).await.unwrap();
    let request = format!("{}{REQUEST_BODY}", request_head(REQUEST_BODY.len()));
    stream.write_all(request.as_bytes()).await.unwrap();
    let received = read_until_closed(&mut stream).await;
    assert!(received.starts_with("HTTP/1.1 200 OK"), "{received}");
    assert!(
        received.ends_with(r#"{"data":{"stock":7}}"#),
        "the answer, then the close: {received}"
    );
}

#[tokio::test]
async fn a_body_not_received_in_time_gets_408() {
    let http = HttpSettings {
        body_read_timeout: Duration::from_millis(300),
        ..HttpSettings::default()
    };
    let served = serve_with(ServerSettings::default(), http, stock()).await;
    let mut stream = TcpStream::connect(address(&served)).await.unwrap();
    let partial = format!("{}{}", request_head(100), &REQUEST_BODY[..10]);
    stream.write_all(partial.as_bytes()).await.unwrap();
    let received = read_until_closed(&mut stream).await;
    assert!(received.starts_with("HTTP/1.1 408"), "{received}");
    assert!(
        received.contains(r#""code":"REQUEST_TIMEOUT""#),
        "{received}"
    );
}

#[tokio::test]
async fn a_request_over_the_request_timeout_gets_gateway_timeout() {
    let gate = Arc::new(Semaphore::new(0));
    let settings = GatewaySettings {
        request_timeout: Duration::from_millis(300),
        ..GatewaySettings::dev()
    };
    let served = Served::start(
        TYPES,
        vec![stock().gate(Arc::clone(&gate))],
        settings,
        HttpSettings::default(),
        ServerSettings::default(),
    )
    .await;
    let answer = served.post("{ stock }", json!({})).await;
    assert_eq!(
        answer,
        (
            504,
            json!({ "errors": [{
                "message": "The request took longer than the gateway's request timeout of 300 ms.",
                "extensions": { "code": "GATEWAY_TIMEOUT" },
            }] })
        )
    );
    gate.add_permits(1);
}
