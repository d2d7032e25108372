//! Reading a Redis URL: which kind of deployment it names, and its nodes.
//!
//! - one `redis://` (or `rediss://`, `redis+unix://`) URL: a standalone server;
//! - several comma-separated `redis://` URLs, or
//!   `redis+cluster://[user:pass@]host:port,host:port`: a Redis Cluster;
//! - `redis+sentinel://[user:pass@]host:port[,host:port]/master_name[/db]`:
//!   the master that the sentinels at those addresses (default port 26379)
//!   name; the credentials and `db` are the master's, the sentinels are
//!   reached without them.

use redis::{ConnectionAddr, ConnectionInfo, IntoConnectionInfo, RedisConnectionInfo};

use super::super::{redact_url, StoreError};

const CLUSTER_SCHEME: &str = "redis+cluster://";
const SENTINEL_SCHEME: &str = "redis+sentinel://";
const DEFAULT_REDIS_PORT: u16 = 6379;
const DEFAULT_SENTINEL_PORT: u16 = 26379;

/// The Redis deployment a URL names.
#[derive(Debug)]
pub(super) enum Topology {
    Standalone(ConnectionInfo),
    Cluster(Vec<ConnectionInfo>),
    Sentinel {
        sentinels: Vec<ConnectionAddr>,
        master_name: String,
        /// Username, password and database of the master.
        master: RedisConnectionInfo,
    },
}

impl Topology {
    /// Reads `url`; errors never repeat its password.
    pub(super) fn parse(url: &str) -> Result<Self, StoreError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(StoreError::Config("the Redis URL is empty".to_string()));
        }
        if let Some(rest) = url.strip_prefix(SENTINEL_SCHEME) {
            return parse_sentinel(url, rest);
        }
        if let Some(rest) = url.strip_prefix(CLUSTER_SCHEME) {
            let (user_info, hosts, _path) = split_authority(rest);
            let nodes = parse_hosts(url, hosts, DEFAULT_REDIS_PORT)?
                .into_iter()
                .map(|(host, port)| {
                    let node = match user_info {
                        Some(user_info) => format!("redis://{user_info}@{host}:{port}"),
                        None => format!("redis://{host}:{port}"),
                    };
                    connection_info(url, &node)
                })
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Self::Cluster(nodes));
        }
        let nodes = url
            .split(',')
            .map(|node| connection_info(url, node.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        match <[ConnectionInfo; 1]>::try_from(nodes) {
            Ok([node]) => Ok(Self::Standalone(node)),
            Err(nodes) => Ok(Self::Cluster(nodes)),
        }
    }

    /// The (non-empty) passwords in this topology, to scrub from error
    /// messages.
    pub(super) fn secrets(&self) -> Vec<String> {
        let passwords: Vec<Option<&str>> = match self {
            Self::Standalone(node) => vec![node.redis_settings().password()],
            Self::Cluster(nodes) => nodes
                .iter()
                .map(|node| node.redis_settings().password())
                .collect(),
            Self::Sentinel { master, .. } => vec![master.password()],
        };
        let mut secrets: Vec<String> = passwords
            .into_iter()
            .flatten()
            .filter(|password| !password.is_empty())
            .map(String::from)
            .collect();
        secrets.sort();
        secrets.dedup();
        secrets
    }
}

fn parse_sentinel(url: &str, rest: &str) -> Result<Topology, StoreError> {
    let (user_info, hosts, path) = split_authority(rest);
    let sentinels = parse_hosts(url, hosts, DEFAULT_SENTINEL_PORT)?
        .into_iter()
        .map(|(host, port)| ConnectionAddr::Tcp(host, port))
        .collect();
    let mut segments = path.split('/').filter(|segment| !segment.is_empty());
    let master_name = segments.next().ok_or_else(|| {
        StoreError::Config(format!(
            "the sentinel URL {} names no master (redis+sentinel://host:port/master_name)",
            redact_url(url)
        ))
    })?;
    let db = segments.next().unwrap_or("0");
    // The redis crate decodes percent-escapes in the user info and reads the
    // database: borrow its parser on a stand-in URL.
    let stand_in = match user_info {
        Some(user_info) => format!("redis://{user_info}@localhost/{db}"),
        None => format!("redis://localhost/{db}"),
    };
    let master = connection_info(url, &stand_in)?.redis_settings().clone();
    Ok(Topology::Sentinel {
        sentinels,
        master_name: master_name.to_string(),
        master,
    })
}

/// `[user_info@]hosts[/path]` → (user info, hosts, path). The last `@` ends
/// the user info.
fn split_authority(rest: &str) -> (Option<&str>, &str, &str) {
    let (user_info, after) = match rest.rfind('@') {
        Some(at) => (Some(&rest[..at]), &rest[at + 1..]),
        None => (None, rest),
    };
    match after.find('/') {
        Some(slash) => (user_info, &after[..slash], &after[slash + 1..]),
        None => (user_info, after, ""),
    }
}

/// `host[:port],[ipv6]:port,…` → (host, port) pairs.
fn parse_hosts(
    url: &str,
    hosts: &str,
    default_port: u16,
) -> Result<Vec<(String, u16)>, StoreError> {
    let invalid =
        |what: &str| StoreError::Config(format!("invalid Redis URL {}: {what}", redact_url(url)));
    let mut parsed = Vec::new();
    for host in hosts.split(',').map(str::trim) {
        let (name, port) = if let Some(bracketed) = host.strip_prefix('[') {
            let (name, after) = bracketed
                .split_once(']')
                .ok_or_else(|| invalid("unclosed `[` in a host"))?;
            (name, after.strip_prefix(':'))
        } else {
            match host.rsplit_once(':') {
                Some((name, port)) => (name, Some(port)),
                None => (host, None),
            }
        };
        if name.is_empty() {
            return Err(invalid("a host is empty"));
        }
        let port = match port {
            Some(port) => port
                .parse()
                .map_err(|_| invalid(&format!("port {port:?} is not a number")))?,
            None => default_port,
        };
        parsed.push((name.to_string(), port));
    }
    Ok(parsed)
}

/// The redis crate's reading of one node URL, its errors named after `url`.
fn connection_info(url: &str, node: &str) -> Result<ConnectionInfo, StoreError> {
    node.into_connection_info().map_err(|e| {
        let reason = e.detail().unwrap_or_else(|| e.category()).to_string();
        StoreError::Config(format!("invalid Redis URL {}: {reason}", redact_url(url)))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn addr(info: &ConnectionInfo) -> String {
        info.addr().to_string()
    }

    #[test]
    fn one_url_is_a_standalone_server() {
        let Topology::Standalone(node) = Topology::parse("redis://:pw@cache:6380/2").unwrap()
        else {
            panic!("not standalone");
        };
        assert_eq!(addr(&node), "cache:6380");
        assert_eq!(node.redis_settings().db(), 2);
        assert_eq!(node.redis_settings().password(), Some("pw"));
    }

    #[test]
    fn several_urls_are_a_cluster() {
        let Topology::Cluster(nodes) = Topology::parse("redis://a:7000, redis://b:7001").unwrap()
        else {
            panic!("not a cluster");
        };
        assert_eq!(
            nodes.iter().map(addr).collect::<Vec<_>>(),
            ["a:7000", "b:7001"]
        );
    }

    #[test]
    fn cluster_scheme_shares_credentials_between_nodes() {
        let topology = Topology::parse("redis+cluster://u:p%40ss@a:7000,b").unwrap();
        let Topology::Cluster(nodes) = &topology else {
            panic!("not a cluster");
        };
        assert_eq!(
            nodes.iter().map(addr).collect::<Vec<_>>(),
            ["a:7000", "b:6379"]
        );
        assert!(nodes
            .iter()
            .all(|node| node.redis_settings().username() == Some("u")));
        assert_eq!(topology.secrets(), ["p@ss"]);
    }

    #[test]
    fn sentinel_url_names_sentinels_master_and_db() {
        let Topology::Sentinel {
            sentinels,
            master_name,
            master,
        } = Topology::parse("redis+sentinel://:pw@s1:5000,[::1]/primary/3").unwrap()
        else {
            panic!("not sentinel");
        };
        assert_eq!(
            sentinels,
            [
                ConnectionAddr::Tcp("s1".into(), 5000),
                ConnectionAddr::Tcp("::1".into(), 26379)
            ]
        );
        assert_eq!(master_name, "primary");
        assert_eq!(master.db(), 3);
        assert_eq!(master.password(), Some("pw"));
    }

    #[test]
    fn errors_name_the_url_without_its_password() {
        for url in [
            "redis+sentinel://:hunter2@s1:26379",
            "redis+cluster://:hunter2@a:notaport",
            "nonsense://:hunter2@host",
            "",
        ] {
            let error = Topology::parse(url).unwrap_err();
            assert!(matches!(error, StoreError::Config(_)), "{url}: {error:?}");
            assert!(!error.to_string().contains("hunter2"), "{error}");
        }
    }
}
