//! Small aggregated exports (`[data.metrics]`, `[data.cohorts]`): rows of named columns,
//! each bad value reported with file, line, column and the row's text.
//!
//! These files have thousands of rows, not millions, so clarity wins over speed here:
//! fields are decoded as strings and every problem is a located diagnostic.

use super::cache::{FileInput, Place};
use super::header;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// One data row, with what is needed to point at any of its fields.
pub struct Row<'a> {
    fields: Vec<String>,
    /// Index of each requested column in `fields`.
    columns: &'a [usize],
    file: &'a str,
    pub line: usize,
}

impl Row<'_> {
    /// The value of the `i`-th requested column, trimmed.
    pub fn get(&self, i: usize) -> &str {
        self.fields.get(self.columns[i]).map_or("", |f| f.trim())
    }

    /// The location of the `i`-th requested column, with the row as the snippet.
    pub fn loc(&self, i: usize) -> Location {
        let idx = self.columns[i];
        let column = 1 + self.fields[..idx.min(self.fields.len())]
            .iter()
            .map(|f| f.chars().count() + 1)
            .sum::<usize>();
        let mut loc = Location::at_line(self.file, self.line, column, Some(self.fields.join(",")));
        loc.width = self.fields.get(idx).map_or(1, |f| f.chars().count().max(1));
        loc
    }

    pub fn error(&self, i: usize, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(message).at(self.loc(i))
    }
}

/// Calls `f` for every data row of `file`, whose header must name `columns` (in any
/// order; a missing one is an error). Returns false when the file could not be read.
pub fn read_rows(
    file: &FileInput,
    columns: &[&str],
    diags: &mut Diagnostics,
    mut f: impl FnMut(&Row, &mut Diagnostics),
) -> bool {
    let Some((mut csv, header)) = header::open_with_header(file, diags) else {
        return false;
    };
    let named: Vec<(&str, &Place)> = columns.iter().map(|c| (*c, &file.place)).collect();
    let Some(idx) = header::find_columns(file, &header, &named, diags) else {
        return false;
    };
    let mut rec = csv::ByteRecord::new();
    loop {
        match csv.rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => return true,
            Err(e) => {
                diags.push(header::io_error(file, &e));
                return false;
            }
        }
        let row = Row {
            fields: rec.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect(),
            columns: &idx,
            file: &file.shown,
            line: csv.line_of(&rec) as usize,
        };
        // Keys, metrics and dates are compared as text: invalid bytes would merge.
        if let Some(bad) = rec.iter().position(|f| std::str::from_utf8(f).is_err()) {
            let column = 1 + row.fields[..bad].iter().map(|f| f.chars().count() + 1).sum::<usize>();
            diags.push(
                Diagnostic::error(format!(
                    "invalid UTF-8 in column `{}`",
                    header.get(bad).map_or("?", String::as_str)
                ))
                .at(Location::at_line(
                    &file.shown,
                    row.line,
                    column,
                    Some(row.fields.join(",")),
                ))
                .help("save the export as UTF-8"),
            );
            continue;
        }
        if row.fields.len() != header.len() {
            diags.push(
                Diagnostic::error(format!("expected {} fields, found {}", header.len(), row.fields.len()))
                    .at(Location::at_line(&file.shown, row.line, 1, Some(row.fields.join(","))))
                    .help_opt(
                        (row.fields.len() > header.len()).then(|| "quote fields that contain commas".to_string()),
                    ),
            );
            continue;
        }
        f(&row, diags);
    }
}
