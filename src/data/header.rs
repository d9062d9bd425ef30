//! Opening a data file and checking its header row against the columns the spec names.

use std::cell::RefCell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

use super::cache::{FileInput, Place};
use super::lines::{Lines, Tracked};
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics};
use crate::files::Refusal;
use crate::spec::FileFormat;

/// Opens a data file — a regular file inside the project — decompressing gzip
/// transparently. A refusal is an error at the place the spec names the file.
pub fn open(file: &FileInput) -> Result<Box<dyn Read + Send>, Diagnostic> {
    let f = file.root.open(&file.path).map_err(|r| refusal(file, &r))?;
    decompress(Box::new(f)).map_err(|e| io_error(file, &e))
}

fn refusal(file: &FileInput, r: &Refusal) -> Diagnostic {
    match r {
        Refusal::Io(e) => {
            let help = (!file.path.exists()).then(|| {
                format!(
                    "the path is relative to the project root; `{}` does not exist",
                    file.shown
                )
            });
            io_error(file, e).help_opt(help)
        }
        r => file.error(r.message(&file.shown)).help_opt(r.help().map(String::from)),
    }
}

/// Buffers a reader, decompressing it when it starts with the gzip magic bytes.
pub fn decompress(raw: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut reader = BufReader::with_capacity(1 << 17, raw);
    let gz = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    if gz {
        Ok(Box::new(BufReader::with_capacity(
            1 << 17,
            flate2::read::MultiGzDecoder::new(reader),
        )))
    } else {
        Ok(Box::new(reader))
    }
}

/// A CSV reader that leaves the header row and field counts to us.
pub fn csv_reader<R: Read>(r: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 17)
        .from_reader(r)
}

/// Reads the header row of an open CSV reader: column names with a UTF-8 byte-order mark
/// stripped and surrounding spaces trimmed. An empty file is an error.
fn read_header_row<R: Read>(rdr: &mut csv::Reader<R>) -> io::Result<Vec<String>> {
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).map_err(io::Error::other)? {
        return Err(io::Error::other("the file is empty (no header row)"));
    }
    Ok(rec
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let f = if i == 0 {
                f.strip_prefix(b"\xef\xbb\xbf").unwrap_or(f)
            } else {
                f
            };
            String::from_utf8_lossy(f).trim().to_string()
        })
        .collect())
}

/// "cannot read data file `x`: …", at the place the spec names the file.
pub fn io_error(file: &FileInput, e: &dyn std::fmt::Display) -> Diagnostic {
    file.error(format!("cannot read data file `{}`: {e}", file.shown))
}

/// A CSV data file being read: the csv crate's reader over the (decompressed) file, and
/// where its lines start (the csv crate's own line numbers are wrong for lone `\r` ends).
pub struct CsvFile {
    pub rdr: csv::Reader<Tracked<Box<dyn Read + Send>>>,
    lines: Rc<RefCell<Lines>>,
}

impl CsvFile {
    /// The line where `rec`, the record just read, starts.
    pub fn line_of(&self, rec: &csv::ByteRecord) -> u64 {
        self.lines.borrow_mut().record_line(self.rdr.position().byte(), rec)
    }
}

/// Opens `file` and reads its header row; the reader is left at the first data row.
pub fn open_with_header(file: &FileInput, diags: &mut Diagnostics) -> Option<(CsvFile, Vec<String>)> {
    let opened = open(file).and_then(|r| {
        let (tracked, lines) = Tracked::new(r, 1);
        let mut rdr = csv_reader(tracked, file.options.delimiter);
        let header = read_header_row(&mut rdr).map_err(|e| io_error(file, &e))?;
        Ok((CsvFile { rdr, lines }, header))
    });
    match opened {
        Ok(o) => Some(o),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// The position of each named column in `header`; every missing one is an error at the
/// place the spec names it.
pub fn find_columns(
    file: &FileInput,
    header: &[String],
    columns: &[(&str, &Place)],
    diags: &mut Diagnostics,
) -> Option<Vec<usize>> {
    let mut found = Vec::with_capacity(columns.len());
    for (name, place) in columns {
        match header.iter().position(|h| h == name) {
            Some(i) => found.push(i),
            None => {
                // Where the names come from: the header row, the first object, the schema.
                let (whence, hint) = match file.options.format {
                    FileFormat::Csv => ("the header", delimiter_hint(file, header)),
                    FileFormat::Jsonl => ("the first object", None),
                    FileFormat::Parquet => ("the columns", None),
                };
                let help = hint
                    .or_else(|| did_you_mean(name, header.iter().map(String::as_str)))
                    .unwrap_or_else(|| format!("{whence} of `{}` is: {}", file.shown, header.join(",")));
                diags.push(
                    Diagnostic::error(format!("column `{name}` not found in {whence} of `{}`", file.shown))
                        .at(place.0.clone())
                        .help(help),
                );
            }
        }
    }
    (found.len() == columns.len()).then_some(found)
}

/// A header read as one column that another delimiter would split: the file is not
/// separated by the delimiter the spec says.
fn delimiter_hint(file: &FileInput, header: &[String]) -> Option<String> {
    let [only] = header else { return None };
    let (found, shown) = [(';', ";"), ('\t', "\\t"), ('|', "|"), (',', ",")]
        .into_iter()
        .find(|(c, _)| *c as u8 != file.options.delimiter && only.contains(*c))?;
    let what = if found == '\t' {
        "tabs".to_string()
    } else {
        format!("`{found}`")
    };
    Some(format!(
        "the header is separated by {what}: set `delimiter = \"{shown}\"` where the spec names this file"
    ))
}
