//! The client's address, for per-IP rate limits and the audit log: the TCP peer, or, when the
//! peer is a trusted proxy, the address the proxies forwarded in `X-Forwarded-For`.
//!
//! Each proxy appends the address it received the request from, so the header is read from the
//! right: the first address that is not itself a trusted proxy is the client. Addresses to its
//! left were written by the client or by untrusted hops and are never believed.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Extensions, HeaderMap};
use ipnet::IpNet;

/// The header proxies record the client chain in.
const FORWARDED_FOR: &str = "x-forwarded-for";

/// Proxies whose `X-Forwarded-For` is believed. Empty (the default): the header is ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn new(networks: Vec<IpNet>) -> Self {
        Self(networks)
    }

    /// Parses one entry of `--trusted-proxies`: a network (`10.0.0.0/8`) or an address.
    pub fn parse_entry(entry: &str) -> Result<IpNet, String> {
        let entry = entry.trim();
        entry
            .parse::<IpNet>()
            .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
            .map_err(|_| format!("'{entry}' is neither an IP address nor a network (a.b.c.d/n)"))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|network| network.contains(&ip))
    }

    /// The client address of a request (`None` when the server recorded no peer).
    pub fn client_ip(&self, extensions: &Extensions, headers: &HeaderMap) -> Option<IpAddr> {
        let peer = peer_ip(extensions)?;
        if self.0.is_empty() || !self.trusts(peer) {
            return Some(peer);
        }
        let mut client = peer;
        for value in headers.get_all(FORWARDED_FOR).iter().rev() {
            let Ok(value) = value.to_str() else {
                return Some(client);
            };
            for entry in value.rsplit(',') {
                // A malformed entry ends the chain: nothing left of it can be placed.
                let Ok(ip) = entry.trim().parse::<IpAddr>() else {
                    return Some(client);
                };
                client = ip.to_canonical();
                if !self.trusts(client) {
                    return Some(client);
                }
            }
        }
        Some(client)
    }
}

/// The TCP peer the server recorded for a request (or a test's `MockConnectInfo`).
fn peer_ip(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .or_else(|| {
            extensions
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        })
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn proxies(entries: &[&str]) -> TrustedProxies {
        TrustedProxies::new(
            entries
                .iter()
                .map(|e| TrustedProxies::parse_entry(e).unwrap())
                .collect(),
        )
    }

    fn client(trusted: &TrustedProxies, peer: &str, forwarded: &[&str]) -> Option<String> {
        let mut extensions = Extensions::new();
        let peer: IpAddr = peer.parse().unwrap();
        extensions.insert(ConnectInfo(SocketAddr::new(peer, 40000)));
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append(FORWARDED_FOR, HeaderValue::from_str(value).unwrap());
        }
        trusted
            .client_ip(&extensions, &headers)
            .map(|ip| ip.to_string())
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        let none = TrustedProxies::default();
        assert_eq!(
            client(&none, "10.0.0.1", &["203.0.113.9"]).as_deref(),
            Some("10.0.0.1")
        );
    }

    #[test]
    fn an_untrusted_peer_cannot_claim_another_address() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            client(&trusted, "198.51.100.4", &["203.0.113.9"]).as_deref(),
            Some("198.51.100.4")
        );
    }

    #[test]
    fn the_rightmost_untrusted_address_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "192.0.2.1"]);
        // The client spoofed 1.1.1.1; the edge proxy appended the real address, the inner proxy
        // the edge's.
        assert_eq!(
            client(&trusted, "10.0.0.1", &["1.1.1.1, 203.0.113.9, 192.0.2.1"]).as_deref(),
            Some("203.0.113.9")
        );
        // The same chain over several header lines.
        assert_eq!(
            client(
                &trusted,
                "10.0.0.1",
                &["1.1.1.1", "203.0.113.9", "192.0.2.1"]
            )
            .as_deref(),
            Some("203.0.113.9")
        );
        assert_eq!(
            client(&trusted, "10.0.0.1", &["2001:db8::7"]).as_deref(),
            Some("2001:db8::7")
        );
    }

    #[test]
    fn a_chain_of_proxies_only_or_garbage_stops_at_the_last_placed_hop() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            client(&trusted, "10.0.0.1", &["10.0.0.9, 10.0.0.5"]).as_deref(),
            Some("10.0.0.9")
        );
        assert_eq!(
            client(&trusted, "10.0.0.1", &["203.0.113.9, not-an-ip, 10.0.0.5"]).as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(
            client(&trusted, "10.0.0.1", &[]).as_deref(),
            Some("10.0.0.1")
        );
    }

    #[test]
    fn ipv4_mapped_peers_match_ipv4_networks() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            client(&trusted, "::ffff:10.0.0.1", &["203.0.113.9"]).as_deref(),
            Some("203.0.113.9")
        );
    }

    #[test]
    fn entries_are_networks_or_addresses() {
        assert_eq!(
            TrustedProxies::parse_entry(" 10.1.2.3 ").unwrap(),
            "10.1.2.3/32".parse::<IpNet>().unwrap()
        );
        assert_eq!(
            TrustedProxies::parse_entry("fd00::/8").unwrap(),
            "fd00::/8".parse::<IpNet>().unwrap()
        );
        assert!(TrustedProxies::parse_entry("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse_entry("proxy.internal").is_err());
    }
}
