//! Typed reading of a spanned TOML tree, collecting every problem.
//!
//! serde's derive stops at the first type error or unknown key of a document. A spec author
//! wants all of them at once, each pointing at its line, with a "did you mean" for typos. So
//! the spec is parsed with `toml`'s spanned `DeTable` and each table is read through a
//! [`Table`]: every getter records the key as known, type errors become diagnostics, and
//! [`Table::finish`] reports the keys nobody asked for, suggesting the closest known one.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::choice::Choice;
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics, LineIndex, Location};

/// The text of one TOML file, the path shown in messages, and where its lines start.
pub struct Source<'a> {
    pub file: &'a str,
    pub text: &'a str,
    lines: LineIndex,
}

impl<'a> Source<'a> {
    pub fn new(file: &'a str, text: &'a str) -> Source<'a> {
        Source {
            file,
            text,
            lines: LineIndex::new(text),
        }
    }

    pub fn loc(&self, span: Range<usize>) -> Location {
        self.lines.location(self.file, self.text, span)
    }
}

/// A value with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub loc: Location,
}

/// Parses a whole TOML document, reporting every syntax error it can recover from.
pub fn parse<'i>(src: &Source<'i>, diags: &mut Diagnostics) -> Option<Spanned<DeTable<'i>>> {
    let (doc, errors) = DeTable::parse_recoverable(src.text);
    if errors.is_empty() {
        return Some(doc);
    }
    for e in errors {
        let span = e.span().unwrap_or(0..0);
        let msg = e.message().trim().trim_end_matches('.').to_string();
        diags.push(Diagnostic::error(format!("invalid TOML: {msg}")).at(src.loc(span)));
    }
    None
}

pub struct Table<'a, 'i> {
    src: &'a Source<'a>,
    table: &'a DeTable<'i>,
    span: Range<usize>,
    what: String,
    known: Vec<&'static str>,
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'a, 'i> Table<'a, 'i> {
    /// `what` names the table in messages, e.g. "stage `awareness`" or "journeymap.toml".
    pub fn new(src: &'a Source<'a>, table: &'a DeTable<'i>, span: Range<usize>, what: impl Into<String>) -> Self {
        Table {
            src,
            table,
            span,
            what: what.into(),
            known: Vec::new(),
        }
    }

    /// Where the table itself starts (its header, or the file start for the root).
    pub fn loc(&self) -> Location {
        self.src.loc(self.span.start..self.span.start)
    }

    pub fn set_what(&mut self, what: impl Into<String>) {
        self.what = what.into();
    }

    fn raw(&mut self, key: &'static str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.known.push(key);
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }

    fn mismatch(&self, key: &str, expected: &str, v: &Spanned<DeValue<'_>>, diags: &mut Diagnostics) {
        diags.push(
            Diagnostic::error(format!(
                "`{key}` in {} must be {expected}, found {}",
                self.what,
                type_name(v.get_ref())
            ))
            .at(self.src.loc(v.span())),
        );
    }

    pub fn string(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<String>> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some(Located {
                value: s.to_string(),
                loc: self.src.loc(v.span()),
            }),
            _ => {
                self.mismatch(key, "a string", v, diags);
                None
            }
        }
    }

    /// A required string: a missing key is an error located at the table.
    pub fn required_string(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<String>> {
        let present = self.table.iter().any(|(k, _)| k.get_ref().as_ref() == key);
        if !present {
            self.known.push(key);
            diags.push(
                Diagnostic::error(format!("missing required key `{key}` in {}", self.what))
                    .at(self.loc())
                    .help(format!("add `{key} = \"…\"`")),
            );
            return None;
        }
        self.string(key, diags)
    }

    pub fn integer(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<i64>> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) => Some(Located {
                    value: n,
                    loc: self.src.loc(v.span()),
                }),
                Err(_) => {
                    diags.push(Diagnostic::error(format!("`{key}` is out of range")).at(self.src.loc(v.span())));
                    None
                }
            },
            _ => {
                self.mismatch(key, "an integer", v, diags);
                None
            }
        }
    }

    /// A number: integers are accepted where a float is expected.
    pub fn number(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<f64>> {
        let v = self.raw(key)?;
        let n = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|n| n as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            _ => {
                self.mismatch(key, "a number", v, diags);
                return None;
            }
        };
        match n {
            Some(n) if n.is_finite() => Some(Located {
                value: n,
                loc: self.src.loc(v.span()),
            }),
            _ => {
                diags.push(Diagnostic::error(format!("`{key}` must be a finite number")).at(self.src.loc(v.span())));
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<bool>> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(Located {
                value: *b,
                loc: self.src.loc(v.span()),
            }),
            _ => {
                self.mismatch(key, "`true` or `false`", v, diags);
                None
            }
        }
    }

    /// One of a fixed set of words; anything else is an error with a suggestion.
    pub fn choice<C: Choice>(&mut self, key: &'static str, diags: &mut Diagnostics) -> Option<Located<C>> {
        let s = self.string(key, diags)?;
        word_of(key, s, diags)
    }

    /// A key that takes either one word or a table (`scale = "csat"`, `scale = { min = 1,
    /// max = 5 }`); `expected` names both in the error for anything else.
    pub fn word_or_table(
        &mut self,
        key: &'static str,
        what: impl Into<String>,
        expected: &str,
        diags: &mut Diagnostics,
    ) -> Option<WordOrTable<'a, 'i>> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some(WordOrTable::Word(Located {
                value: s.to_string(),
                loc: self.src.loc(v.span()),
            })),
            DeValue::Table(t) => Some(WordOrTable::Table(Table::new(self.src, t, v.span(), what))),
            _ => {
                self.mismatch(key, expected, v, diags);
                None
            }
        }
    }

    /// An array of strings; a lone string is an error (a common slip), not silently wrapped.
    pub fn strings(&mut self, key: &'static str, diags: &mut Diagnostics) -> Vec<Located<String>> {
        let Some(v) = self.raw(key) else { return Vec::new() };
        let DeValue::Array(items) = v.get_ref() else {
            self.mismatch(key, "an array of strings", v, diags);
            if let DeValue::String(s) = v.get_ref() {
                if let Some(last) = diags.items.last_mut() {
                    last.help = Some(format!("write `{key} = [\"{s}\"]`"));
                }
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(Located {
                    value: s.to_string(),
                    loc: self.src.loc(item.span()),
                }),
                other => diags.push(
                    Diagnostic::error(format!("`{key}` must hold only strings, found {}", type_name(other)))
                        .at(self.src.loc(item.span())),
                ),
            }
        }
        out
    }

    /// An array whose items are strings or tables (`pain_points = ["…", { text = "…" }]`);
    /// `what` names the tables in their messages.
    pub fn words_or_tables(
        &mut self,
        key: &'static str,
        what: &str,
        diags: &mut Diagnostics,
    ) -> Vec<WordOrTable<'a, 'i>> {
        let Some(v) = self.raw(key) else { return Vec::new() };
        let DeValue::Array(items) = v.get_ref() else {
            self.mismatch(key, "an array of strings or tables", v, diags);
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(WordOrTable::Word(Located {
                    value: s.to_string(),
                    loc: self.src.loc(item.span()),
                })),
                DeValue::Table(t) => out.push(WordOrTable::Table(Table::new(self.src, t, item.span(), what))),
                other => diags.push(
                    Diagnostic::error(format!(
                        "`{key}` must hold strings or tables, found {}",
                        type_name(other)
                    ))
                    .at(self.src.loc(item.span())),
                ),
            }
        }
        out
    }

    /// A sub-table (`[a.b]` or an inline `{ … }`).
    pub fn table(
        &mut self,
        key: &'static str,
        what: impl Into<String>,
        diags: &mut Diagnostics,
    ) -> Option<Table<'a, 'i>> {
        let v = self.raw(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some(Table::new(self.src, t, v.span(), what)),
            _ => {
                self.mismatch(key, "a table", v, diags);
                None
            }
        }
    }

    /// A table whose keys are the user's own names (`where = { page_location = "*/blog/*" }`),
    /// each holding a string or an array of strings; no key of it is unknown.
    pub fn string_lists(
        &mut self,
        key: &'static str,
        what: &str,
        diags: &mut Diagnostics,
    ) -> Vec<(Located<String>, Vec<Located<String>>)> {
        let Some(t) = self.table(key, what, diags) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, v) in t.table.iter() {
            let name = Located {
                value: k.get_ref().to_string(),
                loc: t.src.loc(k.span()),
            };
            let string = |v: &Spanned<DeValue<'_>>| match v.get_ref() {
                DeValue::String(s) => Some(Located {
                    value: s.to_string(),
                    loc: t.src.loc(v.span()),
                }),
                _ => None,
            };
            let values: Option<Vec<_>> = match v.get_ref() {
                DeValue::String(_) => string(v).map(|s| vec![s]),
                DeValue::Array(items) => items.iter().map(string).collect(),
                _ => None,
            };
            match values {
                Some(values) => out.push((name, values)),
                None => t.mismatch(&name.value, "a string or an array of strings", v, diags),
            }
        }
        out
    }

    /// An array of tables (`[[stages]]`).
    pub fn tables(&mut self, key: &'static str, what: &str, diags: &mut Diagnostics) -> Vec<Table<'a, 'i>> {
        let Some(v) = self.raw(key) else { return Vec::new() };
        let DeValue::Array(items) = v.get_ref() else {
            self.mismatch(key, &format!("an array of tables (`[[{key}]]`)"), v, diags);
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::Table(t) => out.push(Table::new(self.src, t, item.span(), format!("{what} #{}", i + 1))),
                other => diags.push(
                    Diagnostic::error(format!("`{key}` must hold only tables, found {}", type_name(other)))
                        .at(self.src.loc(item.span())),
                ),
            }
        }
        out
    }

    /// Reports every key of the table that no getter asked for.
    pub fn finish(self, diags: &mut Diagnostics) {
        for (k, _) in self.table.iter() {
            let key = k.get_ref().as_ref();
            if self.known.contains(&key) {
                continue;
            }
            diags.push(
                Diagnostic::error(format!("unknown key `{key}` in {}", self.what))
                    .at(self.src.loc(k.span()))
                    .help_opt(did_you_mean(key, self.known.iter().copied()).or_else(|| {
                        let mut known = self.known.clone();
                        known.sort_unstable();
                        known.dedup();
                        Some(format!("known keys: {}", known.join(", ")))
                    })),
            );
        }
    }
}

/// What [`Table::word_or_table`] found.
pub enum WordOrTable<'a, 'i> {
    Word(Located<String>),
    Table(Table<'a, 'i>),
}

/// The value of `key` written as one of a fixed set of words, or the error naming them
/// (with the nearest one when there is one).
pub fn word_of<C: Choice>(key: &str, s: Located<String>, diags: &mut Diagnostics) -> Option<Located<C>> {
    match C::from_name(&s.value) {
        Some(c) => Some(Located { value: c, loc: s.loc }),
        None => {
            let allowed = C::names();
            let help = did_you_mean(&s.value, allowed.iter().copied())
                .unwrap_or_else(|| format!("expected one of: {}", allowed.join(", ")));
            diags.push(
                Diagnostic::error(format!(
                    "`{key}` must be one of {}, found `{}`",
                    allowed.join(" | "),
                    s.value
                ))
                .at(s.loc)
                .help(help),
            );
            None
        }
    }
}
