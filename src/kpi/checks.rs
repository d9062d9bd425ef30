//! Warnings that need the computed KPIs: missed targets (located where the target is
//! declared, so CI annotations point at the TOML line) and stage `users` rows of a
//! metrics file that disagree with the funnel computed from events.

use super::{JourneyKpis, Kpis};
use crate::data::JourneyData;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::spec::{Journey, Project};

pub fn warnings(project: &Project, data: &[JourneyData], kpis: &Kpis) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for ((j, d), k) in project.journeys.iter().zip(data).zip(&kpis.journeys) {
        metrics_disagreement(j, d, k, &mut diags);
        missed_targets(j, k, &mut diags);
        silent_keywords(j, k, &mut diags);
    }
    diags
}

fn missed_targets(j: &Journey, k: &JourneyKpis, diags: &mut Diagnostics) {
    for (t, r) in j.targets.iter().zip(&k.targets) {
        if r.met {
            continue;
        }
        let bounds = match (r.min, r.max) {
            (Some(lo), Some(hi)) => format!("between {lo} and {hi}"),
            (Some(lo), None) => format!("at least {lo}"),
            (None, Some(hi)) => format!("at most {hi}"),
            (None, None) => String::new(),
        };
        let Some(actual) = r.actual else {
            // How every journey starts: a target set before there is data to check it.
            diags.push(
                Diagnostic::warning(format!(
                    "target not checked in journey `{}`: `{}` has no value yet (no data), expected {bounds}",
                    j.id, r.kpi
                ))
                .at(t.loc.clone()),
            );
            continue;
        };
        let bound_values: Vec<f64> = [r.min, r.max].into_iter().flatten().collect();
        let places = crate::locale::distinct_places(actual, &bound_values, 4);
        diags.push(
            Diagnostic::warning(format!(
                "target missed in journey `{}`: `{}` is {actual:.places$}, expected {bounds}",
                j.id, r.kpi
            ))
            .at(t.loc.clone()),
        );
    }
}

/// A pain point keyword that no survey comment of its stage contains is likely misspelt,
/// or in another language than the comments.
fn silent_keywords(j: &Journey, k: &JourneyKpis, diags: &mut Diagnostics) {
    let Some(f) = k.feedback.first() else { return };
    for p in &f.pain_points {
        let (si, pi) = p.at;
        let pain = &j.stages[si].pain_points[pi];
        for (kw, hits) in pain.keywords.iter().zip(&p.keyword_hits) {
            if *hits == 0 {
                diags.push(
                    Diagnostic::warning(format!(
                        "keyword `{}` of pain point \"{}\" matches no survey comment about stage `{}`",
                        kw.value, pain.text, j.stages[si].id
                    ))
                    .at(kw.loc.clone())
                    .help("keywords are matched inside comments, ignoring case and accents; try a shorter stem or the comments' language"),
                );
            }
        }
    }
}

fn metrics_disagreement(j: &Journey, d: &JourneyData, k: &JourneyKpis, diags: &mut Diagnostics) {
    let (Some(_), Some(m), Some(file)) = (&d.events, &d.metrics, &j.metrics) else {
        return;
    };
    for ((stage, sum), step) in j.stages.iter().zip(super::metrics::stage_sums(m)).zip(&k.funnel.steps) {
        if let (Some(sum), Some(users)) = (sum, step.users) {
            if sum != users {
                diags.push(
                    Diagnostic::warning(format!(
                        "stage `{}`: the metrics file says {sum} users, the events give {users}; the events are used",
                        stage.id
                    ))
                    .at(file.loc.clone()),
                );
            }
        }
    }
}
