//! KPIs from aggregated exports: touchpoint metrics and the metrics-only funnel
//! (docs/kpis.md, "Aggregated metrics").

use std::collections::BTreeMap;

use super::{funnel, JourneyKpis, KpiSpec, MetricKpi, SeriesPoint};
use crate::calendar::format_date;
use crate::data::metrics::MetricsData;
use crate::spec::Aggregate;

/// One number for a dated series; `None` for an empty series. `last` is the value at the
/// latest date.
pub fn aggregate(series: &[(i64, f64)], how: Aggregate) -> Option<f64> {
    let values = series.iter().map(|&(_, v)| v);
    match how {
        _ if series.is_empty() => None,
        Aggregate::Sum => Some(values.sum()),
        Aggregate::Mean => Some(values.sum::<f64>() / series.len() as f64),
        Aggregate::Min => values.reduce(f64::min),
        Aggregate::Max => values.reduce(f64::max),
        Aggregate::Last => series.iter().max_by_key(|&&(d, _)| d).map(|&(_, v)| v),
    }
}

/// Fills every touchpoint's `metrics` object from the metrics file.
pub fn apply_touchpoint_metrics(spec: &KpiSpec, data: &MetricsData, k: &mut JourneyKpis) {
    let tps = k.stages.iter_mut().flat_map(|s| s.touchpoints.iter_mut());
    for ((tp_kpis, (_, tp)), series) in tps.zip(spec.touchpoints()).zip(&data.touchpoint_series) {
        tp_kpis.metrics = tp
            .metrics
            .iter()
            .zip(series)
            .map(|((id, how), s)| {
                let kpi = MetricKpi {
                    value: aggregate(s, *how),
                    series: s
                        .iter()
                        .map(|&(d, v)| SeriesPoint {
                            date: format_date(d),
                            value: v,
                        })
                        .collect(),
                };
                (id.clone(), kpi)
            })
            .collect::<BTreeMap<_, _>>();
    }
}

/// Σ over dates of each stage's `users` rows; `None` for a stage without rows.
pub fn stage_sums(data: &MetricsData) -> Vec<Option<u64>> {
    data.stage_users
        .iter()
        .map(|rows| (!rows.is_empty()).then(|| rows.iter().map(|&(_, u)| u).sum()))
        .collect()
}

/// The funnel of a journey without events: stage sums, no medians, no window.
pub fn apply_metrics_funnel(spec: &KpiSpec, data: &MetricsData, k: &mut JourneyKpis) {
    let sums = stage_sums(data);
    let mut dates: Vec<i64> = data.stage_users.iter().flatten().map(|&(d, _)| d).collect();
    dates.sort_unstable();
    dates.dedup();
    if let (Some(&first), Some(&last)) = (dates.first(), dates.last()) {
        k.basis = super::Basis::Aggregates {
            dates: dates.len(),
            first,
            last,
        };
    }
    k.funnel.window_seconds = None;
    k.funnel.steps = funnel::steps(spec, &sums, &[]);
    k.conversion_rate = super::ratio(sums[spec.conversion_stage], sums[0]);
    for (s, sum) in k.stages.iter_mut().zip(&sums) {
        s.reach = *sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregation_functions() {
        let s = [(3, 4.0), (1, 10.0), (2, 1.0)];
        assert_eq!(aggregate(&s, Aggregate::Sum), Some(15.0));
        assert_eq!(aggregate(&s, Aggregate::Mean), Some(5.0));
        assert_eq!(aggregate(&s, Aggregate::Min), Some(1.0));
        assert_eq!(aggregate(&s, Aggregate::Max), Some(10.0));
        assert_eq!(
            aggregate(&s, Aggregate::Last),
            Some(4.0),
            "the value at the latest date, not the last row"
        );
        for how in [
            Aggregate::Sum,
            Aggregate::Mean,
            Aggregate::Min,
            Aggregate::Max,
            Aggregate::Last,
        ] {
            assert_eq!(aggregate(&[], how), None);
        }
        assert_eq!(aggregate(&[(1, -2.5)], Aggregate::Mean), Some(-2.5));
    }
}
