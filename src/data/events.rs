//! The streaming reader of event exports (`[data.events]`).
//!
//! One pass over the file keeps only what the KPIs need, in a compact layout: for each row
//! of a mapped event, a `u32` user, an `i64` time (µs) and a `u16` touchpoint; everything
//! else (unmapped names, revenue, segments, per-touchpoint row counts, the latest time) is
//! folded into counters as it streams by. The rows are then grouped by user in place (a
//! counting sort applied as a permutation, no second copy) and sorted by time within each
//! user, so the KPI code walks one contiguous slice per user.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};

use rustc_hash::FxHashMap;

use super::intern::Interner;
use super::time;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::spec::{EventsSource, Journey, OnError};

/// The label of users without a segment value.
pub const NO_SEGMENT: &str = "(none)";

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
    /// Valid rows read.
    pub rows: u64,
    /// Bad rows skipped (`on_error = "skip"`), per reason.
    pub skipped: BTreeMap<&'static str, u64>,
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
    pub total: f64,
    /// Orders per user, saturating at 255 (only "≥ 2" matters).
    pub user_orders: Vec<u8>,
}

/// Why a row is bad; the texts are the reasons reported for skipped rows.
#[derive(Clone, Copy)]
enum Bad {
    FieldCount,
    EmptyUser,
    Time,
    Revenue,
    EmptyEvent,
}

impl Bad {
    fn reason(self) -> &'static str {
        match self {
            Bad::FieldCount => "wrong number of fields",
            Bad::EmptyUser => "empty user id",
            Bad::Time => "unparsable time",
            Bad::Revenue => "invalid revenue",
            Bad::EmptyEvent => "empty event name",
        }
    }
}

/// Errors shown one by one before the rest are summarised.
const MAX_ROW_ERRORS: usize = 20;
const MAX_SEGMENTS: usize = 60_000;

struct Columns {
    user: usize,
    time: usize,
    event: usize,
    segment: Option<usize>,
    revenue: Option<usize>,
    count: usize,
}

fn trim(s: &[u8]) -> &[u8] {
    s.trim_ascii()
}

/// Reads the events of `journey` (which must have `[data.events]`).
pub fn read(journey: &Journey, diags: &mut Diagnostics) -> Option<EventData> {
    let src = journey.events.as_ref()?;
    let file = &src.file;
    let shown = file.display.as_str();
    let io_error = |e: &dyn std::fmt::Display| {
        Diagnostic::error(format!("cannot read data file `{shown}`: {e}")).at(file.loc.clone())
    };
    let raw = match std::fs::File::open(&file.path) {
        Ok(f) => f,
        Err(e) => {
            diags.push(io_error(&e));
            return None;
        }
    };
    let size = raw.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = progress_bar(size, shown);
    let reader: Box<dyn Read + Send> = match &progress {
        Some(pb) => Box::new(pb.wrap_read(raw)),
        None => Box::new(raw),
    };
    let reader = match super::decompress(reader) {
        Ok(r) => r,
        Err(e) => {
            diags.push(io_error(&e));
            return None;
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 17)
        .from_reader(reader);
    let mut rec = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => {}
        Ok(false) => {
            diags.push(io_error(&"the file is empty (no header row)"));
            return None;
        }
        Err(e) => {
            diags.push(io_error(&e));
            return None;
        }
    }
    let header: Vec<String> = rec
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let f = if i == 0 {
                f.strip_prefix(b"\xef\xbb\xbf").unwrap_or(f)
            } else {
                f
            };
            String::from_utf8_lossy(trim(f)).into_owned()
        })
        .collect();
    let find = |name: &str| header.iter().position(|h| h == name);
    // The spec layer has checked the header already; a file changed since is an error here.
    let (Some(user), Some(time_col), Some(event)) =
        (find(&src.user.value), find(&src.time.value), find(&src.event.value))
    else {
        diags.push(io_error(&"the header lacks a declared column (did the file change?)"));
        return None;
    };
    let cols = Columns {
        user,
        time: time_col,
        event,
        segment: src.segment.as_ref().and_then(|s| find(&s.value)),
        revenue: src.revenue.as_ref().and_then(|r| find(&r.value)),
        count: header.len(),
    };
    let event_map = event_map(journey);
    let n_touchpoints = journey.touchpoints().count();
    let mut r = RowReader::new(src, &header, cols, n_touchpoints);
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => r.row(&rec, &event_map, diags),
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                diags.push(
                    Diagnostic::error(format!("cannot read data file `{shown}`: {e}"))
                        .at(Location::at_line(shown, line, 1, None)),
                );
                return None;
            }
        }
    }
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    r.finish(diags)
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

/// Event name → touchpoint index in journey order.
fn event_map(journey: &Journey) -> FxHashMap<Box<[u8]>, u16> {
    let mut map = FxHashMap::default();
    for (i, (_, tp)) in journey.touchpoints().enumerate() {
        for e in &tp.events {
            map.entry(e.value.as_bytes().into()).or_insert(i as u16);
        }
    }
    map
}

/// The state of one pass over the rows.
struct RowReader<'a> {
    src: &'a EventsSource,
    header: &'a [String],
    cols: Columns,
    users: Interner,
    // Per mapped row, in file order until `group_by_user`.
    row_user: Vec<u32>,
    time: Vec<i64>,
    touchpoint: Vec<u16>,
    touchpoint_rows: Vec<u64>,
    unmapped: FxHashMap<Box<[u8]>, u64>,
    // Per user: the time and code of the earliest row with a segment.
    segment_time: Vec<i64>,
    user_segment: Vec<u16>,
    segment_codes: FxHashMap<Box<[u8]>, u16>,
    segment_names: Vec<String>,
    segments_overflow: bool,
    revenue: Option<Revenue>,
    latest: Option<i64>,
    rows: u64,
    bad: BTreeMap<&'static str, u64>,
    bad_shown: usize,
}

impl<'a> RowReader<'a> {
    fn new(src: &'a EventsSource, header: &'a [String], cols: Columns, n_touchpoints: usize) -> Self {
        let revenue = cols.revenue.map(|_| Revenue::default());
        RowReader {
            src,
            header,
            cols,
            users: Interner::default(),
            row_user: Vec::new(),
            time: Vec::new(),
            touchpoint: Vec::new(),
            touchpoint_rows: vec![0; n_touchpoints],
            unmapped: FxHashMap::default(),
            segment_time: Vec::new(),
            user_segment: Vec::new(),
            segment_codes: FxHashMap::default(),
            segment_names: vec![NO_SEGMENT.to_string()],
            segments_overflow: false,
            revenue,
            latest: None,
            rows: 0,
            bad: BTreeMap::new(),
            bad_shown: 0,
        }
    }

    #[inline]
    fn row(&mut self, rec: &csv::ByteRecord, event_map: &FxHashMap<Box<[u8]>, u16>, diags: &mut Diagnostics) {
        if rec.len() != self.cols.count {
            return self.bad_row(rec, Bad::FieldCount, None, diags);
        }
        let user = &rec[self.cols.user];
        if trim(user).is_empty() {
            return self.bad_row(rec, Bad::EmptyUser, Some(self.cols.user), diags);
        }
        let Some(t) = time::parse(&rec[self.cols.time], self.src.time_format) else {
            return self.bad_row(rec, Bad::Time, Some(self.cols.time), diags);
        };
        let mut amount = None;
        if let Some(rc) = self.cols.revenue {
            let field = trim(&rec[rc]);
            if !field.is_empty() {
                match std::str::from_utf8(field).ok().and_then(|s| s.parse::<f64>().ok()) {
                    Some(v) if v.is_finite() => amount = Some(v),
                    _ => return self.bad_row(rec, Bad::Revenue, Some(rc), diags),
                }
            }
        }
        let name = trim(&rec[self.cols.event]);
        if name.is_empty() {
            return self.bad_row(rec, Bad::EmptyEvent, Some(self.cols.event), diags);
        }
        let Some(u) = self.users.intern(user) else {
            return self.bad_row(rec, Bad::EmptyUser, Some(self.cols.user), diags);
        };
        let u = u as usize;
        if u == self.segment_time.len() {
            self.segment_time.push(i64::MAX);
            self.user_segment.push(0);
            if let Some(rev) = &mut self.revenue {
                rev.user_orders.push(0);
            }
        }
        self.rows += 1;
        self.latest = Some(self.latest.map_or(t, |l| l.max(t)));
        match event_map.get(name) {
            Some(&tp) => {
                self.row_user.push(u as u32);
                self.time.push(t);
                self.touchpoint.push(tp);
                self.touchpoint_rows[tp as usize] += 1;
            }
            None => match self.unmapped.get_mut(name) {
                Some(n) => *n += 1,
                None => {
                    self.unmapped.insert(name.into(), 1);
                }
            },
        }
        if let Some(sc) = self.cols.segment {
            let seg = trim(&rec[sc]);
            // Earliest row with a value wins; on equal times the earlier line (strict <).
            if !seg.is_empty() && t < self.segment_time[u] && !self.segments_overflow {
                let code = match self.segment_codes.get(seg) {
                    Some(&c) => c,
                    None if self.segment_names.len() < MAX_SEGMENTS => {
                        let c = self.segment_names.len() as u16;
                        self.segment_codes.insert(seg.into(), c);
                        self.segment_names.push(String::from_utf8_lossy(seg).into_owned());
                        c
                    }
                    None => {
                        self.segments_overflow = true;
                        0
                    }
                };
                self.segment_time[u] = t;
                self.user_segment[u] = code;
            }
        }
        if let (Some(v), Some(rev)) = (amount, &mut self.revenue) {
            rev.orders += 1;
            rev.total += v;
            rev.user_orders[u] = rev.user_orders[u].saturating_add(1);
        }
    }

    fn bad_row(&mut self, rec: &csv::ByteRecord, why: Bad, field: Option<usize>, diags: &mut Diagnostics) {
        *self.bad.entry(why.reason()).or_default() += 1;
        if self.src.on_error == OnError::Skip || self.bad_shown >= MAX_ROW_ERRORS {
            return;
        }
        self.bad_shown += 1;
        let shown = &self.src.file.display;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        let text: Vec<String> = rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
        let column = field.map_or(1, |i| {
            1 + text[..i].iter().map(|f| f.chars().count() + 1).sum::<usize>()
        });
        let value = field.map(|i| text[i].clone()).unwrap_or_default();
        let col_name = field.map(|i| self.header[i].clone()).unwrap_or_default();
        let (message, help) = match why {
            Bad::FieldCount => (
                format!("expected {} fields, found {}", self.cols.count, rec.len()),
                Some("quote fields that contain commas".to_string()),
            ),
            Bad::EmptyUser => (format!("empty user id in column `{col_name}`"), None),
            Bad::Time => (
                format!(
                    "invalid time `{value}` in column `{col_name}`: expected {}",
                    time::expected(self.src.time_format)
                ),
                time_format_hint(&value),
            ),
            Bad::Revenue => (
                format!("invalid revenue `{value}` in column `{col_name}`: expected a decimal number or nothing"),
                value
                    .contains(',')
                    .then(|| "use a dot as the decimal separator".to_string()),
            ),
            Bad::EmptyEvent => (format!("empty event name in column `{col_name}`"), None),
        };
        diags.push(
            Diagnostic::error(message)
                .at(Location::at_line(shown, line, column, Some(text.join(","))))
                .help_opt(
                    help.or_else(|| Some("or set `on_error = \"skip\"` in [data.events] to skip bad rows".into())),
                ),
        );
    }

    fn finish(mut self, diags: &mut Diagnostics) -> Option<EventData> {
        let shown = &self.src.file.display;
        let total_bad: u64 = self.bad.values().sum();
        if total_bad > 0 {
            let reasons: Vec<String> = self.bad.iter().map(|(r, n)| format!("{n} {r}")).collect();
            if self.src.on_error == OnError::Skip {
                diags.push(
                    Diagnostic::warning(format!(
                        "skipped {total_bad} bad rows of `{shown}`: {}",
                        reasons.join(", ")
                    ))
                    .at(self.src.file.loc.clone()),
                );
            } else {
                if total_bad as usize > self.bad_shown {
                    diags.push(
                        Diagnostic::error(format!(
                            "`{shown}` has {total_bad} bad rows in all ({}); the first {} are shown",
                            reasons.join(", "),
                            self.bad_shown
                        ))
                        .at(self.src.file.loc.clone())
                        .help("fix the export, or set `on_error = \"skip\"` to skip bad rows"),
                    );
                }
                return None;
            }
        }
        if self.segments_overflow {
            diags.push(
                Diagnostic::warning(format!(
                    "the segment column has more than {MAX_SEGMENTS} distinct values; later ones count as {NO_SEGMENT}"
                ))
                .at(self
                    .src
                    .segment
                    .as_ref()
                    .map_or(self.src.file.loc.clone(), |s| s.loc.clone())),
            );
        }
        let n_users = self.users.len();
        drop(std::mem::take(&mut self.users));
        let offsets = group_by_user(n_users, self.row_user, &mut self.time, &mut self.touchpoint);
        sort_within_users(&offsets, &mut self.time, &mut self.touchpoint);
        let has_segments = self.cols.segment.is_some();
        Some(EventData {
            offsets,
            time: self.time,
            touchpoint: self.touchpoint,
            user_segment: if has_segments { self.user_segment } else { Vec::new() },
            segment_names: self.segment_names,
            revenue: self.revenue,
            touchpoint_rows: self.touchpoint_rows,
            unmapped: self
                .unmapped
                .into_iter()
                .map(|(k, v)| (String::from_utf8_lossy(&k).into_owned(), v))
                .collect(),
            latest: self.latest,
            rows: self.rows,
            skipped: self.bad,
        })
    }
}

/// A hint when a time looks like another format than the declared one.
fn time_format_hint(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let digits = v.split('.').next().unwrap_or("").len();
    let format = match digits {
        9..=11 => "unix_s",
        12..=14 => "unix_ms",
        15..=17 => "unix_us",
        _ => return None,
    };
    Some(format!(
        "this looks like a Unix time: set `time_format = \"{format}\"` in [data.events]"
    ))
}

/// Reorders the rows so that each user's are contiguous (file order kept within a user),
/// in place: `row_user` becomes each row's destination and the permutation is applied by
/// following its cycles. Returns the offsets of each user's rows.
fn group_by_user(n_users: usize, mut row_user: Vec<u32>, time: &mut [i64], touchpoint: &mut [u16]) -> Vec<u32> {
    let mut offsets = vec![0u32; n_users + 1];
    for &u in &row_user {
        offsets[u as usize + 1] += 1;
    }
    for i in 0..n_users {
        offsets[i + 1] += offsets[i];
    }
    let mut cursor = offsets.clone();
    for u in row_user.iter_mut() {
        let c = &mut cursor[*u as usize];
        *u = *c;
        *c += 1;
    }
    drop(cursor);
    let dest = &mut row_user;
    for i in 0..dest.len() {
        while dest[i] as usize != i {
            let d = dest[i] as usize;
            time.swap(i, d);
            touchpoint.swap(i, d);
            dest.swap(i, d);
        }
    }
    offsets
}

/// Sorts each user's rows by time, stably, so rows with equal times keep file order.
fn sort_within_users(offsets: &[u32], time: &mut [i64], touchpoint: &mut [u16]) {
    let mut idx: Vec<u32> = Vec::new();
    let mut tmp: Vec<(i64, u16)> = Vec::new();
    for w in offsets.windows(2) {
        let (s, e) = (w[0] as usize, w[1] as usize);
        let (t, tp) = (&mut time[s..e], &mut touchpoint[s..e]);
        if t.windows(2).all(|p| p[0] <= p[1]) {
            continue;
        }
        if t.len() <= 32 {
            // Insertion sort: stable, and fastest on the few rows most users have.
            for i in 1..t.len() {
                let mut j = i;
                while j > 0 && t[j - 1] > t[j] {
                    t.swap(j - 1, j);
                    tp.swap(j - 1, j);
                    j -= 1;
                }
            }
        } else {
            idx.clear();
            idx.extend(0..t.len() as u32);
            idx.sort_by_key(|&i| t[i as usize]);
            tmp.clear();
            tmp.extend(idx.iter().map(|&i| (t[i as usize], tp[i as usize])));
            for (k, &(a, b)) in tmp.iter().enumerate() {
                t[k] = a;
                tp[k] = b;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_keeps_file_order_within_users() {
        let users = vec![2, 0, 2, 1, 0, 2];
        let mut time = vec![10, 20, 30, 40, 50, 60];
        let mut tp = vec![0, 1, 2, 3, 4, 5];
        let offsets = group_by_user(3, users, &mut time, &mut tp);
        assert_eq!(offsets, vec![0, 2, 3, 6]);
        assert_eq!(time, vec![20, 50, 40, 10, 30, 60]);
        assert_eq!(tp, vec![1, 4, 3, 0, 2, 5]);
    }

    #[test]
    fn sorting_is_stable_for_equal_times() {
        let offsets = vec![0, 4, 44];
        let mut time: Vec<i64> = vec![5, 1, 5, 1];
        time.extend((0..40).map(|i| 40 - i / 2));
        let mut tp: Vec<u16> = (0..44).collect();
        sort_within_users(&offsets, &mut time, &mut tp);
        assert_eq!(&time[..4], &[1, 1, 5, 5]);
        assert_eq!(&tp[..4], &[1, 3, 0, 2]);
        assert!(time[4..].windows(2).all(|w| w[0] <= w[1]));
        // Within equal times, original (file) order: the larger index came first in file.
        for w in (4..44).collect::<Vec<_>>().windows(2) {
            if time[w[0]] == time[w[1]] {
                assert!(tp[w[0]] < tp[w[1]]);
            }
        }
    }

    #[test]
    fn unix_hint() {
        assert!(time_format_hint("1767607200").unwrap().contains("unix_s"));
        assert!(time_format_hint("1767607200123").unwrap().contains("unix_ms"));
        assert_eq!(time_format_hint("2026-01-05"), None);
    }
}
