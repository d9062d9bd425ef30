//! Real exports in every shape give the same KPIs: random events written as CSV, `;` with
//! decimal commas, TSV, two strftime patterns, Mixpanel-shaped and Amplitude-shaped JSON
//! lines, and Parquet give byte-identical kpis.json; touchpoints told apart by `where`
//! globs on `page_view` give what distinct event names give; `occurrence` first/repeat
//! gives what a naive renaming of each user's first and later rows gives; a time zone moves
//! calendar periods and nothing else.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use parquet::arrow::ArrowWriter;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Data files by name, with their bytes.
type Files = Vec<(&'static str, Vec<u8>)>;

#[derive(Debug, Clone)]
struct Row {
    user: usize,
    /// Seconds since the epoch (whole seconds: every format below can write them).
    t: i64,
    event: usize,
    segment: usize,
    /// Cents.
    revenue: Option<i64>,
}

const BASE: i64 = 1_767_398_400; // 2026-01-03T00:00:00Z, a Saturday
const SEGMENTS: [&str; 3] = ["", "pro", "free"];

/// Touchpoints: 4 (t0..t3 listing e0..e3) over 3 stages; e4 and e5 are unmapped.
const STAGES: &str = "[[stages]]\nid = \"s0\"\n{t0}[[stages]]\nid = \"s1\"\n{t1}{t2}[[stages]]\nid = \"s2\"\n{t3}";

fn rows() -> impl Strategy<Value = Vec<Row>> {
    let row = (
        0usize..6,
        0i64..400,
        0usize..6,
        0usize..3,
        prop::option::weighted(0.3, 1i64..100_000),
    )
        .prop_map(|(user, k, event, segment, revenue)| Row {
            user,
            // Ties, and days, weeks and a month boundary (steps of ~3 h 7 min).
            t: BASE + k * 11_250,
            event,
            segment,
            revenue,
        });
    prop::collection::vec(row, 1..40)
}

/// A project: `events` is the `[data.events]` table's body, `touchpoint(k)` the table of
/// touchpoint k, `files` the data files.
fn project(events: &str, touchpoint: impl Fn(usize) -> String, files: &[(&str, Vec<u8>)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("journeys")).unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("journeymap.toml"), "title = \"P\"\n").unwrap();
    let mut stages = STAGES.to_string();
    for k in 0..4 {
        stages = stages.replace(&format!("{{t{k}}}"), &touchpoint(k));
    }
    let toml = format!(
        "title = \"J\"\nconversion_window = \"4d\"\n[data.events]\n{events}\n[retention]\nperiod = \"week\"\nperiods = 3\ncohort_stage = \"s0\"\nreturn_stage = \"s2\"\n{stages}"
    );
    std::fs::write(dir.path().join("journeys/j.toml"), toml).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join("data").join(name), bytes).unwrap();
    }
    dir
}

fn by_name(k: usize) -> String {
    format!("[[stages.touchpoints]]\nid = \"t{k}\"\nevents = [\"e{k}\"]\n")
}

/// kpis.json of a project, as `journeymap kpis` writes it.
fn kpis(dir: &tempfile::TempDir) -> String {
    let (analysis, diags) = journeymap::analyse(dir.path());
    let analysis = analysis.unwrap_or_else(|| panic!("{diags:?}"));
    assert!(!diags.has_errors(), "{diags:?}");
    serde_json::to_string_pretty(&analysis.kpis).unwrap()
}

fn ts(t: i64) -> Timestamp {
    Timestamp::from_second(t).unwrap()
}

fn amount(cents: i64, point: char) -> String {
    format!("{}{point}{:02}", cents / 100, cents % 100)
}

fn csv(rows: &[Row], sep: char, point: char, time: impl Fn(i64) -> String) -> Vec<u8> {
    let mut out = format!("user_id{sep}timestamp{sep}event{sep}segment{sep}revenue\n");
    for r in rows {
        let rev = r.revenue.map(|c| amount(c, point)).unwrap_or_default();
        // A decimal comma in a comma-separated file is quoted, as spreadsheets write it.
        let rev = if point == sep && !rev.is_empty() {
            format!("\"{rev}\"")
        } else {
            rev
        };
        out += &format!(
            "u{}{sep}{}{sep}e{}{sep}{}{sep}{rev}\n",
            r.user,
            time(r.t),
            r.event,
            SEGMENTS[r.segment]
        );
    }
    out.into_bytes()
}

fn mixpanel(rows: &[Row]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in rows {
        let mut props = json!({ "distinct_id": format!("u{}", r.user), "time": r.t, "$os": "Mac OS X", "nested": {"a": [1, {"b": null}]} });
        if r.segment > 0 {
            props["plan"] = json!(SEGMENTS[r.segment]);
        }
        if let Some(c) = r.revenue {
            // A number, written as JSON writes it.
            props["amount"] = serde_json::from_str(&amount(c, '.')).unwrap();
        }
        // The event name's first letter escaped, as a JSON writer may: read unescaped.
        let line = json!({ "event": format!("e{}", r.event), "properties": props }).to_string();
        writeln!(out, "{}", line.replace("\"event\":\"e", "\"event\":\"\\u0065")).unwrap();
    }
    out
}

fn amplitude(rows: &[Row]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in rows {
        let mut line = json!({
            "user_id": format!("u{}", r.user),
            "event_time": ts(r.t).strftime("%Y-%m-%d %H:%M:%S%.6f").to_string(),
            "event_type": format!("e{}", r.event),
            "user_properties": {},
            "revenue": null,
        });
        if r.segment > 0 {
            line["user_properties"]["plan"] = json!(SEGMENTS[r.segment]);
        }
        if let Some(c) = r.revenue {
            // Strings are accepted where a number is expected.
            line["revenue"] = json!(amount(c, '.'));
        }
        writeln!(out, "{line}").unwrap();
    }
    out
}

fn parquet(rows: &[Row]) -> Vec<u8> {
    let strings =
        |f: &dyn Fn(&Row) -> Option<String>| -> ArrayRef { Arc::new(rows.iter().map(f).collect::<StringArray>()) };
    let time: ArrayRef = Arc::new(
        TimestampMicrosecondArray::from(rows.iter().map(|r| r.t * 1_000_000).collect::<Vec<_>>()).with_timezone("UTC"),
    );
    let batch = RecordBatch::try_from_iter([
        ("user_id", strings(&|r| Some(format!("u{}", r.user)))),
        ("timestamp", time),
        ("event", strings(&|r| Some(format!("e{}", r.event)))),
        (
            "segment",
            strings(&|r| (r.segment > 0).then(|| SEGMENTS[r.segment].to_string())),
        ),
        ("revenue", strings(&|r| r.revenue.map(|c| amount(c, '.')))),
    ])
    .unwrap();
    parquet_of(&batch)
}

fn parquet_of(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    w.write(batch).unwrap();
    w.close().unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn every_format_gives_the_same_kpis(rows in rows()) {
        let rfc = |t: i64| ts(t).strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let plain = "path = \"data/e.csv\"";
        let reference = kpis(&project(plain, by_name, &[("e.csv", csv(&rows, ',', '.', rfc))]));
        let variants: Vec<(&str, String, Files)> = vec![
            ("semicolon, decimal comma", "path = \"data/e.csv\"\ndelimiter = \";\"\ndecimal = \",\"".into(),
                vec![("e.csv", csv(&rows, ';', ',', rfc))]),
            ("comma, quoted decimal comma", "path = \"data/e.csv\"\ndecimal = \",\"".into(),
                vec![("e.csv", csv(&rows, ',', ',', rfc))]),
            ("tsv", "path = \"data/e.tsv\"".into(), vec![("e.tsv", csv(&rows, '\t', '.', rfc))]),
            ("day-first pattern", "path = \"data/e.csv\"\ntime_format = \"%d/%m/%Y %H:%M:%S\"".into(),
                vec![("e.csv", csv(&rows, ',', '.', |t| ts(t).strftime("%d/%m/%Y %H:%M:%S").to_string()))]),
            ("compact pattern", "path = \"data/e.csv\"\ntime_format = \"%Y%m%d%H%M%S\"".into(),
                vec![("e.csv", csv(&rows, ',', '.', |t| ts(t).strftime("%Y%m%d%H%M%S").to_string()))]),
            ("unix seconds", "path = \"data/e.csv\"\ntime_format = \"unix_s\"".into(),
                vec![("e.csv", csv(&rows, ',', '.', |t| t.to_string()))]),
            ("mixpanel", "path = \"data/e.jsonl\"\nsource = \"mixpanel\"\nsegment = \"properties.plan\"\nrevenue = \"properties.amount\"".into(),
                vec![("e.jsonl", mixpanel(&rows))]),
            ("amplitude", "path = \"data/e.json\"\nsource = \"amplitude\"\nsegment = \"user_properties.plan\"".into(),
                vec![("e.json", amplitude(&rows))]),
            ("parquet", "path = \"data/e.parquet\"".into(), vec![("e.parquet", parquet(&rows))]),
        ];
        for (what, events, files) in variants {
            let got = kpis(&project(&events, by_name, &files));
            prop_assert!(got == reference, "{what}:\n{got}\n!=\n{reference}");
        }
    }

    /// GA4 sends `page_view` for every page: touchpoints told apart by a `where` glob on
    /// the page's URL give the KPIs of distinct event names (names no touchpoint lists
    /// stay as they were, so that unmapped counts compare too).
    #[test]
    fn where_globs_on_page_view_match_distinct_names(rows in rows()) {
        let rfc = |t: i64| ts(t).strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let reference = kpis(&project("path = \"data/e.csv\"", by_name, &[("e.csv", csv(&rows, ',', '.', rfc))]));
        let mut text = String::from("user_id,timestamp,event,segment,revenue,page_location\n");
        for r in &rows {
            let (event, url) = if r.event < 4 {
                ("page_view".to_string(), format!("https://shop.example/p{}/item?utm=x", r.event))
            } else {
                (format!("e{}", r.event), String::new())
            };
            let rev = r.revenue.map(|c| amount(c, '.')).unwrap_or_default();
            text += &format!("u{},{},{event},{},{rev},{url}\n", r.user, rfc(r.t), SEGMENTS[r.segment]);
        }
        let tp = |k: usize| format!(
            "[[stages.touchpoints]]\nid = \"t{k}\"\nevents = [\"page_view\"]\nwhere = {{ page_location = [\"nothing\", \"*/p{k}/*\"] }}\n"
        );
        let got = kpis(&project("path = \"data/e.csv\"\nproperties = [\"page_location\"]", tp, &[("e.csv", text.into_bytes())]));
        // Row counts per touchpoint and everything else: the same document.
        prop_assert!(got == reference, "{got}\n!=\n{reference}");
    }

    /// `occurrence`: e0 rows split into the first of each user (t0) and the others (t3),
    /// against the naive reference — each user's e0 rows sorted by (time, line) and renamed
    /// before reading. A `where` touchpoint before them takes "pro" rows of e1 only.
    #[test]
    fn occurrence_matches_a_naive_renaming(rows in rows()) {
        let rfc = |t: i64| ts(t).strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut renamed = rows.clone();
        let mut order: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].event == 0).collect();
        order.sort_by_key(|&i| (rows[i].user, rows[i].t, i));
        let mut seen = BTreeMap::new();
        for i in order {
            let first = seen.insert(rows[i].user, ()).is_none();
            // e0 → first: e0 (t0 lists it); later: e3 (t3 lists it).
            renamed[i].event = if first { 0 } else { 3 };
        }
        // Original e3 rows become e5 (unmapped in both) — but keep counts comparable by
        // dropping them from both sides.
        let keep = |r: &&Row| r.event != 3;
        let source: Vec<Row> = rows.iter().filter(keep).cloned().collect();
        let mut renamed_kept = Vec::new();
        for (r, orig) in renamed.iter().zip(&rows) {
            if orig.event != 3 {
                renamed_kept.push(r.clone());
            }
        }
        let reference = kpis(&project("path = \"data/e.csv\"", by_name, &[("e.csv", csv(&renamed_kept, ',', '.', rfc))]));
        let tp = |k: usize| match k {
            0 => "[[stages.touchpoints]]\nid = \"t0\"\nevents = [\"e0\"]\noccurrence = \"first\"\n".to_string(),
            3 => "[[stages.touchpoints]]\nid = \"t3\"\nevents = [\"e0\"]\noccurrence = \"repeat\"\n".to_string(),
            k => by_name(k),
        };
        let got = kpis(&project("path = \"data/e.csv\"", tp, &[("e.csv", csv(&source, ',', '.', rfc))]));
        prop_assert!(got == reference, "{got}\n!=\n{reference}");
    }

    /// A zone cuts calendar periods at its midnights: the KPIs of Paris data are those of
    /// the same rows written as Paris wall-clock times in UTC — except the funnel, whose
    /// durations are between instants, and which equals the UTC one.
    #[test]
    fn a_zone_moves_periods_only(rows in rows()) {
        let rfc = |t: i64| ts(t).strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let wall = |t: i64| ts(t).to_zoned(paris.clone()).datetime().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let utc: Value = serde_json::from_str(&kpis(&project("path = \"data/e.csv\"", by_name, &[("e.csv", csv(&rows, ',', '.', rfc))]))).unwrap();
        let shifted: Value = serde_json::from_str(&kpis(&project("path = \"data/e.csv\"", by_name, &[("e.csv", csv(&rows, ',', '.', wall))]))).unwrap();
        // The same instants, written without an offset and read in Paris.
        let local = |t: i64| ts(t).to_zoned(paris.clone()).datetime().strftime("%Y-%m-%d %H:%M:%S").to_string();
        let zoned: Value = serde_json::from_str(&kpis(&project("path = \"data/e.csv\"\ntimezone = \"Europe/Paris\"", by_name, &[("e.csv", csv(&rows, ',', '.', local))]))).unwrap();
        let (j, s, u) = (&zoned["journeys"][0], &shifted["journeys"][0], &utc["journeys"][0]);
        prop_assert_eq!(&j["retention"], &s["retention"]);
        prop_assert_eq!(&j["funnel"], &u["funnel"]);
        prop_assert_eq!(&j["stages"], &u["stages"]);
    }
}

/// A Paris shop's Monday 00:30 order (Sunday 23:30 UTC) is in the week after a Monday
/// visit in Paris, in the visit's own week in UTC.
#[test]
fn a_paris_monday_morning_is_in_mondays_week() {
    let text = b"user_id,timestamp,event\nu1,2026-01-05T09:00:00Z,e0\nu1,2026-01-11T23:30:00Z,e3\nu1,2026-01-26T09:00:00Z,e1\n".to_vec();
    let retention = |zone: &str| -> Value {
        let dir = project(
            &format!("path = \"data/e.csv\"\ntimezone = \"{zone}\""),
            by_name,
            &[("e.csv", text.clone())],
        );
        let v: Value = serde_json::from_str(&kpis(&dir)).unwrap();
        v["journeys"][0]["retention"]["cohorts"][0].clone()
    };
    let (paris, utc) = (retention("Europe/Paris"), retention("UTC"));
    assert_eq!(paris["start"], json!("2026-01-05"), "{paris}");
    assert_eq!(paris["retained"], json!([1, 1, 0, 0]), "{paris}");
    assert_eq!(utc["retained"], json!([1, 0, 0, 0]), "{utc}");
}

/// `journeymap check` on a project: exit code and everything it printed.
fn check(events: &str, touchpoint: impl Fn(usize) -> String, files: &[(&str, Vec<u8>)]) -> (i32, String) {
    let dir = project(events, touchpoint, files);
    let out = assert_cmd::Command::cargo_bin("journeymap")
        .unwrap()
        .args(["check", dir.path().to_str().unwrap()])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), text)
}

fn csv_file(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    vec![("e.csv", text.as_bytes().to_vec())]
}

#[test]
fn bad_exports_get_located_errors_and_hints() {
    let cases: Vec<(&str, &str, Files, Vec<&str>)> = vec![
        (
            "a French spreadsheet read with the default delimiter",
            "path = \"data/e.csv\"",
            csv_file("user_id;timestamp;event;revenue\nu1;2026-01-05T10:00:00Z;e0;12,50\n"),
            vec!["column `user_id` not found", "set `delimiter = \";\"`"],
        ),
        (
            "a decimal comma without `decimal`",
            "path = \"data/e.csv\"\ndelimiter = \";\"",
            csv_file("user_id;timestamp;event;revenue\nu1;2026-01-05T10:00:00Z;e0;12,50\n"),
            vec!["data/e.csv:2:", "invalid revenue `12,50`", "set `decimal = \",\"`"],
        ),
        (
            "a compact date read as RFC 3339",
            "path = \"data/e.csv\"",
            csv_file("user_id,timestamp,event\nu1,20260105,e0\n"),
            vec!["data/e.csv:2:4:", "invalid time `20260105`", "`time_format = \"%Y%m%d\"`"],
        ),
        (
            "every row skipped",
            "path = \"data/e.csv\"\non_error = \"skip\"",
            csv_file("user_id,timestamp,event\nu1,yesterday,e0\nu2,today,e1\n"),
            vec!["every row of `data/e.csv` is bad (2 unparsable time)", "data/e.csv:2:4: error: invalid time `yesterday`"],
        ),
        (
            "a JSON line that is not an object",
            "path = \"data/e.jsonl\"",
            vec![("e.jsonl", b"{\"user_id\":\"u1\",\"timestamp\":\"2026-01-05T10:00:00Z\",\"event\":\"e0\"}\n[1,2]\n".to_vec())],
            vec!["data/e.jsonl:2:1", "line 2 is not a JSON object"],
        ),
        (
            "a JSON value of the wrong kind",
            "path = \"data/e.jsonl\"",
            vec![("e.jsonl", b"{\"user_id\":\"u1\",\"timestamp\":\"2026-01-05T10:00:00Z\",\"event\":\"e0\"}\n{\"user_id\":\"u1\",\"timestamp\":true,\"event\":\"e0\"}\n".to_vec())],
            vec!["data/e.jsonl:2:29", "invalid time `true`"],
        ),
        (
            "a missing JSON path",
            "path = \"data/e.jsonl\"\nuser = \"properties.distinct_id\"",
            vec![("e.jsonl", b"{\"properties\":{\"distinct\":\"u1\"},\"timestamp\":\"2026-01-05T10:00:00Z\",\"event\":\"e0\"}\n".to_vec())],
            vec!["column `properties.distinct_id` not found in the first object", "did you mean `properties.distinct`?"],
        ),
        (
            "invalid UTF-8, even in a value that is not read",
            "path = \"data/e.jsonl\"",
            vec![("e.jsonl", b"{\"user_id\":\"u1\",\"timestamp\":\"2026-01-05T10:00:00Z\",\"event\":\"e0\"}\n{\"user_id\":\"u1\",\"timestamp\":\"2026-01-05T10:00:00Z\",\"event\":\"e0\",\"x\":\"\xff\"}\n".to_vec())],
            vec!["data/e.jsonl:2:1", "line 2 is not a JSON object: invalid UTF-8 at column 70"],
        ),
        (
            "a bad line, then a line over the limit: both reported",
            "path = \"data/e.jsonl\"",
            vec![("e.jsonl", [&b"{\"user_id\":\"u1\",\"timestamp\":\"2026-01-05T10:00:00Z\",\"event\":\"e0\"}\n[1]\n"[..], &vec![b' '; 17 << 20], b"{}\n"].concat())],
            vec!["line 2 is not a JSON object", "line 3 is longer than 16 MiB"],
        ),
        (
            "a misspelt optional JSON path, absent from every line",
            "path = \"data/e.jsonl\"\nsegment = \"properties.plna\"",
            vec![("e.jsonl", b"{\"user_id\":\"u1\",\"timestamp\":\"2026-01-05T10:00:00Z\",\"event\":\"e0\",\"properties\":{\"plan\":\"pro\"}}\n".to_vec())],
            vec!["warning: column `properties.plna` is in no line of `data/e.jsonl`: it is empty on every row", "data/e.jsonl:1:1", "did you mean `properties.plan`?"],
        ),
        (
            "an unknown zone",
            "path = \"data/e.csv\"\ntimezone = \"Europe/Pari\"",
            csv_file("user_id,timestamp,event\nu1,2026-01-05T10:00:00Z,e0\n"),
            vec!["unknown time zone `Europe/Pari`", "did you mean `Europe/Paris`?"],
        ),
        (
            "a pattern without a day",
            "path = \"data/e.csv\"\ntime_format = \"%Y-%m\"",
            csv_file("user_id,timestamp,event\nu1,2026-01,e0\n"),
            vec!["`time_format` \"%Y-%m\" cannot be used"],
        ),
        (
            "dates read as Unix seconds",
            "path = \"data/e.csv\"\ntime_format = \"unix_s\"",
            csv_file("user_id,timestamp,event\nu1,19970101,e0\n"),
            vec!["warning: implausible times in `data/e.csv`: the earliest is 1970-08-20", "does `time_format` (\"unix_s\") match the data?"],
        ),
    ];
    for (what, events, files, wanted) in cases {
        let (_, out) = check(events, by_name, &files);
        for w in wanted {
            assert!(out.contains(w), "{what}: expected {w:?} in:\n{out}");
        }
    }
}

#[test]
fn parquet_errors_name_the_row_and_column() {
    let batch = RecordBatch::try_from_iter([
        (
            "user_id",
            Arc::new(StringArray::from(vec!["u1", "u2", "u3"])) as ArrayRef,
        ),
        (
            "timestamp",
            Arc::new(StringArray::from(vec![
                "2026-01-05T10:00:00Z",
                "2026-01-05T11:00:00Z",
                "soon",
            ])) as ArrayRef,
        ),
        ("event", Arc::new(StringArray::from(vec!["e0", "e1", "e2"])) as ArrayRef),
    ])
    .unwrap();
    let bytes = parquet_of(&batch);
    let (code, out) = check("path = \"data/e.parquet\"", by_name, &[("e.parquet", bytes)]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("data/e.parquet:3:2: error: invalid time `soon` in column `timestamp`"),
        "{out}"
    );
    assert!(out.contains("row 3, column `timestamp`"), "{out}");
    // Gzipped Parquet (Parquet compresses its own pages) gets a hint of its own.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&parquet_of(&batch)).unwrap();
    let (code, out) = check(
        "path = \"data/e.parquet.gz\"",
        by_name,
        &[("e.parquet.gz", gz.finish().unwrap())],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("not a Parquet file it can read"), "{out}");
    assert!(out.contains("the file is gzip-compressed"), "{out}");
}

/// Timestamp columns are read as numbers: without a zone they are wall-clock times of
/// `timezone` (the same KPIs as the same times written as text), and a value beyond the
/// years kept is an error that shows it as text.
#[test]
fn parquet_timestamps_are_read_as_numbers() {
    // 2026-03-29 02:30 does not exist in Paris (a gap): both paths read it alike.
    let wall = [
        ("u1", "2026-03-28T23:30:00", "e0"),
        ("u1", "2026-03-29T02:30:00", "e1"),
        ("u2", "2026-10-25T02:30:00", "e0"),
        ("u2", "2026-11-02T00:10:00", "e1"),
        // Sunday late evening in Paris, Monday in UTC: the cohort's week tells them apart.
        ("u3", "2026-01-04T23:30:00", "e0"),
        ("u3", "2026-01-12T10:00:00", "e3"),
    ];
    let micros = |t: &str| {
        let dt: jiff::civil::DateTime = t.parse().unwrap();
        dt.to_zoned(jiff::tz::TimeZone::UTC)
            .unwrap()
            .timestamp()
            .as_microsecond()
    };
    let file = |times: ArrayRef, users: Vec<&str>| {
        let batch = RecordBatch::try_from_iter([
            ("user_id", Arc::new(StringArray::from(users)) as ArrayRef),
            ("timestamp", times),
            (
                "event",
                Arc::new(StringArray::from(wall.iter().map(|r| r.2).collect::<Vec<_>>())) as ArrayRef,
            ),
        ])
        .unwrap();
        parquet_of(&batch)
    };
    let users: Vec<&str> = wall.iter().map(|r| r.0).collect();
    let local = Arc::new(TimestampMicrosecondArray::from(
        wall.iter().map(|r| micros(r.1)).collect::<Vec<_>>(),
    ));
    let csv: String = std::iter::once("user_id,timestamp,event\n".to_string())
        .chain(wall.iter().map(|(u, t, e)| format!("{u},{t},{e}\n")))
        .collect();
    let paris = "timezone = \"Europe/Paris\"";
    let from_parquet = kpis(&project(
        &format!("path = \"data/e.parquet\"\n{paris}"),
        by_name,
        &[("e.parquet", file(local.clone(), users.clone()))],
    ));
    let from_csv = kpis(&project(
        &format!("path = \"data/e.csv\"\n{paris}"),
        by_name,
        &csv_file(&csv),
    ));
    assert_eq!(from_parquet, from_csv);
    // Year 10000: a located error, the time shown as text; the row before it still read.
    let mut far = wall.iter().map(|r| micros(r.1)).collect::<Vec<_>>();
    far[2] = 253_402_300_800_000_000;
    let far = Arc::new(TimestampMicrosecondArray::from(far).with_timezone("UTC"));
    let (code, out) = check(
        "path = \"data/e.parquet\"",
        by_name,
        &[("e.parquet", file(far, vec!["u1", "", "u2", "u2", "u3", "u3"]))],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("data/e.parquet:3:2: error: invalid time `10000-01-01` in column `timestamp`"),
        "{out}"
    );
    assert!(out.contains("data/e.parquet:2:1: error: empty user id"), "{out}");
    assert_eq!(out.matches("error:").count(), 2, "{out}");
}

#[test]
fn where_and_occurrence_rules() {
    let text = csv_file("user_id,timestamp,event,page\nu1,2026-01-05T10:00:00Z,e0,/a\n");
    // Two plain touchpoints still may not share a name.
    let (code, out) = check(
        "path = \"data/e.csv\"",
        |k| format!("[[stages.touchpoints]]\nid = \"t{k}\"\nevents = [\"e0\"]\n"),
        &text,
    );
    assert_eq!(code, 1);
    assert!(out.contains("event `e0` already belongs to touchpoint `t0`"), "{out}");
    // `where` on an undeclared property.
    let tp = |k: usize| match k {
        0 => "[[stages.touchpoints]]\nid = \"t0\"\nevents = [\"e0\"]\nwhere = { page = \"/a*\" }\n".to_string(),
        k => by_name(k),
    };
    let (code, out) = check("path = \"data/e.csv\"", tp, &text);
    assert_eq!(code, 1);
    assert!(
        out.contains("property `page` is not declared in [data.events] `properties`"),
        "{out}"
    );
    assert!(out.contains("`properties = [\"page\"]`"), "{out}");
    // A plain touchpoint first takes every row of a later conditional one: a warning.
    let tp = |k: usize| match k {
        0 => "[[stages.touchpoints]]\nid = \"t0\"\nevents = [\"e0\"]\n".to_string(),
        1 => "[[stages.touchpoints]]\nid = \"t1\"\nevents = [\"e0\"]\nwhere = { page = \"/a*\" }\n".to_string(),
        k => by_name(k),
    };
    let (code, out) = check("path = \"data/e.csv\"\nproperties = [\"page\"]", tp, &text);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("touchpoint `t1` can match no row: touchpoint `t0` comes first"),
        "{out}"
    );
    // The narrower one first: no warning, both accepted.
    let tp = |k: usize| match k {
        0 => "[[stages.touchpoints]]\nid = \"t0\"\nevents = [\"e0\"]\nwhere = { page = \"/a*\" }\n".to_string(),
        1 => "[[stages.touchpoints]]\nid = \"t1\"\nevents = [\"e0\"]\n".to_string(),
        k => by_name(k),
    };
    let (code, out) = check("path = \"data/e.csv\"\nproperties = [\"page\"]", tp, &text);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("can match no row"), "{out}");
}

/// `first` is judged over every row of the touchpoint's events, even rows an earlier plain
/// touchpoint takes: an `e1` seen first makes the later `e0` a repeat.
#[test]
fn first_counts_rows_that_an_earlier_touchpoint_took() {
    let text = csv_file(
        "user_id,timestamp,event\nu1,2026-01-05T10:00:00Z,e1\nu1,2026-01-05T11:00:00Z,e0\nu2,2026-01-05T11:00:00Z,e0\n",
    );
    let tp = |k: usize| match k {
        0 => "[[stages.touchpoints]]\nid = \"t0\"\nevents = [\"e1\"]\n".to_string(),
        1 => "[[stages.touchpoints]]\nid = \"t1\"\nevents = [\"e0\", \"e1\"]\noccurrence = \"first\"\n".to_string(),
        k => by_name(k),
    };
    let v: Value = serde_json::from_str(&kpis(&project("path = \"data/e.csv\"", tp, &text))).unwrap();
    // u1's e0 is a repeat for t1 (its e1 came first), u2's is its first.
    assert_eq!(v["journeys"][0]["unmapped_events"], json!({"e0": 1}), "{v}");
    // `e0` is listed: the warning names the rows left over, not a name to list.
    let (code, out) = check("path = \"data/e.csv\"", tp, &text);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("rows of `data/e.csv` that no touchpoint's `where` or `occurrence` takes: e0 (1)"),
        "{out}"
    );
    assert!(!out.contains("to no touchpoint"), "{out}");
}

/// Dictionary-encoded strings (pandas categoricals) are read as their values.
#[test]
fn parquet_dictionary_columns_are_read_as_values() {
    use arrow_array::types::Int32Type;
    use arrow_array::DictionaryArray;
    let dict = |v: Vec<&str>| Arc::new(v.into_iter().collect::<DictionaryArray<Int32Type>>()) as ArrayRef;
    let batch = RecordBatch::try_from_iter([
        ("user_id", dict(vec!["u1", "u2", "u1"])),
        (
            "timestamp",
            Arc::new(StringArray::from(vec![
                "2026-01-05T10:00:00Z",
                "2026-01-05T11:00:00Z",
                "2026-01-06T10:00:00Z",
            ])) as ArrayRef,
        ),
        ("event", dict(vec!["e0", "e0", "e1"])),
    ])
    .unwrap();
    let bytes = parquet_of(&batch);
    let csv = csv_file(
        "user_id,timestamp,event\nu1,2026-01-05T10:00:00Z,e0\nu2,2026-01-05T11:00:00Z,e0\nu1,2026-01-06T10:00:00Z,e1\n",
    );
    let reference = kpis(&project("path = \"data/e.csv\"", by_name, &csv));
    assert_eq!(
        kpis(&project("path = \"data/e.parquet\"", by_name, &[("e.parquet", bytes)])),
        reference
    );
}
