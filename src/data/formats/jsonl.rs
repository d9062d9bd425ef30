//! JSON-lines exports (Mixpanel, Amplitude, PostHog's API): one object per line, and a
//! column is a dotted path into it (`properties.distinct_id`).
//!
//! Each line is deserialized against a tree of the wanted paths: only their values are
//! kept (as the exact text of the JSON value, strings unescaped), everything else is
//! skipped without being built, so a line with a hundred properties costs little more than
//! its bytes. The values then go through the same decoder as CSV fields: numbers and
//! strings are both accepted wherever a time, an amount or a property is expected.
//! Events, metrics and cohorts all read JSON lines through [`for_each_row`].

use std::fmt;
use std::io::Read;
use std::ops::Range;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{Fields, RowSink};
use crate::data::cache::FileInput;
use crate::data::header;
use crate::data::lines::MAX_LINE;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// The wanted paths, as a tree of keys.
#[derive(Default, Debug)]
struct Node {
    /// The column whose value is this node's.
    column: Option<usize>,
    children: Vec<(String, Node)>,
}

impl Node {
    fn of(paths: &[String]) -> Node {
        let mut root = Node::default();
        for (i, p) in paths.iter().enumerate() {
            let mut n = &mut root;
            for key in p.split('.') {
                let k = match n.children.iter().position(|(c, _)| c == key) {
                    Some(k) => k,
                    None => {
                        n.children.push((key.to_string(), Node::default()));
                        n.children.len() - 1
                    }
                };
                n = &mut n.children[k].1;
            }
            n.column.get_or_insert(i);
        }
        root
    }
}

/// Reads one object into `out`: where each column's raw value is in the line.
struct Object<'t, 'o> {
    node: &'t Node,
    out: &'o mut [Option<Range<usize>>],
    /// The address of the line's first byte: values are located from it.
    base: usize,
    /// Set when the value was an object.
    is_object: &'o mut bool,
}

impl<'de> DeserializeSeed<'de> for Object<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// A key, as the index of the child it names.
struct Key<'t>(&'t Node);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Option<usize>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = Option<usize>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, k: &str) -> Result<Option<usize>, E> {
        // Keys are short: compared inline, a call to `memcmp` per key cost more.
        let k = k.as_bytes();
        Ok(self
            .0
            .children
            .iter()
            .position(|(c, _)| c.len() == k.len() && c.bytes().zip(k).all(|(a, b)| a == *b)))
    }
}

macro_rules! ignore_scalars {
    ($($f:ident: $t:ty),*) => {
        $(fn $f<E: de::Error>(self, _: $t) -> Result<(), E> { Ok(()) })*
    };
}

impl<'de> Visitor<'de> for Object<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        *self.is_object = true;
        while let Some(k) = map.next_key_seed(Key(self.node))? {
            match k.map(|k| &self.node.children[k].1) {
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
                Some(child) => match child.column {
                    Some(c) => {
                        let raw = map.next_value::<&'de RawValue>()?.get();
                        let start = raw.as_ptr() as usize - self.base;
                        self.out[c] = Some(start..start + raw.len());
                    }
                    None => {
                        let mut nested = false;
                        map.next_value_seed(Object {
                            node: child,
                            out: &mut *self.out,
                            base: self.base,
                            is_object: &mut nested,
                        })?
                    }
                },
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    ignore_scalars!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Where a field's text is.
#[derive(Clone, Copy)]
enum Text {
    /// Bytes of the line: a string without escapes (its characters), a number or boolean
    /// as written, an object or array as its JSON; empty for `null` or an absent key.
    Line(usize, usize),
    /// A string with escapes, unescaped into the batch's scratch bytes.
    Unescaped(usize, usize),
}

/// The text of the value at `range` of `line` (see [`Text`]); an escaped string is
/// unescaped at the end of `scratch`.
fn text(line: &str, range: Option<Range<usize>>, scratch: &mut Vec<u8>) -> Text {
    let Some(range) = range else { return Text::Line(0, 0) };
    let s = &line[range.clone()];
    match s.as_bytes().first() {
        Some(b'"') if !s.contains('\\') => Text::Line(range.start + 1, range.end - 1),
        Some(b'"') => match serde_json::from_str::<String>(s) {
            Ok(v) => {
                let start = scratch.len();
                scratch.extend_from_slice(v.as_bytes());
                Text::Unescaped(start, scratch.len())
            }
            Err(_) => Text::Line(range.start, range.end),
        },
        Some(b'n') => Text::Line(0, 0),
        _ => Text::Line(range.start, range.end),
    }
}

/// Lines parsed by the reading thread, handed to the rows' thread a few hundred KiB at a
/// time (and handed back to be reused).
#[derive(Default)]
struct Batch {
    /// The lines, one after another.
    text: Vec<u8>,
    /// Per line: its number and where it is in `text`.
    lines: Vec<(u64, Range<usize>)>,
    /// Per line, per wanted path: the field's text.
    fields: Vec<Text>,
    /// Per line, per wanted path: where its raw value is in the line.
    values: Vec<Option<Range<usize>>>,
    scratch: Vec<u8>,
}

impl Batch {
    fn clear(&mut self) {
        self.text.clear();
        self.lines.clear();
        self.fields.clear();
        self.values.clear();
        self.scratch.clear();
    }
}

/// Text of a batch to hand over.
const BATCH_BYTES: usize = 256 << 10;

struct JsonRow<'a> {
    line_text: &'a [u8],
    fields: &'a [Text],
    scratch: &'a [u8],
    /// Where each value is in the line, when present.
    values: &'a [Option<Range<usize>>],
    line: u64,
}

impl Fields for JsonRow<'_> {
    fn count(&self) -> usize {
        self.fields.len()
    }
    fn field(&self, i: usize) -> &[u8] {
        match self.fields[i] {
            Text::Line(a, b) => &self.line_text[a..b],
            Text::Unescaped(a, b) => &self.scratch[a..b],
        }
    }
    fn line(&self) -> u64 {
        self.line
    }
    fn shown(&self, i: Option<usize>, _: u8) -> (String, usize) {
        let start = i.and_then(|i| self.values[i].clone()).map_or(0, |r| r.start);
        let text = String::from_utf8_lossy(self.line_text);
        let column = 1 + String::from_utf8_lossy(&self.line_text[..start]).chars().count();
        (text.into_owned(), column)
    }
}

/// The dotted paths of an object's values, for "did you mean" and the "found" list.
fn paths_of(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
    if let serde_json::Value::Object(m) = v {
        for (k, v) in m {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if v.is_object() {
                paths_of(v, &p, out);
            } else {
                out.push(p);
            }
        }
    }
}

/// The paths of the first object of the file: the columns are checked against them.
pub fn first_paths(file: &FileInput, diags: &mut Diagnostics) -> Option<Vec<String>> {
    let r = match header::open(file) {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            return None;
        }
    };
    let mut first: Option<(u64, Vec<u8>)> = None;
    let read = for_each_line(r, |line, bytes| {
        first = Some((line, bytes.to_vec()));
        false
    });
    let (line, bytes) = match (read, first) {
        (Err(e), _) => {
            diags.push(header::io_error(file, &e));
            return None;
        }
        (Ok(()), None) => {
            diags.push(file.error(format!("`{}` holds no JSON object", file.shown)));
            return None;
        }
        (Ok(()), Some(first)) => first,
    };
    let bytes = bytes.as_slice();
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) if v.is_object() => {
            let mut out = Vec::new();
            paths_of(&v, "", &mut out);
            Some(out)
        }
        _ => {
            diags.push(
                Diagnostic::error(format!("line {line} of `{}` is not a JSON object", file.shown))
                    .at(Location::at_line(
                        &file.shown,
                        line as usize,
                        1,
                        Some(String::from_utf8_lossy(bytes).into_owned()),
                    ))
                    .help("a JSON-lines export has one object per line, such as {\"event\": \"signup\", …}"),
            );
            None
        }
    }
}

/// The file, decompressed when gzipped.
pub fn open(file: &FileInput) -> Result<impl Read + Send, Diagnostic> {
    header::open(file)
}

/// What reading a JSON-lines file found besides its rows.
#[derive(Default)]
pub struct Seen {
    /// Lines that are not an object (the first 20).
    pub bad_lines: Vec<Diagnostic>,
    /// Per wanted path: whether any line has it (a misspelt optional path has none).
    pub present: Vec<bool>,
}

/// Hands the values of the `wanted` paths of each line's object to `sink`, until it
/// returns false. A line that is not an object is put in `seen.bad_lines` and skipped.
///
/// Parsing the JSON takes most of the time: it is done on a thread of its own, while
/// this one hands the rows to `sink`.
pub fn for_each_row<S: RowSink>(
    body: impl Read + Send,
    shown: &str,
    wanted: &[String],
    sink: &mut S,
    seen: &mut Seen,
) -> std::io::Result<()> {
    let n = wanted.len();
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Batch>(4);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Batch>();
        let parser = scope.spawn(move || parse(body, shown, wanted, full_tx, empty_rx));
        'batches: for batch in &full_rx {
            for (k, (line, range)) in batch.lines.iter().enumerate() {
                let row = JsonRow {
                    line_text: &batch.text[range.clone()],
                    fields: &batch.fields[k * n..(k + 1) * n],
                    scratch: &batch.scratch,
                    values: &batch.values[k * n..(k + 1) * n],
                    line: *line,
                };
                if !sink.row(&row) {
                    break 'batches;
                }
            }
            let _ = empty_tx.send(batch);
        }
        // Closing the channel stops the parser if the sink stopped first; what it found
        // (bad lines above all) is kept whatever the outcome.
        drop(full_rx);
        match parser.join() {
            Ok((found, read)) => {
                *seen = found;
                read
            }
            Err(_) => Err(std::io::Error::other("the JSON parsing thread stopped unexpectedly")),
        }
    })
}

/// Parses the lines of `body` into batches sent on `full` (until it is closed).
fn parse(
    body: impl Read,
    shown: &str,
    wanted: &[String],
    full: std::sync::mpsc::SyncSender<Batch>,
    empty: std::sync::mpsc::Receiver<Batch>,
) -> (Seen, std::io::Result<()>) {
    let tree = Node::of(wanted);
    let n = wanted.len();
    let mut seen = Seen {
        bad_lines: Vec::new(),
        present: vec![false; n],
    };
    let mut out: Vec<Option<Range<usize>>> = vec![None; n];
    let mut batch = Batch::default();
    let mut closed = false;
    let read = for_each_line(body, |line, bytes| {
        out.fill(None);
        let mut is_object = false;
        let object = Object {
            node: &tree,
            out: &mut out,
            base: bytes.as_ptr() as usize,
            is_object: &mut is_object,
        };
        // JSON is UTF-8: checked once for the whole line, the strings need no check of
        // their own.
        let parsed = std::str::from_utf8(bytes)
            .map_err(|e| {
                let before = String::from_utf8_lossy(&bytes[..e.valid_up_to()]).chars().count();
                format!("invalid UTF-8 at column {}", before + 1)
            })
            .and_then(|s| {
                let mut de = serde_json::Deserializer::from_str(s);
                let parsed = object.deserialize(&mut de).and_then(|()| de.end());
                parsed.map(|()| s).map_err(|e| e.to_string())
            });
        let text_of_line = match parsed {
            Ok(s) if is_object => s,
            outcome => {
                let why = outcome.err().unwrap_or_else(|| "not an object".to_string());
                if seen.bad_lines.len() < 20 {
                    seen.bad_lines.push(
                        Diagnostic::error(format!("line {line} is not a JSON object: {why}"))
                            .at(Location::at_line(
                                shown,
                                line as usize,
                                1,
                                Some(String::from_utf8_lossy(bytes).into_owned()),
                            ))
                            .help("each line of a JSON-lines file must be one whole object"),
                    );
                }
                return true;
            }
        };
        let start = batch.text.len();
        batch.text.extend_from_slice(bytes);
        batch.lines.push((line, start..batch.text.len()));
        for (c, range) in out.iter().enumerate() {
            seen.present[c] |= range.is_some();
            let t = text(text_of_line, range.clone(), &mut batch.scratch);
            batch.fields.push(t);
        }
        batch.values.extend_from_slice(&out);
        if batch.text.len() >= BATCH_BYTES {
            let next = empty.try_recv().unwrap_or_default();
            if full.send(std::mem::replace(&mut batch, next)).is_err() {
                closed = true;
                return false;
            }
            batch.clear();
        }
        true
    });
    if read.is_ok() && !closed && !batch.lines.is_empty() {
        let _ = full.send(batch);
    }
    (seen, read)
}

/// Hands each non-blank line (without its line end or a byte-order mark) and its number
/// to `f` until it returns false; a line longer than [`MAX_LINE`] is an error.
///
/// Reads a MiB at a time and finds the line ends with `memchr` (SIMD): `read_until` copied
/// every line once more and searched it with the standard library's portable `memchr`.
fn for_each_line<R: Read>(mut r: R, mut f: impl FnMut(u64, &[u8]) -> bool) -> std::io::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    // The bytes read and not yet handed over are `buf[start..end]`.
    let (mut start, mut end) = (0, 0);
    let mut line = 0u64;
    let mut eof = false;
    let mut hand = |line: u64, mut bytes: &[u8]| {
        if line == 1 {
            bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        }
        let bytes = bytes.trim_ascii();
        bytes.is_empty() || f(line, bytes)
    };
    let too_long = |line: u64| std::io::Error::other(format!("line {line} is longer than {} MiB", MAX_LINE >> 20));
    loop {
        if let Some(i) = memchr::memchr(b'\n', &buf[start..end]) {
            if i as u64 >= MAX_LINE {
                return Err(too_long(line + 1));
            }
            line += 1;
            let bytes = &buf[start..start + i];
            start += i + 1;
            if !hand(line, bytes) {
                return Ok(());
            }
            continue;
        }
        // Without its line end: exactly MAX_LINE bytes may still be the file's last line.
        if (end - start) as u64 > MAX_LINE {
            return Err(too_long(line + 1));
        }
        if eof {
            if start < end {
                hand(line + 1, &buf[start..end]);
            }
            return Ok(());
        }
        buf.copy_within(start..end, 0);
        end -= start;
        start = 0;
        if end == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match r.read(&mut buf[end..]) {
            Ok(0) => eof = true,
            Ok(n) => end += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `step` bytes per read, so that lines straddle the reads.
    struct Trickle<'a>(&'a [u8], usize);

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.1.min(out.len()).min(self.0.len());
            out[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    fn lines(text: &[u8], step: usize) -> std::io::Result<Vec<(u64, String)>> {
        let mut got = Vec::new();
        for_each_line(Trickle(text, step), |n, l| {
            got.push((n, String::from_utf8_lossy(l).into_owned()));
            true
        })?;
        Ok(got)
    }

    #[test]
    fn lines_are_numbered_across_reads() {
        let text = b"\xef\xbb\xbf{\"a\":1}\r\n\n  \n{\"b\":2}\n{\"c\":3}";
        let want = vec![
            (1, "{\"a\":1}".to_string()),
            (4, "{\"b\":2}".to_string()),
            (5, "{\"c\":3}".to_string()),
        ];
        for step in [1, 2, 3, 7, 1 << 20] {
            assert_eq!(lines(text, step).unwrap(), want, "reads of {step} bytes");
        }
        // A line longer than the limit is an error naming it, not a silent cut.
        let mut long = b"{}\n".to_vec();
        long.extend(std::iter::repeat_n(b' ', MAX_LINE as usize + 1));
        long.extend_from_slice(b"{}\n");
        let e = lines(&long, 1 << 20).unwrap_err().to_string();
        assert!(e.contains("line 2 is longer than 16 MiB"), "{e}");
    }
}
