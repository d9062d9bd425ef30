//! Answering requests from the in-memory site: safe path resolution, content types,
//! `no-store` caching, the injected live-reload script and error overlay. Connections are
//! `conn`'s, the live-reload stream `live`'s.

use std::io::Cursor;
use std::sync::Arc;

use tiny_http::{Header, Response, StatusCode};

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

/// A response body: a site file shared with the snapshot (large files are not copied per
/// request), or bytes made for this answer.
pub enum Body {
    File(Arc<Snapshot>, String),
    Made(Vec<u8>),
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        match self {
            Body::File(snap, rel) => snap.files.get(rel).map_or(&[], Vec::as_slice),
            Body::Made(bytes) => bytes,
        }
    }
}

pub type Page = Response<Cursor<Body>>;

/// What a request gets.
pub enum Answer {
    Page(Page),
    /// The live-reload stream, which the broadcaster answers.
    Live,
}

fn page(status: u16, ctype: &str, body: Body) -> Page {
    let len = body.as_ref().len();
    Response::new(
        StatusCode(status),
        vec![
            header("Content-Type", ctype),
            header("Cache-Control", "no-store"),
            header("X-Content-Type-Options", "nosniff"),
        ],
        Cursor::new(body),
        Some(len),
        None,
    )
}

/// A short plain-text answer (errors and refusals).
pub fn text(status: u16, message: &str) -> Page {
    page(
        status,
        "text/plain; charset=utf-8",
        Body::Made(format!("{message}\n").into_bytes()),
    )
}

/// Answers `method target` from the current snapshot.
pub fn answer(shared: &Shared, method: &str, target: &str) -> Answer {
    if method != "GET" && method != "HEAD" {
        return Answer::Page(text(405, "method not allowed"));
    }
    let path = target.split('?').next().unwrap_or("");
    if path == LIVE && method == "GET" {
        return Answer::Live;
    }
    let snap = shared.snapshot();
    if snap.files.is_empty() {
        let body = placeholder(&snap);
        return Answer::Page(page(503, "text/html; charset=utf-8", Body::Made(body)));
    }
    let Some(rel) = resolve_path(target) else {
        return not_found(&snap);
    };
    if let Some(bytes) = snap.files.get(&rel) {
        let ctype = content_type(&rel);
        if rel.ends_with(".html") {
            let body = inject(bytes, &snap);
            return Answer::Page(page(200, ctype, Body::Made(body)));
        }
        return Answer::Page(page(200, ctype, Body::File(snap.clone(), rel)));
    }
    // `/journeys/x` → `/journeys/x/`, so that the page's relative links resolve.
    if snap.files.contains_key(&format!("{rel}/index.html")) {
        let location = format!("{path}/");
        return Answer::Page(Response::new(
            StatusCode(301),
            vec![header("Location", &location)],
            Cursor::new(Body::Made(Vec::new())),
            Some(0),
            None,
        ));
    }
    not_found(&snap)
}

fn not_found(snap: &Snapshot) -> Answer {
    let body = snap
        .files
        .get("404.html")
        .map_or_else(|| b"not found\n".to_vec(), |b| inject(b, snap));
    Answer::Page(page(404, "text/html; charset=utf-8", Body::Made(body)))
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
