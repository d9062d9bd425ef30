//! Pieces that several pages show: the common part of every context, a journey, a stage
//! with its touchpoints, targets.

use super::context::*;
use super::{
    definitions, icons, journey_url, markdown, poster_url, retention_url, stage_link, stage_url, touchpoint_url, Site,
};
use crate::calendar::format_date;
use crate::kpi::{Basis, JourneyKpis, TargetResult};
use crate::spec::{Choice, Journey, Target, TargetKind};

impl<'a> Site<'a> {
    /// A target's outcome, its bounds and value written so that they never read alike
    /// when they differ.
    fn target_badge(&self, t: &Target, r: &TargetResult) -> TargetBadge {
        let (actual_text, [min_text, max_text]) = self.n.against(r.actual, [r.min, r.max], t.unit);
        let bound_text = match (min_text, max_text) {
            // No-break spaces: a sign never ends a line without its number.
            (Some(lo), Some(hi)) => format!("{lo}\u{a0}– {hi}"),
            (Some(lo), None) => format!("≥\u{a0}{lo}"),
            (None, Some(hi)) => format!("≤\u{a0}{hi}"),
            (None, None) => String::new(),
        };
        TargetBadge {
            min: r.min,
            max: r.max,
            actual: r.actual,
            met: r.met,
            status: match (r.actual, r.met) {
                (None, _) => "pending",
                (Some(_), true) => "met",
                (Some(_), false) => "missed",
            },
            bound_text,
            actual_text,
        }
    }

    /// The badge of the first target of `kind`, if the journey declares one.
    fn badge(&self, j: &Journey, k: &JourneyKpis, kind: &TargetKind) -> Option<TargetBadge> {
        j.targets
            .iter()
            .zip(&k.targets)
            .find(|(t, _)| &t.kind == kind)
            .map(|(t, r)| self.target_badge(t, r))
    }

    /// What every page gets: the site, strings, navigation and the way back to the root.
    pub(super) fn common(&self, depth: usize, path: &str, title: &str, crumbs: Vec<Crumb>) -> Common<'a> {
        let p = self.project;
        let mut breadcrumbs = vec![Crumb::link(self.t.home, "index.html".into())];
        breadcrumbs.extend(crumbs);
        Common {
            site: SiteInfo {
                title: &p.config.title,
                language: self.t.lang,
                journeys: p
                    .journeys
                    .iter()
                    .map(|j| JourneyLink {
                        id: &j.id,
                        title: &j.title,
                        url: journey_url(j),
                    })
                    .collect(),
                pages: p
                    .pages
                    .iter()
                    .map(|pg| PageLink {
                        title: &pg.title,
                        description: pg.description.as_deref(),
                        url: format!("pages/{}/index.html", pg.slug),
                    })
                    .collect(),
                generator: crate::kpi::GENERATOR,
            },
            t: self.t,
            root: "../".repeat(depth),
            title: title.to_string(),
            breadcrumbs,
            page_path: path.to_string(),
            canonical: format!("{}{}", self.base_url, path.trim_end_matches("index.html")),
            defs: definitions::glossary(p.config.language),
            how_url: definitions::PAGE_URL,
        }
    }

    fn persona(&self, j: &'a Journey) -> Option<PersonaInfo<'a>> {
        let id = j.persona.as_ref()?;
        let p = self.project.config.personas.iter().find(|p| &p.id == id)?;
        Some(PersonaInfo {
            id: &p.id,
            name: &p.name,
            html: p.description.as_deref().map(markdown::render),
        })
    }

    pub(super) fn journey_info(&self, j: &'a Journey, k: &'a JourneyKpis) -> JourneyInfo<'a> {
        let (basis, basis_note) = match &k.basis {
            Basis::Nothing => ("none", None),
            Basis::Events => ("events", None),
            Basis::Aggregates { dates, first, last } => {
                let span = if first == last {
                    self.n.date(&format_date(*first))
                } else {
                    format!(
                        "{} – {}",
                        self.n.date(&format_date(*first)),
                        self.n.date(&format_date(*last))
                    )
                };
                let dates = self.n.count(*dates as f64, self.t.date_one, self.t.date_other);
                (
                    "aggregates",
                    Some(format!("{} · {dates}, {span}", self.t.sum_of_periods)),
                )
            }
        };
        JourneyInfo {
            id: &j.id,
            title: &j.title,
            url: journey_url(j),
            persona: self.persona(j),
            owner: j.owner.as_deref(),
            html: j.description.as_deref().map(markdown::render),
            window: j.conversion_window.map(|w| self.n.duration(w as f64)),
            conversion_stage: &j.stages[j.conversion_stage].name,
            conversion_rate: k.conversion_rate,
            revenue: k.revenue.as_ref(),
            has_events: j.events.is_some(),
            has_data: k.basis != Basis::Nothing,
            basis,
            basis_note,
            retention_url: k.retention.as_ref().map(|_| retention_url(j)),
            poster_url: poster_url(j),
            vs: self.journey_vs(j),
        }
    }

    /// Targets with a readable label, the unit of their values and a link to what they measure.
    pub(super) fn targets(&self, j: &'a Journey, k: &'a JourneyKpis) -> Vec<TargetRow<'a>> {
        j.targets
            .iter()
            .zip(&k.targets)
            .map(|(t, r): (&Target, &'a TargetResult)| {
                let (label, url) = match &t.kind {
                    TargetKind::ConversionRate => (self.t.conversion_rate.to_string(), journey_url(j)),
                    TargetKind::Aov => (self.t.aov.to_string(), journey_url(j)),
                    TargetKind::RepeatPurchaseRate => (self.t.repeat_purchase_rate.to_string(), journey_url(j)),
                    TargetKind::Retention(p) => (
                        self.t
                            .retention_target(&j.stages[j.retention.return_stage].name, j.retention.period, *p),
                        retention_url(j),
                    ),
                    TargetKind::StageConversion(i) => (
                        format!(
                            "{} — {}",
                            j.stages[*i].name,
                            self.t.conversion_from_previous.to_lowercase()
                        ),
                        stage_url(j, &j.stages[*i]),
                    ),
                    TargetKind::Feedback { source, owner, field } => {
                        let (name, url) = match j.stage_index(owner) {
                            Some(i) => (j.stages[i].name.as_str(), stage_url(j, &j.stages[i])),
                            None => (
                                j.touchpoints()
                                    .find(|(_, x)| &x.id == owner)
                                    .map_or(owner.as_str(), |(_, x)| x.name.as_str()),
                                touchpoint_url(j, owner),
                            ),
                        };
                        (
                            format!("{name} — {} ({})", self.t.voice.field(*field), j.feedback_name(source)),
                            url,
                        )
                    }
                    TargetKind::TouchpointMetric(tp, m) => {
                        let found = j.touchpoints().find(|(_, x)| &x.id == tp).map(|(_, x)| x);
                        let metric = found.and_then(|x| x.metrics.iter().find(|x| &x.id == m));
                        (
                            format!(
                                "{} — {}",
                                found.map_or(tp.as_str(), |x| x.name.as_str()),
                                metric.map_or(m.as_str(), |x| x.name.as_str())
                            ),
                            touchpoint_url(j, tp),
                        )
                    }
                };
                TargetRow {
                    kpi: &r.kpi,
                    label,
                    unit: t.unit.name(),
                    url: Some(url),
                    badge: self.target_badge(t, r),
                }
            })
            .collect()
    }

    pub(super) fn stage_info(&self, j: &'a Journey, k: &'a JourneyKpis, i: usize) -> StageInfo<'a> {
        let s = &j.stages[i];
        let step = &k.funnel.steps[i];
        let next = k.funnel.steps.get(i + 1);
        StageInfo {
            id: &s.id,
            name: &s.name,
            number: i + 1,
            url: stage_url(j, s),
            html: s.description.as_deref().map(markdown::render),
            emotion: s.emotion,
            emotion_label: s.emotion.map(|e| self.t.emotion_label(e)),
            measured_emotion: self.measured_emotion(j, k, i),
            actions: &s.actions,
            questions: &s.questions,
            pain_points: self.pain_infos(j, k, i),
            opportunities: &s.opportunities,
            is_conversion: i == j.conversion_stage,
            is_last: next.is_none(),
            reach: k.stages[i].reach,
            users: step.users,
            conversion_from_previous: step.conversion_from_previous,
            conversion_from_start: step.conversion_from_start,
            drop_off: if i == 0 { None } else { step.drop_off },
            left_after: next.and_then(|n| n.drop_off),
            median_seconds: step.median_seconds_from_previous,
            target: self.badge(j, k, &TargetKind::StageConversion(i)),
            touchpoints: (0..s.touchpoints.len())
                .map(|t| self.touchpoint_info(j, k, i, t))
                .collect(),
            exits: k.stages[i]
                .touchpoints
                .iter()
                .map(|t| t.exits)
                .try_fold(0u64, |sum, e| e.map(|e| sum + e)),
            voice: self.stage_voice(j, k, i),
        }
    }

    /// Touchpoint `t` of stage `si`.
    pub(super) fn touchpoint_info(
        &self,
        j: &'a Journey,
        k: &'a JourneyKpis,
        si: usize,
        t: usize,
    ) -> TouchpointInfo<'a> {
        let (stage, tp, tk) = (
            &j.stages[si],
            &j.stages[si].touchpoints[t],
            &k.stages[si].touchpoints[t],
        );
        let metrics = tp
            .metrics
            .iter()
            .map(|m| {
                let mk = tk.metrics.get(&m.id);
                let kind = TargetKind::TouchpointMetric(tp.id.clone(), m.id.clone());
                MetricInfo {
                    id: &m.id,
                    name: &m.name,
                    unit: m.unit.name(),
                    aggregate: m.aggregate.name(),
                    aggregate_note: {
                        let dates: Vec<&str> =
                            mk.map_or(vec![], |x| x.series.iter().map(|p| p.date.as_str()).collect());
                        self.t.aggregate_note(self.n, m.aggregate, &dates)
                    },
                    value: mk.and_then(|x| x.value),
                    series: mk.map(|x| x.series.as_slice()),
                    target: self.badge(j, k, &kind),
                    chart: None,
                }
            })
            .collect();
        TouchpointInfo {
            id: &tp.id,
            name: &tp.name,
            channel: &tp.channel,
            channel_label: self.t.channel_label(&tp.channel),
            icon: icons::channel_icon(&tp.channel),
            url: touchpoint_url(j, &tp.id),
            owner: tp.owner.as_deref(),
            html: tp.description.as_deref().map(markdown::render),
            events: tp.events.iter().map(|e| e.value.as_str()).collect(),
            users: tk.users,
            event_count: tk.events,
            exits: tk.exits,
            metrics,
            stage: stage_link(j, stage),
            voice: self.touchpoint_voice(j, k, &tp.id, false),
        }
    }
}
