//! Voice of the customer: per survey source, the answers about each stage and touchpoint
//! (responses, mean, the scale's share field, the emotion they measure, the latest
//! comments), and the pain points counted by the comments that mention them
//! (docs/kpis.md, "Survey feedback").

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::spec::{FeedbackShape, KpiSpec};
use crate::calendar::{civil_from_days, period_index, period_start, Period, MICROS_PER_DAY, MICROS_PER_SEC};
use crate::data::feedback::{Answer, FeedbackData, Owner};
use crate::spec::{FeedbackField, NamedScale};
use crate::zone::Zone;

/// How many comments a stage or touchpoint shows.
pub const VERBATIMS: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct FeedbackKpis {
    pub id: String,
    pub scale: NamedScale,
    pub stages: ById,
    pub touchpoints: ById,
    /// The same in every source: mentions count the comments of all sources.
    pub pain_points: Vec<PainPointKpi>,
}

/// Stats by stage or touchpoint id, in journey order (a JSON object).
#[derive(Debug, Clone, Default)]
pub struct ById(pub Vec<(String, FeedbackStats)>);

impl ById {
    pub fn get(&self, id: &str) -> Option<&FeedbackStats> {
        self.0.iter().find(|(k, _)| k == id).map(|(_, s)| s)
    }
}

impl Serialize for ById {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackStats {
    pub responses: u64,
    pub mean: Option<f64>,
    /// `nps`, `satisfied` or `easy`, as the scale says.
    pub share_field: FeedbackField,
    pub share: Option<f64>,
    pub measured_emotion: Option<f64>,
    pub verbatims: Vec<Verbatim>,
    /// Mean score per week (in the source's time zone) with answers, for charts; not in
    /// kpis.json.
    pub weekly: Vec<WeekMean>,
}

impl FeedbackStats {
    pub fn field(&self, f: FeedbackField) -> Option<f64> {
        match f {
            FeedbackField::Responses => Some(self.responses as f64),
            FeedbackField::Mean => self.mean,
            f if f == self.share_field => self.share,
            _ => None,
        }
    }
}

impl Serialize for FeedbackStats {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use crate::spec::Choice;
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("responses", &self.responses)?;
        map.serialize_entry("mean", &self.mean)?;
        map.serialize_entry(self.share_field.name(), &self.share)?;
        map.serialize_entry("measured_emotion", &self.measured_emotion)?;
        map.serialize_entry("verbatims", &self.verbatims)?;
        map.end()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verbatim {
    /// RFC 3339, UTC.
    pub time: String,
    pub text: String,
    /// The answer's date in the source's time zone, for pages.
    #[serde(skip)]
    pub date: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WeekMean {
    /// Monday, `YYYY-MM-DD`.
    pub start: String,
    pub mean: f64,
    pub responses: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PainPointKpi {
    pub stage: String,
    pub text: String,
    /// `None` for a pain point without keywords: nothing is counted for it.
    pub mentions: Option<u64>,
    /// Stage index and the pain point's index in it, for pages and warnings.
    #[serde(skip)]
    pub at: (usize, usize),
    /// Comments matching each keyword.
    #[serde(skip)]
    pub keyword_hits: Vec<u64>,
}

/// Lower case without accents (é = e, Ç = c), for matching keywords in comments.
pub fn fold(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Every source's KPIs, in spec order; a source that was not read has none.
pub fn compute(spec: &KpiSpec, sources: &[Option<&FeedbackData>]) -> Vec<FeedbackKpis> {
    let stage_of = spec.stage_of();
    let stage = |o: Owner| match o {
        Owner::Stage(s) => s,
        Owner::Touchpoint(t) => stage_of[t],
    };
    let pain_points = pain_points(spec, sources, &stage);
    spec.feedback
        .iter()
        .zip(sources)
        .filter_map(|(shape, data)| {
            let data = (*data)?;
            let zone = Zone::named(&shape.timezone).unwrap_or_default();
            let stats = |keep: &dyn Fn(Owner) -> bool| {
                let rows: Vec<&Answer> = data.answers.iter().filter(|a| keep(a.owner)).collect();
                stats(shape, &rows, &zone)
            };
            let stages = spec
                .stages
                .iter()
                .enumerate()
                .map(|(i, s)| (s.id.clone(), stats(&|o| stage(o) == i)))
                .collect();
            let touchpoints = spec
                .touchpoints()
                .enumerate()
                .map(|(i, (_, t))| (t.id.clone(), stats(&|o| o == Owner::Touchpoint(i))))
                .collect();
            Some(FeedbackKpis {
                id: shape.id.clone(),
                scale: shape.scale,
                stages: ById(stages),
                touchpoints: ById(touchpoints),
                pain_points: pain_points.clone(),
            })
        })
        .collect()
}

/// The stats of `rows` (in file order) for a source.
fn stats(shape: &FeedbackShape, rows: &[&Answer], zone: &Zone) -> FeedbackStats {
    let scale = shape.scale.scale();
    let n = rows.len() as u64;
    let sum: u64 = rows.iter().map(|a| u64::from(a.score)).sum();
    let mean = (n > 0).then(|| sum as f64 / n as f64);
    let share_field = FeedbackField::of_scale(shape.scale);
    let count = |r: std::ops::RangeInclusive<u8>| rows.iter().filter(|a| r.contains(&a.score)).count() as f64;
    let share = (n > 0).then(|| match shape.scale {
        NamedScale::Nps => 100.0 * (count(9..=10) - count(0..=6)) / n as f64,
        NamedScale::Csat | NamedScale::Stars => count(4..=5) / n as f64,
        NamedScale::Ces => count(5..=7) / n as f64,
    });
    let measured_emotion = mean.map(|m| 1.0 + 4.0 * (m - scale.min) / (scale.max - scale.min));
    // The latest first; of two answers at the same time, the later line.
    let mut commented: Vec<(usize, &Answer)> = rows
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, a)| a.comment.is_some())
        .collect();
    commented.sort_by(|(i, a), (j, b)| b.time.cmp(&a.time).then(j.cmp(i)));
    let verbatims = commented
        .iter()
        .take(VERBATIMS)
        .map(|(_, a)| Verbatim {
            time: rfc3339(a.time),
            text: a.comment.as_deref().unwrap_or_default().to_string(),
            date: crate::calendar::format_date(zone.local(a.time).div_euclid(MICROS_PER_DAY)),
        })
        .collect();
    let mut weeks: std::collections::BTreeMap<i64, (u64, u64)> = std::collections::BTreeMap::new();
    for a in rows {
        let w = weeks.entry(period_index(zone.local(a.time), Period::Week)).or_default();
        w.0 += u64::from(a.score);
        w.1 += 1;
    }
    let weekly = weeks
        .into_iter()
        .map(|(w, (sum, n))| WeekMean {
            start: period_start(w, Period::Week),
            mean: sum as f64 / n as f64,
            responses: n,
        })
        .collect();
    FeedbackStats {
        responses: n,
        mean,
        share_field,
        share,
        measured_emotion,
        verbatims,
        weekly,
    }
}

/// Pain points of every stage with the comments (any source) of the stage's answers that
/// mention them, by mentions (descending; not counted last), then spec order.
fn pain_points(spec: &KpiSpec, sources: &[Option<&FeedbackData>], stage: &dyn Fn(Owner) -> usize) -> Vec<PainPointKpi> {
    // Folded once: each comment is searched for every keyword of its stage.
    let comments: Vec<(usize, String)> = sources
        .iter()
        .flatten()
        .flat_map(|d| &d.answers)
        .filter_map(|a| a.comment.as_deref().map(|c| (stage(a.owner), fold(c))))
        .collect();
    let mut out: Vec<PainPointKpi> = Vec::new();
    for (si, s) in spec.stages.iter().enumerate() {
        for (pi, p) in s.pain_points.iter().enumerate() {
            let mut hits = vec![0u64; p.keywords.len()];
            let mut mentions = 0u64;
            for (_, c) in comments.iter().filter(|(cs, _)| *cs == si) {
                let mut any = false;
                for (h, k) in hits.iter_mut().zip(&p.keywords) {
                    if c.contains(k.as_str()) {
                        *h += 1;
                        any = true;
                    }
                }
                mentions += u64::from(any);
            }
            out.push(PainPointKpi {
                stage: s.id.clone(),
                text: p.text.clone(),
                mentions: (!p.keywords.is_empty()).then_some(mentions),
                at: (si, pi),
                keyword_hits: hits,
            });
        }
    }
    // Stable: equal mentions keep spec order.
    out.sort_by_key(|p| std::cmp::Reverse(p.mentions.map_or(0, |m| m + 1)));
    out
}

/// `2026-01-05T10:00:00Z` (fractions of a second dropped).
fn rfc3339(us: i64) -> String {
    let days = us.div_euclid(MICROS_PER_DAY);
    let secs = us.rem_euclid(MICROS_PER_DAY) / MICROS_PER_SEC;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Frais de LIVRAISON élevés"), "frais de livraison eleves");
        assert_eq!(fold("Ça coûte"), "ca coute");
        assert!(fold("Délai de livraison").contains(&fold("delai")));
    }

    use proptest::prelude::*;

    proptest! {
        /// The weekly means of the touchpoint pages against a grouping by jiff's calendar:
        /// weeks start on Monday in the source's zone.
        #[test]
        fn weekly_means_group_by_monday_weeks_of_the_zone(
            answers in prop::collection::vec((0..400 * 86_400i64, 0..11u8), 0..60),
            zone in prop::sample::select(vec!["UTC", "Europe/Paris", "America/New_York", "Pacific/Auckland"]),
        ) {
            let t0 = 1_767_225_600i64; // 2026-01-01T00:00:00Z
            let shape = FeedbackShape { id: "s".into(), scale: NamedScale::Nps, timezone: zone.into() };
            let rows: Vec<Answer> = answers
                .iter()
                .map(|&(t, score)| Answer {
                    owner: Owner::Stage(0),
                    time: (t0 + t) * MICROS_PER_SEC,
                    score,
                    comment: None,
                    user: None,
                })
                .collect();
            let refs: Vec<&Answer> = rows.iter().collect();
            let got = stats(&shape, &refs, &Zone::named(zone).unwrap()).weekly;
            let tz = jiff::tz::TimeZone::get(zone).unwrap();
            let mut naive: std::collections::BTreeMap<jiff::civil::Date, (u64, u64)> = Default::default();
            for &(t, score) in &answers {
                let date = jiff::Timestamp::from_second(t0 + t).unwrap().to_zoned(tz.clone()).date();
                let monday = date.checked_sub(jiff::Span::new().days(i64::from(date.weekday().to_monday_zero_offset()))).unwrap();
                let w = naive.entry(monday).or_default();
                w.0 += u64::from(score);
                w.1 += 1;
            }
            let want: Vec<WeekMean> = naive
                .into_iter()
                .map(|(d, (sum, n))| WeekMean { start: d.to_string(), mean: sum as f64 / n as f64, responses: n })
                .collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn times_are_written_in_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_607_245_500_000), "2026-01-05T10:00:45Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59Z");
    }
}
