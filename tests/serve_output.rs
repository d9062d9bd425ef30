//! What `journeymap serve` prints on stderr after each rebuild: warnings only when they
//! changed, and errors counted in words.

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

fn warnings(lines: &[String]) -> usize {
    lines.iter().filter(|l| l.contains(": warning: ")).count()
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

#[test]
fn warnings_are_printed_again_only_when_they_change() {
    let s = start(example_copy());
    let journey = s.dir.path().join("journeys/online-purchase.toml");
    let first = outcome(&s, 0);
    assert_eq!(
        warnings(&first),
        8,
        "the first build prints its warnings:\n{}",
        first.join("\n")
    );
    let mut seen = s.log().len();
    let mut next = |s: &Server| {
        let lines = outcome(s, seen);
        seen += lines.len();
        lines
    };

    edit(&journey, "title = \"Online purchase\"", "title = \"Retitled\"");
    let same = next(&s);
    assert_eq!(warnings(&same), 0, "{}", same.join("\n"));
    let last = same.last().unwrap();
    assert!(
        last.starts_with("rebuilt in") && last.ends_with("; 8 warnings unchanged, not repeated"),
        "{last}"
    );

    // A target met now: one warning fewer, and the new set is printed whole.
    edit(&journey, "target = { min = 0.30 }", "target = { min = 0.20 }");
    let changed = next(&s);
    assert_eq!(warnings(&changed), 7, "{}", changed.join("\n"));
    assert!(!changed.last().unwrap().contains("unchanged"), "{changed:?}");

    edit(&journey, "emotion = 3", "emotion = 12");
    let failed = next(&s);
    assert_eq!(warnings(&failed), 0, "{}", failed.join("\n"));
    assert_eq!(
        failed.last().unwrap(),
        "build failed (1 error): still serving the last good site"
    );

    // Compared with the last successful rebuild, not with the failed one in between.
    edit(&journey, "emotion = 12", "emotion = 3");
    let fixed = next(&s);
    assert_eq!(warnings(&fixed), 0, "{}", fixed.join("\n"));
    assert!(
        fixed.last().unwrap().ends_with("; 7 warnings unchanged, not repeated"),
        "{fixed:?}"
    );
}
