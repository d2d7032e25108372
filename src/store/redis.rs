//! The Redis store, shared by every replica of Junction.
//!
//! Layout under the prefix `P` (default `junction:`):
//!
//! - versioned key `k` → hash `Pkv:k` with fields `v` (version) and `d` (data);
//!   compare-and-set and put are Lua scripts, so each is atomic;
//! - expiring record `r` → hash `Pexp:r` like a versioned key, with a TTL;
//! - list `l` → Redis list `Plist:l`, newest at the head (`LPUSH`, `LRANGE`);
//! - channel `c` → Redis channel `Pc`;
//! - a key `a` of an atomic script ([`Store::run_atomic`], rate limit
//!   cells) → `P{atomic}:a`, a plain string.
//!
//! Every other script touches exactly one key, so in a cluster nothing else
//! needs to share a hash slot and the prefix carries no hash tag; atomic
//! scripts' keys share the hash tag `{atomic}` (one slot). (A deployment that
//! wants all of Junction's keys on one node can set the prefix to
//! `{junction}:`.)
//!
//! No call waits for Redis for long: connecting and each answer are bounded
//! (see `connection`), and every call as a whole by [`CALL_DEADLINE`], after
//! which it fails with [`StoreError::Unavailable`].

mod connection;
mod subscription;
mod topology;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use redis::{ErrorKind, FromRedisValue, RedisError, Script, ServerErrorKind};
use tokio::sync::watch;

use self::connection::{Commands, PubSubSource};
use self::topology::Topology;
use super::{redact_url, CasOutcome, Store, StoreError, Subscription, Versioned};

/// The longest any one store call waits for Redis.
pub const CALL_DEADLINE: Duration = Duration::from_secs(2);
/// The longest [`RedisStore::connect`] waits (a sentinel deployment takes two
/// round trips: the sentinels, then the master).
const OPEN_DEADLINE: Duration = Duration::from_secs(4);

/// `KEYS[1]` the hash, `ARGV[1]` the expected version, `ARGV[2]` the value.
/// Returns `{1, new version}` or `{0, current version}`.
const COMPARE_AND_SET: &str = r"
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then
  return {0, current}
end
redis.call('HSET', KEYS[1], 'v', current + 1, 'd', ARGV[2])
return {1, current + 1}
";

/// As [`COMPARE_AND_SET`], and the hash expires `ARGV[3]` ms from now.
const COMPARE_AND_SET_EXPIRING: &str = r"
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then
  return {0, current}
end
redis.call('HSET', KEYS[1], 'v', current + 1, 'd', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {1, current + 1}
";

/// `KEYS[1]` the hash, `ARGV[1]` the value. Returns the new version.
/// LPUSH then LTRIM in one step: the list never holds more than ARGV[2].
const APPEND_CAPPED: &str = r"
local length = redis.call('LPUSH', KEYS[1], ARGV[1])
local max = tonumber(ARGV[2])
if length > max then
  redis.call('LTRIM', KEYS[1], 0, max - 1)
  return max
end
return length
";

const PUT: &str = r"
local version = redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('HSET', KEYS[1], 'd', ARGV[1])
return version
";

/// A [`Store`] in Redis (standalone, cluster or sentinel).
pub struct RedisStore {
    commands: Commands,
    pubsub: Arc<PubSubSource>,
    prefix: String,
    compare_and_set: Script,
    compare_and_set_expiring: Script,
    put: Script,
    append_capped: Script,
    /// The URL without its password, for error messages.
    location: String,
    /// Passwords from the URL, scrubbed from every error message.
    secrets: Vec<String>,
    /// Dropped with the store, which ends its subscriptions.
    alive: watch::Sender<()>,
}

impl RedisStore {
    /// Connects to the Redis deployment `url` names, checking that it
    /// answers; names get `prefix` in front.
    ///
    /// `url` is one `redis://[user:pass@]host:port[/db]` URL (standalone);
    /// several comma-separated `redis://` URLs or
    /// `redis+cluster://[user:pass@]host:port,host:port` (Redis Cluster); or
    /// `redis+sentinel://[user:pass@]host:port[,host:port]/master_name[/db]`
    /// (the master those sentinels name; credentials and db are the
    /// master's). `rediss://` (TLS) is not built in.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, StoreError> {
        if url.trim_start().starts_with("rediss://") {
            return Err(StoreError::Config(format!(
                "{}: TLS connections (rediss://) are not supported by this build",
                redact_url(url)
            )));
        }
        let topology = Topology::parse(url)?;
        let location = redact_url(url);
        let secrets = topology.secrets();
        let (commands, pubsub) =
            match tokio::time::timeout(OPEN_DEADLINE, connection::connect(topology)).await {
                Ok(Ok(connected)) => connected,
                Ok(Err(error)) => return Err(explain(&error, &location, &secrets)),
                Err(_) => {
                    return Err(StoreError::Unavailable(format!(
                        "{location} did not answer within {OPEN_DEADLINE:?}"
                    )))
                }
            };
        let (alive, _) = watch::channel(());
        Ok(Self {
            commands,
            pubsub: Arc::new(pubsub),
            prefix: prefix.to_string(),
            compare_and_set: Script::new(COMPARE_AND_SET),
            compare_and_set_expiring: Script::new(COMPARE_AND_SET_EXPIRING),
            put: Script::new(PUT),
            append_capped: Script::new(APPEND_CAPPED),
            location,
            secrets,
            alive,
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}kv:{key}", self.prefix)
    }

    /// A key of [`Store::run_atomic`]'s namespace. Every such key has the
    /// hash tag `{atomic}`, so one script's keys share a Redis Cluster slot.
    fn atomic(&self, key: &str) -> String {
        format!("{}{{atomic}}:{key}", self.prefix)
    }

    fn expiring(&self, key: &str) -> String {
        format!("{}exp:{key}", self.prefix)
    }

    fn cached(&self, key: &str) -> String {
        format!("{}cache:{key}", self.prefix)
    }

    fn list(&self, list: &str) -> String {
        format!("{}list:{list}", self.prefix)
    }

    fn channel(&self, channel: &str) -> String {
        format!("{}{channel}", self.prefix)
    }

    /// The version and data of the hash `stored` (the name `key` for errors).
    async fn read_versioned(
        &self,
        stored: String,
        key: &str,
    ) -> Result<Option<Versioned>, StoreError> {
        let mut command = redis::cmd("HMGET");
        command.arg(stored).arg("v").arg("d");
        let (version, value): (Option<Vec<u8>>, Option<Vec<u8>>) =
            self.call(Request::Command(command)).await?;
        let Some(version) = version else {
            return Ok(None);
        };
        let version = std::str::from_utf8(&version)
            .ok()
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| {
                StoreError::Corrupt(format!("the version of {key:?} is not a number"))
            })?;
        let value = value
            .ok_or_else(|| StoreError::Corrupt(format!("{key:?} has a version but no data")))?;
        Ok(Some(Versioned { version, value }))
    }

    /// Sends `request` within [`CALL_DEADLINE`]. A request whose connection
    /// was refused never reached Redis, so it is tried once more: the first
    /// call after Redis comes back would otherwise fail on the stale refusal.
    async fn call<T: FromRedisValue>(&self, request: Request<'_>) -> Result<T, StoreError> {
        let attempts = async {
            let mut result = self.send(&request).await;
            if let Err(error) = &result {
                self.commands.after_error(error).await;
                if error.is_connection_refusal() {
                    result = self.send(&request).await;
                    if let Err(error) = &result {
                        self.commands.after_error(error).await;
                    }
                }
            }
            result
        };
        match tokio::time::timeout(CALL_DEADLINE, attempts).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(explain(&error, &self.location, &self.secrets)),
            Err(_) => Err(StoreError::Unavailable(format!(
                "{} did not answer within {CALL_DEADLINE:?}",
                self.location
            ))),
        }
    }

    async fn send<T: FromRedisValue>(&self, request: &Request<'_>) -> redis::RedisResult<T> {
        let mut connection = self.commands.connection().await?;
        match request {
            Request::Command(command) => command.query_async(&mut connection).await,
            Request::Script(invocation) => invocation.invoke_async(&mut connection).await,
        }
    }
}

/// What [`RedisStore::call`] sends.
enum Request<'a> {
    Command(redis::Cmd),
    Script(redis::ScriptInvocation<'a>),
}

/// `error` as the store's error, naming where it happened and with every
/// password from the URL replaced by `***`.
fn explain(error: &RedisError, location: &str, secrets: &[String]) -> StoreError {
    classify(error, scrub(format!("{location}: {error}"), secrets))
}

/// `text` with every one of `secrets` replaced by `***`.
fn scrub(text: String, secrets: &[String]) -> String {
    secrets
        .iter()
        .fold(text, |text, secret| text.replace(secret.as_str(), "***"))
}

/// Sorts a Redis error into the store's kinds.
fn classify(error: &RedisError, message: String) -> StoreError {
    match error.kind() {
        ErrorKind::Io
        | ErrorKind::ClusterConnectionNotFound
        | ErrorKind::MasterNameNotFoundBySentinel
        | ErrorKind::Server(
            ServerErrorKind::BusyLoading
            | ServerErrorKind::TryAgain
            | ServerErrorKind::ClusterDown
            | ServerErrorKind::MasterDown
            | ServerErrorKind::ReadOnly,
        ) => StoreError::Unavailable(message),
        ErrorKind::InvalidClientConfig
        | ErrorKind::AuthenticationFailed
        | ErrorKind::EmptySentinelList => StoreError::Config(message),
        _ if matches!(error.code(), Some("WRONGPASS" | "NOAUTH" | "NOPERM")) => {
            StoreError::Config(message)
        }
        ErrorKind::Parse | ErrorKind::UnexpectedReturnType => StoreError::Corrupt(message),
        _ if error.code() == Some("WRONGTYPE") || message.contains("WRONGTYPE") => {
            StoreError::Corrupt(message)
        }
        _ if error.is_timeout() || error.is_connection_dropped() => {
            StoreError::Unavailable(message)
        }
        _ => StoreError::Backend(message),
    }
}

#[async_trait]
impl Store for RedisStore {
    fn backend(&self) -> &'static str {
        "redis"
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.call::<String>(Request::Command(redis::cmd("PING")))
            .await
            .map(drop)
    }

    async fn get(&self, key: &str) -> Result<Option<Versioned>, StoreError> {
        self.read_versioned(self.key(key), key).await
    }

    async fn compare_and_set(
        &self,
        key: &str,
        expected: u64,
        value: &[u8],
    ) -> Result<CasOutcome, StoreError> {
        let mut invocation = self.compare_and_set.prepare_invoke();
        invocation.key(self.key(key)).arg(expected).arg(value);
        let (stored, version): (u8, u64) = self.call(Request::Script(invocation)).await?;
        Ok(if stored == 1 {
            CasOutcome::Stored { version }
        } else {
            CasOutcome::Conflict { current: version }
        })
    }

    async fn put(&self, key: &str, value: &[u8]) -> Result<u64, StoreError> {
        let mut invocation = self.put.prepare_invoke();
        invocation.key(self.key(key)).arg(value);
        self.call(Request::Script(invocation)).await
    }

    async fn delete(&self, key: &str) -> Result<bool, StoreError> {
        let mut command = redis::cmd("DEL");
        command.arg(self.key(key));
        let removed: u64 = self.call(Request::Command(command)).await?;
        Ok(removed > 0)
    }

    async fn cache_put(&self, key: &str, value: &[u8], ttl: Duration) -> Result<(), StoreError> {
        let milliseconds = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut command = redis::cmd("SET");
        command
            .arg(self.cached(key))
            .arg(value)
            .arg("PX")
            .arg(milliseconds);
        self.call::<String>(Request::Command(command))
            .await
            .map(drop)
    }

    async fn cache_get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut command = redis::cmd("GET");
        command.arg(self.cached(key));
        self.call(Request::Command(command)).await
    }

    async fn get_expiring(&self, key: &str) -> Result<Option<Versioned>, StoreError> {
        self.read_versioned(self.expiring(key), key).await
    }

    async fn compare_and_set_expiring(
        &self,
        key: &str,
        expected: u64,
        value: &[u8],
        ttl: Duration,
    ) -> Result<CasOutcome, StoreError> {
        let milliseconds = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut invocation = self.compare_and_set_expiring.prepare_invoke();
        invocation
            .key(self.expiring(key))
            .arg(expected)
            .arg(value)
            .arg(milliseconds);
        let (stored, version): (u8, u64) = self.call(Request::Script(invocation)).await?;
        Ok(if stored == 1 {
            CasOutcome::Stored { version }
        } else {
            CasOutcome::Conflict { current: version }
        })
    }

    async fn append(&self, list: &str, value: &[u8]) -> Result<u64, StoreError> {
        let mut command = redis::cmd("LPUSH");
        command.arg(self.list(list)).arg(value);
        self.call(Request::Command(command)).await
    }

    async fn append_capped(
        &self,
        list: &str,
        value: &[u8],
        max_len: u64,
    ) -> Result<u64, StoreError> {
        let mut invocation = self.append_capped.prepare_invoke();
        invocation
            .key(self.list(list))
            .arg(value)
            .arg(max_len.max(1));
        self.call(Request::Script(invocation)).await
    }

    async fn newest(&self, list: &str, limit: usize) -> Result<Vec<Vec<u8>>, StoreError> {
        // LRANGE's stop is inclusive, and -1 would mean "to the end".
        let Some(last) = limit.checked_sub(1) else {
            return Ok(Vec::new());
        };
        let last = i64::try_from(last).unwrap_or(i64::MAX);
        let mut command = redis::cmd("LRANGE");
        command.arg(self.list(list)).arg(0).arg(last);
        self.call(Request::Command(command)).await
    }

    async fn publish(&self, channel: &str, message: &[u8]) -> Result<(), StoreError> {
        let mut command = redis::cmd("PUBLISH");
        command.arg(self.channel(channel)).arg(message);
        self.call::<u64>(Request::Command(command)).await.map(drop)
    }

    async fn subscribe(&self, channel: &str) -> Result<Subscription, StoreError> {
        let channel = self.channel(channel);
        subscription::subscribe(Arc::clone(&self.pubsub), &channel, self.alive.subscribe())
            .await
            .map_err(|reason| {
                let message = format!("{}: cannot subscribe to {channel}: {reason}", self.location);
                StoreError::Unavailable(scrub(message, &self.secrets))
            })
    }

    async fn run_atomic(
        &self,
        script: &super::AtomicScript,
        keys: &[&str],
        args: &[i64],
    ) -> Result<Option<Vec<i64>>, StoreError> {
        let mut invocation = script.script().prepare_invoke();
        for key in keys {
            invocation.key(self.atomic(key));
        }
        for arg in args {
            invocation.arg(*arg);
        }
        self.call(Request::Script(invocation)).await.map(Some)
    }
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}
