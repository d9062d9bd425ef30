//! `journeys/<id>.toml`: one journey per file, read into [`Journey`] with every
//! single-file rule of docs/spec.md checked on the way.

use std::path::Path;

use super::reader::{parse, Located, Source, Table};
use super::stage::{read_stage, Collected};
use super::targets::{check_retention_periods, read_journey_targets};
use super::{data, feedback, is_slug, read_text, slugify, Config, Journey, PathOptions, Period, Retention, Stage};
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics, Location};
use crate::files::Root;

pub(super) fn load_all(files: &Root, root: &Path, config: Option<&Config>, diags: &mut Diagnostics) -> Vec<Journey> {
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
        let Some(text) = read_text(files, &path, &shown, diags) else {
            continue;
        };
        if !is_slug(&id) {
            diags.push(
                Diagnostic::error(format!("journey file name `{id}` is not a slug ([a-z0-9][a-z0-9_-]*)"))
                    .at(Location::file(&shown))
                    .help(format!("rename it to journeys/{}.toml", slugify(&id))),
            );
        }
        let src = Source::new(&shown, &text);
        if let Some(j) = read_journey(files, root, &src, id, config, diags) {
            journeys.push(j);
        }
    }
    journeys
}

fn check_persona(persona: &Located<String>, config: &Config, diags: &mut Diagnostics) {
    if config.personas.iter().any(|q| q.id == persona.value) {
        return;
    }
    let help = did_you_mean(&persona.value, config.personas.iter().map(|q| q.id.as_str()))
        .unwrap_or_else(|| "declare it under [[personas]] in journeymap.toml".to_string());
    diags.push(
        Diagnostic::error(format!("unknown persona `{}`", persona.value))
            .at(persona.loc.clone())
            .help(help),
    );
}

fn read_journey(
    files: &Root,
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
        check_persona(p, config, diags);
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
    let mut sources: Vec<super::FeedbackSource> = Vec::new();
    if let Some(mut data) = t.table("data", "[data]", diags) {
        if let Some(mut e) = data.table("events", "[data.events]", diags) {
            events = data::read_events(files, root, &mut e, diags);
            e.finish(diags);
        }
        for (key, slot) in [("metrics", &mut metrics), ("cohorts", &mut cohorts)] {
            if let Some(mut m) = data.table(key, format!("[data.{key}]"), diags) {
                *slot = data::data_file(files, root, &mut m, diags);
                m.finish(diags);
            }
        }
        for mut ft in data.tables("feedback", "[[data.feedback]]", diags) {
            if let Some(src) = feedback::read_source(files, root, &mut ft, diags) {
                if let Some(first) = sources.iter().find(|s| s.id == src.id) {
                    diags.push(
                        Diagnostic::error(format!("duplicate feedback source id `{}`", src.id))
                            .at(src.loc.clone())
                            .help(format!("first declared on line {}", first.loc.line)),
                    );
                } else {
                    sources.push(src);
                }
            }
            ft.finish(diags);
        }
        data.finish(diags);
    }

    let mut targets = Vec::new();
    if let Some(mut tt) = t.table("targets", "[targets]", diags) {
        targets = read_journey_targets(&mut tt, diags);
        tt.finish(diags);
    }

    let retention_table = t.table("retention", "[retention]", diags);
    let trends = read_trends(&mut t, diags);
    let paths = read_paths(&mut t, diags);
    let stage_tables = t.tables("stages", "stage", diags);
    if stage_tables.is_empty() {
        diags.push(
            Diagnostic::error("a journey needs at least one stage")
                .at(src.loc(0..0))
                .help("add a [[stages]] table with an `id`"),
        );
    }
    let mut stages = Vec::new();
    let mut collected = Collected::default();
    for mut st in stage_tables {
        if let Some(stage) = read_stage(&mut st, stages.len(), &mut collected, diags) {
            stages.push(stage);
        }
        st.finish(diags);
    }
    for (_, loc) in collected.conversion_flags.iter().skip(1) {
        diags.push(
            Diagnostic::error("more than one stage has `conversion = true`")
                .at(loc.clone())
                .help("mark only the stage that counts as converting"),
        );
    }
    let conversion_stage = collected
        .conversion_flags
        .first()
        .map_or(stages.len().saturating_sub(1), |(i, _)| *i);
    let retention = read_retention(retention_table, &stages, conversion_stage, diags);
    t.finish(diags);

    check_retention_periods(&targets, &retention, events.is_some(), diags);
    targets.extend(collected.stage_targets);
    targets.extend(collected.metric_targets);
    targets.extend(feedback::check_targets(&sources, collected.feedback_targets, diags));
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
        feedback: sources,
        retention,
        trends,
        paths,
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
    if let Some(p) = t.choice("period", diags) {
        r.period = p.value;
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

fn read_trends(t: &mut Table, diags: &mut Diagnostics) -> Period {
    let mut period = Period::Week;
    if let Some(mut tt) = t.table("trends", "[trends]", diags) {
        if let Some(p) = tt.choice("period", diags) {
            period = p.value;
        }
        tt.finish(diags);
    }
    period
}

fn read_paths(t: &mut Table, diags: &mut Diagnostics) -> PathOptions {
    let mut o = PathOptions::default();
    let Some(mut pt) = t.table("paths", "[paths]", diags) else {
        return o;
    };
    // A path of one touchpoint has no flow; beyond 20 columns a Sankey is no longer read.
    let keys: [(&'static str, std::ops::RangeInclusive<i64>, &mut usize, &str); 2] = [
        (
            "max_length",
            2..=20,
            &mut o.max_length,
            "paths are cut after this many touchpoints",
        ),
        ("top", 1..=1000, &mut o.top, "the number of most frequent paths listed"),
    ];
    for (key, range, slot, what) in keys {
        if let Some(n) = pt.integer(key, diags) {
            if range.contains(&n.value) {
                *slot = n.value as usize;
            } else {
                diags.push(
                    Diagnostic::error(format!(
                        "`{key}` must be between {} and {}, found {}",
                        range.start(),
                        range.end(),
                        n.value
                    ))
                    .at(n.loc)
                    .help(format!("`{key}`: {what}")),
                );
            }
        }
    }
    pt.finish(diags);
    o
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
        assert_eq!(parse_duration("9223372036855s"), Some(9_223_372_036_855));
    }
}
