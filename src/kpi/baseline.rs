//! A `kpis.json` read back, and the change of one number between two of them.
//!
//! `build --baseline` and `diff` both compare a build with numbers published earlier; both
//! go through [`Published`], so the two agree on what a change is. A freshly computed
//! [`Kpis`] is compared after a round trip through its JSON text ([`Published::of`]), so
//! that a value and the same value read back from a file are equal to the bit.

use serde::{Deserialize, Serialize};

use super::{Kpis, RevenueKpis, Step, TargetResult};
use crate::diagnostics::{Diagnostic, Location};
use crate::spec::Unit;

/// The keys of a `kpis.json` that are compared; any other key is ignored, so a file written
/// by an older or newer journeymap is read as long as these keep their meaning.
#[derive(Debug, Deserialize)]
pub struct Published {
    pub generator: String,
    pub journeys: Vec<PublishedJourney>,
}

#[derive(Debug, Deserialize)]
pub struct PublishedJourney {
    pub id: String,
    pub title: String,
    pub funnel: PublishedFunnel,
    pub conversion_rate: Option<f64>,
    pub stages: Vec<PublishedStage>,
    pub revenue: Option<RevenueKpis>,
    #[serde(default)]
    pub targets: Vec<TargetResult>,
}

#[derive(Debug, Deserialize)]
pub struct PublishedFunnel {
    pub window_seconds: Option<i64>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
pub struct PublishedStage {
    pub id: String,
    pub touchpoints: Vec<PublishedTouchpoint>,
}

#[derive(Debug, Deserialize)]
pub struct PublishedTouchpoint {
    pub id: String,
}

impl Published {
    /// Reads the text of a `kpis.json`; `file` names it in the error, which is located at
    /// the line and column where the document stops being one.
    pub fn parse(file: &str, text: &str) -> Result<Published, Diagnostic> {
        serde_json::from_str(text).map_err(|e| {
            let line = e.line().max(1);
            let source = text.lines().nth(line - 1).map(str::to_string);
            let message = match e.classify() {
                serde_json::error::Category::Data => format!("not a kpis.json document: {}", strip_position(&e)),
                _ => format!("invalid JSON: {}", strip_position(&e)),
            };
            Diagnostic::error(message)
                .at(Location::at_line(file, line, e.column().max(1), source))
                .help("give the kpis.json that `journeymap build` or `journeymap kpis` wrote")
        })
    }

    /// `kpis` as it would be read back from the `kpis.json` it is written to.
    pub fn of(kpis: &Kpis) -> Published {
        let text = serde_json::to_string(kpis).expect("kpis serialize");
        serde_json::from_str(&text).expect("kpis.json is read back")
    }

    pub fn journey(&self, id: &str) -> Option<&PublishedJourney> {
        self.journeys.iter().find(|j| j.id == id)
    }
}

impl PublishedJourney {
    pub fn step(&self, stage: &str) -> Option<&Step> {
        self.funnel.steps.iter().find(|s| s.stage == stage)
    }

    /// The users of the first funnel step: the people who started the journey.
    pub fn started(&self) -> Option<f64> {
        self.funnel.steps.first().and_then(|s| s.users).map(|u| u as f64)
    }
}

/// serde_json's message without its " at line L column C" tail: the location is given apart.
fn strip_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// What a number counts, which decides how its change is written: rates change in
/// percentage points, counts and amounts by their difference and its share of the old value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    Count,
    Rate,
    Money,
    Seconds,
}

/// One number then and now.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Delta {
    pub old: Option<f64>,
    pub new: Option<f64>,
    /// `new - old` (for a rate, in its own unit: 0.012 is 1.2 points).
    pub absolute: Option<f64>,
    /// `(new - old) / |old|`; `None` when old is zero or either is unknown.
    pub relative: Option<f64>,
}

impl Delta {
    pub fn new(old: Option<f64>, new: Option<f64>) -> Delta {
        let absolute = match (old, new) {
            (Some(o), Some(n)) => Some(n - o),
            _ => None,
        };
        let relative = match (old, absolute) {
            (Some(o), Some(a)) if o != 0.0 => Some(a / o.abs()),
            _ => None,
        };
        Delta {
            old,
            new,
            absolute,
            relative,
        }
    }

    pub fn counts(old: Option<u64>, new: Option<u64>) -> Delta {
        Delta::new(old.map(|v| v as f64), new.map(|v| v as f64))
    }

    /// Whether the number is not the same: a value that appeared or disappeared changed too.
    pub fn changed(&self) -> bool {
        self.old != self.new
    }
}

/// A headline KPI of a journey then and now: `kpi` is its key in kpis.json (`started` is
/// the first step's users). The home cards, the journey tiles and `diff` show these.
#[derive(Serialize)]
pub struct Headline {
    pub kpi: &'static str,
    #[serde(serialize_with = "unit_name")]
    pub unit: Unit,
    #[serde(flatten)]
    pub delta: Delta,
}

/// A unit as `diff --format json` names it.
pub fn unit_name<S: serde::Serializer>(u: &Unit, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match u {
        Unit::Percent => "rate",
        Unit::Currency => "money",
        Unit::Score => "score",
        Unit::Seconds => "seconds",
        Unit::Count => "count",
    })
}

/// A revenue KPI: its key, its unit and how to read it.
type RevenueField = (&'static str, Unit, fn(&RevenueKpis) -> Option<f64>);

const REVENUE: [RevenueField; 5] = [
    ("revenue.total", Unit::Currency, |r| Some(r.total)),
    ("revenue.orders", Unit::Count, |r| Some(r.orders as f64)),
    ("revenue.buyers", Unit::Count, |r| Some(r.buyers as f64)),
    ("revenue.aov", Unit::Currency, |r| r.aov),
    ("revenue.repeat_purchase_rate", Unit::Percent, |r| {
        r.repeat_purchase_rate
    }),
];

/// The headline KPIs of journey `o` then and `n` now; the revenue ones only when either
/// side has revenue.
pub fn headline(o: &PublishedJourney, n: &PublishedJourney) -> Vec<Headline> {
    let mut lines = vec![
        Headline {
            kpi: "started",
            unit: Unit::Count,
            delta: Delta::new(o.started(), n.started()),
        },
        Headline {
            kpi: "conversion_rate",
            unit: Unit::Percent,
            delta: Delta::new(o.conversion_rate, n.conversion_rate),
        },
    ];
    if o.revenue.is_some() || n.revenue.is_some() {
        let revenue = |j: &PublishedJourney, f: fn(&RevenueKpis) -> Option<f64>| j.revenue.as_ref().and_then(f);
        lines.extend(REVENUE.iter().map(|&(kpi, unit, f)| Headline {
            kpi,
            unit,
            delta: Delta::new(revenue(o, f), revenue(n, f)),
        }));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_change_is_against_the_old_magnitude() {
        let d = Delta::new(Some(-2.0), Some(-1.0));
        assert_eq!(d.absolute, Some(1.0));
        assert_eq!(d.relative, Some(0.5));
        assert_eq!(Delta::new(Some(0.0), Some(3.0)).relative, None);
        assert_eq!(Delta::new(None, Some(3.0)).absolute, None);
        assert!(Delta::new(None, Some(3.0)).changed());
        assert!(!Delta::new(Some(0.25), Some(0.25)).changed());
    }

    #[test]
    fn errors_are_located() {
        let e = Published::parse("old.json", "{\n  \"generator\": \"x\",\n  \"journeys\": 3\n}").unwrap_err();
        let loc = e.location.as_ref().unwrap();
        assert_eq!((loc.line, loc.file.as_str()), (3, "old.json"));
        assert!(
            e.message
                .starts_with("not a kpis.json document: invalid type: integer `3`"),
            "{}",
            e.message
        );
        let e = Published::parse("old.json", "{\"generator\": ").unwrap_err();
        assert!(e.message.starts_with("invalid JSON: EOF"), "{}", e.message);
    }
}
