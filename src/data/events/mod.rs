//! The streaming reader of event exports (`[data.events]`).
//!
//! One pass over the file keeps only what the KPIs need, in a compact layout: for each row
//! of a mapped event, a `u32` user, an `i64` time (µs) and a `u16` touchpoint; everything
//! else (unmapped names, revenue, segments, per-touchpoint row counts, the latest time) is
//! folded into counters as it streams by. Two threads share the work: one splits and
//! decodes rows ([`tokenizer`], [`rows`]), the other interns users and stores rows
//! ([`collect`]); they exchange batches through a bounded channel. The rows are then
//! grouped by user ([`group`]).

mod collect;
mod group;
mod intern;
mod jsonl;
mod matcher;
mod parquet;
mod rows;
mod tokenizer;

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Read};

use super::cache::{FileInput, Place};
use super::header;
use super::lines::line_ends;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::spec::{EventsSource, FileFormat, Journey, Located, OnError, TimeFormat};
use crate::timing::timed;
use crate::zone::Zone;
pub use matcher::Rule;

/// The label of users without a segment value.
pub const NO_SEGMENT: &str = "(none)";
/// Distinct segment values told apart (codes are `u16`; code 0 is [`NO_SEGMENT`]).
pub const MAX_SEGMENTS: usize = 60_000;
/// The touchpoint or segment code of a row without one.
const NONE: u16 = u16::MAX;

/// A column the spec names, and where.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Column {
    pub name: String,
    pub place: Place,
}

impl Column {
    fn of(c: &Located<String>) -> Column {
        Column {
            name: c.value.clone(),
            place: Place(c.loc.clone()),
        }
    }

    #[cfg(test)]
    fn named(name: &str) -> Column {
        Column {
            name: name.to_string(),
            place: Place(Location::file("test")),
        }
    }
}

/// Everything the events reader is given, and so everything its result depends on (with
/// the file's stamp, the cache key).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct EventsInput {
    pub file: FileInput,
    pub user: Column,
    pub time: Column,
    pub event: Column,
    /// As declared; when `None`, a column named `segment` is used if the header has one.
    pub segment: Option<Column>,
    /// As declared; when `None`, a column named `revenue` is used if the header has one.
    pub revenue: Option<Column>,
    pub time_format: TimeFormat,
    /// An IANA zone name the spec has checked.
    pub timezone: String,
    pub on_error: OnError,
    /// Columns the touchpoints' `where` may read.
    pub properties: Vec<Column>,
    /// Each touchpoint's events, conditions and occurrence, in journey order.
    pub touchpoints: Vec<Rule>,
}

impl EventsInput {
    pub fn of(journey: &Journey, src: &EventsSource) -> EventsInput {
        EventsInput {
            file: FileInput::of(&src.file),
            user: Column::of(&src.user),
            time: Column::of(&src.time),
            event: Column::of(&src.event),
            segment: src.segment.as_ref().map(Column::of),
            revenue: src.revenue.as_ref().map(Column::of),
            time_format: src.time_format.clone(),
            timezone: src.timezone.clone(),
            on_error: src.on_error,
            properties: src.properties.iter().map(Column::of).collect(),
            touchpoints: journey
                .touchpoints()
                .map(|(_, t)| Rule {
                    events: t.events.iter().map(|e| e.value.clone()).collect(),
                    conditions: t
                        .conditions
                        .iter()
                        .filter_map(|c| {
                            let k = src.properties.iter().position(|p| p.value == c.property.value)?;
                            Some((k, c.globs.iter().map(|g| g.value.clone()).collect()))
                        })
                        .collect(),
                    occurrence: t.occurrence,
                })
                .collect(),
        }
    }

    fn declared_columns(&self) -> Vec<(&str, &Place)> {
        let mut cols = vec![
            (self.user.name.as_str(), &self.user.place),
            (self.time.name.as_str(), &self.time.place),
            (self.event.name.as_str(), &self.event.place),
        ];
        for c in [&self.segment, &self.revenue].into_iter().flatten() {
            cols.push((c.name.as_str(), &c.place));
        }
        for c in &self.properties {
            cols.push((c.name.as_str(), &c.place));
        }
        cols
    }
}

/// Events of one export, grouped by user and sorted by time within each user.
#[derive(Debug, Default)]
pub struct EventData {
    /// Events of user `u` are `offsets[u]..offsets[u + 1]` of `time` and `touchpoint`.
    pub offsets: Vec<u32>,
    /// Microseconds since the epoch, UTC.
    pub time: Vec<i64>,
    /// Touchpoint index in journey order (stages in order, touchpoints in order).
    pub touchpoint: Vec<u16>,
    /// Segment of each user (index into `segment_names`); empty without a segment column.
    pub user_segment: Vec<u16>,
    /// `segment_names[0]` is [`NO_SEGMENT`].
    pub segment_names: Vec<String>,
    pub revenue: Option<Revenue>,
    /// Rows per touchpoint.
    pub touchpoint_rows: Vec<u64>,
    /// Rows per event name that no touchpoint lists.
    pub unmapped: BTreeMap<String, u64>,
    /// The latest time of any valid row.
    pub latest: Option<i64>,
    /// The earliest time of any valid row.
    pub earliest: Option<i64>,
    /// Valid rows read.
    pub rows: u64,
    /// Bad rows skipped (`on_error = "skip"`), per reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// More distinct segment values than can be told apart; the rest count as none.
    pub segments_overflow: bool,
    /// The zone calendar periods are cut in.
    pub zone: Zone,
}

impl EventData {
    pub fn users(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn user_events(&self, u: usize) -> std::ops::Range<usize> {
        self.offsets[u] as usize..self.offsets[u + 1] as usize
    }
}

#[derive(Debug, Default)]
pub struct Revenue {
    pub orders: u64,
    /// In millionths of the currency unit, exactly.
    pub total_micros: i128,
    /// Orders per user, counted up to 255 (only 0, 1 and "2 or more" matter).
    pub user_orders: Vec<u8>,
}

/// Checks the file's header against the columns the spec names.
pub fn check_header(input: &EventsInput, diags: &mut Diagnostics) {
    match input.file.options.format {
        FileFormat::Csv => {
            if let Some((_, header)) = header::open_with_header(&input.file, diags) {
                header::find_columns(&input.file, &header, &input.declared_columns(), diags);
            }
        }
        FileFormat::Jsonl => jsonl::check_header(input, diags),
        FileFormat::Parquet => parquet::check_header(input, diags),
    }
}

/// Reads an event export: every bad row or missing column is an error (or, for bad rows
/// with `on_error = "skip"`, counted); `None` when the data cannot be used.
pub fn read(input: &EventsInput, diags: &mut Diagnostics) -> Option<EventData> {
    match input.file.options.format {
        FileFormat::Csv => read_csv(input, diags),
        FileFormat::Jsonl => jsonl::read(input, diags),
        FileFormat::Parquet => parquet::read(input, diags),
    }
}

/// Where the declared columns are among `names` (the CSV header, the Parquet schema…);
/// `None` after an error for each one missing.
fn columns(input: &EventsInput, names: &[String], diags: &mut Diagnostics) -> Option<rows::Columns> {
    let found = header::find_columns(&input.file, names, &input.declared_columns(), diags)?;
    let optional = |declared: &Option<Column>, default: &str| match declared {
        Some(c) => names.iter().position(|h| *h == c.name),
        None => names.iter().position(|h| h == default),
    };
    Some(rows::Columns {
        user: found[0],
        time: found[1],
        event: found[2],
        segment: optional(&input.segment, "segment"),
        revenue: optional(&input.revenue, "revenue"),
        properties: found[found.len() - input.properties.len()..].to_vec(),
        count: names.len(),
    })
}

fn read_csv(input: &EventsInput, diags: &mut Diagnostics) -> Option<EventData> {
    let file = &input.file;
    // The header is parsed by the csv crate (it may be quoted); the rows are then read from
    // a second stream that starts right after it, by the fast tokenizer.
    let (head, header) = header::open_with_header(file, diags)?;
    let cols = columns(input, &header, diags)?;
    let header_end = head.rdr.position().byte();
    drop(head);
    let size = std::fs::metadata(&file.path).map(|m| m.len()).unwrap_or(0);
    let progress = progress_bar(size, &file.shown);
    let opened = file
        .root
        .open(&file.path)
        .map_err(|r| std::io::Error::other(r.message(&file.shown)));
    let body = opened.and_then(|f| {
        let raw: Box<dyn Read + Send> = match &progress {
            Some(pb) => Box::new(pb.wrap_read(f)),
            None => Box::new(f),
        };
        let mut r = std::io::BufReader::new(header::decompress(raw)?);
        let mut head = Vec::new();
        (&mut r).take(header_end).read_to_end(&mut head)?;
        // The csv crate ends a record at the `\r` of `\r\n`: its `\n` is not a row's.
        if head.last() == Some(&b'\r') && r.fill_buf()?.first() == Some(&b'\n') {
            r.consume(1);
        }
        Ok((r, 1 + line_ends(&head)))
    });
    let (body, first_line) = match body {
        Ok((r, first_line)) => (Box::new(r) as Box<dyn Read + Send>, first_line),
        Err(e) => {
            diags.push(header::io_error(file, &e));
            return None;
        }
    };
    let delimiter = file.options.delimiter;
    let data = decode(input, header, cols, diags, |decoder| {
        tokenizer::for_each_row(body, first_line, delimiter, decoder)
    });
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    data
}

/// Decodes the rows that `feed` hands to the decoder (on this thread) while another
/// thread collects them; shared by every format.
fn decode(
    input: &EventsInput,
    header: Vec<String>,
    cols: rows::Columns,
    diags: &mut Diagnostics,
    feed: impl FnOnce(&mut rows::Decoder) -> std::io::Result<()>,
) -> Option<EventData> {
    let zone = Zone::named(&input.timezone).unwrap_or_default();
    let ctx = rows::Context::new(input, header, cols, &zone);
    let (decoded, collected) = std::thread::scope(|scope| {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel(4);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel();
        let collector = scope.spawn(move || collect::collect(full_rx, empty_tx, collect::Limits::MAX));
        let mut decoder = rows::Decoder::new(&ctx, full_tx, empty_rx);
        let outcome = feed(&mut decoder);
        decoder.flush();
        (outcome.map(|_| decoder), collector.join())
    });
    let decoded = match decoded {
        Ok(d) => d,
        Err(e) => {
            diags.push(header::io_error(&input.file, &e));
            return None;
        }
    };
    let Ok(collected) = collected else {
        diags.push(header::io_error(
            &input.file,
            &"the reading thread stopped unexpectedly",
        ));
        return None;
    };
    let mut data = timed("group by user", || finish(input, decoded, collected, diags))?;
    data.zone = zone.clone();
    Some(data)
}

fn finish(
    input: &EventsInput,
    mut d: rows::Decoder,
    mut c: collect::Collected,
    diags: &mut Diagnostics,
) -> Option<EventData> {
    let file = &input.file;
    if let Some(o) = c.overflow {
        diags.push(
            Diagnostic::error(format!(
                "`{}` has more {} than journeymap can hold in memory",
                file.shown, o.what
            ))
            .at(Location::at_line(&file.shown, o.line as usize, 1, None))
            .help("split the export (e.g. by month) into several journeys, or compute the KPIs in the warehouse"),
        );
        return None;
    }
    let total_bad: u64 = d.bad.values().sum();
    if total_bad > 0 && input.on_error == OnError::Fail {
        let reasons: Vec<String> = d.bad.iter().map(|(r, n)| format!("{n} {r}")).collect();
        let shown_count = d.errors.len();
        diags.items.append(&mut d.errors);
        if total_bad as usize > shown_count {
            diags.push(
                file.error(format!(
                    "`{}` has {total_bad} bad rows in all ({}); the first {shown_count} are shown",
                    file.shown,
                    reasons.join(", "),
                ))
                .help("fix the export, or set `on_error = \"skip\"` to skip bad rows"),
            );
        }
        return None;
    }
    if total_bad > 0 && d.rows == 0 {
        let reasons: Vec<String> = d.bad.iter().map(|(r, n)| format!("{n} {r}")).collect();
        diags.push(
            file.error(format!(
                "every row of `{}` is bad ({}): `on_error = \"skip\"` would leave no data",
                file.shown,
                reasons.join(", ")
            ))
            .help("check `delimiter`, `time_format` and the column names against the file; the first bad row follows"),
        );
        diags.items.extend(d.first_error.take());
        return None;
    }
    let n_users = c.users.len();
    drop(std::mem::take(&mut c.users));
    drop(std::mem::take(&mut c.segment_time));
    let (mut offsets, mut time, mut touchpoint) = group::group_by_user(n_users, &c.row_user, &c.time, &c.touchpoint);
    drop((c.row_user, c.time, c.touchpoint));
    let mut unmapped = d.take_unmapped();
    let classes = d.take_classes();
    if !classes.is_empty() {
        matcher::resolve(
            &classes,
            &mut offsets,
            &mut time,
            &mut touchpoint,
            &mut d.touchpoint_rows,
            &mut unmapped,
        );
    }
    let (has_segment, has_revenue) = (d.has_segment_column(), d.has_revenue_column());
    Some(EventData {
        offsets,
        time,
        touchpoint,
        user_segment: if has_segment { c.user_segment } else { Vec::new() },
        segment_names: d.segment_names,
        revenue: has_revenue.then_some(Revenue {
            orders: c.revenue_orders,
            total_micros: c.revenue_total,
            user_orders: c.user_orders,
        }),
        touchpoint_rows: d.touchpoint_rows,
        unmapped,
        latest: d.latest,
        earliest: d.earliest,
        rows: d.rows,
        skipped: d.bad,
        segments_overflow: d.segments_overflow,
        zone: Zone::utc(),
    })
}

fn progress_bar(size: u64, shown: &str) -> Option<indicatif::ProgressBar> {
    // Only worth drawing on a terminal, and for files that take a noticeable time.
    if !std::io::stderr().is_terminal() || size < 32 << 20 {
        return None;
    }
    let pb = indicatif::ProgressBar::with_draw_target(Some(size), indicatif::ProgressDrawTarget::stderr());
    let style = indicatif::ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} ({eta})")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    pb.set_style(style);
    pb.set_message(format!("reading {shown}"));
    Some(pb)
}
