//! Rules that span several tables of a journey: unique ids, one touchpoint per event name,
//! stages without touchpoints, metrics without a metrics file, the number of touchpoints.
//! (The data files and their headers are checked where they are read, in `crate::data`.)

use std::collections::HashMap;

use super::Journey;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// Touchpoints a journey may have: the readers store a touchpoint as a `u16`, and one
/// value stands for "no touchpoint".
pub const MAX_TOUCHPOINTS: usize = u16::MAX as usize - 1;

pub(super) fn project(journeys: &[Journey], diags: &mut Diagnostics) {
    for j in journeys {
        journey(j, diags);
    }
}

fn journey(j: &Journey, diags: &mut Diagnostics) {
    let mut stage_ids: HashMap<&str, &Location> = HashMap::new();
    for s in &j.stages {
        if let Some(first) = stage_ids.insert(&s.id, &s.loc) {
            diags.push(
                Diagnostic::error(format!("duplicate stage id `{}` in this journey", s.id))
                    .at(s.loc.clone())
                    .help(format!("first declared on line {}", first.line)),
            );
        }
        if s.touchpoints.is_empty() {
            diags.push(
                Diagnostic::warning(format!("stage `{}` has no touchpoints", s.id))
                    .at(s.loc.clone())
                    .help("add [[stages.touchpoints]] so the stage can be measured"),
            );
        }
    }
    let mut tp_ids: HashMap<&str, &Location> = HashMap::new();
    let mut event_owner: HashMap<&str, &str> = HashMap::new();
    for (i, (_, tp)) in j.touchpoints().enumerate() {
        if let Some(first) = tp_ids.insert(&tp.id, &tp.loc) {
            diags.push(
                Diagnostic::error(format!("duplicate touchpoint id `{}` in this journey", tp.id))
                    .at(tp.loc.clone())
                    .help(format!(
                        "touchpoint ids are unique across the whole journey; first declared on line {}",
                        first.line
                    )),
            );
        }
        for ev in &tp.events {
            if let Some(owner) = event_owner.insert(&ev.value, &tp.id) {
                let msg = if owner == tp.id {
                    format!("event `{}` is listed twice in touchpoint `{}`", ev.value, tp.id)
                } else {
                    format!("event `{}` already belongs to touchpoint `{owner}`", ev.value)
                };
                diags.push(
                    Diagnostic::error(msg)
                        .at(ev.loc.clone())
                        .help("an event name maps to at most one touchpoint of a journey"),
                );
            }
        }
        if i == MAX_TOUCHPOINTS {
            diags.push(
                Diagnostic::error(format!("a journey has at most {MAX_TOUCHPOINTS} touchpoints"))
                    .at(tp.loc.clone())
                    .help("split the journey into several journeys"),
            );
        }
        if !tp.metrics.is_empty() && j.metrics.is_none() {
            diags.push(
                Diagnostic::error(format!(
                    "touchpoint `{}` declares metrics but the journey has no [data.metrics]",
                    tp.id
                ))
                .at(tp.metrics[0].loc.clone())
                .help("add [data.metrics] with the path of a `date,key,metric,value` export"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Channel, Period, Retention, Stage, Touchpoint};

    fn journey_with(touchpoints: usize) -> Journey {
        let loc = Location::file("journeys/j.toml");
        Journey {
            id: "j".into(),
            file: "journeys/j.toml".into(),
            title: "J".into(),
            persona: None,
            description: None,
            owner: None,
            conversion_window: None,
            events: None,
            metrics: None,
            cohorts: None,
            retention: Retention {
                cohort_stage: 0,
                return_stage: 0,
                period: Period::Week,
                periods: None,
            },
            targets: vec![],
            stages: vec![Stage {
                id: "s".into(),
                name: "S".into(),
                description: None,
                emotion: None,
                actions: vec![],
                questions: vec![],
                pain_points: vec![],
                opportunities: vec![],
                touchpoints: (0..touchpoints)
                    .map(|i| Touchpoint {
                        id: format!("t{i}"),
                        name: format!("T{i}"),
                        channel: Channel::default(),
                        events: vec![],
                        owner: None,
                        description: None,
                        metrics: vec![],
                        loc: loc.clone(),
                    })
                    .collect(),
                loc,
            }],
            conversion_stage: 0,
        }
    }

    /// Touchpoints are stored as `u16` with one value meaning "none": one more than fits
    /// is an error at the first that does not, not an index that wraps.
    #[test]
    fn at_most_65534_touchpoints() {
        let mut diags = Diagnostics::default();
        journey(&journey_with(MAX_TOUCHPOINTS), &mut diags);
        assert!(!diags.has_errors(), "{diags:?}");
        journey(&journey_with(MAX_TOUCHPOINTS + 1), &mut diags);
        let errors: Vec<_> = diags.errors().collect();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].message, "a journey has at most 65534 touchpoints");
    }
}
