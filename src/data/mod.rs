//! CSV readers for the three kinds of export a journey can reference.
//!
//! All of them accept plain or gzip-compressed files (by the `.gz` extension or the gzip
//! magic bytes), a UTF-8 byte-order mark, CRLF line ends and quoted fields.

pub mod cohorts;
pub mod events;
mod intern;
pub mod metrics;
mod table;
pub mod time;

use std::fs::File;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::spec::{Journey, Project};
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Columns of `[data.metrics]`, in order.
pub const METRICS_COLUMNS: &[&str] = &["date", "key", "metric", "value"];
/// Columns of `[data.cohorts]`, in order.
pub const COHORTS_COLUMNS: &[&str] = &["cohort", "period", "users"];

/// Opens a data file, decompressing gzip transparently.
pub fn open(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    let file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    decompress(Box::new(file))
}

/// Buffers a reader, decompressing it when it starts with the gzip magic bytes.
pub fn decompress(raw: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut reader = BufReader::with_capacity(1 << 17, raw);
    let gz = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    if gz {
        Ok(Box::new(BufReader::with_capacity(
            1 << 17,
            flate2::read::MultiGzDecoder::new(reader),
        )))
    } else {
        Ok(Box::new(reader))
    }
}

/// The header row's column names (BOM stripped, surrounding spaces trimmed).
pub fn read_header(path: &Path) -> io::Result<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(open(path)?);
    let mut rec = csv::ByteRecord::new();
    let ok = rdr.read_byte_record(&mut rec).map_err(io::Error::other)?;
    if !ok {
        return Err(io::Error::other("the file is empty (no header row)"));
    }
    Ok(rec
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let f = if i == 0 {
                f.strip_prefix(b"\xef\xbb\xbf").unwrap_or(f)
            } else {
                f
            };
            String::from_utf8_lossy(f).trim().to_string()
        })
        .collect())
}

/// Everything read from one journey's data files.
#[derive(Debug, Default)]
pub struct JourneyData {
    pub events: Option<events::EventData>,
    pub metrics: Option<metrics::MetricsData>,
    pub cohorts: Option<cohorts::CohortData>,
}

/// Reads the data of every journey of the project, in project order. Data errors and
/// warnings (SPEC §2) go to `diags`; a journey whose data failed gets no data.
pub fn load(project: &Project, diags: &mut Diagnostics) -> Vec<JourneyData> {
    project.journeys.iter().map(|j| load_journey(j, diags)).collect()
}

pub fn load_journey(journey: &Journey, diags: &mut Diagnostics) -> JourneyData {
    let events = journey.events.as_ref().and_then(|_| events::read(journey, diags));
    if let Some(ev) = &events {
        event_warnings(journey, ev, diags);
    }
    let metrics = metrics::read(journey, diags);
    let cohorts = cohorts::read(journey, diags);
    if let (Some(_), Some(c)) = (&journey.events, &journey.cohorts) {
        diags.push(
            Diagnostic::warning("[data.cohorts] is not used: retention is computed from [data.events]")
                .at(c.loc.clone())
                .help("remove [data.cohorts], or [data.events] to use the cohort table"),
        );
    }
    JourneyData {
        events,
        metrics,
        cohorts,
    }
}

/// Touchpoint events never seen in the data, and event names no touchpoint maps.
fn event_warnings(journey: &Journey, ev: &events::EventData, diags: &mut Diagnostics) {
    let Some(src) = &journey.events else { return };
    for (i, (_, tp)) in journey.touchpoints().enumerate() {
        if tp.events.is_empty() || ev.touchpoint_rows[i] > 0 {
            continue;
        }
        for e in &tp.events {
            diags.push(
                Diagnostic::warning(format!(
                    "event `{}` of touchpoint `{}` never occurs in `{}`",
                    e.value, tp.id, src.file.display
                ))
                .at(e.loc.clone())
                .help_opt(crate::diagnostics::did_you_mean(
                    &e.value,
                    ev.unmapped.keys().map(String::as_str),
                )),
            );
        }
    }
    if !ev.unmapped.is_empty() {
        let mut by_count: Vec<(&String, &u64)> = ev.unmapped.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let list: Vec<String> = by_count.iter().take(10).map(|(n, c)| format!("{n} ({c})")).collect();
        let more = if by_count.len() > 10 {
            format!(" and {} more", by_count.len() - 10)
        } else {
            String::new()
        };
        diags.push(
            Diagnostic::warning(format!(
                "{} event names in `{}` map to no touchpoint: {}{more}",
                by_count.len(),
                src.file.display,
                list.join(", ")
            ))
            .at(src.file.loc.clone())
            .help("list them in a touchpoint's `events` to count them, or ignore this warning"),
        );
    }
}
