//! Aggregated exports (`[data.metrics]`, `[data.cohorts]`), targets and the CI gate
//! (`check --strict`, `--format json|github`). Fixtures: tests/fixtures/aggregates/.

mod common;

use common::*;
use serde_json::{json, Value};

const M: &str = "journeys/m.toml";

/// A metrics-only journey (`tests/fixtures/aggregates/base/`) with a metrics file, a cohort
/// table and targets of every kind.
fn base() -> Project {
    Project::fixture("aggregates/base")
}

/// The base project with one data file replaced, for the readers' error cases.
fn variant(name: &str) -> Project {
    let (file, text) = match name {
        "metrics_bad_date" => (
            "data/metrics.csv",
            "date,key,metric,value\n2026-01-05,visit,users,40\n2026-13-05,signup,users,10\n",
        ),
        "metrics_bad_value" => (
            "data/metrics.csv",
            "date,key,metric,value\n2026-01-05,visit,users,40\n2026-01-05,ad,ctr,\"0,02\"\n",
        ),
        "metrics_duplicate" => (
            "data/metrics.csv",
            "date,key,metric,value\n2026-01-05,visit,users,40\n2026-01-05,ad,spend,1\n2026-01-05,ad,spend,2\n",
        ),
        "metrics_empty_key" => ("data/metrics.csv", "date,key,metric,value\n2026-01-05,,users,40\n"),
        "metrics_field_count" => ("data/metrics.csv", "date,key,metric,value\n2026-01-05,visit,users\n"),
        "metrics_stage_metric" => (
            "data/metrics.csv",
            "date,key,metric,value\n2026-01-05,visit,users,40\n2026-01-05,visit,sessions,90\n",
        ),
        "metrics_undeclared_key" => (
            "data/metrics.csv",
            "date,key,metric,value\n2026-01-05,visit,users,40\n2026-01-05,sigup,users,10\n2026-01-12,sigup,users,10\n",
        ),
        "metrics_undeclared_metric" => (
            "data/metrics.csv",
            "date,key,metric,value\n2026-01-05,visit,users,40\n2026-01-05,ad,cpc,0.4\n2026-01-05,ad,spnd,10\n",
        ),
        "metrics_exponent" => (
            "data/metrics.csv",
            "date,key,metric,value\n2026-01-05,visit,users,40\n2026-01-05,ad,ctr,3e-2\n",
        ),
        "metrics_users_huge" => (
            "data/metrics.csv",
            "date,key,metric,value\n2026-01-05,visit,users,9007199254740993\n2026-01-05,signup,users,1\n",
        ),
        "metrics_users_not_whole" => (
            "data/metrics.csv",
            "date,key,metric,value\n2026-01-05,visit,users,40.5\n",
        ),
        "cohorts_bad_values" => (
            "data/cohorts.csv",
            "cohort,period,users\n2026-01-01,0,100\n2026-01-32,1,40\n2026-01-01,-1,40\n2026-01-01,2,many\n",
        ),
        "cohorts_duplicate" => (
            "data/cohorts.csv",
            "cohort,period,users\n2026-01-01,0,100\n2026-01-01,0,90\n",
        ),
        "cohorts_no_size" => (
            "data/cohorts.csv",
            "cohort,period,users\n2026-01-01,0,100\n2026-02-01,1,30\n",
        ),
        other => panic!("no variant {other}"),
    };
    let p = base();
    p.write(file, text);
    p
}

/// The `targets` list as (kpi, actual, met), in order.
fn targets_of(doc: &Value) -> Vec<(String, Value, bool)> {
    doc["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["kpi"].as_str().unwrap().to_string(),
                t["actual"].clone(),
                t["met"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn strict(strict: bool) -> &'static [&'static str] {
    if strict {
        &["--strict"]
    } else {
        &[]
    }
}

#[test]
fn metrics_only_funnel_touchpoint_metrics_and_cohort_retention() {
    let k = base().journey_kpis();
    assert_eq!(
        k["funnel"],
        json!({"window_seconds": null, "steps": [
            {"stage": "visit", "users": 100, "conversion_from_previous": null, "conversion_from_start": 1.0, "drop_off": 0, "median_seconds_from_previous": null, "seconds_from_previous": null},
            {"stage": "signup", "users": 25, "conversion_from_previous": 0.25, "conversion_from_start": 0.25, "drop_off": 75, "median_seconds_from_previous": null, "seconds_from_previous": null}
        ]})
    );
    assert_eq!(k["conversion_rate"], json!(0.25));
    assert_eq!(k["stages"][0]["reach"], json!(100));
    let ad = &k["stages"][0]["touchpoints"][0];
    assert_eq!(
        (&ad["users"], &ad["events"], &ad["exits"]),
        (&Value::Null, &Value::Null, &Value::Null)
    );
    assert_eq!(
        ad["metrics"],
        json!({
            "ctr": {"value": 0.03, "series": [{"date": "2026-01-05", "value": 0.02}, {"date": "2026-01-12", "value": 0.04}]},
            "spend": {"value": 450.5, "series": [{"date": "2026-01-05", "value": 200.0}, {"date": "2026-01-12", "value": 250.5}]}
        })
    );
    let form = &k["stages"][1]["touchpoints"][0]["metrics"];
    assert_eq!(
        form["completion"]["value"],
        json!(0.6),
        "last = the value at the latest date"
    );
    assert_eq!(form["errors"]["value"], json!(7.0));
    assert_eq!(k["segments"], json!([]));
    assert_eq!(k["revenue"], Value::Null);
    assert_eq!(
        k["retention"],
        json!({"period": "month", "cohort_stage": null, "return_stage": null, "cohorts": [
            {"start": "2026-01-01", "size": 100, "retained": [100, 40, 25], "rates": [1.0, 0.4, 0.25]},
            {"start": "2026-02-01", "size": 50, "retained": [50, 30, null], "rates": [1.0, 0.6, null]},
            {"start": "2026-03-01", "size": 20, "retained": [20, null, null], "rates": [1.0, null, null]}
        ], "average": [1.0, 70.0 / 150.0, 0.25]})
    );
    // Targets in declaration order: journey, then stages, then touchpoint metrics.
    let targets = targets_of(&k);
    assert_eq!(
        targets,
        vec![
            ("conversion_rate".to_string(), json!(0.25), true),
            ("retention:1".to_string(), json!(70.0 / 150.0), false),
            ("stages.signup.conversion_from_previous".to_string(), json!(0.25), true),
            ("touchpoints.ad.ctr".to_string(), json!(0.03), true),
            ("touchpoints.ad.spend".to_string(), json!(450.5), true),
        ]
    );
}

#[test]
fn periods_from_retention_config_override_the_file() {
    let p = base();
    p.replace(M, "period = \"month\"", "period = \"month\"\nperiods = 1");
    let k = p.journey_kpis();
    assert_eq!(k["retention"]["cohorts"][0]["retained"], json!([100, 40]));
    assert_eq!(k["retention"]["average"].as_array().unwrap().len(), 2);
}

#[test]
fn strict_fails_on_a_missed_target_and_passes_when_met() {
    let p = base();
    let (code, doc) = p.check_json(strict(false));
    assert_eq!(code, 0, "{doc}");
    let warnings = doc["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{doc}");
    assert!(warnings[0]["message"]
        .as_str()
        .unwrap()
        .contains("`retention:1` is 0.4667, expected at least 0.5"));
    assert_eq!(
        (warnings[0]["file"].as_str(), warnings[0]["line"].as_u64()),
        (Some("journeys/m.toml"), Some(14))
    );
    let (code, doc) = p.check_json(strict(true));
    assert_eq!(code, 1);
    assert_eq!(doc["ok"], false);
    // The JSON document carries every target with its actual value.
    let t = &doc["targets"][1];
    assert_eq!(
        (t["journey"].as_str(), t["kpi"].as_str(), t["met"].as_bool()),
        (Some("m"), Some("retention:1"), Some(false))
    );
    p.replace(
        M,
        "retention = { period = 1, min = 0.5 }",
        "retention = { period = 1, min = 0.45 }",
    );
    let (code, doc) = p.check_json(strict(true));
    assert_eq!(code, 0, "{doc}");
    assert!(doc["targets"].as_array().unwrap().iter().all(|t| t["met"] == true));
}

#[test]
fn every_target_kind_met_and_missed() {
    // (file edit, kpi that must now be missed)
    let cases = [
        (
            "conversion_rate = { min = 0.2 }",
            "conversion_rate = { min = 0.3 }",
            "conversion_rate",
        ),
        (
            "target = { min = 0.25 }",
            "target = { min = 0.26 }",
            "stages.signup.conversion_from_previous",
        ),
        (
            "target = { min = 0.02, max = 0.05 }",
            "target = { min = 0.02, max = 0.025 }",
            "touchpoints.ad.ctr",
        ),
        (
            "target = { max = 500 }",
            "target = { max = 400 }",
            "touchpoints.ad.spend",
        ),
    ];
    for (from, to, kpi) in cases {
        let p = base();
        p.replace(
            M,
            "retention = { period = 1, min = 0.5 }",
            "retention = { period = 1, max = 0.5 }",
        );
        assert_eq!(p.check_json(strict(true)).0, 0, "all met before editing {kpi}");
        p.replace(M, from, to);
        let (code, doc) = p.check_json(strict(true));
        assert_eq!(code, 1, "{kpi}: {doc}");
        let missed: Vec<&str> = doc["targets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["met"] == false)
            .map(|t| t["kpi"].as_str().unwrap())
            .collect();
        assert_eq!(missed, vec![kpi]);
        assert_eq!(
            p.check_json(strict(false)).0,
            0,
            "{kpi}: a missed target fails only with --strict"
        );
    }
}

#[test]
fn event_journey_targets_aov_and_repeat_purchase_rate() {
    let p = Project::fixture("aggregates/events");
    p.write(
        "data/events.csv",
        "user_id,timestamp,event,revenue\nu1,2026-01-05T10:00:00Z,ad_click,\nu1,2026-01-05T10:05:00Z,signup,30\nu1,2026-01-06T10:05:00Z,signup,50\nu2,2026-01-05T11:00:00Z,signup,20\n",
    );
    p.replace(
        M,
        "[data.events]",
        "[targets]\naov = { min = 35 }\nrepeat_purchase_rate = { min = 0.6 }\n\n[data.events]",
    );
    let (_, doc) = p.check_json(strict(false));
    let t = targets_of(&doc);
    assert_eq!(
        t,
        vec![
            ("aov".to_string(), json!(100.0 / 3.0), false),
            ("repeat_purchase_rate".to_string(), json!(0.5), false)
        ]
    );
}

#[test]
fn github_annotations_point_at_the_target_line() {
    let p = base();
    let out = p.run("check", &["--format", "github", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stdout(&out).lines().map(String::from).collect();
    assert_eq!(
        lines,
        vec!["::warning file=journeys/m.toml,line=14,col=13::target missed in journey `m`: `retention:1` is 0.4667, expected at least 0.5"]
    );
}

/// Checks the project `fixture` ("events" or a [`variant`]) and returns its one `kind`
/// (errors or warnings) whose message contains `message`, asserting its place.
fn expect_one(fixture: &str, kind: &str, file: &str, line: u64, column: u64, message: &str) -> Value {
    let p = if fixture == "events" {
        Project::fixture("aggregates/events")
    } else {
        variant(fixture)
    };
    let (code, doc) = p.check_json(strict(false));
    assert_eq!(code, if kind == "errors" { 1 } else { 0 }, "{fixture}: {doc}");
    let found: Vec<&Value> = doc[kind]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["message"].as_str().unwrap().contains(message))
        .collect();
    assert_eq!(found.len(), 1, "{fixture}: no {kind} containing {message:?} in {doc}");
    let d = found[0];
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64(), d["column"].as_u64()),
        (Some(file), Some(line), Some(column)),
        "{fixture}: {d}"
    );
    d.clone()
}

#[test]
fn metrics_reader_errors() {
    expect_one(
        "metrics_bad_date",
        "errors",
        "data/metrics.csv",
        3,
        1,
        "invalid date `2026-13-05`: expected YYYY-MM-DD",
    );
    let d = expect_one(
        "metrics_bad_value",
        "errors",
        "data/metrics.csv",
        3,
        19,
        "invalid value `0,02`: expected a number",
    );
    assert_eq!(
        d["help"],
        "this number uses `,` as its decimal separator: set `decimal = \",\"` in [data.metrics]"
    );
    let d = expect_one(
        "metrics_duplicate",
        "errors",
        "data/metrics.csv",
        4,
        1,
        "duplicate row for (2026-01-05, ad, spend)",
    );
    assert!(d["help"].as_str().unwrap().contains("first given on line 3"));
    expect_one(
        "metrics_users_not_whole",
        "errors",
        "data/metrics.csv",
        2,
        24,
        "`users` must be a whole number",
    );
    expect_one("metrics_empty_key", "errors", "data/metrics.csv", 2, 12, "empty key");
    // One grammar for every number of every data file: no exponent.
    expect_one(
        "metrics_exponent",
        "errors",
        "data/metrics.csv",
        3,
        19,
        "invalid value `3e-2`: expected a number",
    );
    expect_one(
        "metrics_field_count",
        "errors",
        "data/metrics.csv",
        2,
        1,
        "expected 4 fields, found 3",
    );
}

#[test]
fn metrics_reader_warnings() {
    let d = expect_one(
        "metrics_undeclared_key",
        "warnings",
        "data/metrics.csv",
        3,
        12,
        "key `sigup` is neither a stage nor a touchpoint of journey `m` (2 rows ignored)",
    );
    assert_eq!(d["help"], "did you mean `signup`?");
    let d = expect_one(
        "metrics_undeclared_metric",
        "warnings",
        "data/metrics.csv",
        4,
        15,
        "metric `spnd` of touchpoint `ad` is not declared",
    );
    assert_eq!(d["help"], "did you mean `spend`?");
    let d = expect_one(
        "metrics_undeclared_metric",
        "warnings",
        "data/metrics.csv",
        3,
        15,
        "metric `cpc` of touchpoint `ad` is not declared in the spec (1 row ignored)",
    );
    assert!(d["help"]
        .as_str()
        .unwrap()
        .contains("declare it under [[stages.touchpoints.metrics]] of `ad`"));
    let d = expect_one(
        "metrics_stage_metric",
        "warnings",
        "data/metrics.csv",
        3,
        18,
        "metric `sessions` of stage `visit` is not declared",
    );
    assert_eq!(d["help"], "stage rows only carry `users`");
}

#[test]
fn cohorts_reader_errors() {
    expect_one(
        "cohorts_bad_values",
        "errors",
        "data/cohorts.csv",
        3,
        1,
        "invalid cohort date `2026-01-32`",
    );
    expect_one(
        "cohorts_bad_values",
        "errors",
        "data/cohorts.csv",
        4,
        12,
        "invalid period `-1`",
    );
    expect_one(
        "cohorts_bad_values",
        "errors",
        "data/cohorts.csv",
        5,
        14,
        "invalid users `many`",
    );
    expect_one(
        "cohorts_duplicate",
        "errors",
        "data/cohorts.csv",
        3,
        1,
        "duplicate row for cohort 2026-01-01 period 0",
    );
    expect_one(
        "cohorts_no_size",
        "errors",
        "data/cohorts.csv",
        3,
        1,
        "cohort 2026-02-01 has no period 0 row",
    );
}

#[test]
fn events_win_over_aggregates_with_warnings() {
    let d = expect_one(
        "events",
        "warnings",
        "journeys/m.toml",
        7,
        8,
        "the metrics file says 3 users, the events give 1",
    );
    assert!(d["message"].as_str().unwrap().contains("stage `signup`"));
    expect_one(
        "events",
        "warnings",
        "journeys/m.toml",
        10,
        8,
        "[data.cohorts] is not used",
    );
    let p = Project::fixture("aggregates/events");
    let k = p.journey_kpis();
    assert_eq!(k["funnel"]["steps"][0]["users"], json!(2), "the events' funnel");
    assert_eq!(k["funnel"]["steps"][1]["users"], json!(1));
    assert_eq!(k["stages"][0]["touchpoints"][0]["metrics"]["ctr"]["value"], json!(0.03));
    assert_eq!(k["retention"]["cohort_stage"], "signup", "retention from events");
}

#[test]
fn example_b2b_journey_is_measured_from_aggregates() {
    let out = run(&["kpis", example().to_str().unwrap(), "--journey", "b2b-lead"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let j = &doc["journeys"][0];
    assert!(j["funnel"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["users"].as_u64().unwrap() > 0));
    assert!(j["conversion_rate"].as_f64().unwrap() > 0.0);
    let webinar = &j["stages"][1]["touchpoints"][1];
    assert_eq!(webinar["id"], "webinar");
    assert_eq!(webinar["metrics"]["attendees"]["series"].as_array().unwrap().len(), 12);
    assert_eq!(j["targets"].as_array().unwrap().len(), 8);
}

/// `serve` keeps parsed data between rebuilds: a rebuild that reads nothing again still
/// reports the data file's own warnings.
#[test]
fn cached_data_repeats_its_reader_warnings() {
    let p = variant("metrics_undeclared_metric");
    let mut cache = journeymap::Cache::default();
    let messages = |cache: &mut journeymap::Cache| -> Vec<String> {
        let (_, diags) = journeymap::analyse_cached(p.path(), cache);
        diags.warnings().map(|d| d.message.clone()).collect()
    };
    let first = messages(&mut cache);
    assert!(
        first
            .iter()
            .any(|m| m.contains("metric `spnd` of touchpoint `ad` is not declared")),
        "{first:?}"
    );
    assert!(cache.data.last_reads().iter().any(|f| f == "data/metrics.csv"));
    let second = messages(&mut cache);
    assert!(cache.data.last_reads().is_empty(), "{:?}", cache.data.last_reads());
    assert_eq!(first, second);
}

#[test]
fn a_retention_target_beyond_the_cohort_tables_periods_is_an_error() {
    // Without `[retention] periods`, the cohort table has periods up to its file's largest (2).
    let p = base();
    p.replace(
        M,
        "retention = { period = 1, min = 0.5 }",
        "retention = { period = 3, min = 0.5 }",
    );
    let (code, doc) = p.check_json(&[]);
    assert_eq!(code, 1, "{doc}");
    let e = &doc["errors"][0];
    assert_eq!((e["file"].as_str(), e["line"].as_u64()), (Some(M), Some(14)), "{doc}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("`data/cohorts.csv` has periods up to 2"),
        "{e}"
    );
    // With `periods` declared the table has that many columns (null where the file has no row).
    p.replace(M, "period = \"month\"", "period = \"month\"\nperiods = 3");
    let (code, doc) = p.check_json(&[]);
    assert_eq!(code, 0, "{doc}");
}

#[test]
fn stage_users_are_counted_exactly() {
    // 2^53 + 1 is the first whole number a float cannot hold.
    let k = variant("metrics_users_huge").journey_kpis();
    assert_eq!(k["funnel"]["steps"][0]["users"].as_u64(), Some(9_007_199_254_740_993));
}
