//! `journeys/<id>.toml`: one journey per file, read into [`Journey`] with every
//! single-file rule of SPEC §2 checked on the way.

use std::path::Path;

use super::reader::{parse, Located, Source, Table};
use super::{
    humanize, is_slug, read_text, slugify, Aggregate, Bound, Config, DataFile, EventsSource, Journey, Metric, OnError,
    Period, Retention, Stage, Target, TargetKind, TimeFormat, Touchpoint, Unit,
};
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics, Location};

/// Channels the theme has an icon for. Others are accepted; a near miss gets a warning.
pub const CHANNELS: &[&str] = &[
    "web", "email", "social", "search", "ads", "phone", "store", "app", "chat", "sms", "push", "video", "print",
    "event", "partner", "referral", "mail", "tv", "radio", "other",
];

pub(super) fn load_all(root: &Path, config: Option<&Config>, diags: &mut Diagnostics) -> Vec<Journey> {
    let dir = root.join("journeys");
    let mut entries: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(_) => {
            diags.push(
                Diagnostic::warning("the project has no journeys/ directory: no journey to map")
                    .at(Location::file("journeys/"))
                    .help("add a file journeys/<id>.toml"),
            );
            return Vec::new();
        }
    };
    entries.sort();
    let mut journeys = Vec::new();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || !name.ends_with(".toml") {
            continue;
        }
        let shown = format!("journeys/{name}");
        let id = name.trim_end_matches(".toml").to_string();
        let Some(text) = read_text(&path, &shown, diags) else {
            continue;
        };
        if !is_slug(&id) {
            diags.push(
                Diagnostic::error(format!("journey file name `{id}` is not a slug ([a-z0-9][a-z0-9_-]*)"))
                    .at(Location::file(&shown))
                    .help(format!("rename it to journeys/{}.toml", slugify(&id))),
            );
        }
        let src = Source {
            file: &shown,
            text: &text,
        };
        if let Some(j) = read_journey(root, &src, id, config, diags) {
            journeys.push(j);
        }
    }
    journeys
}

fn read_journey(
    root: &Path,
    src: &Source,
    id: String,
    config: Option<&Config>,
    diags: &mut Diagnostics,
) -> Option<Journey> {
    let doc = parse(src, diags)?;
    let mut t = Table::new(src, doc.get_ref(), 0..0, format!("journey `{id}`"));
    let title = t.required_string("title", diags);
    let persona = t.string("persona", diags);
    if let (Some(p), Some(config)) = (&persona, config) {
        if !config.personas.iter().any(|q| q.id == p.value) {
            let help = did_you_mean(&p.value, config.personas.iter().map(|q| q.id.as_str()))
                .unwrap_or_else(|| "declare it under [[personas]] in journeymap.toml".to_string());
            diags.push(
                Diagnostic::error(format!("unknown persona `{}`", p.value))
                    .at(p.loc.clone())
                    .help(help),
            );
        }
    }
    let description = t.string("description", diags).map(|s| s.value);
    let owner = t.string("owner", diags).map(|s| s.value);
    let conversion_window = t
        .string("conversion_window", diags)
        .and_then(|w| match parse_duration(&w.value) {
            Some(secs) => Some(secs),
            None => {
                diags.push(
                    Diagnostic::error(format!("invalid duration `{}`", w.value))
                        .at(w.loc)
                        .help("write a positive whole number and a unit s, m, h, d or w, e.g. \"30d\""),
                );
                None
            }
        });

    let (mut events, mut metrics, mut cohorts) = (None, None, None);
    if let Some(mut data) = t.table("data", "[data]", diags) {
        if let Some(mut e) = data.table("events", "[data.events]", diags) {
            events = read_events(root, &mut e, diags);
            e.finish(diags);
        }
        for (key, slot) in [("metrics", &mut metrics), ("cohorts", &mut cohorts)] {
            if let Some(mut m) = data.table(key, format!("[data.{key}]"), diags) {
                *slot = data_file(root, &mut m, diags);
                m.finish(diags);
            }
        }
        data.finish(diags);
    }

    let mut targets = Vec::new();
    if let Some(mut tt) = t.table("targets", "[targets]", diags) {
        targets = read_journey_targets(&mut tt, diags);
        tt.finish(diags);
    }

    let retention_table = t.table("retention", "[retention]", diags);
    let stage_tables = t.tables("stages", "stage", diags);
    if stage_tables.is_empty() {
        diags.push(
            Diagnostic::error("a journey needs at least one stage")
                .at(src.loc(0..0))
                .help("add a [[stages]] table with an `id`"),
        );
    }
    let mut stages = Vec::new();
    let mut stage_targets = Vec::new();
    let mut metric_targets = Vec::new();
    let mut conversion_flags: Vec<(usize, Location)> = Vec::new();
    for mut st in stage_tables {
        let Some(stage) = read_stage(
            &mut st,
            &mut conversion_flags,
            stages.len(),
            &mut stage_targets,
            &mut metric_targets,
            diags,
        ) else {
            st.finish(diags);
            continue;
        };
        st.finish(diags);
        stages.push(stage);
    }
    for (_, loc) in conversion_flags.iter().skip(1) {
        diags.push(
            Diagnostic::error("more than one stage has `conversion = true`")
                .at(loc.clone())
                .help("mark only the stage that counts as converting"),
        );
    }
    let conversion_stage = conversion_flags
        .first()
        .map_or(stages.len().saturating_sub(1), |(i, _)| *i);
    let retention = read_retention(retention_table, &stages, conversion_stage, diags);
    t.finish(diags);

    targets.sort_by_key(|t| (t.loc.line, t.loc.column));
    targets.extend(stage_targets);
    targets.extend(metric_targets);
    Some(Journey {
        id,
        file: src.file.to_string(),
        title: title?.value,
        persona: persona.map(|p| p.value),
        description,
        owner,
        conversion_window,
        events,
        metrics,
        cohorts,
        retention,
        targets,
        stages,
        conversion_stage,
    })
}

/// `<int><s|m|h|d|w>` in seconds; `None` when malformed or not > 0.
pub fn parse_duration(s: &str) -> Option<i64> {
    let unit = s.chars().last()?;
    let mult = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    let digits = &s[..s.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    n.checked_mul(mult).filter(|&v| v > 0)
}

fn data_file(root: &Path, t: &mut Table, diags: &mut Diagnostics) -> Option<DataFile> {
    let path = t.required_string("path", diags)?;
    Some(DataFile {
        path: root.join(&path.value),
        display: path.value,
        loc: path.loc,
    })
}

fn read_events(root: &Path, t: &mut Table, diags: &mut Diagnostics) -> Option<EventsSource> {
    let file = data_file(root, t, diags);
    let default_col = |v: Option<Located<String>>, name: &str, t: &Table| {
        v.unwrap_or_else(|| Located {
            value: name.to_string(),
            loc: t.loc(),
        })
    };
    let user = t.string("user", diags);
    let time = t.string("time", diags);
    let event = t.string("event", diags);
    let segment = t.string("segment", diags);
    let revenue = t.string("revenue", diags);
    let time_format = t
        .choice("time_format", &["rfc3339", "unix_s", "unix_ms", "unix_us"], diags)
        .map_or(TimeFormat::Rfc3339, |f| match f.value {
            "unix_s" => TimeFormat::UnixS,
            "unix_ms" => TimeFormat::UnixMs,
            "unix_us" => TimeFormat::UnixUs,
            _ => TimeFormat::Rfc3339,
        });
    let on_error = t
        .choice("on_error", &["fail", "skip"], diags)
        .map_or(OnError::Fail, |o| {
            if o.value == "skip" {
                OnError::Skip
            } else {
                OnError::Fail
            }
        });
    Some(EventsSource {
        file: file?,
        user: default_col(user, "user_id", t),
        time: default_col(time, "timestamp", t),
        event: default_col(event, "event", t),
        segment,
        revenue,
        time_format,
        on_error,
    })
}

/// `{ min = x, max = y }`; `rate` bounds must lie in [0, 1].
fn read_bound(mut t: Table, rate: bool, diags: &mut Diagnostics) -> Option<Bound> {
    let min = t.number("min", diags);
    let max = t.number("max", diags);
    let mut ok = true;
    if min.is_none() && max.is_none() {
        diags.push(
            Diagnostic::error("a target needs `min` and/or `max`")
                .at(t.loc())
                .help("e.g. `{ min = 0.4 }`"),
        );
        ok = false;
    }
    if rate {
        for v in [&min, &max].into_iter().flatten() {
            if !(0.0..=1.0).contains(&v.value) {
                let help = if v.value > 1.0 && v.value <= 100.0 {
                    format!("rates are fractions: write {} for {}%", v.value / 100.0, v.value)
                } else {
                    "rates are fractions between 0 and 1".to_string()
                };
                diags.push(
                    Diagnostic::error(format!("a rate target must be between 0 and 1, found {}", v.value))
                        .at(v.loc.clone())
                        .help(help),
                );
                ok = false;
            }
        }
    }
    if let (Some(lo), Some(hi)) = (&min, &max) {
        if lo.value > hi.value {
            diags.push(
                Diagnostic::error(format!(
                    "target `min` ({}) is greater than `max` ({})",
                    lo.value, hi.value
                ))
                .at(lo.loc.clone()),
            );
            ok = false;
        }
    }
    t.finish(diags);
    ok.then(|| Bound {
        min: min.map(|v| v.value),
        max: max.map(|v| v.value),
    })
}

fn read_journey_targets(t: &mut Table, diags: &mut Diagnostics) -> Vec<Target> {
    let mut out = Vec::new();
    for (key, kind, rate) in [
        ("conversion_rate", TargetKind::ConversionRate, true),
        ("aov", TargetKind::Aov, false),
        ("repeat_purchase_rate", TargetKind::RepeatPurchaseRate, true),
    ] {
        if let Some(bt) = t.table(key, format!("target `{key}`"), diags) {
            let loc = bt.loc();
            if let Some(bound) = read_bound(bt, rate, diags) {
                out.push(Target {
                    kpi: key.to_string(),
                    kind,
                    bound,
                    loc,
                });
            }
        }
    }
    if let Some(mut rt) = t.table("retention", "target `retention`", diags) {
        let loc = rt.loc();
        let period = rt.integer("period", diags);
        let period = match period {
            Some(p) if p.value >= 1 && p.value <= 10_000 => Some(p.value as u32),
            Some(p) => {
                diags.push(
                    Diagnostic::error(format!("retention target `period` must be ≥ 1, found {}", p.value))
                        .at(p.loc)
                        .help("period 0 is the cohort itself (always 100%)"),
                );
                None
            }
            None => {
                diags.push(
                    Diagnostic::error("retention target needs a `period`")
                        .at(loc.clone())
                        .help("e.g. `{ period = 4, min = 0.10 }`"),
                );
                None
            }
        };
        let bound = read_bound(rt, true, diags);
        if let (Some(p), Some(bound)) = (period, bound) {
            out.push(Target {
                kpi: format!("retention:{p}"),
                kind: TargetKind::Retention(p),
                bound,
                loc,
            });
        }
    }
    out
}

fn check_slug(kind: &str, id: &Located<String>, diags: &mut Diagnostics) {
    if !is_slug(&id.value) {
        diags.push(
            Diagnostic::error(format!("{kind} id `{}` is not a slug ([a-z0-9][a-z0-9_-]*)", id.value))
                .at(id.loc.clone())
                .help(format!("use `{}`", slugify(&id.value))),
        );
    }
}

fn read_stage(
    st: &mut Table,
    conversion_flags: &mut Vec<(usize, Location)>,
    index: usize,
    stage_targets: &mut Vec<Target>,
    metric_targets: &mut Vec<Target>,
    diags: &mut Diagnostics,
) -> Option<Stage> {
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
    let pain_points = list(st, "pain_points", diags);
    let opportunities = list(st, "opportunities", diags);
    if let Some(c) = st.boolean("conversion", diags) {
        if c.value {
            conversion_flags.push((index, c.loc));
        }
    }
    let target = st.table("target", "stage target", diags).and_then(|bt| {
        let loc = bt.loc();
        read_bound(bt, true, diags).map(|b| (b, loc))
    });
    let mut touchpoints = Vec::new();
    for mut tt in st.tables("touchpoints", "touchpoint", diags) {
        if let Some(tp) = read_touchpoint(&mut tt, metric_targets, diags) {
            touchpoints.push(tp);
        }
        tt.finish(diags);
    }
    let id = id?;
    if let Some((bound, loc)) = target {
        stage_targets.push(Target {
            kpi: format!("stages.{}.conversion_from_previous", id.value),
            kind: TargetKind::StageConversion(index),
            bound,
            loc,
        });
    }
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

fn read_touchpoint(tt: &mut Table, metric_targets: &mut Vec<Target>, diags: &mut Diagnostics) -> Option<Touchpoint> {
    let id = tt.required_string("id", diags);
    if let Some(id) = &id {
        tt.set_what(format!("touchpoint `{}`", id.value));
        check_slug("touchpoint", id, diags);
    }
    let name = tt.string("name", diags).map(|s| s.value);
    let channel = tt.string("channel", diags);
    if let Some(c) = &channel {
        if !CHANNELS.contains(&c.value.as_str()) {
            if let Some(help) = did_you_mean(&c.value, CHANNELS.iter().copied()) {
                diags.push(
                    Diagnostic::warning(format!("unknown channel `{}`", c.value))
                        .at(c.loc.clone())
                        .help(help),
                );
            }
        }
    }
    let events = tt.strings("events", diags);
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
        let unit = mt
            .choice("unit", &Unit::ALL.map(Unit::name), diags)
            .and_then(|u| Unit::ALL.into_iter().find(|x| x.name() == u.value))
            .unwrap_or(Unit::Count);
        let aggregate = mt
            .choice("aggregate", &["sum", "mean", "min", "max", "last"], diags)
            .map_or(default_aggregate(unit), |a| match a.value {
                "mean" => Aggregate::Mean,
                "min" => Aggregate::Min,
                "max" => Aggregate::Max,
                "last" => Aggregate::Last,
                _ => Aggregate::Sum,
            });
        let target = mt.table("target", "metric target", diags).and_then(|bt| {
            let loc = bt.loc();
            read_bound(bt, unit == Unit::Percent, diags).map(|b| (b, loc))
        });
        mt.finish(diags);
        let Some(mid) = mid else { continue };
        if let (Some((bound, loc)), Some(tid)) = (target, &id) {
            metric_targets.push(Target {
                kpi: format!("touchpoints.{}.{}", tid.value, mid.value),
                kind: TargetKind::TouchpointMetric(tid.value.clone(), mid.value.clone()),
                bound,
                loc,
            });
        }
        metrics.push(Metric {
            name: mname.unwrap_or_else(|| humanize(&mid.value)),
            loc: mid.loc,
            id: mid.value,
            unit,
            aggregate,
        });
    }
    let id = id?;
    Some(Touchpoint {
        name: name.unwrap_or_else(|| humanize(&id.value)),
        loc: id.loc,
        id: id.value,
        channel: channel.map_or_else(|| "other".to_string(), |c| c.value),
        events,
        owner,
        description,
        metrics,
    })
}

/// Counts and money add up over days; rates, durations and scores are averaged.
fn default_aggregate(unit: Unit) -> Aggregate {
    match unit {
        Unit::Count | Unit::Currency => Aggregate::Sum,
        Unit::Percent | Unit::Seconds | Unit::Score => Aggregate::Mean,
    }
}

fn read_retention(table: Option<Table>, stages: &[Stage], conversion: usize, diags: &mut Diagnostics) -> Retention {
    let mut r = Retention {
        cohort_stage: conversion,
        return_stage: conversion,
        period: Period::Week,
        periods: None,
    };
    let Some(mut t) = table else { return r };
    let resolve = |s: Option<Located<String>>, diags: &mut Diagnostics| -> Option<usize> {
        let s = s?;
        let found = stages.iter().position(|st| st.id == s.value);
        if found.is_none() {
            let help = did_you_mean(&s.value, stages.iter().map(|st| st.id.as_str())).unwrap_or_else(|| {
                format!(
                    "stages of this journey: {}",
                    stages.iter().map(|s| s.id.as_str()).collect::<Vec<_>>().join(", ")
                )
            });
            diags.push(
                Diagnostic::error(format!("unknown stage `{}`", s.value))
                    .at(s.loc)
                    .help(help),
            );
        }
        found
    };
    let cohort = t.string("cohort_stage", diags);
    let cohort = resolve(cohort, diags);
    let ret = t.string("return_stage", diags);
    let ret = resolve(ret, diags);
    if let Some(c) = cohort {
        r.cohort_stage = c;
        r.return_stage = c;
    }
    if let Some(rs) = ret {
        r.return_stage = rs;
    }
    if let Some(p) = t.choice("period", &["day", "week", "month"], diags) {
        r.period = match p.value {
            "day" => Period::Day,
            "month" => Period::Month,
            _ => Period::Week,
        };
    }
    if let Some(n) = t.integer("periods", diags) {
        if (1..=1000).contains(&n.value) {
            r.periods = Some(n.value as u32);
        } else {
            diags.push(Diagnostic::error(format!("`periods` must be between 1 and 1000, found {}", n.value)).at(n.loc));
        }
    }
    t.finish(diags);
    r
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d"), Some(30 * 86_400));
        assert_eq!(parse_duration("1w"), Some(604_800));
        assert_eq!(parse_duration("90s"), Some(90));
        assert_eq!(parse_duration("0d"), None);
        assert_eq!(parse_duration("-1d"), None);
        assert_eq!(parse_duration("1.5d"), None);
        assert_eq!(parse_duration("d"), None);
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("30 d"), None);
        assert_eq!(parse_duration("99999999999999999999d"), None);
    }
}
