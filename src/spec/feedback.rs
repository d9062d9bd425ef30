//! Voice of the customer in the spec: `[[data.feedback]]` survey sources, pain points
//! with the keywords that count their mentions, and `feedback_targets` on stages and
//! touchpoints (checked against the journey's sources once all are read).

use std::path::Path;

use super::choice::{Choice, FeedbackField, NamedScale};
use super::data::{data_file, time_options};
use super::reader::{word_of, Located, Table, WordOrTable};
use super::stage::check_slug;
use super::targets::read_bound;
use super::{FeedbackSource, PainPoint, Target, TargetKind, TimeFormat};
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics};
use crate::files::Root;

pub(super) fn read_source(files: &Root, root: &Path, t: &mut Table, diags: &mut Diagnostics) -> Option<FeedbackSource> {
    let id = t.required_string("id", diags);
    if let Some(id) = &id {
        t.set_what(format!("feedback source `{}`", id.value));
        check_slug("feedback source", id, diags);
    }
    let name = t.string("name", diags).map(|n| n.value);
    let file = data_file(files, root, t, diags);
    let key = t.required_string("key", diags);
    let time = t.required_string("time", diags);
    let score = t.required_string("score", diags);
    let scale = match t.required_string("scale", diags) {
        Some(s) => word_of::<NamedScale>("scale", s, diags).map(|s| s.value),
        None => None,
    };
    let comment = t.string("comment", diags);
    let user = t.string("user", diags);
    let (time_format, timezone) = time_options(t, TimeFormat::Rfc3339, diags);
    let on_error = t.choice("on_error", diags).map_or(Default::default(), |o| o.value);
    let id = id?;
    Some(FeedbackSource {
        name: name.unwrap_or_else(|| super::humanize(&id.value)),
        id: id.value,
        loc: id.loc,
        file: file?,
        key: key?,
        time: time?,
        score: score?,
        scale: scale?,
        comment,
        user,
        time_format,
        timezone,
        on_error,
    })
}

/// `pain_points = ["text", { text = "…", keywords = ["…"] }]`.
pub(super) fn read_pain_points(st: &mut Table, diags: &mut Diagnostics) -> Vec<PainPoint> {
    let mut out = Vec::new();
    for item in st.words_or_tables("pain_points", "pain point", diags) {
        match item {
            WordOrTable::Word(w) => out.push(PainPoint {
                text: w.value,
                keywords: Vec::new(),
                loc: w.loc,
            }),
            WordOrTable::Table(mut t) => {
                let text = t.required_string("text", diags);
                let keywords = t.strings("keywords", diags);
                for k in &keywords {
                    if k.value.trim().is_empty() {
                        diags.push(
                            Diagnostic::error("an empty keyword would count every comment as a mention")
                                .at(k.loc.clone())
                                .help("remove it, or write a word or phrase customers use"),
                        );
                    }
                }
                let loc = t.loc();
                t.finish(diags);
                if let Some(text) = text {
                    out.push(PainPoint {
                        text: text.value,
                        keywords,
                        loc,
                    });
                }
            }
        }
    }
    out
}

/// A feedback target as read, before its source is known to exist.
pub(super) struct PendingTarget {
    source: Located<String>,
    field: Located<FeedbackField>,
    target: Target,
}

/// `feedback_targets = [{ source = "…", field = "nps", min = 20 }]` of the stage or
/// touchpoint `owner`.
pub(super) fn read_targets(t: &mut Table, owner: &str, diags: &mut Diagnostics) -> Vec<PendingTarget> {
    let mut out = Vec::new();
    for mut ft in t.tables("feedback_targets", "feedback target", diags) {
        let loc = ft.loc();
        let source = ft.required_string("source", diags);
        let field = match ft.required_string("field", diags) {
            Some(f) => word_of::<FeedbackField>("field", f, diags),
            None => None,
        };
        let unit = field.as_ref().map_or(super::Unit::Score, |f| f.value.unit());
        // `read_bound` reads `min`, `max` and reports the table's other keys.
        let bound = read_bound(ft, unit, diags);
        if let (Some(source), Some(field), Some(bound)) = (source, field, bound) {
            let target = Target {
                kpi: format!("feedback.{}.{owner}.{}", source.value, field.value.name()),
                kind: TargetKind::Feedback {
                    source: source.value.clone(),
                    owner: owner.to_string(),
                    field: field.value,
                },
                unit,
                bound,
                loc,
            };
            out.push(PendingTarget { source, field, target });
        }
    }
    out
}

/// The feedback targets whose source is one of `sources` and whose field its scale has;
/// an error for each other one. Bounds must lie in the field's range.
pub(super) fn check_targets(
    sources: &[FeedbackSource],
    pending: Vec<PendingTarget>,
    diags: &mut Diagnostics,
) -> Vec<Target> {
    let mut out = Vec::new();
    for p in pending {
        let Some(src) = sources.iter().find(|s| s.id == p.source.value) else {
            let help = did_you_mean(&p.source.value, sources.iter().map(|s| s.id.as_str())).unwrap_or_else(|| {
                if sources.is_empty() {
                    "declare the survey under [[data.feedback]] with this `id`".to_string()
                } else {
                    let ids: Vec<&str> = sources.iter().map(|s| s.id.as_str()).collect();
                    format!("feedback sources of this journey: {}", ids.join(", "))
                }
            });
            diags.push(
                Diagnostic::error(format!("unknown feedback source `{}`", p.source.value))
                    .at(p.source.loc)
                    .help(help),
            );
            continue;
        };
        let field = p.field.value;
        let share = FeedbackField::of_scale(src.scale);
        if !matches!(field, FeedbackField::Responses | FeedbackField::Mean) && field != share {
            diags.push(
                Diagnostic::error(format!(
                    "`{}` is not computed for a {} survey",
                    field.name(),
                    src.scale.name()
                ))
                .at(p.field.loc)
                .help(format!(
                    "a {} survey has responses, mean and {}",
                    src.scale.name(),
                    share.name()
                )),
            );
            continue;
        }
        let scale = src.scale.scale();
        let (lo, hi, what) = match field {
            FeedbackField::Responses => (0.0, f64::INFINITY, "a number of responses is at least 0".to_string()),
            FeedbackField::Mean => (
                scale.min,
                scale.max,
                format!(
                    "the {} scale runs from {} to {}",
                    src.scale.name(),
                    scale.min,
                    scale.max
                ),
            ),
            FeedbackField::Nps => (-100.0, 100.0, "an NPS runs from -100 to 100".to_string()),
            // Rates are checked by `read_bound`.
            FeedbackField::Satisfied | FeedbackField::Easy => (0.0, 1.0, String::new()),
        };
        let bounds = [p.target.bound.min, p.target.bound.max];
        if let Some(v) = bounds.into_iter().flatten().find(|v| !(lo..=hi).contains(v)) {
            diags.push(
                Diagnostic::error(format!("feedback target bound {v} is out of range"))
                    .at(p.target.loc)
                    .help(what),
            );
            continue;
        }
        out.push(p.target);
    }
    out
}
