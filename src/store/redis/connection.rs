//! Connections to the Redis deployment a [`Topology`] names, one way per kind.
//!
//! Commands go through [`Commands`]:
//!
//! - standalone: a `ConnectionManager`, which reconnects by itself;
//! - cluster: a `cluster_async::ClusterConnection`, which follows the slot
//!   map and reconnects by itself;
//! - sentinel: a multiplexed connection to the master the sentinels name,
//!   dropped after a connection error or a `READONLY` reply (the master
//!   failed over) so that the next command asks the sentinels again.
//!
//! Pub/sub uses a dedicated connection per subscription from
//! [`PubSubSource`]: in a cluster, classic `PUBLISH` reaches every node, so
//! a subscriber may listen on any one of them (it moves to the next node
//! after an error).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use redis::aio::{
    ConnectionLike, ConnectionManager, ConnectionManagerConfig, MultiplexedConnection,
};
use redis::cluster::ClusterClientBuilder;
use redis::cluster_async::ClusterConnection;
use redis::sentinel::{SentinelClient, SentinelClientBuilder, SentinelServerType};
use redis::{
    AsyncConnectionConfig, Client, Cmd, ErrorKind, Pipeline, RedisError, RedisFuture, RedisResult,
    ServerErrorKind, Value,
};
use tokio::sync::Mutex;

use super::topology::Topology;

/// How long opening one TCP connection (and its handshake) may take.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// How long Redis may take to answer one command.
pub(super) const RESPONSE_TIMEOUT: Duration = Duration::from_secs(1);

/// Where commands go.
pub(super) enum Commands {
    Standalone(ConnectionManager),
    Cluster(ClusterConnection),
    Sentinel(SentinelMaster),
}

/// Where subscriptions connect.
pub(super) enum PubSubSource {
    /// One client per node; a subscription uses them in turn.
    Nodes {
        clients: Vec<Client>,
        next: AtomicUsize,
    },
    Sentinel(Arc<Mutex<SentinelClient>>),
}

/// Connects to `topology` (answering before it returns).
pub(super) async fn connect(topology: Topology) -> RedisResult<(Commands, PubSubSource)> {
    match topology {
        Topology::Standalone(node) => {
            let client = Client::open(node)?;
            let config = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(CONNECT_TIMEOUT))
                .set_response_timeout(Some(RESPONSE_TIMEOUT))
                // Calls wait for reconnection attempts: keep them few and
                // short so that an outage is reported, not waited out.
                .set_number_of_retries(1)
                .set_max_delay(Duration::from_millis(200));
            let manager = ConnectionManager::new_with_config(client.clone(), config).await?;
            Ok((
                Commands::Standalone(manager),
                PubSubSource::nodes(vec![client]),
            ))
        }
        Topology::Cluster(nodes) => {
            let clients = nodes
                .iter()
                .cloned()
                .map(Client::open)
                .collect::<RedisResult<Vec<_>>>()?;
            let connection = ClusterClientBuilder::new(nodes)
                .connection_timeout(CONNECT_TIMEOUT)
                .response_timeout(RESPONSE_TIMEOUT)
                .retries(1)
                .build()?
                .get_async_connection()
                .await?;
            Ok((Commands::Cluster(connection), PubSubSource::nodes(clients)))
        }
        Topology::Sentinel {
            sentinels,
            master_name,
            master,
        } => {
            let mut builder =
                SentinelClientBuilder::new(sentinels, master_name, SentinelServerType::Master)?
                    .set_client_to_redis_db(master.db());
            if let Some(username) = master.username() {
                builder = builder.set_client_to_redis_username(username);
            }
            if let Some(password) = master.password() {
                builder = builder.set_client_to_redis_password(password);
            }
            let sentinel = Arc::new(Mutex::new(builder.build()?));
            let master = SentinelMaster {
                sentinel: Arc::clone(&sentinel),
                connection: Mutex::new(None),
            };
            master.connection().await?;
            Ok((Commands::Sentinel(master), PubSubSource::Sentinel(sentinel)))
        }
    }
}

impl Commands {
    /// A connection to send one command (or script) on.
    pub(super) async fn connection(&self) -> RedisResult<Connection> {
        match self {
            Self::Standalone(manager) => Ok(Connection::Standalone(manager.clone())),
            Self::Cluster(cluster) => Ok(Connection::Cluster(cluster.clone())),
            Self::Sentinel(master) => Ok(Connection::Node(master.connection().await?)),
        }
    }

    /// Lets the sentinel connection go after `error`, so that the next
    /// command finds the (maybe new) master; the others heal by themselves.
    pub(super) async fn after_error(&self, error: &RedisError) {
        if let Self::Sentinel(master) = self {
            let master_moved = error.is_io_error()
                || error.is_connection_dropped()
                || error.is_timeout()
                || error.kind() == ErrorKind::Server(ServerErrorKind::ReadOnly);
            if master_moved {
                *master.connection.lock().await = None;
            }
        }
    }
}

/// The current master of a sentinel-managed deployment.
pub(super) struct SentinelMaster {
    sentinel: Arc<Mutex<SentinelClient>>,
    connection: Mutex<Option<MultiplexedConnection>>,
}

impl SentinelMaster {
    async fn connection(&self) -> RedisResult<MultiplexedConnection> {
        let mut current = self.connection.lock().await;
        if let Some(connection) = current.as_ref() {
            return Ok(connection.clone());
        }
        let client = self.sentinel.lock().await.async_get_client().await?;
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT));
        let connection = client
            .get_multiplexed_async_connection_with_config(&config)
            .await?;
        *current = Some(connection.clone());
        Ok(connection)
    }
}

impl PubSubSource {
    fn nodes(clients: Vec<Client>) -> Self {
        Self::Nodes {
            clients,
            next: AtomicUsize::new(0),
        }
    }

    /// A new pub/sub connection (the caller bounds how long it may take).
    pub(super) async fn open(&self) -> RedisResult<redis::aio::PubSub> {
        let client = match self {
            Self::Nodes { clients, next } => {
                let index = next.fetch_add(1, Ordering::Relaxed) % clients.len().max(1);
                clients.get(index).cloned().ok_or_else(|| {
                    RedisError::from((
                        ErrorKind::InvalidClientConfig,
                        "no Redis node to subscribe on",
                    ))
                })?
            }
            Self::Sentinel(sentinel) => sentinel.lock().await.async_get_client().await?,
        };
        client.get_async_pubsub().await
    }
}

/// One borrowed connection of any kind, so that commands and scripts are
/// written once.
pub(super) enum Connection {
    Standalone(ConnectionManager),
    Cluster(ClusterConnection),
    Node(MultiplexedConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Standalone(connection) => connection.req_packed_command(cmd),
            Self::Cluster(connection) => connection.req_packed_command(cmd),
            Self::Node(connection) => connection.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Standalone(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Cluster(connection) => connection.req_packed_commands(pipeline, offset, count),
            Self::Node(connection) => connection.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Standalone(connection) => connection.get_db(),
            Self::Cluster(connection) => connection.get_db(),
            Self::Node(connection) => connection.get_db(),
        }
    }
}
