//! "vs baseline" (`build --baseline FILE`): how the headline numbers and each funnel step
//! moved since a `kpis.json` published earlier. The deltas are computed between that file
//! and this build's `kpis.json` as it is written ([`Published::of`]), so that a number
//! that did not move reads "no change", never "+0.0000 pts".

use serde::Serialize;

use super::Site;
use crate::kpi::baseline::{headline, Delta, Published, PublishedJourney};
use crate::spec::{Journey, Unit};

/// A `kpis.json` to compare a build with.
pub struct BaselineFile {
    pub kpis: Published,
    /// Its file name, for the note that says what the deltas compare with.
    pub name: String,
}

impl BaselineFile {
    /// The baseline read from `text`, the content of the file at `path`.
    pub fn parse(path: &std::path::Path, text: &str) -> Result<BaselineFile, crate::diagnostics::Diagnostic> {
        let shown = path.display().to_string();
        Ok(BaselineFile {
            kpis: Published::parse(&shown, text)?,
            name: path
                .file_name()
                .map_or(shown.clone(), |n| n.to_string_lossy().into_owned()),
        })
    }
}

/// The baseline and this build, side by side.
pub(super) struct Baseline<'a> {
    pub old: &'a Published,
    pub now: Published,
    pub name: &'a str,
}

/// One delta as a page shows it.
#[derive(Serialize)]
pub struct DeltaInfo {
    /// "▲ +1.2 pts", "▼ −120", "no change".
    pub text: String,
    /// "up", "down" or "same": the class of its colour.
    pub direction: &'static str,
    /// "Baseline: 3.4% → 4.6% (+35.3%)", for the title and screen readers.
    pub title: String,
}

/// The headline deltas of a journey (its home card and its page's tiles).
#[derive(Default, Serialize)]
pub struct JourneyVs {
    /// The baseline has no such journey: there is nothing to compare with.
    pub new: bool,
    pub file: String,
    pub started: Option<DeltaInfo>,
    pub conversion_rate: Option<DeltaInfo>,
    pub revenue: Option<DeltaInfo>,
    pub aov: Option<DeltaInfo>,
    pub repeat_purchase_rate: Option<DeltaInfo>,
}

/// The deltas of a funnel step; `None` in the step row when the baseline lacks the stage.
#[derive(Serialize)]
pub struct StepVs {
    pub users: Option<DeltaInfo>,
    pub from_previous: Option<DeltaInfo>,
    pub from_start: Option<DeltaInfo>,
}

#[derive(Debug, Serialize)]
pub struct BaselineStrings {
    pub vs_baseline: &'static str,
    pub baseline: &'static str,
    pub no_change: &'static str,
    pub new_since_baseline: &'static str,
    pub changes_since: &'static str,
}

pub const EN: BaselineStrings = BaselineStrings {
    vs_baseline: "vs baseline",
    baseline: "Baseline",
    no_change: "no change",
    new_since_baseline: "New since the baseline",
    changes_since: "▲ ▼ changes since the baseline",
};

pub const FR: BaselineStrings = BaselineStrings {
    vs_baseline: "vs référence",
    baseline: "Référence",
    no_change: "inchangé",
    new_since_baseline: "Nouveau depuis la référence",
    changes_since: "▲ ▼ évolution depuis la référence",
};

impl Site<'_> {
    fn pair(&self, j: &Journey) -> Option<(Option<&PublishedJourney>, &PublishedJourney)> {
        let b = self.baseline.as_ref()?;
        Some((b.old.journey(&j.id), b.now.journey(&j.id)?))
    }

    /// A delta written out; `None` when either side has no value.
    fn delta(&self, d: &Delta, unit: Unit) -> Option<DeltaInfo> {
        let (old, new) = (d.old?, d.new?);
        let relative = d
            .relative
            .filter(|_| d.changed())
            .map(|r| format!(" ({})", self.n.signed_percent(r)))
            .unwrap_or_default();
        let title = format!(
            "{}: {} → {}{relative}",
            self.t.baseline.baseline,
            self.n.shown(old, unit),
            self.n.shown(new, unit)
        );
        let (text, direction) = match d.changed() {
            false => (self.t.baseline.no_change.to_string(), "same"),
            true => (
                self.n.arrowed_change(new - old, unit),
                if new > old { "up" } else { "down" },
            ),
        };
        Some(DeltaInfo { text, direction, title })
    }

    pub(super) fn journey_vs(&self, j: &Journey) -> Option<JourneyVs> {
        let (old, now) = self.pair(j)?;
        let file = self.baseline.as_ref()?.name.to_string();
        let Some(old) = old else {
            return Some(JourneyVs {
                new: true,
                file,
                ..JourneyVs::default()
            });
        };
        let lines = headline(old, now);
        let delta = |kpi: &str| {
            let l = lines.iter().find(|l| l.kpi == kpi)?;
            self.delta(&l.delta, l.unit)
        };
        Some(JourneyVs {
            new: false,
            file,
            started: delta("started"),
            conversion_rate: delta("conversion_rate"),
            revenue: delta("revenue.total"),
            aov: delta("revenue.aov"),
            repeat_purchase_rate: delta("revenue.repeat_purchase_rate"),
        })
    }

    pub(super) fn step_vs(&self, j: &Journey, stage: &str) -> Option<StepVs> {
        let (old, now) = self.pair(j)?;
        let (was, is) = (old?.step(stage)?, now.step(stage)?);
        Some(StepVs {
            users: self.delta(&Delta::counts(was.users, is.users), Unit::Count),
            from_previous: self.delta(
                &Delta::new(was.conversion_from_previous, is.conversion_from_previous),
                Unit::Percent,
            ),
            from_start: self.delta(
                &Delta::new(was.conversion_from_start, is.conversion_from_start),
                Unit::Percent,
            ),
        })
    }
}
