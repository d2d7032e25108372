//! Redis subscriptions that outlive connection loss.
//!
//! Each subscription owns a task and a dedicated pub/sub connection. The
//! task forwards messages to the [`Subscription`]; when the connection fails
//! (an error, a closed socket, or a keep-alive `PING` left unanswered) it
//! reconnects with backoff from 100 ms up to 2 s and subscribes again.
//! Messages published while it is away are lost. The task stops when the
//! subscription is dropped or the store is.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use redis::aio::{PubSubSink, PubSubStream};
use redis::RedisResult;
use tokio::sync::{mpsc, watch};
use tokio::time::{interval_at, sleep, timeout, Instant, MissedTickBehavior};

use super::super::Subscription;
use super::connection::PubSubSource;

/// How long connecting and subscribing may take.
const SUBSCRIBE_DEADLINE: Duration = Duration::from_secs(2);
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
const LAST_BACKOFF: Duration = Duration::from_secs(2);
/// How often an idle subscription checks that its connection is alive.
const KEEPALIVE_EVERY: Duration = Duration::from_secs(10);

/// Subscribes to `channel` (the full Redis channel name) before returning,
/// so that messages published after this returns are received; `Err` says
/// why Redis could not be reached.
pub(super) async fn subscribe(
    source: Arc<PubSubSource>,
    channel: &str,
    store_dropped: watch::Receiver<()>,
) -> Result<Subscription, String> {
    let connection = open(&source, channel).await?;
    let (sender, subscription) = Subscription::channel();
    let task = Forwarder {
        source,
        channel: channel.to_string(),
        sender,
        store_dropped,
    };
    tokio::spawn(task.run(connection));
    Ok(subscription)
}

type PubSubConnection = (PubSubSink, PubSubStream);

async fn open(source: &PubSubSource, channel: &str) -> Result<PubSubConnection, String> {
    let attempt = async {
        let (mut sink, stream) = source.open().await?.split();
        sink.subscribe(channel).await?;
        RedisResult::Ok((sink, stream))
    };
    match timeout(SUBSCRIBE_DEADLINE, attempt).await {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {SUBSCRIBE_DEADLINE:?}")),
    }
}

/// Why forwarding stopped.
enum Stop {
    /// Nobody is listening any more: end the task.
    Finished,
    /// The connection failed: reconnect.
    ConnectionLost(String),
}

struct Forwarder {
    source: Arc<PubSubSource>,
    channel: String,
    sender: mpsc::Sender<Vec<u8>>,
    store_dropped: watch::Receiver<()>,
}

impl Forwarder {
    async fn run(mut self, first: PubSubConnection) {
        let mut connection = Some(first);
        let mut backoff = FIRST_BACKOFF;
        loop {
            let (sink, stream) = match connection.take() {
                Some(connection) => connection,
                None => {
                    if self.wait(backoff).await.is_err() {
                        return;
                    }
                    match open(&self.source, &self.channel).await {
                        Ok(connection) => {
                            tracing::info!(channel = %self.channel, "store subscription restored");
                            backoff = FIRST_BACKOFF;
                            connection
                        }
                        Err(error) => {
                            tracing::debug!(channel = %self.channel, %error, "store subscription still down");
                            backoff = (backoff * 2).min(LAST_BACKOFF);
                            continue;
                        }
                    }
                }
            };
            match self.forward(sink, stream).await {
                Stop::Finished => return,
                Stop::ConnectionLost(error) => {
                    tracing::warn!(channel = %self.channel, %error, "store subscription lost; reconnecting");
                }
            }
        }
    }

    /// Sleeps for `duration`; `Err` when the task should end instead.
    async fn wait(&mut self, duration: Duration) -> Result<(), ()> {
        tokio::select! {
            () = sleep(duration) => Ok(()),
            () = self.sender.closed() => Err(()),
            _ = self.store_dropped.changed() => Err(()),
        }
    }

    async fn forward(&mut self, mut sink: PubSubSink, mut stream: PubSubStream) -> Stop {
        let mut keepalive = interval_at(Instant::now() + KEEPALIVE_EVERY, KEEPALIVE_EVERY);
        keepalive.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                message = stream.next() => {
                    let Some(message) = message else {
                        return Stop::ConnectionLost("connection closed".to_string());
                    };
                    let payload = message.get_payload_bytes().to_vec();
                    tokio::select! {
                        sent = self.sender.send(payload) => if sent.is_err() {
                            return Stop::Finished;
                        },
                        _ = self.store_dropped.changed() => return Stop::Finished,
                    }
                }
                _ = keepalive.tick() => {
                    match timeout(SUBSCRIBE_DEADLINE, sink.ping::<redis::Value>()).await {
                        Ok(Ok(_)) => {}
                        Ok(Err(e)) => return Stop::ConnectionLost(e.to_string()),
                        Err(_) => return Stop::ConnectionLost("keep-alive PING unanswered".to_string()),
                    }
                }
                () = self.sender.closed() => return Stop::Finished,
                _ = self.store_dropped.changed() => return Stop::Finished,
            }
        }
    }
}
