//! What the templates get: one `Serialize` struct per page, borrowing from the project and
//! its KPIs (Zola's typed contexts are the model). The field names are the template
//! variables documented in docs/site.md; every number is a KPI or comes from
//! `crate::kpi::summary`, never computed here.

use serde::Serialize;

use super::i18n::Strings;
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
    pub retention_url: Option<String>,
}

/// A target with a readable label, the unit of its values and a link to what it measures.
#[derive(Serialize)]
pub struct TargetRow<'a> {
    pub kpi: &'a str,
    pub label: String,
    pub unit: &'static str,
    pub url: Option<String>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub actual: Option<f64>,
    pub met: bool,
}

/// The bounds and outcome of one target, for a badge.
#[derive(Serialize)]
pub struct TargetBadge {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub actual: Option<f64>,
    pub met: bool,
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
    pub actions: &'a [String],
    pub questions: &'a [String],
    pub pain_points: &'a [String],
    pub opportunities: &'a [String],
    pub is_conversion: bool,
    pub reach: Option<u64>,
    pub users: Option<u64>,
    pub conversion_from_previous: Option<f64>,
    pub conversion_from_start: Option<f64>,
    /// `None` for the first stage.
    pub drop_off: Option<u64>,
    pub median_seconds: Option<f64>,
    pub target: Option<TargetBadge>,
    pub touchpoints: Vec<TouchpointInfo<'a>>,
    /// Users who left the journey at this stage.
    pub exits: Option<u64>,
}

#[derive(Serialize)]
pub struct TouchpointInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub channel: &'a Channel,
    /// Inline SVG.
    pub icon: String,
    pub url: String,
    pub owner: Option<&'a str>,
    pub html: Option<String>,
    pub events: Vec<&'a str>,
    pub users: Option<u64>,
    pub event_count: Option<u64>,
    pub exits: Option<u64>,
    pub metrics: Vec<MetricInfo<'a>>,
    pub stage: StageLink<'a>,
}

#[derive(Serialize)]
pub struct MetricInfo<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub unit: &'static str,
    pub aggregate: &'static str,
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
    /// Number of stages.
    pub stages: usize,
    pub start_users: Option<u64>,
    pub steps: Vec<MiniStep<'a>>,
    pub targets: Vec<TargetRow<'a>>,
    pub targets_met: usize,
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
}

#[derive(Serialize)]
pub struct SegmentRow<'a> {
    pub id: &'a str,
    pub conversion_rate: Option<f64>,
    pub users: Option<u64>,
    pub converted: Option<u64>,
}

/// A stage where users left, with the touchpoints they left from.
#[derive(Serialize)]
pub struct ExitCard<'a> {
    pub name: &'a str,
    pub url: String,
    pub exits: u64,
    pub pain_points: &'a [String],
    pub touchpoints: Vec<ExitBar<'a>>,
}

#[derive(Serialize)]
pub struct ExitBar<'a> {
    pub name: &'a str,
    pub url: String,
    pub icon: String,
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
    pub emotion_svg: Option<String>,
    pub segments: Vec<SegmentRow<'a>>,
    pub segments_svg: Option<String>,
    pub exits: Vec<ExitCard<'a>>,
    /// The unmapped event names with the most rows.
    pub unmapped: Vec<UnmappedRow<'a>>,
    /// The names left out of `unmapped`, and their rows.
    pub unmapped_rest: Rest,
    pub targets: Vec<TargetRow<'a>>,
    /// Number of stage columns of the map.
    pub columns: usize,
}

#[derive(Serialize)]
pub struct StagePage<'a> {
    #[serde(flatten)]
    pub common: Common<'a>,
    pub journey: JourneyInfo<'a>,
    pub stage: StageInfo<'a>,
    pub previous: Option<StageLink<'a>>,
    pub next: Option<StageLink<'a>>,
    pub stage_count: usize,
}

/// The stage of a touchpoint, as its page shows it.
#[derive(Serialize)]
pub struct StageBrief<'a> {
    pub name: &'a str,
    pub url: String,
    pub pain_points: &'a [String],
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
