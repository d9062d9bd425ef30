//! Decoding rows: each row's fields are checked (field count, user, time, revenue, event
//! name) and turned into what the collecting thread needs (a user id, a time, a
//! touchpoint, a segment code, a revenue amount); what does not depend on the user is
//! counted here. A bad row is an error with file, line and column — or counted by reason
//! with `on_error = "skip"`.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender};

use rustc_hash::FxHashMap;

use super::collect::Batch;
use super::matcher::{Assigned, Classes, Matcher};
use super::{EventsInput, MAX_SEGMENTS, NONE, NO_SEGMENT};
use crate::data::formats::{Fields, RowSink};
use crate::data::number::parse_scaled_with;
use crate::data::time::{self, TimeReader};
use crate::diagnostics::{Diagnostic, Location};
use crate::spec::{Decimal, OnError};
use crate::zone::Zone;

/// Errors shown one by one before the rest are summarised.
const MAX_ROW_ERRORS: usize = 20;

/// Why a row is bad; the texts are the reasons reported for skipped rows.
#[derive(Clone, Copy)]
enum Bad {
    FieldCount,
    EmptyUser,
    Time,
    Revenue,
    EmptyEvent,
    /// Event names and segment values are shown and compared as text: two invalid byte
    /// strings would print (and count, as unmapped names) as one.
    Utf8,
    /// More combinations of event names and matched touchpoints than codes.
    Classes,
}

impl Bad {
    fn reason(self) -> &'static str {
        match self {
            Bad::FieldCount => "wrong number of fields",
            Bad::EmptyUser => "empty user id",
            Bad::Time => "unparsable time",
            Bad::Revenue => "invalid revenue",
            Bad::EmptyEvent => "empty event name",
            Bad::Utf8 => "invalid UTF-8",
            Bad::Classes => "too many combinations of matched touchpoints",
        }
    }
}

/// Where the columns the reader uses are in the header.
pub struct Columns {
    pub user: usize,
    pub time: usize,
    pub event: usize,
    pub segment: Option<usize>,
    pub revenue: Option<usize>,
    /// The declared properties, in order.
    pub properties: Vec<usize>,
    pub count: usize,
}

/// What the decoding of every row needs.
pub struct Context<'a> {
    pub input: &'a EventsInput,
    pub header: Vec<String>,
    pub cols: Columns,
    pub zone: &'a Zone,
    /// The decimal separator of revenue amounts.
    point: u8,
}

impl<'a> Context<'a> {
    pub fn new(input: &'a EventsInput, header: Vec<String>, cols: Columns, zone: &'a Zone) -> Context<'a> {
        let point = match input.file.options.decimal {
            Decimal::Dot => b'.',
            Decimal::Comma => b',',
        };
        Context {
            input,
            header,
            cols,
            zone,
            point,
        }
    }
}

/// The decoding thread's state: counters of what does not depend on the user, and the
/// batch of valid rows on its way to the collecting thread.
pub struct Decoder<'a> {
    ctx: &'a Context<'a>,
    pub touchpoint_rows: Vec<u64>,
    unmapped: FxHashMap<Box<[u8]>, u64>,
    segment_codes: FxHashMap<Box<[u8]>, u16>,
    pub segment_names: Vec<String>,
    pub segments_overflow: bool,
    pub latest: Option<i64>,
    pub earliest: Option<i64>,
    pub rows: u64,
    pub bad: BTreeMap<&'static str, u64>,
    pub errors: Vec<Diagnostic>,
    /// The first bad row's error, even when bad rows are skipped.
    pub first_error: Option<Diagnostic>,
    times: TimeReader<'a>,
    matcher: Matcher<'a>,
    batch: Batch,
    /// Taken (so the channel closes and the collecting thread ends) by [`Decoder::flush`].
    full: Option<SyncSender<Batch>>,
    empty: Receiver<Batch>,
}

impl<'a> Decoder<'a> {
    pub fn new(ctx: &'a Context<'a>, full: SyncSender<Batch>, empty: Receiver<Batch>) -> Decoder<'a> {
        Decoder {
            ctx,
            touchpoint_rows: vec![0; ctx.input.touchpoints.len()],
            unmapped: FxHashMap::default(),
            segment_codes: FxHashMap::default(),
            segment_names: vec![NO_SEGMENT.to_string()],
            segments_overflow: false,
            latest: None,
            earliest: None,
            rows: 0,
            bad: BTreeMap::new(),
            errors: Vec::new(),
            first_error: None,
            times: TimeReader::new(&ctx.input.time_format, ctx.zone),
            matcher: Matcher::new(&ctx.input.touchpoints),
            batch: Batch::default(),
            full: Some(full),
            empty,
        }
    }

    /// Hands the last, partial batch over and closes the channel.
    pub fn flush(&mut self) {
        if let Some(tx) = self.full.take() {
            if !self.batch.is_empty() {
                let _ = tx.send(std::mem::take(&mut self.batch));
            }
        }
    }

    pub fn has_segment_column(&self) -> bool {
        self.ctx.cols.segment.is_some()
    }

    pub fn has_revenue_column(&self) -> bool {
        self.ctx.cols.revenue.is_some()
    }

    /// Event names no touchpoint lists, with their row counts.
    pub fn take_unmapped(&mut self) -> BTreeMap<String, u64> {
        std::mem::take(&mut self.unmapped)
            .into_iter()
            .map(|(k, v)| (String::from_utf8_lossy(&k).into_owned(), v))
            .collect()
    }

    /// The rows left for the grouped data to decide (`occurrence`).
    pub fn take_classes(&mut self) -> Classes {
        std::mem::replace(&mut self.matcher, Matcher::new(&[])).into_classes()
    }

    /// The code of a segment value not seen before ([`NONE`] past [`MAX_SEGMENTS`]).
    fn new_segment_code(&mut self, seg: &[u8]) -> u16 {
        if self.segment_names.len() >= MAX_SEGMENTS {
            self.segments_overflow = true;
            return NONE;
        }
        let c = self.segment_names.len() as u16;
        self.segment_codes.insert(seg.into(), c);
        self.segment_names.push(String::from_utf8_lossy(seg).into_owned());
        c
    }

    fn bad_row<F: Fields>(&mut self, rec: &F, why: Bad, field: Option<usize>) {
        *self.bad.entry(why.reason()).or_default() += 1;
        let input = self.ctx.input;
        let skip = input.on_error == OnError::Skip;
        if (skip && self.first_error.is_some()) || self.errors.len() >= MAX_ROW_ERRORS {
            return;
        }
        let line = rec.line() as usize;
        let (shown, column) = rec.shown(field, input.file.options.delimiter);
        let value = field
            .map(|i| String::from_utf8_lossy(rec.field(i)).into_owned())
            .unwrap_or_default();
        let col_name = field.map(|i| self.ctx.header[i].clone()).unwrap_or_default();
        let (message, help) = match why {
            Bad::FieldCount => (
                format!("expected {} fields, found {}", self.ctx.cols.count, rec.count()),
                // Only more fields than the header can be a comma inside a field.
                (rec.count() > self.ctx.cols.count).then(|| "quote fields that contain commas".to_string()),
            ),
            Bad::EmptyUser => (format!("empty user id in column `{col_name}`"), None),
            Bad::Time => (
                format!(
                    "invalid time `{value}` in column `{col_name}`: expected {}",
                    time::expected(&input.time_format)
                ),
                time::format_hint(&value, &input.time_format, "[data.events]"),
            ),
            Bad::Revenue => (
                format!("invalid revenue `{value}` in column `{col_name}`: expected a decimal number or nothing"),
                decimal_hint(&value, self.ctx.point),
            ),
            Bad::EmptyEvent => (format!("empty event name in column `{col_name}`"), None),
            Bad::Utf8 => (
                format!("invalid UTF-8 in column `{col_name}`: `{value}`"),
                Some("save the export as UTF-8".to_string()),
            ),
            Bad::Classes => (
                format!("too many combinations of matched touchpoints at event `{value}`"),
                Some("list fewer touchpoints with `occurrence` for one event name".to_string()),
            ),
        };
        let mut at = Location::at_line(&input.file.shown, line, column, Some(shown));
        if rec.is_row_index() {
            let i = field.unwrap_or(0);
            at = Location::at_row(&input.file.shown, line, i + 1, &self.ctx.header[i]);
        }
        let diagnostic = Diagnostic::error(message)
            .at(at)
            .help_opt(help.or_else(|| Some("or set `on_error = \"skip\"` in [data.events] to skip bad rows".into())));
        if skip {
            self.first_error = Some(diagnostic);
        } else {
            self.errors.push(diagnostic);
        }
    }
}

impl RowSink for Decoder<'_> {
    /// Checks and folds one row; false when the collecting thread has gone.
    #[inline]
    fn row<F: Fields>(&mut self, rec: &F) -> bool {
        let cols = &self.ctx.cols;
        if rec.count() != cols.count {
            self.bad_row(rec, Bad::FieldCount, None);
            return true;
        }
        let user = rec.field(cols.user).trim_ascii();
        if user.is_empty() {
            self.bad_row(rec, Bad::EmptyUser, Some(cols.user));
            return true;
        }
        let t = match rec.time(cols.time) {
            Some(typed) => self.times.typed(typed),
            None => self.times.parse(rec.field(cols.time)),
        };
        let Some(t) = t else {
            self.bad_row(rec, Bad::Time, Some(cols.time));
            return true;
        };
        let mut amount = None;
        if let Some(rc) = cols.revenue {
            let field = rec.field(rc).trim_ascii();
            if !field.is_empty() {
                match parse_scaled_with(field, 6, self.ctx.point) {
                    Some(v) => amount = Some(v),
                    None => {
                        self.bad_row(rec, Bad::Revenue, Some(rc));
                        return true;
                    }
                }
            }
        }
        let name = rec.field(cols.event).trim_ascii();
        if name.is_empty() {
            self.bad_row(rec, Bad::EmptyEvent, Some(cols.event));
            return true;
        }
        // Names and values are checked for UTF-8 when first seen (known ones are), with
        // one look-up per row: the segment's code, then the event's touchpoint or count.
        let seg = cols
            .segment
            .map(|sc| rec.field(sc).trim_ascii())
            .filter(|s| !s.is_empty());
        let known_segment = match seg {
            Some(s) => match self.segment_codes.get(s) {
                Some(&c) => Some(c),
                None if std::str::from_utf8(s).is_err() => {
                    self.bad_row(rec, Bad::Utf8, cols.segment);
                    return true;
                }
                None => None,
            },
            None => Some(NONE),
        };
        let props = &cols.properties;
        let assigned = self.matcher.assign(name, |k| rec.field(props[k]).trim_ascii());
        let tp = match assigned {
            Assigned::Touchpoint(tp) => {
                self.touchpoint_rows[tp as usize] += 1;
                tp
            }
            Assigned::Class(code) => code,
            Assigned::Overflow => {
                self.bad_row(rec, Bad::Classes, Some(cols.event));
                return true;
            }
            Assigned::Unmapped => {
                match self.unmapped.get_mut(name) {
                    Some(n) => *n += 1,
                    None if std::str::from_utf8(name).is_err() => {
                        self.bad_row(rec, Bad::Utf8, Some(cols.event));
                        return true;
                    }
                    None => {
                        self.unmapped.insert(name.into(), 1);
                    }
                }
                NONE
            }
        };
        self.rows += 1;
        self.latest = Some(self.latest.map_or(t, |l| l.max(t)));
        self.earliest = Some(self.earliest.map_or(t, |l| l.min(t)));
        let segment = match (known_segment, seg) {
            (Some(c), _) => c,
            (None, Some(s)) => self.new_segment_code(s),
            (None, None) => NONE,
        };
        if self.batch.push(user, t, tp, segment, amount, rec.line()) {
            let next = self.empty.try_recv().unwrap_or_default();
            let batch = std::mem::replace(&mut self.batch, next);
            return self.full.as_ref().is_some_and(|tx| tx.send(batch).is_ok());
        }
        true
    }
}

/// A hint for an amount written with the other decimal separator.
fn decimal_hint(value: &str, point: u8) -> Option<String> {
    let other = if point == b'.' { ',' } else { '.' };
    let digits_around = |v: &str| {
        v.split_once(other)
            .is_some_and(|(a, b)| a.bytes().any(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit()))
    };
    digits_around(value.trim()).then(|| format!("this amount uses `{other}` as its decimal separator: set `decimal = \"{other}\"` where the spec names this file"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::cache::{FileInput, Place};
    use crate::spec::TimeFormat;

    fn input() -> EventsInput {
        EventsInput {
            file: FileInput {
                path: "e.csv".into(),
                root: crate::files::Root::new(std::path::Path::new(".")).unwrap(),
                shown: "e.csv".into(),
                place: Place(Location::file("j.toml")),
                options: Default::default(),
            },
            user: super::super::Column::named("u"),
            time: super::super::Column::named("t"),
            event: super::super::Column::named("e"),
            segment: None,
            revenue: None,
            time_format: TimeFormat::Rfc3339,
            timezone: "UTC".into(),
            on_error: OnError::Fail,
            properties: vec![],
            touchpoints: vec![],
        }
    }

    /// The segment table tells 59,999 values apart (code 0 is "no segment"), however
    /// long they are and whatever they share, and gives "none" to the values after them.
    #[test]
    fn segment_codes_up_to_the_limit() {
        let input = input();
        let utc = Zone::utc();
        let ctx = Context::new(
            &input,
            vec![],
            Columns {
                user: 0,
                time: 1,
                event: 2,
                segment: None,
                revenue: None,
                properties: vec![],
                count: 3,
            },
            &utc,
        );
        let (full, _full_rx) = std::sync::mpsc::sync_channel(1);
        let (_empty_tx, empty) = std::sync::mpsc::channel();
        let mut d = Decoder::new(&ctx, full, empty);
        let value = |i: usize| format!("value-{i:06}-of-the-segment-column");
        let code_of = |d: &mut Decoder, v: &str| match d.segment_codes.get(v.as_bytes()) {
            Some(&c) => c,
            None => d.new_segment_code(v.as_bytes()),
        };
        for i in 0..MAX_SEGMENTS + 1 {
            let code = code_of(&mut d, &value(i));
            if i < MAX_SEGMENTS - 1 {
                assert_eq!(code as usize, i + 1);
            } else {
                assert_eq!(code, NONE, "value {i}");
            }
        }
        assert!(d.segments_overflow);
        assert_eq!(code_of(&mut d, &value(7)), 8, "known values keep their code");
        assert_eq!(d.segment_names.len(), MAX_SEGMENTS);
    }
}
