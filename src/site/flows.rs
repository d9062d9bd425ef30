//! The page parts of "beyond the linear funnel" (docs/site.md): the Sankey of the flows and
//! the top paths on the journey page, the trend of conversion by entry period, and each
//! stage's time to convert. Built from `kpi::paths`, `kpi::durations` and the trends.

use std::collections::HashMap;

use serde::Serialize;

use super::charts::{self, SankeyLink, SankeyNode};
use super::pages::date_labels;
use super::{touchpoint_url, Site};
use crate::kpi::durations::BIN_EDGES;
use crate::kpi::paths::END;
use crate::kpi::JourneyKpis;
use crate::spec::{Journey, Unit};

/// A touchpoint in a path: its name and page (site-root-relative).
#[derive(Serialize)]
pub struct TouchpointRef<'a> {
    pub name: &'a str,
    pub url: String,
}

#[derive(Serialize)]
pub struct PathRow<'a> {
    pub steps: Vec<TouchpointRef<'a>>,
    pub users: u64,
    pub converted: u64,
    pub rate: f64,
}

#[derive(Serialize)]
pub struct FlowRow<'a> {
    pub step: usize,
    pub from: TouchpointRef<'a>,
    /// `None`: the path stopped here.
    pub to: Option<TouchpointRef<'a>>,
    pub users: u64,
}

#[derive(Serialize)]
pub struct FlowsInfo<'a> {
    pub sankey_svg: String,
    pub flows: Vec<FlowRow<'a>>,
    pub paths: Vec<PathRow<'a>>,
    /// The longest path shown (`[paths] max_length`).
    pub max_length: usize,
}

#[derive(Serialize)]
pub struct TrendRow<'a> {
    pub start: &'a str,
    pub entered: u64,
    pub converted: u64,
    pub rate: Option<f64>,
}

#[derive(Serialize)]
pub struct TrendInfo<'a> {
    pub title: &'static str,
    pub chart: String,
    pub rows: Vec<TrendRow<'a>>,
}

#[derive(Serialize)]
pub struct Percentile {
    pub label: &'static str,
    pub seconds: f64,
}

#[derive(Serialize)]
pub struct BinRow {
    pub label: String,
    pub users: u64,
}

/// A stage's time to convert from the previous one.
#[derive(Serialize)]
pub struct TimeInfo {
    pub percentiles: Vec<Percentile>,
    pub chart: String,
    pub bins: Vec<BinRow>,
}

/// A node of the Sankey for the touchpoints too small to draw apart at a position.
const OTHER: &str = "(other)";
/// The share of the people with a path below which a touchpoint joins [`OTHER`].
const OTHER_SHARE: f64 = 0.01;

impl<'a> Site<'a> {
    pub(super) fn flows(&self, j: &'a Journey, k: &'a JourneyKpis) -> Option<FlowsInfo<'a>> {
        let p = &k.paths;
        if p.top.is_empty() {
            return None;
        }
        // Touchpoint ids by journey order (the Sankey's order) and name.
        let by_id: HashMap<&str, (usize, &'a str)> = j
            .touchpoints()
            .enumerate()
            .map(|(i, (_, t))| (t.id.as_str(), (i, t.name.as_str())))
            .collect();
        let name = |id: &'a str| by_id.get(id).map_or(id, |t| t.1);
        let tp = |id: &'a str| TouchpointRef {
            name: name(id),
            url: touchpoint_url(j, id),
        };
        let paths = p
            .top
            .iter()
            .map(|row| PathRow {
                steps: row.steps.iter().map(|s| tp(s)).collect(),
                users: row.users,
                converted: row.converted,
                rate: row.converted as f64 / row.users as f64,
            })
            .collect();
        let flows = p
            .flows
            .iter()
            .map(|f| FlowRow {
                step: f.step,
                from: tp(&f.from),
                to: (f.to != END).then(|| tp(&f.to)),
                users: f.users,
            })
            .collect();
        Some(FlowsInfo {
            sankey_svg: self.sankey(k, &by_id),
            flows,
            paths,
            max_length: j.paths.max_length,
        })
    }

    /// Columns = positions; in each, the touchpoints in journey order, then those who stopped.
    /// Touchpoints with fewer than [`OTHER_SHARE`] of the people at a position are drawn
    /// together as one "other touchpoints" node (the table lists each).
    fn sankey(&self, k: &'a JourneyKpis, by_id: &HashMap<&str, (usize, &'a str)>) -> String {
        let rank = |id: &str| match id {
            OTHER => by_id.len(),
            END => by_id.len() + 1,
            id => by_id.get(id).map_or(by_id.len(), |t| t.0),
        };
        let flows = &k.paths.flows;
        let columns_n = flows.iter().map(|f| f.step).max().unwrap_or(0) + 1;
        // Users at each (position, touchpoint): into it, or out of it at the first position.
        let mut users: Vec<HashMap<&str, u64>> = vec![HashMap::new(); columns_n];
        for f in flows {
            if f.step == 1 {
                *users[0].entry(f.from.as_str()).or_default() += f.users;
            }
            *users[f.step].entry(f.to.as_str()).or_default() += f.users;
        }
        let total: u64 = users[0].values().sum();
        let shown = |col: usize, id: &'a str| -> &'a str {
            if id != END && (users[col][id] as f64) < total as f64 * OTHER_SHARE {
                OTHER
            } else {
                id
            }
        };
        let mut nodes: Vec<Vec<(&str, u64)>> = vec![Vec::new(); columns_n];
        let mut links: Vec<((usize, &str, &str), u64)> = Vec::new();
        let mut add_node = |col: usize, id: &'a str, n: u64| match nodes[col].iter_mut().find(|(i, _)| *i == id) {
            Some(slot) => slot.1 += n,
            None => nodes[col].push((id, n)),
        };
        for f in flows {
            let (from, to) = (shown(f.step - 1, &f.from), shown(f.step, &f.to));
            if f.step == 1 {
                add_node(0, from, f.users);
            }
            add_node(f.step, to, f.users);
            match links.iter_mut().find(|(key, _)| *key == (f.step - 1, from, to)) {
                Some(slot) => slot.1 += f.users,
                None => links.push(((f.step - 1, from, to), f.users)),
            }
        }
        for col in &mut nodes {
            col.sort_by_key(|&(id, _)| rank(id));
        }
        let at = |col: usize, id: &str| nodes[col].iter().position(|(i, _)| *i == id).expect("a node");
        let links = links
            .iter()
            .map(|&((column, from, to), users)| SankeyLink {
                column,
                from: at(column, from),
                to: at(column + 1, to),
                users,
            })
            .collect();
        let label = |id: &'a str| -> &'a str {
            match id {
                END => self.t.flow.stopped,
                OTHER => self.t.flow.other,
                id => by_id.get(id).map_or(id, |t| t.1),
            }
        };
        let columns = nodes
            .iter()
            .map(|col| {
                col.iter()
                    .map(|&(id, users)| SankeyNode {
                        label: label(id).to_string(),
                        users,
                        end: id == END,
                    })
                    .collect()
            })
            .collect();
        charts::sankey(
            &charts::Sankey {
                id: "flows",
                title: self.t.flow.flows,
                columns,
                links,
                position_word: self.t.flow.position,
            },
            self.n,
        )
    }

    pub(super) fn trend(&self, j: &'a Journey, k: &'a JourneyKpis) -> Option<TrendInfo<'a>> {
        if k.trends.len() < 2 {
            return None;
        }
        let conv = j.conversion_stage;
        let rows: Vec<TrendRow> = k
            .trends
            .iter()
            .map(|t| TrendRow {
                start: &t.start,
                entered: t.users[0],
                converted: t.users[conv],
                rate: crate::kpi::ratio(Some(t.users[conv]), Some(t.users[0])),
            })
            .collect();
        let starts: Vec<&str> = k.trends.iter().map(|t| t.start.as_str()).collect();
        let (labels, ticks) = date_labels(self.n, &starts);
        let title = self.t.flow.trend(j.trends);
        let series = [charts::Series {
            name: self.t.conversion_rate,
            values: rows.iter().map(|r| r.rate).collect(),
        }];
        let chart = charts::line_charts(
            &charts::LineChart {
                id: "trend",
                title,
                labels: &labels,
                ticks: &ticks,
                series: &series,
                unit: Unit::Percent,
                range: charts::Range::FromZero,
            },
            self.n,
        );
        Some(TrendInfo { title, chart, rows })
    }

    /// Stage `i`'s time from the previous stage, for a stage after the first with people.
    pub(super) fn time_to_convert(&self, k: &JourneyKpis, i: usize) -> Option<TimeInfo> {
        let t = k.funnel.steps.get(i)?.seconds_from_previous.as_ref()?;
        let f = self.t.flow;
        let d = |s: i64| self.n.duration(s as f64);
        let bins: Vec<BinRow> = t
            .histogram
            .iter()
            .enumerate()
            .map(|(b, &users)| BinRow {
                label: match b {
                    0 => format!("< {}", d(BIN_EDGES[0])),
                    b if b == BIN_EDGES.len() => format!("≥ {}", d(BIN_EDGES[b - 1])),
                    b => format!("{} – {}", d(BIN_EDGES[b - 1]), d(BIN_EDGES[b])),
                },
                users,
            })
            .collect();
        let items: Vec<(String, u64)> = bins.iter().map(|b| (b.label.clone(), b.users)).collect();
        Some(TimeInfo {
            percentiles: [
                (f.quarter, t.p25),
                (f.half, t.p50),
                (f.three_quarters, t.p75),
                (f.ninety, t.p90),
            ]
            .map(|(label, seconds)| Percentile { label, seconds })
            .into(),
            chart: charts::count_bars("time", f.time_from_previous, &items, self.n),
            bins,
        })
    }
}
