//! `journeymap serve`: builds the site into memory, serves it on 127.0.0.1, rebuilds when
//! a file of the project changes, and tells open pages to reload.
//!
//! Threads: the accept loop, and one thread per connection answering from the current
//! in-memory [`Snapshot`] (never from the user's output directory), see `conn`; the
//! watcher thread debounces file events and rebuilds with the data cache; one broadcaster
//! thread writes to every live-reload stream (`live`). A new snapshot is published whole,
//! after the rebuild completes, so no page is ever served from a half-built site. A failed
//! rebuild keeps the last good site and adds an error overlay.

mod conn;
mod host;
mod http;
mod live;
mod overlay;
mod watch;

use std::hash::{Hash, Hasher};
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use crate::diagnostics::{plural, render_human, Diagnostic};
use crate::site::SiteFiles;
use crate::timing::timed;

pub use http::resolve_path;

/// What the server answers with, replaced whole after each rebuild.
pub struct Snapshot {
    pub files: Arc<SiteFiles>,
    /// HTML of the build errors, injected into every page while the last build fails.
    pub overlay: Option<String>,
    /// Changes exactly when what a browser would see changes (a hash of files and overlay),
    /// so pages reload after real changes only, also across server restarts.
    pub version: String,
}

/// State shared by the connection threads and the watcher.
pub struct Shared {
    snapshot: RwLock<Arc<Snapshot>>,
    live: live::Live,
    /// The data files the last build that loaded the project reads ([`watch::data_paths`]).
    reads: RwLock<Option<Vec<PathBuf>>>,
}

impl Shared {
    pub fn new() -> Arc<Shared> {
        Arc::new(Shared {
            snapshot: RwLock::new(Arc::new(Snapshot {
                files: Arc::new(SiteFiles::new()),
                overlay: None,
                version: String::new(),
            })),
            live: live::Live::start(String::new()),
            reads: RwLock::new(None),
        })
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn reads(&self) -> Option<Vec<PathBuf>> {
        self.reads.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Publishes a new site (or keeps the last good one with an overlay) and notifies every
    /// live-reload listener of the new version.
    pub fn publish(&self, files: Option<SiteFiles>, overlay: Option<String>) {
        let files = match files {
            Some(f) => Arc::new(f),
            None => self.snapshot().files.clone(),
        };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        files.hash(&mut h);
        overlay.hash(&mut h);
        let version = format!("{:016x}", h.finish());
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(Snapshot {
            files,
            overlay,
            version: version.clone(),
        });
        // After the snapshot: a page served with this version finds the broadcaster at it.
        self.live.announce(version);
    }

    /// Keeps the last good site, if any, and shows `errors` over it.
    fn publish_errors(&self, errors: &[Diagnostic]) {
        let has_site = !self.snapshot().files.is_empty();
        self.publish(None, Some(overlay::html(errors, has_site)));
    }
}

pub struct Options {
    pub bind: IpAddr,
    pub port: u16,
    pub open: bool,
}

/// What one `serve` keeps from a rebuild to the next.
#[derive(Default)]
struct Rebuilds {
    cache: crate::Cache,
    /// The warnings of the last successful rebuild, as last printed: a rebuild with the
    /// same ones says so in one line, instead of printing them all again after every save.
    warned: Option<Vec<Diagnostic>>,
}

/// One rebuild: analyse with the data cache, render in memory, publish. Prints the outcome.
fn rebuild(root: &Path, state: &mut Rebuilds, shared: &Shared) -> bool {
    let start = Instant::now();
    let (analysis, mut diags) = crate::analyse_cached(root, &mut state.cache);
    // The watcher follows the data files of the spec as it is now, even when the build
    // fails after loading it (a new data file with an error must be watched to be fixed).
    let reads = |p: &crate::spec::Project| watch::data_paths(root, p.journeys.iter().flat_map(|j| j.data_files()));
    let known = match &analysis {
        Some(a) => Some(reads(&a.project)),
        None => crate::spec::load(root).0.as_ref().map(reads),
    };
    if let Some(known) = known {
        *shared.reads.write().unwrap_or_else(|e| e.into_inner()) = Some(known);
    }
    let files = analysis.as_ref().and_then(|a| {
        match timed("render site", || crate::site::render(&a.project, &a.kpis, None, None)) {
            Ok(f) => Some(f),
            Err(d) => {
                diags.extend(d);
                None
            }
        }
    });
    let ok = files.is_some();
    let warnings: Vec<_> = diags.warnings().cloned().collect();
    // The outcome is printed before the site is published, so that whoever sees the new
    // site can find its line in the log.
    if ok {
        let unchanged = state.warned.as_ref() == Some(&warnings);
        let note = if !unchanged {
            eprint!("{}", render_human(&warnings, crate::diagnostics::use_colour()));
            String::new()
        } else if warnings.is_empty() {
            String::new()
        } else {
            format!("; {} unchanged, not repeated", plural(warnings.len() as u64, "warning"))
        };
        eprintln!(
            "rebuilt in {} ms{}{note}",
            start.elapsed().as_millis(),
            reads_note(&state.cache.data)
        );
        state.warned = Some(warnings);
        shared.publish(files, None);
    } else {
        let errors: Vec<_> = diags.errors().cloned().collect();
        eprint!("{}", render_human(&errors, crate::diagnostics::use_colour()));
        let serving = if shared.snapshot().files.is_empty() {
            "nothing to serve until a build succeeds"
        } else {
            "still serving the last good site"
        };
        eprintln!("build failed ({}): {serving}", plural(errors.len() as u64, "error"));
        shared.publish_errors(&errors);
    }
    ok
}

fn reads_note(cache: &crate::data::Cache) -> String {
    if cache.last_reads().is_empty() {
        String::new()
    } else {
        format!(" (read {})", cache.last_reads().join(", "))
    }
}

/// Binds `port`, or the next free one of the ten after it, saying which.
fn bind(opts: &Options) -> Result<(TcpListener, SocketAddr), String> {
    let mut last = String::new();
    for port in opts.port..=opts.port.saturating_add(10) {
        let addr = SocketAddr::new(opts.bind, port);
        match TcpListener::bind(addr) {
            Ok(s) => {
                if port != opts.port {
                    eprintln!("port {} is in use; using {port} instead", opts.port);
                }
                return Ok((s, addr));
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!(
        "cannot listen on {}:{}–{}: {last}; choose another with --port",
        opts.bind,
        opts.port,
        opts.port.saturating_add(10)
    ))
}

/// Runs the preview server until the process is stopped.
pub fn serve(root: PathBuf, opts: Options) -> Result<(), String> {
    if !root.join("journeymap.toml").is_file() {
        return Err(format!(
            "no journeymap.toml in `{}`: not a journeymap project",
            root.display()
        ));
    }
    let shared = Shared::new();
    // The watcher starts before the first build and before the address is announced, so
    // that no save made once the server is up can be missed; a save during the first
    // build waits for its lock on the state and rebuilds after it.
    let state = Arc::new(Mutex::new(Rebuilds::default()));
    let reads = {
        let shared = shared.clone();
        move || shared.reads()
    };
    watch::start(&root, reads, {
        let shared = shared.clone();
        let root = root.clone();
        let state = state.clone();
        move |changed: &[PathBuf]| {
            if crate::timing::enabled() {
                eprintln!(
                    "changed: {}",
                    changed
                        .iter()
                        .map(|p| crate::diagnostics::printable(&p.display().to_string()).into_owned())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
            // A bug in a rebuild must not stop the watcher: report it like a build error.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                timed("rebuild after a change", || rebuild(&root, &mut state, &shared))
            }));
            if outcome.is_err() {
                state.cache = crate::Cache::default();
                let bug = Diagnostic::error(
                    "internal error while rebuilding (this is a bug in journeymap); save again to retry",
                );
                shared.publish_errors(&[bug]);
            }
        }
    })
    .map_err(|e| format!("cannot watch `{}` for changes: {e}", root.display()))?;
    rebuild(&root, &mut state.lock().unwrap_or_else(|e| e.into_inner()), &shared);
    let (listener, addr) = bind(&opts)?;
    let url = format!("http://{addr}/");
    eprintln!("serving {} at {url} (live reload on; Ctrl-C to stop)", root.display());
    if !opts.bind.is_loopback() {
        eprintln!(
            "note: {} is not a loopback address: the preview is open to the network and answers any Host",
            opts.bind
        );
    }
    conn::start(listener, opts.bind, shared.clone());
    if opts.open {
        open_browser(&url);
    }
    // The watcher and the server run on their own threads; this one just waits.
    loop {
        std::thread::park();
    }
}

fn open_browser(url: &str) {
    let cmd = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(cmd).arg(url).spawn() {
        eprintln!("cannot open a browser ({cmd}: {e}); open {url} yourself");
    }
}
