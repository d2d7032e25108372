//! Which addresses the gateway may send subgraph requests to.
//!
//! A subgraph URL comes from the supergraph, the registry or the config: in
//! registry mode anyone holding a publish credential chooses it, so the
//! gateway must not become a proxy into the cloud provider's metadata service
//! or other link-local addresses. [`AllowedHosts`] is checked on publish (the
//! URL's scheme and host) and on every connection (each address a host name
//! resolves to), so a name that later resolves somewhere else is still held
//! to the rule.
//!
//! With no rules configured, every host is allowed except link-local and
//! metadata addresses. With rules, a host is allowed when its name matches a
//! name rule or all its addresses fall in an address rule; a link-local
//! address only when an address rule names it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use ipnet::IpNet;

/// Host names of cloud metadata services, refused unless a rule names them.
const METADATA_NAMES: [&str; 3] = [
    "metadata.google.internal",
    "metadata.goog",
    "metadata.azure.com",
];

/// Why an address may not be called.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EgressError {
    #[error("the URL is not valid: {0}")]
    InvalidUrl(String),
    #[error("the URL must be http or https, not {0}")]
    Scheme(String),
    #[error("the URL has no host")]
    NoHost,
    #[error("the host {0} is not allowed (link-local and metadata addresses are refused)")]
    Refused(String),
    #[error("the host {0} is not in the allowed subgraph hosts")]
    NotListed(String),
    #[error("invalid subgraph host rule {0:?}: expected a host name, *.suffix, an IP address or a CIDR block")]
    InvalidRule(String),
}

/// One rule of the allow-list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    /// Exactly this host name (lowercase).
    Name(String),
    /// Any name ending in `.suffix` (stored with the leading dot).
    Suffix(String),
    /// Addresses in this block (a single address is a /32 or /128).
    Block(IpNet),
}

/// The allow-list of subgraph hosts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowedHosts {
    rules: Vec<Rule>,
}

impl AllowedHosts {
    /// Parses the configured rules (`subgraph_hosts`).
    pub fn parse<S: AsRef<str>>(rules: &[S]) -> Result<Self, EgressError> {
        let rules = rules
            .iter()
            .map(|rule| parse_rule(rule.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(Self { rules })
    }

    /// Checks a subgraph URL: http or https, and a host that may be called
    /// (names are checked by name only; their addresses when connecting).
    pub fn check_url(&self, url: &str) -> Result<(), EgressError> {
        let parsed = url::Url::parse(url).map_err(|e| EgressError::InvalidUrl(e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(EgressError::Scheme(parsed.scheme().to_string()));
        }
        match parsed.host() {
            None => Err(EgressError::NoHost),
            Some(url::Host::Ipv4(ip)) => self.check_address(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check_address(IpAddr::V6(ip)),
            Some(url::Host::Domain(name)) => self.check_name(name),
        }
    }

    /// Checks a host name before it is resolved: a metadata name, or a name
    /// no rule can allow, is refused; otherwise its addresses decide later.
    pub fn check_name(&self, name: &str) -> Result<(), EgressError> {
        self.name_decision(name).map(|_| ())
    }

    /// Checks the addresses a name resolved to; all must be allowed unless
    /// a name rule allows the name itself.
    pub fn check_resolved(&self, name: &str, addresses: &[SocketAddr]) -> Result<(), EgressError> {
        if self.name_decision(name)? {
            return Ok(());
        }
        addresses
            .iter()
            .try_for_each(|address| self.check_address(address.ip()))
    }

    /// Checks one IP address.
    pub fn check_address(&self, ip: IpAddr) -> Result<(), EgressError> {
        let ip = canonical(ip);
        let listed = self
            .rules
            .iter()
            .any(|rule| matches!(rule, Rule::Block(block) if block.contains(&ip)));
        if listed {
            return Ok(());
        }
        if is_link_local_or_metadata(ip) {
            return Err(EgressError::Refused(ip.to_string()));
        }
        if self.rules.is_empty() {
            return Ok(());
        }
        Err(EgressError::NotListed(ip.to_string()))
    }

    /// `Ok(true)` when a name rule allows `name`, `Ok(false)` when its
    /// addresses must decide, `Err` when the name itself is refused.
    fn name_decision(&self, name: &str) -> Result<bool, EgressError> {
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        let by_name = self.rules.iter().any(|rule| match rule {
            Rule::Name(allowed) => *allowed == name,
            Rule::Suffix(suffix) => name.ends_with(suffix.as_str()),
            Rule::Block(_) => false,
        });
        if by_name {
            return Ok(true);
        }
        if METADATA_NAMES.contains(&name.as_str()) {
            return Err(EgressError::Refused(name));
        }
        let has_blocks = self.rules.iter().any(|r| matches!(r, Rule::Block(_)));
        if !self.rules.is_empty() && !has_blocks {
            return Err(EgressError::NotListed(name));
        }
        Ok(false)
    }
}

fn parse_rule(rule: &str) -> Result<Rule, EgressError> {
    let text = rule.trim().to_ascii_lowercase();
    let invalid = || EgressError::InvalidRule(rule.to_string());
    if let Ok(block) = IpNet::from_str(&text) {
        return Ok(Rule::Block(block.trunc()));
    }
    if let Ok(ip) = IpAddr::from_str(&text) {
        return Ok(Rule::Block(IpNet::from(canonical(ip))));
    }
    if let Some(suffix) = text.strip_prefix("*.") {
        if valid_name(suffix) {
            return Ok(Rule::Suffix(format!(".{suffix}")));
        }
        return Err(invalid());
    }
    if valid_name(&text) {
        return Ok(Rule::Name(text));
    }
    Err(invalid())
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// An IPv4-mapped IPv6 address as the IPv4 address it stands for.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// Link-local (169.254.0.0/16, fe80::/10, where the metadata services of
/// most clouds live) and the other known metadata addresses.
fn is_link_local_or_metadata(ip: IpAddr) -> bool {
    const AWS_IPV6_METADATA: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);
    const ALIBABA_METADATA: Ipv4Addr = Ipv4Addr::new(100, 100, 100, 200);
    match ip {
        IpAddr::V4(v4) => v4.is_link_local() || v4 == ALIBABA_METADATA,
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80 || v6 == AWS_IPV6_METADATA,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn any() -> AllowedHosts {
        AllowedHosts::default()
    }

    #[test]
    fn by_default_any_http_host_is_allowed_but_link_local_and_metadata() {
        assert_eq!(any().check_url("http://127.0.0.1:4001/graphql"), Ok(()));
        assert_eq!(any().check_url("https://products.internal/graphql"), Ok(()));
        assert!(matches!(
            any().check_url("http://169.254.169.254/latest/meta-data"),
            Err(EgressError::Refused(_))
        ));
        assert!(matches!(
            any().check_url("http://[fe80::1]/"),
            Err(EgressError::Refused(_))
        ));
        assert!(matches!(
            any().check_url("http://[::ffff:169.254.169.254]/"),
            Err(EgressError::Refused(_))
        ));
        assert!(matches!(
            any().check_url("http://[fd00:ec2::254]/"),
            Err(EgressError::Refused(_))
        ));
        assert!(matches!(
            any().check_url("http://Metadata.Google.Internal./computeMetadata"),
            Err(EgressError::Refused(_))
        ));
    }

    #[test]
    fn only_http_and_https_urls_with_a_host_are_accepted() {
        assert_eq!(
            any().check_url("file:///etc/passwd"),
            Err(EgressError::Scheme("file".into()))
        );
        assert_eq!(
            any().check_url("gopher://a/"),
            Err(EgressError::Scheme("gopher".into()))
        );
        assert!(matches!(
            any().check_url("not a url"),
            Err(EgressError::InvalidUrl(_))
        ));
    }

    #[test]
    fn a_resolved_name_is_held_to_its_addresses() {
        let metadata: SocketAddr = "169.254.169.254:80".parse().unwrap();
        let fine: SocketAddr = "10.1.2.3:80".parse().unwrap();
        assert!(any()
            .check_resolved("rebind.example", &[fine, metadata])
            .is_err());
        assert_eq!(any().check_resolved("ok.example", &[fine]), Ok(()));
    }

    #[test]
    fn rules_allow_names_suffixes_and_blocks_only() {
        let hosts =
            AllowedHosts::parse(&["products.internal", "*.svc.cluster.local", "10.0.0.0/8"])
                .unwrap();
        assert_eq!(hosts.check_url("http://products.internal/"), Ok(()));
        assert_eq!(hosts.check_url("http://a.ns.svc.cluster.local/"), Ok(()));
        assert_eq!(hosts.check_url("http://10.2.3.4/"), Ok(()));
        assert!(matches!(
            hosts.check_url("http://192.168.1.1/"),
            Err(EgressError::NotListed(_))
        ));
        // A name no rule lists: its addresses decide when it is resolved.
        let other: SocketAddr = "10.9.9.9:80".parse().unwrap();
        let outside: SocketAddr = "8.8.8.8:80".parse().unwrap();
        assert_eq!(hosts.check_resolved("other.example", &[other]), Ok(()));
        assert!(hosts.check_resolved("other.example", &[outside]).is_err());
    }

    #[test]
    fn names_only_rules_refuse_unlisted_names_at_once() {
        let hosts = AllowedHosts::parse(&["products.internal"]).unwrap();
        assert!(matches!(
            hosts.check_url("http://evil.example/"),
            Err(EgressError::NotListed(_))
        ));
    }

    #[test]
    fn a_listed_block_allows_even_link_local() {
        let hosts = AllowedHosts::parse(&["169.254.10.0/24"]).unwrap();
        assert_eq!(hosts.check_url("http://169.254.10.5/"), Ok(()));
        assert!(hosts.check_url("http://169.254.169.254/").is_err());
    }

    #[test]
    fn invalid_rules_are_reported() {
        assert_eq!(
            AllowedHosts::parse(&["http://x/"]),
            Err(EgressError::InvalidRule("http://x/".into()))
        );
        assert!(AllowedHosts::parse(&["*."]).is_err());
    }
}
