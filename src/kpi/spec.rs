//! [`KpiSpec`]: the parts of a journey its KPIs depend on, and nothing else.

use crate::calendar::MICROS_PER_SEC;
use crate::spec::{Aggregate, Journey, NamedScale, PathOptions, Period, Retention};

/// Everything of a journey's spec that its KPIs (targets aside) depend on. The KPI
/// computations are given only this — never the journey — so it is also, with the data's
/// version, the key of the KPI cache.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KpiSpec {
    pub stages: Vec<StageShape>,
    /// Index into `stages`.
    pub conversion_stage: usize,
    /// The conversion window in seconds; `None` = unlimited.
    pub window: Option<i64>,
    pub retention: Retention,
    pub trends: Period,
    pub paths: PathOptions,
    /// `[[data.feedback]]` sources, in spec order.
    pub feedback: Vec<FeedbackShape>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StageShape {
    pub id: String,
    pub touchpoints: Vec<TouchpointShape>,
    pub pain_points: Vec<PainShape>,
}

/// A feedback source as its KPIs see it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FeedbackShape {
    pub id: String,
    pub scale: NamedScale,
    /// Weeks of the score over time are cut in it.
    pub timezone: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PainShape {
    pub text: String,
    /// Folded ([`super::feedback::fold`]), in spec order.
    pub keywords: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TouchpointShape {
    pub id: String,
    /// Declared metrics: id and how their values combine.
    pub metrics: Vec<(String, Aggregate)>,
}

impl KpiSpec {
    pub fn of(j: &Journey) -> KpiSpec {
        KpiSpec {
            stages: j
                .stages
                .iter()
                .map(|s| StageShape {
                    id: s.id.clone(),
                    touchpoints: s
                        .touchpoints
                        .iter()
                        .map(|t| TouchpointShape {
                            id: t.id.clone(),
                            metrics: t.metrics.iter().map(|m| (m.id.clone(), m.aggregate)).collect(),
                        })
                        .collect(),
                    pain_points: s
                        .pain_points
                        .iter()
                        .map(|p| PainShape {
                            text: p.text.clone(),
                            keywords: p
                                .keywords
                                .iter()
                                .map(|k| super::feedback::fold(k.value.trim()))
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
            conversion_stage: j.conversion_stage,
            window: j.conversion_window,
            retention: j.retention.clone(),
            trends: j.trends,
            paths: j.paths,
            feedback: j
                .feedback
                .iter()
                .map(|f| FeedbackShape {
                    id: f.id.clone(),
                    scale: f.scale,
                    timezone: f.timezone.clone(),
                })
                .collect(),
        }
    }

    /// Touchpoints in journey order, with their stage index.
    pub fn touchpoints(&self) -> impl Iterator<Item = (usize, &TouchpointShape)> {
        self.stages
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.touchpoints.iter().map(move |t| (i, t)))
    }

    /// The stage of each touchpoint (by touchpoint index in journey order).
    pub fn stage_of(&self) -> Vec<usize> {
        self.touchpoints().map(|(s, _)| s).collect()
    }

    /// The window in microseconds, for comparing instants. A window too long to count in
    /// microseconds is longer than any two instants can be apart (years 0–9999), so it
    /// is exactly the same as no window.
    pub fn window_micros(&self) -> Option<i64> {
        self.window.and_then(|s| s.checked_mul(MICROS_PER_SEC))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Period;

    #[test]
    fn a_window_beyond_microseconds_is_no_window() {
        let mut spec = KpiSpec {
            stages: vec![],
            conversion_stage: 0,
            window: Some(30 * 86_400),
            retention: Retention {
                cohort_stage: 0,
                return_stage: 0,
                period: Period::Week,
                periods: None,
            },
            trends: Period::Week,
            paths: PathOptions::default(),
            feedback: vec![],
        };
        assert_eq!(spec.window_micros(), Some(30 * 86_400 * MICROS_PER_SEC));
        spec.window = Some(9_223_372_036_855);
        assert_eq!(spec.window_micros(), None);
    }
}
