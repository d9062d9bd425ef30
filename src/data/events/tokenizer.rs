//! Splitting an event export into rows and fields, as fast as the file can be read.
//!
//! Most exports quote nothing, so rows are split on the newlines and commas that
//! [`Delimiters`] finds 64 bytes at a time, until the first `"` appears (or a lone `\r`, or
//! a line longer than a block); from the start of that line the csv crate — which handles
//! quotes, escaped quotes and newlines inside fields — reads the rest, so quoting rules are
//! the csv crate's; line numbers are counted by [`crate::data::lines`] on both paths. Empty
//! lines are skipped, as the csv crate does.

use std::cell::RefCell;
use std::io::Read;

use crate::data::formats::{Fields, RowSink};
use crate::data::lines::{Lines, Tracked};

/// Bytes read at a time; a line longer than this goes to the csv crate.
const BLOCK: usize = 1 << 20;

/// A row from the csv crate, the reader's position after it, and where the lines of its
/// stream start.
struct CsvRow<'a> {
    rec: &'a csv::ByteRecord,
    end: u64,
    lines: &'a RefCell<Lines>,
}

impl Fields for CsvRow<'_> {
    fn count(&self) -> usize {
        self.rec.len()
    }
    fn field(&self, i: usize) -> &[u8] {
        &self.rec[i]
    }
    fn line(&self) -> u64 {
        self.lines.borrow_mut().record_line(self.end, self.rec)
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

/// Hands every row after the header to `sink`; `first_line` is the line of the first one.
/// `delimiter` is the byte between fields (`,` `;` `\t`…; never a quote or a line end).
pub fn for_each_row(
    mut input: Box<dyn Read + Send>,
    first_line: u64,
    delimiter: u8,
    sink: &mut impl RowSink,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; BLOCK];
    let (mut start, mut end) = (0usize, 0usize);
    let mut line = first_line;
    let mut ends: Vec<usize> = Vec::new();
    let mut slow = false;
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
            end += n;
        }
        // One pass over the block finds field ends, line ends and any quote, 64 bytes at a time.
        ends.clear();
        let mut line_start = 0;
        for base in (0..end).step_by(64) {
            let len = (end - base).min(64);
            let m = Delimiters::find(&buf[base..base + len], delimiter);
            // A `\r` not followed by `\n` ends a line too (old Mac files, or a stray one in
            // a field): the csv crate reads from the start of its line. The byte after the
            // chunk decides for its last `\r`; one ending what was read so far belongs to a
            // line that is read again with what follows.
            let next_is_lf = if base + len < end {
                buf[base + len] == b'\n'
            } else {
                !eof
            };
            let last = 1u64 << (len - 1);
            let lone_cr = m.cr & !(m.newline >> 1) & !(if next_is_lf { last } else { 0 });
            // Rows before a lone `\r` in this chunk are still read here.
            let before_lone = if lone_cr == 0 {
                u64::MAX
            } else {
                (1u64 << lone_cr.trailing_zeros()) - 1
            };
            let mut bits = m.any & before_lone;
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
                        if !sink.row(&row) {
                            return Ok(());
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
            if lone_cr != 0 {
                start = line_start;
                slow = true;
                break 'read;
            }
        }
        start = line_start;
        if eof {
            break;
        }
    }
    if slow {
        let rest = std::io::Cursor::new(buf[start..end].to_vec()).chain(input);
        let (tracked, lines) = Tracked::new(rest, line);
        let mut rdr = super::super::header::csv_reader(tracked, delimiter);
        let mut rec = csv::ByteRecord::new();
        while rdr.read_byte_record(&mut rec).map_err(std::io::Error::other)? {
            let end = rdr.position().byte();
            if !sink.row(&CsvRow {
                rec: &rec,
                end,
                lines: &lines,
            }) {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Where the commas, line ends, quotes and carriage returns are in up to 64 bytes: bit `i`
/// of a mask stands for byte `i`. Comparing 16 bytes at a time and then walking the set
/// bits costs far less per field than one search call per delimiter (rows have a delimiter
/// every ~10 bytes).
#[derive(Debug, Default, PartialEq)]
struct Delimiters {
    /// Commas, line ends and quotes.
    any: u64,
    newline: u64,
    quote: u64,
    cr: u64,
}

impl Delimiters {
    #[inline]
    fn find(chunk: &[u8], delimiter: u8) -> Delimiters {
        #[cfg(target_arch = "x86_64")]
        if let Ok(chunk) = chunk.try_into() {
            return Self::find_sse2(chunk, delimiter);
        }
        Self::find_scalar(chunk, delimiter)
    }

    /// SSE2 is part of every x86-64 CPU, so this needs no detection at run time.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn find_sse2(chunk: &[u8; 64], delimiter: u8) -> Delimiters {
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
        let mut d = Delimiters::default();
        for (k, part) in chunk.chunks_exact(16).enumerate() {
            // SAFETY: SSE2 is always present on x86-64; `part` is 16 readable bytes and
            // `loadu` needs no alignment.
            let (any, newline, quote, cr) = unsafe {
                let v = _mm_loadu_si128(part.as_ptr().cast());
                let newline = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8));
                let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
                let comma = _mm_cmpeq_epi8(v, _mm_set1_epi8(delimiter as i8));
                let cr = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8));
                let any = _mm_or_si128(_mm_or_si128(newline, quote), comma);
                (
                    _mm_movemask_epi8(any),
                    _mm_movemask_epi8(newline),
                    _mm_movemask_epi8(quote),
                    _mm_movemask_epi8(cr),
                )
            };
            // movemask sets the low 16 bits only.
            let shift = 16 * k;
            d.any |= u64::from(any as u16) << shift;
            d.newline |= u64::from(newline as u16) << shift;
            d.quote |= u64::from(quote as u16) << shift;
            d.cr |= u64::from(cr as u16) << shift;
        }
        d
    }

    /// For the last bytes of a block, and on CPUs other than x86-64.
    fn find_scalar(chunk: &[u8], delimiter: u8) -> Delimiters {
        let mut d = Delimiters::default();
        for (i, &b) in chunk.iter().enumerate().take(64) {
            let bit = 1u64 << i;
            match b {
                b'\n' => d.newline |= bit,
                b'"' => d.quote |= bit,
                _ if b == delimiter => {}
                b'\r' => {
                    d.cr |= bit;
                    continue;
                }
                _ => continue,
            }
            d.any |= bit;
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_arch = "x86_64")]
    proptest::proptest! {
        #[test]
        fn simd_and_scalar_delimiters_agree(bytes in proptest::collection::vec(
            proptest::sample::select(vec![b',', b';', b'\t', b'\n', b'"', b'\r', b'a', b'0', 0u8, 0xff, 0x80, 0xac]), 64),
            delimiter in proptest::sample::select(vec![b',', b';', b'\t', b'|', 0xac])) {
            let chunk: &[u8; 64] = bytes.as_slice().try_into().unwrap();
            proptest::prop_assert_eq!(Delimiters::find_sse2(chunk, delimiter), Delimiters::find_scalar(chunk, delimiter));
        }
    }

    #[test]
    fn delimiter_masks() {
        let d = Delimiters::find(b"ab,c\n\"x\",\r\n", b',');
        assert_eq!(d.any, 0b101_1011_0100);
        assert_eq!(d.newline, 0b100_0001_0000);
        assert_eq!(d.quote, 0b000_1010_0000);
        assert_eq!(d.cr, 0b010_0000_0000);
        let mut long = [b'x'; 64];
        long[0] = b',';
        long[63] = b'\n';
        let d = Delimiters::find(&long, b',');
        assert_eq!((d.any, d.newline, d.quote), (1 | 1 << 63, 1 << 63, 0));
    }

    /// Collects (line, fields) of every row.
    #[derive(Default)]
    struct Rows(Vec<(u64, Vec<String>)>);

    impl RowSink for Rows {
        fn row<F: Fields>(&mut self, row: &F) -> bool {
            let fields = (0..row.count())
                .map(|i| String::from_utf8_lossy(row.field(i)).into_owned())
                .collect();
            self.0.push((row.line(), fields));
            true
        }
    }

    fn rows(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut out = Rows::default();
        for_each_row(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            2,
            b',',
            &mut out,
        )
        .unwrap();
        out.0
    }

    #[test]
    fn plain_quoted_crlf_and_empty_lines() {
        let want = |v: &[(u64, &[&str])]| -> Vec<(u64, Vec<String>)> {
            v.iter()
                .map(|(l, f)| (*l, f.iter().map(|s| s.to_string()).collect()))
                .collect()
        };
        assert_eq!(rows("a,b\n\nc,\n"), want(&[(2, &["a", "b"]), (4, &["c", ""])]));
        assert_eq!(rows("a,b\r\nc,d"), want(&[(2, &["a", "b"]), (3, &["c", "d"])]));
        assert_eq!(
            rows("a,b\n\"c,\nd\",e\nf,g\n"),
            want(&[(2, &["a", "b"]), (3, &["c,\nd", "e"]), (5, &["f", "g"])])
        );
        assert_eq!(rows("a,b\rc,d\r"), want(&[(2, &["a", "b"]), (3, &["c", "d"])]));
        // A lone CR after rows read by the fast path, in a later line.
        assert_eq!(
            rows("a,b\nc,d\ne,f\rg,h\n"),
            want(&[(2, &["a", "b"]), (3, &["c", "d"]), (4, &["e", "f"]), (5, &["g", "h"])])
        );
        // CRLF rows, then a quoted CRLF: the lines after it stay right.
        assert_eq!(
            rows("a,b\r\n\"c\r\nd\",e\r\nf,g\r\n"),
            want(&[(2, &["a", "b"]), (3, &["c\r\nd", "e"]), (5, &["f", "g"])])
        );
    }
}
