//! First-time cohort retention over calendar periods (docs/kpis.md), from events or from
//! a pre-computed cohort table.

use std::collections::BTreeMap;

use super::{ratio, Cohort, KpiSpec, RetentionKpis};
use crate::calendar::{format_date, period_index, period_start};
use crate::data::cohorts::CohortData;
use crate::data::events::EventData;
use crate::spec::Retention;

pub fn from_events(spec: &KpiSpec, data: &EventData) -> Option<RetentionKpis> {
    let latest = data.latest?;
    let r = &spec.retention;
    let periods = r.periods.unwrap_or(Retention::DEFAULT_PERIODS) as usize;
    let stage_of = spec.stage_of();
    let zone = &data.zone;
    let latest_period = period_index(zone.local(latest), r.period);
    // cohort period → (size, retained[1..=periods])
    let mut cohorts: BTreeMap<i64, (u64, Vec<u64>)> = BTreeMap::new();
    let mut hit = vec![false; periods + 1];
    for u in 0..data.users() {
        let range = data.user_events(u);
        let Some(first) = range
            .clone()
            .find(|&i| stage_of[data.touchpoint[i] as usize] == r.cohort_stage)
        else {
            continue;
        };
        let cohort = period_index(zone.local(data.time[first]), r.period);
        hit.fill(false);
        for i in range {
            if stage_of[data.touchpoint[i] as usize] == r.return_stage {
                let n = period_index(zone.local(data.time[i]), r.period) - cohort;
                if (1..=periods as i64).contains(&n) {
                    hit[n as usize] = true;
                }
            }
        }
        let entry = cohorts.entry(cohort).or_insert_with(|| (0, vec![0; periods + 1]));
        entry.0 += 1;
        for (n, &h) in hit.iter().enumerate().skip(1) {
            entry.1[n] += u64::from(h);
        }
    }
    let table = cohorts
        .into_iter()
        .map(|(c, (size, mut retained))| {
            retained[0] = size;
            let cells = (0..=periods)
                .map(|n| (c + n as i64 <= latest_period).then_some(retained[n]))
                .collect();
            (period_start(c, r.period), cells)
        })
        .collect();
    Some(build(
        r.period.name(),
        Some(spec.stages[r.cohort_stage].id.clone()),
        Some(spec.stages[r.return_stage].id.clone()),
        periods,
        table,
    ))
}

/// Retention from a pre-computed cohort table: `retained[N]` is the row's users, null
/// where the row is missing; no cohort or return stage.
pub fn from_cohorts(spec: &KpiSpec, data: &CohortData) -> RetentionKpis {
    let periods = spec.retention.periods.unwrap_or_else(|| data.max_period()) as usize;
    let table = data
        .cohorts
        .iter()
        .map(|(&day, rows)| {
            let cells = (0..=periods).map(|n| rows.get(&(n as u32)).copied()).collect();
            (format_date(day), cells)
        })
        .collect();
    build(spec.retention.period.name(), None, None, periods, table)
}

/// Rates and the weighted average from cohort rows `(start, retained[0..=periods])`;
/// `retained[0]` is the cohort size (`None` when the table lacks it).
pub fn build(
    period: &str,
    cohort_stage: Option<String>,
    return_stage: Option<String>,
    periods: usize,
    table: Vec<(String, Vec<Option<u64>>)>,
) -> RetentionKpis {
    let mut sums = vec![(0u64, 0u64); periods + 1];
    let cohorts = table
        .into_iter()
        .map(|(start, retained)| {
            let size = retained.first().copied().flatten();
            for (n, cell) in retained.iter().enumerate() {
                if let (Some(r), Some(s)) = (cell, size) {
                    sums[n].0 += r;
                    sums[n].1 += s;
                }
            }
            Cohort {
                start,
                size: size.unwrap_or(0),
                rates: retained.iter().map(|&c| c.and_then(|c| ratio(Some(c), size))).collect(),
                retained,
            }
        })
        .collect();
    RetentionKpis {
        period: period.to_string(),
        cohort_stage,
        return_stage,
        cohorts,
        average: sums.iter().map(|&(r, s)| ratio(Some(r), Some(s))).collect(),
    }
}
