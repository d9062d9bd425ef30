//! Survey feedback on pages: what customers say about each stage and touchpoint (scores,
//! the latest comments, the score week by week), the emotion their answers measure beside
//! the stated one, and pain points by the comments that mention them. Every number is a
//! KPI of `crate::kpi::feedback`; comments are customer-written text, so templates print
//! them escaped, never as Markdown or HTML.

use serde::Serialize;

use super::context::StageLink;
use super::{charts, stage_link, Site};
use crate::kpi::feedback::{FeedbackKpis, FeedbackStats};
use crate::kpi::JourneyKpis;
use crate::spec::{Choice, Journey, Unit};

/// One survey's answers about a stage or touchpoint.
#[derive(Serialize)]
pub struct VoiceInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub scale: &'static str,
    pub responses: u64,
    /// "120 responses".
    pub responses_text: String,
    /// "8.2 / 10".
    pub mean_text: Option<String>,
    /// "NPS", "Satisfied", "Easy".
    pub share_label: &'static str,
    /// "+32", "84 %".
    pub share_text: Option<String>,
    /// "3.9 / 5".
    pub emotion_text: Option<String>,
    pub verbatims: Vec<VerbatimInfo<'a>>,
    /// The weekly mean (inline SVG), on touchpoint pages with two weeks or more.
    pub chart: Option<String>,
    pub weeks: Vec<WeekRow>,
}

#[derive(Serialize)]
pub struct VerbatimInfo<'a> {
    /// The day it was given, written out.
    pub date: String,
    pub text: &'a str,
}

#[derive(Serialize)]
pub struct WeekRow {
    pub start: String,
    pub mean_text: String,
    pub responses: u64,
}

/// A pain point and the comments that mention it (`None`: it has no keywords).
#[derive(Serialize)]
pub struct PainInfo<'a> {
    pub text: &'a str,
    pub mentions: Option<u64>,
}

/// The emotion a stage's survey answers measure, and how far it is from the stated one.
#[derive(Clone, Serialize)]
pub struct MeasuredEmotion<'a> {
    pub value: f64,
    /// "3.4".
    pub text: String,
    /// The survey it comes from.
    pub source: &'a str,
    pub responses: u64,
    /// Measured − stated; `None` without a stated emotion.
    pub gap: Option<f64>,
    /// "−0.6".
    pub gap_text: Option<String>,
    /// A gap of a whole point or more.
    pub wide: bool,
}

/// A row of the stated-and-measured table of a journey page.
#[derive(Serialize)]
pub struct EmotionRow<'a> {
    pub stage: StageLink<'a>,
    pub stated: Option<u8>,
    pub measured: Option<MeasuredEmotion<'a>>,
}

impl<'a> Site<'a> {
    /// Stage `si`'s pain points, by mentions (the most first), as kpis.json lists them.
    pub(super) fn pain_infos(&self, j: &'a Journey, k: &'a JourneyKpis, si: usize) -> Vec<PainInfo<'a>> {
        let stage = &j.stages[si];
        match k.feedback.first() {
            Some(f) => f
                .pain_points
                .iter()
                .filter(|p| p.at.0 == si)
                .map(|p| PainInfo {
                    text: &stage.pain_points[p.at.1].text,
                    mentions: p.mentions,
                })
                .collect(),
            None => stage
                .pain_points
                .iter()
                .map(|p| PainInfo {
                    text: &p.text,
                    mentions: None,
                })
                .collect(),
        }
    }

    /// Each survey with answers about stage `si` (its own and its touchpoints').
    pub(super) fn stage_voice(&self, j: &'a Journey, k: &'a JourneyKpis, si: usize) -> Vec<VoiceInfo<'a>> {
        let id = &j.stages[si].id;
        self.voices(j, k, |f| f.stages.get(id), false)
    }

    /// Each survey with answers about touchpoint `id`; with `chart`, the weekly mean drawn.
    pub(super) fn touchpoint_voice(
        &self,
        j: &'a Journey,
        k: &'a JourneyKpis,
        id: &str,
        chart: bool,
    ) -> Vec<VoiceInfo<'a>> {
        self.voices(j, k, |f| f.touchpoints.get(id), chart)
    }

    fn voices(
        &self,
        j: &'a Journey,
        k: &'a JourneyKpis,
        stats: impl Fn(&'a FeedbackKpis) -> Option<&'a FeedbackStats>,
        chart: bool,
    ) -> Vec<VoiceInfo<'a>> {
        let (n, v) = (self.n, self.t.voice);
        k.feedback
            .iter()
            .filter_map(|f| {
                let s = stats(f).filter(|s| s.responses > 0)?;
                let name = j.feedback_name(&f.id);
                let scale = f.scale.scale();
                let weeks: Vec<WeekRow> = s
                    .weekly
                    .iter()
                    .map(|w| WeekRow {
                        start: w.start.clone(),
                        mean_text: n.number(w.mean, 1),
                        responses: w.responses,
                    })
                    .collect();
                let chart = (chart && s.weekly.len() >= 2).then(|| {
                    let starts: Vec<&str> = s.weekly.iter().map(|w| w.start.as_str()).collect();
                    let (labels, ticks) = super::pages::date_labels(n, &starts);
                    let title = format!("{name} — {}", v.weekly_mean);
                    let lines = [charts::Series {
                        name: v.weekly_mean,
                        values: s.weekly.iter().map(|w| Some(w.mean)).collect(),
                    }];
                    charts::line_charts(
                        &charts::LineChart {
                            id: &format!("fb-{}", f.id),
                            title: &title,
                            labels: &labels,
                            ticks: &ticks,
                            series: &lines,
                            unit: Unit::Score,
                            range: charts::Range::Fixed {
                                min: scale.min,
                                max: scale.max,
                            },
                        },
                        n,
                    )
                });
                Some(VoiceInfo {
                    id: &f.id,
                    name,
                    scale: f.scale.name(),
                    responses: s.responses,
                    responses_text: n.count(s.responses as f64, v.response_one, v.response_other),
                    mean_text: s
                        .mean
                        .map(|m| format!("{} / {}", n.number(m, 1), n.number(scale.max, 0))),
                    share_label: v.field(s.share_field),
                    share_text: s.share.map(|x| match s.share_field {
                        crate::spec::FeedbackField::Nps => signed(n.number(x, 0), x),
                        _ => n.percent(x),
                    }),
                    emotion_text: s.measured_emotion.map(|e| format!("{} / 5", n.number(e, 1))),
                    verbatims: s
                        .verbatims
                        .iter()
                        .map(|x| VerbatimInfo {
                            date: n.date(&x.date),
                            text: &x.text,
                        })
                        .collect(),
                    chart,
                    weeks,
                })
            })
            .collect()
    }

    /// Stage `si`'s measured emotion: that of the first survey with answers about it.
    pub(super) fn measured_emotion(
        &self,
        j: &'a Journey,
        k: &'a JourneyKpis,
        si: usize,
    ) -> Option<MeasuredEmotion<'a>> {
        let stage = &j.stages[si];
        let (f, s) = k
            .feedback
            .iter()
            .find_map(|f| f.stages.get(&stage.id).filter(|s| s.responses > 0).map(|s| (f, s)))?;
        let value = s.measured_emotion?;
        let gap = stage.emotion.map(|e| value - f64::from(e));
        Some(MeasuredEmotion {
            value,
            text: self.n.number(value, 1),
            source: j.feedback_name(&f.id),
            responses: s.responses,
            gap,
            gap_text: gap.map(|g| signed(self.n.number(g.abs(), 1), g)),
            wide: gap.is_some_and(|g| g.abs() >= 1.0),
        })
    }
}

/// The stated-and-measured table of a journey page, from its map's stages; empty without
/// feedback.
pub(super) fn emotion_rows<'a>(
    j: &'a Journey,
    k: &JourneyKpis,
    stages: &[super::context::StageInfo<'a>],
) -> Vec<EmotionRow<'a>> {
    if k.feedback.is_empty() {
        return Vec::new();
    }
    j.stages
        .iter()
        .zip(stages)
        .map(|(s, info)| EmotionRow {
            stage: stage_link(j, s),
            stated: s.emotion,
            measured: info.measured_emotion.clone(),
        })
        .collect()
}

/// A number with its sign: "+32", "−0.6" (a true minus sign), "0".
fn signed(abs_text: String, v: f64) -> String {
    let text = abs_text.trim_start_matches('-').to_string();
    if v > 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("+{text}")
    } else if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("−{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::signed;

    #[test]
    fn signs() {
        assert_eq!(signed("32".into(), 32.0), "+32");
        assert_eq!(signed("12".into(), -12.0), "−12");
        assert_eq!(signed("-12".into(), -12.0), "−12");
        assert_eq!(signed("0,6".into(), -0.6), "−0,6");
        assert_eq!(signed("0".into(), 0.2), "0");
        assert_eq!(signed("0.0".into(), -0.01), "0.0");
    }
}
