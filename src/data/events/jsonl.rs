//! Event exports in JSON lines: which paths to read (the declared columns, and `segment`
//! or `revenue` when the first object has them), checked against the file's first object.

use super::{columns, decode, EventData, EventsInput};
use crate::data::formats::jsonl;
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics, Location};

pub fn check_header(input: &EventsInput, diags: &mut Diagnostics) {
    if let Some(first) = jsonl::first_paths(&input.file, diags) {
        wanted_paths(input, &first, diags);
    }
}

/// Whether `name` is a column the spec declares as optional: `segment`, `revenue` or a
/// property, which a line may lack.
fn optional(input: &EventsInput, name: &str) -> bool {
    [&input.segment, &input.revenue]
        .iter()
        .any(|c| c.as_ref().is_some_and(|c| c.name == name))
        || input.properties.iter().any(|p| p.name == name)
}

/// The help for a path the first object lacks: the nearest one it has, or all of them.
fn nearest(name: &str, first: &[String]) -> String {
    did_you_mean(name, first.iter().map(String::as_str))
        .unwrap_or_else(|| format!("the first object has: {}", first.join(", ")))
}

/// The paths to read: first those the spec declares (in the order `columns` expects),
/// then `segment` and `revenue` when undeclared and present in the first object. A
/// required one missing from the first object is an error.
fn wanted_paths(input: &EventsInput, first: &[String], diags: &mut Diagnostics) -> Option<Vec<String>> {
    let mut wanted: Vec<String> = input.declared_columns().iter().map(|(n, _)| n.to_string()).collect();
    for (declared, default) in [(&input.segment, "segment"), (&input.revenue, "revenue")] {
        if declared.is_none() && first.iter().any(|p| p == default) {
            wanted.push(default.to_string());
        }
    }
    let mut ok = true;
    for (name, place) in input.declared_columns() {
        if !first.iter().any(|p| p == name || p.starts_with(&format!("{name}."))) && !optional(input, name) {
            diags.push(
                Diagnostic::error(format!(
                    "column `{name}` not found in the first object of `{}`",
                    input.file.shown
                ))
                .at(place.0.clone())
                .help(nearest(name, first)),
            );
            ok = false;
        }
    }
    ok.then_some(wanted)
}

pub fn read(input: &EventsInput, diags: &mut Diagnostics) -> Option<EventData> {
    let first = jsonl::first_paths(&input.file, diags)?;
    let wanted = wanted_paths(input, &first, diags)?;
    let cols = columns(input, &wanted, diags)?;
    let body = match jsonl::open(&input.file) {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let mut seen = jsonl::Seen::default();
    let data = decode(input, wanted.clone(), cols, diags, |decoder| {
        jsonl::for_each_row(body, &input.file.shown, &wanted, decoder, &mut seen)
    });
    if !seen.bad_lines.is_empty() {
        diags.items.extend(seen.bad_lines);
        return None;
    }
    // An optional path that no line has is most likely misspelt: it would read empty.
    for (name, _) in input.declared_columns() {
        let absent = wanted
            .iter()
            .zip(&seen.present)
            .any(|(w, present)| w == name && !present);
        if absent && optional(input, name) && data.is_some() {
            diags.push(
                Diagnostic::warning(format!(
                    "column `{name}` is in no line of `{}`: it is empty on every row",
                    input.file.shown
                ))
                // In the data file, as reader warnings are (they are cached with it).
                .at(Location::at_line(&input.file.shown, 1, 1, None))
                .help(nearest(name, &first)),
            );
        }
    }
    data
}
