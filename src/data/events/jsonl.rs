//! Event exports in JSON lines: which paths to read (the declared columns, and `segment`
//! or `revenue` when the first object has them), checked against the file's first object.

use super::{columns, decode, EventData, EventsInput};
use crate::data::formats::jsonl;
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics};

pub fn check_header(input: &EventsInput, diags: &mut Diagnostics) {
    if let Some(paths) = jsonl::first_paths(&input.file, diags) {
        columns(input, &paths, diags);
    }
}

pub fn read(input: &EventsInput, diags: &mut Diagnostics) -> Option<EventData> {
    let seen = jsonl::first_paths(&input.file, diags)?;
    // The wanted columns, first those the spec declares (in the order `columns` expects),
    // then `segment` and `revenue` when undeclared and present in the first object.
    let mut wanted: Vec<String> = input.declared_columns().iter().map(|(n, _)| n.to_string()).collect();
    for (declared, default) in [(&input.segment, "segment"), (&input.revenue, "revenue")] {
        if declared.is_none() && seen.iter().any(|p| p == default) {
            wanted.push(default.to_string());
        }
    }
    for (name, place) in input.declared_columns() {
        if !seen.iter().any(|p| p == name || p.starts_with(&format!("{name}.")))
            && ![&input.segment, &input.revenue]
                .iter()
                .any(|c| c.as_ref().is_some_and(|c| c.name == name))
            && !input.properties.iter().any(|p| p.name == name)
        {
            let help = did_you_mean(name, seen.iter().map(String::as_str))
                .unwrap_or_else(|| format!("the first object has: {}", seen.join(", ")));
            diags.push(
                Diagnostic::error(format!(
                    "column `{name}` not found in the first object of `{}`",
                    input.file.shown
                ))
                .at(place.0.clone())
                .help(help),
            );
        }
    }
    if diags.has_errors() {
        return None;
    }
    let cols = columns(input, &wanted, diags)?;
    let body = match jsonl::open(&input.file) {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let mut bad_lines: Vec<Diagnostic> = Vec::new();
    let data = decode(input, wanted.clone(), cols, diags, |decoder| {
        jsonl::for_each_row(body, &input.file.shown, &wanted, decoder, &mut bad_lines)
    });
    if !bad_lines.is_empty() {
        diags.items.extend(bad_lines);
        return None;
    }
    data
}
