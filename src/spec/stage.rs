//! `[[stages]]`, their `[[stages.touchpoints]]` and the touchpoints' metrics, each read with
//! the single-table rules of docs/spec.md (slugs, ranges, choices) checked on the way.

use super::choice::{Choice, KnownChannel};
use super::feedback::{read_pain_points, read_targets, PendingTarget};
use super::reader::{word_of, Located, Table, WordOrTable};
use super::targets::{metric_target_kpi, read, stage_target_kpi};
use super::{
    humanize, is_slug, slugify, Channel, Condition, Metric, NamedScale, Scale, Stage, Target, TargetKind, Touchpoint,
    Unit,
};
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics, Location};

pub(super) fn check_slug(kind: &str, id: &Located<String>, diags: &mut Diagnostics) {
    if !is_slug(&id.value) {
        diags.push(
            Diagnostic::error(format!("{kind} id `{}` is not a slug ([a-z0-9][a-z0-9_-]*)", id.value))
                .at(id.loc.clone())
                .help(format!("use `{}`", slugify(&id.value))),
        );
    }
}

/// What reading the stages collects besides the stages themselves.
#[derive(Default)]
pub(super) struct Collected {
    /// Stage index and place of each `conversion = true`.
    pub conversion_flags: Vec<(usize, Location)>,
    pub stage_targets: Vec<Target>,
    pub metric_targets: Vec<Target>,
    /// `feedback_targets` of stages and touchpoints, in file order.
    pub feedback_targets: Vec<PendingTarget>,
}

pub(super) fn read_stage(st: &mut Table, index: usize, out: &mut Collected, diags: &mut Diagnostics) -> Option<Stage> {
    let id = st.required_string("id", diags);
    if let Some(id) = &id {
        st.set_what(format!("stage `{}`", id.value));
        check_slug("stage", id, diags);
    }
    let name = st.string("name", diags).map(|s| s.value);
    let description = st.string("description", diags).map(|s| s.value);
    let emotion = st.integer("emotion", diags).and_then(|e| {
        if (1..=5).contains(&e.value) {
            Some(e.value as u8)
        } else {
            diags.push(
                Diagnostic::error(format!("`emotion` must be between 1 and 5, found {}", e.value))
                    .at(e.loc)
                    .help("1 = very negative, 3 = neutral, 5 = very positive"),
            );
            None
        }
    });
    let list = |st: &mut Table, key: &'static str, diags: &mut Diagnostics| {
        st.strings(key, diags).into_iter().map(|s| s.value).collect::<Vec<_>>()
    };
    let actions = list(st, "actions", diags);
    let questions = list(st, "questions", diags);
    let pain_points = read_pain_points(st, diags);
    let opportunities = list(st, "opportunities", diags);
    if let Some(c) = st.boolean("conversion", diags) {
        if c.value {
            out.conversion_flags.push((index, c.loc));
        }
    }
    let kpi = stage_target_kpi(id.as_ref().map_or("", |i| i.value.as_str()));
    let target = read(
        st,
        "target",
        "stage target",
        kpi,
        TargetKind::StageConversion(index),
        Unit::Percent,
        diags,
    );
    let feedback_targets = read_targets(st, id.as_ref().map_or("", |i| i.value.as_str()), diags);
    if id.is_some() {
        out.feedback_targets.extend(feedback_targets);
    }
    let mut touchpoints = Vec::new();
    for mut tt in st.tables("touchpoints", "touchpoint", diags) {
        if let Some(tp) = read_touchpoint(&mut tt, out, diags) {
            touchpoints.push(tp);
        }
        tt.finish(diags);
    }
    let id = id?;
    out.stage_targets.extend(target);
    Some(Stage {
        name: name.unwrap_or_else(|| humanize(&id.value)),
        loc: id.loc,
        id: id.value,
        description,
        emotion,
        actions,
        questions,
        pain_points,
        opportunities,
        touchpoints,
    })
}

fn read_channel(tt: &mut Table, diags: &mut Diagnostics) -> Channel {
    let Some(c) = tt.string("channel", diags) else {
        return Channel::default();
    };
    let channel = Channel::new(&c.value);
    if let Channel::Custom(name) = &channel {
        // Any name is accepted; only a near miss of a known one is worth a word.
        if let Some(help) = did_you_mean(name, KnownChannel::names()) {
            diags.push(
                Diagnostic::warning(format!("unknown channel `{name}`"))
                    .at(c.loc)
                    .help(help),
            );
        }
    }
    channel
}

/// `scale = "csat"` or `scale = { min = 1, max = 5 }`.
fn read_scale(mt: &mut Table, diags: &mut Diagnostics) -> Option<Scale> {
    const EXAMPLE: &str =
        "e.g. `scale = { min = 1, max = 5 }`, or one of nps (0–10), csat (1–5), ces (1–7), stars (1–5)";
    match mt.word_or_table("scale", "metric `scale`", "a scale name or `{ min, max }`", diags)? {
        WordOrTable::Word(w) => word_of::<NamedScale>("scale", w, diags).map(|s| s.value.scale()),
        WordOrTable::Table(mut t) => {
            let before = diags.items.len();
            let (min, max) = (t.number("min", diags), t.number("max", diags));
            let loc = t.loc();
            t.finish(diags);
            match (min, max) {
                // A bound of the wrong type has its own error.
                _ if diags.items.len() > before => None,
                (Some(min), Some(max)) if min.value < max.value => Some(Scale {
                    min: min.value,
                    max: max.value,
                }),
                (Some(min), Some(max)) => {
                    diags.push(
                        Diagnostic::error(format!(
                            "scale `min` ({}) must be less than `max` ({})",
                            min.value, max.value
                        ))
                        .at(min.loc)
                        .help(EXAMPLE),
                    );
                    None
                }
                _ => {
                    diags.push(
                        Diagnostic::error("a scale needs both `min` and `max`")
                            .at(loc)
                            .help(EXAMPLE),
                    );
                    None
                }
            }
        }
    }
}

fn read_touchpoint(tt: &mut Table, out: &mut Collected, diags: &mut Diagnostics) -> Option<Touchpoint> {
    let id = tt.required_string("id", diags);
    if let Some(id) = &id {
        tt.set_what(format!("touchpoint `{}`", id.value));
        check_slug("touchpoint", id, diags);
    }
    let name = tt.string("name", diags).map(|s| s.value);
    let channel = read_channel(tt, diags);
    let events = tt.strings("events", diags);
    let conditions = tt
        .string_lists("where", "touchpoint `where`", diags)
        .into_iter()
        .map(|(property, globs)| Condition { property, globs })
        .collect();
    let occurrence = tt.choice("occurrence", diags).map_or(Default::default(), |o| o.value);
    let owner = tt.string("owner", diags).map(|s| s.value);
    let description = tt.string("description", diags).map(|s| s.value);
    let mut metrics: Vec<Metric> = Vec::new();
    for mut mt in tt.tables("metrics", "metric", diags) {
        let mid = mt.required_string("id", diags);
        if let Some(mid) = &mid {
            mt.set_what(format!("metric `{}`", mid.value));
            check_slug("metric", mid, diags);
            if metrics.iter().any(|m| m.id == mid.value) {
                diags.push(
                    Diagnostic::error(format!("duplicate metric id `{}` in this touchpoint", mid.value))
                        .at(mid.loc.clone()),
                );
            }
        }
        let mname = mt.string("name", diags).map(|s| s.value);
        let unit = mt.choice::<Unit>("unit", diags).map_or(Unit::Count, |u| u.value);
        let aggregate = mt
            .choice("aggregate", diags)
            .map_or(unit.default_aggregate(), |a| a.value);
        let scale = read_scale(&mut mt, diags);
        let (tid, mid_value) = (
            id.as_ref().map_or("", |i| i.value.as_str()),
            mid.as_ref().map_or("", |i| i.value.as_str()),
        );
        let kind = TargetKind::TouchpointMetric(tid.to_string(), mid_value.to_string());
        let target = read(
            &mut mt,
            "target",
            "metric target",
            metric_target_kpi(tid, mid_value),
            kind,
            unit,
            diags,
        );
        mt.finish(diags);
        let Some(mid) = mid else { continue };
        if id.is_some() {
            out.metric_targets.extend(target);
        }
        metrics.push(Metric {
            name: mname.unwrap_or_else(|| humanize(&mid.value)),
            loc: mid.loc,
            id: mid.value,
            unit,
            aggregate,
            scale,
        });
    }
    let feedback_targets = read_targets(tt, id.as_ref().map_or("", |i| i.value.as_str()), diags);
    let id = id?;
    out.feedback_targets.extend(feedback_targets);
    Some(Touchpoint {
        name: name.unwrap_or_else(|| humanize(&id.value)),
        loc: id.loc,
        id: id.value,
        channel,
        events,
        conditions,
        occurrence,
        owner,
        description,
        metrics,
    })
}
