//! KPI definitions of docs/kpis.md on small hand-made cases. Each case is a tiny project
//! whose CSV sits next to its assertions, so the expected numbers can be checked by eye.

mod common;

use common::*;
use serde_json::{json, Value};

const CONFIG: &str = "title = \"KPI fixture\"\n";

/// A three-stage journey a → b → c (touchpoints ta, tb, tc with events ea, eb, ec).
fn journey(extra: &str) -> String {
    format!(
        r#"title = "J"
{extra}
[data.events]
path = "data/events.csv"

[[stages]]
id = "a"
  [[stages.touchpoints]]
  id = "ta"
  events = ["ea"]
  [[stages.touchpoints]]
  id = "ta2"
  events = ["ea2"]

[[stages]]
id = "b"
  [[stages.touchpoints]]
  id = "tb"
  events = ["eb"]

[[stages]]
id = "c"
  [[stages.touchpoints]]
  id = "tc"
  events = ["ec"]
"#
    )
}

fn project(journey_toml: &str, csv: &str) -> Project {
    let p = Project::empty();
    p.write("journeymap.toml", CONFIG)
        .write("journeys/j.toml", journey_toml)
        .write("data/events.csv", csv);
    p
}

/// `journeymap kpis --format json` of the project's only journey.
fn kpis(journey_toml: &str, csv: &str) -> Value {
    project(journey_toml, csv).journey_kpis()
}

fn users(k: &Value) -> Vec<Value> {
    k["funnel"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["users"].clone())
        .collect()
}

#[test]
fn equal_timestamps_keep_order() {
    let k = kpis(
        &journey(""),
        "user_id,timestamp,event\nu1,2026-01-05T10:00:00Z,ea\nu1,2026-01-05T10:00:00Z,eb\nu1,2026-01-05T10:00:00Z,ec\n",
    );
    assert_eq!(users(&k), vec![json!(1), json!(1), json!(1)]);
    assert_eq!(k["funnel"]["steps"][1]["median_seconds_from_previous"], json!(0.0));
    assert_eq!(k["conversion_rate"], json!(1.0));
}

#[test]
fn a_later_reentry_succeeds_when_the_first_start_fails_the_window() {
    // Window 1h. Start at 08:00 reaches b at 10:00 (too late); the re-entry at 09:30 does,
    // and c follows at 10:15.
    let csv = "user_id,timestamp,event\n\
               u1,2026-01-05T08:00:00Z,ea\n\
               u1,2026-01-05T09:30:00Z,ea2\n\
               u1,2026-01-05T10:00:00Z,eb\n\
               u1,2026-01-05T10:15:00Z,ec\n";
    let k = kpis(&journey("conversion_window = \"1h\""), csv);
    assert_eq!(k["funnel"]["window_seconds"], json!(3600));
    assert_eq!(users(&k), vec![json!(1), json!(1), json!(1)]);
    assert_eq!(k["funnel"]["steps"][1]["median_seconds_from_previous"], json!(1800.0));
    assert_eq!(k["funnel"]["steps"][2]["median_seconds_from_previous"], json!(900.0));
    // Without the re-entry the user stops at step 1.
    let k = kpis(
        &journey("conversion_window = \"1h\""),
        &csv.replace("u1,2026-01-05T09:30:00Z,ea2\n", ""),
    );
    assert_eq!(users(&k), vec![json!(1), json!(0), json!(0)]);
    // Exits count the user's last mapped event: ec at 10:15, not where the funnel stopped.
    assert_eq!(k["stages"][0]["touchpoints"][0]["exits"], json!(0));
    assert_eq!(k["stages"][2]["touchpoints"][0]["exits"], json!(1));
}

#[test]
fn users_without_a_stage_one_event_are_not_in_the_funnel_but_reach_their_stages() {
    let csv =
        "user_id,timestamp,event\nu1,2026-01-05T10:00:00Z,ea\nu2,2026-01-05T10:00:00Z,eb\nu2,2026-01-05T11:00:00Z,ec\n";
    let k = kpis(&journey(""), csv);
    assert_eq!(users(&k), vec![json!(1), json!(0), json!(0)]);
    let reach: Vec<Value> = k["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reach"].clone())
        .collect();
    assert_eq!(reach, vec![json!(1), json!(1), json!(1)]);
    // u1 stopped at step 1; u2 never started so is not an exit.
    assert_eq!(k["stages"][0]["touchpoints"][0]["exits"], json!(1));
    assert_eq!(k["stages"][2]["touchpoints"][0]["exits"], json!(0));
}

#[test]
fn zero_denominators_are_null_never_nan() {
    // Nobody has a stage-1 event; no revenue rows; retention cohort stage never reached.
    let csv = "user_id,timestamp,event,revenue\nu1,2026-01-05T10:00:00Z,eb,\n";
    let k = kpis(&journey(""), csv);
    assert_eq!(users(&k), vec![json!(0), json!(0), json!(0)]);
    for s in k["funnel"]["steps"].as_array().unwrap() {
        assert_eq!(s["conversion_from_start"], Value::Null);
        assert_eq!(s["median_seconds_from_previous"], Value::Null);
    }
    assert_eq!(k["funnel"]["steps"][1]["conversion_from_previous"], Value::Null);
    assert_eq!(k["conversion_rate"], Value::Null);
    assert_eq!(
        k["revenue"],
        json!({"orders": 0, "total": 0.0, "aov": null, "buyers": 0, "repeat_purchase_rate": null})
    );
    assert_eq!(k["retention"]["cohorts"], json!([]));
    assert!(k["retention"]["average"].as_array().unwrap().iter().all(Value::is_null));
}

#[test]
fn rows_in_any_order_and_time_zone_offsets_are_instants() {
    let sorted = "user_id,timestamp,event\n\
                  u1,2026-01-05T10:00:00Z,ea\n\
                  u1,2026-01-05T10:30:00Z,eb\n\
                  u1,2026-01-05T11:00:00Z,ec\n\
                  u2,2026-01-05T09:00:00Z,ea\n\
                  u2,2026-01-05T09:10:00Z,eb\n";
    // The same instants, shuffled, written with offsets, a space separator and no offset.
    let shuffled = "user_id,timestamp,event\n\
                    u2,2026-01-05 09:10:00,eb\n\
                    u1,2026-01-05T06:00:00-05:00,ec\n\
                    u1,2026-01-05T12:00:00+02:00,ea\n\
                    u2,2026-01-05T10:00:00+01:00,ea\n\
                    u1,2026-01-05T10:30:00.000Z,eb\n";
    let a = kpis(&journey(""), sorted);
    let b = kpis(&journey(""), shuffled);
    assert_eq!(a, b);
    assert_eq!(users(&a), vec![json!(2), json!(2), json!(1)]);
    // Medians: b − a is 30 min and 10 min → 1200 s (mean of the two middle values).
    assert_eq!(a["funnel"]["steps"][1]["median_seconds_from_previous"], json!(1200.0));
}

#[test]
fn weekly_cohorts_start_on_monday() {
    // Sunday 2026-01-04 23:59:59 and Monday 2026-01-05 00:00:00 are different ISO weeks.
    let csv = "user_id,timestamp,event\n\
               u1,2026-01-04T23:59:59Z,ec\n\
               u2,2026-01-05T00:00:00Z,ec\n\
               u1,2026-01-05T08:00:00Z,ec\n\
               u2,2026-01-11T23:59:59Z,ec\n\
               u2,2026-01-12T00:00:00Z,ec\n\
               u3,2026-01-19T12:00:00Z,ea\n";
    let k = kpis(&journey("[retention]\nperiods = 2"), csv);
    let r = &k["retention"];
    assert_eq!(r["period"], "week");
    assert_eq!(r["cohort_stage"], "c");
    assert_eq!(r["return_stage"], "c");
    assert_eq!(
        r["cohorts"],
        json!([
            {"start": "2025-12-29", "size": 1, "retained": [1, 1, 0], "rates": [1.0, 1.0, 0.0]},
            {"start": "2026-01-05", "size": 1, "retained": [1, 1, 0], "rates": [1.0, 1.0, 0.0]}
        ])
    );
    assert_eq!(r["average"], json!([1.0, 1.0, 0.0]));
}

#[test]
fn monthly_cohorts_and_not_yet_observable_cells() {
    // Latest event: 2026-02-10, so for the January cohort period 2 (March) is not yet
    // observable, and for the February cohort periods 1 and 2 are not.
    let csv = "user_id,timestamp,event\n\
               u1,2026-01-31T23:30:00-01:00,ec\n\
               u2,2026-01-31T22:00:00Z,ec\n\
               u2,2026-02-10T10:00:00Z,ec\n\
               u3,2026-01-15T10:00:00Z,ec\n";
    let k = kpis(&journey("[retention]\nperiod = \"month\"\nperiods = 2"), csv);
    let r = &k["retention"];
    // u1's event is 2026-02-01T00:30Z in UTC: February cohort.
    assert_eq!(
        r["cohorts"],
        json!([
            {"start": "2026-01-01", "size": 2, "retained": [2, 1, null], "rates": [1.0, 0.5, null]},
            {"start": "2026-02-01", "size": 1, "retained": [1, null, null], "rates": [1.0, null, null]}
        ])
    );
    // Period 1 averages the January cohort only; period 2 has no observable cell.
    assert_eq!(r["average"], json!([1.0, 0.5, null]));
}

#[test]
fn revenue_segments_and_unmapped_events() {
    let csv = "user_id,timestamp,event,segment,revenue\n\
               u1,2026-01-05T10:00:00Z,ea,,\n\
               u1,2026-01-05T10:05:00Z,page_view,mobile,\n\
               u1,2026-01-05T10:10:00Z,eb,desktop,\n\
               u1,2026-01-05T10:20:00Z,ec,,30.5\n\
               u1,2026-01-06T10:20:00Z,refund_note,,-10.5\n\
               u2,2026-01-05T10:00:00Z,ea,desktop,\n\
               u2,2026-01-05T10:00:00Z,ec,mobile,40\n\
               u3,2026-01-05T10:00:00Z,page_view,,\n";
    let k = kpis(&journey(""), csv);
    assert_eq!(
        k["revenue"],
        json!({"orders": 3, "total": 60.0, "aov": 20.0, "buyers": 2, "repeat_purchase_rate": 0.5})
    );
    assert_eq!(k["unmapped_events"], json!({"page_view": 2, "refund_note": 1}));
    // u1's first segment value is "mobile" (on an unmapped event); u2's earliest line at
    // 10:00 is "desktop"; u3 has none.
    let segs: Vec<(String, Value, Value)> = k["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["conversion_rate"].clone(),
                s["funnel"]["steps"][0]["users"].clone(),
            )
        })
        .collect();
    assert_eq!(
        segs,
        vec![
            ("(none)".to_string(), Value::Null, json!(0)),
            ("desktop".to_string(), json!(0.0), json!(1)),
            ("mobile".to_string(), json!(1.0), json!(1)),
        ]
    );
    assert_eq!(k["stages"][0]["touchpoints"][0]["events"], json!(2));
    assert_eq!(k["stages"][0]["touchpoints"][0]["users"], json!(2));
    // u2 reached a and c but never b: stops at step 1; its last event (c, a later line at the
    // same time) is the exit.
    assert_eq!(k["stages"][2]["touchpoints"][0]["exits"], json!(1));
}

#[test]
fn segment_values_beyond_what_can_be_told_apart_count_as_none() {
    // Code 0 is "(none)", so 59,999 values get a segment of their own; the users of the two
    // values after them have none, and a warning says so. (Through the library: printing
    // 60,000 segment funnels as JSON would take most of the time.)
    let mut csv = String::from("user_id,timestamp,event,segment\n");
    for i in 0..60_001 {
        csv += &format!("u{i},2026-01-05T10:00:00Z,ea,value-{i:06}-of-the-segment-column\n");
    }
    csv += "u0,2026-01-05T11:00:00Z,eb,value-000000-of-the-segment-column\n";
    let p = project(&journey(""), &csv);
    let (analysis, diags) = journeymap::analyse(p.path());
    let analysis = analysis.unwrap_or_else(|| panic!("{diags:?}"));
    assert!(
        diags
            .warnings()
            .any(|d| d.message.contains("more than 60000 distinct values")),
        "{diags:?}"
    );
    let segs = &analysis.kpis.journeys[0].segments;
    assert_eq!(segs.len(), 60_000);
    let first_users = |id: &str| -> Vec<Option<u64>> {
        let s = segs.iter().find(|s| s.id == id).unwrap();
        s.funnel.steps.iter().map(|s| s.users).collect()
    };
    assert_eq!(first_users("(none)"), vec![Some(2), Some(0), Some(0)]);
    assert_eq!(
        first_users("value-000000-of-the-segment-column"),
        vec![Some(1), Some(1), Some(0)]
    );
    assert_eq!(
        first_users("value-059998-of-the-segment-column"),
        vec![Some(1), Some(0), Some(0)]
    );
    assert!(segs.iter().all(|s| s.id != "value-059999-of-the-segment-column"));
}

#[test]
fn a_window_too_long_to_count_in_microseconds_is_no_window() {
    // 9,223,372,036,855 s is a valid window, but in microseconds it overflows an i64: it is
    // longer than any two instants can be apart, so the funnel is the unlimited one.
    let csv = "user_id,timestamp,event\n\
               u1,1990-01-05T10:00:00Z,ea\n\
               u1,2026-01-05T10:00:00Z,eb\n\
               u1,9999-12-31T23:59:59Z,ec\n\
               u2,2026-01-05T10:00:00Z,ea\n";
    let unlimited = kpis(&journey(""), csv);
    assert_eq!(users(&unlimited), vec![json!(2), json!(1), json!(1)]);
    let huge = kpis(&journey("conversion_window = \"9223372036855s\""), csv);
    assert_eq!(huge["funnel"]["window_seconds"], json!(9_223_372_036_855_i64));
    assert_eq!(huge["funnel"]["steps"], unlimited["funnel"]["steps"]);
    // Just below the limit the window counts in microseconds, and still spans everything.
    let big = kpis(&journey("conversion_window = \"9223372036854s\""), csv);
    assert_eq!(big["funnel"]["steps"], unlimited["funnel"]["steps"]);
}

#[test]
fn bad_rows_fail_with_file_line_column() {
    let csv = "user_id,timestamp,event,revenue\n\
               u1,2026-01-05T10:00:00Z,ea,\n\
               u1,yesterday,eb,\n\
               u2,2026-01-05T10:00:00Z,ea,12,50\n\
               u3,1767607200,ea,\n\
               u4,2026-01-05T10:00:00Z,ea,12;50\n";
    let p = project(&journey(""), csv);
    let out = p.run("check", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("data/events.csv:3:4: error: invalid time `yesterday` in column `timestamp`"),
        "{err}"
    );
    assert!(err.contains("3 | u1,yesterday,eb,\n  |    ^"), "{err}");
    assert!(
        err.contains("data/events.csv:4:1: error: expected 4 fields, found 5"),
        "{err}"
    );
    assert!(
        err.contains("data/events.csv:5:4: error: invalid time `1767607200`"),
        "{err}"
    );
    assert!(err.contains("set `time_format = \"unix_s\"`"), "{err}");
    assert!(
        err.contains("data/events.csv:6:28: error: invalid revenue `12;50`"),
        "{err}"
    );
}

#[test]
fn bad_rows_are_skipped_and_counted_with_on_error_skip() {
    let csv = "user_id,timestamp,event\n\
               u1,2026-01-05T10:00:00Z,ea\n\
               u1,yesterday,eb\n\
               ,2026-01-05T10:00:00Z,ea\n\
               u2,2026-01-05T10:00:00Z,ea,extra\n\
               u2,2026-02-30T10:00:00Z,ea\n";
    let toml = journey("").replace(
        "path = \"data/events.csv\"",
        "path = \"data/events.csv\"\non_error = \"skip\"",
    );
    let p = project(&toml, csv);
    let out = p.run("check", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: skipped 4 bad rows of `data/events.csv`: 1 empty user id, 2 unparsable time, 1 wrong number of fields"),
        "{}",
        stderr(&out)
    );
    let k = kpis(&toml, csv);
    assert_eq!(users(&k), vec![json!(1), json!(0), json!(0)]);
}

#[test]
fn gzip_bom_crlf_and_quoted_fields() {
    use std::io::Write;
    let csv = "\u{feff}user_id,timestamp,event,segment\r\nu1,2026-01-05T10:00:00Z,ea,\"mobile, EU\"\r\n\"u1\",2026-01-05T10:01:00Z,\"eb\",\r\n";
    let plain = kpis(&journey(""), csv);
    let dir = project(&journey("").replace("events.csv", "events.csv.gz"), "");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(csv.as_bytes()).unwrap();
    std::fs::write(dir.path().join("data/events.csv.gz"), gz.finish().unwrap()).unwrap();
    let out = run(&["kpis", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let gz_kpis: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plain, gz_kpis["journeys"][0]);
    assert_eq!(users(&plain), vec![json!(1), json!(1), json!(0)]);
    assert_eq!(plain["segments"][0]["id"], "mobile, EU");
}

/// Rows enough to span more than one read buffer of the event reader (1 MiB), so the fast
/// unquoted-line path carries partial lines across reads and switches to the csv crate
/// in the middle of the file when a quote appears.
fn many_rows(line_end: &str, quote_at: Option<usize>) -> String {
    let mut csv = format!("user_id,timestamp,event,segment{line_end}");
    for i in 0..40_000usize {
        let user = format!("user-{}", i % 9_000);
        let event = ["ea", "ea2", "eb", "ec", "zz"][i * 7 % 5];
        let segment = ["web", "app", ""][i % 3];
        let t = format!("2026-01-{:02}T{:02}:{:02}:00Z", 1 + i % 28, i % 24, i % 60);
        if quote_at == Some(i) {
            csv += &format!("\"{user}\",{t},\"{event}\",\"{segment}\"{line_end}");
        } else {
            csv += &format!("{user},{t},{event},{segment}{line_end}");
        }
    }
    csv
}

#[test]
fn line_endings_and_a_late_quote_read_the_same_rows() {
    let lf = kpis(&journey(""), &many_rows("\n", None));
    assert!(lf["funnel"]["steps"][0]["users"].as_u64().unwrap() > 1000);
    assert_eq!(lf, kpis(&journey(""), &many_rows("\r\n", None)), "CRLF");
    assert_eq!(lf, kpis(&journey(""), &many_rows("\r", None)), "lone CR");
    assert_eq!(lf, kpis(&journey(""), &many_rows("\n", Some(35_000))), "late quote");
    let no_final_newline = many_rows("\n", None);
    assert_eq!(lf, kpis(&journey(""), no_final_newline.trim_end()), "no final newline");
    // Line numbers stay right on both sides of the switch to the csv crate.
    for (quote_at, bad) in [(35_000, 30_000), (30_000, 35_000)] {
        let mut lines: Vec<String> = many_rows("\n", Some(quote_at)).lines().map(String::from).collect();
        lines[bad + 1] = "user-1,yesterday,ea,web".into();
        let dir = project(&journey(""), &(lines.join("\n") + "\n"));
        let out = run(&["check", dir.path().to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let want = format!("data/events.csv:{}:8: error: invalid time `yesterday`", bad + 2);
        assert!(stderr(&out).contains(&want), "{want}\n{}", stderr(&out));
    }
}

#[test]
fn unix_time_formats() {
    for (format, t0, t1) in [
        ("unix_s", "1767607200", "1767607260"),
        ("unix_ms", "1767607200000", "1767607260000"),
        ("unix_us", "1767607200000000", "1767607260000000"),
    ] {
        let toml = journey("").replace(
            "path = \"data/events.csv\"",
            &format!("path = \"data/events.csv\"\ntime_format = \"{format}\""),
        );
        let k = kpis(&toml, &format!("user_id,timestamp,event\nu1,{t0},ea\nu1,{t1},eb\n"));
        assert_eq!(
            k["funnel"]["steps"][1]["median_seconds_from_previous"],
            json!(60.0),
            "{format}"
        );
    }
}

#[test]
fn kpis_json_has_the_keys_of_spec_section_5() {
    let out = run(&["kpis", example().to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["generator"], format!("journeymap {}", env!("CARGO_PKG_VERSION")));
    let keys = |v: &Value| -> Vec<String> { v.as_object().unwrap().keys().cloned().collect() };
    let j = journey_of(&doc, "online-purchase");
    assert_eq!(
        keys(j),
        [
            "id",
            "title",
            "funnel",
            "conversion_rate",
            "stages",
            "revenue",
            "retention",
            "segments",
            "trends",
            "paths",
            "unmapped_events",
            "targets",
            "feedback"
        ]
    );
    // Survey feedback (docs/kpis.md, "Survey feedback"): per source, each stage and
    // touchpoint with the scale's own share field.
    let fb = j["feedback"].as_array().unwrap();
    assert_eq!(fb.len(), 2);
    assert_eq!(keys(&fb[0]), ["id", "scale", "stages", "touchpoints", "pain_points"]);
    assert_eq!(
        keys(&fb[0]["stages"]["purchase"]),
        ["responses", "mean", "nps", "measured_emotion", "verbatims"]
    );
    assert_eq!(
        keys(&fb[1]["touchpoints"]["delivery-sms"]),
        ["responses", "mean", "satisfied", "measured_emotion", "verbatims"]
    );
    assert_eq!(keys(&fb[0]["stages"]["purchase"]["verbatims"][0]), ["time", "text"]);
    assert_eq!(keys(&fb[0]["pain_points"][0]), ["stage", "text", "mentions"]);
    assert_eq!(
        keys(&fb[0]["stages"]),
        ["awareness", "consideration", "purchase", "retention", "advocacy"]
    );
    assert_eq!(keys(&j["funnel"]), ["window_seconds", "steps"]);
    assert_eq!(
        keys(&j["funnel"]["steps"][0]),
        [
            "stage",
            "users",
            "conversion_from_previous",
            "conversion_from_start",
            "drop_off",
            "median_seconds_from_previous",
            "seconds_from_previous"
        ]
    );
    assert_eq!(j["funnel"]["steps"][0]["seconds_from_previous"], Value::Null);
    assert_eq!(
        keys(&j["funnel"]["steps"][1]["seconds_from_previous"]),
        ["p25", "p50", "p75", "p90", "histogram"]
    );
    assert_eq!(keys(&j["trends"][0]), ["start", "users"]);
    assert_eq!(keys(&j["paths"]), ["top", "flows"]);
    assert_eq!(keys(&j["paths"]["top"][0]), ["steps", "users", "converted"]);
    assert_eq!(keys(&j["paths"]["flows"][0]), ["step", "from", "to", "users"]);
    assert_eq!(keys(&j["stages"][0]), ["id", "reach", "touchpoints"]);
    assert_eq!(
        keys(&j["stages"][0]["touchpoints"][0]),
        ["id", "users", "events", "exits", "metrics"]
    );
    assert_eq!(
        keys(&j["revenue"]),
        ["orders", "total", "aov", "buyers", "repeat_purchase_rate"]
    );
    assert_eq!(
        keys(&j["retention"]),
        ["period", "cohort_stage", "return_stage", "cohorts", "average"]
    );
    assert_eq!(
        keys(&j["retention"]["cohorts"][0]),
        ["start", "size", "retained", "rates"]
    );
    assert_eq!(
        keys(&j["segments"][0]),
        ["id", "funnel", "conversion_rate", "conversion_ci", "p_value"]
    );
    assert_eq!(keys(&j["targets"][0]), ["kpi", "min", "max", "actual", "met"]);
    assert_eq!(j["funnel"]["window_seconds"], json!(30 * 86_400));
}

#[test]
fn kpis_csv_and_table_formats() {
    let p = example();
    let out = run(&[
        "kpis",
        p.to_str().unwrap(),
        "--journey",
        "online-purchase",
        "--format",
        "csv",
    ]);
    assert_eq!(out.status.code(), Some(0));
    // Only this journey's warnings (and the project's): none about the B2B journey.
    let err = stderr(&out);
    assert!(
        err.contains("journeys/online-purchase.toml") && !err.contains("b2b"),
        "{err}"
    );
    let text = stdout(&out);
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5);
    assert_eq!(&rows[0][0], "online-purchase");
    assert_eq!(&rows[4][2], "advocacy");
    let json_out = run(&["kpis", p.to_str().unwrap(), "--journey", "online-purchase"]);
    let doc: Value = serde_json::from_slice(&json_out.stdout).unwrap();
    assert_eq!(doc["journeys"].as_array().unwrap().len(), 1);
    assert_eq!(
        rows[2][3],
        doc["journeys"][0]["funnel"]["steps"][2]["users"].to_string()
    );
    let out = run(&["kpis", p.to_str().unwrap(), "--format", "table"]);
    assert!(
        stdout(&out).contains("Online purchase (online-purchase)"),
        "{}",
        stdout(&out)
    );
    let out = run(&["kpis", p.to_str().unwrap(), "--journey", "online-purchas"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `online-purchase`?"));
}

/// A large file read with stderr on a terminal (a pseudo-terminal from `script`, part of
/// Debian's essential util-linux) shows a progress bar; the same run with stderr piped
/// shows none. The bar is for files of 32 MiB or more: rows padded with a long column
/// make one quickly (few rows to decode).
#[test]
fn progress_bar_only_on_a_terminal() {
    let row = format!("u1,2026-01-05T10:00:00Z,ea,{}\n", "x".repeat(2000));
    let csv = format!(
        "user_id,timestamp,event,pad\n{}",
        row.repeat((33 << 20) / row.len() + 1)
    );
    let dir = project(&journey(""), &csv);
    let bin = env!("CARGO_BIN_EXE_journeymap");
    let cmd = format!("{bin} kpis {} --format csv > /dev/null", dir.path().display());
    let tty = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .output()
        .expect("`script` (util-linux) runs a command on a pseudo-terminal");
    assert!(tty.status.success(), "{}", String::from_utf8_lossy(&tty.stdout));
    let shown = String::from_utf8_lossy(&tty.stdout);
    assert!(shown.contains("reading data/events.csv"), "{shown}");
    assert!(shown.contains("MiB"), "{shown}");
    let piped = run(&["kpis", dir.path().to_str().unwrap(), "--format", "csv"]);
    assert_eq!(piped.status.code(), Some(0));
    assert!(!stderr(&piped).contains("reading"), "{}", stderr(&piped));
}

#[test]
fn quoting_is_suggested_only_for_rows_with_more_fields_than_the_header() {
    let csv = "user_id,timestamp,event\nu1,2026-01-05T10:00:00Z,ea,extra\nu2,2026-01-05T10:00:00Z\n";
    let p = project(&journey(""), csv);
    let (_, doc) = p.check_json(&[]);
    let errors = doc["errors"].as_array().unwrap();
    let help = |line: u64| errors.iter().find(|e| e["line"] == line).map(|e| e["help"].clone());
    assert_eq!(help(2).unwrap(), "quote fields that contain commas", "{doc}");
    assert_ne!(help(3).unwrap(), "quote fields that contain commas", "{doc}");
}

/// Hand-made cases of docs/kpis.md "Paths and flows" and "Segments": equal times keep the
/// file's order, a segment whose people never start has no interval and no p-value.
#[test]
fn path_ties_follow_the_file_and_an_empty_segment_is_not_tested() {
    let csv = "user_id,timestamp,event,segment\n\
               u1,2026-01-05T10:00:00Z,eb,x\n\
               u1,2026-01-05T10:00:00Z,ea,x\n\
               u1,2026-01-05T10:00:00Z,eb,x\n\
               u2,2026-01-05T10:00:00Z,ea,y\n\
               u2,2026-01-05T10:05:00Z,eb,y\n\
               u3,2026-01-05T11:00:00Z,ec,z\n";
    let k = kpis(&journey(""), csv);
    let top = &k["paths"]["top"];
    // u1's rows share one time: the path is in file order, eb → ea → eb (no collapse across ea).
    assert_eq!(
        top,
        &json!([
            {"steps": ["ta", "tb"], "users": 1, "converted": 0},
            {"steps": ["tb", "ta", "tb"], "users": 1, "converted": 0},
            {"steps": ["tc"], "users": 1, "converted": 0}
        ])
    );
    let seg = |id: &str| {
        k["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    // z: one person, never at step 1.
    assert_eq!(
        (seg("z")["conversion_ci"].clone(), seg("z")["p_value"].clone()),
        (Value::Null, Value::Null)
    );
    // Nobody converts (stage c needs a and b first): the pooled rate is 0, nothing to test.
    assert_eq!(seg("x")["p_value"], Value::Null);
    let ci = seg("x")["conversion_ci"].as_array().unwrap().clone();
    assert_eq!(ci[0], json!(0.0));
    assert!(ci[1].as_f64().unwrap() > 0.79, "{ci:?}");
}
