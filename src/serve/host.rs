//! The `Host` check against DNS rebinding: a web page whose domain an attacker points at
//! 127.0.0.1 would otherwise read the preview from its own origin. Such a request names
//! the attacker's domain in `Host`, so a server bound to a loopback address answers only
//! requests for localhost names and loopback addresses. A server bound elsewhere is on the
//! network anyway, and answers any `Host` (docs/security.md).

use std::net::{IpAddr, Ipv6Addr};

/// Whether a request whose `Host` header is `host` may be answered by a server bound to
/// `bound`: for a loopback `bound`, `localhost`, names ending in `.localhost` and loopback
/// addresses (127.0.0.0/8, `[::1]`), with any port or none.
pub fn allowed(bound: IpAddr, host: &str) -> bool {
    if !bound.is_loopback() {
        return true;
    }
    let Some(name) = without_port(host) else { return false };
    if let Some(v6) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return v6
            .parse::<Ipv6Addr>()
            .is_ok_and(|ip| IpAddr::V6(ip).to_canonical().is_loopback());
    }
    if let Ok(ip) = name.parse::<IpAddr>() {
        return ip.is_loopback();
    }
    // A fully qualified name may end with a dot.
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// `host` without its `:port`; `None` when the port is not one, or the name holds a colon
/// outside brackets (a bare IPv6 address is not a valid `Host`).
fn without_port(host: &str) -> Option<&str> {
    // The port follows the last colon, unless a bracket closes after it (`[::1]`).
    let name = match host.rfind([':', ']']) {
        Some(i) if host.as_bytes()[i] == b':' => {
            let port = &host[i + 1..];
            if !port.bytes().all(|b| b.is_ascii_digit()) || port.parse::<u16>().is_err() {
                return None;
            }
            &host[..i]
        }
        _ => host,
    };
    let bracketed = name.starts_with('[') && name.ends_with(']');
    (!name.is_empty() && (bracketed || !name.contains([':', '[', ']']))).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_servers_answer_local_hosts_only() {
        let v4: IpAddr = "127.0.0.1".parse().unwrap();
        let v6: IpAddr = "::1".parse().unwrap();
        for bound in [v4, v6] {
            for ok in [
                "localhost",
                "localhost:4400",
                "LOCALHOST.",
                "a.b.localhost:1",
                "127.0.0.1",
                "127.1.2.3:65535",
                "[::1]",
                "[::1]:4400",
                "[::ffff:127.0.0.1]:80",
            ] {
                assert!(allowed(bound, ok), "{bound} {ok}");
            }
            for bad in [
                "",
                ":4400",
                "evil.example",
                "localhost.evil.example",
                "evillocalhost",
                "127.0.0.1.nip.io",
                "10.0.0.1",
                "0.0.0.0",
                "::1",
                "[::1",
                "[::2]:80",
                "[localhost]",
                "localhost:",
                "localhost:+80",
                "localhost:65536",
                "localhost:80:80",
                "[::1]x",
                "[::1]:x",
            ] {
                assert!(!allowed(bound, bad), "{bound} {bad}");
            }
        }
        let lan: IpAddr = "0.0.0.0".parse().unwrap();
        assert!(allowed(lan, "evil.example"));
    }
}
