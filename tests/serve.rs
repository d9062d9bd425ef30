//! `journeymap serve`: the real binary on a free port, driven over raw HTTP.

mod common;

use std::net::TcpStream;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::serve::*;
use common::*;

#[test]
fn pages_are_served_with_types_no_store_and_the_live_reload_script() {
    let s = start(example_copy());
    let (status, head, body) = get(s.port, "/");
    assert_eq!(status, 200);
    assert!(head.contains("Content-Type: text/html; charset=utf-8"), "{head}");
    assert!(head.contains("Cache-Control: no-store"), "{head}");
    assert!(body.contains("journeymap serve: live reload") && body.contains("/__journeymap/live"));
    let (status, head, _) = get(s.port, "/assets/style.css");
    assert_eq!(status, 200);
    assert!(head.contains("text/css"));
    let (status, _, body) = get(s.port, "/journeys/online-purchase/");
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Online purchase</h1>"));
    let (status, head, _) = get(s.port, "/journeys/online-purchase");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /journeys/online-purchase/"), "{head}");
    let (status, _, body) = get(s.port, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"));
    // The user's output directory is not involved: serve writes nothing into the project.
    assert!(!s.dir.path().join("public").exists());
}

#[test]
fn the_build_output_never_contains_the_live_reload_script() {
    let (tmp, out) = (tempfile::tempdir().unwrap(), "site");
    let out = tmp.path().join(out);
    assert_eq!(
        run(&["build", example().to_str().unwrap(), "-o", out.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
    for e in walkdir::WalkDir::new(&out)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let text = String::from_utf8_lossy(&std::fs::read(e.path()).unwrap()).into_owned();
        assert!(
            !text.contains("__journeymap") && !text.contains("EventSource"),
            "{}",
            e.path().display()
        );
    }
}

#[test]
fn traversal_attempts_are_refused() {
    let s = start(example_copy());
    // A file that exists in the project, next to the data, but is not part of the site.
    for target in [
        "/../journeymap.toml",
        "/journeys/../../journeymap.toml",
        "/%2e%2e/journeymap.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/journeys%2f..%2f..%2fjourneymap.toml",
        "/..%5cjourneymap.toml",
        "/assets\\..\\..\\journeymap.toml",
        "//etc/passwd",
        "/assets//style.css",
        "/data/events.csv",
        "/journeymap.toml",
        "/%00",
    ] {
        let (status, _, body) = get(s.port, target);
        assert_eq!(status, 404, "{target}");
        assert!(
            !body.contains("title = ") && !body.contains("root:"),
            "{target} leaked a file"
        );
    }
}

#[cfg(unix)]
#[test]
fn symlinks_that_leave_the_project_are_not_served() {
    let dir = example_copy();
    std::fs::create_dir_all(dir.path().join("static")).unwrap();
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), "secret outside the project").unwrap();
    std::os::unix::fs::symlink(secret.path(), dir.path().join("static/leak.txt")).unwrap();
    std::os::unix::fs::symlink("/etc", dir.path().join("static/etc")).unwrap();
    std::fs::write(dir.path().join("static/ok.txt"), "fine").unwrap();
    let s = start(dir);
    assert_eq!(get(s.port, "/assets/ok.txt").0, 200);
    for target in ["/assets/leak.txt", "/assets/etc/hostname", "/assets/etc/passwd"] {
        let (status, _, body) = get(s.port, target);
        assert_eq!(status, 404, "{target}");
        assert!(!body.contains("secret outside"), "{target}");
    }
}

#[test]
fn an_edit_changes_the_page_a_spec_error_keeps_it_with_an_overlay_and_the_fix_clears_it() {
    let s = start(example_copy());
    let journey = s.dir.path().join("journeys/online-purchase.toml");
    let page = |port| get(port, "/journeys/online-purchase/").2;
    let t0 = Instant::now();
    edit(
        &journey,
        "title = \"Online purchase\"",
        "title = \"Online purchase, revised\"",
    );
    assert!(
        wait_for(
            || page(s.port).contains("<h1>Online purchase, revised</h1>"),
            // The issue asks for "within a second"; the tests share two cores with ten
            // other servers building debug binaries, so the bound is generous here and the
            // real latency is measured by bench/serve_latency.py (docs/performance.md).
            Duration::from_secs(5)
        ),
        "edit not served within 5 s"
    );
    eprintln!("edit served after {:?}", t0.elapsed());
    // Only the TOML changed: no CSV was read again.
    let log = s.log.lock().unwrap().join("\n");
    assert_eq!(
        log.matches("(read ").count(),
        1,
        "only the initial build reads data:\n{log}"
    );
    assert!(
        log.contains("data/events.csv") && log.contains("data/b2b-metrics.csv"),
        "{log}"
    );
    drop(log);

    edit(&journey, "emotion = 3", "emotion = 12");
    assert!(
        wait_for(
            || page(s.port).contains("id=\"journeymap-error\""),
            Duration::from_secs(2)
        ),
        "no overlay"
    );
    let body = page(s.port);
    assert!(
        body.contains("<h1>Online purchase, revised</h1>"),
        "the last good page is still served"
    );
    assert!(
        body.contains("journeys/online-purchase.toml:"),
        "the overlay locates the error"
    );
    assert!(body.contains("`emotion` must be between 1 and 5, found 12"));
    assert!(
        get(s.port, "/index.html").2.contains("journeymap-error"),
        "every page shows the overlay"
    );

    edit(&journey, "emotion = 12", "emotion = 3");
    assert!(
        wait_for(|| !page(s.port).contains("journeymap-error"), Duration::from_secs(2)),
        "the fix clears the overlay"
    );
}

#[test]
fn editing_a_data_file_rereads_only_that_file() {
    let s = start(example_copy());
    let metrics = s.dir.path().join("data/b2b-metrics.csv");
    let mut text = std::fs::read_to_string(&metrics).unwrap();
    text = text.replacen("2026-01-05,discovery,users,", "2026-01-05,discovery,users,1", 1);
    std::fs::write(&metrics, text).unwrap();
    let reread = || {
        s.log
            .lock()
            .unwrap()
            .iter()
            .any(|l| l.contains("(read data/b2b-metrics.csv)"))
    };
    assert!(wait_for(reread, Duration::from_secs(2)), "{:?}", s.log.lock().unwrap());
    let log = s.log.lock().unwrap();
    let event_reads = log
        .iter()
        .filter(|l| l.starts_with("rebuilt in") && l.contains("data/events.csv"))
        .count();
    assert_eq!(
        event_reads,
        1,
        "only the initial build reads the event file:\n{}",
        log.join("\n")
    );
}

#[test]
fn editor_temporary_files_do_not_trigger_rebuilds() {
    // With timings on, the server prints the files behind each rebuild ("changed: …").
    let s = start_with(example_copy(), free_port(), |c| {
        c.env("JOURNEYMAP_TIMINGS", "1");
    });
    let log = || s.log.lock().unwrap().clone();
    let rebuilds = || log().iter().filter(|l| l.starts_with("rebuilt in")).count();
    let page = || get(s.port, "/journeys/online-purchase/").2;
    let journey = s.dir.path().join("journeys/online-purchase.toml");
    let before = rebuilds();
    let changed_before = log().iter().filter(|l| l.starts_with("changed: ")).count();
    for name in [".online-purchase.toml.swp", "4913", "online-purchase.toml~"] {
        std::fs::write(s.dir.path().join("journeys").join(name), "x").unwrap();
    }
    // The watcher takes events in order: once this later edit is served, the temporary
    // files' events have been seen, and they caused no rebuild of their own, nor joined
    // this one.
    edit(&journey, "title = \"Online purchase\"", "title = \"After temporaries\"");
    assert!(wait_for(
        || page().contains("<h1>After temporaries</h1>"),
        Duration::from_secs(5)
    ));
    assert_eq!(rebuilds(), before + 1, "{:?}", log());
    let changed: Vec<String> = log()
        .into_iter()
        .filter(|l| l.starts_with("changed: "))
        .skip(changed_before)
        .collect();
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].ends_with("journeys/online-purchase.toml"), "{changed:?}");
    // A save by rename, as vim and JetBrains do, is one rebuild (a later edit shows that
    // no second one was pending).
    let tmp = s.dir.path().join("journeys/online-purchase.toml___jb_tmp___");
    let text = std::fs::read_to_string(&journey)
        .unwrap()
        .replace("title = \"After temporaries\"", "title = \"Renamed save\"");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, &journey).unwrap();
    assert!(wait_for(
        || page().contains("<h1>Renamed save</h1>"),
        Duration::from_secs(5)
    ));
    edit(&journey, "title = \"Renamed save\"", "title = \"Last edit\"");
    assert!(wait_for(
        || page().contains("<h1>Last edit</h1>"),
        Duration::from_secs(5)
    ));
    assert_eq!(rebuilds(), before + 3, "{:?}", log());
}

#[test]
fn eight_concurrent_clients_fifty_requests_each() {
    let s = start(example_copy());
    let port = s.port;
    // A slow client that opens a connection and sends nothing must not block anyone.
    let _idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let _live = Live::open(port);
    let paths = [
        "/",
        "/journeys/online-purchase/",
        "/assets/style.css",
        "/kpis.json",
        "/journeys/b2b-lead/touchpoints/webinar/",
    ];
    let handles: Vec<_> = (0..8)
        .map(|c| {
            std::thread::spawn(move || {
                (0..50)
                    .filter(|i| {
                        let (status, _, body) = get(port, paths[(c + i) % paths.len()]);
                        status == 200 && !body.is_empty()
                    })
                    .count()
            })
        })
        .collect();
    let ok: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(ok, 400);
}

#[test]
fn live_reload_stream_sends_the_version_then_changes() {
    let s = start(example_copy());
    let mut live = Live::open(s.port);
    let mut versions = vec![live.next_version()];
    edit(
        &s.dir.path().join("journeys/b2b-lead.toml"),
        "title = \"B2B partnership lead\"",
        "title = \"B2B leads\"",
    );
    versions.push(live.next_version());
    assert_ne!(versions[0], versions[1]);
    // The page now carries the new version, so a reload settles.
    assert!(get(s.port, "/").2.contains(&versions[1]));
}

#[test]
fn a_port_in_use_moves_to_the_next_free_one() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let s = start_on(example_copy(), port);
    assert_ne!(s.port, port);
    assert!(s
        .log
        .lock()
        .unwrap()
        .iter()
        .any(|l| l.contains(&format!("port {port} is in use; using {} instead", s.port))));
    assert_eq!(get(s.port, "/").0, 200);
}

#[test]
fn a_first_build_that_fails_still_serves_the_error() {
    let dir = example_copy();
    let journey: PathBuf = dir.path().join("journeys/online-purchase.toml");
    edit(&journey, "emotion = 3", "emotion = 0");
    let s = start(dir);
    let (status, _, body) = get(s.port, "/");
    assert_eq!(status, 503);
    assert!(body.contains("journeymap-error") && body.contains("`emotion` must be between 1 and 5"));
    edit(&journey, "emotion = 0", "emotion = 3");
    assert!(wait_for(|| get(s.port, "/").0 == 200, Duration::from_secs(2)));
}

#[test]
#[cfg(target_os = "linux")]
fn open_starts_the_browser_on_the_served_address() {
    use std::os::unix::fs::PermissionsExt;
    // A stand-in `xdg-open` that records the address it is given.
    let bin = tempfile::tempdir().unwrap();
    let record = bin.path().join("opened");
    let opener = bin.path().join("xdg-open");
    std::fs::write(&opener, format!("#!/bin/sh\necho \"$1\" > '{}'\n", record.display())).unwrap();
    std::fs::set_permissions(&opener, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
    let s = start_with(example_copy(), free_port(), |c| {
        c.arg("--open").env("PATH", path);
    });
    let opened = || std::fs::read_to_string(&record).unwrap_or_default();
    assert!(wait_for(|| !opened().is_empty(), Duration::from_secs(5)));
    assert_eq!(opened().trim(), format!("http://127.0.0.1:{}/", s.port));
}
