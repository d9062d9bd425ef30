//! CSV readers for the three kinds of export a journey can reference.
//!
//! All of them accept plain or gzip-compressed files (by the `.gz` extension or the gzip
//! magic bytes), a UTF-8 byte-order mark, CRLF line ends and quoted fields.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// Columns of `[data.metrics]`, in order.
pub const METRICS_COLUMNS: &[&str] = &["date", "key", "metric", "value"];
/// Columns of `[data.cohorts]`, in order.
pub const COHORTS_COLUMNS: &[&str] = &["cohort", "period", "users"];

/// Opens a data file, decompressing gzip transparently.
pub fn open(path: &Path) -> io::Result<Box<dyn Read + Send>> {
    let file = File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(io::Error::other("is a directory"));
    }
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let gz = reader.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    if gz {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

/// The header row's column names (BOM stripped, surrounding spaces trimmed).
pub fn read_header(path: &Path) -> io::Result<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(open(path)?);
    let mut rec = csv::ByteRecord::new();
    let ok = rdr.read_byte_record(&mut rec).map_err(io::Error::other)?;
    if !ok {
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
