//! The streaming reader of event exports (`[data.events]`).
//!
//! One pass over the file keeps only what the KPIs need, in a compact layout: for each row
//! of a mapped event, a `u32` user, an `i64` time (µs) and a `u16` touchpoint; everything
//! else (unmapped names, revenue, segments, per-touchpoint row counts, the latest time) is
//! folded into counters as it streams by. The rows are then grouped by user (a counting
//! sort, once the user-id table is freed so that its copy does not raise peak memory) and
//! sorted by time within each user, so the KPI code walks one contiguous slice per user.

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
    /// More distinct segment values than can be told apart; the rest count as none.
    pub segments_overflow: bool,
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
/// Rows per batch handed from the parsing thread to the collecting thread.
const BATCH_ROWS: usize = 8192;
const NONE: u16 = u16::MAX;

struct Columns {
    user: usize,
    time: usize,
    event: usize,
    segment: Option<usize>,
    revenue: Option<usize>,
    count: usize,
}

/// What both threads of a read share.
struct Context<'a> {
    src: &'a EventsSource,
    header: Vec<String>,
    cols: Columns,
    event_map: FxHashMap<Box<[u8]>, u16>,
    n_touchpoints: usize,
}

/// Reads the events of `journey` (which must have `[data.events]`).
///
/// Two threads share the work: one parses CSV rows and everything that does not depend on
/// the user (times, event names, segments, revenue, bad rows), the other interns user ids
/// and stores rows. They exchange batches of valid rows through a bounded channel.
pub fn read(journey: &Journey, diags: &mut Diagnostics) -> Option<EventData> {
    let src = journey.events.as_ref()?;
    let file = &src.file;
    let shown = file.display.as_str();
    let io_error = |e: &dyn std::fmt::Display| {
        Diagnostic::error(format!("cannot read data file `{shown}`: {e}")).at(file.loc.clone())
    };
    let size = std::fs::metadata(&file.path).map(|m| m.len()).unwrap_or(0);
    // The header is parsed by the csv crate (it may be quoted); the rows are then read from
    // a second stream that starts right after it, by the fast tokenizer.
    let mut head = match super::open(&file.path) {
        Ok(r) => super::csv_reader(r),
        Err(e) => {
            diags.push(io_error(&e));
            return None;
        }
    };
    let header = match super::read_header_row(&mut head) {
        Ok(h) => h,
        Err(e) => {
            diags.push(io_error(&e));
            return None;
        }
    };
    let (header_end, first_line) = (head.position().byte(), head.position().line());
    drop(head);
    let progress = progress_bar(size, shown);
    let body = std::fs::File::open(&file.path).and_then(|f| {
        let raw: Box<dyn Read + Send> = match &progress {
            Some(pb) => Box::new(pb.wrap_read(f)),
            None => Box::new(f),
        };
        let mut r = super::decompress(raw)?;
        std::io::copy(&mut (&mut r).take(header_end), &mut std::io::sink())?;
        Ok(r)
    });
    let body = match body {
        Ok(r) => r,
        Err(e) => {
            diags.push(io_error(&e));
            return None;
        }
    };
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
    let ctx = Context {
        src,
        header,
        cols,
        event_map: event_map(journey),
        n_touchpoints: journey.touchpoints().count(),
    };
    let (parsed, collected) = std::thread::scope(|scope| {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Batch>(4);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Batch>();
        let collector = scope.spawn(move || collect(full_rx, empty_tx));
        let parsed = parse_rows(&ctx, body, first_line, full_tx, empty_rx).map(|mut p| {
            p.flush();
            p
        });
        (parsed, collector.join())
    });
    if let Some(pb) = progress {
        pb.finish_and_clear();
    }
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            diags.push(io_error(&e));
            return None;
        }
    };
    let Ok(collected) = collected else {
        diags.push(io_error(&"the reading thread stopped unexpectedly"));
        return None;
    };
    crate::timed("group by user", || finish(&ctx, parsed, collected, diags))
}

/// Valid rows on their way from the parsing thread to the collecting thread.
#[derive(Default)]
struct Batch {
    /// The user ids, concatenated; row i's ends at `id_ends[i]`.
    ids: Vec<u8>,
    id_ends: Vec<u32>,
    time: Vec<i64>,
    /// Touchpoint index, or [`NONE`] for an unmapped event.
    touchpoint: Vec<u16>,
    /// Segment code, or [`NONE`] when the row has no segment value.
    segment: Vec<u16>,
    /// Revenue in micro-units, when the row is an order.
    revenue: Vec<Option<i64>>,
}

impl Batch {
    fn clear(&mut self) {
        self.ids.clear();
        self.id_ends.clear();
        self.time.clear();
        self.touchpoint.clear();
        self.segment.clear();
        self.revenue.clear();
    }
}

/// What the parsing thread finds: everything that does not depend on the user.
struct Parsed {
    touchpoint_rows: Vec<u64>,
    unmapped: FxHashMap<Box<[u8]>, u64>,
    segment_codes: FxHashMap<Box<[u8]>, u16>,
    segment_names: Vec<String>,
    segments_overflow: bool,
    latest: Option<i64>,
    rows: u64,
    bad: BTreeMap<&'static str, u64>,
    errors: Vec<Diagnostic>,
    dates: time::DateCache,
    /// Valid rows not yet handed to the collecting thread.
    batch: Batch,
    /// Taken (so the channel closes and the collecting thread ends) by [`Parsed::flush`].
    full: Option<std::sync::mpsc::SyncSender<Batch>>,
    empty: std::sync::mpsc::Receiver<Batch>,
}

/// A row's fields, whichever tokenizer produced them.
trait Fields {
    fn count(&self) -> usize;
    fn field(&self, i: usize) -> &[u8];
    /// 1-based line of the row in the file.
    fn line(&self) -> u64;
}

/// A row from the csv crate; `base` is the file line before the reader's first line.
struct CsvRow<'a> {
    rec: &'a csv::ByteRecord,
    base: u64,
}

impl Fields for CsvRow<'_> {
    fn count(&self) -> usize {
        self.rec.len()
    }
    fn field(&self, i: usize) -> &[u8] {
        &self.rec[i]
    }
    fn line(&self) -> u64 {
        self.base + self.rec.position().map_or(0, |p| p.line())
    }
}

/// A row without quotes: the line and where each field ends.
struct PlainRow<'a> {
    bytes: &'a [u8],
    ends: &'a [usize],
    line: u64,
}

impl Fields for PlainRow<'_> {
    fn count(&self) -> usize {
        self.ends.len()
    }
    fn field(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] + 1 };
        &self.bytes[start..self.ends[i]]
    }
    fn line(&self) -> u64 {
        self.line
    }
}

/// Reads every row after the header. Most exports quote nothing, so rows are split on
/// newlines and commas found by [`Delimiters`] until the first `"` appears in the data (or
/// the first block read has lone `\r` line ends); from the start of the line holding it, the
/// csv crate (which handles quotes, escaped quotes and newlines inside fields) reads the
/// rest. Empty lines are skipped, like the csv crate does.
fn parse_rows(
    ctx: &Context,
    mut input: Box<dyn Read + Send>,
    first_line: u64,
    full: std::sync::mpsc::SyncSender<Batch>,
    empty: std::sync::mpsc::Receiver<Batch>,
) -> Result<Parsed, std::io::Error> {
    let mut p = Parsed {
        touchpoint_rows: vec![0; ctx.n_touchpoints],
        unmapped: FxHashMap::default(),
        segment_codes: FxHashMap::default(),
        segment_names: vec![NO_SEGMENT.to_string()],
        segments_overflow: false,
        latest: None,
        rows: 0,
        bad: BTreeMap::new(),
        errors: Vec::new(),
        dates: time::DateCache::default(),
        batch: Batch::default(),
        full: Some(full),
        empty,
    };
    let mut buf = vec![0u8; 1 << 20];
    let (mut start, mut end) = (0usize, 0usize);
    let mut line = first_line;
    let mut ends: Vec<usize> = Vec::with_capacity(ctx.cols.count + 1);
    let mut slow = false;
    let mut first_read = true;
    'read: loop {
        // Keep the partial line, make room, read more.
        buf.copy_within(start..end, 0);
        end -= start;
        start = 0;
        if end == buf.len() {
            // A line longer than the buffer (or a file of lone-`\r` lines): the csv crate.
            slow = true;
            break;
        }
        let n = input.read(&mut buf[end..])?;
        let eof = n == 0;
        if eof {
            if end == 0 {
                break;
            }
            buf[end] = b'\n'; // the last line has no newline
            end += 1;
        } else {
            let lone_cr = first_read && has_lone_cr(&buf[end..end + n]);
            first_read = false;
            end += n;
            if lone_cr {
                slow = true;
                break;
            }
        }
        // One pass over the block finds field ends, line ends and any quote, 64 bytes at a time.
        ends.clear();
        let mut line_start = 0;
        for base in (0..end).step_by(64) {
            let m = Delimiters::find(&buf[base..end.min(base + 64)]);
            let mut bits = m.any;
            while bits != 0 {
                let bit = bits.trailing_zeros();
                bits &= bits - 1;
                let i = base + bit as usize;
                if (m.newline | m.quote) >> bit & 1 == 0 {
                    ends.push(i - line_start);
                } else if m.newline >> bit & 1 == 1 {
                    let bytes = &buf[line_start..i];
                    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
                    if !bytes.is_empty() {
                        ends.push(bytes.len());
                        let row = PlainRow {
                            bytes,
                            ends: &ends,
                            line,
                        };
                        if !p.row(ctx, &row) {
                            return Ok(p);
                        }
                    }
                    ends.clear();
                    line += 1;
                    line_start = i + 1;
                } else {
                    start = line_start;
                    slow = true;
                    break 'read;
                }
            }
        }
        start = line_start;
        if eof {
            break;
        }
    }
    if slow {
        let rest = std::io::Cursor::new(buf[start..end].to_vec()).chain(input);
        let mut rdr = super::csv_reader(rest);
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).map_err(std::io::Error::other)? {
            if !p.row(
                ctx,
                &CsvRow {
                    rec: &rec,
                    base: line - 1,
                },
            ) {
                return Ok(p);
            }
        }
    }
    Ok(p)
}

/// Where the commas, line ends and quotes are in up to 64 bytes: bit `i` of a mask stands
/// for byte `i`. Comparing 16 bytes at a time and then walking the set bits costs far less
/// per field than one search call per delimiter (rows have a delimiter every ~10 bytes).
#[derive(Debug, Default, PartialEq)]
struct Delimiters {
    /// Commas, line ends and quotes.
    any: u64,
    newline: u64,
    quote: u64,
}

impl Delimiters {
    #[inline]
    fn find(chunk: &[u8]) -> Delimiters {
        #[cfg(target_arch = "x86_64")]
        if let Ok(chunk) = chunk.try_into() {
            return Self::find_sse2(chunk);
        }
        Self::find_scalar(chunk)
    }

    /// SSE2 is part of every x86-64 CPU, so this needs no detection at run time.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn find_sse2(chunk: &[u8; 64]) -> Delimiters {
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
        let mut d = Delimiters::default();
        for (k, part) in chunk.chunks_exact(16).enumerate() {
            // SAFETY: SSE2 is always present on x86-64; `part` is 16 readable bytes and
            // `loadu` needs no alignment.
            let (any, newline, quote) = unsafe {
                let v = _mm_loadu_si128(part.as_ptr().cast());
                let newline = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8));
                let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
                let comma = _mm_cmpeq_epi8(v, _mm_set1_epi8(b',' as i8));
                let any = _mm_or_si128(_mm_or_si128(newline, quote), comma);
                (
                    _mm_movemask_epi8(any),
                    _mm_movemask_epi8(newline),
                    _mm_movemask_epi8(quote),
                )
            };
            // movemask sets the low 16 bits only.
            let shift = 16 * k;
            d.any |= u64::from(any as u16) << shift;
            d.newline |= u64::from(newline as u16) << shift;
            d.quote |= u64::from(quote as u16) << shift;
        }
        d
    }

    /// For the last bytes of a block, and on CPUs other than x86-64.
    fn find_scalar(chunk: &[u8]) -> Delimiters {
        let mut d = Delimiters::default();
        for (i, &b) in chunk.iter().enumerate().take(64) {
            let bit = 1u64 << i;
            match b {
                b'\n' => d.newline |= bit,
                b'"' => d.quote |= bit,
                b',' => {}
                _ => continue,
            }
            d.any |= bit;
        }
        d
    }
}

/// Old Mac files end lines with a lone `\r`; the csv crate reads them, the fast path not.
fn has_lone_cr(chunk: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', chunk).any(|i| chunk.get(i + 1).is_some_and(|&b| b != b'\n'))
}

impl Parsed {
    /// Checks and folds one row; false when the collecting thread has gone.
    #[inline]
    fn row<F: Fields>(&mut self, ctx: &Context, rec: &F) -> bool {
        let cols = &ctx.cols;
        if rec.count() != cols.count {
            self.bad_row(ctx, rec, Bad::FieldCount, None);
            return true;
        }
        let user = rec.field(cols.user).trim_ascii();
        if user.is_empty() {
            self.bad_row(ctx, rec, Bad::EmptyUser, Some(cols.user));
            return true;
        }
        let Some(t) = time::parse_cached(rec.field(cols.time), ctx.src.time_format, &mut self.dates) else {
            self.bad_row(ctx, rec, Bad::Time, Some(cols.time));
            return true;
        };
        let mut amount = None;
        if let Some(rc) = cols.revenue {
            let field = rec.field(rc).trim_ascii();
            if !field.is_empty() {
                match parse_micros(field) {
                    Some(v) => amount = Some(v),
                    None => {
                        self.bad_row(ctx, rec, Bad::Revenue, Some(rc));
                        return true;
                    }
                }
            }
        }
        let name = rec.field(cols.event).trim_ascii();
        if name.is_empty() {
            self.bad_row(ctx, rec, Bad::EmptyEvent, Some(cols.event));
            return true;
        }
        self.rows += 1;
        self.latest = Some(self.latest.map_or(t, |l| l.max(t)));
        let tp = match ctx.event_map.get(name) {
            Some(&tp) => {
                self.touchpoint_rows[tp as usize] += 1;
                tp
            }
            None => {
                match self.unmapped.get_mut(name) {
                    Some(n) => *n += 1,
                    None => {
                        self.unmapped.insert(name.into(), 1);
                    }
                }
                NONE
            }
        };
        let segment = match cols.segment.map(|sc| rec.field(sc).trim_ascii()) {
            Some(seg) if !seg.is_empty() => self.segment_code(seg),
            _ => NONE,
        };
        let b = &mut self.batch;
        b.ids.extend_from_slice(user);
        b.id_ends.push(b.ids.len() as u32);
        b.time.push(t);
        b.touchpoint.push(tp);
        b.segment.push(segment);
        b.revenue.push(amount);
        if b.time.len() == BATCH_ROWS {
            let next = self.empty.try_recv().unwrap_or_default();
            let batch = std::mem::replace(&mut self.batch, next);
            return self.full.as_ref().is_some_and(|tx| tx.send(batch).is_ok());
        }
        true
    }

    /// Hands the last, partial batch over and closes the channel.
    fn flush(&mut self) {
        if let Some(tx) = self.full.take() {
            if !self.batch.time.is_empty() {
                let _ = tx.send(std::mem::take(&mut self.batch));
            }
        }
    }

    fn segment_code(&mut self, seg: &[u8]) -> u16 {
        if let Some(&c) = self.segment_codes.get(seg) {
            return c;
        }
        if self.segment_names.len() >= MAX_SEGMENTS {
            self.segments_overflow = true;
            return NONE;
        }
        let c = self.segment_names.len() as u16;
        self.segment_codes.insert(seg.into(), c);
        self.segment_names.push(String::from_utf8_lossy(seg).into_owned());
        c
    }

    fn bad_row<F: Fields>(&mut self, ctx: &Context, rec: &F, why: Bad, field: Option<usize>) {
        *self.bad.entry(why.reason()).or_default() += 1;
        if ctx.src.on_error == OnError::Skip || self.errors.len() >= MAX_ROW_ERRORS {
            return;
        }
        let shown = &ctx.src.file.display;
        let line = rec.line() as usize;
        let text: Vec<String> = (0..rec.count())
            .map(|i| String::from_utf8_lossy(rec.field(i)).into_owned())
            .collect();
        let column = field.map_or(1, |i| {
            1 + text[..i].iter().map(|f| f.chars().count() + 1).sum::<usize>()
        });
        let value = field.map(|i| text[i].clone()).unwrap_or_default();
        let col_name = field.map(|i| ctx.header[i].clone()).unwrap_or_default();
        let format = ctx.src.time_format;
        let (message, help) = match why {
            Bad::FieldCount => (
                format!("expected {} fields, found {}", ctx.cols.count, rec.count()),
                Some("quote fields that contain commas".to_string()),
            ),
            Bad::EmptyUser => (format!("empty user id in column `{col_name}`"), None),
            Bad::Time => (
                format!(
                    "invalid time `{value}` in column `{col_name}`: expected {}",
                    time::expected(format)
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
        self.errors.push(
            Diagnostic::error(message)
                .at(Location::at_line(shown, line, column, Some(text.join(","))))
                .help_opt(
                    help.or_else(|| Some("or set `on_error = \"skip\"` in [data.events] to skip bad rows".into())),
                ),
        );
    }
}

/// What the collecting thread builds: users and the rows of mapped events.
#[derive(Default)]
struct Collected {
    users: Interner,
    // Per mapped row, in file order until `group_by_user`.
    row_user: Vec<u32>,
    time: Vec<i64>,
    touchpoint: Vec<u16>,
    // Per user: the time and code of the earliest row with a segment.
    segment_time: Vec<i64>,
    user_segment: Vec<u16>,
    user_orders: Vec<u8>,
    /// Micro-units: exact, whatever the order of the rows.
    revenue_total: i64,
    revenue_orders: u64,
}

fn collect(full: std::sync::mpsc::Receiver<Batch>, empty: std::sync::mpsc::Sender<Batch>) -> Collected {
    let mut c = Collected::default();
    for mut batch in full {
        let mut start = 0;
        for i in 0..batch.time.len() {
            let end = batch.id_ends[i] as usize;
            let id = &batch.ids[start..end];
            start = end;
            let Some(u) = c.users.intern(id) else { continue };
            let u = u as usize;
            if u == c.segment_time.len() {
                c.segment_time.push(i64::MAX);
                c.user_segment.push(0);
                c.user_orders.push(0);
            }
            let t = batch.time[i];
            let tp = batch.touchpoint[i];
            if tp != NONE {
                c.row_user.push(u as u32);
                c.time.push(t);
                c.touchpoint.push(tp);
            }
            let seg = batch.segment[i];
            // Earliest row with a value wins; on equal times the earlier line (strict <).
            if seg != NONE && t < c.segment_time[u] {
                c.segment_time[u] = t;
                c.user_segment[u] = seg;
            }
            if let Some(v) = batch.revenue[i] {
                c.revenue_orders += 1;
                c.revenue_total = c.revenue_total.saturating_add(v);
                c.user_orders[u] = c.user_orders[u].saturating_add(1);
            }
        }
        batch.clear();
        let _ = empty.send(batch);
    }
    c
}

fn finish(ctx: &Context, mut p: Parsed, mut c: Collected, diags: &mut Diagnostics) -> Option<EventData> {
    let src = ctx.src;
    let shown = &src.file.display;
    let total_bad: u64 = p.bad.values().sum();
    if total_bad > 0 && src.on_error == OnError::Fail {
        let reasons: Vec<String> = p.bad.iter().map(|(r, n)| format!("{n} {r}")).collect();
        let shown_count = p.errors.len();
        diags.items.append(&mut p.errors);
        if total_bad as usize > shown_count {
            diags.push(
                Diagnostic::error(format!(
                    "`{shown}` has {total_bad} bad rows in all ({}); the first {shown_count} are shown",
                    reasons.join(", "),
                ))
                .at(src.file.loc.clone())
                .help("fix the export, or set `on_error = \"skip\"` to skip bad rows"),
            );
        }
        return None;
    }
    let n_users = c.users.len();
    drop(std::mem::take(&mut c.users));
    drop(std::mem::take(&mut c.segment_time));
    let (offsets, time, touchpoint) = group_by_user(n_users, &c.row_user, &c.time, &c.touchpoint);
    drop((c.row_user, c.time, c.touchpoint));
    Some(EventData {
        offsets,
        time,
        touchpoint,
        user_segment: if ctx.cols.segment.is_some() {
            c.user_segment
        } else {
            Vec::new()
        },
        segment_names: p.segment_names,
        revenue: ctx.cols.revenue.map(|_| Revenue {
            orders: c.revenue_orders,
            total: c.revenue_total as f64 / 1e6,
            user_orders: c.user_orders,
        }),
        touchpoint_rows: p.touchpoint_rows,
        unmapped: p
            .unmapped
            .into_iter()
            .map(|(k, v)| (String::from_utf8_lossy(&k).into_owned(), v))
            .collect(),
        latest: p.latest,
        rows: p.rows,
        skipped: p.bad,
        segments_overflow: p.segments_overflow,
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

/// A decimal number (`-12`, `12.5`, `+0.99`) in millionths, exactly; more than six
/// decimals are rounded half away from zero.
fn parse_micros(s: &[u8]) -> Option<i64> {
    let (neg, s) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match s.iter().position(|&b| b == b'.') {
        Some(p) => (&s[..p], &s[p + 1..]),
        None => (s, &s[s.len()..]),
    };
    if (int.is_empty() && frac.is_empty()) || !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for &b in int {
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    let mut micros: i64 = 0;
    for i in 0..6 {
        micros = micros * 10 + frac.get(i).map_or(0, |&b| i64::from(b - b'0'));
    }
    if frac.get(6).is_some_and(|&b| b >= b'5') {
        micros += 1;
    }
    let v = v.checked_mul(1_000_000)?.checked_add(micros)?;
    Some(if neg { -v } else { v })
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

/// Groups the rows by user (a counting sort; file order kept within a user), then sorts
/// each user's rows by time. The rows are scattered into new vectors rather than permuted
/// in place: the scatter's writes do not depend on one another, so the CPU overlaps their
/// cache misses, where following a permutation's cycles waits for one miss after another.
/// The copy fits in the memory the user-id table held until just before. Two threads share
/// the work, each the rows of half of the users. Returns the offsets of each user's rows.
fn group_by_user(n_users: usize, row_user: &[u32], time: &[i64], touchpoint: &[u16]) -> (Vec<u32>, Vec<i64>, Vec<u16>) {
    let mut offsets = vec![0u32; n_users + 1];
    for &u in row_user {
        offsets[u as usize + 1] += 1;
    }
    for i in 0..n_users {
        offsets[i + 1] += offsets[i];
    }
    let mut grouped_time = vec![0i64; time.len()];
    let mut grouped_tp = vec![0u16; touchpoint.len()];
    let mid = n_users / 2;
    let split = offsets[mid] as usize;
    let (time_lo, time_hi) = grouped_time.split_at_mut(split);
    let (tp_lo, tp_hi) = grouped_tp.split_at_mut(split);
    let rows = (row_user, time, touchpoint);
    std::thread::scope(|s| {
        s.spawn(|| group_part(0, &offsets[..=mid], rows, time_lo, tp_lo));
        group_part(mid as u32, &offsets[mid..], rows, time_hi, tp_hi);
    });
    (offsets, grouped_time, grouped_tp)
}

/// Groups and sorts the rows of the users from `first` on whose `offsets` are given (the
/// output slices start at row `offsets[0]`); every row is read, only theirs are written.
fn group_part(first: u32, offsets: &[u32], rows: (&[u32], &[i64], &[u16]), time: &mut [i64], touchpoint: &mut [u16]) {
    let base = offsets[0];
    let mut cursor: Vec<u32> = offsets[..offsets.len() - 1].iter().map(|&o| o - base).collect();
    let users = cursor.len() as u32;
    let (row_user, row_time, row_tp) = rows;
    for ((&u, &t), &tp) in row_user.iter().zip(row_time).zip(row_tp) {
        let k = u.wrapping_sub(first);
        if k < users {
            let c = &mut cursor[k as usize];
            time[*c as usize] = t;
            touchpoint[*c as usize] = tp;
            *c += 1;
        }
    }
    sort_within_users(offsets, time, touchpoint);
}

/// Sorts each user's rows by time, stably, so rows with equal times keep file order.
/// `time` and `touchpoint` start at row `offsets[0]`.
fn sort_within_users(offsets: &[u32], time: &mut [i64], touchpoint: &mut [u16]) {
    let mut idx: Vec<u32> = Vec::new();
    let mut tmp: Vec<(i64, u16)> = Vec::new();
    let base = offsets.first().copied().unwrap_or(0);
    for w in offsets.windows(2) {
        let (s, e) = ((w[0] - base) as usize, (w[1] - base) as usize);
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
        let (offsets, time, tp) = group_by_user(3, &users, &[10, 20, 30, 40, 50, 60], &[0, 1, 2, 3, 4, 5]);
        assert_eq!(offsets, vec![0, 2, 3, 6]);
        assert_eq!(time, vec![20, 50, 40, 10, 30, 60]);
        assert_eq!(tp, vec![1, 4, 3, 0, 2, 5]);
    }

    #[test]
    fn grouping_sorts_each_users_rows_by_time_in_both_halves() {
        // Users 0 and 1 are grouped by one thread, 2 and 3 by the other.
        let users = vec![3, 0, 1, 3, 0, 2, 3, 1];
        let time = [30, 20, 7, 10, 10, 1, 20, 5];
        let (offsets, time, tp) = group_by_user(4, &users, &time, &[0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(offsets, vec![0, 2, 4, 5, 8]);
        assert_eq!(time, vec![10, 20, 5, 7, 1, 10, 20, 30]);
        assert_eq!(tp, vec![4, 1, 7, 2, 5, 3, 6, 0]);
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

    #[cfg(target_arch = "x86_64")]
    proptest::proptest! {
        #[test]
        fn simd_and_scalar_delimiters_agree(bytes in proptest::collection::vec(
            proptest::sample::select(vec![b',', b'\n', b'"', b'\r', b'a', b'0', 0u8, 0xff, 0x80, 0xac]), 64)) {
            let chunk: &[u8; 64] = bytes.as_slice().try_into().unwrap();
            proptest::prop_assert_eq!(Delimiters::find_sse2(chunk), Delimiters::find_scalar(chunk));
        }
    }

    #[test]
    fn delimiter_masks() {
        let d = Delimiters::find(b"ab,c\n\"x\",\r\n");
        assert_eq!(d.any, 0b101_1011_0100);
        assert_eq!(d.newline, 0b100_0001_0000);
        assert_eq!(d.quote, 0b000_1010_0000);
        let mut long = [b'x'; 64];
        long[0] = b',';
        long[63] = b'\n';
        let d = Delimiters::find(&long);
        assert_eq!((d.any, d.newline, d.quote), (1 | 1 << 63, 1 << 63, 0));
    }

    #[test]
    fn decimals_in_micros() {
        assert_eq!(parse_micros(b"12.5"), Some(12_500_000));
        assert_eq!(parse_micros(b"-0.99"), Some(-990_000));
        assert_eq!(parse_micros(b"+7"), Some(7_000_000));
        assert_eq!(parse_micros(b".5"), Some(500_000));
        assert_eq!(parse_micros(b"1.0000005"), Some(1_000_001));
        assert_eq!(parse_micros(b"0.1234564"), Some(123_456));
        for bad in [
            &b""[..],
            b"-",
            b".",
            b"1,5",
            b"1e3",
            b"12.5.1",
            b"abc",
            b"99999999999999999999",
        ] {
            assert_eq!(parse_micros(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn unix_hint() {
        assert!(time_format_hint("1767607200").unwrap().contains("unix_s"));
        assert!(time_format_hint("1767607200123").unwrap().contains("unix_ms"));
        assert_eq!(time_format_hint("2026-01-05"), None);
    }
}
