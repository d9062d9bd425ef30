//! Pure computations: from a journey and its loaded data to the `kpis.json` object of
//! SPEC §5. Nothing here reads files or prints.

pub mod checks;
pub mod funnel;
pub mod metrics;
pub mod retention;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::data::events::EventData;
use crate::data::JourneyData;
use crate::spec::{Journey, Project, TargetKind};

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
    pub unmapped_events: BTreeMap<String, u64>,
    pub targets: Vec<TargetResult>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Funnel {
    pub window_seconds: Option<i64>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub stage: String,
    pub users: Option<u64>,
    pub conversion_from_previous: Option<f64>,
    pub conversion_from_start: Option<f64>,
    pub drop_off: Option<u64>,
    pub median_seconds_from_previous: Option<f64>,
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

#[derive(Debug, Clone, PartialEq, Serialize)]
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
}

#[derive(Debug, Clone, Serialize)]
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

/// Computed KPIs kept between rebuilds (`journeymap serve`): a journey's KPIs are reused
/// while its data is the very same (shared, unchanged) data and the parts of its spec the
/// KPIs depend on are unchanged. Editing a title or a description recomputes nothing.
#[derive(Default)]
pub struct Cache {
    entries: HashMap<String, (String, JourneyData, JourneyKpis)>,
}

/// Everything of a journey's spec that changes its KPIs, except targets (always
/// re-evaluated) and what the data cache already keys on (event mapping, columns).
fn fingerprint(j: &Journey) -> String {
    let r = &j.retention;
    let mut key = format!(
        "{:?}|{}|{}:{}:{:?}:{:?}",
        j.conversion_window, j.conversion_stage, r.cohort_stage, r.return_stage, r.period, r.periods
    );
    for s in &j.stages {
        key.push_str(&format!("|s:{}", s.id));
        for tp in &s.touchpoints {
            key.push_str(&format!("|t:{}", tp.id));
            for m in &tp.metrics {
                key.push_str(&format!(",{}:{:?}", m.id, m.aggregate));
            }
        }
    }
    key
}

fn same_data(a: &JourneyData, b: &JourneyData) -> bool {
    fn same<T>(x: &Option<std::sync::Arc<T>>, y: &Option<std::sync::Arc<T>>) -> bool {
        match (x, y) {
            (Some(x), Some(y)) => std::sync::Arc::ptr_eq(x, y),
            (None, None) => true,
            _ => false,
        }
    }
    same(&a.events, &b.events) && same(&a.metrics, &b.metrics) && same(&a.cohorts, &b.cohorts)
}

/// [`compute`], reusing the KPIs of `cache` that cannot have changed.
pub fn compute_cached(project: &Project, data: &[JourneyData], cache: &mut Cache) -> Kpis {
    let mut journeys = Vec::new();
    for (j, d) in project.journeys.iter().zip(data) {
        let key = fingerprint(j);
        let k = match cache.entries.get(&j.id) {
            Some((old_key, old_data, k)) if *old_key == key && same_data(old_data, d) => {
                let mut k = k.clone();
                k.title = j.title.clone();
                k.targets = targets(j, &k);
                k
            }
            _ => {
                let k = journey(j, d);
                // The data is kept alive by the entry, so pointer equality stays meaningful.
                cache.entries.insert(j.id.clone(), (key, d.clone(), k.clone()));
                k
            }
        };
        journeys.push(k);
    }
    cache
        .entries
        .retain(|id, _| project.journeys.iter().any(|j| &j.id == id));
    Kpis {
        generator: crate::GENERATOR,
        journeys,
    }
}

pub fn journey(j: &Journey, data: &JourneyData) -> JourneyKpis {
    let mut k = match &data.events {
        Some(ev) => from_events(j, ev),
        None => empty(j),
    };
    if let Some(m) = &data.metrics {
        metrics::apply_touchpoint_metrics(j, m, &mut k);
        if data.events.is_none() {
            metrics::apply_metrics_funnel(j, m, &mut k);
        }
    }
    if let (None, Some(c)) = (&data.events, &data.cohorts) {
        k.retention = Some(retention::from_cohorts(j, c));
    }
    k.targets = targets(j, &k);
    k
}

/// A journey without data: the structure with unknown (null) numbers.
fn empty(j: &Journey) -> JourneyKpis {
    let n = j.stages.len();
    JourneyKpis {
        id: j.id.clone(),
        title: j.title.clone(),
        funnel: Funnel {
            window_seconds: j.conversion_window,
            steps: funnel::steps(j, &vec![None; n], &[]),
        },
        conversion_rate: None,
        stages: j
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
        unmapped_events: BTreeMap::new(),
        targets: Vec::new(),
    }
}

fn conversion_rate(j: &Journey, steps: &[Step]) -> Option<f64> {
    ratio(steps[j.conversion_stage].users, steps[0].users)
}

fn from_events(j: &Journey, ev: &EventData) -> JourneyKpis {
    // Retention needs its own walk over the users: it runs beside the funnel's.
    let (pass, retention) = std::thread::scope(|scope| {
        let retention = scope.spawn(|| retention::from_events(j, ev));
        let pass = funnel::event_pass(j, ev);
        (pass, retention.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    let all: Vec<&funnel::SegmentCounts> = pass.segments.iter().collect();
    let steps = funnel::steps_of(j, &all);
    let mut k = empty(j);
    k.conversion_rate = conversion_rate(j, &steps);
    k.funnel.steps = steps;
    let mut tp_index = 0;
    for (stage_kpis, reach) in k.stages.iter_mut().zip(&pass.reach) {
        stage_kpis.reach = Some(*reach);
        for t in stage_kpis.touchpoints.iter_mut() {
            t.users = Some(pass.touchpoint_users[tp_index]);
            t.events = Some(ev.touchpoint_rows[tp_index]);
            t.exits = Some(pass.exits[tp_index]);
            tp_index += 1;
        }
    }
    k.revenue = ev.revenue.as_ref().map(|r| {
        let buyers = r.user_orders.iter().filter(|&&n| n > 0).count() as u64;
        let repeat = r.user_orders.iter().filter(|&&n| n >= 2).count() as u64;
        RevenueKpis {
            orders: r.orders,
            total: r.total,
            aov: (r.orders > 0).then(|| r.total / r.orders as f64),
            buyers,
            repeat_purchase_rate: ratio(Some(repeat), Some(buyers)),
        }
    });
    k.retention = retention;
    if !ev.user_segment.is_empty() {
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
                let steps = funnel::steps_of(j, &[c]);
                SegmentKpis {
                    id: name.clone(),
                    conversion_rate: conversion_rate(j, &steps),
                    funnel: Funnel {
                        window_seconds: j.conversion_window,
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

/// Every declared target with its actual value, in declaration order (SPEC §4).
pub fn targets(j: &Journey, k: &JourneyKpis) -> Vec<TargetResult> {
    j.targets
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
