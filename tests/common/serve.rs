//! `journeymap serve` as a child process on a free port, and raw HTTP to drive it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::Project;

/// A running server; killed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub log: Arc<Mutex<Vec<String>>>,
    pub dir: Project,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `journeymap serve DIR --port PORT`, not started yet.
pub fn serve_command(dir: &Project, port: u16) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_journeymap"));
    cmd.args(["serve", dir.arg(), "--port", &port.to_string()]);
    cmd
}

pub fn start_on(dir: Project, port: u16) -> Server {
    start_with(dir, port, |_| {})
}

/// Starts the server; `adjust` adds arguments or environment to the command.
pub fn start_with(dir: Project, port: u16, adjust: impl FnOnce(&mut Command)) -> Server {
    let mut cmd = serve_command(&dir, port);
    adjust(&mut cmd);
    spawn(cmd, dir, port)
}

/// Runs `cmd` (a `serve` command, or a shell that execs one) and waits until the server
/// announces its address.
pub fn spawn(mut cmd: Command, dir: Project, port: u16) -> Server {
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let log = Arc::new(Mutex::new(Vec::new()));
    let stderr = child.stderr.take().unwrap();
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    let mut server = Server { child, port, log, dir };
    // The port actually used is announced on stderr: "serving DIR at http://ADDR/ …".
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let announced = server.log().iter().find_map(|l| {
            l.split(" at http://")
                .nth(1)
                .and_then(|r| r.split('/').next())
                .and_then(|a| a.parse::<SocketAddr>().ok())
        });
        if let Some(a) = announced {
            server.port = a.port();
            return server;
        }
        assert!(Instant::now() < deadline, "server did not start: {:?}", server.log());
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn start(dir: Project) -> Server {
    start_on(dir, free_port())
}

pub fn example_copy() -> Project {
    Project::example()
}

/// A raw HTTP/1.1 GET (the request line is sent as given, so `..` reaches the server).
pub fn get(port: u16, target: &str) -> (u16, String, String) {
    get_as(port, target, "127.0.0.1")
}

/// [`get`] with the given `Host` header.
pub fn get_as(port: u16, target: &str, host: &str) -> (u16, String, String) {
    request(
        port,
        &format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
    )
}

/// Sends `raw` and reads the answer until the server closes the connection (10 s at most
/// between two reads).
pub fn request(port: u16, raw: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut raw = Vec::new();
    if let Err(e) = s.read_to_end(&mut raw) {
        panic!(
            "no complete answer within 10 s ({e}); got {:?}",
            String::from_utf8_lossy(&raw)
        );
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

/// An open live-reload stream.
pub struct Live {
    reader: BufReader<TcpStream>,
}

impl Live {
    /// Opens `/__journeymap/live` as a browser's `EventSource` does.
    pub fn open(port: u16) -> Live {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            c,
            "GET /__journeymap/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        Live {
            reader: BufReader::new(c),
        }
    }

    /// The next version announced; panics if none comes within 10 s.
    pub fn next_version(&mut self) -> String {
        let mut line = String::new();
        loop {
            line.clear();
            match self.reader.read_line(&mut line) {
                Ok(0) => panic!("the live-reload stream ended"),
                Ok(_) => {}
                Err(e) => panic!("no version within 10 s: {e}"),
            }
            if let Some(v) = line.strip_prefix("data: ") {
                return v.trim().to_string();
            }
        }
    }
}

pub fn wait_for(mut cond: impl FnMut() -> bool, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cond()
}

pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from));
    std::fs::write(path, text.replace(from, to)).unwrap();
}
