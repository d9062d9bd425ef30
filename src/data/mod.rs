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

use std::any::Any;
use std::collections::HashMap;
use std::fs::File;
use std::sync::Arc;

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

/// Reads the header row of an open CSV reader: column names with a UTF-8 byte-order mark
/// stripped and surrounding spaces trimmed. An empty file is an error.
pub fn read_header_row<R: Read>(rdr: &mut csv::Reader<R>) -> io::Result<Vec<String>> {
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).map_err(io::Error::other)? {
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

/// A CSV reader that leaves the header row and field counts to us.
pub fn csv_reader<R: Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 17)
        .from_reader(r)
}

/// The header row's column names (see [`read_header_row`]).
pub fn read_header(path: &Path) -> io::Result<Vec<String>> {
    read_header_row(&mut csv_reader(open(path)?))
}

/// Everything read from one journey's data files. Shared (`Arc`) so that the preview
/// server's cache can hand the same parsed data to many rebuilds.
#[derive(Debug, Default, Clone)]
pub struct JourneyData {
    pub events: Option<Arc<events::EventData>>,
    pub metrics: Option<Arc<metrics::MetricsData>>,
    pub cohorts: Option<Arc<cohorts::CohortData>>,
}

/// Parsed data files kept between rebuilds (`journeymap serve`).
///
/// An entry is reused while its file has the same size and modification time *and* the
/// parts of the spec the parse depends on are unchanged (column names, time format, which
/// events belong to which touchpoint, declared keys). Editing a title, a description or an
/// emotion therefore never re-reads a CSV file; editing one file re-reads only that file.
#[derive(Default)]
pub struct Cache {
    /// By `<journey id>/<kind>`.
    entries: HashMap<String, Entry>,
    /// Files read (not served from the cache) by the last `load`, for tests and timings.
    pub last_reads: Vec<String>,
}

struct Entry {
    /// File stamp and the spec settings the parse depends on.
    key: String,
    /// The parsed file: `EventData`, `MetricsData` or `CohortData`.
    value: Arc<dyn Any + Send + Sync>,
    /// The reader's warnings: they point into the data file, so they hold while it is
    /// unchanged, and a cache hit repeats them.
    warnings: Vec<Diagnostic>,
}

impl Cache {
    /// The parsed file cached under `name` if its `key` is unchanged, or else `read`'s
    /// result (cached when `key` is known and the read succeeded).
    fn read_cached<T: Any + Send + Sync>(
        &mut self,
        name: String,
        key: Option<String>,
        shown: &str,
        diags: &mut Diagnostics,
        read: impl FnOnce(&mut Diagnostics) -> Option<T>,
    ) -> Option<Arc<T>> {
        if let (Some(k), Some(e)) = (&key, self.entries.get(&name)) {
            if *k == e.key {
                if let Ok(value) = e.value.clone().downcast::<T>() {
                    diags.items.extend(e.warnings.iter().cloned());
                    return Some(value);
                }
            }
        }
        self.last_reads.push(shown.to_string());
        let mut local = Diagnostics::default();
        let value = read(&mut local).map(Arc::new);
        if let (Some(key), Some(v)) = (key, &value) {
            let warnings = local.warnings().cloned().collect();
            let value = v.clone();
            self.entries.insert(name, Entry { key, value, warnings });
        }
        diags.extend(local);
        value
    }
}

/// Size and modification time of a file; `None` when it cannot be read (no caching then).
fn stamp(path: &Path) -> Option<String> {
    let m = std::fs::metadata(path).ok()?;
    let mtime = m.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(format!("{}:{}:{}", path.display(), m.len(), mtime.as_nanos()))
}

fn events_key(j: &Journey) -> Option<String> {
    let e = j.events.as_ref()?;
    let mut key = format!(
        "{}|{}|{}|{}|{:?}|{:?}|{:?}|{:?}",
        stamp(&e.file.path)?,
        e.user.value,
        e.time.value,
        e.event.value,
        e.segment.as_ref().map(|s| &s.value),
        e.revenue.as_ref().map(|r| &r.value),
        e.time_format,
        e.on_error
    );
    for (s, tp) in j.touchpoints() {
        key.push_str(&format!("|{s}:"));
        for ev in &tp.events {
            key.push_str(&ev.value);
            key.push(',');
        }
    }
    Some(key)
}

fn metrics_key(j: &Journey) -> Option<String> {
    let mut key = stamp(&j.metrics.as_ref()?.path)?;
    for s in &j.stages {
        key.push_str(&format!("|s:{}", s.id));
    }
    for (_, tp) in j.touchpoints() {
        key.push_str(&format!("|t:{}", tp.id));
        for m in &tp.metrics {
            key.push_str(&format!(",{}", m.id));
        }
    }
    Some(key)
}

/// Reads the data of every journey of the project, in project order. Data errors and
/// warnings (SPEC §2) go to `diags`; a journey whose data failed gets no data.
pub fn load(project: &Project, diags: &mut Diagnostics) -> Vec<JourneyData> {
    load_cached(project, &mut Cache::default(), diags)
}

/// [`load`], reusing what `cache` holds and keeping what it reads.
pub fn load_cached(project: &Project, cache: &mut Cache, diags: &mut Diagnostics) -> Vec<JourneyData> {
    cache.last_reads.clear();
    let mut used = Vec::new();
    let out = project
        .journeys
        .iter()
        .map(|j| load_journey(j, cache, &mut used, diags))
        .collect();
    cache.entries.retain(|k, _| used.contains(k));
    out
}

fn load_journey(journey: &Journey, cache: &mut Cache, used: &mut Vec<String>, diags: &mut Diagnostics) -> JourneyData {
    let mut name = |kind: &str| {
        let name = format!("{}/{kind}", journey.id);
        used.push(name.clone());
        name
    };
    let mut data = JourneyData::default();
    if let Some(src) = &journey.events {
        data.events = cache.read_cached(name("events"), events_key(journey), &src.file.display, diags, |d| {
            events::read(journey, d)
        });
    }
    if let Some(ev) = &data.events {
        event_warnings(journey, ev, diags);
    }
    if let Some(file) = &journey.metrics {
        data.metrics = cache.read_cached(name("metrics"), metrics_key(journey), &file.display, diags, |d| {
            metrics::read(journey, d)
        });
    }
    if let Some(file) = &journey.cohorts {
        data.cohorts = cache.read_cached(name("cohorts"), stamp(&file.path), &file.display, diags, |d| {
            cohorts::read(journey, d)
        });
    }
    if let (Some(_), Some(c)) = (&journey.events, &journey.cohorts) {
        diags.push(
            Diagnostic::warning("[data.cohorts] is not used: retention is computed from [data.events]")
                .at(c.loc.clone())
                .help("remove [data.cohorts], or [data.events] to use the cohort table"),
        );
    }
    data
}

/// Warnings about event data that point into the journey file (recomputed on every load,
/// as lines move when the file is edited): skipped rows, too many segments, touchpoint
/// events never seen, event names no touchpoint maps.
fn event_warnings(journey: &Journey, ev: &events::EventData, diags: &mut Diagnostics) {
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
            Diagnostic::warning("the segment column has more than 60000 distinct values; rows with further values count as having no segment")
                .at(src.segment.as_ref().map_or(src.file.loc.clone(), |s| s.loc.clone())),
        );
    }
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
