//! Hostile and huge inputs (docs/security.md): each test is a way a red-team pass found to
//! crash journeymap, hang it, make it lie or leak through it. Where the failure was a hang
//! or a quadratic blow-up, the test gives the run a generous bound — not a speed assertion,
//! the detection of a hang (the times are measured in docs/performance.md).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Runs `journeymap <args>` and fails the test if it has not ended within `limit`.
fn run_within(limit: Duration, args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_journeymap"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read both pipes meanwhile, or a child with much to say blocks on a full pipe.
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("journeymap {} did not end within {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn base() -> Project {
    Project::fixture("check/base")
}

const J: &str = "journeys/j.toml";

#[test]
fn a_workflow_command_in_an_event_name_stays_in_its_annotation() {
    let p = base();
    p.append(
        "data/events.csv",
        "u2,2026-01-05T10:00:00Z,\"view\n::error file=x.toml,line=1::pwned\x1b[2J\",\n",
    );
    let out = p.run("check", &["--format", "github"]);
    let text = stdout(&out);
    assert!(
        text.lines()
            .all(|l| l.starts_with("::warning ") || l.starts_with("::error ")),
        "{text}"
    );
    assert!(
        text.contains("view\\\\n%3A%3Aerror") || text.contains("view\\n::error"),
        "{text}"
    );
    let human = stderr(&p.run("check", &[]));
    assert!(human.lines().all(|l| !l.starts_with("::")), "{human}");
    assert!(!human.contains('\x1b'), "{human:?}");
}

#[test]
fn long_names_get_no_suggestion_instead_of_a_huge_table() {
    // A 60,000-character event name in the spec that never occurs, and another in the data:
    // their edit distance would need a 28 GB table.
    let long = "e".repeat(60_000);
    let p = base();
    p.set_line(J, 19, &format!("  events = [\"buy\", \"{long}x\"]"));
    p.append("data/events.csv", &format!("u3,2026-01-05T10:00:00Z,{long}y,\n"));
    let out = run_within(Duration::from_secs(60), &["check", p.arg(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn fifty_thousand_stages_are_checked_in_linear_time() {
    // Each stage has no touchpoint: 50,000 warnings, each located in the file. Locating
    // them by counting lines from the start took minutes (100,000: 7).
    let p = base();
    let mut j = p.read(J);
    for i in 0..50_000 {
        j += &format!("\n[[stages]]\nid = \"s{i}\"\n");
    }
    p.write(J, j);
    let out = run_within(Duration::from_secs(60), &["check", p.arg(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = doc["warnings"].as_array().unwrap();
    assert!(warnings.len() >= 50_000);
    let last = warnings.iter().map(|w| w["line"].as_u64().unwrap()).max().unwrap();
    assert_eq!(last, 19 + 50_000 * 3, "the last stage's line");
}

/// The first error of `check --format json`, as (file, line, message).
fn first_error(p: &Project) -> (String, u64, String) {
    let (code, doc) = p.check_json(&[]);
    assert_eq!(code, 1, "{doc}");
    let e = &doc["errors"][0];
    (
        e["file"].as_str().unwrap().to_string(),
        e["line"].as_u64().unwrap(),
        e["message"].as_str().unwrap().to_string(),
    )
}

#[test]
fn data_paths_cannot_leave_the_project() {
    for path in ["/etc/passwd", "../outside.csv", "data/../../outside.csv"] {
        let p = base();
        std::fs::write(p.path().parent().unwrap().join("outside.csv"), "root:x:0:0:secret\n").unwrap();
        p.set_line(J, 5, &format!("path = \"{path}\""));
        let out = p.run("check", &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(
            err.contains(&format!("`{path}` leads outside the project folder")),
            "{err}"
        );
        assert!(
            !err.contains("root:x") && !err.contains("secret"),
            "no content of the file: {err}"
        );
    }
}

#[cfg(unix)]
#[test]
fn links_out_of_the_project_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("events.csv"),
        "user_id,timestamp,event\nu,2026-01-05,view\n",
    )
    .unwrap();
    std::fs::write(
        outside.path().join("j.toml"),
        "title = \"Elsewhere\"\n[[stages]]\nid = \"a\"\n",
    )
    .unwrap();
    let link = |target: &str, at: &Path| std::os::unix::fs::symlink(outside.path().join(target), at).unwrap();
    let p = base();
    p.remove("data/events.csv");
    link("events.csv", &p.path().join("data/events.csv"));
    assert_eq!(
        first_error(&p),
        (
            J.to_string(),
            5,
            "`data/events.csv` leads outside the project folder".to_string()
        )
    );
    let p = base();
    link("j.toml", &p.path().join("journeys/other.toml"));
    let (file, _, message) = first_error(&p);
    assert_eq!(
        (file.as_str(), message.as_str()),
        (
            "journeys/other.toml",
            "`journeys/other.toml` leads outside the project folder"
        )
    );
    // A link inside the project is fine.
    let p = base();
    std::os::unix::fs::symlink(p.path().join("data/events.csv"), p.path().join("data/same.csv")).unwrap();
    p.set_line(J, 5, "path = \"data/same.csv\"");
    assert_eq!(p.check_json(&[]).0, 0);
}

#[cfg(unix)]
#[test]
fn themes_and_templates_cannot_publish_files_from_elsewhere() {
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("secret.txt"), "private").unwrap();
    let p = base();
    p.set_line(
        "journeymap.toml",
        2,
        &format!("theme = \"{}\"", elsewhere.path().display()),
    );
    let (file, line, message) = first_error(&p);
    assert_eq!((file.as_str(), line), ("journeymap.toml", 2));
    assert!(message.contains("is not a slug"), "{message}");
    // A project `static/` (or `templates/`) that links elsewhere.
    let p = base();
    std::os::unix::fs::symlink(elsewhere.path(), p.path().join("static")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = p.run("build", &["-o", tmp.path().join("site").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`static` leads outside the project folder"),
        "{}",
        stderr(&out)
    );
    assert!(!tmp.path().join("site").exists());
}

#[test]
fn base_url_is_a_path_or_an_http_url() {
    for bad in ["//evil.example/", "javascript:alert(1)//"] {
        let p = base();
        p.set_line("journeymap.toml", 2, &format!("base_url = \"{bad}\""));
        let (file, line, message) = first_error(&p);
        assert_eq!((file.as_str(), line), ("journeymap.toml", 2), "{message}");
        assert!(message.starts_with("invalid `base_url`"), "{message}");
        let out = p.run("build", &[]);
        assert_eq!(out.status.code(), Some(1));
        let flag = base().run("build", &["--base-url", bad]);
        assert_eq!(flag.status.code(), Some(2), "{}", stderr(&flag));
        assert!(stderr(&flag).contains("invalid --base-url"), "{}", stderr(&flag));
    }
}

#[test]
fn a_template_that_includes_itself_is_an_error_not_a_stack_overflow() {
    let p = base();
    p.write(
        "templates/stage.html",
        "{% extends \"base.html\" %}{% block content %}{% include \"part.html\" %}{% endblock content %}",
    );
    p.write("templates/part.html", "<p>{% include \"part.html\" %}</p>");
    let tmp = tempfile::tempdir().unwrap();
    let out = run_within(
        Duration::from_secs(60),
        &["build", p.arg(), "-o", tmp.path().join("site").to_str().unwrap()],
    );
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("templates/part.html: error: templates include one another in a circle: part.html → part.html"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn fifos_and_devices_are_refused_without_blocking() {
    let p = base();
    let fifo = p.path().join("data/events.csv");
    std::fs::remove_file(&fifo).unwrap();
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let journey_fifo = p.path().join("journeys/k.toml");
    assert!(Command::new("mkfifo").arg(&journey_fifo).status().unwrap().success());
    let out = run_within(Duration::from_secs(30), &["check", p.arg()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("`data/events.csv` is a FIFO, not a regular file"), "{err}");
    assert!(err.contains("`journeys/k.toml` is a FIFO, not a regular file"), "{err}");
    let p = base();
    p.set_line(J, 5, "path = \"/dev/zero\"");
    let out = run_within(Duration::from_secs(30), &["check", p.arg()]);
    assert!(
        stderr(&out).contains("`/dev/zero` leads outside the project folder"),
        "{}",
        stderr(&out)
    );
}

/// `check`'s first error as `file:line:column: message`.
fn first_error_line(p: &Project) -> String {
    let err = stderr(&p.run("check", &[]));
    err.lines()
        .find(|l| l.contains(": error: "))
        .unwrap_or_else(|| panic!("no error: {err}"))
        .to_string()
}

#[test]
fn line_numbers_after_a_quoted_crlf_and_with_lone_cr_line_ends() {
    let p = base();
    p.write(
        "data/events.csv",
        "user_id,timestamp,event,segment\r\nu1,2026-01-05T10:00:00Z,view,\"mobile\r\nEU\"\r\nu1,yesterday,buy,x\r\n",
    );
    assert!(first_error_line(&p).starts_with("data/events.csv:4:4: error: invalid time `yesterday`"));
    p.write(
        "data/events.csv",
        "user_id,timestamp,event,segment\ru1,2026-01-05T10:00:00Z,view,x\ru1,yesterday,buy,x\r",
    );
    assert!(first_error_line(&p).starts_with("data/events.csv:3:4: error: invalid time `yesterday`"));
    // A lone CR deep in a file that started with LF line ends.
    let mut csv = String::from("user_id,timestamp,event,segment\n");
    for i in 0..5000 {
        csv += &format!("u{i},2026-01-05T10:00:00Z,view,x\n");
    }
    csv += "u1,2026-01-05T10:00:00Z,view,x\ru2,yesterday,buy,x\n";
    p.write("data/events.csv", csv);
    assert!(first_error_line(&p).starts_with("data/events.csv:5003:4: error: invalid time `yesterday`"));
    // Aggregated exports too.
    p.set_line(J, 3, "[data.metrics]\npath = \"data/metrics.csv\"");
    p.write(
        "data/events.csv",
        "user_id,timestamp,event\nu1,2026-01-05T10:00:00Z,view\n",
    );
    p.write(
        "data/metrics.csv",
        "date,key,metric,value\r2026-01-05,a,users,10\r2026-13-05,a,users,3\r",
    );
    assert!(first_error_line(&p).starts_with("data/metrics.csv:3:1: error: invalid date `2026-13-05`"));
}

#[test]
fn a_header_line_of_64_mib_is_an_error_not_a_64_mib_buffer() {
    let p = base();
    std::fs::copy(
        fixtures().join("hostile/long-header.csv.gz"),
        p.path().join("data/long.csv.gz"),
    )
    .unwrap();
    p.set_line(J, 5, "path = \"data/long.csv.gz\"");
    let line = first_error_line(&p);
    assert!(line.contains("line 1 is longer than 16 MiB"), "{line}");
}

#[test]
fn invalid_utf8_in_names_is_an_error_never_a_silent_merge() {
    // `view\xff` and `view\xfe` would both print as `view\u{fffd}`: one unmapped name
    // with the rows of both.
    let p = base();
    let mut csv = b"user_id,timestamp,event,segment\nu1,2026-01-05T10:00:00Z,view,x\n".to_vec();
    csv.extend_from_slice(b"u1,2026-01-05T10:00:00Z,view\xff,x\nu2,2026-01-05T10:00:00Z,view,seg\xfe\n");
    p.write("data/events.csv", &csv);
    let err = stderr(&p.run("check", &[]));
    assert!(
        err.contains("data/events.csv:3:25: error: invalid UTF-8 in column `event`"),
        "{err}"
    );
    assert!(
        err.contains("data/events.csv:4:30: error: invalid UTF-8 in column `segment`"),
        "{err}"
    );
    p.replace(
        J,
        "path = \"data/events.csv\"",
        "path = \"data/events.csv\"\non_error = \"skip\"",
    );
    let out = p.run("check", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("skipped 2 bad rows of `data/events.csv`: 2 invalid UTF-8"),
        "{}",
        stderr(&out)
    );
    // In an aggregated export.
    let p = base();
    p.set_line(J, 3, "[data.metrics]\npath = \"data/metrics.csv\"");
    let mut m = b"date,key,metric,value\n2026-01-05,a,users,10\n".to_vec();
    m.extend_from_slice(b"2026-01-05,b\xff,users,3\n");
    p.write("data/metrics.csv", &m);
    assert!(first_error_line(&p).starts_with("data/metrics.csv:3:12: error: invalid UTF-8 in column `key`"));
}

#[test]
fn a_cohort_period_of_four_billion_is_an_error_not_a_64_gb_table() {
    let p = Project::fixture("aggregates/base");
    p.append("data/cohorts.csv", "2026-01-01,4000000000,1\n");
    let out = run_within(Duration::from_secs(60), &["check", p.arg()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "data/cohorts.csv:8:12: error: invalid period `4000000000`: expected a whole number from 0 to 1000"
        ),
        "{err}"
    );
}

#[test]
fn deeply_nested_html_in_markdown_is_capped_not_quadratic() {
    // The sanitiser's parser checks the stack of open elements at each tag: 1 MB of nested
    // <div> took 56 s in a release build. Capping the depth bounds that; 5,000 show it.
    let p = base();
    p.write(
        "pages/deep.md",
        format!(
            "+++\ntitle = \"Deep\"\n+++\n{}x{}\n",
            "<div>".repeat(5_000),
            "</div>".repeat(5_000)
        ),
    );
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let out = run_within(
        Duration::from_secs(60),
        &["build", p.arg(), "-o", site.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.join("pages/deep/index.html")).unwrap();
    assert!(page.matches("<div>").count() <= 64, "nesting is capped");
    assert!(page.contains("&lt;div&gt;"), "the rest is shown as text");
}

#[test]
fn a_journey_page_lists_the_most_frequent_unmapped_names_only() {
    let p = base();
    let mut csv = p.read("data/events.csv");
    for i in 0..200_000 {
        csv += &format!("u{},2026-01-05T10:00:00Z,unknown_{i:06},\n", i % 7);
    }
    csv += "u1,2026-01-05T10:00:00Z,unknown_000042,\n";
    p.write("data/events.csv", csv);
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    let out = p.run("build", &["-o", site.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = std::fs::read_to_string(site.join("journeys/j/index.html")).unwrap();
    assert!(page.len() < 200_000, "{} bytes", page.len());
    assert!(
        page.contains("<code>unknown_000042</code></th><td class=\"num\">2</td>"),
        "the most frequent first"
    );
    assert!(page.contains("199,950 other names"), "and how many are left out");
    let kpis: serde_json::Value = serde_json::from_slice(&std::fs::read(site.join("kpis.json")).unwrap()).unwrap();
    assert_eq!(
        kpis["journeys"][0]["unmapped_events"].as_object().unwrap().len(),
        200_000,
        "kpis.json has them all"
    );
}
