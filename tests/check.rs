//! `journeymap check`: one fixture per validation rule of SPEC §2
//! (tests/fixtures/check/<rule>/ overlaid on tests/fixtures/check/base/).

mod common;

use common::*;
use serde_json::Value;

/// Runs `check --format json` on a fixture and returns (exit code, the JSON document).
fn check_json(fixture: &str) -> (i32, Value) {
    let dir = overlay("check", fixture);
    let out = run(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    let doc: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{fixture}: bad JSON ({e}): {}", stdout(&out)));
    (out.status.code().unwrap(), doc)
}

/// Asserts that the fixture fails (or passes, for warnings) with exactly one diagnostic of
/// the given kind at `file:line`, whose message contains `message` and help contains `help`.
fn expect(fixture: &str, kind: &str, file: &str, line: u64, message: &str, help: Option<&str>) {
    let (code, doc) = check_json(fixture);
    let expected_code = if kind == "errors" { 1 } else { 0 };
    assert_eq!(code, expected_code, "{fixture}: exit code; output {doc}");
    let items = doc[kind].as_array().unwrap();
    assert_eq!(items.len(), 1, "{fixture}: expected one {kind}, got {doc}");
    let d = &items[0];
    assert_eq!(d["file"], file, "{fixture}: {d}");
    assert_eq!(d["line"], line, "{fixture}: {d}");
    assert!(d["column"].as_u64().unwrap() >= 1 || line == 0, "{fixture}: {d}");
    let msg = d["message"].as_str().unwrap();
    assert!(msg.contains(message), "{fixture}: message {msg:?} lacks {message:?}");
    if let Some(help) = help {
        let h = d["help"].as_str().unwrap_or_default();
        assert!(h.contains(help), "{fixture}: help {h:?} lacks {help:?}");
    }
    let other = if kind == "errors" { "warnings" } else { "errors" };
    assert_eq!(doc[other].as_array().unwrap().len(), 0, "{fixture}: {doc}");
}

macro_rules! rule {
    ($name:ident, $kind:literal, $file:literal, $line:literal, $msg:literal) => {
        #[test]
        fn $name() {
            expect(stringify!($name), $kind, $file, $line, $msg, None);
        }
    };
    ($name:ident, $kind:literal, $file:literal, $line:literal, $msg:literal, $help:literal) => {
        #[test]
        fn $name() {
            expect(stringify!($name), $kind, $file, $line, $msg, Some($help));
        }
    };
}

rule!(
    unknown_key,
    "errors",
    "journeys/j.toml",
    9,
    "unknown key `emotoin` in stage `a`",
    "did you mean `emotion`?"
);
rule!(
    unknown_top_key,
    "errors",
    "journeys/j.toml",
    3,
    "unknown key `tilte`",
    "did you mean `title`?"
);
rule!(
    not_a_slug,
    "errors",
    "journeys/j.toml",
    21,
    "touchpoint id `Search Ad` is not a slug",
    "use `search-ad`"
);
rule!(
    duplicate_stage,
    "errors",
    "journeys/j.toml",
    15,
    "duplicate stage id `a`",
    "line 8"
);
rule!(
    duplicate_touchpoint,
    "errors",
    "journeys/j.toml",
    18,
    "duplicate touchpoint id `view-tp`",
    "line 11"
);
rule!(
    duplicate_persona,
    "errors",
    "journeymap.toml",
    7,
    "duplicate persona id `shopper`"
);
rule!(
    duplicate_metric,
    "errors",
    "journeys/j.toml",
    25,
    "duplicate metric id `ctr`"
);
rule!(
    event_two_touchpoints,
    "errors",
    "journeys/j.toml",
    19,
    "event `view` already belongs to touchpoint `view-tp`"
);
rule!(
    emotion_range,
    "errors",
    "journeys/j.toml",
    16,
    "`emotion` must be between 1 and 5, found 7"
);
rule!(
    rate_target_range,
    "errors",
    "journeys/j.toml",
    16,
    "a rate target must be between 0 and 1, found 40",
    "write 0.4 for 40%"
);
rule!(
    journey_target_range,
    "errors",
    "journeys/j.toml",
    4,
    "a rate target must be between 0 and 1, found 1.5"
);
rule!(
    target_without_bounds,
    "errors",
    "journeys/j.toml",
    4,
    "a target needs `min` and/or `max`"
);
rule!(
    target_min_above_max,
    "errors",
    "journeys/j.toml",
    4,
    "target `min` (50) is greater than `max` (10)"
);
rule!(
    periods_zero,
    "errors",
    "journeys/j.toml",
    4,
    "`periods` must be between 1 and 1000, found 0"
);
rule!(
    bad_duration,
    "errors",
    "journeys/j.toml",
    3,
    "invalid duration `30 days`",
    "\"30d\""
);
rule!(zero_duration, "errors", "journeys/j.toml", 3, "invalid duration `0d`");
rule!(
    unknown_persona,
    "errors",
    "journeys/j.toml",
    2,
    "unknown persona `shoper`",
    "did you mean `shopper`?"
);
rule!(
    unknown_retention_stage,
    "errors",
    "journeys/j.toml",
    4,
    "unknown stage `c`",
    "stages of this journey: a, b"
);
rule!(
    metrics_without_data,
    "errors",
    "journeys/j.toml",
    21,
    "declares metrics but the journey has no [data.metrics]"
);
rule!(
    two_conversion_stages,
    "errors",
    "journeys/j.toml",
    16,
    "more than one stage has `conversion = true`"
);
rule!(
    no_stages,
    "errors",
    "journeys/j.toml",
    1,
    "a journey needs at least one stage"
);
rule!(
    missing_data_file,
    "errors",
    "journeys/j.toml",
    5,
    "cannot read data file `data/nope.csv`",
    "relative to the project root"
);
rule!(
    missing_column,
    "errors",
    "journeys/j.toml",
    6,
    "column `userid` not found in the header of `data/events.csv`",
    "did you mean `user_id`?"
);
rule!(
    missing_declared_segment,
    "errors",
    "journeys/j.toml",
    6,
    "column `amount` not found",
    "user_id,timestamp,event,segment"
);
rule!(
    metrics_header,
    "errors",
    "journeys/j.toml",
    4,
    "column `date` not found in the header of `data/bad-metrics.csv`"
);
rule!(
    missing_title,
    "errors",
    "journeys/j.toml",
    1,
    "missing required key `title`"
);
rule!(
    wrong_type,
    "errors",
    "journeys/j.toml",
    9,
    "`actions` in stage `a` must be an array of strings, found a string",
    "actions = [\"Searches\"]"
);
rule!(
    bad_choice,
    "errors",
    "journeys/j.toml",
    6,
    "`time_format` must be one of",
    "did you mean `unix_s`?"
);
rule!(invalid_toml, "errors", "journeys/j.toml", 9, "invalid TOML");
rule!(
    bad_journey_name,
    "errors",
    "journeys/My Journey.toml",
    0,
    "journey file name `My Journey` is not a slug",
    "journeys/my-journey.toml"
);
rule!(
    page_without_front_matter,
    "errors",
    "pages/about.md",
    1,
    "must start with TOML front matter"
);
rule!(
    page_unknown_key,
    "errors",
    "pages/about.md",
    3,
    "unknown key `weigth`",
    "did you mean `weight`?"
);
rule!(
    config_unknown_language,
    "errors",
    "journeymap.toml",
    2,
    "`language` must be one of en | fr, found `de`"
);
rule!(unknown_theme, "errors", "journeymap.toml", 2, "theme `fancy` not found");
rule!(
    warn_stage_without_touchpoints,
    "warnings",
    "journeys/j.toml",
    22,
    "stage `c` has no touchpoints"
);
rule!(
    warn_unknown_channel,
    "warnings",
    "journeys/j.toml",
    13,
    "unknown channel `emial`",
    "did you mean `email`?"
);

#[test]
fn valid_fixture_passes() {
    let (code, doc) = check_json("valid");
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["ok"], true);
}

#[test]
fn strict_fails_on_warnings() {
    let dir = overlay("check", "warn_stage_without_touchpoints");
    let p = dir.path().to_str().unwrap();
    assert_eq!(run(&["check", p]).status.code(), Some(0));
    assert_eq!(run(&["check", p, "--strict"]).status.code(), Some(1));
}

#[test]
fn all_errors_of_a_run_are_reported_together() {
    // Three files, five different problems: all reported in one run, sorted by place.
    let dir = overlay("check", "unknown_key");
    std::fs::write(dir.path().join("journeymap.toml"), "title = 3\n").unwrap();
    let j = std::fs::read_to_string(dir.path().join("journeys/j.toml")).unwrap();
    let j = j
        .replace("id = \"b\"", "id = \"b\"\nemotion = 9")
        .replace("persona = \"shopper\"", "persona = \"x\"");
    std::fs::write(dir.path().join("journeys/j.toml"), j).unwrap();
    std::fs::create_dir_all(dir.path().join("pages")).unwrap();
    std::fs::write(dir.path().join("pages/p.md"), "no front matter").unwrap();
    let out = run(&["check", dir.path().to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let places: Vec<(String, u64)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["file"].as_str().unwrap().to_string(), d["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        places,
        vec![
            ("journeymap.toml".to_string(), 1),
            ("journeys/j.toml".to_string(), 2),
            ("journeys/j.toml".to_string(), 9),
            ("journeys/j.toml".to_string(), 16),
            ("pages/p.md".to_string(), 1),
        ]
    );
}

#[test]
fn human_format_shows_location_snippet_caret_and_help() {
    let dir = overlay("check", "unknown_key");
    let out = run(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "journeys/j.toml:9:1: error: unknown key `emotoin` in stage `a`\n  |\n9 | emotoin = 3\n  | ^^^^^^^\n  = help: did you mean `emotion`?\n"
        ),
        "{err}"
    );
    assert!(err.contains("check failed: 1 errors, 0 warnings"), "{err}");
    assert!(!err.contains('\x1b'), "no colour when stderr is not a terminal");
}

#[test]
fn github_format_prints_annotations() {
    let dir = overlay("check", "unknown_persona");
    let out = run(&["check", dir.path().to_str().unwrap(), "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout(&out),
        "::error file=journeys/j.toml,line=2,col=11::unknown persona `shoper` (help: did you mean `shopper`?)\n"
    );
}

#[test]
fn example_project_passes() {
    let out = run(&["check", example().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("check ok: 2 journeys"), "{}", stderr(&out));
}
