//! Live reload: one broadcaster thread owns every open Server-Sent Events stream and writes
//! the site's version to each, so that open pages cost a socket each and never a thread or
//! a request worker.
//!
//! Writes are non-blocking: a live-reload message is a few dozen bytes, so a stream whose
//! socket buffer cannot take one has not been read for a long time; it is dropped (the
//! page's script reconnects by itself if it is still there), and no stalled client ever
//! delays the others.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Open streams at most; beyond, new ones are refused (each holds a file descriptor).
const MAX_STREAMS: usize = 512;
/// A comment this often keeps proxies and browsers from closing an idle stream.
const PING: Duration = Duration::from_secs(15);
/// How often streams are checked for browsers that went away, to free their sockets.
const SWEEP: Duration = Duration::from_secs(1);

enum Msg {
    Open(TcpStream),
    Version(String),
}

/// The handle to the broadcaster; the thread ends when every handle is dropped.
#[derive(Clone)]
pub struct Live {
    tx: Sender<Msg>,
}

impl Live {
    pub fn start(version: String) -> Live {
        let (tx, rx) = channel();
        std::thread::Builder::new()
            .name("live-reload".into())
            .spawn(move || {
                let mut b = Broadcaster {
                    streams: Vec::new(),
                    latest: version,
                };
                let (mut next_ping, mut next_sweep) = (Instant::now() + PING, Instant::now() + SWEEP);
                loop {
                    match rx.recv_timeout(next_sweep.saturating_duration_since(Instant::now())) {
                        Ok(Msg::Open(s)) => b.open(s),
                        Ok(Msg::Version(v)) => b.announce(v),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                    let now = Instant::now();
                    if now >= next_sweep {
                        b.sweep();
                        next_sweep = now + SWEEP;
                    }
                    if now >= next_ping {
                        b.send_all(b": ping\n\n");
                        next_ping = now + PING;
                    }
                }
            })
            .expect("cannot start the live-reload thread");
        Live { tx }
    }

    /// Hands a connection that asked for the live-reload stream to the broadcaster, which
    /// answers it (the response head, then the current version).
    pub fn open(&self, stream: TcpStream) {
        let _ = self.tx.send(Msg::Open(stream));
    }

    /// Sends `version` to every open stream.
    pub fn announce(&self, version: String) {
        let _ = self.tx.send(Msg::Version(version));
    }
}

struct Broadcaster {
    streams: Vec<TcpStream>,
    /// The last version announced: what a new stream gets first. Versions and new streams
    /// come through one channel, so a page served with version `v` (published before it
    /// was served) always finds `latest` at `v` or later.
    latest: String,
}

impl Broadcaster {
    fn open(&mut self, s: TcpStream) {
        if self.streams.len() >= MAX_STREAMS || s.set_nonblocking(true).is_err() {
            let _ = (&s).write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 32\r\nConnection: close\r\n\r\ntoo many live-reload connections",
            );
            return;
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\nretry: 300\ndata: {}\n\n",
            self.latest
        );
        if send(&s, head.as_bytes()) {
            self.streams.push(s);
        }
    }

    fn announce(&mut self, version: String) {
        self.send_all(format!("data: {version}\n\n").as_bytes());
        self.latest = version;
    }

    fn send_all(&mut self, msg: &[u8]) {
        self.streams.retain(|s| send(s, msg));
    }

    /// Drops the streams whose browser closed them (a read sees the end of the stream).
    fn sweep(&mut self) {
        let mut buf = [0u8; 512];
        self.streams.retain(|mut s| match s.read(&mut buf) {
            Ok(0) => false,
            Ok(_) => true,
            Err(e) => e.kind() == std::io::ErrorKind::WouldBlock,
        });
    }
}

/// Writes `msg` whole without waiting; `false` if the stream failed or is stalled.
fn send(mut s: &TcpStream, msg: &[u8]) -> bool {
    matches!(s.write(msg), Ok(n) if n == msg.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;

    /// A connected pair: the server side for the broadcaster, the client side for the test.
    fn pair(l: &TcpListener) -> (TcpStream, TcpStream) {
        let client = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        (l.accept().unwrap().0, client)
    }

    fn next_data(r: &mut BufReader<TcpStream>) -> String {
        let mut line = String::new();
        loop {
            line.clear();
            assert!(r.read_line(&mut line).unwrap() > 0, "stream ended");
            if let Some(v) = line.strip_prefix("data: ") {
                return v.trim().to_string();
            }
        }
    }

    #[test]
    fn a_stalled_stream_is_dropped_and_the_others_still_get_every_version() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let live = Live::start("v0".into());
        let (server, stalled) = pair(&l);
        live.open(server);
        let (server, reader) = pair(&l);
        reader.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        live.open(server);
        let mut reader = BufReader::new(reader);
        assert_eq!(next_data(&mut reader), "v0");
        // Enough versions to fill the stalled client's socket buffers many times over.
        let long = "x".repeat(4000);
        for i in 0..4000 {
            live.announce(format!("{long}{i}"));
            assert_eq!(next_data(&mut reader), format!("{long}{i}"));
        }
        // The stalled stream was dropped: once its buffered bytes are read, it ends.
        stalled.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut rest = Vec::new();
        (&stalled).read_to_end(&mut rest).unwrap();
        assert!(rest.len() < 4000 * 4000, "{} bytes", rest.len());
    }
}
