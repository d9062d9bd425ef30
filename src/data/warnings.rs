//! Warnings about event data that point into the journey file. They are recomputed on every
//! load, never cached with the data, because their lines move when the journey is edited.

use super::events::EventData;
use super::feedback::FeedbackData;
use crate::calendar::{format_date, MICROS_PER_DAY, MICROS_PER_SEC};
use crate::diagnostics::{did_you_mean, plural, Diagnostic, Diagnostics};
use crate::spec::{EventsSource, FeedbackSource, Journey};

/// Times before 1990 or more than a year after now are rarely real: the time format (a
/// Unix time in the wrong unit, a date read as seconds) is the likelier cause.
fn implausible_times(src: &EventsSource, ev: &EventData, diags: &mut Diagnostics) {
    const Y1990: i64 = 631_152_000 * MICROS_PER_SEC;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(i64::MAX, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    let horizon = now.saturating_add(366 * MICROS_PER_DAY);
    let (Some(first), Some(last)) = (ev.earliest, ev.latest) else {
        return;
    };
    let mut odd = Vec::new();
    if first < Y1990 {
        odd.push(format!(
            "the earliest is {}",
            format_date(first.div_euclid(MICROS_PER_DAY))
        ));
    }
    if last > horizon {
        odd.push(format!(
            "the latest is {}",
            format_date(last.div_euclid(MICROS_PER_DAY))
        ));
    }
    if !odd.is_empty() {
        diags.push(
            Diagnostic::warning(format!(
                "implausible times in `{}`: {} — does `time_format` (\"{}\") match the data?",
                src.file.display,
                odd.join(" and "),
                src.time_format.name()
            ))
            .at(src.time.loc.clone())
            .help(
                "times before 1990 or more than a year ahead usually mean another format, e.g. \"%Y%m%d\" or unix_ms",
            ),
        );
    }
}

/// Skipped rows, too many segments, touchpoint events never seen, event names that no
/// touchpoint maps.
pub fn events(journey: &Journey, ev: &EventData, diags: &mut Diagnostics) {
    let Some(src) = &journey.events else { return };
    let total_skipped: u64 = ev.skipped.values().sum();
    if total_skipped > 0 {
        let reasons: Vec<String> = ev.skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
        diags.push(
            Diagnostic::warning(format!(
                "skipped {total_skipped} bad rows of `{}`: {}",
                src.file.display,
                reasons.join(", ")
            ))
            .at(src.file.loc.clone()),
        );
    }
    if ev.segments_overflow {
        diags.push(
            Diagnostic::warning(format!("the segment column has more than {} distinct values; rows with further values count as having no segment", super::events::MAX_SEGMENTS))
                .at(src.segment.as_ref().map_or(src.file.loc.clone(), |s| s.loc.clone())),
        );
    }
    implausible_times(src, ev, diags);
    for (i, (_, tp)) in journey.touchpoints().enumerate() {
        if tp.events.is_empty() || ev.touchpoint_rows[i] > 0 {
            continue;
        }
        if tp.is_conditional() && tp.events.iter().any(|e| ev.unmapped.contains_key(&e.value)) {
            diags.push(
                Diagnostic::warning(format!(
                    "touchpoint `{}` matches no row of `{}`: its events occur, but no row passes its `where` and `occurrence`",
                    tp.id, src.file.display
                ))
                .at(tp.loc.clone()),
            );
            continue;
        }
        for e in &tp.events {
            diags.push(
                Diagnostic::warning(format!(
                    "event `{}` of touchpoint `{}` never occurs in `{}`",
                    e.value, tp.id, src.file.display
                ))
                .at(e.loc.clone())
                .help_opt(did_you_mean(&e.value, ev.unmapped.keys().map(String::as_str))),
            );
        }
    }
    // A name that a touchpoint lists is unmapped only where its `where` or `occurrence`
    // kept no touchpoint: "list them in `events`" would be the wrong advice for it.
    let listed: std::collections::HashSet<&str> = journey
        .touchpoints()
        .flat_map(|(_, t)| t.events.iter().map(|e| e.value.as_str()))
        .collect();
    let (left_over, never_listed): (Vec<_>, Vec<_>) =
        ev.unmapped.iter().partition(|(n, _)| listed.contains(n.as_str()));
    if !never_listed.is_empty() {
        diags.push(
            Diagnostic::warning(format!(
                "{} in `{}` {} to no touchpoint: {}",
                plural(never_listed.len() as u64, "event name"),
                src.file.display,
                if never_listed.len() == 1 { "maps" } else { "map" },
                by_count(never_listed)
            ))
            .at(src.file.loc.clone())
            .help("list them in a touchpoint's `events` to count them, or ignore this warning"),
        );
    }
    if !left_over.is_empty() {
        diags.push(
            Diagnostic::warning(format!(
                "rows of `{}` that no touchpoint's `where` or `occurrence` takes: {}",
                src.file.display,
                by_count(left_over)
            ))
            .at(src.file.loc.clone())
            .help("they count nowhere; add a touchpoint with a wider `where` to count them, or ignore this warning"),
        );
    }
}

/// Skipped answers (with the keys that named nothing), and a survey without answers.
pub fn feedback(src: &FeedbackSource, data: &FeedbackData, diags: &mut Diagnostics) {
    let total: u64 = data.skipped.values().sum();
    if total > 0 {
        let reasons: Vec<String> = data.skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
        let keys: Vec<(&String, &u64)> = data.unknown_keys.iter().collect();
        diags.push(
            Diagnostic::warning(format!(
                "skipped {} of `{}`: {}",
                plural(total, "bad row"),
                src.file.display,
                reasons.join(", ")
            ))
            .at(src.file.loc.clone())
            .help_opt((!keys.is_empty()).then(|| format!("keys that name no stage or touchpoint: {}", by_count(keys)))),
        );
    } else if data.answers.is_empty() {
        diags.push(
            Diagnostic::warning(format!(
                "feedback source `{}` has no responses: `{}` has no data rows",
                src.id, src.file.display
            ))
            .at(src.file.loc.clone()),
        );
    }
}

/// `name (rows)` for the ten names with the most rows, then how many more.
fn by_count(mut names: Vec<(&String, &u64)>) -> String {
    names.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let list: Vec<String> = names.iter().take(10).map(|(n, c)| format!("{n} ({c})")).collect();
    let more = if names.len() > 10 {
        format!(" and {} more", names.len() - 10)
    } else {
        String::new()
    };
    format!("{}{more}", list.join(", "))
}
