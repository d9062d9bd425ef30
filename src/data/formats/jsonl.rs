//! JSON-lines exports (Mixpanel, Amplitude, PostHog's API): one object per line, and a
//! column is a dotted path into it (`properties.distinct_id`).
//!
//! Each line is deserialized against a tree of the wanted paths: only their values are
//! kept (as the exact text of the JSON value, strings unescaped), everything else is
//! skipped without being built, so a line with a hundred properties costs little more than
//! its bytes. The values then go through the same decoder as CSV fields: numbers and
//! strings are both accepted wherever a time, an amount or a property is expected.
//! Events, metrics and cohorts all read JSON lines through [`for_each_row`].

use std::borrow::Cow;
use std::fmt;
use std::io::{BufRead, Read};

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

/// Reads one object into `out` (a raw value per column).
struct Object<'t, 'o, 'de> {
    node: &'t Node,
    out: &'o mut [Option<&'de RawValue>],
    /// Set when the value was an object.
    is_object: &'o mut bool,
}

impl<'de> DeserializeSeed<'de> for Object<'_, '_, 'de> {
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

impl<'de> Visitor<'de> for Object<'_, '_, 'de> {
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
                    Some(c) => self.out[c] = Some(map.next_value::<&'de RawValue>()?),
                    None => {
                        let mut nested = false;
                        map.next_value_seed(Object {
                            node: child,
                            out: &mut *self.out,
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

/// The text a field stands for: a string's characters, a number or boolean as written,
/// nothing for `null` or an absent key, an object or array as its JSON.
fn text(raw: Option<&RawValue>) -> Cow<'_, [u8]> {
    let Some(raw) = raw else { return Cow::Borrowed(b"") };
    let s = raw.get();
    match s.as_bytes().first() {
        Some(b'"') if !s.contains('\\') => Cow::Borrowed(&s.as_bytes()[1..s.len() - 1]),
        Some(b'"') => {
            serde_json::from_str::<String>(s).map_or(Cow::Borrowed(s.as_bytes()), |v| Cow::Owned(v.into_bytes()))
        }
        Some(b'n') => Cow::Borrowed(b""),
        _ => Cow::Borrowed(s.as_bytes()),
    }
}

struct JsonRow<'a> {
    line_text: &'a [u8],
    fields: Vec<Cow<'a, [u8]>>,
    /// Where each value starts in the line (bytes), when present.
    starts: Vec<Option<usize>>,
    line: u64,
}

impl Fields for JsonRow<'_> {
    fn count(&self) -> usize {
        self.fields.len()
    }
    fn field(&self, i: usize) -> &[u8] {
        &self.fields[i]
    }
    fn line(&self) -> u64 {
        self.line
    }
    fn shown(&self, i: Option<usize>, _: u8) -> (String, usize) {
        let start = i.and_then(|i| self.starts[i]).unwrap_or(0);
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
    for_each_line(body, |line, bytes| {
        let mut out: Vec<Option<&RawValue>> = vec![None; n];
        let mut is_object = false;
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let parsed = Object {
            node: &tree,
            out: &mut out,
            is_object: &mut is_object,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        match parsed {
            Ok(()) if is_object => {}
            outcome => {
                let why = outcome.err().map_or("not an object".to_string(), |e| e.to_string());
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
        }
        for (p, o) in present.iter_mut().zip(&out) {
            *p |= o.is_some();
        }
        let row = JsonRow {
            line_text: bytes,
            starts: out
                .iter()
                .map(|r| r.map(|r| r.get().as_ptr() as usize - bytes.as_ptr() as usize))
                .collect(),
            fields: out.iter().map(|r| text(*r)).collect(),
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
