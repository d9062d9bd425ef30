//! The shape of a project that `diff` compares: journeys, their stages and touchpoints, what
//! events each touchpoint takes, and the targets. A `kpis.json` tells ids, order and targets
//! only; names, channels and event mappings are known when a side is a project, and are
//! compared only when both sides know them.

use serde::Serialize;

use crate::kpi::baseline::{Published, PublishedJourney};
use crate::spec::{Choice, Journey, Occurrence, Project, Touchpoint, Unit};

pub struct Outline {
    pub journeys: Vec<JourneyOutline>,
}

pub struct JourneyOutline {
    pub id: String,
    pub title: String,
    pub window: Option<i64>,
    pub stages: Vec<StageOutline>,
    pub targets: Vec<TargetOutline>,
}

pub struct StageOutline {
    pub id: String,
    pub name: Option<String>,
    pub touchpoints: Vec<TouchpointOutline>,
}

pub struct TouchpointOutline {
    pub id: String,
    pub name: Option<String>,
    pub channel: Option<String>,
    pub mapping: Option<Mapping>,
}

/// Which rows of the export a touchpoint takes.
#[derive(PartialEq)]
pub struct Mapping {
    pub events: Vec<String>,
    /// Its `where` conditions and `occurrence`, written out; empty when it takes every row.
    pub filter: String,
}

#[derive(Clone, Serialize)]
pub struct TargetOutline {
    pub kpi: String,
    pub min: Option<f64>,
    pub max: Option<f64>,
    #[serde(skip)]
    pub unit: Unit,
}

impl Outline {
    /// The outline of `kpis`, with what `project` (the spec they were computed from) adds.
    pub fn new(kpis: &Published, project: Option<&Project>) -> Outline {
        let journeys = kpis
            .journeys
            .iter()
            .map(|j| journey(j, project.and_then(|p| p.journeys.iter().find(|s| s.id == j.id))))
            .collect();
        Outline { journeys }
    }
}

fn journey(k: &PublishedJourney, spec: Option<&Journey>) -> JourneyOutline {
    let stages = k
        .stages
        .iter()
        .map(|s| {
            let stage = spec.and_then(|j| j.stages.iter().find(|t| t.id == s.id));
            StageOutline {
                id: s.id.clone(),
                name: stage.map(|t| t.name.clone()),
                touchpoints: s
                    .touchpoints
                    .iter()
                    .map(|tp| {
                        let t = stage.and_then(|st| st.touchpoints.iter().find(|t| t.id == tp.id));
                        TouchpointOutline {
                            id: tp.id.clone(),
                            name: t.map(|t| t.name.clone()),
                            channel: t.map(|t| t.channel.name().to_string()),
                            mapping: t.map(mapping),
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let targets = k
        .targets
        .iter()
        .map(|t| TargetOutline {
            kpi: t.kpi.clone(),
            min: t.min,
            max: t.max,
            unit: spec
                .and_then(|j| j.targets.iter().find(|s| s.kpi == t.kpi))
                .map_or_else(|| unit_of(&t.kpi), |s| s.unit),
        })
        .collect();
    JourneyOutline {
        id: k.id.clone(),
        title: k.title.clone(),
        window: k.funnel.window_seconds,
        stages,
        targets,
    }
}

fn mapping(t: &Touchpoint) -> Mapping {
    let mut filter: Vec<String> = t
        .conditions
        .iter()
        .map(|c| {
            let globs: Vec<&str> = c.globs.iter().map(|g| g.value.as_str()).collect();
            format!("{} = {}", c.property.value, globs.join(" | "))
        })
        .collect();
    if t.occurrence != Occurrence::Any {
        filter.push(format!("occurrence = {}", t.occurrence.name()));
    }
    Mapping {
        events: t.events.iter().map(|e| e.value.clone()).collect(),
        filter: filter.join(", "),
    }
}

/// The unit of a target known only by its `kpi` name (docs/spec.md lists the names).
pub fn unit_of(kpi: &str) -> Unit {
    let last = kpi.rsplit('.').next().unwrap_or(kpi);
    match last {
        "aov" => Unit::Currency,
        "conversion_rate"
        | "repeat_purchase_rate"
        | "conversion_from_previous"
        | "conversion_from_start"
        | "satisfied"
        | "easy" => Unit::Percent,
        "nps" | "mean" => Unit::Score,
        "responses" => Unit::Count,
        _ if kpi.starts_with("retention") => Unit::Percent,
        _ => Unit::Count,
    }
}

impl JourneyOutline {
    pub fn stage_of(&self, touchpoint: &str) -> Option<&StageOutline> {
        self.stages
            .iter()
            .find(|s| s.touchpoints.iter().any(|t| t.id == touchpoint))
    }

    pub fn touchpoint(&self, id: &str) -> Option<&TouchpointOutline> {
        self.stages.iter().flat_map(|s| &s.touchpoints).find(|t| t.id == id)
    }

    pub fn target(&self, kpi: &str) -> Option<&TargetOutline> {
        self.targets.iter().find(|t| t.kpi == kpi)
    }
}
