//! Hostile and huge inputs (docs/security.md): each test is a way a red-team pass found to
//! crash journeymap, hang it, make it lie or leak through it. Where the failure was a hang
//! or a quadratic blow-up, the test gives the run a generous bound — not a speed assertion,
//! the detection of a hang (the times are measured in docs/performance.md).

mod common;

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
fn a_hundred_thousand_stages_are_checked_in_linear_time() {
    // Each stage has no touchpoint: 100,000 warnings, each located in the file. Locating
    // them by counting lines from the start took 7 minutes.
    let p = base();
    let mut j = p.read(J);
    for i in 0..100_000 {
        j += &format!("\n[[stages]]\nid = \"s{i}\"\n");
    }
    p.write(J, j);
    let out = run_within(Duration::from_secs(60), &["check", p.arg(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = doc["warnings"].as_array().unwrap();
    assert!(warnings.len() >= 100_000);
    let last = warnings.iter().map(|w| w["line"].as_u64().unwrap()).max().unwrap();
    assert_eq!(last, 19 + 100_000 * 3, "the last stage's line");
}
