//! Spec changes between two outlines, in the order a reader walks a journey: the journey,
//! its stages, their touchpoints, then its targets.

use serde::Serialize;

use super::outline::{JourneyOutline, Outline, TargetOutline};

/// One change of the spec. `journey` is the journey's id.
#[derive(Debug, PartialEq, Serialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum SpecChange {
    JourneyAdded {
        journey: String,
        title: String,
    },
    JourneyRemoved {
        journey: String,
        title: String,
    },
    JourneyRenamed {
        journey: String,
        old: String,
        new: String,
    },
    WindowChanged {
        journey: String,
        old: Option<i64>,
        new: Option<i64>,
    },
    StageAdded {
        journey: String,
        stage: String,
        position: usize,
    },
    StageRemoved {
        journey: String,
        stage: String,
    },
    StageRenamed {
        journey: String,
        stage: String,
        old: String,
        new: String,
    },
    StagesReordered {
        journey: String,
        old: Vec<String>,
        new: Vec<String>,
    },
    TouchpointAdded {
        journey: String,
        stage: String,
        touchpoint: String,
        channel: Option<String>,
    },
    TouchpointRemoved {
        journey: String,
        stage: String,
        touchpoint: String,
    },
    TouchpointMoved {
        journey: String,
        touchpoint: String,
        old: String,
        new: String,
    },
    TouchpointRenamed {
        journey: String,
        touchpoint: String,
        old: String,
        new: String,
    },
    ChannelChanged {
        journey: String,
        touchpoint: String,
        old: String,
        new: String,
    },
    EventsChanged {
        journey: String,
        touchpoint: String,
        added: Vec<String>,
        removed: Vec<String>,
    },
    FilterChanged {
        journey: String,
        touchpoint: String,
        old: String,
        new: String,
    },
    TargetAdded {
        journey: String,
        kpi: String,
        min: Option<f64>,
        max: Option<f64>,
    },
    TargetRemoved {
        journey: String,
        kpi: String,
        min: Option<f64>,
        max: Option<f64>,
    },
    TargetChanged {
        journey: String,
        kpi: String,
        old: Bounds,
        new: Bounds,
    },
}

#[derive(Debug, PartialEq, Serialize)]
pub struct Bounds {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl From<&TargetOutline> for Bounds {
    fn from(t: &TargetOutline) -> Bounds {
        Bounds { min: t.min, max: t.max }
    }
}

pub fn spec_changes(old: &Outline, new: &Outline) -> Vec<SpecChange> {
    let mut out = Vec::new();
    for o in &old.journeys {
        if !new.journeys.iter().any(|n| n.id == o.id) {
            out.push(SpecChange::JourneyRemoved {
                journey: o.id.clone(),
                title: o.title.clone(),
            });
        }
    }
    for n in &new.journeys {
        match old.journeys.iter().find(|o| o.id == n.id) {
            Some(o) => journey(o, n, &mut out),
            None => out.push(SpecChange::JourneyAdded {
                journey: n.id.clone(),
                title: n.title.clone(),
            }),
        }
    }
    out
}

fn journey(o: &JourneyOutline, n: &JourneyOutline, out: &mut Vec<SpecChange>) {
    let j = || n.id.clone();
    if o.title != n.title {
        out.push(SpecChange::JourneyRenamed {
            journey: j(),
            old: o.title.clone(),
            new: n.title.clone(),
        });
    }
    if o.window != n.window {
        out.push(SpecChange::WindowChanged {
            journey: j(),
            old: o.window,
            new: n.window,
        });
    }
    for s in &o.stages {
        if !n.stages.iter().any(|t| t.id == s.id) {
            out.push(SpecChange::StageRemoved {
                journey: j(),
                stage: s.id.clone(),
            });
        }
    }
    for (position, s) in n.stages.iter().enumerate() {
        match o.stages.iter().find(|t| t.id == s.id) {
            None => out.push(SpecChange::StageAdded {
                journey: j(),
                stage: s.id.clone(),
                position: position + 1,
            }),
            Some(was) => {
                if let (Some(a), Some(b)) = (&was.name, &s.name) {
                    if a != b {
                        out.push(SpecChange::StageRenamed {
                            journey: j(),
                            stage: s.id.clone(),
                            old: a.clone(),
                            new: b.clone(),
                        });
                    }
                }
            }
        }
    }
    // Stages on both sides, in each side's order: a different order moves the funnel.
    let kept = |a: &JourneyOutline, b: &JourneyOutline| -> Vec<String> {
        a.stages
            .iter()
            .filter(|s| b.stages.iter().any(|t| t.id == s.id))
            .map(|s| s.id.clone())
            .collect()
    };
    let (was, now) = (kept(o, n), kept(n, o));
    if was != now {
        out.push(SpecChange::StagesReordered {
            journey: j(),
            old: was,
            new: now,
        });
    }
    touchpoints(o, n, out);
    targets(o, n, out);
}

fn touchpoints(o: &JourneyOutline, n: &JourneyOutline, out: &mut Vec<SpecChange>) {
    let j = || n.id.clone();
    for s in &o.stages {
        for t in &s.touchpoints {
            if n.touchpoint(&t.id).is_none() {
                out.push(SpecChange::TouchpointRemoved {
                    journey: j(),
                    stage: s.id.clone(),
                    touchpoint: t.id.clone(),
                });
            }
        }
    }
    for s in &n.stages {
        for t in &s.touchpoints {
            let Some(was) = o.touchpoint(&t.id) else {
                out.push(SpecChange::TouchpointAdded {
                    journey: j(),
                    stage: s.id.clone(),
                    touchpoint: t.id.clone(),
                    channel: t.channel.clone(),
                });
                continue;
            };
            let tp = || t.id.clone();
            let old_stage = o.stage_of(&t.id).map(|s| s.id.as_str()).unwrap_or_default();
            if old_stage != s.id {
                out.push(SpecChange::TouchpointMoved {
                    journey: j(),
                    touchpoint: tp(),
                    old: old_stage.to_string(),
                    new: s.id.clone(),
                });
            }
            if let (Some(a), Some(b)) = (&was.name, &t.name) {
                if a != b {
                    out.push(SpecChange::TouchpointRenamed {
                        journey: j(),
                        touchpoint: tp(),
                        old: a.clone(),
                        new: b.clone(),
                    });
                }
            }
            if let (Some(a), Some(b)) = (&was.channel, &t.channel) {
                if a != b {
                    out.push(SpecChange::ChannelChanged {
                        journey: j(),
                        touchpoint: tp(),
                        old: a.clone(),
                        new: b.clone(),
                    });
                }
            }
            if let (Some(a), Some(b)) = (&was.mapping, &t.mapping) {
                let added: Vec<String> = b.events.iter().filter(|e| !a.events.contains(e)).cloned().collect();
                let removed: Vec<String> = a.events.iter().filter(|e| !b.events.contains(e)).cloned().collect();
                if !added.is_empty() || !removed.is_empty() {
                    out.push(SpecChange::EventsChanged {
                        journey: j(),
                        touchpoint: tp(),
                        added,
                        removed,
                    });
                }
                if a.filter != b.filter {
                    out.push(SpecChange::FilterChanged {
                        journey: j(),
                        touchpoint: tp(),
                        old: a.filter.clone(),
                        new: b.filter.clone(),
                    });
                }
            }
        }
    }
}

fn targets(o: &JourneyOutline, n: &JourneyOutline, out: &mut Vec<SpecChange>) {
    for t in &o.targets {
        if n.target(&t.kpi).is_none() {
            out.push(SpecChange::TargetRemoved {
                journey: n.id.clone(),
                kpi: t.kpi.clone(),
                min: t.min,
                max: t.max,
            });
        }
    }
    for t in &n.targets {
        match o.target(&t.kpi) {
            None => out.push(SpecChange::TargetAdded {
                journey: n.id.clone(),
                kpi: t.kpi.clone(),
                min: t.min,
                max: t.max,
            }),
            Some(was) if (was.min, was.max) != (t.min, t.max) => out.push(SpecChange::TargetChanged {
                journey: n.id.clone(),
                kpi: t.kpi.clone(),
                old: was.into(),
                new: t.into(),
            }),
            Some(_) => {}
        }
    }
}
