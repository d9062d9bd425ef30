//! `journeymap check`: one test per validation rule of docs/spec.md. Each starts from the
//! valid project `tests/fixtures/check/base/` and makes the one change that breaks the
//! rule; its journey file, for reading the line numbers below:
//!
//! ```text
//!  1 title = "J"                  11   id = "view-tp"
//!  2 persona = "shopper"          12   events = ["view"]
//!  3                              13
//!  4 [data.events]                14 [[stages]]
//!  5 path = "data/events.csv"     15 id = "b"
//!  6                              16
//!  7 [[stages]]                   17   [[stages.touchpoints]]
//!  8 id = "a"                     18   id = "buy-tp"
//!  9                              19   events = ["buy"]
//! 10   [[stages.touchpoints]]
//! ```

mod common;

use common::*;
use serde_json::Value;

const J: &str = "journeys/j.toml";

fn base() -> Project {
    Project::fixture("check/base")
}

/// Asserts that `p` fails (or passes, for warnings) with exactly one diagnostic of `kind`
/// at `file:line`, whose message contains `message` and help contains `help`.
fn expect(p: &Project, kind: &str, file: &str, line: u64, message: &str, help: Option<&str>) {
    let (code, doc) = p.check_json(&[]);
    let expected_code = if kind == "errors" { 1 } else { 0 };
    assert_eq!(code, expected_code, "exit code; output {doc}");
    let items = doc[kind].as_array().unwrap();
    assert_eq!(items.len(), 1, "expected one of {kind}, got {doc}");
    let d = &items[0];
    assert_eq!(d["file"], file, "{d}");
    assert_eq!(d["line"], line, "{d}");
    assert!(d["column"].as_u64().unwrap() >= 1 || line == 0, "{d}");
    let msg = d["message"].as_str().unwrap();
    assert!(msg.contains(message), "message {msg:?} lacks {message:?}");
    if let Some(help) = help {
        let h = d["help"].as_str().unwrap_or_default();
        assert!(h.contains(help), "help {h:?} lacks {help:?}");
    }
    let other = if kind == "errors" { "warnings" } else { "errors" };
    assert_eq!(doc[other].as_array().unwrap().len(), 0, "{doc}");
}

fn error(p: &Project, file: &str, line: u64, message: &str, help: Option<&str>) {
    expect(p, "errors", file, line, message, help);
}

#[test]
fn the_base_project_passes() {
    let (code, doc) = base().check_json(&["--strict"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["ok"], true);
}

#[test]
fn unknown_key() {
    let p = base();
    p.set_line(J, 9, "emotoin = 3");
    error(
        &p,
        J,
        9,
        "unknown key `emotoin` in stage `a`",
        Some("did you mean `emotion`?"),
    );
}

#[test]
fn unknown_top_key() {
    let p = base();
    p.set_line(J, 3, "tilte = \"x\"");
    error(&p, J, 3, "unknown key `tilte`", Some("did you mean `title`?"));
}

#[test]
fn not_a_slug() {
    let p = base();
    p.append(J, "  [[stages.touchpoints]]\n  id = \"Search Ad\"\n");
    error(
        &p,
        J,
        21,
        "touchpoint id `Search Ad` is not a slug",
        Some("use `search-ad`"),
    );
}

#[test]
fn duplicate_stage() {
    let p = base();
    p.set_line(J, 15, "id = \"a\"");
    error(&p, J, 15, "duplicate stage id `a`", Some("line 8"));
}

#[test]
fn duplicate_touchpoint() {
    let p = base();
    p.set_line(J, 18, "  id = \"view-tp\"");
    error(&p, J, 18, "duplicate touchpoint id `view-tp`", Some("line 11"));
}

#[test]
fn duplicate_persona() {
    let p = base();
    p.append("journeymap.toml", "\n[[personas]]\nid = \"shopper\"\n");
    error(&p, "journeymap.toml", 8, "duplicate persona id `shopper`", None);
}

#[test]
fn duplicate_metric() {
    let p = base();
    p.set_line(J, 3, "[data.metrics]\npath = \"data/metrics.csv\"");
    p.append(J, "    [[stages.touchpoints.metrics]]\n    id = \"ctr\"\n\n    [[stages.touchpoints.metrics]]\n    id = \"ctr\"\n");
    error(&p, J, 25, "duplicate metric id `ctr`", None);
}

#[test]
fn event_two_touchpoints() {
    let p = base();
    p.set_line(J, 19, "  events = [\"buy\", \"view\"]");
    error(&p, J, 19, "event `view` already belongs to touchpoint `view-tp`", None);
}

#[test]
fn emotion_range() {
    let p = base();
    p.set_line(J, 16, "emotion = 7");
    error(&p, J, 16, "`emotion` must be between 1 and 5, found 7", None);
}

#[test]
fn rate_target_range() {
    let p = base();
    p.set_line(J, 16, "target = { min = 40 }");
    error(
        &p,
        J,
        16,
        "a rate target must be between 0 and 1, found 40",
        Some("write 0.4 for 40%"),
    );
}

#[test]
fn journey_target_range() {
    let p = base();
    p.set_line(J, 3, "[targets]\nconversion_rate = { min = 1.5 }");
    error(&p, J, 4, "a rate target must be between 0 and 1, found 1.5", None);
}

#[test]
fn target_without_bounds() {
    let p = base();
    p.set_line(J, 3, "[targets]\naov = { }");
    error(&p, J, 4, "a target needs `min` and/or `max`", None);
}

#[test]
fn target_min_above_max() {
    let p = base();
    p.set_line(J, 3, "[targets]\naov = { min = 50, max = 10 }");
    error(&p, J, 4, "target `min` (50) is greater than `max` (10)", None);
}

#[test]
fn retention_target_beyond_periods() {
    let p = base();
    p.set_line(J, 3, "[targets]\nretention = { period = 9, min = 0.1 }");
    error(
        &p,
        J,
        4,
        "(`periods` defaults to 8 when not set in [retention])",
        Some("set `periods = 9`"),
    );
    let p = base();
    p.set_line(
        J,
        3,
        "[retention]\nperiods = 12\n[targets]\nretention = { period = 13, min = 0.1 }",
    );
    error(
        &p,
        J,
        6,
        "it has 12 periods after period 0 (`periods = 12` in [retention])",
        Some("set `periods = 13`"),
    );
    p.replace(J, "period = 13", "period = 12");
    let (code, doc) = p.check_json(&[]);
    assert_eq!((code, doc["errors"].as_array().unwrap().len()), (0, 0), "{doc}");
}

#[test]
fn periods_zero() {
    let p = base();
    p.set_line(J, 3, "[retention]\nperiods = 0");
    error(&p, J, 4, "`periods` must be between 1 and 1000, found 0", None);
}

#[test]
fn bad_duration() {
    let p = base();
    p.set_line(J, 3, "conversion_window = \"30 days\"");
    error(&p, J, 3, "invalid duration `30 days`", Some("\"30d\""));
}

#[test]
fn zero_duration() {
    let p = base();
    p.set_line(J, 3, "conversion_window = \"0d\"");
    error(&p, J, 3, "invalid duration `0d`", None);
}

#[test]
fn unknown_persona() {
    let p = base();
    p.set_line(J, 2, "persona = \"shoper\"");
    error(&p, J, 2, "unknown persona `shoper`", Some("did you mean `shopper`?"));
}

#[test]
fn unknown_retention_stage() {
    let p = base();
    p.set_line(J, 3, "[retention]\ncohort_stage = \"c\"");
    error(&p, J, 4, "unknown stage `c`", Some("stages of this journey: a, b"));
}

#[test]
fn metrics_without_data() {
    let p = base();
    p.append(J, "    [[stages.touchpoints.metrics]]\n    id = \"ctr\"\n");
    error(
        &p,
        J,
        21,
        "declares metrics but the journey has no [data.metrics]",
        None,
    );
}

#[test]
fn two_conversion_stages() {
    let p = base();
    p.set_line(J, 9, "conversion = true");
    p.set_line(J, 16, "conversion = true");
    error(&p, J, 16, "more than one stage has `conversion = true`", None);
}

#[test]
fn no_stages() {
    let p = base();
    p.write(J, "title = \"J\"\n");
    error(&p, J, 1, "a journey needs at least one stage", None);
}

#[test]
fn missing_data_file() {
    let p = base();
    p.set_line(J, 5, "path = \"data/nope.csv\"");
    error(
        &p,
        J,
        5,
        "cannot read data file `data/nope.csv`",
        Some("relative to the project root"),
    );
}

#[test]
fn missing_column() {
    let p = base();
    p.set_line(J, 6, "user = \"userid\"");
    error(
        &p,
        J,
        6,
        "column `userid` not found in the header of `data/events.csv`",
        Some("did you mean `user_id`?"),
    );
}

#[test]
fn missing_declared_revenue_column() {
    let p = base();
    p.set_line(J, 6, "revenue = \"amount\"");
    error(
        &p,
        J,
        6,
        "column `amount` not found",
        Some("user_id,timestamp,event,segment"),
    );
}

#[test]
fn metrics_header() {
    let p = base();
    p.set_line(J, 3, "[data.metrics]\npath = \"data/bad-metrics.csv\"");
    p.write("data/bad-metrics.csv", "day,key,metric,value\n");
    error(
        &p,
        J,
        4,
        "column `date` not found in the header of `data/bad-metrics.csv`",
        None,
    );
}

#[test]
fn missing_title() {
    let p = base();
    p.set_line(J, 1, "");
    error(&p, J, 1, "missing required key `title`", None);
}

#[test]
fn wrong_type() {
    let p = base();
    p.set_line(J, 9, "actions = \"Searches\"");
    error(
        &p,
        J,
        9,
        "`actions` in stage `a` must be an array of strings, found a string",
        Some("actions = [\"Searches\"]"),
    );
}

#[test]
fn bad_choice() {
    let p = base();
    p.set_line(J, 6, "time_format = \"unix_sec\"");
    error(&p, J, 6, "`time_format` must be one of", Some("did you mean `unix_s`?"));
}

#[test]
fn invalid_toml() {
    let p = base();
    p.set_line(J, 9, "name = \"unterminated");
    error(&p, J, 9, "invalid TOML", None);
}

#[test]
fn bad_journey_name() {
    let p = base();
    p.write("journeys/My Journey.toml", p.read(J)).remove(J);
    error(
        &p,
        "journeys/My Journey.toml",
        0,
        "journey file name `My Journey` is not a slug",
        Some("journeys/my-journey.toml"),
    );
}

#[test]
fn page_without_front_matter() {
    let p = base();
    p.write("pages/about.md", "# About\n");
    error(&p, "pages/about.md", 1, "must start with TOML front matter", None);
}

#[test]
fn page_unknown_key() {
    let p = base();
    p.write("pages/about.md", "+++\ntitle = \"About\"\nweigth = 2\n+++\nText\n");
    error(
        &p,
        "pages/about.md",
        3,
        "unknown key `weigth`",
        Some("did you mean `weight`?"),
    );
}

#[test]
fn config_unknown_language() {
    let p = base();
    p.set_line("journeymap.toml", 2, "language = \"de\"");
    error(
        &p,
        "journeymap.toml",
        2,
        "`language` must be one of en | fr, found `de`",
        None,
    );
}

#[test]
fn unknown_currency() {
    let p = base();
    p.set_line("journeymap.toml", 2, "currency = \"eur\"");
    error(
        &p,
        "journeymap.toml",
        2,
        "unknown currency `eur`",
        Some("write it in capitals: `currency = \"EUR\"`"),
    );
    p.set_line("journeymap.toml", 2, "currency = \"EURO\"");
    error(
        &p,
        "journeymap.toml",
        2,
        "unknown currency `EURO`",
        Some("did you mean `EUR`?"),
    );
}

#[test]
fn unknown_theme() {
    let p = base();
    p.set_line("journeymap.toml", 2, "theme = \"fancy\"");
    error(&p, "journeymap.toml", 2, "theme `fancy` not found", None);
}

#[test]
fn warn_stage_without_touchpoints() {
    let p = base();
    p.append(J, "[[stages]]\nid = \"c\"\n");
    expect(&p, "warnings", J, 21, "stage `c` has no touchpoints", None);
    let code = |args: &[&str]| p.run("check", args).status.code();
    assert_eq!(code(&[]), Some(0));
    assert_eq!(code(&["--strict"]), Some(1), "--strict fails on warnings");
}

#[test]
fn warn_unknown_channel() {
    let p = base();
    p.set_line(J, 13, "  channel = \"emial\"");
    expect(
        &p,
        "warnings",
        J,
        13,
        "unknown channel `emial`",
        Some("did you mean `email`?"),
    );
}

#[test]
fn all_errors_of_a_run_are_reported_together() {
    // Four files, six problems — spec errors, a data file's missing column, a page —
    // all reported in one run, sorted by place.
    let p = base();
    p.write("journeymap.toml", "title = 3\n");
    p.set_line(J, 2, "persona = \"x\"");
    p.set_line(J, 6, "user = \"userid\"");
    p.set_line(J, 9, "emotoin = 3");
    p.set_line(J, 16, "emotion = 9");
    p.write("pages/p.md", "no front matter");
    let (code, doc) = p.check_json(&[]);
    assert_eq!(code, 1);
    let places: Vec<(String, u64)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["file"].as_str().unwrap().to_string(), d["line"].as_u64().unwrap()))
        .collect();
    let want = [
        ("journeymap.toml", 1),
        (J, 2),
        (J, 6),
        (J, 9),
        (J, 16),
        ("pages/p.md", 1),
    ];
    assert_eq!(places, want.map(|(f, l)| (f.to_string(), l)), "{doc}");
}

#[test]
fn human_format_shows_location_snippet_caret_and_help() {
    let p = base();
    p.set_line(J, 9, "emotoin = 3");
    let out = p.run("check", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "journeys/j.toml:9:1: error: unknown key `emotoin` in stage `a`\n  |\n9 | emotoin = 3\n  | ^^^^^^^\n  = help: did you mean `emotion`?\n"
        ),
        "{err}"
    );
    assert!(err.contains("check failed: 1 error, 0 warnings"), "{err}");
    assert!(!err.contains('\x1b'), "no colour when stderr is not a terminal");
}

#[test]
fn github_format_prints_annotations() {
    let p = base();
    p.set_line(J, 2, "persona = \"shoper\"");
    let out = p.run("check", &["--format", "github"]);
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

#[test]
fn json_lists_targets_with_their_journey() {
    let p = base();
    p.set_line(J, 3, "[targets]\nconversion_rate = { min = 0.5 }");
    let (code, doc) = p.check_json(&[]);
    assert_eq!(code, 0, "{doc}");
    let t: &Value = &doc["targets"][0];
    assert_eq!(
        (t["journey"].as_str(), t["kpi"].as_str(), t["met"].as_bool()),
        (Some("j"), Some("conversion_rate"), Some(true))
    );
}

/// The base project with metrics, and a score metric whose line 24 is `scale = …`.
fn with_score_metric(scale: &str) -> Project {
    let p = base();
    p.set_line(J, 3, "[data.metrics]\npath = \"data/metrics.csv\"");
    p.append(
        J,
        &format!("    [[stages.touchpoints.metrics]]\n    id = \"csat\"\n    unit = \"score\"\n    {scale}\n"),
    );
    p
}

#[test]
fn metric_scales_named_or_explicit_pass() {
    for scale in [
        "scale = \"nps\"",
        "scale = \"csat\"",
        "scale = \"ces\"",
        "scale = \"stars\"",
        "scale = { min = 1, max = 5 }",
        "scale = { min = -1.5, max = 0 }",
    ] {
        let (code, doc) = with_score_metric(scale).check_json(&[]);
        assert_eq!(code, 0, "{scale}: {doc}");
        assert_eq!(doc["errors"].as_array().unwrap().len(), 0, "{scale}: {doc}");
    }
}

#[test]
fn unknown_scale_name() {
    let p = with_score_metric("scale = \"cast\"");
    error(
        &p,
        J,
        24,
        "`scale` must be one of nps | csat | ces | stars, found `cast`",
        Some("did you mean `csat`?"),
    );
}

#[test]
fn scale_min_not_below_max() {
    let p = with_score_metric("scale = { min = 5, max = 1 }");
    error(
        &p,
        J,
        24,
        "scale `min` (5) must be less than `max` (1)",
        Some("scale = { min = 1, max = 5 }"),
    );
    let p = with_score_metric("scale = { min = 3, max = 3 }");
    error(&p, J, 24, "scale `min` (3) must be less than `max` (3)", None);
}

#[test]
fn scale_without_max() {
    let p = with_score_metric("scale = { min = 1 }");
    error(&p, J, 24, "a scale needs both `min` and `max`", Some("nps (0–10)"));
}

#[test]
fn scale_of_the_wrong_type() {
    let p = with_score_metric("scale = 5");
    error(
        &p,
        J,
        24,
        "`scale` in metric `csat` must be a scale name or `{ min, max }`, found an integer",
        None,
    );
    let p = with_score_metric("scale = { min = 1, max = 5, step = 1 }");
    error(
        &p,
        J,
        24,
        "unknown key `step` in metric `scale`",
        Some("known keys: max, min"),
    );
}
