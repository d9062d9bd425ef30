//! `journeymap serve` and the `Host` header: on a loopback address only requests for
//! localhost names and loopback addresses are answered, so that a web page whose domain is
//! rebound to 127.0.0.1 (DNS rebinding) cannot read the preview.

mod common;

use common::serve::*;
use std::time::Duration;

#[test]
fn on_loopback_only_local_hosts_are_answered_on_every_path() {
    let s = start(example_copy());
    let port = s.port;
    for host in [
        "127.0.0.1".to_string(),
        format!("127.0.0.1:{port}"),
        "localhost".into(),
        format!("LocalHost:{port}"),
        "localhost.".into(),
        format!("preview.localhost:{port}"),
        "127.9.8.7:1".into(),
        format!("[::1]:{port}"),
        "[::1]".into(),
    ] {
        assert_eq!(get_as(port, "/", &host).0, 200, "{host}");
    }
    for host in [
        "evil.example",
        "evil.example:4400",
        "localhost.evil.example",
        "127.0.0.1.evil.example",
        "evillocalhost",
        "10.0.0.1",
        "0.0.0.0",
        "[::2]",
        "::1",
        "127.0.0.1:http",
        "127.0.0.1:99999",
        "[::1]x",
        "",
    ] {
        for path in ["/", "/assets/style.css", "/no/such/page", "/__journeymap/live"] {
            let (status, head, body) = get_as(port, path, host);
            assert_eq!(status, 403, "{host} {path}");
            assert!(head.contains("text/plain"), "{host} {path}: {head}");
            assert!(body.len() < 200 && !body.contains("<html"), "{host} {path}: {body}");
        }
    }
    let no_host = request(port, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(no_host.0, 400);
    let two_hosts = request(
        port,
        "GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(two_hosts.0, 400);
}

#[test]
fn bound_to_a_non_loopback_address_any_host_is_answered() {
    let s = start_with(example_copy(), free_port(), |c| {
        c.args(["--bind", "0.0.0.0"]);
    });
    // The warning may come after the line that announces the address.
    assert!(
        wait_for(
            || s.log().iter().any(|l| l.contains("any Host")),
            Duration::from_secs(10)
        ),
        "{:?}",
        s.log()
    );
    assert_eq!(get_as(s.port, "/", "evil.example").0, 200);
    assert_eq!(get_as(s.port, "/", "192.0.2.7:4400").0, 200);
}
