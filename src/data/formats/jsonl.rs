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
use std::io::{BufRead, Read};
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
        Ok(self.0.children.iter().position(|(c, _)| c == k))
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
    /// A string with escapes, unescaped into the column's scratch buffer.
    Unescaped,
}

/// The text of the value at `range` of `line` (see [`Text`]); an escaped string is
/// unescaped into `scratch`.
fn text(line: &str, range: Option<Range<usize>>, scratch: &mut Vec<u8>) -> Text {
    let Some(range) = range else { return Text::Line(0, 0) };
    let s = &line[range.clone()];
    match s.as_bytes().first() {
        Some(b'"') if !s.contains('\\') => Text::Line(range.start + 1, range.end - 1),
        Some(b'"') => match serde_json::from_str::<String>(s) {
            Ok(v) => {
                scratch.clear();
                scratch.extend_from_slice(v.as_bytes());
                Text::Unescaped
            }
            Err(_) => Text::Line(range.start, range.end),
        },
        Some(b'n') => Text::Line(0, 0),
        _ => Text::Line(range.start, range.end),
    }
}

struct JsonRow<'a> {
    line_text: &'a [u8],
    fields: &'a [Text],
    scratch: &'a [Vec<u8>],
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
            Text::Unescaped => &self.scratch[i],
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
        Ok(r) => std::io::BufReader::new(r),
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

/// The file, buffered for reading line by line.
pub fn open(file: &FileInput) -> Result<impl BufRead, Diagnostic> {
    Ok(std::io::BufReader::with_capacity(1 << 17, header::open(file)?))
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
pub fn for_each_row<S: RowSink>(
    body: impl BufRead,
    shown: &str,
    wanted: &[String],
    sink: &mut S,
    seen: &mut Seen,
) -> std::io::Result<()> {
    let tree = Node::of(wanted);
    let n = wanted.len();
    let Seen { bad_lines, present } = seen;
    present.clear();
    present.resize(n, false);
    // Reused from line to line: no allocation per line.
    let mut out: Vec<Option<Range<usize>>> = vec![None; n];
    let mut fields = vec![Text::Line(0, 0); n];
    let mut scratch: Vec<Vec<u8>> = vec![Vec::new(); n];
    for_each_line(body, |line, bytes| {
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
            .map_err(|e| format!("invalid UTF-8 at column {}", e.valid_up_to() + 1))
            .and_then(|s| {
                let mut de = serde_json::Deserializer::from_str(s);
                let parsed = object.deserialize(&mut de).and_then(|()| de.end());
                parsed.map(|()| s).map_err(|e| e.to_string())
            });
        let text_of_line = match parsed {
            Ok(s) if is_object => s,
            outcome => {
                let why = outcome.err().unwrap_or_else(|| "not an object".to_string());
                if bad_lines.len() < 20 {
                    bad_lines.push(
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
        for (c, range) in out.iter().enumerate() {
            present[c] |= range.is_some();
            fields[c] = text(text_of_line, range.clone(), &mut scratch[c]);
        }
        let row = JsonRow {
            line_text: bytes,
            fields: &fields,
            scratch: &scratch,
            values: &out,
            line,
        };
        sink.row(&row)
    })
}

/// Hands each non-blank line (without its line end or a byte-order mark) and its number
/// to `f` until it returns false; a line longer than [`MAX_LINE`] is an error.
fn for_each_line<R: BufRead>(mut r: R, mut f: impl FnMut(u64, &[u8]) -> bool) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        line += 1;
        let n = Read::by_ref(&mut r).take(MAX_LINE + 1).read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        if n as u64 > MAX_LINE {
            return Err(std::io::Error::other(format!(
                "line {line} is longer than {} MiB",
                MAX_LINE >> 20
            )));
        }
        let mut bytes = buf.as_slice();
        if line == 1 {
            bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        }
        let bytes = bytes.trim_ascii();
        if !bytes.is_empty() && !f(line, bytes) {
            return Ok(());
        }
    }
}
