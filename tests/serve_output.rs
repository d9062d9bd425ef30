//! What `journeymap serve` prints on stderr after each rebuild.

mod common;

use std::time::Duration;

use common::serve::*;

/// The outcome of the next build after line `from` of the log: the lines it printed, its
/// last line being "rebuilt in …" or "build failed …".
fn outcome(s: &Server, from: usize) -> Vec<String> {
    let end = |log: &[String]| {
        log.iter()
            .skip(from)
            .position(|l| l.starts_with("rebuilt in") || l.starts_with("build failed"))
            .map(|i| from + i + 1)
    };
    assert!(
        wait_for(|| end(&s.log()).is_some(), Duration::from_secs(10)),
        "no build outcome after line {from}:\n{}",
        s.log().join("\n")
    );
    let log = s.log();
    log[from..end(&log).unwrap()].to_vec()
}

#[test]
fn a_failed_build_counts_its_errors_in_words() {
    let dir = example_copy();
    let journey = dir.path().join("journeys/online-purchase.toml");
    edit(&journey, "emotion = 3", "emotion = 0");
    let s = start(dir);
    assert_eq!(
        outcome(&s, 0).last().unwrap(),
        "build failed (1 error): nothing to serve until a build succeeds"
    );
    let seen = s.log().len();
    edit(&journey, "emotion = 4", "emotion = 0");
    assert_eq!(
        outcome(&s, seen).last().unwrap(),
        "build failed (3 errors): nothing to serve until a build succeeds"
    );
}
