//! The file formats every data kind is read from: CSV (the events' fast tokenizer, or the
//! csv crate for small tables), JSON lines and Parquet. A format hands its rows to a
//! [`RowSink`] as [`Fields`], so that events, metrics and cohorts each decode and report
//! values in one place whatever the file's format.

pub mod jsonl;
pub mod parquet;

/// A row's fields, whichever format and reader produced them.
pub trait Fields {
    fn count(&self) -> usize;
    fn field(&self, i: usize) -> &[u8];
    /// 1-based line of the row in the file.
    fn line(&self) -> u64;

    /// The row as written, and the 1-based column where field `i` starts (the first one
    /// without `i`), for messages. CSV rows are their fields joined by the delimiter.
    fn shown(&self, i: Option<usize>, delimiter: u8) -> (String, usize) {
        let text: Vec<String> = (0..self.count())
            .map(|k| String::from_utf8_lossy(self.field(k)).into_owned())
            .collect();
        let column = i.map_or(1, |i| {
            1 + text[..i].iter().map(|f| f.chars().count() + 1).sum::<usize>()
        });
        (text.join(&char::from(delimiter).to_string()), column)
    }

    /// Field `i` as a time already read (microseconds, and whether they are an instant
    /// rather than a wall-clock time of the data's zone): a Parquet timestamp column.
    fn time(&self, _i: usize) -> Option<(i64, bool)> {
        None
    }

    /// What to call the row's place in messages: "line" (CSV, JSON lines) or "row" (Parquet).
    fn is_row_index(&self) -> bool {
        false
    }
}

/// Takes the rows one by one; `false` stops the reading.
pub trait RowSink {
    fn row<F: Fields>(&mut self, row: &F) -> bool;
}
