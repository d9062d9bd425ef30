//! Event exports in Parquet: which columns to read, and a timestamp or date column taken
//! as the time itself (no `time_format`).

use super::{columns, decode, EventData, EventsInput};
use crate::data::formats::parquet;
use crate::data::header;
use crate::diagnostics::Diagnostics;
use crate::spec::TimeFormat;

pub fn check_header(input: &EventsInput, diags: &mut Diagnostics) {
    if let Some((_, leaves)) = parquet::open(&input.file, diags) {
        let names: Vec<String> = leaves.into_iter().map(|(n, _)| n).collect();
        columns(input, &names, diags);
    }
}

pub fn read(input: &EventsInput, diags: &mut Diagnostics) -> Option<EventData> {
    let (builder, leaves) = parquet::open(&input.file, diags)?;
    let names: Vec<String> = leaves.iter().map(|(n, _)| n.clone()).collect();
    let cols = columns(input, &names, diags)?;
    let cols_time = cols.time;
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
    let typed_time = parquet::is_time(&leaves[cols.time].1);
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
    let reader = match parquet::batches(builder, &names, &wanted) {
        Ok(r) => r,
        Err(e) => {
            diags.push(header::io_error(&input.file, &e));
            return None;
        }
    };
    decode(input, names.clone(), cols, diags, |decoder| {
        parquet::for_each_row(reader, &names, &wanted, typed_time.then_some(cols_time), decoder)
    })
}
