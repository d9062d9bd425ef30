//! Rules that span several tables of a journey: unique ids, one touchpoint per event name,
//! stages without touchpoints, metrics without a metrics file, the number of touchpoints.
//! (The data files and their headers are checked where they are read, in `crate::data`.)

use std::collections::HashMap;

use super::{Journey, Occurrence, Touchpoint};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// Touchpoints a journey may have: the readers store a touchpoint as a `u16`, and one
/// value stands for "no touchpoint".
pub const MAX_TOUCHPOINTS: usize = u16::MAX as usize - 1;

/// Touchpoints that may list one event name when one of them has `occurrence`.
pub const MAX_OCCURRENCE_CANDIDATES: usize = 64;

/// `where` reads properties declared in [data.events] only, and each lists a glob.
fn check_conditions(j: &Journey, declared: &[&str], tp: &Touchpoint, diags: &mut Diagnostics) {
    for c in &tp.conditions {
        if !declared.contains(&c.property.value.as_str()) {
            let help = if j.events.is_none() {
                "`where` needs [data.events]".to_string()
            } else {
                format!(
                    "add it to [data.events]: `properties = [{}]`",
                    declared
                        .iter()
                        .copied()
                        .chain([c.property.value.as_str()])
                        .map(|p| format!("\"{p}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            diags.push(
                Diagnostic::error(format!(
                    "property `{}` is not declared in [data.events] `properties`",
                    c.property.value
                ))
                .at(c.property.loc.clone())
                .help(help),
            );
        }
        if c.globs.is_empty() {
            diags.push(
                Diagnostic::error(format!(
                    "`where` property `{}` lists no value, so it matches nothing",
                    c.property.value
                ))
                .at(c.property.loc.clone()),
            );
        }
    }
}

/// Whether `a`, listing an event of `b` and coming first, takes every row of that event
/// `b` would accept: it has no condition that `b` lacks (each of its glob lists includes
/// `b`'s, or `*`), and keeps every occurrence `b` would.
fn takes_all(a: &Touchpoint, b: &Touchpoint) -> bool {
    (a.occurrence == Occurrence::Any || a.occurrence == b.occurrence)
        && a.conditions.iter().all(|ac| {
            b.conditions.iter().any(|bc| {
                bc.property.value == ac.property.value
                    && bc
                        .globs
                        .iter()
                        .all(|g| ac.globs.iter().any(|h| h.value == "*" || h.value == g.value))
            })
        })
}

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
    // Per event name, in the order first listed: the touchpoints listing it, in order,
    // with where each lists it.
    let mut event_owner: HashMap<&str, Vec<(&Touchpoint, &Location)>> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut conditional_so_far = false;
    let declared: Vec<&str> = j
        .events
        .as_ref()
        .map(|e| e.properties.iter().map(|p| p.value.as_str()).collect())
        .unwrap_or_default();
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
        // The earlier touchpoint that takes all rows of each of this one's events, if any.
        let mut shadowed_by: Vec<Option<&str>> = Vec::new();
        for ev in &tp.events {
            let owners = event_owner.entry(&ev.value).or_insert_with(|| {
                names.push(&ev.value);
                Vec::new()
            });
            if owners.last().is_some_and(|(o, _)| std::ptr::eq(*o, tp)) {
                diags.push(
                    Diagnostic::error(format!(
                        "event `{}` is listed twice in touchpoint `{}`",
                        ev.value, tp.id
                    ))
                    .at(ev.loc.clone()),
                );
                continue;
            }
            // Several touchpoints may share a name when a condition tells their rows apart.
            if let Some((owner, _)) = owners
                .iter()
                .find(|(o, _)| !o.is_conditional())
                .filter(|_| !tp.is_conditional())
            {
                diags.push(
                    Diagnostic::error(format!(
                        "event `{}` already belongs to touchpoint `{}`",
                        ev.value, owner.id
                    ))
                    .at(ev.loc.clone())
                    .help("an event name maps to one touchpoint, unless `where` or `occurrence` tells its rows apart"),
                );
            }
            shadowed_by.push(
                owners
                    .iter()
                    .find(|(o, _)| takes_all(o, tp))
                    .map(|(o, _)| o.id.as_str()),
            );
            owners.push((tp, &ev.loc));
        }
        if (tp.is_conditional() || conditional_so_far)
            && !shadowed_by.is_empty()
            && shadowed_by.iter().all(Option::is_some)
        {
            diags.push(
                Diagnostic::warning(format!(
                    "touchpoint `{}` can match no row: touchpoint `{}` comes first and takes all of its rows",
                    tp.id,
                    shadowed_by[0].unwrap_or_default()
                ))
                .at(tp.loc.clone())
                .help("a row belongs to the first touchpoint that accepts it: move the narrower touchpoint first"),
            );
        }
        conditional_so_far |= tp.is_conditional();
        check_conditions(j, &declared, tp, diags);
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
    for name in names {
        let owners = &event_owner[name];
        if owners.len() > MAX_OCCURRENCE_CANDIDATES && owners.iter().any(|(t, _)| t.occurrence != Occurrence::Any) {
            let (_, last) = owners[owners.len() - 1];
            diags.push(
                Diagnostic::error(format!(
                    "event `{name}` is listed by {} touchpoints, one with `occurrence`: at most {MAX_OCCURRENCE_CANDIDATES} can be",
                    owners.len()
                ))
                .at(last.clone()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Channel, Located, Period, Retention, Stage, Touchpoint};

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
            feedback: vec![],
            retention: Retention {
                cohort_stage: 0,
                return_stage: 0,
                period: Period::Week,
                periods: None,
            },
            trends: Period::Week,
            paths: Default::default(),
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
                        conditions: vec![],
                        occurrence: Default::default(),
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

    /// One event name in many touchpoints, one of them `first`: 64 are told apart, 65 not.
    #[test]
    fn occurrence_names_are_listed_at_most_64_times() {
        let sharing = |n: usize| {
            let mut j = journey_with(n);
            let loc = Location::file("journeys/j.toml");
            for (k, tp) in j.stages[0].touchpoints.iter_mut().enumerate() {
                tp.events = vec![Located {
                    value: "page_view".into(),
                    loc: loc.clone(),
                }];
                tp.conditions = vec![crate::spec::Condition {
                    property: Located {
                        value: "url".into(),
                        loc: loc.clone(),
                    },
                    globs: vec![Located {
                        value: format!("/p{k}"),
                        loc: loc.clone(),
                    }],
                }];
            }
            j.stages[0].touchpoints[0].occurrence = Occurrence::First;
            let mut diags = Diagnostics::default();
            journey(&j, &mut diags);
            diags.errors().filter(|e| e.message.contains("at most 64")).count()
        };
        assert_eq!(sharing(64), 0);
        assert_eq!(sharing(65), 1);
    }
}
