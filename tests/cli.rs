//! Command-line behaviour: init, usage errors, and no panic on any input.

mod common;

use common::*;
use proptest::prelude::*;

#[test]
fn init_creates_a_project_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("new");
    let out = run(&["init", project.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for f in [
        "journeymap.toml",
        "journeys/signup.toml",
        "pages/about.md",
        "data/events.csv",
        ".gitignore",
    ] {
        assert!(project.join(f).is_file(), "{f} missing");
    }
    let out = run(&["check", project.to_str().unwrap(), "--strict"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn init_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("journeymap.toml"), "title = \"mine\"\n").unwrap();
    let out = run(&["init", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("refusing to overwrite"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("journeymap.toml")).unwrap(),
        "title = \"mine\"\n"
    );
    assert!(
        !dir.path().join("journeys").exists(),
        "nothing written when one file exists"
    );
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["frobnicate"][..],
        &["check", "--format", "xml"],
        &["check", "--no-such-flag"],
        &["kpis", "--format", "yaml"],
        &[],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn directory_without_config_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("journeymap.toml") && err.contains("not a journeymap project"),
        "{err}"
    );
    assert!(err.contains("journeymap init"), "{err}");
}

#[test]
fn empty_config_file_reports_missing_title() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("journeymap.toml"), "").unwrap();
    let out = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("journeymap.toml:1:1: error: missing required key `title`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn journeys_entry_that_is_a_directory() {
    let dir = Project::fixture("check/base");
    std::fs::create_dir_all(dir.path().join("journeys/folder.toml")).unwrap();
    std::fs::create_dir_all(dir.path().join("journeys/plain-folder")).unwrap();
    let out = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("journeys/folder.toml: error: `journeys/folder.toml` is a directory, not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn non_utf8_journey_is_located() {
    let dir = Project::fixture("check/base");
    std::fs::write(
        dir.path().join("journeys/bad.toml"),
        b"title = \"ok\"\nname = \"caf\xe9\"\n",
    )
    .unwrap();
    let out = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("journeys/bad.toml:2:12: error: file is not valid UTF-8"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn data_file_that_is_a_directory() {
    let dir = Project::fixture("check/base");
    std::fs::remove_file(dir.path().join("data/events.csv")).unwrap();
    std::fs::create_dir_all(dir.path().join("data/events.csv")).unwrap();
    let out = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("journeys/j.toml:5:8: error: `data/events.csv` is a directory, not a regular file"),
        "{}",
        stderr(&out)
    );
}

fn check_bytes(config: &[u8], journey: &[u8]) {
    let dir = Project::fixture("check/base");
    std::fs::write(dir.path().join("journeymap.toml"), config).unwrap();
    std::fs::write(dir.path().join("journeys/j.toml"), journey).unwrap();
    let (_, diags) = journeymap::analyse(dir.path());
    for d in diags.errors() {
        assert!(d.location.is_some(), "unlocated error {d:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random bytes in either TOML file never panic, and every error is located.
    #[test]
    fn random_bytes_never_panic(config in proptest::collection::vec(any::<u8>(), 0..300),
                                journey in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_bytes(&config, &journey);
    }

    /// TOML-looking noise: plausible keys and values in random arrangements.
    #[test]
    fn toml_like_noise_never_panics(lines in proptest::collection::vec(
        prop_oneof![
            Just("[[stages]]".to_string()), Just("[[stages.touchpoints]]".to_string()),
            Just("[[stages.touchpoints.metrics]]".to_string()), Just("[targets]".to_string()),
            Just("[retention]".to_string()), Just("[data.events]".to_string()),
            "(id|title|name|emotion|events|target|periods|conversion|channel|path|min|max|period) = (\"[a-z]{0,3}\"|-?[0-9]{1,3}|true|\\[\\]|\\{ min = [0-9] \\}|\\[\"x\", \"x\"\\])",
        ], 0..25)) {
        check_bytes(b"title = \"t\"\n", lines.join("\n").as_bytes());
    }
}
