//! Line numbers and line lengths of a CSV stream read by the csv crate.
//!
//! The csv crate counts lines by `\n` only, and not the same way inside quoted fields
//! with CRLF: a file with lone `\r` line ends (classic Mac OS) had every error on line 1,
//! and one after a quoted CRLF was off by one. [`Tracked`] sees every byte the csv crate
//! reads and notes where each line starts — after `\n`, `\r\n` or a lone `\r` — so the line
//! of any record start is exact. It also refuses a line longer than [`MAX_LINE`], which
//! would otherwise grow the csv crate's buffer without bound (a 1 MB gzip can hold a 1 GiB
//! header line).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read};
use std::rc::Rc;

/// The longest line a data file may have.
pub const MAX_LINE: u64 = 16 << 20;

/// Where lines start in the bytes read so far, from the first not yet asked for.
pub struct Lines {
    /// Bytes read so far.
    read: u64,
    /// Offsets of line starts not yet passed by [`Lines::line_of`].
    starts: VecDeque<u64>,
    /// Offset of a `\r` that ended the last chunk (a `\n` may follow in the next).
    pending_cr: Option<u64>,
    /// The line holding the last offset asked for.
    line: u64,
    /// Where the current line starts.
    current: u64,
}

impl Lines {
    /// Offsets count from the start of the stream; `first_line` is the line holding it.
    fn new(first_line: u64) -> Lines {
        Lines {
            read: 0,
            starts: VecDeque::new(),
            pending_cr: None,
            line: first_line,
            current: 0,
        }
    }

    fn start(&mut self, at: u64) -> io::Result<()> {
        if at - self.current > MAX_LINE {
            return Err(self.too_long());
        }
        self.current = at;
        self.starts.push_back(at);
        Ok(())
    }

    fn too_long(&self) -> io::Error {
        let line = self.line + self.starts.len() as u64;
        io::Error::other(format!(
            "line {line} is longer than {} MiB: is this a CSV file? (a field may hold line ends only when quoted)",
            MAX_LINE >> 20
        ))
    }

    fn scan(&mut self, chunk: &[u8]) -> io::Result<()> {
        let base = self.read;
        let mut from = 0;
        // After `\r\n` the csv crate starts the next record at the `\n` (the `\r` ended
        // the record): the line starts there for it.
        if let Some(cr) = self.pending_cr.take() {
            if chunk.first() == Some(&b'\n') {
                self.start(base)?;
                from = 1;
            } else {
                self.start(cr + 1)?;
            }
        }
        let mut after_cr = false;
        for i in memchr::memchr2_iter(b'\n', b'\r', &chunk[from..]).map(|i| i + from) {
            if chunk[i] == b'\n' {
                if !std::mem::take(&mut after_cr) {
                    self.start(base + i as u64 + 1)?;
                }
            } else if i + 1 == chunk.len() {
                self.pending_cr = Some(base + i as u64);
            } else if chunk[i + 1] == b'\n' {
                self.start(base + i as u64 + 1)?;
                after_cr = true;
            } else {
                self.start(base + i as u64 + 1)?;
            }
        }
        self.read += chunk.len() as u64;
        if self.read - self.current > MAX_LINE {
            return Err(self.too_long());
        }
        Ok(())
    }

    /// The line where a record starts, given the reader's position after it (`end`): the
    /// line of its last byte, less the line ends inside its (quoted) fields. (The csv
    /// crate's record positions include the empty lines it skipped before the record.)
    pub fn record_line(&mut self, end: u64, rec: &csv::ByteRecord) -> u64 {
        let inside: u64 = rec.iter().map(line_ends).sum();
        self.line_of(end.saturating_sub(1)) - inside
    }

    /// The line holding the byte at `offset`; offsets asked for must not decrease.
    pub fn line_of(&mut self, offset: u64) -> u64 {
        while self.starts.front().is_some_and(|&s| s <= offset) {
            self.starts.pop_front();
            self.line += 1;
        }
        self.line
    }
}

/// Line ends in `bytes`: `\n`, `\r\n` and a lone `\r` each count once (a `\r` last
/// counts: what follows is not in `bytes`).
pub fn line_ends(bytes: &[u8]) -> u64 {
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&i| bytes[i] == b'\r' || i == 0 || bytes[i - 1] != b'\r')
        .count() as u64
}

/// A reader that notes line starts in a shared [`Lines`].
pub struct Tracked<R> {
    inner: R,
    lines: Rc<RefCell<Lines>>,
}

impl<R: Read> Tracked<R> {
    pub fn new(inner: R, first_line: u64) -> (Tracked<R>, Rc<RefCell<Lines>>) {
        let lines = Rc::new(RefCell::new(Lines::new(first_line)));
        (
            Tracked {
                inner,
                lines: lines.clone(),
            },
            lines,
        )
    }
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.lines.borrow_mut().scan(&buf[..n])?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of every record start, read through `Tracked` in chunks of `chunk` bytes.
    fn lines_of(text: &[u8], chunk: usize) -> Vec<u64> {
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let (r, lines) = Tracked::new(Chunks(text, chunk), 1);
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(r);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            out.push(lines.borrow_mut().record_line(rdr.position().byte(), &rec));
        }
        out
    }

    #[test]
    fn lines_of_every_kind_of_line_end() {
        for chunk in [1, 2, 3, 7, 1 << 16] {
            assert_eq!(lines_of(b"a\nb\nc\n", chunk), vec![1, 2, 3], "LF, chunks of {chunk}");
            assert_eq!(lines_of(b"a\r\nb\r\nc", chunk), vec![1, 2, 3], "CRLF");
            assert_eq!(lines_of(b"a\rb\rc\r", chunk), vec![1, 2, 3], "lone CR");
            assert_eq!(lines_of(b"a,\"x\r\ny\"\r\nb\r\n", chunk), vec![1, 3], "quoted CRLF");
            assert_eq!(lines_of(b"a,\"x\ny\"\nb\n", chunk), vec![1, 3], "quoted LF");
            assert_eq!(lines_of(b"a,\"x\ry\"\rb\r", chunk), vec![1, 3], "quoted lone CR");
            assert_eq!(lines_of(b"a\n\n\nb\r\n\r\nc", chunk), vec![1, 4, 6], "empty lines");
            assert_eq!(lines_of(b"\"a\rb\",c\r\r\n\"d\ne\r\nf\"\n", chunk), vec![1, 4], "mixed");
        }
    }

    #[test]
    fn a_line_longer_than_the_limit_is_an_error() {
        let mut long = vec![b'x'; MAX_LINE as usize + 2];
        long.push(b'\n');
        let (mut r, _) = Tracked::new(&long[..], 1);
        let err = std::io::copy(&mut r, &mut std::io::sink()).unwrap_err();
        assert!(err.to_string().contains("line 1 is longer than 16 MiB"), "{err}");
        let ok = vec![b'y'; 1000];
        let (mut r, _) = Tracked::new(&ok[..], 1);
        assert_eq!(std::io::copy(&mut r, &mut std::io::sink()).unwrap(), 1000);
    }
}

#[cfg(test)]
mod line_end_tests {
    #[test]
    fn each_kind_counts_once() {
        assert_eq!(super::line_ends(b"a\nb\r\nc\rd"), 3);
        assert_eq!(super::line_ends(b"\r\n\r\n"), 2);
        assert_eq!(super::line_ends(b"x\r"), 1);
        assert_eq!(super::line_ends(b"\n"), 1);
        assert_eq!(super::line_ends(b"abc"), 0);
    }
}
