//! `[data.*]` tables: which file, how it is written (format, delimiter, decimal separator),
//! and for event exports which columns hold what — directly or through a `source` preset
//! naming the columns of a common analytics tool's export — how times are written and in
//! which time zone they are read.

use std::path::Path;

use super::choice::{Decimal, FileFormat, NamedTime, Preset, TimeFormat};
use super::reader::{word_of, Located, Table};
use super::{DataFile, EventsSource};
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics};
use crate::files::Root;

/// How a data file is read: the options every data kind shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadOptions {
    pub format: FileFormat,
    /// CSV only: the byte between fields.
    pub delimiter: u8,
    pub decimal: Decimal,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            format: FileFormat::Csv,
            delimiter: b',',
            decimal: Decimal::Dot,
        }
    }
}

/// The format a file's name implies (a `.gz` suffix aside), and its default delimiter.
fn from_extension(path: &str) -> Option<(FileFormat, u8)> {
    let lower = path.to_ascii_lowercase();
    let name = lower.strip_suffix(".gz").unwrap_or(&lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e)?;
    Some(match ext {
        "csv" => (FileFormat::Csv, b','),
        "tsv" | "tab" => (FileFormat::Csv, b'\t'),
        // Amplitude names its JSON-lines export files `.json`.
        "jsonl" | "ndjson" | "json" => (FileFormat::Jsonl, b','),
        "parquet" | "pq" => (FileFormat::Parquet, b','),
        _ => return None,
    })
}

pub(super) fn data_file(files: &Root, root: &Path, t: &mut Table, diags: &mut Diagnostics) -> Option<DataFile> {
    let path = t.required_string("path", diags)?;
    let implied = from_extension(&path.value);
    let format = t.choice::<FileFormat>("format", diags);
    let mut options = ReadOptions::default();
    match (&format, implied) {
        (Some(f), _) => options.format = f.value,
        (None, Some((f, _))) => options.format = f,
        (None, None) => {}
    }
    if let Some((FileFormat::Csv, d)) = implied {
        if options.format == FileFormat::Csv {
            options.delimiter = d;
        }
    }
    if let Some(d) = t.string("delimiter", diags) {
        match d.value.as_bytes() {
            _ if options.format != FileFormat::Csv => diags.push(
                Diagnostic::error(format!(
                    "`delimiter` applies to CSV files only; this file is read as {}",
                    super::Choice::name(options.format)
                ))
                .at(d.loc),
            ),
            [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => options.delimiter = *b,
            _ => diags.push(
                Diagnostic::error(format!(
                    "`delimiter` must be one ASCII character, found `{}`",
                    d.value.escape_debug()
                ))
                .at(d.loc)
                .help("e.g. \",\", \";\", \"|\" or \"\\t\" for tabs; not a quote or a line end"),
            ),
        }
    }
    if let Some(d) = t.choice::<Decimal>("decimal", diags) {
        if options.format == FileFormat::Csv {
            options.decimal = d.value;
        } else {
            diags.push(
                Diagnostic::error(format!(
                    "`decimal` applies to CSV files only; this file is read as {}, whose numbers have a dot",
                    super::Choice::name(options.format)
                ))
                .at(d.loc),
            );
        }
    }
    Some(DataFile {
        path: root.join(&path.value),
        root: files.clone(),
        display: path.value,
        loc: path.loc,
        options,
    })
}

/// The column names and time format a preset stands for.
struct Columns {
    user: &'static str,
    time: &'static str,
    event: &'static str,
    revenue: Option<&'static str>,
    time_format: TimeFormat,
}

fn preset(p: Option<Preset>) -> Columns {
    let c = |user, time, event, time_format| Columns {
        user,
        time,
        event,
        revenue: None,
        time_format,
    };
    match p {
        None => c("user_id", "timestamp", "event", TimeFormat::Rfc3339),
        Some(Preset::Ga4) => c("user_pseudo_id", "event_timestamp", "event_name", TimeFormat::UnixUs),
        Some(Preset::Mixpanel) => c("properties.distinct_id", "properties.time", "event", TimeFormat::UnixS),
        Some(Preset::Amplitude) => Columns {
            revenue: Some("revenue"),
            ..c(
                "user_id",
                "event_time",
                "event_type",
                TimeFormat::Pattern("%Y-%m-%d %H:%M:%S%.f".into()),
            )
        },
        Some(Preset::Posthog) => c("distinct_id", "timestamp", "event", TimeFormat::Rfc3339),
        Some(Preset::Segment) => c("user_id", "timestamp", "event", TimeFormat::Rfc3339),
    }
}

pub(super) fn read_events(files: &Root, root: &Path, t: &mut Table, diags: &mut Diagnostics) -> Option<EventsSource> {
    let file = data_file(files, root, t, diags);
    let source = t.choice::<Preset>("source", diags).map(|p| p.value);
    let defaults = preset(source);
    let column = |t: &mut Table, key: &'static str, default: &str, diags: &mut Diagnostics| {
        t.string(key, diags).unwrap_or_else(|| Located {
            value: default.to_string(),
            loc: t.loc(),
        })
    };
    let user = column(t, "user", defaults.user, diags);
    let time = column(t, "time", defaults.time, diags);
    let event = column(t, "event", defaults.event, diags);
    let segment = t.string("segment", diags);
    let revenue = t.string("revenue", diags).or_else(|| {
        defaults.revenue.map(|r| Located {
            value: r.to_string(),
            loc: t.loc(),
        })
    });
    let (time_format, timezone) = time_options(t, defaults.time_format, diags);
    let on_error = t.choice("on_error", diags).map_or(Default::default(), |o| o.value);
    let properties = t.strings("properties", diags);
    let mut seen: Vec<&str> = Vec::new();
    for p in &properties {
        if seen.contains(&p.value.as_str()) {
            diags.push(Diagnostic::error(format!("property `{}` is listed twice", p.value)).at(p.loc.clone()));
        }
        seen.push(&p.value);
    }
    Some(EventsSource {
        file: file?,
        user,
        time,
        event,
        segment,
        revenue,
        time_format,
        timezone,
        on_error,
        properties,
    })
}

/// `time_format` (`default` when absent or unusable) and `timezone` ("UTC" when absent) of
/// a data table whose rows have times.
pub(super) fn time_options(t: &mut Table, default: TimeFormat, diags: &mut Diagnostics) -> (TimeFormat, String) {
    let format = match t.string("time_format", diags) {
        Some(f) => time_format(f, diags).unwrap_or(default),
        None => default,
    };
    let zone = match t.string("timezone", diags) {
        Some(z) => timezone(z, diags),
        None => "UTC".to_string(),
    };
    (format, zone)
}

/// A named format, or a strftime pattern that reads back the times it writes.
fn time_format(f: Located<String>, diags: &mut Diagnostics) -> Option<TimeFormat> {
    if !f.value.contains('%') {
        return word_of::<NamedTime>("time_format", f, diags)
            .map(|n| TimeFormat::named(n.value))
            .or_else(|| {
                if let Some(last) = diags.items.last_mut() {
                    let help = last.help.take().map_or(String::new(), |h| format!("{h}; "));
                    last.help = Some(format!("{help}or write a strftime pattern such as \"%d/%m/%Y %H:%M\""));
                }
                None
            });
    }
    let sample = jiff::Timestamp::from_second(1_767_607_245)
        .expect("a valid instant")
        .to_zoned(jiff::tz::TimeZone::UTC);
    let problem = match jiff::fmt::strtime::format(f.value.as_str(), &sample) {
        Err(e) => Some(e.to_string()),
        Ok(text) => match jiff::fmt::strtime::parse(f.value.as_str(), &text) {
            Err(e) => Some(e.to_string()),
            Ok(tm) if tm.to_date().ok() != Some(sample.date()) => {
                Some("it does not name a whole date (a year, a month and a day)".to_string())
            }
            Ok(_) => None,
        },
    };
    match problem {
        None => Some(TimeFormat::Pattern(f.value)),
        Some(why) => {
            diags.push(
                Diagnostic::error(format!("`time_format` \"{}\" cannot be used: {why}", f.value))
                    .at(f.loc)
                    .help("e.g. \"%Y-%m-%d %H:%M:%S\", \"%d/%m/%Y %H:%M\", \"%Y%m%d\"; see docs/spec.md"),
            );
            None
        }
    }
}

/// An IANA time zone name, as the bundled time zone database spells it.
fn timezone(z: Located<String>, diags: &mut Diagnostics) -> String {
    match jiff::tz::TimeZone::get(&z.value) {
        Ok(_) => z.value,
        Err(_) => {
            let db = jiff::tz::db();
            let names: Vec<String> = db.available().map(|n| n.to_string()).collect();
            let help = did_you_mean(&z.value, names.iter().map(String::as_str))
                .unwrap_or_else(|| "use an IANA name such as \"Europe/Paris\" or \"America/New_York\"".into());
            diags.push(
                Diagnostic::error(format!("unknown time zone `{}`", z.value))
                    .at(z.loc)
                    .help(help),
            );
            "UTC".to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_from_extensions() {
        assert_eq!(from_extension("data/e.csv"), Some((FileFormat::Csv, b',')));
        assert_eq!(from_extension("data/e.TSV.gz"), Some((FileFormat::Csv, b'\t')));
        assert_eq!(from_extension("e.ndjson.gz"), Some((FileFormat::Jsonl, b',')));
        assert_eq!(from_extension("e.parquet"), Some((FileFormat::Parquet, b',')));
        assert_eq!(from_extension("events"), None);
        assert_eq!(from_extension("e.txt"), None);
    }
}
