//! `[data.metrics]`: aggregated exports in long format, `date,key,metric,value`.

use std::collections::{BTreeMap, HashMap};

use super::cache::FileInput;
use super::number::{parse_table_number, separator_hint};
use super::table::read_rows;
use crate::calendar::parse_date;
use crate::diagnostics::{did_you_mean, plural, Diagnostic, Diagnostics, Location};
use crate::spec::{DataFile, Journey};

/// The columns of a metrics file, in order.
pub const COLUMNS: &[&str] = &["date", "key", "metric", "value"];

/// What the metrics reader's result depends on (the cache key, with the file's stamp):
/// which keys and metrics the journey declares.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MetricsInput {
    pub file: FileInput,
    /// Named in warnings.
    pub journey: String,
    pub stages: Vec<String>,
    /// Each touchpoint (journey order) with its declared metric ids.
    pub touchpoints: Vec<(String, Vec<String>)>,
}

impl MetricsInput {
    pub fn of(journey: &Journey, file: &DataFile) -> MetricsInput {
        MetricsInput {
            file: FileInput::of(file),
            journey: journey.id.clone(),
            stages: journey.stages.iter().map(|s| s.id.clone()).collect(),
            touchpoints: journey
                .touchpoints()
                .map(|(_, t)| (t.id.clone(), t.metrics.iter().map(|m| m.id.clone()).collect()))
                .collect(),
        }
    }
}

/// The rows of a metrics file that the journey declares, by what they describe.
#[derive(Debug, Default, Clone)]
pub struct MetricsData {
    /// Per stage: `(day, users)` sorted by day; empty when the file has no row for it.
    pub stage_users: Vec<Vec<(i64, u64)>>,
    /// Per touchpoint (journey order), per declared metric (declaration order): the
    /// `(day, value)` series sorted by day.
    pub touchpoint_series: Vec<Vec<Vec<(i64, f64)>>>,
}

const DATE: usize = 0;
const KEY: usize = 1;
const METRIC: usize = 2;
const VALUE: usize = 3;

pub fn read(input: &MetricsInput, diags: &mut Diagnostics) -> Option<MetricsData> {
    let file = &input.file;
    let tps = &input.touchpoints;
    let mut data = MetricsData {
        stage_users: vec![Vec::new(); input.stages.len()],
        touchpoint_series: tps.iter().map(|(_, m)| vec![Vec::new(); m.len()]).collect(),
    };
    let mut seen: HashMap<(i64, String, String), String> = HashMap::new();
    // Undeclared keys and metrics: reported once each, with a row count and the first row.
    let mut unknown_keys: BTreeMap<String, (usize, Location)> = BTreeMap::new();
    let mut unknown_metrics: BTreeMap<(String, String), (usize, Location)> = BTreeMap::new();
    let mut errors = 0;
    let ok = read_rows(file, COLUMNS, diags, |row, diags| {
        let mut bad = |d: Diagnostic| {
            diags.push(d);
            errors += 1;
        };
        let date = parse_date(row.get(DATE).as_bytes());
        if date.is_none() {
            bad(row.error(DATE, format!("invalid date `{}`: expected YYYY-MM-DD", row.get(DATE))));
        }
        let raw = row.get(VALUE);
        let value = parse_table_number(raw, file.options.decimal);
        if value.is_none() {
            bad(row
                .error(VALUE, format!("invalid value `{}`: expected a number", row.get(VALUE)))
                .help_opt(separator_hint(raw, file.options.decimal, "[data.metrics]")));
        }
        let (key, metric) = (row.get(KEY), row.get(METRIC));
        if key.is_empty() {
            bad(row.error(KEY, "empty key: expected a stage id or a touchpoint id"));
        }
        if metric.is_empty() {
            bad(row.error(METRIC, "empty metric name"));
        }
        let (Some(date), Some(value)) = (date, value) else {
            return;
        };
        if key.is_empty() || metric.is_empty() {
            return;
        }
        if let Some(first) = seen.insert((date, key.to_string(), metric.to_string()), row.place()) {
            bad(row
                .error(DATE, format!("duplicate row for ({}, {key}, {metric})", row.get(DATE)))
                .help(format!("first given on {first}; one row per (date, key, metric)")));
            return;
        }
        let stage = input.stages.iter().position(|s| s == key);
        let tp = tps.iter().position(|(t, _)| t == key);
        match (stage, tp) {
            (Some(s), _) if metric == "users" => {
                // Counted exactly: digits only, not through a float.
                let users = raw.bytes().all(|b| b.is_ascii_digit()).then(|| raw.parse::<u64>().ok());
                let Some(Some(users)) = users else {
                    bad(row.error(VALUE, format!("`users` must be a whole number ≥ 0, found {raw}")));
                    return;
                };
                data.stage_users[s].push((date, users));
            }
            (_, Some(t)) => match tps[t].1.iter().position(|m| m == metric) {
                Some(m) => data.touchpoint_series[t][m].push((date, value)),
                None => note(
                    &mut unknown_metrics,
                    (key.to_string(), metric.to_string()),
                    row.loc(METRIC),
                ),
            },
            (Some(_), None) => note(
                &mut unknown_metrics,
                (key.to_string(), metric.to_string()),
                row.loc(METRIC),
            ),
            (None, None) => note(&mut unknown_keys, key.to_string(), row.loc(KEY)),
        }
    });
    let ids: Vec<&str> = input
        .stages
        .iter()
        .map(String::as_str)
        .chain(tps.iter().map(|(t, _)| t.as_str()))
        .collect();
    for (key, (n, loc)) in unknown_keys {
        diags.push(
            Diagnostic::warning(format!(
                "key `{key}` is neither a stage nor a touchpoint of journey `{}` ({} ignored)",
                input.journey,
                plural(n as u64, "row")
            ))
            .at(loc)
            .help_opt(did_you_mean(&key, ids.iter().copied())),
        );
    }
    for ((key, metric), (n, loc)) in unknown_metrics {
        let declared: Vec<&str> = match tps.iter().find(|(t, _)| *t == key) {
            Some((_, m)) => m.iter().map(String::as_str).collect(),
            None => vec!["users"],
        };
        let what = if declared == ["users"] { "stage" } else { "touchpoint" };
        diags.push(
            Diagnostic::warning(format!(
                "metric `{metric}` of {what} `{key}` is not declared in the spec ({} ignored)",
                plural(n as u64, "row")
            ))
            .at(loc)
            .help(did_you_mean(&metric, declared.iter().copied()).unwrap_or_else(|| {
                if what == "stage" {
                    "stage rows only carry `users`".to_string()
                } else {
                    format!("declare it under [[stages.touchpoints.metrics]] of `{key}`")
                }
            })),
        );
    }
    if !ok || errors > 0 {
        return None;
    }
    for s in data.stage_users.iter_mut() {
        s.sort_unstable_by_key(|&(d, _)| d);
    }
    for series in data.touchpoint_series.iter_mut().flatten() {
        series.sort_unstable_by_key(|&(d, _)| d);
    }
    Some(data)
}

fn note<K: Ord>(map: &mut BTreeMap<K, (usize, Location)>, key: K, loc: Location) {
    map.entry(key).or_insert((0, loc)).0 += 1;
}
