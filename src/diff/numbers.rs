//! KPI changes of the journeys on both sides: the headline numbers, each funnel step, and
//! every target, with the targets whose outcome flipped first.

use serde::Serialize;

use super::outline::Outline;
use crate::kpi::baseline::{Delta, Headline, Published, PublishedJourney};
use crate::kpi::TargetResult;
use crate::spec::Unit;

#[derive(Serialize)]
pub struct JourneyChanges {
    pub journey: String,
    pub title: String,
    pub headline: Vec<Headline>,
    pub steps: Vec<StepChange>,
    pub targets: Vec<TargetChange>,
}

#[derive(Serialize)]
pub struct StepChange {
    pub stage: String,
    pub users: Delta,
    pub conversion_from_previous: Delta,
    pub conversion_from_start: Delta,
}

impl StepChange {
    pub fn changed(&self) -> bool {
        self.users.changed() || self.conversion_from_previous.changed() || self.conversion_from_start.changed()
    }
}

/// What happened to a target between the two sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Met before, missed now: a regression (`--fail-on-regression`).
    NewlyMissed,
    NewlyMet,
    StillMissed,
    StillMet,
    /// Declared only on the new side.
    Added,
    /// Declared only on the old side.
    Removed,
}

#[derive(Serialize)]
pub struct TargetChange {
    pub kpi: String,
    pub outcome: Outcome,
    #[serde(serialize_with = "crate::kpi::baseline::unit_name")]
    pub unit: Unit,
    pub old: Option<TargetResult>,
    pub new: Option<TargetResult>,
    pub actual: Delta,
}

/// The changes of every journey that both sides have, in the new side's order.
pub fn journey_changes(old: &Published, new: &Published, outlines: [&Outline; 2]) -> Vec<JourneyChanges> {
    new.journeys
        .iter()
        .filter_map(|n| {
            let o = old.journey(&n.id)?;
            let unit = |kpi: &str| {
                outlines
                    .iter()
                    .filter_map(|outline| outline.journeys.iter().find(|j| j.id == n.id)?.target(kpi))
                    .map(|t| t.unit)
                    .next()
                    .unwrap_or_else(|| super::outline::unit_of(kpi))
            };
            Some(JourneyChanges {
                journey: n.id.clone(),
                title: n.title.clone(),
                headline: crate::kpi::baseline::headline(o, n),
                steps: n
                    .funnel
                    .steps
                    .iter()
                    .filter_map(|s| {
                        let was = o.step(&s.stage)?;
                        Some(StepChange {
                            stage: s.stage.clone(),
                            users: Delta::counts(was.users, s.users),
                            conversion_from_previous: Delta::new(
                                was.conversion_from_previous,
                                s.conversion_from_previous,
                            ),
                            conversion_from_start: Delta::new(was.conversion_from_start, s.conversion_from_start),
                        })
                    })
                    .collect(),
                targets: targets(o, n, &unit),
            })
        })
        .collect()
}

fn targets(o: &PublishedJourney, n: &PublishedJourney, unit: &dyn Fn(&str) -> Unit) -> Vec<TargetChange> {
    let mut out: Vec<TargetChange> = Vec::new();
    for t in &n.targets {
        let was = o.targets.iter().find(|w| w.kpi == t.kpi);
        let outcome = match was {
            None => Outcome::Added,
            Some(w) => match (w.met, t.met) {
                (true, false) => Outcome::NewlyMissed,
                (false, true) => Outcome::NewlyMet,
                (false, false) => Outcome::StillMissed,
                (true, true) => Outcome::StillMet,
            },
        };
        out.push(TargetChange {
            kpi: t.kpi.clone(),
            outcome,
            unit: unit(&t.kpi),
            old: was.cloned(),
            new: Some(t.clone()),
            actual: Delta::new(was.and_then(|w| w.actual), t.actual),
        });
    }
    for w in o.targets.iter().filter(|w| !n.targets.iter().any(|t| t.kpi == w.kpi)) {
        out.push(TargetChange {
            kpi: w.kpi.clone(),
            outcome: Outcome::Removed,
            unit: unit(&w.kpi),
            old: Some(w.clone()),
            new: None,
            actual: Delta::new(w.actual, None),
        });
    }
    // Flipped outcomes first; within an outcome, declaration order.
    out.sort_by_key(|t| t.outcome as u8);
    out
}
