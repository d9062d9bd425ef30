//! `[data.metrics]`: aggregated exports in long format, `date,key,metric,value`.

use std::collections::{BTreeMap, HashMap};

use super::table::read_rows;
use super::time::parse_date;
use crate::diagnostics::{did_you_mean, plural, Diagnostic, Diagnostics, Location};
use crate::spec::Journey;

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

pub fn read(journey: &Journey, diags: &mut Diagnostics) -> Option<MetricsData> {
    let file = journey.metrics.as_ref()?;
    let tps: Vec<_> = journey.touchpoints().map(|(_, t)| t).collect();
    let mut data = MetricsData {
        stage_users: vec![Vec::new(); journey.stages.len()],
        touchpoint_series: tps.iter().map(|t| vec![Vec::new(); t.metrics.len()]).collect(),
    };
    let mut seen: HashMap<(i64, String, String), usize> = HashMap::new();
    // Undeclared keys and metrics: reported once each, with a row count and the first row.
    let mut unknown_keys: BTreeMap<String, (usize, Location)> = BTreeMap::new();
    let mut unknown_metrics: BTreeMap<(String, String), (usize, Location)> = BTreeMap::new();
    let mut errors = 0;
    let ok = read_rows(file, super::METRICS_COLUMNS, diags, |row, diags| {
        let mut bad = |d: Diagnostic| {
            diags.push(d);
            errors += 1;
        };
        let date = parse_date(row.get(DATE).as_bytes());
        if date.is_none() {
            bad(row.error(DATE, format!("invalid date `{}`: expected YYYY-MM-DD", row.get(DATE))));
        }
        let value = row.get(VALUE).parse::<f64>().ok().filter(|v| v.is_finite());
        if value.is_none() {
            bad(row
                .error(VALUE, format!("invalid value `{}`: expected a number", row.get(VALUE)))
                .help_opt(
                    row.get(VALUE)
                        .contains(',')
                        .then(|| "use a dot as the decimal separator".to_string()),
                ));
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
        if let Some(first) = seen.insert((date, key.to_string(), metric.to_string()), row.line) {
            bad(row
                .error(DATE, format!("duplicate row for ({}, {key}, {metric})", row.get(DATE)))
                .help(format!("first given on line {first}; one row per (date, key, metric)")));
            return;
        }
        let stage = journey.stage_index(key);
        let tp = tps.iter().position(|t| t.id == key);
        match (stage, tp) {
            (Some(s), _) if metric == "users" => {
                if value < 0.0 || value.fract() != 0.0 {
                    bad(row.error(VALUE, format!("`users` must be a whole number ≥ 0, found {value}")));
                    return;
                }
                data.stage_users[s].push((date, value as u64));
            }
            (_, Some(t)) => match tps[t].metrics.iter().position(|m| m.id == metric) {
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
    let ids: Vec<&str> = journey
        .stages
        .iter()
        .map(|s| s.id.as_str())
        .chain(tps.iter().map(|t| t.id.as_str()))
        .collect();
    for (key, (n, loc)) in unknown_keys {
        diags.push(
            Diagnostic::warning(format!(
                "key `{key}` is neither a stage nor a touchpoint of journey `{}` ({} ignored)",
                journey.id,
                plural(n as u64, "row")
            ))
            .at(loc)
            .help_opt(did_you_mean(&key, ids.iter().copied())),
        );
    }
    for ((key, metric), (n, loc)) in unknown_metrics {
        let declared: Vec<&str> = match tps.iter().find(|t| t.id == key) {
            Some(t) => t.metrics.iter().map(|m| m.id.as_str()).collect(),
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
