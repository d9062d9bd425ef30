//! The context of each page, built from the project and its KPIs.

use super::context::*;
use super::{
    charts, definitions, emotion, icons, journey_url, markdown, poster_url, retention_url, stage_link, stage_url,
    touchpoint_url, url_path, Site,
};
use crate::data::events::NO_SEGMENT;
use crate::kpi::JourneyKpis;
use crate::locale::Numbers;
use crate::spec::{Journey, Page, Unit};

/// Unmapped event names listed on a journey page.
const UNMAPPED_SHOWN: usize = 50;

impl<'a> Site<'a> {
    pub(super) fn home(&mut self) {
        let p = self.project;
        let cards = p
            .journeys
            .iter()
            .zip(&self.kpis.journeys)
            .map(|(j, k)| {
                let targets = self.targets(j, k);
                JourneyCard {
                    journey: self.journey_info(j, k),
                    stages: self
                        .n
                        .count(j.stages.len() as f64, self.t.stage_one, self.t.stage_other),
                    start_users: k.start_users(),
                    steps: k
                        .funnel
                        .steps
                        .iter()
                        .zip(&j.stages)
                        .zip(k.step_shares())
                        .map(|((s, st), share)| MiniStep {
                            name: &st.name,
                            users: s.users,
                            share,
                            width: share.map(|v| format!("{:.1}", v * 100.0)),
                        })
                        .collect(),
                    targets_met: k.targets_met(),
                    targets_summary: (!targets.is_empty())
                        .then(|| self.t.targets_summary(self.n, k.targets_met(), targets.len())),
                    all_met: targets.iter().all(|t| t.badge.status != "missed"),
                    targets,
                }
            })
            .collect();
        let personas = p
            .config
            .personas
            .iter()
            .map(|pe| PersonaCard {
                id: &pe.id,
                name: &pe.name,
                html: pe.description.as_deref().map(markdown::render),
                journeys: p
                    .journeys
                    .iter()
                    .filter(|j| j.persona.as_deref() == Some(&pe.id))
                    .map(|j| JourneyLink {
                        id: &j.id,
                        title: &j.title,
                        url: journey_url(j),
                    })
                    .collect(),
            })
            .collect();
        let ctx = Home {
            common: self.common(0, "index.html", &p.config.title, vec![]),
            description_html: p.config.description.as_deref().map(markdown::render),
            cards,
            personas,
        };
        self.page("index.html", "index.html", &ctx);
    }

    pub(super) fn journey(&mut self, j: &'a Journey, k: &'a JourneyKpis) {
        let ctx = self.journey_page(j, k);
        let path = journey_url(j);
        self.page("journey.html", &path, &ctx);
        // The poster shows the same map, alone, sized for one A3 landscape sheet.
        let mut poster = ctx;
        poster.common = self.common(2, &poster_url(j), &j.title, vec![Crumb::link(&j.title, path)]);
        self.page("poster.html", &poster_url(j), &poster);
    }

    fn journey_page(&self, j: &'a Journey, k: &'a JourneyKpis) -> JourneyPage<'a> {
        let stages: Vec<StageInfo> = (0..j.stages.len()).map(|i| self.stage_info(j, k, i)).collect();
        let steps: Vec<charts::FunnelStep> = k
            .funnel
            .steps
            .iter()
            .zip(&j.stages)
            .map(|(s, st)| charts::FunnelStep {
                name: &st.name,
                users: s.users,
                from_previous: s.conversion_from_previous,
            })
            .collect();
        let funnel_svg = charts::funnel("funnel", self.t.funnel, &steps, self.n);
        let emotions: Vec<Option<u8>> = j.stages.iter().map(|s| s.emotion).collect();
        let measured: Vec<Option<f64>> = stages
            .iter()
            .map(|s| s.measured_emotion.as_ref().map(|m| m.value))
            .collect();
        let emotion_svg = (emotions.iter().any(Option::is_some) || measured.iter().any(Option::is_some))
            .then(|| emotion::line(&emotions, &measured));
        // Named segments by id, then the people without a value: a "(none)" row on top,
        // often with the best rate, read as the best segment.
        let mut segments: Vec<SegmentRow> = k
            .segments
            .iter()
            .map(|s| {
                let is_none = s.id == NO_SEGMENT;
                SegmentRow {
                    id: &s.id,
                    label: if is_none { self.t.no_segment } else { &s.id },
                    is_none,
                    conversion_rate: s.conversion_rate,
                    users: s.users(),
                    converted: s.converted(j.conversion_stage),
                    interval: s.conversion_ci,
                    p_value: s.p_value,
                    p_text: s.p_value.map(|p| self.n.p_value(p)),
                    differs: s.differs(),
                }
            })
            .collect();
        segments.sort_by_key(|s| s.is_none);
        let segments_svg = (!segments.is_empty()).then(|| {
            let items: Vec<charts::RateBar> = segments
                .iter()
                .map(|s| charts::RateBar {
                    label: s.label.to_string(),
                    value: s.conversion_rate,
                    interval: s.interval,
                })
                .collect();
            charts::rate_bars("segments", self.t.comparison, &items, self.t.flow.interval, self.n)
        });
        let segments_differ = segments.iter().filter(|s| s.differs).map(|s| s.label).collect();
        // An export can hold millions of names no touchpoint maps: the page lists the most
        // frequent (kpis.json has them all).
        let (top, unmapped_rest) = k.unmapped_top(UNMAPPED_SHOWN);
        let unmapped = top
            .into_iter()
            .map(|(name, count)| UnmappedRow { name, count })
            .collect();
        let emotion_rows = super::voice::emotion_rows(j, k, &stages);
        JourneyPage {
            common: self.common(2, &journey_url(j), &j.title, vec![Crumb::here(&j.title)]),
            journey: self.journey_info(j, k),
            steps: k
                .funnel
                .steps
                .iter()
                .zip(&j.stages)
                .map(|(s, st)| StepRow {
                    name: &st.name,
                    url: stage_url(j, st),
                    kpi: s,
                    vs: self.step_vs(j, &st.id),
                })
                .collect(),
            stages,
            funnel_svg,
            emotion_svg,
            segments,
            segments_svg,
            segments_differ,
            flows: self.flows(j, k),
            trend: self.trend(j, k),
            leaving: self.leaving(j, k),
            unmapped,
            unmapped_rest,
            targets: self.targets(j, k),
            columns: j.stages.len(),
            has_feedback: !k.feedback.is_empty(),
            emotion_rows,
        }
    }

    /// Per stage but the last: who reached it in order and not the next one, by the
    /// touchpoint where they were last seen (these add up to the next step's drop-off).
    fn leaving(&self, j: &'a Journey, k: &'a JourneyKpis) -> Vec<LeaveCard<'a>> {
        let all: Vec<(usize, &'a crate::spec::Touchpoint)> = j.touchpoints().collect();
        let link = |i: usize| stage_link(j, &j.stages[i]);
        k.left_after
            .iter()
            .enumerate()
            .filter_map(|(i, by_tp)| {
                let left: u64 = by_tp.iter().sum();
                if left == 0 {
                    return None;
                }
                let mut bars: Vec<ExitBar> = by_tp
                    .iter()
                    .zip(&all)
                    .filter(|(&n, _)| n > 0)
                    .map(|(&n, &(si, tp))| {
                        let share = n as f64 / left as f64;
                        ExitBar {
                            name: &tp.name,
                            url: touchpoint_url(j, &tp.id),
                            icon: icons::channel_icon(&tp.channel),
                            other_stage: (si != i).then(|| j.stages[si].name.as_str()),
                            exits: n,
                            share,
                            width: format!("{:.1}", share * 100.0),
                        }
                    })
                    .collect();
                bars.sort_by_key(|b| std::cmp::Reverse(b.exits));
                Some(LeaveCard {
                    stage: link(i),
                    next: link(i + 1),
                    left,
                    share: crate::kpi::ratio(Some(left), k.funnel.steps[i].users),
                    next_pain_points: self.pain_infos(j, k, i + 1),
                    touchpoints: bars,
                })
            })
            .collect()
    }

    /// The page that explains every number: docs/kpis.md, compiled in.
    pub(super) fn definitions_page(&mut self) {
        let lang = self.project.config.language;
        let html = definitions::page_html(lang);
        let path = definitions::PAGE_URL;
        let ctx = MarkdownPage {
            common: self.common(1, path, self.t.how_computed, vec![Crumb::here(self.t.how_computed)]),
            page: PageInfo {
                title: self.t.how_computed,
                description: None,
                has_h1: false,
                html,
            },
        };
        self.page("page.html", path, &ctx);
    }

    pub(super) fn stage(&mut self, j: &'a Journey, k: &'a JourneyKpis, i: usize) {
        let s = &j.stages[i];
        let link = |i: usize| stage_link(j, &j.stages[i]);
        let path = stage_url(j, s);
        let crumbs = vec![Crumb::link(&j.title, journey_url(j)), Crumb::here(&s.name)];
        let ctx = StagePage {
            common: self.common(3, &path, &format!("{} — {}", s.name, j.title), crumbs),
            journey: self.journey_info(j, k),
            stage: self.stage_info(j, k, i),
            time: self.time_to_convert(k, i),
            previous: i.checked_sub(1).map(link),
            next: (i + 1 < j.stages.len()).then(|| link(i + 1)),
            stage_count: j.stages.len(),
        };
        self.page("stage.html", &path, &ctx);
    }

    pub(super) fn touchpoint(&mut self, j: &'a Journey, k: &'a JourneyKpis, si: usize, id: &str) {
        let s = &j.stages[si];
        let t = s
            .touchpoints
            .iter()
            .position(|t| t.id == id)
            .expect("a touchpoint of the stage");
        let mut tp = self.touchpoint_info(j, k, si, t);
        for (m, spec) in tp.metrics.iter_mut().zip(&s.touchpoints[t].metrics) {
            let series = m.series.unwrap_or_default();
            if series.len() < 2 {
                continue;
            }
            let dates: Vec<&str> = series.iter().map(|p| p.date.as_str()).collect();
            let (labels, ticks) = date_labels(self.n, &dates);
            let range = match (spec.scale, spec.unit) {
                (Some(s), _) => charts::Range::Fixed { min: s.min, max: s.max },
                (None, Unit::Score) => charts::Range::AroundData,
                (None, _) => charts::Range::FromZero,
            };
            let lines = [charts::Series {
                name: m.name,
                values: series.iter().map(|p| Some(p.value)).collect(),
            }];
            let chart = charts::LineChart {
                id: &format!("m-{}", m.id),
                title: m.name,
                labels: &labels,
                ticks: &ticks,
                series: &lines,
                unit: spec.unit,
                range,
            };
            m.chart = Some(charts::line_charts(&chart, self.n));
        }
        tp.voice = self.touchpoint_voice(j, k, id, true);
        let activity = self.activity(j, k, si, t);
        let path = touchpoint_url(j, id);
        let crumbs = vec![
            Crumb::link(&j.title, journey_url(j)),
            Crumb::link(&s.name, stage_url(j, s)),
            Crumb::here(tp.name),
        ];
        let ctx = TouchpointPage {
            common: self.common(4, &path, &format!("{} — {}", tp.name, j.title), crumbs),
            journey: self.journey_info(j, k),
            touchpoint: tp,
            stage: StageBrief {
                name: &s.name,
                url: stage_url(j, s),
                pain_points: self.pain_infos(j, k, si),
                opportunities: &s.opportunities,
            },
            activity,
            left: left_at(j, k, si, t),
        };
        self.page("touchpoint.html", &path, &ctx);
    }

    /// Touchpoint `t` of stage `si`'s users and events per period, if it has event names
    /// and the journey event data.
    fn activity(&self, j: &'a Journey, k: &'a JourneyKpis, si: usize, t: usize) -> Option<ActivityInfo<'a>> {
        let a = k.activity.as_ref()?;
        if j.stages[si].touchpoints[t].events.is_empty() {
            return None;
        }
        let index = j.stages[..si].iter().map(|s| s.touchpoints.len()).sum::<usize>() + t;
        let (users, events) = (&a.users[index], &a.events[index]);
        let starts: Vec<&str> = a.starts.iter().map(String::as_str).collect();
        let (labels, ticks) = date_labels(self.n, &starts);
        let lines = [
            charts::Series {
                name: self.t.users,
                values: users.iter().map(|&u| Some(u as f64)).collect(),
            },
            charts::Series {
                name: self.t.events,
                values: events.iter().map(|&e| Some(e as f64)).collect(),
            },
        ];
        let title = self.t.activity(a.period);
        let chart = charts::line_charts(
            &charts::LineChart {
                id: "activity",
                title,
                labels: &labels,
                ticks: &ticks,
                series: &lines,
                unit: Unit::Count,
                range: charts::Range::FromZero,
            },
            self.n,
        );
        let rows = a
            .starts
            .iter()
            .zip(users.iter().zip(events))
            .map(|(start, (&users, &events))| ActivityRow { start, users, events })
            .collect();
        Some(ActivityInfo { title, chart, rows })
    }

    pub(super) fn retention(&mut self, j: &'a Journey, k: &'a JourneyKpis) {
        let Some(r) = &k.retention else { return };
        let (t, n) = (self.t, self.n);
        let periods = r.average.len();
        let period_word = t.period_word(j.retention.period);
        // "Week 0", "Semaine 0".
        let period_title = t.period_title(j.retention.period);
        let period_labels: Vec<String> = (0..periods).map(|p| format!("{period_title}\u{a0}{p}")).collect();
        let rows: Vec<charts::HeatRow> = r
            .cohorts
            .iter()
            .map(|c| charts::HeatRow {
                label: n.date(&c.start),
                size: c.size,
                rates: &c.rates,
            })
            .collect();
        let desc = format!("{} × {}: {} × {}", t.cohort, period_title, rows.len(), periods);
        let heatmap_svg = charts::heatmap(
            &charts::Heatmap {
                id: "heat",
                title: t.cohort_retention,
                desc: &desc,
                size: t.size,
                columns: &period_labels,
                rows: &rows,
            },
            n,
        );
        // Period 0 is the cohort itself, always 100 %: drawn, it would flatten the rest.
        let average_svg = (periods > 1).then(|| {
            let lines = [charts::Series {
                name: t.average,
                values: r.average[1..].to_vec(),
            }];
            let title = format!("{} — {}–{}", t.average, period_labels[1], periods - 1);
            charts::line_charts(
                &charts::LineChart {
                    id: "avg",
                    title: &title,
                    labels: &period_labels[1..],
                    ticks: &period_labels[1..],
                    series: &lines,
                    unit: Unit::Percent,
                    range: charts::Range::FromZero,
                },
                n,
            )
        });
        let stage_name = |id: &Option<String>| {
            id.as_ref()
                .and_then(|id| j.stage_index(id))
                .map(|i| j.stages[i].name.as_str())
        };
        let path = retention_url(j);
        let crumbs = vec![
            Crumb::link(&j.title, journey_url(j)),
            Crumb::here(self.t.cohort_retention),
        ];
        let ctx = RetentionPage {
            common: self.common(3, &path, &format!("{} — {}", self.t.cohort_retention, j.title), crumbs),
            journey: self.journey_info(j, k),
            retention: RetentionInfo {
                period: period_word,
                cohort_stage: stage_name(&r.cohort_stage),
                return_stage: stage_name(&r.return_stage),
                intro: t.retention_intro(
                    j.retention.period,
                    stage_name(&r.cohort_stage).zip(stage_name(&r.return_stage)),
                ),
                cohorts: &r.cohorts,
                average: &r.average,
                periods: (0..periods).collect(),
                period_labels,
                heatmap_svg,
                average_svg,
            },
        };
        self.page("retention.html", &path, &ctx);
    }

    pub(super) fn markdown_page(&mut self, p: &'a Page) {
        let html = markdown::render(&p.body);
        let path = format!("pages/{}/index.html", p.slug);
        let crumbs = vec![Crumb::here(&p.title)];
        let ctx = MarkdownPage {
            common: self.common(2, &path, &p.title, crumbs),
            page: PageInfo {
                title: &p.title,
                description: p.description.as_deref(),
                has_h1: html.trim_start().starts_with("<h1"),
                html,
            },
        };
        self.page("page.html", &path, &ctx);
    }

    pub(super) fn not_found(&mut self) {
        // A host serves 404.html at any depth: relative links would break, so this page links
        // from the site's base URL path instead.
        let mut common = self.common(0, "404.html", self.t.not_found, vec![]);
        common.root = url_path(&self.base_url);
        self.page("404.html", "404.html", &common);
    }
}

/// Touchpoint `t` of stage `si`'s exits, split by the furthest stage its people reached.
fn left_at<'a>(j: &'a Journey, k: &JourneyKpis, si: usize, t: usize) -> Vec<LeftRow<'a>> {
    let global = j.stages[..si].iter().map(|s| s.touchpoints.len()).sum::<usize>() + t;
    let link = |i: usize| stage_link(j, &j.stages[i]);
    k.left_after
        .iter()
        .enumerate()
        .filter_map(|(i, by_tp)| {
            let people = by_tp.get(global).copied().filter(|&n| n > 0)?;
            Some(LeftRow {
                stage: link(i),
                next: link(i + 1),
                people,
            })
        })
        .collect()
}

/// Dates as a chart shows them: each in full for the text alternative and tooltips, and on
/// the axis the first in full and the others without the year when all share its year.
pub(super) fn date_labels(n: Numbers, dates: &[&str]) -> (Vec<String>, Vec<String>) {
    let full: Vec<String> = dates.iter().map(|d| n.date(d)).collect();
    let one_year = dates
        .iter()
        .all(|d| d.get(..4) == dates.first().and_then(|f| f.get(..4)));
    let ticks = dates
        .iter()
        .enumerate()
        .map(|(i, d)| if i == 0 || !one_year { n.date(d) } else { n.day_month(d) })
        .collect();
    (full, ticks)
}
