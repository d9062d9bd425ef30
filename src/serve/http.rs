//! Answering requests from the in-memory site: safe path resolution, content types,
//! `no-store` caching, the injected live-reload script and error overlay, and the
//! Server-Sent Events stream that tells pages to reload.

use std::io::Write;
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server, StatusCode};

use super::{Shared, Snapshot};

/// The live-reload endpoint (not a path a site file can have: `__` is not a slug start).
pub const LIVE: &str = "/__journeymap/live";

/// Decodes `%XX` escapes; `None` on malformed escapes or non-UTF-8 results.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Maps a request path to a site file: `/` → `index.html`, `/a/` → `a/index.html`.
/// `None` for anything that could escape the site or is ambiguous: `..` or `.` segments
/// (also percent-encoded), encoded `/` or `\`, backslashes, empty segments (`//`), NUL.
pub fn resolve_path(raw: &str) -> Option<String> {
    let path = raw.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') || path.to_ascii_lowercase().contains("%2f") || path.to_ascii_lowercase().contains("%5c")
    {
        return None;
    }
    let decoded = percent_decode(path)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let inner = &decoded[1..];
    if inner.is_empty() {
        return Some("index.html".to_string());
    }
    let dir = inner.ends_with('/');
    let trimmed = inner.trim_end_matches('/');
    if trimmed.len() + 1 < inner.len() {
        return None; // "a//"
    }
    let mut segments = Vec::new();
    for seg in trimmed.split('/') {
        if seg.is_empty() || seg == "." || seg == ".." {
            return None;
        }
        segments.push(seg);
    }
    let mut rel = segments.join("/");
    if dir {
        rel.push_str("/index.html");
    }
    Some(rel)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("static header names and ASCII values")
}

/// The script served pages get (and `build` output never does): it reloads the page when
/// the server announces another version, and reconnects by itself after a restart.
fn live_script(version: &str) -> String {
    format!(
        "<script>/* journeymap serve: live reload */(function(){{var v=\"{version}\";function c(){{var s=new EventSource(\"{LIVE}\");\
s.onmessage=function(e){{if(e.data!==v){{s.close();location.reload();}}}};\
s.onerror=function(){{s.close();setTimeout(c,300);}};}}c();}})();</script>"
    )
}

/// Adds the live-reload script and the error overlay before `</body>`.
fn inject(html: &[u8], snap: &Snapshot) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let mut extra = snap.overlay.clone().unwrap_or_default();
    extra.push_str(&live_script(&snap.version));
    match text.rfind("</body>") {
        Some(i) => format!("{}{extra}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{extra}").into_bytes(),
    }
}

/// The page shown before any build has succeeded.
fn placeholder(snap: &Snapshot) -> Vec<u8> {
    inject(
        b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>journeymap</title></head><body><main><h1>No site yet</h1><p>The first build has not succeeded.</p></main></body></html>",
        snap,
    )
}

fn respond(req: Request, status: u16, ctype: &str, body: Vec<u8>) {
    let resp = Response::from_data(body)
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", ctype))
        .with_header(header("Cache-Control", "no-store"))
        .with_header(header("X-Content-Type-Options", "nosniff"));
    let _ = req.respond(resp);
}

fn handle(req: Request, shared: &Arc<Shared>) {
    if !matches!(req.method(), Method::Get | Method::Head) {
        return respond(req, 405, "text/plain; charset=utf-8", b"method not allowed\n".to_vec());
    }
    let url = req.url().to_string();
    if url.split('?').next() == Some(LIVE) {
        return live(req, shared.clone());
    }
    let snap = shared.snapshot();
    if snap.files.is_empty() {
        return respond(req, 503, "text/html; charset=utf-8", placeholder(&snap));
    }
    let Some(rel) = resolve_path(&url) else {
        return not_found(req, &snap);
    };
    if let Some(body) = snap.files.get(&rel) {
        let ctype = content_type(&rel);
        let body = if rel.ends_with(".html") {
            inject(body, &snap)
        } else {
            body.clone()
        };
        return respond(req, 200, ctype, body);
    }
    // `/journeys/x` → `/journeys/x/`, so that the page's relative links resolve.
    if snap.files.contains_key(&format!("{rel}/index.html")) {
        let location = format!("{}/", url.split('?').next().unwrap_or(""));
        let resp = Response::empty(StatusCode(301)).with_header(header("Location", &location));
        let _ = req.respond(resp);
        return;
    }
    not_found(req, &snap)
}

fn not_found(req: Request, snap: &Snapshot) {
    let body = snap
        .files
        .get("404.html")
        .map_or_else(|| b"not found\n".to_vec(), |b| inject(b, snap));
    respond(req, 404, "text/html; charset=utf-8", body)
}

/// A Server-Sent Events stream on its own thread (so it never holds a worker): the current
/// version at once, then every new version; a comment every 15 s keeps proxies from
/// closing it. It ends when the browser goes away.
fn live(req: Request, shared: Arc<Shared>) {
    let (tx, rx) = channel::<String>();
    shared.listen(tx);
    let first = shared.snapshot().version.clone();
    let mut w = req.into_writer();
    std::thread::spawn(move || {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
        if write!(w, "{head}retry: 300\ndata: {first}\n\n")
            .and_then(|_| w.flush())
            .is_err()
        {
            return;
        }
        loop {
            let msg = match rx.recv_timeout(Duration::from_secs(15)) {
                Ok(v) => format!("data: {v}\n\n"),
                Err(RecvTimeoutError::Timeout) => ": ping\n\n".to_string(),
                Err(RecvTimeoutError::Disconnected) => return,
            };
            if w.write_all(msg.as_bytes()).and_then(|_| w.flush()).is_err() {
                return;
            }
        }
    });
}

/// `n` threads taking requests; a panic while answering one is caught and logged, and the
/// thread goes on.
pub fn spawn_workers(server: Arc<Server>, shared: Arc<Shared>, n: usize) {
    for _ in 0..n {
        let (server, shared) = (server.clone(), shared.clone());
        std::thread::spawn(move || loop {
            let Ok(req) = server.recv() else { continue };
            let url = req.url().to_string();
            let shared = shared.clone();
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handle(req, &shared))).is_err() {
                eprintln!("internal error while answering {url}; the server goes on");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::resolve_path;

    #[test]
    fn paths_resolve_inside_the_site_only() {
        assert_eq!(resolve_path("/").as_deref(), Some("index.html"));
        assert_eq!(resolve_path("/journeys/a/").as_deref(), Some("journeys/a/index.html"));
        assert_eq!(
            resolve_path("/journeys/a/index.html?x=1").as_deref(),
            Some("journeys/a/index.html")
        );
        assert_eq!(resolve_path("/assets/style.css").as_deref(), Some("assets/style.css"));
        assert_eq!(
            resolve_path("/pages/caf%C3%A9/").as_deref(),
            Some("pages/café/index.html")
        );
        for bad in [
            "/../etc/passwd",
            "/a/../../b",
            "/%2e%2e/x",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/a%2fb",
            "/a%2F..%2Fb",
            "/a\\..\\b",
            "/..%5c..%5cwindows",
            "//etc/passwd",
            "/a//b",
            "/./a",
            "/a/.",
            "x",
            "/%zz",
            "/%00",
            "/a%00.html",
        ] {
            assert_eq!(resolve_path(bad), None, "{bad}");
        }
    }
}
