//! Pure computations: from a journey and its loaded data to the `kpis.json` object
//! (docs/kpis.md defines every number). Nothing here reads files or prints.
//!
//! The computations are given a [`KpiSpec`] — exactly the parts of a journey that the
//! numbers depend on — and the data; targets are evaluated afterwards from the journey's
//! targets. So the KPI cache's key is a `KpiSpec` and the data's version: a new setting
//! that the KPIs use has to be in `KpiSpec`, and so in the key.

pub mod activity;
pub mod baseline;
pub mod checks;
pub mod durations;
pub mod feedback;
pub mod funnel;
pub mod metrics;
pub mod paths;
pub mod retention;
pub mod significance;
mod spec;
pub mod summary;

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::data::events::EventData;
use crate::data::{DataVersion, JourneyData};
use crate::spec::{Project, Target, TargetKind};
pub use spec::{FeedbackShape, KpiSpec, PainShape, StageShape, TouchpointShape};

/// The `generator` string of `kpis.json`.
pub const GENERATOR: &str = concat!("journeymap ", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Serialize)]
pub struct Kpis {
    pub generator: &'static str,
    pub journeys: Vec<JourneyKpis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct JourneyKpis {
    pub id: String,
    pub title: String,
    pub funnel: Funnel,
    pub conversion_rate: Option<f64>,
    pub stages: Vec<StageKpis>,
    pub revenue: Option<RevenueKpis>,
    pub retention: Option<RetentionKpis>,
    pub segments: Vec<SegmentKpis>,
    /// Users reaching each step by the period they entered the funnel in; empty without events.
    pub trends: Vec<TrendPeriod>,
    pub paths: paths::Paths,
    pub unmapped_events: BTreeMap<String, u64>,
    pub targets: Vec<TargetResult>,
    /// Per `[[data.feedback]]` source that was read, in spec order.
    pub feedback: Vec<feedback::FeedbackKpis>,
    /// `left_after[k][tp]`: people who reached step k + 1 but not step k + 2, by the
    /// touchpoint (journey order) of their last mapped event. Its rows add up to the
    /// funnel's drop-offs, which the exits per touchpoint do not. Not in kpis.json; empty
    /// without events.
    #[serde(skip)]
    pub left_after: Vec<Vec<u64>>,
    /// What the funnel was counted from, for pages to say what its numbers are. Not in
    /// kpis.json (`window_seconds` and the nulls tell the same to a program).
    #[serde(skip)]
    pub basis: Basis,
    /// Users and events per period of each touchpoint; `None` without events. Not in
    /// kpis.json (its keys are a fixed contract).
    #[serde(skip)]
    pub activity: Option<activity::Activity>,
}

/// What a journey's funnel counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Basis {
    /// No data yet: every funnel number is unknown.
    #[default]
    Nothing,
    /// People, from an event export.
    Events,
    /// Sums of the `users` rows of an aggregated export: visits or entries per period,
    /// not distinct people. `dates` distinct dates from `first` to `last` (day numbers).
    Aggregates { dates: usize, first: i64, last: i64 },
}

#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    pub window_seconds: Option<i64>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub stage: String,
    pub users: Option<u64>,
    pub conversion_from_previous: Option<f64>,
    pub conversion_from_start: Option<f64>,
    pub drop_off: Option<u64>,
    pub median_seconds_from_previous: Option<f64>,
    /// Absent from a kpis.json written before it existed (read back as a baseline).
    #[serde(default)]
    pub seconds_from_previous: Option<durations::TimeToConvert>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPeriod {
    /// The first day of the period.
    pub start: String,
    /// Users who entered in this period and reached each step.
    pub users: Vec<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StageKpis {
    pub id: String,
    pub reach: Option<u64>,
    pub touchpoints: Vec<TouchpointKpis>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TouchpointKpis {
    pub id: String,
    pub users: Option<u64>,
    pub events: Option<u64>,
    pub exits: Option<u64>,
    pub metrics: BTreeMap<String, MetricKpi>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricKpi {
    pub value: Option<f64>,
    pub series: Vec<SeriesPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesPoint {
    pub date: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RevenueKpis {
    pub orders: u64,
    pub total: f64,
    pub aov: Option<f64>,
    pub buyers: u64,
    pub repeat_purchase_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetentionKpis {
    pub period: String,
    pub cohort_stage: Option<String>,
    pub return_stage: Option<String>,
    pub cohorts: Vec<Cohort>,
    pub average: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cohort {
    pub start: String,
    pub size: u64,
    pub retained: Vec<Option<u64>>,
    pub rates: Vec<Option<f64>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SegmentKpis {
    pub id: String,
    pub funnel: Funnel,
    pub conversion_rate: Option<f64>,
    /// The 95 % Wilson interval of `conversion_rate`.
    pub conversion_ci: Option<[f64; 2]>,
    /// Against all other users together (pooled two-proportion z-test, two-sided).
    pub p_value: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetResult {
    pub kpi: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub actual: Option<f64>,
    pub met: bool,
}

/// `a / b`, or `None` when either is unknown or `b` is zero: never NaN.
pub fn ratio(a: Option<u64>, b: Option<u64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0 => Some(a as f64 / b as f64),
        _ => None,
    }
}

pub fn compute(project: &Project, data: &[JourneyData]) -> Kpis {
    compute_cached(project, data, &mut Cache::default())
}

/// Computed KPIs kept between rebuilds (`journeymap serve`), by journey id. An entry is
/// reused while its [`KpiKey`] is equal: editing a title, a description or a target
/// recomputes nothing (targets are evaluated on every run).
pub struct Cache {
    entries: HashMap<String, (KpiKey, JourneyKpis)>,
    /// Journeys whose KPIs the last run computed (rather than took from the cache).
    computed: Vec<String>,
    /// False for a one-off run: nothing is kept.
    keep: bool,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            entries: HashMap::new(),
            computed: Vec::new(),
            keep: true,
        }
    }
}

impl Cache {
    /// A cache for one run (`check`, `build`, `kpis`): it keeps nothing.
    pub fn none() -> Cache {
        Cache {
            keep: false,
            ..Cache::default()
        }
    }

    /// The journeys whose KPIs the last run computed (rather than took from the cache).
    pub fn last_computed(&self) -> &[String] {
        &self.computed
    }

    /// Forgets what the last run did, for a run that stops before computing.
    pub fn begin(&mut self) {
        self.computed.clear();
    }
}

/// What a journey's computed KPIs depend on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct KpiKey {
    spec: KpiSpec,
    data: DataVersion,
}

/// [`compute`], reusing the KPIs of `cache` that cannot have changed.
pub fn compute_cached(project: &Project, data: &[JourneyData], cache: &mut Cache) -> Kpis {
    cache.begin();
    let mut journeys = Vec::new();
    for (j, d) in project.journeys.iter().zip(data) {
        let key = KpiKey {
            spec: KpiSpec::of(j),
            data: d.version.clone(),
        };
        let mut k = match cache.entries.get(&j.id) {
            Some((old, k)) if *old == key => k.clone(),
            _ => {
                let k = journey(&key.spec, d);
                cache.computed.push(j.id.clone());
                if cache.keep {
                    cache.entries.insert(j.id.clone(), (key, k.clone()));
                }
                k
            }
        };
        k.id = j.id.clone();
        k.title = j.title.clone();
        k.targets = targets(&j.targets, &k);
        journeys.push(k);
    }
    cache
        .entries
        .retain(|id, _| project.journeys.iter().any(|j| &j.id == id));
    Kpis {
        generator: GENERATOR,
        journeys,
    }
}

/// The KPIs of one journey, without its id, title and targets (see [`compute_cached`]).
pub fn journey(spec: &KpiSpec, data: &JourneyData) -> JourneyKpis {
    let mut k = match &data.events {
        Some(ev) => from_events(spec, ev),
        None => empty(spec),
    };
    if let Some(m) = &data.metrics {
        metrics::apply_touchpoint_metrics(spec, m, &mut k);
        if data.events.is_none() {
            metrics::apply_metrics_funnel(spec, m, &mut k);
        }
    }
    if let (None, Some(c)) = (&data.events, &data.cohorts) {
        k.retention = Some(retention::from_cohorts(spec, c));
    }
    let sources: Vec<_> = data.feedback.iter().map(|f| f.as_deref()).collect();
    k.feedback = feedback::compute(spec, &sources);
    k
}

/// A journey without data: the structure with unknown (null) numbers.
fn empty(spec: &KpiSpec) -> JourneyKpis {
    let n = spec.stages.len();
    JourneyKpis {
        id: String::new(),
        title: String::new(),
        funnel: Funnel {
            window_seconds: spec.window,
            steps: funnel::steps(spec, &vec![None; n], &[]),
        },
        conversion_rate: None,
        stages: spec
            .stages
            .iter()
            .map(|s| StageKpis {
                id: s.id.clone(),
                reach: None,
                touchpoints: s
                    .touchpoints
                    .iter()
                    .map(|t| TouchpointKpis {
                        id: t.id.clone(),
                        users: None,
                        events: None,
                        exits: None,
                        metrics: BTreeMap::new(),
                    })
                    .collect(),
            })
            .collect(),
        revenue: None,
        retention: None,
        segments: Vec::new(),
        trends: Vec::new(),
        paths: paths::Paths::default(),
        unmapped_events: BTreeMap::new(),
        targets: Vec::new(),
        feedback: Vec::new(),
        left_after: Vec::new(),
        basis: Basis::Nothing,
        activity: None,
    }
}

fn conversion_rate(spec: &KpiSpec, steps: &[Step]) -> Option<f64> {
    ratio(steps[spec.conversion_stage].users, steps[0].users)
}

fn from_events(spec: &KpiSpec, ev: &EventData) -> JourneyKpis {
    // Retention needs its own walk over the users: it runs beside the funnel's.
    let (pass, activity, retention) = std::thread::scope(|scope| {
        let retention = scope.spawn(|| retention::from_events(spec, ev));
        let buckets = activity::Buckets::of(ev, spec.stage_of().len());
        let pass = funnel::event_pass(spec, ev, buckets.as_ref());
        let activity = buckets.map(|b| b.series(&pass.activity, spec.stage_of().len()));
        let retention = retention.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (pass, activity, retention)
    });
    let all: Vec<&funnel::SegmentCounts> = pass.segments.iter().collect();
    let steps = funnel::steps_of(spec, &all);
    let mut k = empty(spec);
    k.basis = Basis::Events;
    k.conversion_rate = conversion_rate(spec, &steps);
    k.funnel.steps = steps;
    let n_tp = pass.touchpoint_users.len();
    let exits = pass.exits_by_touchpoint(n_tp);
    let mut tp_index = 0;
    for (stage_kpis, reach) in k.stages.iter_mut().zip(&pass.reach) {
        stage_kpis.reach = Some(*reach);
        for t in stage_kpis.touchpoints.iter_mut() {
            t.users = Some(pass.touchpoint_users[tp_index]);
            t.events = Some(ev.touchpoint_rows[tp_index]);
            t.exits = Some(exits[tp_index]);
            tp_index += 1;
        }
    }
    k.left_after = pass.exits.chunks(n_tp.max(1)).map(<[u64]>::to_vec).collect();
    k.left_after.truncate(spec.stages.len().saturating_sub(1));
    k.revenue = ev.revenue.as_ref().map(|r| {
        let buyers = r.user_orders.iter().filter(|&&n| n > 0).count() as u64;
        let repeat = r.user_orders.iter().filter(|&&n| n >= 2).count() as u64;
        // Exact in millionths until here: one rounding to f64 for the total, one for the mean.
        let total = r.total_micros as f64 / 1e6;
        RevenueKpis {
            orders: r.orders,
            total,
            aov: (r.orders > 0).then(|| r.total_micros as f64 / 1e6 / r.orders as f64),
            buyers,
            repeat_purchase_rate: ratio(Some(repeat), Some(buyers)),
        }
    });
    k.retention = retention;
    k.activity = activity;
    k.trends = trends(spec, &pass.trends);
    let ids: Vec<&str> = spec.touchpoints().map(|(_, t)| t.id.as_str()).collect();
    k.paths = pass.paths.finish(&ids, spec.paths);
    if !ev.user_segment.is_empty() {
        // Users at step 1 and at the conversion stage, per segment and in all.
        let counts = |c: &funnel::SegmentCounts| (c.reached[0], c.reached[spec.conversion_stage]);
        let (entered, converted) = pass
            .segments
            .iter()
            .map(counts)
            .fold((0, 0), |(n, x), (dn, dx)| (n + dn, x + dx));
        let mut members = vec![0u64; ev.segment_names.len()];
        for &s in &ev.user_segment {
            members[s as usize] += 1;
        }
        let mut segs: Vec<SegmentKpis> = pass
            .segments
            .iter()
            .zip(&ev.segment_names)
            .zip(&members)
            .filter(|(_, &n)| n > 0)
            .map(|((c, name), _)| {
                let steps = funnel::steps_of(spec, &[c]);
                let (n, x) = counts(c);
                SegmentKpis {
                    id: name.clone(),
                    conversion_rate: conversion_rate(spec, &steps),
                    conversion_ci: significance::wilson(x, n),
                    p_value: significance::two_proportion_p(x, n, converted - x, entered - n),
                    funnel: Funnel {
                        window_seconds: spec.window,
                        steps,
                    },
                }
            })
            .collect();
        segs.sort_by(|a, b| a.id.cmp(&b.id));
        k.segments = segs;
    }
    k.unmapped_events = ev.unmapped.clone();
    k
}

/// Every period from the first entry to the last, empty ones included.
fn trends(spec: &KpiSpec, by_period: &BTreeMap<i64, Vec<u64>>) -> Vec<TrendPeriod> {
    let (Some((&first, _)), Some((&last, _))) = (by_period.first_key_value(), by_period.last_key_value()) else {
        return Vec::new();
    };
    (first..=last)
        .map(|p| TrendPeriod {
            start: crate::calendar::period_start(p, spec.trends),
            users: by_period.get(&p).cloned().unwrap_or_else(|| vec![0; spec.stages.len()]),
        })
        .collect()
}

/// Every declared target with its actual value, in declaration order.
pub fn targets(targets: &[Target], k: &JourneyKpis) -> Vec<TargetResult> {
    targets
        .iter()
        .map(|t| {
            let actual = match &t.kind {
                TargetKind::ConversionRate => k.conversion_rate,
                TargetKind::Aov => k.revenue.as_ref().and_then(|r| r.aov),
                TargetKind::RepeatPurchaseRate => k.revenue.as_ref().and_then(|r| r.repeat_purchase_rate),
                TargetKind::Retention(n) => k
                    .retention
                    .as_ref()
                    .and_then(|r| r.average.get(*n as usize).copied().flatten()),
                TargetKind::StageConversion(i) => k.funnel.steps[*i].conversion_from_previous,
                TargetKind::TouchpointMetric(tp, m) => k
                    .stages
                    .iter()
                    .flat_map(|s| &s.touchpoints)
                    .find(|x| &x.id == tp)
                    .and_then(|x| x.metrics.get(m))
                    .and_then(|m| m.value),
                TargetKind::Feedback { source, owner, field } => k
                    .feedback
                    .iter()
                    .find(|f| &f.id == source)
                    .and_then(|f| f.stages.get(owner).or_else(|| f.touchpoints.get(owner)))
                    .and_then(|s| s.field(*field)),
            };
            TargetResult {
                kpi: t.kpi.clone(),
                min: t.bound.min,
                max: t.bound.max,
                actual,
                met: t.bound.met(actual),
            }
        })
        .collect()
}
