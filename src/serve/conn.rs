//! Connections: the accept loop, one thread per connection, request heads, timeouts.
//!
//! tiny_http's `Server` is not used, for three faults none of its API can reach (the
//! sockets stay inside it): its accept thread ends for good on the first accept error and
//! panics when `try_clone` runs out of descriptors (tiny-http/tiny-http#195), after which
//! the process lives on and answers nothing; its connection pool counts a woken thread as
//! idle until that thread runs, so connections opened together queue behind threads that
//! then wait forever on live-reload or idle keep-alive connections; and it sets no read or
//! write timeout, so a client that stops reading holds a request worker forever. Here each
//! connection has its own thread and its socket's timeouts, live-reload streams go to the
//! broadcaster, and tiny_http still writes every response (`Response::raw_print`).

use std::io::{BufRead, BufReader, BufWriter, ErrorKind, Write};
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tiny_http::{HTTPVersion, Header};

use super::http::{self, Answer, Page};
use super::{host, Shared};

/// A request head must arrive within this time of the connection opening or of the
/// previous answer: idle keep-alive connections and clients that send a byte now and then
/// (slowloris) are closed.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// A write to a client that waits this long means it stopped reading: it is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest request head (request line and headers) accepted.
const MAX_HEAD: usize = 16 * 1024;
const MAX_HEADERS: usize = 100;
/// Connections served at once (a thread each); beyond, new ones are answered 503.
const MAX_CONNECTIONS: usize = 256;
/// The longest pause of the accept loop after an error (such as running out of file
/// descriptors), so that it neither spins nor stays away long once the cause is gone.
const MAX_BACKOFF: Duration = Duration::from_millis(500);

/// Accepts connections on `listener` (bound to `bound`) on a thread of its own, for as long
/// as the process.
pub fn start(listener: TcpListener, bound: IpAddr, shared: Arc<Shared>) {
    std::thread::Builder::new()
        .name("accept".into())
        .spawn(move || accept_loop(&listener, bound, &shared))
        .expect("cannot start the accept thread");
}

fn accept_loop(listener: &TcpListener, bound: IpAddr, shared: &Arc<Shared>) {
    let open = Arc::new(AtomicUsize::new(0));
    let mut backoff = Duration::ZERO;
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if matches!(e.kind(), ErrorKind::ConnectionAborted | ErrorKind::Interrupted) => continue,
            Err(e) => {
                // Out of descriptors or memory: this passes when connections close. The
                // listener stays open meanwhile, so new clients wait in its backlog.
                if backoff.is_zero() {
                    eprintln!("cannot accept connections: {e}; retrying");
                }
                backoff = (backoff * 2).clamp(Duration::from_millis(10), MAX_BACKOFF);
                std::thread::sleep(backoff);
                continue;
            }
        };
        if !backoff.is_zero() {
            eprintln!("accepting connections again");
            backoff = Duration::ZERO;
        }
        if open.load(Ordering::Acquire) >= MAX_CONNECTIONS {
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            let _ = send(&stream, http::text(503, "too many connections"), 1, false, false);
            continue;
        }
        let count = Counted::new(&open);
        let shared = shared.clone();
        let spawned = std::thread::Builder::new().name("connection".into()).spawn(move || {
            let _count = count;
            connection(stream, bound, &shared);
        });
        if let Err(e) = spawned {
            // The closure, and with it the connection, is dropped: the client sees it close.
            eprintln!("cannot start a thread for a connection: {e}");
            std::thread::sleep(MAX_BACKOFF);
        }
    }
}

/// One open connection, counted while it lives.
struct Counted(Arc<AtomicUsize>);

impl Counted {
    fn new(n: &Arc<AtomicUsize>) -> Counted {
        n.fetch_add(1, Ordering::AcqRel);
        Counted(n.clone())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

fn connection(stream: TcpStream, bound: IpAddr, shared: &Shared) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    if let Next::Live = exchange(&stream, bound, shared) {
        shared.live.open(stream);
    }
}

enum Next {
    Close,
    Live,
}

/// Why a request is not answered from the site; the connection closes after the answer.
struct Refusal(u16, &'static str);

enum Failed {
    /// Answered with this status and message, then closed.
    Refuse(Refusal),
    /// Closed without an answer (the client went away, or sent nothing in time).
    Drop,
}

impl From<Refusal> for Failed {
    fn from(r: Refusal) -> Failed {
        Failed::Refuse(r)
    }
}

/// Answers requests on `stream` until it closes, fails, or asks for the live-reload stream.
fn exchange(stream: &TcpStream, bound: IpAddr, shared: &Shared) -> Next {
    let mut reader = BufReader::new(stream);
    loop {
        let req = match read_head(&mut reader, stream).and_then(|head| Ok(parse(&head)?)) {
            Ok(req) => req,
            Err(Failed::Refuse(refusal)) => return refuse(stream, refusal),
            Err(Failed::Drop) => return Next::Close,
        };
        if let Some(refusal) = req.refusal(bound) {
            return refuse(stream, refusal);
        }
        let connection = req.header("connection").unwrap_or("").to_ascii_lowercase();
        let said = |token: &str| connection.split(',').any(|t| t.trim() == token);
        let keep_alive = if req.minor == 1 {
            !said("close")
        } else {
            said("keep-alive")
        };
        let answer = || http::answer(shared, &req.method, &req.target);
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(answer)).unwrap_or_else(|_| {
            eprintln!("internal error while answering {}; the server goes on", req.target);
            Answer::Page(http::text(500, "internal error"))
        });
        match answer {
            Answer::Live => return Next::Live,
            Answer::Page(page) => {
                let head_only = req.method == "HEAD";
                if send(stream, page, req.minor, head_only, keep_alive).is_err() || !keep_alive {
                    return Next::Close;
                }
            }
        }
    }
}

fn refuse(stream: &TcpStream, Refusal(status, message): Refusal) -> Next {
    let _ = send(stream, http::text(status, message), 1, false, false);
    Next::Close
}

/// Writes a page answer; `keep_alive` says whether another request may follow.
fn send(stream: &TcpStream, mut response: Page, minor: u8, head_only: bool, keep_alive: bool) -> std::io::Result<()> {
    if !keep_alive {
        response.add_header(header("Connection", "close"));
    } else if minor == 0 {
        response.add_header(header("Connection", "keep-alive"));
    }
    let mut w = BufWriter::with_capacity(64 * 1024, Failing { stream, failed: false });
    response.raw_print(&mut w, HTTPVersion(1, minor), &[], head_only, None)?;
    w.flush()
}

/// A socket writer that fails at once after its first failure. The chunked encoder and the
/// buffer flush what they hold when dropped, also after an error; through the socket, each
/// such flush would wait out the write timeout again.
struct Failing<'a> {
    stream: &'a TcpStream,
    failed: bool,
}

impl Write for Failing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.failed {
            return Err(ErrorKind::BrokenPipe.into());
        }
        let start = Instant::now();
        let written = self.stream.write(buf);
        // A write that waited out the timeout has stalled, even when it got a few bytes
        // through as the kernel grew the socket's buffer: the client is not reading.
        if written.is_err() || start.elapsed() >= WRITE_TIMEOUT {
            self.failed = true;
            return Err(written.err().unwrap_or_else(|| ErrorKind::TimedOut.into()));
        }
        written
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static ASCII header")
}

/// Reads one request head (up to and with the blank line), leaving what follows (a
/// pipelined request) in `reader`. `Drop` when the client closes or stays silent.
fn read_head(reader: &mut BufReader<&TcpStream>, stream: &TcpStream) -> Result<Vec<u8>, Failed> {
    let deadline = Instant::now() + HEAD_TIMEOUT;
    let mut head = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let timed_out = if head.is_empty() {
            Failed::Drop
        } else {
            Refusal(408, "request head too slow").into()
        };
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(timed_out);
        }
        let buf = match reader.fill_buf() {
            Ok([]) => return Err(Failed::Drop),
            Ok(buf) => buf,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return Err(timed_out),
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return Err(Failed::Drop),
        };
        let from = head.len().saturating_sub(3);
        let before = head.len();
        head.extend_from_slice(buf);
        if let Some(end) = head[from..].windows(4).position(|w| w == b"\r\n\r\n") {
            let end = from + end + 4;
            reader.consume(end - before);
            head.truncate(end);
            return Ok(head);
        }
        let n = buf.len();
        reader.consume(n);
        if head.len() > MAX_HEAD {
            return Err(Refusal(431, "request head too large").into());
        }
    }
}

struct Request {
    method: String,
    target: String,
    /// HTTP/1.minor
    minor: u8,
    headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of header `name` (lower case).
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn count(&self, name: &str) -> usize {
        self.headers.iter().filter(|(n, _)| n == name).count()
    }

    /// Requests refused whatever they ask for: those for another host (`host`), and those
    /// with a body (no path takes one, and skipping one safely would mean parsing it).
    fn refusal(&self, bound: IpAddr) -> Option<Refusal> {
        match (self.count("host"), self.header("host")) {
            (1, Some(h)) if host::allowed(bound, h) => {}
            (1, _) => return Some(Refusal(403, "Host not allowed: this server answers localhost only")),
            (0, _) if self.minor == 0 && !bound.is_loopback() => {}
            _ => return Some(Refusal(400, "a request needs one Host header")),
        }
        if self.header("transfer-encoding").is_some() {
            return Some(Refusal(501, "request bodies are not accepted"));
        }
        match self.count("content-length") {
            0 => None,
            1 if self.header("content-length") == Some("0") => None,
            1 if self
                .header("content-length")
                .is_some_and(|v| v.bytes().all(|b| b.is_ascii_digit())) =>
            {
                Some(Refusal(413, "request bodies are not accepted"))
            }
            _ => Some(Refusal(400, "bad Content-Length")),
        }
    }
}

/// `token` characters of RFC 9110 (methods and header names).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Parses a request head strictly: anything ambiguous is refused rather than guessed.
fn parse(head: &[u8]) -> Result<Request, Refusal> {
    const BAD: Refusal = Refusal(400, "bad request");
    let text = std::str::from_utf8(head).map_err(|_| BAD)?;
    let mut lines = text.strip_suffix("\r\n\r\n").ok_or(BAD)?.split("\r\n");
    let mut parts = lines.next().ok_or(BAD)?.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(BAD);
    };
    let minor = match version {
        "HTTP/1.1" => 1,
        "HTTP/1.0" => 0,
        v if v.starts_with("HTTP/") => return Err(Refusal(505, "HTTP version not supported")),
        _ => return Err(BAD),
    };
    if !is_token(method) || target.is_empty() || target.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err(BAD);
    }
    let mut headers = Vec::new();
    for line in lines {
        // A name with spaces (`Host :`) or a folded line is ambiguous between servers.
        let (name, value) = line.split_once(':').ok_or(BAD)?;
        let value = value.trim_matches([' ', '\t']);
        if !is_token(name) || value.bytes().any(|b| b.is_ascii_control() && b != b'\t') {
            return Err(BAD);
        }
        headers.push((name.to_ascii_lowercase(), value.to_string()));
    }
    if headers.len() > MAX_HEADERS {
        return Err(Refusal(431, "too many headers"));
    }
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        minor,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(head: &str) -> Result<Request, u16> {
        parse(head.as_bytes()).map_err(|Refusal(status, _)| status)
    }

    #[test]
    fn request_heads_are_parsed_strictly() {
        let r = parsed("GET /a?b HTTP/1.1\r\nHost: x:1\r\nConnection:  Close \r\n\r\n")
            .ok()
            .unwrap();
        assert_eq!((r.method.as_str(), r.target.as_str(), r.minor), ("GET", "/a?b", 1));
        assert_eq!(r.header("host"), Some("x:1"));
        assert_eq!(r.header("connection"), Some("Close"));
        assert!(r.refusal(IpAddr::from([0, 0, 0, 0])).is_none());
        for (bad, status) in [
            ("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),
            ("GET  / HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/1.1 x\r\n\r\n", 400),
            ("GET /\x01 HTTP/1.1\r\n\r\n", 400),
            ("GET / HTTP/2.0\r\n\r\n", 505),
            ("GET / FTP/1.0\r\n\r\n", 400),
            ("GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n", 400),
            ("G(T / HTTP/1.1\r\n\r\n", 400),
        ] {
            assert_eq!(parsed(bad).err(), Some(status), "{bad:?}");
        }
        let too_many = format!("GET / HTTP/1.1\r\n{}\r\n", "X: y\r\n".repeat(MAX_HEADERS + 1));
        assert_eq!(parsed(&too_many).err(), Some(431));
    }

    #[test]
    fn requests_with_a_body_are_refused() {
        let local = IpAddr::from([127, 0, 0, 1]);
        let refusal = |head: &str| {
            let head = head.replacen("\r\n", "\r\nHost: localhost\r\n", 1);
            parsed(&head).ok().unwrap().refusal(local).map(|Refusal(s, _)| s)
        };
        assert_eq!(refusal("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), None);
        assert_eq!(refusal("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n"), Some(413));
        assert_eq!(
            refusal("GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
            Some(400)
        );
        assert_eq!(refusal("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), Some(400));
        assert_eq!(
            refusal("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
            Some(501)
        );
    }
}
