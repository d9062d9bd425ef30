//! What the templates get: one `Serialize` struct per page, borrowing from the project and
//! its KPIs (Zola's typed contexts are the model). The field names are the template
//! variables documented in docs/site.md; every number is a KPI or comes from
//! `crate::kpi::summary`, never computed here.

use serde::Serialize;

use std::collections::BTreeMap;

use super::definitions::Definition;
use super::i18n::Strings;
use super::voice::{EmotionRow, MeasuredEmotion, PainInfo, VoiceInfo};
use crate::kpi::summary::Rest;
use crate::kpi::{Cohort, RevenueKpis, SeriesPoint, Step};
use crate::spec::Channel;

/// What every page gets.
#[derive(Serialize)]
pub struct Common<'a> {
    pub site: SiteInfo<'a>,
    /// The UI strings.
    pub t: &'static Strings,
    /// The relative way back to the site root: links are `{{ root }}{{ x.url }}`.
    pub root: String,
    pub title: String,
    pub breadcrumbs: Vec<Crumb>,
    /// This page's path from the site root.
    pub page_path: String,
    pub canonical: String,
    /// What each number means (`defs.reached.term`, `.html`, `.url`), from docs/kpis.md.
    pub defs: &'static BTreeMap<&'static str, Definition>,
    /// The page that explains every number.
    pub how_url: &'static str,
}

#[derive(Serialize)]
pub struct SiteInfo<'a> {
    pub title: &'a str,
    pub language: &'static str,
    pub journeys: Vec<JourneyLink<'a>>,
    pub pages: Vec<PageLink<'a>>,
    pub generator: &'static str,
}

#[derive(Serialize)]
pub struct JourneyLink<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub url: String,
}

#[derive(Serialize)]
pub struct PageLink<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub url: String,
}

#[derive(Serialize)]
pub struct Crumb {
    pub title: String,
    pub url: Option<String>,
}

impl Crumb {
    /// A step of the way, linking to `url`.
    pub fn link(title: &str, url: String) -> Crumb {
        Crumb {
            title: title.to_string(),
            url: Some(url),
        }
    }

    /// The page itself, last and without a link.
    pub fn here(title: &str) -> Crumb {
        Crumb {
            title: title.to_string(),
            url: None,
        }
    }
}

#[derive(Serialize)]
pub struct PersonaInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub html: Option<String>,
}

/// A journey as its pages and the home card show it.
#[derive(Serialize)]
pub struct JourneyInfo<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub url: String,
    pub persona: Option<PersonaInfo<'a>>,
    pub owner: Option<&'a str>,
    pub html: Option<String>,
    /// The conversion window, written out ("30 d"); `None` = unlimited.
    pub window: Option<String>,
    /// The conversion stage's name.
    pub conversion_stage: &'a str,
    pub conversion_rate: Option<f64>,
    pub revenue: Option<&'a RevenueKpis>,
    pub has_events: bool,
    /// Whether there is any funnel number: false for a journey without data yet.
    pub has_data: bool,
    /// What the funnel counts: "events" (people), "aggregates" (sums of an aggregated
    /// export's rows) or "none".
    pub basis: &'static str,
    /// For aggregates: the dates summed, written out ("13 dates, 5 Jan – 30 Mar 2026").
    pub basis_note: Option<String>,
    pub retention_url: Option<String>,
    /// The one-page print of the map (A3 landscape).
    pub poster_url: String,
    /// Changes since the baseline (`build --baseline`); `None` without one.
    pub vs: Option<super::baseline::JourneyVs>,
}

/// A target with a readable label, the unit of its values and a link to what it measures.
#[derive(Serialize)]
pub struct TargetRow<'a> {
    pub kpi: &'a str,
    pub label: String,
    pub unit: &'static str,
    pub url: Option<String>,
    #[serde(flatten)]
    pub badge: TargetBadge,
}

/// The bounds and outcome of one target, for a badge.
#[derive(Serialize)]
pub struct TargetBadge {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub actual: Option<f64>,
    pub met: bool,
    /// "met", "missed", or "pending" while there is no value to check.
    pub status: &'static str,
    /// The bounds written out ("≥ 0.8%", "10.0% – 20.0%").
    pub bound_text: String,
    /// The value, with the decimals it takes never to read like a bound it misses.
    pub actual_text: Option<String>,
}

#[derive(Serialize)]
pub struct StageLink<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub url: String,
}

#[derive(Serialize)]
pub struct StageInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    /// 1-based.
    pub number: usize,
    pub url: String,
    pub html: Option<String>,
    pub emotion: Option<u8>,
    pub emotion_label: Option<&'static str>,
    /// The emotion its survey answers measure, when any.
    pub measured_emotion: Option<MeasuredEmotion<'a>>,
    pub actions: &'a [String],
    pub questions: &'a [String],
    /// By mentions in survey comments, the most first.
    pub pain_points: Vec<PainInfo<'a>>,
    pub opportunities: &'a [String],
    pub is_conversion: bool,
    pub is_last: bool,
    /// People with any event of the stage, in any order.
    pub reach: Option<u64>,
    /// People who reached the stage in order (the funnel).
    pub users: Option<u64>,
    pub conversion_from_previous: Option<f64>,
    pub conversion_from_start: Option<f64>,
    /// Lost since the previous step; `None` for the first stage.
    pub drop_off: Option<u64>,
    /// Reached this stage in order but not the next (the next step's drop-off); `None`
    /// for the last stage.
    pub left_after: Option<u64>,
    pub median_seconds: Option<f64>,
    pub target: Option<TargetBadge>,
    pub touchpoints: Vec<TouchpointInfo<'a>>,
    /// People who left the journey with their last event at one of its touchpoints.
    pub exits: Option<u64>,
    /// What each survey's answers about the stage say.
    pub voice: Vec<VoiceInfo<'a>>,
}

#[derive(Serialize)]
pub struct TouchpointInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub channel: &'a Channel,
    /// The channel's name in the site's language ("E-mail", "Magasin").
    pub channel_label: String,
    /// Inline SVG.
    pub icon: String,
    pub url: String,
    pub owner: Option<&'a str>,
    pub html: Option<String>,
    pub events: Vec<&'a str>,
    pub users: Option<u64>,
    pub event_count: Option<u64>,
    /// People who did not reach the last stage and were last seen here.
    pub exits: Option<u64>,
    pub metrics: Vec<MetricInfo<'a>>,
    pub stage: StageLink<'a>,
    /// What each survey's answers about the touchpoint say.
    pub voice: Vec<VoiceInfo<'a>>,
}

#[derive(Serialize)]
pub struct MetricInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub unit: &'static str,
    pub aggregate: &'static str,
    /// How the value combines the dates, in a sentence ("Mean of 12 dates, …").
    pub aggregate_note: String,
    pub value: Option<f64>,
    pub series: Option<&'a [SeriesPoint]>,
    pub target: Option<TargetBadge>,
    /// Inline SVG of the series, on the touchpoint's page when it has two points or more.
    pub chart: Option<String>,
}

/// A step of a journey card's small funnel.
#[derive(Serialize)]
pub struct MiniStep<'a> {
    pub name: &'a str,
    pub users: Option<u64>,
    /// Of the users of step 1.
    pub share: Option<f64>,
    /// `share` in percent, for a CSS width.
    pub width: Option<String>,
}

#[derive(Serialize)]
pub struct JourneyCard<'a> {
    #[serde(flatten)]
    pub journey: JourneyInfo<'a>,
    /// Number of stages, written out with its noun ("5 stages").
    pub stages: String,
    pub start_users: Option<u64>,
    pub steps: Vec<MiniStep<'a>>,
    pub targets: Vec<TargetRow<'a>>,
    pub targets_met: usize,
    /// "4 of 6 targets met", or `None` without targets.
    pub targets_summary: Option<String>,
    /// Whether every target with a value is met (pending ones aside).
    pub all_met: bool,
}

#[derive(Serialize)]
pub struct PersonaCard<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub html: Option<String>,
    pub journeys: Vec<JourneyLink<'a>>,
}

#[derive(Serialize)]
pub struct Home<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub description_html: Option<String>,
    pub cards: Vec<JourneyCard<'a>>,
    pub personas: Vec<PersonaCard<'a>>,
}

/// A row of the funnel table.
#[derive(Serialize)]
pub struct StepRow<'a> {
    pub name: &'a str,
    pub url: String,
    pub kpi: &'a Step,
    /// Changes since the baseline; `None` without one or when it lacks the stage.
    pub vs: Option<super::baseline::StepVs>,
}

#[derive(Serialize)]
pub struct SegmentRow<'a> {
    pub id: &'a str,
    /// The id, or "No segment value" for the people without one.
    pub label: &'a str,
    pub is_none: bool,
    pub conversion_rate: Option<f64>,
    pub users: Option<u64>,
    pub converted: Option<u64>,
    /// The 95 % interval of the rate.
    pub interval: Option<[f64; 2]>,
    pub p_value: Option<f64>,
    /// `p_value` as the page writes it.
    pub p_text: Option<String>,
    /// Converts differently from all other users at p < 0.05.
    pub differs: bool,
}

/// The people who reached a stage in order but not the next one, by the touchpoint where
/// they were last seen.
#[derive(Serialize)]
pub struct LeaveCard<'a> {
    pub stage: StageLink<'a>,
    pub next: StageLink<'a>,
    pub left: u64,
    /// Of the people who reached the stage.
    pub share: Option<f64>,
    /// The known pain points of the step they did not take.
    pub next_pain_points: Vec<PainInfo<'a>>,
    pub touchpoints: Vec<ExitBar<'a>>,
}

#[derive(Serialize)]
pub struct ExitBar<'a> {
    pub name: &'a str,
    pub url: String,
    pub icon: String,
    /// The touchpoint's stage, when it is not the card's.
    pub other_stage: Option<&'a str>,
    pub exits: u64,
    pub share: f64,
    /// `share` in percent, for a CSS width.
    pub width: String,
}

#[derive(Serialize)]
pub struct UnmappedRow<'a> {
    pub name: &'a str,
    pub count: u64,
}

#[derive(Serialize)]
pub struct JourneyPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub journey: JourneyInfo<'a>,
    pub stages: Vec<StageInfo<'a>>,
    pub steps: Vec<StepRow<'a>>,
    pub funnel_svg: String,
    /// The emotion lane's line, stretched over the stage columns (the points are HTML).
    pub emotion_svg: Option<String>,
    pub segments: Vec<SegmentRow<'a>>,
    pub segments_svg: Option<String>,
    /// The labels of the segments that differ, in table order.
    pub segments_differ: Vec<&'a str>,
    pub flows: Option<super::flows::FlowsInfo<'a>>,
    pub trend: Option<super::flows::TrendInfo<'a>>,
    pub leaving: Vec<LeaveCard<'a>>,
    /// The unmapped event names with the most rows.
    pub unmapped: Vec<UnmappedRow<'a>>,
    /// The names left out of `unmapped`, and their rows.
    pub unmapped_rest: Rest,
    pub targets: Vec<TargetRow<'a>>,
    /// Number of stage columns of the map.
    pub columns: usize,
    /// Whether any survey was read: the map then has a "what customers say" lane.
    pub has_feedback: bool,
    /// Stated and measured emotion per stage; empty without feedback.
    pub emotion_rows: Vec<EmotionRow<'a>>,
}

#[derive(Serialize)]
pub struct StagePage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub journey: JourneyInfo<'a>,
    pub stage: StageInfo<'a>,
    /// Time from the previous stage, for the people who reached this one.
    pub time: Option<super::flows::TimeInfo>,
    pub previous: Option<StageLink<'a>>,
    pub next: Option<StageLink<'a>>,
    pub stage_count: usize,
}

/// The stage of a touchpoint, as its page shows it.
#[derive(Serialize)]
pub struct StageBrief<'a> {
    pub name: &'a str,
    pub url: String,
    pub pain_points: Vec<PainInfo<'a>>,
    pub opportunities: &'a [String],
}

#[derive(Serialize)]
pub struct TouchpointPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub journey: JourneyInfo<'a>,
    pub touchpoint: TouchpointInfo<'a>,
    pub stage: StageBrief<'a>,
    /// Users and events per period, for a touchpoint with event names in a journey with
    /// event data.
    pub activity: Option<ActivityInfo<'a>>,
    /// The people last seen at this touchpoint, by the furthest stage they reached (those
    /// stages with any); they add up to the touchpoint's exits.
    pub left: Vec<LeftRow<'a>>,
}

/// People last seen at a touchpoint who reached `stage` in order but not `next`.
#[derive(Serialize)]
pub struct LeftRow<'a> {
    pub stage: StageLink<'a>,
    pub next: StageLink<'a>,
    pub people: u64,
}

#[derive(Serialize)]
pub struct ActivityInfo<'a> {
    /// "Users and events per week".
    pub title: &'static str,
    /// Inline SVG.
    pub chart: String,
    pub rows: Vec<ActivityRow<'a>>,
}

/// One period of a touchpoint's activity.
#[derive(Serialize)]
pub struct ActivityRow<'a> {
    /// The period's first day, `YYYY-MM-DD`.
    pub start: &'a str,
    pub users: u64,
    pub events: u64,
}

#[derive(Serialize)]
pub struct RetentionInfo<'a> {
    /// The period's name in the site's language.
    pub period: &'static str,
    pub cohort_stage: Option<&'a str>,
    pub return_stage: Option<&'a str>,
    /// What a row and a column count, in a sentence.
    pub intro: String,
    pub cohorts: &'a [Cohort],
    pub average: &'a [Option<f64>],
    /// 0, 1, … for the table's columns.
    pub periods: Vec<usize>,
    /// The columns' headers: "Week 0", "Week 1", …
    pub period_labels: Vec<String>,
    pub heatmap_svg: String,
    /// The average from period 1 on; `None` with period 0 alone.
    pub average_svg: Option<String>,
}

#[derive(Serialize)]
pub struct RetentionPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub journey: JourneyInfo<'a>,
    pub retention: RetentionInfo<'a>,
}

#[derive(Serialize)]
pub struct PageInfo<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub html: String,
    /// Whether the Markdown starts with its own `<h1>`.
    pub has_h1: bool,
}

#[derive(Serialize)]
pub struct MarkdownPage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub page: PageInfo<'a>,
}
