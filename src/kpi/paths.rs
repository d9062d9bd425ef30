//! Paths and flows (docs/kpis.md): the roads people really take between touchpoints, which
//! a funnel of stages in a fixed order cannot show (going back, skipping a stage).
//!
//! Each user's path is counted once in the funnel's pass ([`Counter::add`]); the top paths
//! and the position-by-position flows are both read from the distinct paths afterwards, so
//! the flows cost no second walk over the rows.

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::spec::PathOptions;

/// What a path of fewer than `max_length` touchpoints flows to after its last one.
pub const END: &str = "(end)";

/// `paths` of a journey in kpis.json.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Paths {
    pub top: Vec<PathCount>,
    pub flows: Vec<Flow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathCount {
    pub steps: Vec<String>,
    pub users: u64,
    /// Users of this path who reached the conversion stage.
    pub converted: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flow {
    /// The position (from 1) of `from` in the paths.
    pub step: usize,
    pub from: String,
    pub to: String,
    pub users: u64,
}

/// Users and converted users per distinct path of touchpoint indices.
#[derive(Default)]
pub struct Counter {
    paths: FxHashMap<Box<[u16]>, (u64, u64)>,
    buf: Vec<u16>,
}

impl Counter {
    /// Counts one user's path from their mapped rows' touchpoints in time order.
    pub fn add(&mut self, touchpoints: &[u16], max_length: usize, converted: bool) {
        self.buf.clear();
        for &tp in touchpoints {
            if self.buf.last() != Some(&tp) {
                if self.buf.len() == max_length {
                    break;
                }
                self.buf.push(tp);
            }
        }
        if self.buf.is_empty() {
            return;
        }
        let slot = match self.paths.get_mut(self.buf.as_slice()) {
            Some(slot) => slot,
            None => self.paths.entry(self.buf.as_slice().into()).or_default(),
        };
        slot.0 += 1;
        slot.1 += u64::from(converted);
    }

    pub fn merge(&mut self, other: Counter) {
        for (path, (users, converted)) in other.paths {
            let slot = self.paths.entry(path).or_default();
            slot.0 += users;
            slot.1 += converted;
        }
    }

    /// The top paths and the flows, with touchpoint ids (`ids[tp]`) for indices.
    pub fn finish(self, ids: &[&str], options: PathOptions) -> Paths {
        let name = |tp: u16| ids[tp as usize].to_string();
        let mut top: Vec<PathCount> = self
            .paths
            .iter()
            .map(|(p, &(users, converted))| PathCount {
                steps: p.iter().map(|&t| name(t)).collect(),
                users,
                converted,
            })
            .collect();
        top.sort_by(|a, b| b.users.cmp(&a.users).then_with(|| a.steps.cmp(&b.steps)));
        top.truncate(options.top);

        let mut pairs: FxHashMap<(usize, u16, Option<u16>), u64> = FxHashMap::default();
        for (p, &(users, _)) in &self.paths {
            for i in 0..p.len().min(options.max_length - 1) {
                *pairs.entry((i + 1, p[i], p.get(i + 1).copied())).or_default() += users;
            }
        }
        let mut flows: Vec<Flow> = pairs
            .into_iter()
            .map(|((step, from, to), users)| Flow {
                step,
                from: name(from),
                to: to.map_or_else(|| END.to_string(), name),
                users,
            })
            .collect();
        flows.sort_by(|a, b| {
            (a.step, std::cmp::Reverse(a.users), &a.from, &a.to).cmp(&(
                b.step,
                std::cmp::Reverse(b.users),
                &b.from,
                &b.to,
            ))
        });
        Paths { top, flows }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: [&str; 4] = ["ad", "blog", "cart", "pay"];

    fn paths(users: &[(&[u16], bool)], max_length: usize, top: usize) -> Paths {
        let mut c = Counter::default();
        for (tps, conv) in users {
            c.add(tps, max_length, *conv);
        }
        c.finish(&IDS, PathOptions { max_length, top })
    }

    fn steps(p: &PathCount) -> Vec<&str> {
        p.steps.iter().map(String::as_str).collect()
    }

    #[test]
    fn repeats_collapse_but_returns_stay() {
        let p = paths(&[(&[0, 0, 1, 1, 0, 2], true)], 6, 10);
        assert_eq!(steps(&p.top[0]), ["ad", "blog", "ad", "cart"]);
        assert_eq!((p.top[0].users, p.top[0].converted), (1, 1));
    }

    #[test]
    fn paths_are_cut_after_max_length_collapsed_steps() {
        // Repeats do not use up the length: five rows, three steps, cut at two.
        let p = paths(&[(&[0, 0, 0, 1, 2], false)], 2, 10);
        assert_eq!(steps(&p.top[0]), ["ad", "blog"]);
        // A cut path has no "(end)" flow: it did not stop there.
        assert_eq!(p.flows.len(), 1);
        assert_eq!((p.flows[0].from.as_str(), p.flows[0].to.as_str()), ("ad", "blog"));
    }

    #[test]
    fn flows_end_where_a_path_stops() {
        let p = paths(&[(&[0, 1], false), (&[0], false), (&[0, 1, 3], true)], 3, 10);
        let flows: Vec<_> = p
            .flows
            .iter()
            .map(|f| (f.step, f.from.as_str(), f.to.as_str(), f.users))
            .collect();
        assert_eq!(
            flows,
            // Ties in users by from, then to: "(end)" sorts before letters.
            [
                (1, "ad", "blog", 2),
                (1, "ad", END, 1),
                (2, "blog", END, 1),
                (2, "blog", "pay", 1)
            ]
        );
    }

    #[test]
    fn top_is_sorted_by_users_then_steps_and_cut() {
        let p = paths(
            &[
                (&[1], false),
                (&[0, 2], false),
                (&[0], true),
                (&[0], false),
                (&[3], false),
            ],
            6,
            3,
        );
        let top: Vec<_> = p.top.iter().map(|p| (steps(p), p.users, p.converted)).collect();
        assert_eq!(
            top,
            [(vec!["ad"], 2, 1), (vec!["ad", "cart"], 1, 0), (vec!["blog"], 1, 0)]
        );
    }

    #[test]
    fn merged_halves_count_like_one() {
        let users: [(&[u16], bool); 3] = [(&[0, 1], true), (&[0, 1], false), (&[2], false)];
        let mut a = Counter::default();
        let mut b = Counter::default();
        a.add(users[0].0, 6, true);
        b.add(users[1].0, 6, false);
        b.add(users[2].0, 6, false);
        a.merge(b);
        assert_eq!(a.finish(&IDS, PathOptions::default()), paths(&users, 6, 10));
    }
}
