//! Parquet exports (warehouse unloads, Segment, BigQuery): flat columns of strings,
//! integers, floats, decimals, booleans, dates or timestamps, and struct fields by dotted
//! path (`context.page.url`). Read with the Apache Arrow project's `parquet` crate, only the
//! columns the spec names, a batch of rows at a time.
//!
//! Each value is handed to the same decoder as a CSV field, as text: a timestamp column
//! becomes an RFC 3339 time (with `Z` when the column is stored in UTC, without an offset
//! — so read in the data's `timezone` — when it is not), so that every format is checked,
//! counted and reported by one piece of code. Errors name the row (1-based) and column.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type,
    UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Fields as ArrowFields, TimeUnit};
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ProjectionMask;

use super::{Fields, RowSink};
use crate::calendar::{civil_from_days, format_date, in_range, MICROS_PER_DAY, MICROS_PER_SEC};
use crate::data::cache::FileInput;
use crate::data::header;
use crate::diagnostics::Diagnostics;

/// The dotted path and type of every leaf column (struct fields flattened).
fn leaves(fields: &ArrowFields, prefix: &str, out: &mut Vec<(String, DataType)>) {
    for f in fields.iter() {
        let name = if prefix.is_empty() {
            f.name().clone()
        } else {
            format!("{prefix}.{}", f.name())
        };
        match f.data_type() {
            DataType::Struct(children) => leaves(children, &name, out),
            t => out.push((name, t.clone())),
        }
    }
}

pub type Builder = ParquetRecordBatchReaderBuilder<std::fs::File>;

/// Opens the file and lists its leaf columns (dotted path, type).
pub fn open(file: &FileInput, diags: &mut Diagnostics) -> Option<(Builder, Vec<(String, DataType)>)> {
    let f = match file.root.open(&file.path) {
        Ok(f) => f,
        Err(r) => {
            diags.push(header::io_error(file, &r.message(&file.shown)));
            return None;
        }
    };
    match ParquetRecordBatchReaderBuilder::try_new(f) {
        Ok(b) => {
            let mut out = Vec::new();
            leaves(b.schema().fields(), "", &mut out);
            Some((b, out))
        }
        Err(e) => {
            let help = if is_gzip(file) {
                "the file is gzip-compressed: a Parquet file compresses its own pages, so write it without gzip (or `gunzip` it)"
            } else {
                "set `format` if the file's extension says otherwise"
            };
            diags.push(header::io_error(file, &format!("not a Parquet file it can read ({e})")).help(help));
            None
        }
    }
}

fn is_gzip(file: &FileInput) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 2];
    file.root
        .open(&file.path)
        .is_ok_and(|mut f| f.read_exact(&mut magic).is_ok())
        && magic == [0x1f, 0x8b]
}

/// Whether a column of this type holds times that need no `time_format`.
pub fn is_time(t: &DataType) -> bool {
    matches!(t, DataType::Timestamp(..) | DataType::Date32 | DataType::Date64)
}

/// Reads only the columns `wanted` (indexes into `names`, the leaves of [`open`]).
pub fn batches(
    builder: Builder,
    names: &[String],
    wanted: &[usize],
) -> Result<ParquetRecordBatchReader, parquet::errors::ParquetError> {
    let roots: Vec<usize> = {
        let schema = builder.schema();
        let mut r: Vec<usize> = wanted
            .iter()
            .filter_map(|&i| {
                let root = names[i].split('.').next().unwrap_or("");
                schema.fields().iter().position(|f: &Arc<Field>| f.name() == root)
            })
            .collect();
        r.sort_unstable();
        r.dedup();
        r
    };
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    builder.with_projection(mask).with_batch_size(8192).build()
}

/// Hands every row to `sink` (until it returns false): the values of the `wanted` columns
/// as text, the others empty; the `typed_time` column, when given, as a number.
pub fn for_each_row<S: RowSink>(
    reader: ParquetRecordBatchReader,
    names: &[String],
    wanted: &[usize],
    typed_time: Option<usize>,
    sink: &mut S,
) -> std::io::Result<()> {
    std::thread::scope(|scope| {
        // Decompressing and decoding the Parquet pages takes as long as turning their
        // values into rows: a third thread does it, a few batches ahead.
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        scope.spawn(move || {
            for batch in reader {
                if tx.send(batch).is_err() {
                    return;
                }
            }
        });
        feed(rx, wanted, names, typed_time, sink)
    })
}

/// The array of a dotted path in a batch.
fn column(batch: &RecordBatch, path: &str) -> Option<ArrayRef> {
    let mut parts = path.split('.');
    let mut array = batch.column_by_name(parts.next()?)?.clone();
    for p in parts {
        let s: &StructArray = array.as_struct_opt()?;
        array = s.column_by_name(p)?.clone();
    }
    // Dictionary-encoded columns (pandas categoricals, low-cardinality strings) are read
    // as their values.
    if let DataType::Dictionary(_, values) = array.data_type() {
        return arrow_cast::cast(&array, values).ok();
    }
    Some(array)
}

struct ParquetRow<'a> {
    fields: &'a [Vec<u8>],
    row: u64,
    /// The time column and its value, when read as a number (its field is then empty).
    time: Option<(usize, (i64, bool))>,
}

impl Fields for ParquetRow<'_> {
    fn count(&self) -> usize {
        self.fields.len()
    }
    fn field(&self, i: usize) -> &[u8] {
        &self.fields[i]
    }
    fn line(&self) -> u64 {
        self.row
    }
    fn is_row_index(&self) -> bool {
        true
    }
    fn time(&self, i: usize) -> Option<(i64, bool)> {
        self.time.filter(|(c, _)| *c == i).map(|(_, t)| t)
    }
}

/// Hands the rows of the batches to the sink.
fn feed<S: RowSink>(
    batches: std::sync::mpsc::Receiver<Result<RecordBatch, arrow_schema::ArrowError>>,
    wanted: &[usize],
    names: &[String],
    typed_time: Option<usize>,
    sink: &mut S,
) -> std::io::Result<()> {
    let mut fields: Vec<Vec<u8>> = vec![Vec::new(); names.len()];
    let mut row = 0u64;
    for batch in batches {
        let batch = batch.map_err(std::io::Error::other)?;
        let arrays: Vec<(usize, ArrayRef)> = wanted
            .iter()
            .filter_map(|&i| column(&batch, &names[i]).map(|a| (i, a)))
            .collect();
        for r in 0..batch.num_rows() {
            row += 1;
            let mut time = None;
            for (i, a) in &arrays {
                let f = &mut fields[*i];
                f.clear();
                // A timestamp within the years kept goes to the decoder as a number;
                // any other value as text, which the decoder reads or reports.
                if Some(*i) == typed_time {
                    time = instant(a, r).filter(|(us, _)| in_range(*us).is_some()).map(|t| (*i, t));
                    if time.is_some() {
                        continue;
                    }
                }
                write_value(a, r, f)?;
            }
            let row = ParquetRow {
                fields: &fields,
                row,
                time,
            };
            if !sink.row(&row) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// The microseconds of a date or timestamp value, and whether they are an instant (a
/// timestamp with a zone) rather than a wall-clock time; `None` for null, another type or
/// a value that overflows.
fn instant(a: &ArrayRef, r: usize) -> Option<(i64, bool)> {
    if a.is_null(r) {
        return None;
    }
    match a.data_type() {
        DataType::Date32 => Some((
            i64::from(a.as_primitive::<Date32Type>().value(r)).checked_mul(MICROS_PER_DAY)?,
            false,
        )),
        DataType::Date64 => Some((a.as_primitive::<Date64Type>().value(r).checked_mul(1000)?, false)),
        DataType::Timestamp(unit, tz) => {
            let us = match unit {
                TimeUnit::Second => a
                    .as_primitive::<TimestampSecondType>()
                    .value(r)
                    .checked_mul(MICROS_PER_SEC)?,
                TimeUnit::Millisecond => a
                    .as_primitive::<TimestampMillisecondType>()
                    .value(r)
                    .checked_mul(1000)?,
                TimeUnit::Microsecond => a.as_primitive::<TimestampMicrosecondType>().value(r),
                TimeUnit::Nanosecond => a.as_primitive::<TimestampNanosecondType>().value(r).div_euclid(1000),
            };
            Some((us, tz.is_some()))
        }
        _ => None,
    }
}

/// Writes the text of one value (nothing for null).
fn write_value(a: &ArrayRef, r: usize, out: &mut Vec<u8>) -> std::io::Result<()> {
    use std::io::Write;
    if a.is_null(r) {
        return Ok(());
    }
    macro_rules! num {
        ($t:ty) => {
            write!(out, "{}", a.as_primitive::<$t>().value(r))
        };
    }
    match a.data_type() {
        DataType::Utf8 => out.extend_from_slice(a.as_string::<i32>().value(r).as_bytes()),
        DataType::LargeUtf8 => out.extend_from_slice(a.as_string::<i64>().value(r).as_bytes()),
        DataType::Utf8View => out.extend_from_slice(a.as_string_view().value(r).as_bytes()),
        DataType::Binary => out.extend_from_slice(a.as_binary::<i32>().value(r)),
        DataType::LargeBinary => out.extend_from_slice(a.as_binary::<i64>().value(r)),
        DataType::Boolean => write!(out, "{}", a.as_boolean().value(r))?,
        DataType::Int8 => num!(Int8Type)?,
        DataType::Int16 => num!(Int16Type)?,
        DataType::Int32 => num!(Int32Type)?,
        DataType::Int64 => num!(Int64Type)?,
        DataType::UInt8 => num!(UInt8Type)?,
        DataType::UInt16 => num!(UInt16Type)?,
        DataType::UInt32 => num!(UInt32Type)?,
        DataType::UInt64 => num!(UInt64Type)?,
        DataType::Float32 => num!(Float32Type)?,
        DataType::Float64 => num!(Float64Type)?,
        DataType::Decimal128(_, scale) => {
            write_decimal(a.as_primitive::<Decimal128Type>().value(r), *scale, out);
        }
        // A date is a calendar date (as a metrics file's `date` column is written).
        DataType::Date32 | DataType::Date64 => match instant(a, r).filter(|(us, _)| in_range(*us).is_some()) {
            Some((us, _)) => out.extend_from_slice(format_date(us.div_euclid(MICROS_PER_DAY)).as_bytes()),
            None => out.extend_from_slice(b"out-of-range"),
        },
        DataType::Timestamp(..) => match instant(a, r) {
            Some((us, utc)) => write_time(us, utc, out),
            // Out of range: text that no time format reads.
            None => out.extend_from_slice(b"out-of-range"),
        },
        other => {
            return Err(std::io::Error::other(format!(
            "a column of type {other} cannot be read (strings, numbers, booleans, decimals, dates and timestamps can)"
        )))
        }
    }
    Ok(())
}

/// `123.45` from 12345 with scale 2 (exactly, whatever the size).
fn write_decimal(v: i128, scale: i8, out: &mut Vec<u8>) {
    let digits = v.unsigned_abs().to_string();
    if v < 0 {
        out.push(b'-');
    }
    if scale <= 0 {
        out.extend_from_slice(digits.as_bytes());
        out.extend(std::iter::repeat_n(b'0', scale.unsigned_abs() as usize));
        return;
    }
    let scale = scale as usize;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    out.extend_from_slice(int.as_bytes());
    out.push(b'.');
    out.extend_from_slice(frac.as_bytes());
}

/// An RFC 3339 time to the microsecond; `utc` adds the `Z` (an instant), without it the
/// time is a wall-clock time of the data's zone. Written digit by digit: through `fmt` it
/// took a third of the time of reading a Parquet export.
fn write_time(us: i64, utc: bool, out: &mut Vec<u8>) {
    let days = us.div_euclid(MICROS_PER_DAY);
    let rest = us.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = rest / MICROS_PER_SEC;
    if !(0..=9999).contains(&y) {
        // Outside the years kept: a date no time format reads.
        use std::io::Write;
        let _ = write!(out, "{y}-{m:02}-{d:02}");
        return;
    }
    let mut b = *b"0000-00-00T00:00:00.000000Z";
    let mut put = |at: usize, width: usize, mut v: i64| {
        for k in (at..at + width).rev() {
            b[k] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, 4, y);
    put(5, 2, m);
    put(8, 2, d);
    put(11, 2, secs / 3600);
    put(14, 2, secs / 60 % 60);
    put(17, 2, secs % 60);
    put(20, 6, rest % MICROS_PER_SEC);
    out.extend_from_slice(if utc { &b[..] } else { &b[..26] });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_and_times_as_text() {
        let text = |v: i128, s: i8| {
            let mut out = Vec::new();
            write_decimal(v, s, &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(text(12345, 2), "123.45");
        assert_eq!(text(-5, 2), "-0.05");
        assert_eq!(text(7, 0), "7");
        assert_eq!(text(7, -2), "700");
        let mut out = Vec::new();
        write_time(1_767_607_200_000_001, true, &mut out);
        assert_eq!(out, b"2026-01-05T10:00:00.000001Z");
        out.clear();
        write_time(-1, false, &mut out);
        assert_eq!(out, b"1969-12-31T23:59:59.999999");
        out.clear();
        write_time(crate::calendar::FIRST, true, &mut out);
        assert_eq!(out, b"0000-01-01T00:00:00.000000Z");
        out.clear();
        write_time(crate::calendar::FIRST - 1, true, &mut out);
        assert_eq!(out, b"-1-12-31");
        out.clear();
        write_time(253_402_300_800 * MICROS_PER_SEC, true, &mut out);
        assert_eq!(out, b"10000-01-01");
    }
}
