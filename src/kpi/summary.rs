//! Numbers derived from the KPIs for people to read: totals and shares that pages show
//! beside the KPIs themselves. They are computed here, where they can be tested against
//! the KPIs, and not in the templates' contexts.

use super::{ratio, JourneyKpis, SegmentKpis, StageKpis, TouchpointKpis};

impl StageKpis {
    /// Users who left the journey at this stage: the sum of its touchpoints' exits
    /// (unknown when a touchpoint's is).
    pub fn exits(&self) -> Option<u64> {
        self.touchpoints.iter().map(|t| t.exits).sum()
    }

    /// The touchpoints where users left, most exits first (then by id), each with its
    /// exits and their share of the stage's.
    pub fn exit_breakdown(&self) -> Vec<ExitShare<'_>> {
        let total = self.exits();
        let mut out: Vec<ExitShare> = self
            .touchpoints
            .iter()
            .filter_map(|t| {
                let exits = t.exits.filter(|&e| e > 0)?;
                Some(ExitShare {
                    touchpoint: t,
                    exits,
                    share: ratio(Some(exits), total).unwrap_or(0.0),
                })
            })
            .collect();
        out.sort_by(|a, b| b.exits.cmp(&a.exits).then(a.touchpoint.id.cmp(&b.touchpoint.id)));
        out
    }
}

/// One touchpoint's part of a stage's exits.
#[derive(Debug)]
pub struct ExitShare<'a> {
    pub touchpoint: &'a TouchpointKpis,
    pub exits: u64,
    /// Of the stage's exits, in [0, 1].
    pub share: f64,
}

impl JourneyKpis {
    /// Users who entered the funnel (step 1).
    pub fn start_users(&self) -> Option<u64> {
        self.funnel.steps.first().and_then(|s| s.users)
    }

    /// Each step's users as a share of step 1's (`None` when either is unknown or step 1
    /// has no users).
    pub fn step_shares(&self) -> Vec<Option<f64>> {
        let first = self.start_users();
        self.funnel.steps.iter().map(|s| ratio(s.users, first)).collect()
    }

    pub fn targets_met(&self) -> usize {
        self.targets.iter().filter(|t| t.met).count()
    }

    /// The `n` unmapped event names with the most rows (then by name), and how many names
    /// and rows the others have: a page lists a few, whatever the export holds.
    pub fn unmapped_top(&self, n: usize) -> (Vec<(&str, u64)>, Rest) {
        let mut all: Vec<(&str, u64)> = self.unmapped_events.iter().map(|(k, &v)| (k.as_str(), v)).collect();
        all.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let rest = all.split_off(n.min(all.len()));
        let rest = Rest {
            names: rest.len() as u64,
            rows: rest.iter().map(|&(_, c)| c).sum(),
        };
        (all, rest)
    }
}

/// What a shortened list leaves out.
#[derive(Debug, Default, PartialEq, serde::Serialize)]
pub struct Rest {
    pub names: u64,
    pub rows: u64,
}

impl SegmentKpis {
    /// Users of the segment who entered the funnel.
    pub fn users(&self) -> Option<u64> {
        self.funnel.steps.first().and_then(|s| s.users)
    }

    /// Users of the segment who reached the conversion stage.
    pub fn converted(&self, conversion_stage: usize) -> Option<u64> {
        self.funnel.steps.get(conversion_stage).and_then(|s| s.users)
    }

    /// Whether the segment's conversion differs from everyone else's at the 5 % level.
    pub fn differs(&self) -> bool {
        self.p_value.is_some_and(|p| p < SIGNIFICANCE)
    }
}

/// The level below which a segment's p-value says it differs from the other users.
pub const SIGNIFICANCE: f64 = 0.05;

impl SegmentKpis {}

#[cfg(test)]
mod tests {
    use super::super::{Funnel, Step, TargetResult};
    use super::*;
    use std::collections::BTreeMap;

    fn tp(id: &str, exits: Option<u64>) -> TouchpointKpis {
        TouchpointKpis {
            id: id.into(),
            users: None,
            events: None,
            exits,
            metrics: BTreeMap::new(),
        }
    }

    fn step(users: Option<u64>) -> Step {
        Step {
            stage: "s".into(),
            users,
            conversion_from_previous: None,
            conversion_from_start: None,
            drop_off: None,
            median_seconds_from_previous: None,
            seconds_from_previous: None,
        }
    }

    #[test]
    fn stage_exits_and_their_breakdown() {
        let s = StageKpis {
            id: "s".into(),
            reach: Some(10),
            touchpoints: vec![tp("b", Some(1)), tp("a", Some(3)), tp("c", Some(0)), tp("d", Some(3))],
        };
        assert_eq!(s.exits(), Some(7));
        let b: Vec<(&str, u64, f64)> = s
            .exit_breakdown()
            .iter()
            .map(|e| (e.touchpoint.id.as_str(), e.exits, e.share))
            .collect();
        assert_eq!(b, vec![("a", 3, 3.0 / 7.0), ("d", 3, 3.0 / 7.0), ("b", 1, 1.0 / 7.0)]);
        let unknown = StageKpis {
            id: "s".into(),
            reach: None,
            touchpoints: vec![tp("a", None), tp("b", Some(2))],
        };
        assert_eq!(unknown.exits(), None);
        let none = StageKpis {
            id: "s".into(),
            reach: None,
            touchpoints: vec![],
        };
        assert_eq!(none.exits(), Some(0));
        assert!(none.exit_breakdown().is_empty());
    }

    #[test]
    fn shares_of_the_first_step_and_targets_met() {
        let k = JourneyKpis {
            id: "j".into(),
            title: "J".into(),
            funnel: Funnel {
                window_seconds: None,
                steps: vec![step(Some(200)), step(Some(50)), step(None)],
            },
            conversion_rate: None,
            stages: vec![],
            revenue: None,
            retention: None,
            segments: vec![SegmentKpis {
                id: "x".into(),
                funnel: Funnel {
                    window_seconds: None,
                    steps: vec![step(Some(4)), step(Some(1))],
                },
                conversion_rate: None,
                conversion_ci: None,
                p_value: None,
            }],
            trends: vec![],
            paths: Default::default(),
            unmapped_events: BTreeMap::new(),
            feedback: vec![],
            targets: [true, false, true]
                .map(|met| TargetResult {
                    kpi: "k".into(),
                    min: None,
                    max: None,
                    actual: None,
                    met,
                })
                .to_vec(),
            left_after: vec![],
            basis: Default::default(),
            activity: None,
        };
        assert_eq!(k.start_users(), Some(200));
        assert_eq!(k.step_shares(), vec![Some(1.0), Some(0.25), None]);
        assert_eq!(k.targets_met(), 2);
        let mut k = k;
        k.unmapped_events = [("b", 5), ("a", 5), ("c", 1), ("d", 2)]
            .map(|(n, c)| (n.to_string(), c))
            .into();
        let (top, rest) = k.unmapped_top(2);
        assert_eq!(top, vec![("a", 5), ("b", 5)]);
        assert_eq!(rest, Rest { names: 2, rows: 3 });
        assert_eq!(k.unmapped_top(10).1, Rest::default());
        assert_eq!((k.segments[0].users(), k.segments[0].converted(1)), (Some(4), Some(1)));
        assert_eq!(k.segments[0].converted(5), None);
    }
}
