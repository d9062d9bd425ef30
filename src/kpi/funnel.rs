//! The sequential funnel with re-entry (docs/kpis.md; PostHog's funnel, ClickHouse
//! `windowFunnel`), plus everything else that needs one walk over each user's events:
//! stage reach, touchpoint users, exits, and the per-segment funnels.

use std::collections::BTreeMap;

use super::activity::{Buckets, Cell};
use super::durations::{summarise, TimeToConvert};
use super::{paths, KpiSpec};
use super::{ratio, Step};
use crate::calendar::period_index;
use crate::data::events::EventData;

/// What one pass over the users accumulates.
pub struct EventPass {
    /// Per segment (index of `EventData::segment_names`; a single entry without segments).
    pub segments: Vec<SegmentCounts>,
    /// Distinct users with ≥ 1 event of each stage.
    pub reach: Vec<u64>,
    /// Distinct users with ≥ 1 event of each touchpoint.
    pub touchpoint_users: Vec<u64>,
    /// Users who stopped before the last stage, by the step they reached and the
    /// touchpoint of their last event: `exits[(depth - 1) * touchpoints + tp]`.
    pub exits: Vec<u64>,
    /// Users and rows per (period, touchpoint) of `buckets` (empty without them).
    pub activity: Vec<Cell>,
    /// Per entry period (index of `spec.trends`): users reaching each step.
    pub trends: BTreeMap<i64, Vec<u64>>,
    pub paths: paths::Counter,
}

impl EventPass {
    /// Exits by touchpoint, whatever step was reached.
    pub fn exits_by_touchpoint(&self, touchpoints: usize) -> Vec<u64> {
        let mut out = vec![0; touchpoints];
        for row in self.exits.chunks(touchpoints.max(1)) {
            out.iter_mut().zip(row).for_each(|(o, e)| *o += e);
        }
        out
    }
}

#[derive(Clone, Default)]
pub struct SegmentCounts {
    /// `reached[k]`: users whose deepest step is ≥ k + 1.
    pub reached: Vec<u64>,
    /// `deltas[k]` (k ≥ 1): for each user reaching step k + 1, c(k+1) − c(k) in µs on the
    /// chain of the earliest start reaching their maximum depth.
    pub deltas: Vec<Vec<i64>>,
}

/// Buffers reused across users, so the per-user work allocates nothing.
#[derive(Default)]
pub struct Scratch {
    /// The best chain found by [`best_chain`]: `chain[..depth]`.
    pub chain: Vec<i64>,
    current: Vec<i64>,
    ptr: Vec<usize>,
}

/// The depth of the best chain over all starts; `s.chain` receives the chain of the
/// earliest start that reaches it. `by_stage[k]` holds stage k's times, ascending.
///
/// Greedy chains are monotone in their start (a later start never gives an earlier c(k)),
/// so one pointer per stage only moves forward: O(events) per user.
pub fn best_chain(by_stage: &[Vec<i64>], window: Option<i64>, s: &mut Scratch) -> usize {
    let n = by_stage.len();
    let Scratch { chain, current, ptr } = s;
    chain.clear();
    chain.resize(n, 0);
    ptr.clear();
    ptr.resize(n, 0);
    current.clear();
    current.resize(n, 0);
    let mut best = 0;
    for &start in &by_stage[0] {
        current[0] = start;
        let mut depth = 1;
        for k in 1..n {
            let times = &by_stage[k];
            let p = &mut ptr[k];
            while *p < times.len() && times[*p] < current[k - 1] {
                *p += 1;
            }
            let Some(&ck) = times.get(*p) else { break };
            if window.is_some_and(|w| ck - start > w) {
                break;
            }
            current[k] = ck;
            depth = k + 1;
        }
        if depth > best {
            best = depth;
            chain[..depth].copy_from_slice(&current[..depth]);
            if best == n {
                break;
            }
        }
    }
    best
}

/// The pass over every user, in two halves on two threads (users are independent; the
/// halves are merged in order, so the result is the same as one pass).
pub fn event_pass(spec: &KpiSpec, data: &EventData, buckets: Option<&Buckets>) -> EventPass {
    let users = data.users();
    let mid = users / 2;
    std::thread::scope(|scope| {
        let second = scope.spawn(|| pass_over(spec, data, buckets, mid..users));
        let mut pass = pass_over(spec, data, buckets, 0..mid);
        let second = second.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        pass.merge(second);
        pass
    })
}

impl EventPass {
    fn merge(&mut self, other: EventPass) {
        let add = |a: &mut [u64], b: &[u64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.reach, &other.reach);
        add(&mut self.touchpoint_users, &other.touchpoint_users);
        add(&mut self.exits, &other.exits);
        Buckets::merge(&mut self.activity, &other.activity);
        for (period, users) in other.trends {
            let mine = self.trends.entry(period).or_insert_with(|| vec![0; users.len()]);
            add(mine, &users);
        }
        self.paths.merge(other.paths);
        for (mine, theirs) in self.segments.iter_mut().zip(other.segments) {
            add(&mut mine.reached, &theirs.reached);
            for (d, mut e) in mine.deltas.iter_mut().zip(theirs.deltas) {
                d.append(&mut e);
            }
        }
    }
}

fn pass_over(spec: &KpiSpec, data: &EventData, buckets: Option<&Buckets>, users: std::ops::Range<usize>) -> EventPass {
    let n = spec.stages.len();
    let stage_of = spec.stage_of();
    let n_tp = stage_of.len();
    let window = spec.window_micros();
    let n_segments = if data.user_segment.is_empty() {
        1
    } else {
        data.segment_names.len()
    };
    let mut pass = EventPass {
        segments: vec![
            SegmentCounts {
                reached: vec![0; n],
                deltas: vec![Vec::new(); n],
            };
            n_segments
        ],
        reach: vec![0; n],
        touchpoint_users: vec![0; n_tp],
        exits: vec![0; n * n_tp],
        activity: buckets.map_or_else(Vec::new, |b| b.cells(n_tp)),
        trends: BTreeMap::new(),
        paths: paths::Counter::default(),
    };
    let mut by_stage: Vec<Vec<i64>> = vec![Vec::new(); n];
    let mut seen_tp: Vec<u32> = vec![u32::MAX; n_tp];
    let mut scratch = Scratch::default();
    for u in users {
        let range = data.user_events(u);
        if range.is_empty() {
            continue;
        }
        for s in by_stage.iter_mut() {
            s.clear();
        }
        for i in range.clone() {
            let tp = data.touchpoint[i] as usize;
            by_stage[stage_of[tp]].push(data.time[i]);
            if seen_tp[tp] != u as u32 {
                seen_tp[tp] = u as u32;
                pass.touchpoint_users[tp] += 1;
            }
            if let Some(b) = buckets {
                let cell = &mut pass.activity[b.cell(data.time[i], tp, n_tp)];
                cell.rows += 1;
                if cell.last != u as u32 {
                    cell.last = u as u32;
                    cell.users += 1;
                }
            }
        }
        for (k, s) in by_stage.iter().enumerate() {
            if !s.is_empty() {
                pass.reach[k] += 1;
            }
        }

        let depth = best_chain(&by_stage, window, &mut scratch);
        let chain = &scratch.chain;
        let converted = depth > spec.conversion_stage;
        pass.paths
            .add(&data.touchpoint[range.clone()], spec.paths.max_length, converted);
        if depth == 0 {
            continue;
        }
        let entered = period_index(data.zone.local(chain[0]), spec.trends);
        let trend = pass.trends.entry(entered).or_insert_with(|| vec![0; n]);
        trend[..depth].iter_mut().for_each(|u| *u += 1);
        let seg = data.user_segment.get(u).map_or(0, |&s| s as usize);
        let counts = &mut pass.segments[seg];
        for k in 0..depth {
            counts.reached[k] += 1;
            if k > 0 {
                counts.deltas[k].push(chain[k] - chain[k - 1]);
            }
        }
        if depth < n {
            // Rows are sorted by (time, file order): the last is the latest, later line on ties.
            pass.exits[(depth - 1) * n_tp + data.touchpoint[range.end - 1] as usize] += 1;
        }
    }
    pass
}

/// Funnel steps from per-step user counts and durations (shared by events and metrics).
pub fn steps(spec: &KpiSpec, users: &[Option<u64>], durations: &[Option<(f64, TimeToConvert)>]) -> Vec<Step> {
    let first = users.first().copied().flatten();
    spec.stages
        .iter()
        .enumerate()
        .map(|(k, stage)| {
            let u = users[k];
            let prev = if k == 0 { None } else { users[k - 1] };
            Step {
                stage: stage.id.clone(),
                users: u,
                conversion_from_previous: if k == 0 { None } else { ratio(u, prev) },
                conversion_from_start: ratio(u, first),
                drop_off: if k == 0 {
                    u.map(|_| 0)
                } else {
                    prev.zip(u).map(|(p, c)| p.saturating_sub(c))
                },
                median_seconds_from_previous: durations.get(k).and_then(|d| d.as_ref()).map(|d| d.0),
                seconds_from_previous: durations.get(k).and_then(|d| d.as_ref()).map(|d| d.1.clone()),
            }
        })
        .collect()
}

/// Steps of one segment's (or all segments') counts.
pub fn steps_of(spec: &KpiSpec, counts: &[&SegmentCounts]) -> Vec<Step> {
    let n = spec.stages.len();
    let users: Vec<Option<u64>> = (0..n)
        .map(|k| Some(counts.iter().map(|c| c.reached[k]).sum()))
        .collect();
    let mut buf = Vec::new();
    let durations: Vec<Option<(f64, TimeToConvert)>> = (0..n)
        .map(|k| {
            if k == 0 {
                return None;
            }
            buf.clear();
            for c in counts {
                buf.extend_from_slice(&c.deltas[k]);
            }
            summarise(&mut buf)
        })
        .collect();
    steps(spec, &users, &durations)
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000;

    fn depth(stages: &[&[i64]], window: Option<i64>) -> (usize, Vec<i64>) {
        let by: Vec<Vec<i64>> = stages.iter().map(|s| s.iter().map(|t| t * S).collect()).collect();
        let mut s = Scratch::default();
        let d = best_chain(&by, window.map(|w| w * S), &mut s);
        (d, s.chain[..d].iter().map(|t| t / S).collect())
    }

    #[test]
    fn equal_timestamps_chain() {
        assert_eq!(depth(&[&[10], &[10], &[10]], None), (3, vec![10, 10, 10]));
    }

    #[test]
    fn later_reentry_succeeds_when_first_start_fails_the_window() {
        // Start at 0 reaches step 2 at 100 (outside a 50 s window); the re-entry at 80 does.
        assert_eq!(depth(&[&[0, 80], &[100], &[120]], Some(50)), (3, vec![80, 100, 120]));
        // The window is inclusive.
        assert_eq!(depth(&[&[0], &[50]], Some(50)), (2, vec![0, 50]));
        assert_eq!(depth(&[&[0], &[51]], Some(50)), (1, vec![0]));
    }

    #[test]
    fn earliest_start_reaching_the_max_depth_is_kept() {
        // Both starts reach depth 2; the chain of the earliest (0 → 30) gives the median.
        assert_eq!(depth(&[&[0, 20], &[30]], None), (2, vec![0, 30]));
    }

    #[test]
    fn no_stage_one_event_is_depth_zero() {
        assert_eq!(depth(&[&[], &[5], &[6]], None), (0, vec![]));
    }

    #[test]
    fn steps_out_of_order_do_not_count() {
        // Stage 3 happened before stage 2: the chain stops at 2.
        assert_eq!(depth(&[&[0], &[10], &[5]], None), (2, vec![0, 10]));
    }

    #[test]
    fn greedy_takes_the_earliest_next_event() {
        assert_eq!(depth(&[&[0], &[5, 7], &[6]], None), (3, vec![0, 5, 6]));
    }
}
