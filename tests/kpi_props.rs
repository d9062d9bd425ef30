//! The KPI engine against a deliberately naive implementation of docs/kpis.md, written here from
//! the definitions alone, on random small event sets and random journeys and windows.
//!
//! The naive side works on the raw rows with plain loops (every start, every candidate, by
//! linear scans) and uses `jiff` for calendar periods; the engine side is the real binary
//! path (`journeymap::analyse` on a project written to disk).

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;
use serde_json::{json, Value};

#[derive(Debug, Clone)]
struct Row {
    user: usize,
    /// Seconds since the epoch.
    t: i64,
    event: usize,
    segment: usize,
    revenue: Option<i64>,
    /// How the time is written: 0 = Z, 1 = +02:00, 2 = −05:30, 3 = space, no offset.
    style: u8,
}

#[derive(Debug, Clone)]
struct Case {
    /// Touchpoints per stage (each touchpoint k lists the event `e{k}`).
    stages: Vec<usize>,
    window: Option<i64>,
    period: &'static str,
    periods: usize,
    cohort_stage: usize,
    return_stage: usize,
    /// `[trends] period`; `None`: not written (week).
    trends: Option<&'static str>,
    /// `[paths] max_length` and `top`; `None`: not written (6 and 10).
    paths: Option<(usize, usize)>,
    rows: Vec<Row>,
}

/// Seconds between two consecutive row times: 24 days in all, or 240, or four years, so
/// that activity is counted per day, per week and per month.
const STEPS: [i64; 3] = [43_200, 5 * 86_400, 31 * 86_400];

const BASE: i64 = 1_767_398_400; // 2026-01-03T00:00:00Z, a Saturday
const SEGMENTS: [&str; 3] = ["", "s1", "s2"];

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec(1usize..=2, 1..=4),
        prop_oneof![
            Just(None),
            Just(Some(3_600i64)),
            Just(Some(86_400)),
            Just(Some(4 * 86_400))
        ],
        prop_oneof![Just("day"), Just("week"), Just("month")],
        1usize..=4,
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        prop::sample::select(&STEPS[..]),
        prop::option::of(prop_oneof![Just("day"), Just("week"), Just("month")]),
        prop::option::of((2usize..=4, 1usize..=3)),
    )
        .prop_flat_map(|(stages, window, period, periods, ci, ri, step, trends, paths)| {
            let n_tp: usize = stages.iter().sum();
            let n_stages = stages.len();
            let row = (
                0usize..5,
                0i64..48,
                0..n_tp + 2,
                0usize..3,
                prop::option::weighted(0.2, 1i64..5000),
                0u8..4,
            )
                .prop_map(move |(user, k, event, segment, revenue, style)| Row {
                    user,
                    // Ties, and day, week, month and year boundaries.
                    t: BASE + k * step,
                    event,
                    segment,
                    revenue,
                    style,
                });
            prop::collection::vec(row, 0..30).prop_map(move |rows| Case {
                stages: stages.clone(),
                window,
                period,
                periods,
                cohort_stage: ci.index(n_stages),
                return_stage: ri.index(n_stages),
                trends,
                paths,
                rows,
            })
        })
}

fn write_project(c: &Case) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("journeys")).unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("journeymap.toml"), "title = \"P\"\n").unwrap();
    let mut toml = String::from("title = \"J\"\n");
    if let Some(w) = c.window {
        toml += &format!("conversion_window = \"{w}s\"\n");
    }
    toml += "[data.events]\npath = \"data/events.csv\"\n";
    toml += &format!(
        "[retention]\nperiod = \"{}\"\nperiods = {}\ncohort_stage = \"s{}\"\nreturn_stage = \"s{}\"\n",
        c.period, c.periods, c.cohort_stage, c.return_stage
    );
    if let Some(p) = c.trends {
        toml += &format!("[trends]\nperiod = \"{p}\"\n");
    }
    if let Some((max_length, top)) = c.paths {
        toml += &format!("[paths]\nmax_length = {max_length}\ntop = {top}\n");
    }
    let mut k = 0;
    for (s, &n) in c.stages.iter().enumerate() {
        toml += &format!("[[stages]]\nid = \"s{s}\"\n");
        for _ in 0..n {
            toml += &format!("[[stages.touchpoints]]\nid = \"t{k}\"\nevents = [\"e{k}\"]\n");
            k += 1;
        }
    }
    std::fs::write(dir.path().join("journeys/j.toml"), toml).unwrap();
    let mut csv = String::from("user_id,timestamp,event,segment,revenue\n");
    for r in &c.rows {
        let ts = Timestamp::from_second(r.t).unwrap();
        let time = match r.style {
            0 => ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            1 => (ts + 2.hours()).strftime("%Y-%m-%dT%H:%M:%S+02:00").to_string(),
            2 => (ts - 5.hours() - 30.minutes())
                .strftime("%Y-%m-%dT%H:%M:%S-05:30")
                .to_string(),
            _ => ts.strftime("%Y-%m-%d %H:%M:%S").to_string(),
        };
        let revenue = r
            .revenue
            .map(|c| format!("{}.{:02}", c / 100, c % 100))
            .unwrap_or_default();
        csv += &format!("u{},{time},e{},{},{revenue}\n", r.user, r.event, SEGMENTS[r.segment]);
    }
    std::fs::write(dir.path().join("data/events.csv"), csv).unwrap();
    dir
}

/// Touchpoint index → stage index.
fn stage_of(c: &Case) -> Vec<usize> {
    c.stages
        .iter()
        .enumerate()
        .flat_map(|(s, &n)| std::iter::repeat_n(s, n))
        .collect()
}

fn ratio(a: u64, b: u64) -> Value {
    if b == 0 {
        Value::Null
    } else {
        json!(a as f64 / b as f64)
    }
}

fn median(mut v: Vec<i64>) -> Value {
    if v.is_empty() {
        return Value::Null;
    }
    v.sort();
    let n = v.len();
    let m = if n % 2 == 1 {
        v[n / 2] as f64
    } else {
        (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0
    };
    json!(m)
}

/// Nearest-rank percentiles (the ⌈p/100 × n⌉-th smallest) and the fixed histogram.
fn time_to_convert(mut v: Vec<i64>) -> Value {
    if v.is_empty() {
        return Value::Null;
    }
    v.sort();
    let n = v.len();
    let pct = |p: usize| {
        let mut rank = 1;
        while rank * 100 < p * n {
            rank += 1;
        }
        json!(v[rank - 1] as f64)
    };
    let bins: [(i64, i64); 9] = [
        (0, 60),
        (60, 600),
        (600, 3_600),
        (3_600, 21_600),
        (21_600, 86_400),
        (86_400, 259_200),
        (259_200, 604_800),
        (604_800, 2_592_000),
        (2_592_000, i64::MAX),
    ];
    let histogram: Vec<usize> = bins
        .iter()
        .map(|&(lo, hi)| v.iter().filter(|&&d| lo <= d && d < hi).count())
        .collect();
    json!({ "p25": pct(25), "p50": pct(50), "p75": pct(75), "p90": pct(90), "histogram": histogram })
}

/// The 95 % Wilson score interval, as written in Wilson (1927).
fn wilson(x: u64, n: u64) -> Value {
    if n == 0 {
        return Value::Null;
    }
    let z = 1.959963984540054f64;
    let (x, n) = (x as f64, n as f64);
    let p = x / n;
    let centre = p + z * z / (2.0 * n);
    let spread = z * ((p * (1.0 - p) + z * z / (4.0 * n)) / n).sqrt();
    let d = 1.0 + z * z / n;
    json!([((centre - spread) / d).max(0.0), ((centre + spread) / d).min(1.0)])
}

/// Two-sided p-value of the pooled z-test, with Φ by Simpson's rule on the normal density.
fn p_value(x1: u64, n1: u64, x2: u64, n2: u64) -> Value {
    let pooled = (x1 + x2) as f64 / (n1 + n2) as f64;
    if n1 == 0 || n2 == 0 || pooled == 0.0 || pooled == 1.0 {
        return Value::Null;
    }
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
    let z = ((x1 as f64 / n1 as f64 - x2 as f64 / n2 as f64) / se).abs();
    let phi = |t: f64| (-t * t / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let steps = 20_000;
    let h = z / steps as f64;
    let mut area = phi(0.0) + phi(z);
    for i in 1..steps {
        area += phi(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
    }
    json!((1.0 - 2.0 * area * h / 3.0).max(0.0))
}

/// Max depth and the chain of the earliest start reaching it, by brute force.
fn naive_chain(c: &Case, events: &[(i64, usize)]) -> (usize, Vec<i64>) {
    let n = c.stages.len();
    let mut starts: Vec<i64> = events.iter().filter(|e| e.1 == 0).map(|e| e.0).collect();
    starts.sort();
    let mut best = (0, Vec::new());
    for &a in &starts {
        let mut chain = vec![a];
        for k in 1..n {
            let prev = chain[k - 1];
            let next = events.iter().filter(|e| e.1 == k && e.0 >= prev).map(|e| e.0).min();
            match next {
                Some(t) if c.window.is_none_or(|w| t - a <= w) => chain.push(t),
                _ => break,
            }
        }
        if chain.len() > best.0 {
            best = (chain.len(), chain);
        }
    }
    best
}

fn naive_funnel(c: &Case, users: &[usize], per_user: &BTreeMap<usize, (usize, Vec<i64>)>) -> (Value, Value) {
    let n = c.stages.len();
    let reached: Vec<u64> = (1..=n)
        .map(|k| users.iter().filter(|u| per_user[u].0 >= k).count() as u64)
        .collect();
    let mut steps = Vec::new();
    for k in 0..n {
        let deltas: Vec<i64> = users
            .iter()
            .filter(|u| per_user[u].0 > k && k > 0)
            .map(|u| per_user[u].1[k] - per_user[u].1[k - 1])
            .collect();
        steps.push(json!({
            "stage": format!("s{k}"),
            "users": reached[k],
            "conversion_from_previous": if k == 0 { Value::Null } else { ratio(reached[k], reached[k - 1]) },
            "conversion_from_start": ratio(reached[k], reached[0]),
            "drop_off": if k == 0 { 0 } else { reached[k - 1] - reached[k] },
            "median_seconds_from_previous": if k == 0 { Value::Null } else { median(deltas.clone()) },
            "seconds_from_previous": if k == 0 { Value::Null } else { time_to_convert(deltas) },
        }));
    }
    let funnel = json!({ "window_seconds": c.window, "steps": steps });
    (funnel, ratio(reached[n - 1], reached[0]))
}

/// The start date of the period holding `date`, and the start of the N-th period after it.
fn period_start(period: &str, date: Date) -> Date {
    match period {
        "day" => date,
        "week" => date - (date.weekday().to_monday_zero_offset() as i64).days(),
        _ => date.first_of_month(),
    }
}

fn add_periods(period: &str, start: Date, n: i64) -> Date {
    match period {
        "day" => start + n.days(),
        "week" => start + (7 * n).days(),
        _ => start + n.months(),
    }
}

fn date_of(t: i64) -> Date {
    Timestamp::from_second(t)
        .unwrap()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
}

fn naive(c: &Case) -> Value {
    let stage_of = stage_of(c);
    let n = c.stages.len();
    let n_tp = stage_of.len();
    let conversion = n - 1;
    let user_ids: BTreeSet<usize> = c.rows.iter().map(|r| r.user).collect();
    let mapped = |r: &Row| r.event < n_tp;
    // Funnel per user.
    let mut per_user = BTreeMap::new();
    for &u in &user_ids {
        let events: Vec<(i64, usize)> = c
            .rows
            .iter()
            .filter(|r| r.user == u && mapped(r))
            .map(|r| (r.t, stage_of[r.event]))
            .collect();
        per_user.insert(u, naive_chain(c, &events));
    }
    let all: Vec<usize> = user_ids.iter().copied().collect();
    let (funnel, conversion_rate) = naive_funnel(c, &all, &per_user);
    // Stages and touchpoints.
    let mut stages = Vec::new();
    let mut tp = 0;
    for (s, &count) in c.stages.iter().enumerate() {
        let reach = user_ids
            .iter()
            .filter(|&&u| {
                c.rows
                    .iter()
                    .any(|r| r.user == u && mapped(r) && stage_of[r.event] == s)
            })
            .count();
        let mut tps = Vec::new();
        for _ in 0..count {
            let rows: Vec<&Row> = c.rows.iter().filter(|r| r.event == tp).collect();
            let users: BTreeSet<usize> = rows.iter().map(|r| r.user).collect();
            let exits = user_ids
                .iter()
                .filter(|&&u| {
                    let depth = per_user[&u].0;
                    // The last mapped row: latest time, ties → the later line.
                    let last = c
                        .rows
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.user == u && mapped(r))
                        .max_by_key(|(line, r)| (r.t, *line))
                        .map(|(_, r)| r.event);
                    depth >= 1 && depth < n && last == Some(tp)
                })
                .count();
            tps.push(json!({"id": format!("t{tp}"), "users": users.len(), "events": rows.len(), "exits": exits, "metrics": {}}));
            tp += 1;
        }
        stages.push(json!({"id": format!("s{s}"), "reach": reach, "touchpoints": tps}));
    }
    // Revenue: every row with a revenue value is an order.
    let orders: Vec<&Row> = c.rows.iter().filter(|r| r.revenue.is_some()).collect();
    let total: f64 = orders.iter().map(|r| r.revenue.unwrap() as f64 / 100.0).sum();
    let per_buyer: BTreeMap<usize, usize> = orders.iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r.user).or_default() += 1;
        m
    });
    let repeat = per_buyer.values().filter(|&&n| n >= 2).count() as u64;
    let revenue = json!({
        "orders": orders.len(),
        "total": total,
        "aov": if orders.is_empty() { Value::Null } else { json!(total / orders.len() as f64) },
        "buyers": per_buyer.len(),
        "repeat_purchase_rate": ratio(repeat, per_buyer.len() as u64),
    });
    // Retention.
    let retention = if c.rows.is_empty() {
        Value::Null
    } else {
        let latest = c.rows.iter().map(|r| r.t).max().unwrap();
        let latest_start = period_start(c.period, date_of(latest));
        let mut cohorts: BTreeMap<Date, Vec<usize>> = BTreeMap::new();
        for &u in &user_ids {
            let first = c
                .rows
                .iter()
                .filter(|r| r.user == u && mapped(r) && stage_of[r.event] == c.cohort_stage)
                .map(|r| r.t)
                .min();
            if let Some(t) = first {
                cohorts.entry(period_start(c.period, date_of(t))).or_default().push(u);
            }
        }
        let mut sums = vec![(0u64, 0u64); c.periods + 1];
        let mut list = Vec::new();
        for (start, members) in &cohorts {
            let mut retained = Vec::new();
            for (p, sum) in sums.iter_mut().enumerate() {
                let ps = add_periods(c.period, *start, p as i64);
                if ps > latest_start {
                    retained.push(None);
                    continue;
                }
                let count = if p == 0 {
                    members.len()
                } else {
                    members
                        .iter()
                        .filter(|&&u| {
                            c.rows.iter().any(|r| {
                                r.user == u
                                    && mapped(r)
                                    && stage_of[r.event] == c.return_stage
                                    && period_start(c.period, date_of(r.t)) == ps
                            })
                        })
                        .count()
                };
                sum.0 += count as u64;
                sum.1 += members.len() as u64;
                retained.push(Some(count as u64));
            }
            let rates: Vec<Value> = retained
                .iter()
                .map(|r| r.map_or(Value::Null, |r| ratio(r, members.len() as u64)))
                .collect();
            list.push(json!({"start": start.to_string(), "size": members.len(), "retained": retained, "rates": rates}));
        }
        json!({
            "period": c.period,
            "cohort_stage": format!("s{}", c.cohort_stage),
            "return_stage": format!("s{}", c.return_stage),
            "cohorts": list,
            "average": sums.iter().map(|&(r, s)| ratio(r, s)).collect::<Vec<_>>(),
        })
    };
    // Segments: the value of the user's earliest row with one (ties → earlier line).
    let mut segment_of: BTreeMap<usize, String> = BTreeMap::new();
    for &u in &user_ids {
        let seg = c
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.user == u && r.segment != 0)
            .min_by_key(|(line, r)| (r.t, *line))
            .map_or("(none)".to_string(), |(_, r)| SEGMENTS[r.segment].to_string());
        segment_of.insert(u, seg);
    }
    let labels: BTreeSet<&String> = segment_of.values().collect();
    let segments: Vec<Value> = labels
        .iter()
        .map(|label| {
            let members: Vec<usize> = segment_of.iter().filter(|(_, s)| s == label).map(|(u, _)| *u).collect();
            let (funnel, rate) = naive_funnel(c, &members, &per_user);
            let entered = |users: &mut dyn Iterator<Item = &usize>| users.filter(|u| per_user[u].0 >= 1).count() as u64;
            let converted =
                |users: &mut dyn Iterator<Item = &usize>| users.filter(|u| per_user[u].0 > conversion).count() as u64;
            let others: Vec<usize> = user_ids.iter().filter(|u| !members.contains(u)).copied().collect();
            let (n1, x1) = (entered(&mut members.iter()), converted(&mut members.iter()));
            let (n2, x2) = (entered(&mut others.iter()), converted(&mut others.iter()));
            json!({"id": label, "funnel": funnel, "conversion_rate": rate,
                   "conversion_ci": wilson(x1, n1), "p_value": p_value(x1, n1, x2, n2)})
        })
        .collect();
    let mut unmapped: BTreeMap<String, u64> = BTreeMap::new();
    for r in c.rows.iter().filter(|r| !mapped(r)) {
        *unmapped.entry(format!("e{}", r.event)).or_default() += 1;
    }
    json!({
        "id": "j", "title": "J", "funnel": funnel, "conversion_rate": conversion_rate, "stages": stages,
        "revenue": revenue, "retention": retention, "segments": segments,
        "trends": naive_trends(c, &per_user), "paths": naive_paths(c, &per_user),
        "unmapped_events": unmapped, "targets": [], "feedback": [],
    })
}

/// Users reaching each step, by the period of the first time of their chain.
fn naive_trends(c: &Case, per_user: &BTreeMap<usize, (usize, Vec<i64>)>) -> Value {
    let period = c.trends.unwrap_or("week");
    let n = c.stages.len();
    let mut by_start: BTreeMap<Date, Vec<u64>> = BTreeMap::new();
    for (depth, chain) in per_user.values() {
        if *depth == 0 {
            continue;
        }
        let counts = by_start
            .entry(period_start(period, date_of(chain[0])))
            .or_insert_with(|| vec![0; n]);
        for count in counts.iter_mut().take(*depth) {
            *count += 1;
        }
    }
    let (Some(&first), Some(&last)) = (by_start.keys().next(), by_start.keys().last()) else {
        return json!([]);
    };
    let mut out = Vec::new();
    let mut start = first;
    while start <= last {
        let users = by_start.get(&start).cloned().unwrap_or_else(|| vec![0; n]);
        out.push(json!({"start": start.to_string(), "users": users}));
        start = add_periods(period, start, 1);
    }
    json!(out)
}

/// Each user's touchpoints in time order (ties: earlier line), repeats collapsed, cut.
fn naive_paths(c: &Case, per_user: &BTreeMap<usize, (usize, Vec<i64>)>) -> Value {
    let (max_length, top) = c.paths.unwrap_or((6, 10));
    let n_tp: usize = c.stages.iter().sum();
    let conversion = c.stages.len() - 1;
    let mut counts: BTreeMap<Vec<String>, (u64, u64)> = BTreeMap::new();
    for (&u, (depth, _)) in per_user {
        let mut rows: Vec<(i64, usize, usize)> = c
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.user == u && r.event < n_tp)
            .map(|(line, r)| (r.t, line, r.event))
            .collect();
        rows.sort();
        let mut path: Vec<String> = Vec::new();
        for (_, _, tp) in rows {
            let id = format!("t{tp}");
            if path.last() != Some(&id) {
                path.push(id);
            }
        }
        path.truncate(max_length);
        if path.is_empty() {
            continue;
        }
        let e = counts.entry(path).or_default();
        e.0 += 1;
        e.1 += u64::from(*depth > conversion);
    }
    let mut list: Vec<(&Vec<String>, u64, u64)> = counts.iter().map(|(p, &(u, v))| (p, u, v)).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let top: Vec<Value> = list
        .iter()
        .take(top)
        .map(|(p, u, v)| json!({"steps": p, "users": u, "converted": v}))
        .collect();
    let mut flows: BTreeMap<(usize, String, String), u64> = BTreeMap::new();
    for (path, &(users, _)) in &counts {
        for i in 1..max_length {
            if i > path.len() {
                break;
            }
            let to = path.get(i).cloned().unwrap_or_else(|| "(end)".to_string());
            *flows.entry((i, path[i - 1].clone(), to)).or_default() += users;
        }
    }
    let mut flows: Vec<(usize, String, String, u64)> = flows.into_iter().map(|((i, f, t), u)| (i, f, t, u)).collect();
    flows.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(b.3.cmp(&a.3))
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
    });
    let flows: Vec<Value> = flows
        .into_iter()
        .map(|(step, from, to, users)| json!({"step": step, "from": from, "to": to, "users": users}))
        .collect();
    json!({"top": top, "flows": flows})
}

/// Structural equality with a relative tolerance on floats (sums of money in another order).
fn same(a: &Value, b: &Value, path: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0) {
                Ok(())
            } else {
                Err(format!("{path}: {x} != {y}"))
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .try_for_each(|(i, (x, y))| same(x, y, &format!("{path}[{i}]"))),
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => x.iter().try_for_each(|(k, xv)| match y.get(k) {
            Some(yv) => same(xv, yv, &format!("{path}.{k}")),
            None => Err(format!("{path}.{k} missing")),
        }),
        _ if a == b => Ok(()),
        _ => Err(format!("{path}: {a} != {b}")),
    }
}

/// People who reached step k + 1 but not k + 2, by the touchpoint of their last mapped row
/// (latest time, then the later line): the drop-outs the journey page breaks down.
fn naive_left_after(c: &Case) -> Vec<Vec<u64>> {
    let stage_of = stage_of(c);
    let n = c.stages.len();
    let mut left = vec![vec![0u64; stage_of.len()]; n.saturating_sub(1)];
    let users: BTreeSet<usize> = c.rows.iter().map(|r| r.user).collect();
    for u in users {
        let mapped: Vec<(usize, &Row)> = c
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.user == u && r.event < stage_of.len())
            .collect();
        let events: Vec<(i64, usize)> = mapped.iter().map(|(_, r)| (r.t, stage_of[r.event])).collect();
        let depth = naive_chain(c, &events).0;
        let last = mapped.iter().max_by_key(|(line, r)| (r.t, *line)).map(|(_, r)| r.event);
        if let (true, Some(tp)) = (depth >= 1 && depth < n, last) {
            left[depth - 1][tp] += 1;
        }
    }
    left
}

/// Per touchpoint and calendar period (days when the mapped rows span ≤ 60 days, weeks
/// from Monday up to 731, months beyond), from the first row's period to the last's: the
/// distinct users with a row of the touchpoint, and its rows. With `jiff` dates.
#[allow(clippy::type_complexity)]
fn naive_activity(c: &Case) -> Option<(&'static str, Vec<String>, Vec<Vec<u64>>, Vec<Vec<u64>>)> {
    let n_tp = stage_of(c).len();
    let mapped: Vec<&Row> = c.rows.iter().filter(|r| r.event < n_tp).collect();
    let first = mapped.iter().map(|r| date_of(r.t)).min()?;
    let last = mapped.iter().map(|r| date_of(r.t)).max()?;
    let days = (last - first).get_days() + 1;
    let period = if days <= 60 {
        "day"
    } else if days <= 731 {
        "week"
    } else {
        "month"
    };
    let mut starts = Vec::new();
    let mut start = period_start(period, first);
    while start <= period_start(period, last) {
        starts.push(start);
        start = add_periods(period, start, 1);
    }
    let mut users = vec![vec![0u64; starts.len()]; n_tp];
    let mut events = vec![vec![0u64; starts.len()]; n_tp];
    for tp in 0..n_tp {
        for (i, s) in starts.iter().enumerate() {
            let rows: Vec<&&Row> = mapped
                .iter()
                .filter(|r| r.event == tp && period_start(period, date_of(r.t)) == *s)
                .collect();
            events[tp][i] = rows.len() as u64;
            users[tp][i] = rows.iter().map(|r| r.user).collect::<BTreeSet<_>>().len() as u64;
        }
    }
    Some((period, starts.iter().map(Date::to_string).collect(), users, events))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_naive_definitions(c in case()) {
        let dir = write_project(&c);
        let (analysis, diags) = journeymap::analyse(dir.path());
        let analysis = analysis.unwrap_or_else(|| panic!("{diags:?}"));
        let engine = serde_json::to_value(&analysis.kpis.journeys[0]).unwrap();
        let expected = naive(&c);
        if let Err(e) = same(&engine, &expected, "") {
            prop_assert!(false, "{}\nengine:   {}\nexpected: {}", e, engine, expected);
        }
        prop_assert_eq!(&analysis.kpis.journeys[0].left_after, &naive_left_after(&c));
        let activity = analysis.kpis.journeys[0]
            .activity
            .as_ref()
            .map(|a| (a.period.name(), a.starts.clone(), a.users.clone(), a.events.clone()));
        prop_assert_eq!(activity, naive_activity(&c));
    }
}
