//! One error type for the whole pipeline.
//!
//! Every problem a user can fix is a [`Diagnostic`]: a severity, a message, where it is
//! (file, line, column, the offending source line) and an optional `help:` suggestion.
//! Steps collect them into [`Diagnostics`] instead of stopping at the first one, so a run
//! reports everything at once. Three renderers share the same data: `human` (rustc-like),
//! `json` and `github` (workflow annotations).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a file: 1-based line and column (in characters), the length of the
/// underlined part, and the text of that line for the snippet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub width: usize,
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl Location {
    /// A location at a byte range of `text` (the whole content of `file`). Counts lines
    /// from the start: for many locations in one text, use a [`LineIndex`].
    pub fn from_span(file: &str, text: &str, span: std::ops::Range<usize>) -> Location {
        LineIndex::new(text).location(file, text, span)
    }

    /// A location known by line and column only (CSV data), with the line's text if known.
    pub fn at_line(file: &str, line: usize, column: usize, source_line: Option<String>) -> Location {
        Location {
            file: file.to_string(),
            line,
            column,
            width: 1,
            source_line,
        }
    }

    /// A row of a columnar file (Parquet): "line" is the 1-based row and "column" the
    /// 1-based column of the file's schema, which the snippet names.
    pub fn at_row(file: &str, row: usize, column: usize, name: &str) -> Location {
        Location::at_line(file, row, column, Some(format!("row {row}, column `{name}`")))
    }

    /// A whole file, without a position.
    pub fn file(file: &str) -> Location {
        Location {
            file: file.to_string(),
            line: 0,
            column: 0,
            width: 0,
            source_line: None,
        }
    }
}

/// Where each line of a text starts, so that locating a byte is a binary search: a file with
/// a diagnostic on each of its 100,000 lines is checked in linear time.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The location of a byte range of `text`, which must be the text this index was made of.
    pub fn location(&self, file: &str, text: &str, span: std::ops::Range<usize>) -> Location {
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let end = floor_char_boundary(text, span.end.min(text.len())).max(start);
        let line = self.starts.partition_point(|&s| s <= start);
        let line_start = self.starts[line - 1];
        let line_end = self.starts.get(line).map_or(text.len(), |&next| next - 1);
        let column = text[line_start..start].chars().count() + 1;
        let width = text[start..end.min(line_end)].chars().count().max(1);
        let source_line = text[line_start..line_end].trim_end_matches('\r').to_string();
        Location {
            file: file.to_string(),
            line,
            column,
            width,
            source_line: Some(source_line),
        }
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    /// Boxed: most diagnostics travel in `Result`s, which stay small this way.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub location: Option<Box<Location>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            help: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(Box::new(location));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn help_opt(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The diagnostics of one run, in the order they were found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| !d.is_error())
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorts by file, then position, keeping the discovery order of equal places, and drops
    /// exact duplicates, so output is stable whatever order the checks ran in.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                d.location
                    .as_ref()
                    .map(|l| (l.file.clone(), l.line, l.column))
                    .unwrap_or_default()
            };
            key(a).cmp(&key(b))
        });
        self.items.dedup();
    }
}

/// Turns a path into the form shown in messages: relative to the project root when inside
/// it, with forward slashes.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf());
    rel.to_string_lossy().replace('\\', "/")
}

/// Names longer than this get no suggestion: typos are made in names people type, and the
/// distance of two strings costs the product of their lengths.
const MAX_SUGGEST_CHARS: usize = 64;
/// The cells of distance tables one suggestion may fill; candidates after are not looked at
/// (millions of event names would otherwise take minutes).
const MAX_SUGGEST_CELLS: usize = 4_000_000;

/// The closest candidate to `given` by edit distance, if it is close enough to be a
/// plausible typo ("did you mean"). Bounded in time and memory whatever the inputs.
pub fn suggest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given_lower = given.to_lowercase();
    let given_len = given_lower.chars().count();
    if given_len > MAX_SUGGEST_CHARS {
        return None;
    }
    let mut budget = MAX_SUGGEST_CELLS;
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let len = c.chars().count();
        // A third of the longer name may differ; names of one or two letters must match
        // but for case, or every short id would "suggest" every other.
        let longest = len.max(given_len);
        let limit = if longest < 3 { 0 } else { (longest / 3).max(1) };
        if len > MAX_SUGGEST_CHARS || len.abs_diff(given_len) > limit {
            continue;
        }
        let cells = (len + 1) * (given_len + 1);
        if cells > budget {
            break;
        }
        budget -= cells;
        let d = edit_distance(&given_lower, &c.to_lowercase());
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    suggest(given, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Optimal string alignment distance: Levenshtein plus adjacent transpositions, the most
/// common typo ("emial").
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j - 1] + cost)
                .min(d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// "1 row", "3 rows".
pub fn plural(n: impl Into<u64>, word: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Whether to colour human output: only on a terminal, and never when NO_COLOR is set.
pub fn use_colour() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

/// Text from data and spec files (event names, values, paths) may hold control characters:
/// a newline followed by `::error` would be a GitHub Actions workflow command, and ESC
/// sequences drive terminals. Every renderer shows them escaped (`\n`, `\u{1b}`).
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Source lines longer than this are shown as a window around the column.
const MAX_SHOWN: usize = 160;

/// The source line as shown under a message — tabs as spaces, control characters escaped,
/// a long line cut to a window around the column — and the column of the caret in it.
fn shown_line(src: &str, column: usize) -> (String, usize) {
    let mut shown = String::new();
    let mut caret = 0;
    let mut width = 0;
    // (display column where each char starts, the char's text)
    let mut cells: Vec<(usize, String)> = Vec::new();
    for (i, c) in src.chars().enumerate() {
        if i + 1 == column {
            caret = width;
        }
        let text = match c {
            '\t' => " ".to_string(),
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        };
        cells.push((width, text.clone()));
        width += text.chars().count();
    }
    if column > src.chars().count() {
        caret = width;
    }
    if width <= MAX_SHOWN {
        for (_, t) in &cells {
            shown.push_str(t);
        }
        return (shown, caret);
    }
    let from = caret.saturating_sub(MAX_SHOWN / 2);
    let to = from + MAX_SHOWN;
    if from > 0 {
        shown.push('…');
    }
    let lead = usize::from(from > 0);
    let mut first = None;
    for (w, t) in &cells {
        if *w >= from && *w < to {
            first.get_or_insert(*w);
            shown.push_str(t);
        }
    }
    if to < width {
        shown.push('…');
    }
    (shown, caret - first.unwrap_or(from) + lead)
}

pub fn render_human(diags: &[Diagnostic], colour: bool) -> String {
    let paint = |code: &str, s: &str| {
        if colour {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = String::new();
    for d in diags {
        let (label, code) = match d.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        if let Some(loc) = &d.location {
            let file = printable(&loc.file);
            if loc.line > 0 {
                let _ = write!(out, "{file}:{}:{}: ", loc.line, loc.column);
            } else {
                let _ = write!(out, "{file}: ");
            }
        }
        let _ = writeln!(out, "{}: {}", paint(code, label), paint("1", &printable(&d.message)));
        if let Some(loc) = &d.location {
            if let Some(src) = &loc.source_line {
                let gutter = loc.line.to_string();
                let pad = " ".repeat(gutter.len());
                let (shown, caret) = shown_line(src, loc.column);
                let _ = writeln!(out, "{pad} {}", paint("1;34", "|"));
                let _ = writeln!(out, "{} {} {}", paint("1;34", &gutter), paint("1;34", "|"), shown);
                let marks = format!("{}{}", " ".repeat(caret), "^".repeat(loc.width.clamp(1, MAX_SHOWN)));
                let _ = writeln!(out, "{pad} {} {}", paint("1;34", "|"), paint(code, &marks));
            }
        }
        if let Some(help) = &d.help {
            let pad = d
                .location
                .as_ref()
                .filter(|l| l.source_line.is_some())
                .map_or(1, |l| l.line.to_string().len());
            let _ = writeln!(out, "{} = {}: {}", " ".repeat(pad), paint("1", "help"), printable(help));
        }
    }
    out
}

/// GitHub Actions workflow commands, one per line: control characters are escaped
/// ([`printable`]) and `%`, CR and LF encoded as the runner requires.
pub fn render_github(diags: &[Diagnostic]) -> String {
    let esc_data = |s: &str| {
        printable(s)
            .replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let esc_prop = |s: &str| esc_data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for d in diags {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(loc) = &d.location {
            props.push(format!("file={}", esc_prop(&loc.file)));
            if loc.line > 0 {
                props.push(format!("line={}", loc.line));
                props.push(format!("col={}", loc.column));
            }
        }
        let mut msg = d.message.clone();
        if let Some(h) = &d.help {
            msg.push_str(" (help: ");
            msg.push_str(h);
            msg.push(')');
        }
        let sep = if props.is_empty() { "" } else { " " };
        let _ = writeln!(out, "::{kind}{sep}{}::{}", props.join(","), esc_data(&msg));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_counts_lines_and_chars() {
        let text = "a = 1\nbé = \"x\"\n";
        let start = text.find('"').unwrap();
        let loc = Location::from_span("f.toml", text, start..start + 3);
        assert_eq!((loc.line, loc.column, loc.width), (2, 6, 3));
        assert_eq!(loc.source_line.as_deref(), Some("bé = \"x\""));
    }

    /// Two long strings would fill a table of the product of their lengths (60,000² cells,
    /// 28 GB): no suggestion is looked for, and millions of candidates stop at a budget.
    #[test]
    fn suggestions_are_bounded() {
        let long = "x".repeat(60_000);
        let other = format!("{long}y");
        assert_eq!(suggest(&long, [other.as_str()]), None);
        let many: Vec<String> = (0..2_000_000).map(|i| format!("event_{i:07}")).collect();
        assert_eq!(
            suggest("evnt_0000001", many.iter().map(String::as_str)),
            Some("event_0000001")
        );
        assert!(suggest("zzzz_zzzzzzz", many.iter().map(String::as_str)).is_none());
    }

    #[test]
    fn suggestions_only_for_close_names() {
        assert_eq!(suggest("emotoin", ["emotion", "actions"]), Some("emotion"));
        assert_eq!(suggest("zzz", ["emotion", "actions"]), None);
        assert_eq!(suggest("emial", ["email", "web"]), Some("email"));
        assert_eq!(suggest("Title", ["title"]), Some("title"));
    }

    #[test]
    fn human_output_has_snippet_caret_and_help() {
        let text = "titel = \"x\"\n";
        let d = Diagnostic::error("unknown key `titel`")
            .at(Location::from_span("journeymap.toml", text, 0..5))
            .help("did you mean `title`?");
        let out = render_human(&[d], false);
        assert_eq!(
            out,
            "journeymap.toml:1:1: error: unknown key `titel`\n  |\n1 | titel = \"x\"\n  | ^^^^^\n  = help: did you mean `title`?\n"
        );
    }

    #[test]
    fn github_output_escapes() {
        let d = Diagnostic::warning("50% of users").at(Location::at_line("a,b.csv", 3, 2, None));
        assert_eq!(
            render_github(&[d]),
            "::warning file=a%2Cb.csv,line=3,col=2::50%25 of users\n"
        );
    }

    /// An event name holding a newline and a workflow command, or terminal escapes, is shown
    /// escaped by every renderer: one diagnostic stays one line of GitHub output, and no
    /// control character reaches the terminal.
    #[test]
    fn control_characters_are_escaped_everywhere() {
        let evil = "page_view\n::error file=x.toml,line=1::pwned\r\x1b[2J\x07";
        let d = Diagnostic::error(format!("unknown event `{evil}`"))
            .at(Location::at_line(
                &format!("data/{evil}.csv"),
                2,
                5,
                Some(format!("u1,{evil},x")),
            ))
            .help(format!("did you mean `{evil}`?"));
        let github = render_github(std::slice::from_ref(&d));
        assert_eq!(github.lines().count(), 1, "{github}");
        assert!(
            github.starts_with("::error file=data/page_view\\n%3A%3Aerror"),
            "{github}"
        );
        let human = render_human(&[d], false);
        assert!(human.lines().all(|l| !l.trim_start().starts_with("::")), "{human}");
        assert!(!human.chars().any(|c| c.is_control() && c != '\n'), "{human:?}");
        assert!(
            human.contains("page_view\\n::error file=x.toml,line=1::pwned\\r\\u{1b}[2J\\u{7}"),
            "{human}"
        );
    }

    #[test]
    fn a_long_source_line_is_shown_as_a_window_around_the_column() {
        let line = format!("{}TARGET{}", "a".repeat(5000), "b".repeat(5000));
        let d = Diagnostic::error("bad").at(Location {
            file: "f.csv".into(),
            line: 2,
            column: 5001,
            width: 6,
            source_line: Some(line),
        });
        let out = render_human(&[d], false);
        let shown: Vec<&str> = out.lines().collect();
        assert!(shown[2].chars().count() < 200, "{out}");
        let caret = shown[3].chars().position(|c| c == '^').unwrap();
        let under: String = shown[2].chars().skip(caret).take(6).collect();
        assert_eq!(under, "TARGET", "{out}");
    }

    #[test]
    fn line_index_agrees_with_counting() {
        let text = "a\nbé = 1\r\n\nlast";
        let index = LineIndex::new(text);
        for start in 0..=text.len() {
            if !text.is_char_boundary(start) {
                continue;
            }
            let naive_line = text[..start].matches('\n').count() + 1;
            let loc = index.location("f", text, start..start);
            assert_eq!(loc.line, naive_line, "byte {start}");
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            assert_eq!(loc.column, text[line_start..start].chars().count() + 1);
        }
        assert_eq!(index.location("f", text, 3..4).source_line.as_deref(), Some("bé = 1"));
    }
}
