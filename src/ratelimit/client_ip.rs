//! The client's address for limits: the socket's peer, unless the peer is
//! a trusted proxy (`rate_limits.trusted_proxies`); then the address its
//! `Forwarded` (`for=`) or `X-Forwarded-For` header names, read from the
//! nearest hop outwards and skipping the trusted ones. Hops nobody
//! trusted added are ignored: a client cannot choose its own address by
//! sending the header itself.

use std::net::IpAddr;

use http::HeaderMap;
use ipnet::IpNet;

/// The address limits count a request against.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let hops = forwarded_for(headers);
    // The last hop was added by the peer (trusted); walk outwards until an
    // address no trusted proxy stands for.
    let mut client = peer;
    for hop in hops.iter().rev() {
        client = *hop;
        if !is_trusted(hop) {
            break;
        }
    }
    Some(client)
}

/// The addresses of `Forwarded` (its `for=` parameters) or, without it,
/// `X-Forwarded-For`, nearest the client first. An unreadable hop ends the
/// list there (what came before it cannot be placed).
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let forwarded: Vec<&str> = headers
        .get_all(http::header::FORWARDED)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if !forwarded.is_empty() {
        let hops = forwarded.iter().flat_map(|v| v.split(','));
        return readable_suffix(hops.map(|element| {
            element
                .split(';')
                .find_map(|pair| {
                    let (name, value) = pair.trim().split_once('=')?;
                    name.eq_ignore_ascii_case("for").then_some(value)
                })
                .and_then(parse_node)
        }));
    }
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    readable_suffix(hops.map(|hop| hop.trim().parse().ok()))
}

/// The hops after the last unreadable one.
fn readable_suffix(hops: impl Iterator<Item = Option<IpAddr>>) -> Vec<IpAddr> {
    let mut readable = Vec::new();
    for hop in hops {
        match hop {
            Some(ip) => readable.push(ip),
            None => readable.clear(),
        }
    }
    readable
}

/// A `Forwarded` node: `192.0.2.1`, `"[2001:db8::1]:4711"`, `"192.0.2.1:80"`.
fn parse_node(value: &str) -> Option<IpAddr> {
    let value = value.trim().trim_matches('"');
    if let Some(rest) = value.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let host = match value.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.parse::<u16>().is_ok() => host,
        _ => value,
    };
    host.parse().ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn without_trusted_proxies_the_peer_counts_whatever_the_headers_say() {
        let forged = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(
            client_ip(Some(ip("203.0.113.9")), &forged, &[]),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(client_ip(None, &forged, &[]), None);
    }

    #[test]
    fn trusted_hops_are_skipped_from_the_nearest_outwards() {
        let trusted = nets(&["10.0.0.0/8"]);
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.3")]);
        // 6.6.6.6 was claimed by the client itself; 198.51.100.7 is the
        // first address no trusted proxy stands for.
        assert_eq!(
            client_ip(Some(ip("10.0.0.2")), &chain, &trusted),
            Some(ip("198.51.100.7"))
        );
        // An untrusted peer's header is not read at all.
        assert_eq!(
            client_ip(Some(ip("198.51.100.8")), &chain, &trusted),
            Some(ip("198.51.100.8"))
        );
    }

    #[test]
    fn forwarded_is_preferred_and_its_nodes_parsed() {
        let trusted = nets(&["10.0.0.0/8"]);
        let both = headers(&[
            (
                "forwarded",
                "for=192.0.2.60;proto=http, for=\"[2001:db8::17]:4711\"",
            ),
            ("x-forwarded-for", "9.9.9.9"),
        ]);
        assert_eq!(
            client_ip(Some(ip("10.1.1.1")), &both, &trusted),
            Some(ip("2001:db8::17"))
        );
        let with_port = headers(&[("forwarded", "for=\"192.0.2.43:47011\"")]);
        assert_eq!(
            client_ip(Some(ip("10.1.1.1")), &with_port, &trusted),
            Some(ip("192.0.2.43"))
        );
    }

    #[test]
    fn an_unreadable_hop_hides_what_came_before_it() {
        let trusted = nets(&["10.0.0.0/8"]);
        let garbled = headers(&[("x-forwarded-for", "1.1.1.1, unknown, 10.0.0.5")]);
        // Only trusted hops remain readable: the nearest of them is used.
        assert_eq!(
            client_ip(Some(ip("10.0.0.9")), &garbled, &trusted),
            Some(ip("10.0.0.5"))
        );
        let none = headers(&[]);
        assert_eq!(
            client_ip(Some(ip("10.0.0.9")), &none, &trusted),
            Some(ip("10.0.0.9"))
        );
    }
}
