//! Rules that span several tables or files: unique ids in a journey, one touchpoint per
//! event name, stages without touchpoints, and the data files with their header columns.

use std::collections::HashMap;
use std::path::Path;

use super::reader::Located;
use super::{Config, DataFile, Journey};
use crate::data;
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics, Location};

pub(super) fn project(_root: &Path, _config: &Config, journeys: &mut [Journey], diags: &mut Diagnostics) {
    for j in journeys.iter_mut() {
        journey(j, diags);
        data_files(j, diags);
    }
}

fn journey(j: &Journey, diags: &mut Diagnostics) {
    let mut stage_ids: HashMap<&str, &Location> = HashMap::new();
    for s in &j.stages {
        if let Some(first) = stage_ids.insert(&s.id, &s.loc) {
            diags.push(
                Diagnostic::error(format!("duplicate stage id `{}` in this journey", s.id))
                    .at(s.loc.clone())
                    .help(format!("first declared on line {}", first.line)),
            );
        }
        if s.touchpoints.is_empty() {
            diags.push(
                Diagnostic::warning(format!("stage `{}` has no touchpoints", s.id))
                    .at(s.loc.clone())
                    .help("add [[stages.touchpoints]] so the stage can be measured"),
            );
        }
    }
    let mut tp_ids: HashMap<&str, &Location> = HashMap::new();
    let mut event_owner: HashMap<&str, &str> = HashMap::new();
    for (_, tp) in j.touchpoints() {
        if let Some(first) = tp_ids.insert(&tp.id, &tp.loc) {
            diags.push(
                Diagnostic::error(format!("duplicate touchpoint id `{}` in this journey", tp.id))
                    .at(tp.loc.clone())
                    .help(format!(
                        "touchpoint ids are unique across the whole journey; first declared on line {}",
                        first.line
                    )),
            );
        }
        for ev in &tp.events {
            if let Some(owner) = event_owner.insert(&ev.value, &tp.id) {
                let msg = if owner == tp.id {
                    format!("event `{}` is listed twice in touchpoint `{}`", ev.value, tp.id)
                } else {
                    format!("event `{}` already belongs to touchpoint `{owner}`", ev.value)
                };
                diags.push(
                    Diagnostic::error(msg)
                        .at(ev.loc.clone())
                        .help("an event name maps to at most one touchpoint of a journey"),
                );
            }
        }
        if !tp.metrics.is_empty() && j.metrics.is_none() {
            diags.push(
                Diagnostic::error(format!(
                    "touchpoint `{}` declares metrics but the journey has no [data.metrics]",
                    tp.id
                ))
                .at(tp.metrics[0].loc.clone())
                .help("add [data.metrics] with the path of a `date,key,metric,value` export"),
            );
        }
    }
}

/// Checks that a data file exists and its header has `columns`; returns the header.
fn check_columns(file: &DataFile, columns: &[&Located<String>], diags: &mut Diagnostics) -> Option<Vec<String>> {
    let header = match data::read_header(&file.path) {
        Ok(h) => h,
        Err(e) => {
            let help = if file.path.exists() {
                None
            } else {
                Some(format!(
                    "the path is relative to the project root; `{}` does not exist",
                    file.display
                ))
            };
            diags.push(
                Diagnostic::error(format!("cannot read data file `{}`: {e}", file.display))
                    .at(file.loc.clone())
                    .help_opt(help),
            );
            return None;
        }
    };
    for col in columns {
        if !header.contains(&col.value) {
            let help = did_you_mean(&col.value, header.iter().map(String::as_str))
                .unwrap_or_else(|| format!("the header of `{}` is: {}", file.display, header.join(",")));
            diags.push(
                Diagnostic::error(format!(
                    "column `{}` not found in the header of `{}`",
                    col.value, file.display
                ))
                .at(col.loc.clone())
                .help(help),
            );
        }
    }
    Some(header)
}

fn fixed_columns(file: &DataFile, names: &[&str], diags: &mut Diagnostics) {
    let cols: Vec<Located<String>> = names
        .iter()
        .map(|n| Located {
            value: n.to_string(),
            loc: file.loc.clone(),
        })
        .collect();
    check_columns(file, &cols.iter().collect::<Vec<_>>(), diags);
}

fn data_files(j: &mut Journey, diags: &mut Diagnostics) {
    if let Some(ev) = &mut j.events {
        let mut cols = vec![&ev.user, &ev.time, &ev.event];
        cols.extend(ev.segment.iter());
        cols.extend(ev.revenue.iter());
        if let Some(header) = check_columns(&ev.file, &cols, diags) {
            // Undeclared optional columns default to their usual names when present.
            let loc = ev.file.loc.clone();
            for (slot, name) in [(&mut ev.segment, "segment"), (&mut ev.revenue, "revenue")] {
                if slot.is_none() && header.iter().any(|h| h == name) {
                    *slot = Some(Located {
                        value: name.to_string(),
                        loc: loc.clone(),
                    });
                }
            }
        }
    }
    if let Some(m) = &j.metrics {
        fixed_columns(m, data::METRICS_COLUMNS, diags);
    }
    if let Some(c) = &j.cohorts {
        fixed_columns(c, data::COHORTS_COLUMNS, diags);
    }
}
