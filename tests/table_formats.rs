//! `[data.metrics]` and `[data.cohorts]` read from every format: random tables written as
//! CSV, `;` with decimal comma, TSV, JSON lines and typed Parquet give the same kpis.json,
//! and bad values in JSON lines and Parquet are located by line or row and column.

mod common;

use std::sync::Arc;

use arrow_array::{ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray};
use common::*;
use parquet::arrow::ArrowWriter;
use proptest::prelude::*;
use serde_json::json;

/// (date as days since 1970, key, metric, value in hundredths).
type MetricRow = (i32, &'static str, &'static str, i64);
/// (cohort start as days since 1970, period, users).
type CohortRow = (i32, i64, i64);

/// 2026-01-05, a Monday.
const DAY0: i32 = 20458;

/// (key, metric, whole numbers only) of the base fixture's journey.
const SERIES: &[(&str, &str, bool)] = &[
    ("visit", "users", true),
    ("signup", "users", true),
    ("ad", "ctr", false),
    ("ad", "spend", false),
    ("form", "completion", false),
    ("form", "errors", true),
];

fn metric_rows() -> impl Strategy<Value = Vec<MetricRow>> {
    // Each (week, series) at most once: a duplicate is an error, tested elsewhere.
    prop::collection::btree_map((0..6i32, 0..SERIES.len()), 0..100_000i64, 1..30).prop_map(|m| {
        m.into_iter()
            .map(|((week, s), v)| {
                let (key, metric, whole) = SERIES[s];
                (DAY0 + 7 * week, key, metric, if whole { v / 100 * 100 } else { v })
            })
            .collect()
    })
}

fn cohort_rows() -> impl Strategy<Value = Vec<CohortRow>> {
    prop::collection::vec((1..1000i64, prop::collection::vec(0..1000i64, 1..4)), 1..5).prop_map(|cohorts| {
        let mut rows = Vec::new();
        for (c, (size, later)) in cohorts.into_iter().enumerate() {
            // The first of a month, from January 2026.
            let start = (jiff::civil::date(2026, 1 + c as i8, 1) - jiff::civil::date(1970, 1, 1)).get_days();
            rows.push((start, 0, size));
            rows.extend(later.into_iter().enumerate().map(|(p, u)| (start, p as i64 + 1, u)));
        }
        rows
    })
}

fn date(days: i32) -> String {
    jiff::civil::date(1970, 1, 1)
        .checked_add(jiff::Span::new().days(days))
        .unwrap()
        .to_string()
}

/// A value in hundredths as decimal text with `point`, as short as the number allows.
fn number(v: i64, point: char) -> String {
    let text = format!("{}", v as f64 / 100.0);
    text.replace('.', &point.to_string())
}

fn csv(metrics: &[MetricRow], cohorts: &[CohortRow], sep: char, point: char) -> (String, String) {
    let mut m = format!("date{sep}key{sep}metric{sep}value\n");
    for (d, k, n, v) in metrics {
        m += &format!("{}{sep}{k}{sep}{n}{sep}{}\n", date(*d), number(*v, point));
    }
    let mut c = format!("cohort{sep}period{sep}users\n");
    for (d, p, u) in cohorts {
        c += &format!("{}{sep}{p}{sep}{u}\n", date(*d));
    }
    (m, c)
}

fn jsonl(metrics: &[MetricRow], cohorts: &[CohortRow]) -> (String, String) {
    let mut m = String::new();
    for (d, k, n, v) in metrics {
        let value: serde_json::Value = serde_json::from_str(&number(*v, '.')).unwrap();
        m += &format!(
            "{}\n",
            json!({"date": date(*d), "key": k, "metric": n, "value": value, "source": "export"})
        );
    }
    let mut c = String::new();
    for (d, p, u) in cohorts {
        c += &format!("{}\n", json!({"users": u, "period": p, "cohort": date(*d)}));
    }
    (m, c)
}

fn parquet_of(columns: Vec<(&str, ArrayRef)>) -> Vec<u8> {
    let batch = RecordBatch::try_from_iter(columns).unwrap();
    let mut out = Vec::new();
    let mut w = ArrowWriter::try_new(&mut out, batch.schema(), None).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
    out
}

/// Typed as a warehouse unloads them: DATE, strings, DOUBLE, BIGINT.
fn parquet(metrics: &[MetricRow], cohorts: &[CohortRow]) -> (Vec<u8>, Vec<u8>) {
    let m = parquet_of(vec![
        (
            "date",
            Arc::new(Date32Array::from_iter_values(metrics.iter().map(|r| r.0))),
        ),
        (
            "key",
            Arc::new(metrics.iter().map(|r| Some(r.1)).collect::<StringArray>()),
        ),
        (
            "metric",
            Arc::new(metrics.iter().map(|r| Some(r.2)).collect::<StringArray>()),
        ),
        (
            "value",
            Arc::new(Float64Array::from_iter_values(
                metrics.iter().map(|r| r.3 as f64 / 100.0),
            )),
        ),
    ]);
    let c = parquet_of(vec![
        (
            "cohort",
            Arc::new(Date32Array::from_iter_values(cohorts.iter().map(|r| r.0))),
        ),
        (
            "period",
            Arc::new(Int64Array::from_iter_values(cohorts.iter().map(|r| r.1))),
        ),
        (
            "users",
            Arc::new(Int64Array::from_iter_values(cohorts.iter().map(|r| r.2))),
        ),
    ]);
    (m, c)
}

/// The base aggregates project reading `data/metrics.<ext>` and `data/cohorts.<ext>`, with
/// `options` added to both tables.
fn project(ext: &str, options: &str, metrics: impl AsRef<[u8]>, cohorts: impl AsRef<[u8]>) -> Project {
    let p = Project::fixture("aggregates/base");
    p.remove("data/metrics.csv").remove("data/cohorts.csv");
    for kind in ["metrics", "cohorts"] {
        p.replace(
            "journeys/m.toml",
            &format!("path = \"data/{kind}.csv\""),
            &format!("path = \"data/{kind}.{ext}\"\n{options}"),
        );
    }
    p.write(&format!("data/metrics.{ext}"), metrics);
    p.write(&format!("data/cohorts.{ext}"), cohorts);
    p
}

fn kpis(p: &Project) -> String {
    let (analysis, diags) = journeymap::analyse(p.path());
    let analysis = analysis.unwrap_or_else(|| panic!("{diags:?}"));
    assert!(!diags.has_errors(), "{diags:?}");
    serde_json::to_string_pretty(&analysis.kpis).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn metrics_and_cohorts_read_the_same_from_every_format(metrics in metric_rows(), cohorts in cohort_rows()) {
        let (m, c) = csv(&metrics, &cohorts, ',', '.');
        let reference = kpis(&project("csv", "", m, c));
        let (m, c) = csv(&metrics, &cohorts, ';', ',');
        let semicolon = project("csv", "delimiter = \";\"\ndecimal = \",\"", m, c);
        let (m, c) = csv(&metrics, &cohorts, '\t', '.');
        let tsv = project("tsv", "", m, c);
        let (m, c) = jsonl(&metrics, &cohorts);
        let lines = project("jsonl", "", m, c);
        let (m, c) = parquet(&metrics, &cohorts);
        let columns = project("parquet", "", m, c);
        for (what, p) in [("semicolon", semicolon), ("tsv", tsv), ("jsonl", lines), ("parquet", columns)] {
            let got = kpis(&p);
            prop_assert!(got == reference, "{what}:\n{got}\n!=\n{reference}");
        }
    }
}

/// Where the error whose message contains `message` is: (file, line, column).
fn located(p: &Project, message: &str) -> (String, u64, u64) {
    let (code, doc) = p.check_json(&[]);
    assert_eq!(code, 1, "{doc}");
    let d = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["message"].as_str().unwrap().contains(message))
        .unwrap_or_else(|| panic!("no error containing {message:?} in {doc}"));
    (
        d["file"].as_str().unwrap().to_string(),
        d["line"].as_u64().unwrap(),
        d["column"].as_u64().unwrap(),
    )
}

#[test]
fn bad_values_in_json_lines_and_parquet_are_located() {
    let good = "{\"date\": \"2026-01-05\", \"key\": \"visit\", \"metric\": \"users\", \"value\": 40}\n";
    let p = project(
        "jsonl",
        "",
        format!("{good}{{\"key\": \"signup\", \"date\": \"2026-13-05\", \"metric\": \"users\", \"value\": 10}}\n"),
        "{\"cohort\": \"2026-01-01\", \"period\": 0, \"users\": 100}\n",
    );
    let (file, line, column) = located(&p, "invalid date `2026-13-05`");
    assert_eq!((file.as_str(), line, column), ("data/metrics.jsonl", 2, 27));
    // A line that is not an object, and a column the first object lacks.
    let p = project(
        "jsonl",
        "",
        format!("{good}[1, 2]\n"),
        "{\"cohort\": \"2026-01-01\", \"users\": 100}\n",
    );
    let (file, line, _) = located(&p, "line 2 is not a JSON object");
    assert_eq!((file.as_str(), line), ("data/metrics.jsonl", 2));
    located(&p, "column `period` not found");

    let (m, c) = parquet(
        &[(DAY0, "visit", "users", 4000), (DAY0, "visit", "users", 5000)],
        &[(DAY0, 0, 10)],
    );
    let p = project("parquet", "", m, c);
    let (file, line, column) = located(&p, "duplicate row for (2026-01-05, visit, users)");
    assert_eq!((file.as_str(), line, column), ("data/metrics.parquet", 2, 1));
    let shown = stderr(&p.run("check", &[]));
    assert!(shown.contains("row 2, column `date`"), "{shown}");
    assert!(shown.contains("first given on row 1"), "{shown}");
    // A DATE far beyond the years kept is a located error, not an overflow.
    let (m, c) = parquet(&[(i32::MAX, "visit", "users", 4000)], &[(DAY0, 0, 10)]);
    let (file, line, _) = located(&project("parquet", "", m, c), "invalid date `out-of-range`");
    assert_eq!((file.as_str(), line), ("data/metrics.parquet", 1));
    let (m, _) = parquet(&[(DAY0, "visit", "users", 4000)], &[]);
    let (_, c) = parquet(&[], &[(DAY0, 1, 10)]);
    let p = project("parquet", "", m, c);
    let (file, line, column) = located(&p, "has no period 0 row");
    assert_eq!((file.as_str(), line, column), ("data/cohorts.parquet", 1, 1));
}

#[test]
fn delimiter_and_decimal_are_refused_on_other_formats() {
    let (m, c) = jsonl(&[(DAY0, "visit", "users", 4000)], &[(DAY0, 0, 10)]);
    let p = project("jsonl", "decimal = \",\"", m, c);
    let (_, doc) = p.check_json(&[]);
    let text = doc.to_string();
    assert!(text.contains("`decimal` applies to CSV files only"), "{doc}");
}
