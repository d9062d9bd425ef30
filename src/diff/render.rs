//! The report as text for a terminal and as Markdown for a pull-request comment. Both
//! list the same rows, built once here: flipped targets first, then spec changes, then the
//! numbers that moved (unchanged ones are counted, not listed).

use std::fmt::Write;

use super::changes::{Bounds, SpecChange};
use super::numbers::{JourneyChanges, Outcome, TargetChange};
use super::Report;
use crate::kpi::baseline::Delta;
use crate::locale::Numbers;
use crate::spec::Unit;

const N: Numbers = Numbers::EN;

/// A number that moved, written out.
struct Row {
    label: String,
    old: String,
    new: String,
    change: String,
    relative: String,
}

fn value(v: Option<f64>, unit: Unit) -> String {
    v.map_or_else(|| "—".to_string(), |v| N.shown(v, unit))
}

fn row(label: String, d: &Delta, unit: Unit) -> Row {
    Row {
        label,
        old: value(d.old, unit),
        new: value(d.new, unit),
        change: d.absolute.map_or_else(String::new, |a| N.arrowed_change(a, unit)),
        relative: d.relative.map_or_else(String::new, |r| N.signed_percent(r)),
    }
}

/// How a headline KPI is named in a row.
fn label(kpi: &str) -> &'static str {
    match kpi {
        "started" => "Started",
        "conversion_rate" => "Conversion rate",
        "revenue.total" => "Revenue",
        "revenue.orders" => "Orders",
        "revenue.buyers" => "Buyers",
        "revenue.aov" => "Average order value",
        "revenue.repeat_purchase_rate" => "Repeat purchase rate",
        _ => "Other",
    }
}

/// The numbers of a journey that changed, and how many did not.
fn kpi_rows(j: &JourneyChanges) -> (Vec<Row>, usize) {
    let mut rows = Vec::new();
    let mut same = 0;
    let mut add = |label: String, d: &Delta, unit: Unit| {
        if d.changed() {
            rows.push(row(label, d, unit));
        } else {
            same += 1;
        }
    };
    for l in &j.headline {
        add(label(l.kpi).to_string(), &l.delta, l.unit);
    }
    for s in &j.steps {
        add(format!("{}: reached", s.stage), &s.users, Unit::Count);
        add(
            format!("{}: from previous step", s.stage),
            &s.conversion_from_previous,
            Unit::Percent,
        );
        add(
            format!("{}: from start", s.stage),
            &s.conversion_from_start,
            Unit::Percent,
        );
    }
    (rows, same)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

fn bounds(b: &Bounds, unit: Unit) -> String {
    let (_, [min, max]) = N.against(None, [b.min, b.max], unit);
    match (min, max) {
        (Some(a), Some(b)) => format!("{a} – {b}"),
        (Some(a), None) => format!("≥ {a}"),
        (None, Some(b)) => format!("≤ {b}"),
        (None, None) => "no bound".into(),
    }
}

fn outcome_text(o: Outcome) -> &'static str {
    match o {
        Outcome::NewlyMissed => "newly missed",
        Outcome::NewlyMet => "newly met",
        Outcome::StillMissed => "still missed",
        Outcome::StillMet => "still met",
        Outcome::Added => "new target",
        Outcome::Removed => "removed",
    }
}

/// The targets worth a line: flipped, added, removed, or whose value moved.
fn shown_targets(r: &Report) -> Vec<(&str, &TargetChange)> {
    r.journeys
        .iter()
        .flat_map(|j| j.targets.iter().map(move |t| (j.journey.as_str(), t)))
        .filter(|(_, t)| !matches!(t.outcome, Outcome::StillMet | Outcome::StillMissed) || t.actual.changed())
        .collect()
}

fn goal(t: &TargetChange) -> String {
    let r = t
        .new
        .as_ref()
        .or(t.old.as_ref())
        .expect("a target is on one side at least");
    bounds(&Bounds { min: r.min, max: r.max }, t.unit)
}

fn mark(t: &TargetChange) -> &'static str {
    match t.outcome {
        Outcome::NewlyMissed => "✗",
        Outcome::NewlyMet => "✓",
        _ => "·",
    }
}

/// One spec change as a sentence; `code` writes an id or a name as code.
/// One spec change as a sentence; `code` writes an id or an event name as code, `text`
/// writes a name from the spec.
fn describe(c: &SpecChange, code: &dyn Fn(&str) -> String, text: &dyn Fn(&str) -> String) -> String {
    let list = |v: &[String]| v.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ");
    let window = |w: &Option<i64>| {
        w.map_or_else(
            || "unlimited".to_string(),
            |s| N.duration(s as f64).replace('\u{a0}', " "),
        )
    };
    match c {
        SpecChange::JourneyAdded { title, .. } => format!("journey added: {}", text(title)),
        SpecChange::JourneyRemoved { title, .. } => format!("journey removed: {}", text(title)),
        SpecChange::JourneyRenamed { old, new, .. } => {
            format!("journey renamed from “{}” to “{}”", text(old), text(new))
        }
        SpecChange::WindowChanged { old, new, .. } => {
            format!("conversion window changed from {} to {}", window(old), window(new))
        }
        SpecChange::StageAdded { stage, position, .. } => format!("stage {} added (step {position})", code(stage)),
        SpecChange::StageRemoved { stage, .. } => format!("stage {} removed", code(stage)),
        SpecChange::StageRenamed { stage, old, new, .. } => {
            format!("stage {} renamed from “{}” to “{}”", code(stage), text(old), text(new))
        }
        SpecChange::StagesReordered { old, new, .. } => {
            format!("stages reordered: {} → {}", list(old), list(new))
        }
        SpecChange::TouchpointAdded {
            stage,
            touchpoint,
            channel,
            ..
        } => match channel {
            Some(ch) => format!(
                "touchpoint {} added to stage {} ({})",
                code(touchpoint),
                code(stage),
                text(ch)
            ),
            None => format!("touchpoint {} added to stage {}", code(touchpoint), code(stage)),
        },
        SpecChange::TouchpointRemoved { stage, touchpoint, .. } => {
            format!("touchpoint {} removed from stage {}", code(touchpoint), code(stage))
        }
        SpecChange::TouchpointMoved {
            touchpoint, old, new, ..
        } => {
            format!(
                "touchpoint {} moved from stage {} to {}",
                code(touchpoint),
                code(old),
                code(new)
            )
        }
        SpecChange::TouchpointRenamed {
            touchpoint, old, new, ..
        } => {
            format!(
                "touchpoint {} renamed from “{}” to “{}”",
                code(touchpoint),
                text(old),
                text(new)
            )
        }
        SpecChange::ChannelChanged {
            touchpoint, old, new, ..
        } => {
            format!(
                "touchpoint {} moved from channel {} to {}",
                code(touchpoint),
                text(old),
                text(new)
            )
        }
        SpecChange::EventsChanged {
            touchpoint,
            added,
            removed,
            ..
        } => {
            let mut parts = Vec::new();
            if !added.is_empty() {
                parts.push(format!("now maps {}", list(added)));
            }
            if !removed.is_empty() {
                parts.push(format!("no longer maps {}", list(removed)));
            }
            format!("touchpoint {} {}", code(touchpoint), parts.join("; "))
        }
        SpecChange::FilterChanged {
            touchpoint, old, new, ..
        } => {
            let f = |s: &str| if s.is_empty() { "every row".to_string() } else { code(s) };
            format!("touchpoint {} takes {} instead of {}", code(touchpoint), f(new), f(old))
        }
        SpecChange::TargetAdded { kpi, min, max, .. } => {
            format!(
                "target {} added: {}",
                code(kpi),
                bounds(&Bounds { min: *min, max: *max }, super::outline::unit_of(kpi))
            )
        }
        SpecChange::TargetRemoved { kpi, min, max, .. } => {
            format!(
                "target {} removed (was {})",
                code(kpi),
                bounds(&Bounds { min: *min, max: *max }, super::outline::unit_of(kpi))
            )
        }
        SpecChange::TargetChanged { kpi, old, new, .. } => {
            format!(
                "target {} changed from {} to {}",
                code(kpi),
                bounds(old, super::outline::unit_of(kpi)),
                bounds(new, super::outline::unit_of(kpi))
            )
        }
    }
}

fn journey_of(c: &SpecChange) -> &str {
    match c {
        SpecChange::JourneyAdded { journey, .. }
        | SpecChange::JourneyRemoved { journey, .. }
        | SpecChange::JourneyRenamed { journey, .. }
        | SpecChange::WindowChanged { journey, .. }
        | SpecChange::StageAdded { journey, .. }
        | SpecChange::StageRemoved { journey, .. }
        | SpecChange::StageRenamed { journey, .. }
        | SpecChange::StagesReordered { journey, .. }
        | SpecChange::TouchpointAdded { journey, .. }
        | SpecChange::TouchpointRemoved { journey, .. }
        | SpecChange::TouchpointMoved { journey, .. }
        | SpecChange::TouchpointRenamed { journey, .. }
        | SpecChange::ChannelChanged { journey, .. }
        | SpecChange::EventsChanged { journey, .. }
        | SpecChange::FilterChanged { journey, .. }
        | SpecChange::TargetAdded { journey, .. }
        | SpecChange::TargetRemoved { journey, .. }
        | SpecChange::TargetChanged { journey, .. } => journey,
    }
}

/// "1 target newly missed, 2 newly met; 4 spec changes; 9 numbers changed"; `rows` are the
/// [`kpi_rows`] of each journey.
fn summary(r: &Report, rows: &[(Vec<Row>, usize)]) -> String {
    let count = |o: Outcome| {
        r.journeys
            .iter()
            .flat_map(|j| &j.targets)
            .filter(|t| t.outcome == o)
            .count()
    };
    let moved: usize = rows.iter().map(|(moved, _)| moved.len()).sum();
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{} newly missed, {} newly met; {}; {}",
        plural(count(Outcome::NewlyMissed), "target", "targets"),
        count(Outcome::NewlyMet),
        plural(r.spec.len(), "spec change", "spec changes"),
        plural(moved, "number changed", "numbers changed"),
    )
}

const NO_DETAIL: &str =
    "one side is a kpis.json: names, channels and event mappings are compared only between projects";

/// For a terminal.
pub fn human(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} → {}", r.old, r.new);
    let rows: Vec<(Vec<Row>, usize)> = r.journeys.iter().map(kpi_rows).collect();
    let _ = writeln!(out, "{}", summary(r, &rows));
    let targets = shown_targets(r);
    if !targets.is_empty() {
        let _ = writeln!(out, "\nTargets");
        for (journey, t) in targets {
            let was = value(t.actual.old, t.unit);
            let now = value(t.actual.new, t.unit);
            let _ = writeln!(
                out,
                "  {} {journey}: {} {} — {was} → {now} (target {})",
                mark(t),
                t.kpi,
                outcome_text(t.outcome),
                goal(t)
            );
        }
    }
    if !r.spec.is_empty() || !r.spec_detail {
        let _ = writeln!(out, "\nSpec changes");
        for c in &r.spec {
            let _ = writeln!(
                out,
                "  {}: {}",
                journey_of(c),
                describe(c, &|s| format!("`{s}`"), &str::to_string)
            );
        }
        if !r.spec_detail {
            let _ = writeln!(out, "  ({NO_DETAIL})");
        }
    }
    for (j, (rows, same)) in r.journeys.iter().zip(&rows) {
        let same = *same;
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\nKPIs of {} ({})", j.title, j.journey);
        let w = [0, 1, 2, 3].map(|i| {
            rows.iter()
                .map(|r| [&r.label, &r.old, &r.new, &r.change][i].chars().count())
                .max()
                .unwrap_or(0)
        });
        for r in rows {
            let _ = writeln!(
                out,
                "  {:<w0$}  {:>w1$} → {:<w2$}  {:<w3$}  {}",
                r.label,
                r.old,
                r.new,
                r.change,
                if r.relative.is_empty() {
                    String::new()
                } else {
                    format!("({})", r.relative)
                },
                w0 = w[0],
                w1 = w[1],
                w2 = w[2],
                w3 = w[3]
            );
        }
        if same > 0 {
            let _ = writeln!(out, "  {} unchanged", plural_numbers(same));
        }
    }
    out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n") + "\n"
}

fn plural_numbers(n: usize) -> String {
    format!("{n} {}", if n == 1 { "number" } else { "numbers" })
}

/// Code in Markdown, whatever backticks it holds.
fn md_code(s: &str) -> String {
    let fence = if s.contains('`') { "``" } else { "`" };
    let pad = if s.starts_with('`') || s.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Text from a spec in Markdown: its markup characters are escaped, so a title cannot
/// become a link, an image or a table's column.
fn md_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]<>|#!~&".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// For a pull-request comment (GitHub-flavoured Markdown).
pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### journeymap: what changed\n");
    let _ = writeln!(out, "{} → {}\n", md_code(&r.old), md_code(&r.new));
    let rows: Vec<(Vec<Row>, usize)> = r.journeys.iter().map(kpi_rows).collect();
    let _ = writeln!(out, "**{}**", summary(r, &rows));
    let targets = shown_targets(r);
    if !targets.is_empty() {
        let _ = writeln!(out, "\n#### Targets\n");
        let _ = writeln!(out, "| | Journey | Target | Before | Now | Goal |");
        let _ = writeln!(out, "|---|---|---|--:|--:|---|");
        for (journey, t) in targets {
            let badge = match t.outcome {
                Outcome::NewlyMissed => "❌ newly missed".to_string(),
                Outcome::NewlyMet => "✅ newly met".to_string(),
                o => outcome_text(o).to_string(),
            };
            let _ = writeln!(
                out,
                "| {badge} | {} | {} | {} | {} | {} |",
                md_code(journey),
                md_code(&t.kpi),
                value(t.actual.old, t.unit),
                value(t.actual.new, t.unit),
                goal(t)
            );
        }
    }
    if !r.spec.is_empty() || !r.spec_detail {
        let _ = writeln!(out, "\n#### Spec changes\n");
        for c in &r.spec {
            let _ = writeln!(
                out,
                "- {}: {}",
                md_code(journey_of(c)),
                describe(c, &|s| md_code(s), &md_text)
            );
        }
        if !r.spec_detail {
            let _ = writeln!(out, "\n_{}_", md_text(&capitalise(NO_DETAIL)));
        }
    }
    for (j, (rows, same)) in r.journeys.iter().zip(&rows) {
        let same = *same;
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n#### {} ({})\n", md_text(&j.title), md_code(&j.journey));
        let _ = writeln!(out, "| KPI | Before | Now | Change | Relative |");
        let _ = writeln!(out, "|---|--:|--:|--:|--:|");
        for r in rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md_text(&r.label),
                r.old,
                r.new,
                r.change,
                r.relative
            );
        }
        if same > 0 {
            let _ = writeln!(out, "\n{} unchanged.", plural_numbers(same));
        }
    }
    out
}
