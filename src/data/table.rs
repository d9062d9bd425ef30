//! Small aggregated exports (`[data.metrics]`, `[data.cohorts]`): rows of named columns
//! from a CSV, JSON-lines or Parquet file, each bad value reported with file, line and
//! column under the row's text (for Parquet: the row's number and the column's name).
//!
//! These files have thousands of rows, not millions, so clarity wins over speed here:
//! values are decoded as strings and every problem is a located diagnostic.

use super::cache::{FileInput, Place};
use super::formats::{jsonl, parquet, Fields, RowSink};
use super::header;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::spec::FileFormat;

/// One data row, with what is needed to point at any of its requested values (worked
/// out only for a message).
pub struct Row<'a> {
    /// The requested columns' values, trimmed.
    values: Vec<String>,
    rec: &'a dyn Fields,
    /// Index of each requested column among the row's fields, and its name.
    idx: &'a [usize],
    names: &'a [&'a str],
    file: &'a FileInput,
}

impl Row<'_> {
    /// The value of the `i`-th requested column, trimmed.
    pub fn get(&self, i: usize) -> &str {
        &self.values[i]
    }

    /// "line 12", or "row 12" in a Parquet file.
    pub fn place(&self) -> String {
        let what = if self.rec.is_row_index() { "row" } else { "line" };
        format!("{what} {}", self.rec.line())
    }

    /// The location of the `i`-th requested column, with the row as the snippet.
    pub fn loc(&self, i: usize) -> Location {
        locate(self.rec, self.file, self.idx[i], self.names[i])
    }

    pub fn error(&self, i: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(message).at(self.loc(i))
    }
}

/// Where field `field` (named `name`) of a row is: its line and column under the row's
/// text, or for Parquet the row's number and the column's.
fn locate(rec: &dyn Fields, file: &FileInput, field: usize, name: &str) -> Location {
    let line = rec.line() as usize;
    if rec.is_row_index() {
        return Location::at_row(&file.shown, line, field + 1, name);
    }
    let (text, column) = rec.shown(Some(field), file.options.delimiter);
    let mut loc = Location::at_line(&file.shown, line, column, Some(text));
    loc.width = String::from_utf8_lossy(rec.field(field)).chars().count().max(1);
    loc
}

/// A file opened for reading its rows.
enum Opened {
    Csv(header::CsvFile),
    Jsonl,
    Parquet(parquet::Builder),
}

/// Opens `file` and lists its column names: its header row (CSV), the dotted paths of its
/// first object (JSON lines) or its leaf columns (Parquet).
fn open(file: &FileInput, diags: &mut Diagnostics) -> Option<(Opened, Vec<String>)> {
    match file.options.format {
        FileFormat::Csv => header::open_with_header(file, diags).map(|(c, h)| (Opened::Csv(c), h)),
        FileFormat::Jsonl => jsonl::first_paths(file, diags).map(|p| (Opened::Jsonl, p)),
        FileFormat::Parquet => parquet::open(file, diags)
            .map(|(b, leaves)| (Opened::Parquet(b), leaves.into_iter().map(|(n, _)| n).collect())),
    }
}

/// Where `columns` are among the file's names; an error for each one missing, at the
/// place the spec names it.
fn find(file: &FileInput, names: &[String], columns: &[(&str, &Place)], diags: &mut Diagnostics) -> Option<Vec<usize>> {
    header::find_columns(file, names, columns, diags)
}

/// The columns of a file whose columns are fixed by its kind (metrics, cohorts): the spec
/// names them where it names the file.
fn fixed<'a>(file: &'a FileInput, columns: &[&'a str]) -> Vec<(&'a str, &'a Place)> {
    columns.iter().map(|c| (*c, &file.place)).collect()
}

/// Checks that a file whose columns are fixed by its kind (metrics, cohorts) has them.
pub fn check_columns(file: &FileInput, columns: &[&str], diags: &mut Diagnostics) {
    check_named_columns(file, &fixed(file, columns), diags);
}

/// Checks that a file has the columns a spec names (at the given places).
pub fn check_named_columns(file: &FileInput, columns: &[(&str, &Place)], diags: &mut Diagnostics) {
    if let Some((_, names)) = open(file, diags) {
        find(file, &names, columns, diags);
    }
}

/// Turns each row a format hands over into a [`Row`] of the requested columns.
struct Sink<'a, F> {
    file: &'a FileInput,
    names: &'a [String],
    columns: &'a [&'a str],
    /// Index of each requested column among the row's fields.
    idx: &'a [usize],
    /// CSV only: the number of fields every row must have.
    width: Option<usize>,
    /// What `f` reports.
    diags: Diagnostics,
    f: F,
}

impl<F: FnMut(&Row, &mut Diagnostics)> RowSink for Sink<'_, F> {
    fn row<R: Fields>(&mut self, rec: &R) -> bool {
        // Keys, metrics and dates are compared as text: invalid bytes would merge.
        if let Some(bad) = (0..rec.count()).find(|&i| std::str::from_utf8(rec.field(i)).is_err()) {
            let name = self.names.get(bad).map_or("?", |n| n);
            self.diags.push(
                Diagnostic::error(format!("invalid UTF-8 in column `{name}`"))
                    .at(locate(rec, self.file, bad, name))
                    .help("save the export as UTF-8"),
            );
            return true;
        }
        if let Some(width) = self.width.filter(|w| *w != rec.count()) {
            let (text, _) = rec.shown(None, self.file.options.delimiter);
            self.diags.push(
                Diagnostic::error(format!("expected {width} fields, found {}", rec.count()))
                    .at(Location::at_line(&self.file.shown, rec.line() as usize, 1, Some(text)))
                    .help_opt((rec.count() > width).then(|| "quote fields that contain commas".to_string())),
            );
            return true;
        }
        let row = Row {
            values: self
                .idx
                .iter()
                .map(|&i| String::from_utf8_lossy(rec.field(i)).trim().to_string())
                .collect(),
            rec,
            idx: self.idx,
            names: self.columns,
            file: self.file,
        };
        (self.f)(&row, &mut self.diags);
        true
    }
}

/// A record of the csv crate and the line it starts on.
struct CsvRecord<'a> {
    rec: &'a csv::ByteRecord,
    line: u64,
}

impl Fields for CsvRecord<'_> {
    fn count(&self) -> usize {
        self.rec.len()
    }
    fn field(&self, i: usize) -> &[u8] {
        &self.rec[i]
    }
    fn line(&self) -> u64 {
        self.line
    }
}

/// Calls `f` for every data row of `file`, which must have `columns` (in any order; a
/// missing one is an error). Returns false when the file could not be read.
pub fn read_rows(
    file: &FileInput,
    columns: &[&str],
    diags: &mut Diagnostics,
    f: impl FnMut(&Row, &mut Diagnostics),
) -> bool {
    read_named_rows(file, &fixed(file, columns), diags, f)
}

/// [`read_rows`] of columns named by the spec at the given places.
pub fn read_named_rows(
    file: &FileInput,
    named: &[(&str, &Place)],
    diags: &mut Diagnostics,
    f: impl FnMut(&Row, &mut Diagnostics),
) -> bool {
    let columns: Vec<&str> = named.iter().map(|(c, _)| *c).collect();
    let columns = columns.as_slice();
    let Some((opened, names)) = open(file, diags) else {
        return false;
    };
    let Some(idx) = find(file, &names, named, diags) else {
        return false;
    };
    // JSON lines are read for the requested paths only: the row's fields are those.
    let (names, idx) = match opened {
        Opened::Jsonl => (
            columns.iter().map(|c| c.to_string()).collect(),
            (0..columns.len()).collect(),
        ),
        _ => (names, idx),
    };
    let mut sink = Sink {
        file,
        names: &names,
        columns,
        idx: &idx,
        width: matches!(opened, Opened::Csv(_)).then_some(names.len()),
        diags: Diagnostics::default(),
        f,
    };
    let mut seen = jsonl::Seen::default();
    let read = match opened {
        Opened::Csv(csv) => read_csv(csv, &mut sink).map_err(|e| header::io_error(file, &e)),
        Opened::Jsonl => jsonl::open(file).and_then(|body| {
            jsonl::for_each_row(body, &file.shown, &names, &mut sink, &mut seen).map_err(|e| header::io_error(file, &e))
        }),
        Opened::Parquet(builder) => parquet::batches(builder, &names, &idx)
            .map_err(|e| header::io_error(file, &e))
            .and_then(|reader| {
                parquet::for_each_row(reader, &names, &idx, None, &mut sink).map_err(|e| header::io_error(file, &e))
            }),
    };
    diags.items.append(&mut sink.diags.items);
    let ok = seen.bad_lines.is_empty();
    diags.items.extend(seen.bad_lines);
    match read {
        Ok(()) => ok,
        Err(d) => {
            diags.push(d);
            false
        }
    }
}

fn read_csv<S: RowSink>(mut csv: header::CsvFile, sink: &mut S) -> csv::Result<()> {
    let mut rec = csv::ByteRecord::new();
    while csv.rdr.read_byte_record(&mut rec)? {
        let line = csv.line_of(&rec);
        if !sink.row(&CsvRecord { rec: &rec, line }) {
            break;
        }
    }
    Ok(())
}
