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
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::tokenizer::{Fields, RowSink};
use super::{columns, decode, EventData, EventsInput};
use crate::calendar::{civil_from_days, MICROS_PER_DAY, MICROS_PER_SEC};
use crate::data::header;
use crate::diagnostics::Diagnostics;
use crate::spec::TimeFormat;

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

type Builder = ParquetRecordBatchReaderBuilder<std::fs::File>;

fn open(input: &EventsInput, diags: &mut Diagnostics) -> Option<(Builder, Vec<(String, DataType)>)> {
    let file = &input.file;
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
            diags.push(
                header::io_error(file, &format!("not a Parquet file it can read ({e})"))
                    .help("set `format` if the file's extension says otherwise"),
            );
            None
        }
    }
}

pub fn check_header(input: &EventsInput, diags: &mut Diagnostics) {
    if let Some((_, leaves)) = open(input, diags) {
        let names: Vec<String> = leaves.into_iter().map(|(n, _)| n).collect();
        columns(input, &names, diags);
    }
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
}

pub fn read(input: &EventsInput, diags: &mut Diagnostics) -> Option<EventData> {
    let (builder, leaves) = open(input, diags)?;
    let names: Vec<String> = leaves.iter().map(|(n, _)| n.clone()).collect();
    let cols = columns(input, &names, diags)?;
    let mut wanted: Vec<usize> = [
        Some(cols.user),
        Some(cols.time),
        Some(cols.event),
        cols.segment,
        cols.revenue,
    ]
    .into_iter()
    .flatten()
    .chain(cols.properties.iter().copied())
    .collect();
    wanted.sort_unstable();
    wanted.dedup();
    // A timestamp or date column is an instant (or a wall-clock time): no `time_format`.
    let typed_time = matches!(
        leaves[cols.time].1,
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64
    );
    let retyped;
    let input = if typed_time {
        retyped = EventsInput {
            time_format: TimeFormat::Rfc3339,
            ..input.clone()
        };
        &retyped
    } else {
        input
    };
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
    let reader = match builder.with_projection(mask).with_batch_size(8192).build() {
        Ok(r) => r,
        Err(e) => {
            diags.push(header::io_error(&input.file, &e));
            return None;
        }
    };
    let n = names.len();
    decode(input, names.clone(), cols, diags, |decoder| {
        let mut fields: Vec<Vec<u8>> = vec![Vec::new(); n];
        let mut row = 0u64;
        for batch in reader {
            let batch = batch.map_err(std::io::Error::other)?;
            let arrays: Vec<(usize, ArrayRef)> = wanted
                .iter()
                .filter_map(|&i| column(&batch, &names[i]).map(|a| (i, a)))
                .collect();
            for r in 0..batch.num_rows() {
                row += 1;
                for (i, a) in &arrays {
                    let f = &mut fields[*i];
                    f.clear();
                    write_value(a, r, f)?;
                }
                if !decoder.row(&ParquetRow { fields: &fields, row }) {
                    return Ok(());
                }
            }
        }
        Ok(())
    })
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
        DataType::Date32 => {
            let days = i64::from(a.as_primitive::<Date32Type>().value(r));
            write_time(days * MICROS_PER_DAY, false, out);
        }
        DataType::Date64 => match a.as_primitive::<Date64Type>().value(r).checked_mul(1000) {
            Some(us) => write_time(us, false, out),
            None => out.extend_from_slice(b"out-of-range"),
        },
        DataType::Timestamp(unit, tz) => {
            let us = match unit {
                TimeUnit::Second => a
                    .as_primitive::<TimestampSecondType>()
                    .value(r)
                    .checked_mul(MICROS_PER_SEC),
                TimeUnit::Millisecond => a.as_primitive::<TimestampMillisecondType>().value(r).checked_mul(1000),
                TimeUnit::Microsecond => Some(a.as_primitive::<TimestampMicrosecondType>().value(r)),
                TimeUnit::Nanosecond => Some(a.as_primitive::<TimestampNanosecondType>().value(r).div_euclid(1000)),
            };
            match us {
                Some(us) => write_time(us, tz.is_some(), out),
                // Out of range: left as a number, which no time format reads.
                None => out.extend_from_slice(b"out-of-range"),
            }
        }
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
/// time is a wall-clock time of the data's zone.
fn write_time(us: i64, utc: bool, out: &mut Vec<u8>) {
    use std::io::Write;
    let days = us.div_euclid(MICROS_PER_DAY);
    let rest = us.rem_euclid(MICROS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let secs = rest / MICROS_PER_SEC;
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}{}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        rest % MICROS_PER_SEC,
        if utc { "Z" } else { "" }
    );
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
    }
}
