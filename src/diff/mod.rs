//! `journeymap diff`: what changed between two versions of a project — in its spec (stages,
//! touchpoints, event mappings, targets) and in its numbers (headline KPIs, funnel steps,
//! targets newly met or missed). docs/cli.md describes the command and its output.
//!
//! A side is a `kpis.json`, a project, or a project at a git revision ([`git`]). The crate
//! root analyses projects; this module compares what it is given, so it sits beside the
//! site and below the root.

mod changes;
pub mod git;
mod numbers;
mod outline;
mod render;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use changes::{Bounds, SpecChange};
pub use numbers::{JourneyChanges, Outcome, StepChange, TargetChange};
pub use render::{human, markdown};

use crate::diagnostics::Diagnostic;
use crate::kpi::baseline::Published;
use crate::spec::Project;
use outline::Outline;

/// What a side of the comparison names on the command line.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A `kpis.json` written by `build` or `kpis`.
    File(PathBuf),
    /// A project directory, analysed as it is on disk.
    Dir(PathBuf),
    /// The project at a git revision (`git:REV`).
    Git(String),
}

impl Source {
    pub fn parse(arg: &str) -> Source {
        if let Some(rev) = arg.strip_prefix("git:") {
            Source::Git(rev.to_string())
        } else if Path::new(arg).is_file() || (arg.ends_with(".json") && !Path::new(arg).exists()) {
            Source::File(arg.into())
        } else {
            Source::Dir(arg.into())
        }
    }
}

/// Why a side could not be read: its project has errors (exit 1), or it could not be
/// read at all — a missing file, an unknown revision (exit 2).
pub enum SideError {
    Invalid(crate::diagnostics::Diagnostics),
    Unreadable(Diagnostic),
}

/// One side, ready to compare.
pub struct Side {
    /// How the side is named in the output.
    pub label: String,
    kpis: Published,
    outline: Outline,
    /// Whether the spec is known (a project), not only its KPIs.
    has_spec: bool,
}

impl Side {
    /// A side from the analysed `project` and the KPIs computed from it.
    pub fn project(label: String, project: &Project, kpis: &crate::kpi::Kpis) -> Side {
        let kpis = Published::of(kpis);
        Side {
            label,
            outline: Outline::new(&kpis, Some(project)),
            kpis,
            has_spec: true,
        }
    }

    /// A side from a `kpis.json` file.
    pub fn file(path: &Path) -> Result<Side, SideError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| SideError::Unreadable(Diagnostic::error(format!("cannot read `{shown}`: {e}"))))?;
        let kpis = Published::parse(&shown, &text).map_err(|d| {
            let mut diags = crate::diagnostics::Diagnostics::default();
            diags.push(d);
            SideError::Invalid(diags)
        })?;
        Ok(Side {
            label: shown,
            outline: Outline::new(&kpis, None),
            kpis,
            has_spec: false,
        })
    }
}

/// Everything that changed from `old` to `new`.
#[derive(Serialize)]
pub struct Report {
    pub old: String,
    pub new: String,
    /// Whether names, channels and event mappings were compared: only when both sides are
    /// projects (a kpis.json has ids, order and targets only).
    pub spec_detail: bool,
    /// Targets met on the old side and missed on the new one.
    pub regressions: usize,
    pub spec: Vec<SpecChange>,
    pub journeys: Vec<JourneyChanges>,
}

pub fn compare(old: &Side, new: &Side) -> Report {
    let journeys = numbers::journey_changes(&old.kpis, &new.kpis, [&new.outline, &old.outline]);
    let regressions = journeys
        .iter()
        .flat_map(|j| &j.targets)
        .filter(|t| t.outcome == Outcome::NewlyMissed)
        .count();
    Report {
        old: old.label.clone(),
        new: new.label.clone(),
        spec_detail: old.has_spec && new.has_spec,
        regressions,
        spec: changes::spec_changes(&old.outline, &new.outline),
        journeys,
    }
}

/// The report as one JSON document.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("diff report serializes") + "\n"
}
