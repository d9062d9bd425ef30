//! The project model: `journeymap.toml`, `journeys/*.toml` and `pages/*.md`.
//!
//! [`load`] reads every file of a project and checks every rule of docs/spec.md that the
//! TOML and Markdown files alone decide; the data files are the next step's
//! (`crate::data`). Below it are only the diagnostics and the calendar.

mod choice;
mod config;
mod data;
mod feedback;
mod journey;
mod page;
mod reader;
mod stage;
mod targets;
mod validate;

use std::path::{Path, PathBuf};

pub use crate::calendar::Period;
use crate::currency::Currency;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::files::Root;
pub use choice::{
    Aggregate, Channel, Choice, Decimal, FeedbackField, FileFormat, KnownChannel, Language, NamedScale, Occurrence,
    OnError, Preset, TimeFormat, Unit,
};
pub use config::check_base_url;
pub use data::ReadOptions;
pub use reader::Located;
pub use validate::MAX_OCCURRENCE_CANDIDATES;

#[derive(Clone, Debug)]
pub struct Project {
    pub root: PathBuf,
    /// What the project may read: regular files inside its folder.
    pub files: Root,
    pub config: Config,
    /// Sorted by id (file stem).
    pub journeys: Vec<Journey>,
    /// Sorted by weight, then slug.
    pub pages: Vec<Page>,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub title: String,
    pub description: Option<String>,
    pub language: Language,
    /// The currency of revenue and `currency` metrics; `None`: amounts are plain numbers.
    pub currency: Option<Currency>,
    pub theme: String,
    pub base_url: String,
    pub personas: Vec<Persona>,
}

#[derive(Clone, Debug)]
pub struct Persona {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Journey {
    pub id: String,
    /// Path of the journey file as shown in messages (relative to the project root).
    pub file: String,
    pub title: String,
    pub persona: Option<String>,
    pub description: Option<String>,
    pub owner: Option<String>,
    /// Seconds; `None` = unlimited.
    pub conversion_window: Option<i64>,
    pub events: Option<EventsSource>,
    pub metrics: Option<DataFile>,
    pub cohorts: Option<DataFile>,
    /// `[[data.feedback]]`: survey answers, in file order.
    pub feedback: Vec<FeedbackSource>,
    pub retention: Retention,
    /// `[trends] period`: entries into the funnel are counted per period of this length.
    pub trends: Period,
    pub paths: PathOptions,
    /// Journey targets first, then stage targets, then touchpoint metric targets.
    pub targets: Vec<Target>,
    pub stages: Vec<Stage>,
    /// Index into `stages` of the conversion stage.
    pub conversion_stage: usize,
}

impl Journey {
    pub fn touchpoints(&self) -> impl Iterator<Item = (usize, &Touchpoint)> {
        self.stages
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.touchpoints.iter().map(move |t| (i, t)))
    }

    /// The name of feedback source `id` (the id itself if there is no such source).
    pub fn feedback_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.feedback.iter().find(|s| s.id == id).map_or(id, |s| &s.name)
    }

    pub fn stage_index(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }

    /// The data files the journey reads: the paths of `[data.events]`, `[data.metrics]`,
    /// `[data.cohorts]` and `[[data.feedback]]` (joined with the project root).
    pub fn data_files(&self) -> impl Iterator<Item = &Path> {
        let events = self.events.as_ref().map(|e| &e.file);
        events
            .into_iter()
            .chain(&self.metrics)
            .chain(&self.cohorts)
            .chain(self.feedback.iter().map(|f| &f.file))
            .map(|f| f.path.as_path())
    }
}

#[derive(Clone, Debug)]
pub struct DataFile {
    /// Joined with the project root.
    pub path: PathBuf,
    /// The project's folder: the file must be inside it.
    pub root: Root,
    /// As written in the spec, for messages.
    pub display: String,
    /// Where the path was written.
    pub loc: Location,
    pub options: ReadOptions,
}

#[derive(Clone, Debug)]
pub struct EventsSource {
    pub file: DataFile,
    pub user: Located<String>,
    pub time: Located<String>,
    pub event: Located<String>,
    /// As declared; when `None`, the reader uses a column named `segment` (`revenue`) if
    /// the header has one.
    pub segment: Option<Located<String>>,
    pub revenue: Option<Located<String>>,
    pub time_format: TimeFormat,
    /// An IANA name known to the bundled time zone database; "UTC" by default.
    pub timezone: String,
    pub on_error: OnError,
    /// Columns that touchpoint matchers (`where`) may read.
    pub properties: Vec<Located<String>>,
}

/// A `[[data.feedback]]` table: a survey export, one row per answer.
#[derive(Clone, Debug)]
pub struct FeedbackSource {
    /// A slug, unique among the journey's sources; names the source in kpis.json and targets.
    pub id: String,
    /// Shown on pages; by default the id, humanized.
    pub name: String,
    pub file: DataFile,
    /// Columns: a stage or touchpoint id, the answer's time, its score.
    pub key: Located<String>,
    pub time: Located<String>,
    pub score: Located<String>,
    pub scale: NamedScale,
    pub comment: Option<Located<String>>,
    pub user: Option<Located<String>>,
    pub time_format: TimeFormat,
    /// An IANA name; "UTC" by default.
    pub timezone: String,
    pub on_error: OnError,
    pub loc: Location,
}

/// A stage's pain point: its text, and the words that count a comment as mentioning it.
#[derive(Clone, Debug)]
pub struct PainPoint {
    pub text: String,
    /// Empty for a pain point written as a plain string: its mentions are not counted.
    pub keywords: Vec<Located<String>>,
    pub loc: Location,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Retention {
    /// Stage indices; default: the conversion stage.
    pub cohort_stage: usize,
    pub return_stage: usize,
    pub period: Period,
    /// Columns after period 0; `None` = not declared (events: [`Retention::DEFAULT_PERIODS`];
    /// cohorts: the largest period in the file).
    pub periods: Option<u32>,
}

/// `[paths]`: how the touchpoint paths of each user are cut and how many are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PathOptions {
    /// Touchpoints kept of each path (after collapsing repeats); flows run between them.
    pub max_length: usize,
    /// The most frequent paths listed.
    pub top: usize,
}

impl Default for PathOptions {
    fn default() -> PathOptions {
        PathOptions { max_length: 6, top: 10 }
    }
}

impl Retention {
    /// Columns after period 0 for event data when `[retention] periods` is not set.
    pub const DEFAULT_PERIODS: u32 = 8;
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bound {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Bound {
    pub fn met(&self, actual: Option<f64>) -> bool {
        match actual {
            Some(a) => self.min.is_none_or(|m| m <= a) && self.max.is_none_or(|m| a <= m),
            None => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TargetKind {
    ConversionRate,
    Aov,
    RepeatPurchaseRate,
    /// Average retention at this period.
    Retention(u32),
    /// Stage index.
    StageConversion(usize),
    /// Touchpoint id, metric id.
    TouchpointMetric(String, String),
    /// A number of a feedback source (its id) for a stage or touchpoint (its id).
    Feedback {
        source: String,
        owner: String,
        field: FeedbackField,
    },
}

#[derive(Clone, Debug)]
pub struct Target {
    /// The `kpi` name of the target in `kpis.json`, e.g.
    /// `stages.purchase.conversion_from_previous` (docs/kpis.md).
    pub kpi: String,
    pub kind: TargetKind,
    /// The unit of the KPI: rates (`Percent`) must lie in [0, 1], and the site formats
    /// bounds and actual values in it.
    pub unit: Unit,
    pub bound: Bound,
    /// Where the target is declared (for CI annotations).
    pub loc: Location,
}

#[derive(Clone, Debug)]
pub struct Stage {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub emotion: Option<u8>,
    pub actions: Vec<String>,
    pub questions: Vec<String>,
    pub pain_points: Vec<PainPoint>,
    pub opportunities: Vec<String>,
    pub touchpoints: Vec<Touchpoint>,
    pub loc: Location,
}

#[derive(Clone, Debug)]
pub struct Touchpoint {
    pub id: String,
    pub name: String,
    pub channel: Channel,
    pub events: Vec<Located<String>>,
    /// Every condition must hold for a row to belong here (`where = { … }`).
    pub conditions: Vec<Condition>,
    pub occurrence: Occurrence,
    pub owner: Option<String>,
    pub description: Option<String>,
    pub metrics: Vec<Metric>,
    pub loc: Location,
}

/// One property of a touchpoint's `where`: its value must match one of the globs.
#[derive(Clone, Debug)]
pub struct Condition {
    pub property: Located<String>,
    pub globs: Vec<Located<String>>,
}

impl Touchpoint {
    /// Whether the touchpoint takes fewer than all rows of its events.
    pub fn is_conditional(&self) -> bool {
        !self.conditions.is_empty() || self.occurrence != Occurrence::Any
    }
}

#[derive(Clone, Debug)]
pub struct Metric {
    pub id: String,
    pub name: String,
    pub unit: Unit,
    pub aggregate: Aggregate,
    /// The range its values are given on (a 1–5 score), for the axis of its chart.
    pub scale: Option<Scale>,
    pub loc: Location,
}

/// The range of a metric's values: `min < max`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scale {
    pub min: f64,
    pub max: f64,
}

#[derive(Clone, Debug)]
pub struct Page {
    pub slug: String,
    pub title: String,
    pub description: Option<String>,
    pub weight: i64,
    /// Markdown after the front matter.
    pub body: String,
    pub file: String,
}

/// A slug: `[a-z0-9][a-z0-9_-]*`.
pub fn is_slug(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
}

/// A suggested slug for an invalid id, e.g. "Search Ad" → "search-ad".
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if (c == '_' || c == '-' || c.is_whitespace()) && !out.is_empty() && !out.ends_with('-') {
            out.push(if c == '_' { '_' } else { '-' });
        }
    }
    out.trim_end_matches(['-', '_']).to_string()
}

/// "search-ad" → "Search ad": the display name when a spec gives none.
pub fn humanize(id: &str) -> String {
    let spaced = id.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Reads a spec file as UTF-8 — a regular file inside the project, of bounded size —
/// turning every problem into a located diagnostic.
pub(crate) fn read_text(files: &Root, path: &Path, shown: &str, diags: &mut Diagnostics) -> Option<String> {
    let bytes = match files.read_spec(path) {
        Ok(b) => b,
        Err(r) => {
            diags.push(
                Diagnostic::error(r.message(shown))
                    .at(Location::file(shown))
                    .help_opt(r.help().map(String::from)),
            );
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(s) => Some(s),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let line = prefix.bytes().filter(|&b| b == b'\n').count() + 1;
            let col = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            diags.push(
                Diagnostic::error("file is not valid UTF-8")
                    .at(Location::at_line(shown, line, col, None))
                    .help("save the file as UTF-8"),
            );
            None
        }
    }
}

/// Loads and validates a whole project: the diagnostics (errors and warnings, sorted by
/// place), and the project whenever `journeymap.toml` could be read. A project read with
/// errors is incomplete (journeys that failed are missing): it is only good for checking
/// more of it, e.g. the data files' headers, so that a run reports everything at once.
pub fn load(root: &Path) -> (Option<Project>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let config_path = root.join("journeymap.toml");
    if !config_path.is_file() {
        let what = if root.is_dir() {
            format!("no journeymap.toml in `{}`", root.display())
        } else {
            format!("`{}` is not a directory", root.display())
        };
        diags.push(
            Diagnostic::error(format!("{what}: not a journeymap project"))
                .at(Location::file(&root.join("journeymap.toml").to_string_lossy()))
                .help("run `journeymap init` to create a project, or pass the project directory"),
        );
        return (None, diags);
    }
    let files = match Root::new(root) {
        Ok(f) => f,
        Err(e) => {
            diags.push(Diagnostic::error(format!("cannot read the project folder: {e}")).at(Location::file(".")));
            return (None, diags);
        }
    };
    let config = config::load(&files, root, &mut diags);
    let journeys = journey::load_all(&files, root, config.as_ref(), &mut diags);
    let pages = page::load_all(&files, root, &mut diags);
    validate::project(&journeys, &mut diags);
    diags.sort();
    let project = config.map(|config| Project {
        root: root.to_path_buf(),
        files,
        config,
        journeys,
        pages,
    });
    (project, diags)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("awareness"));
        assert!(is_slug("0-a_b"));
        assert!(!is_slug("Awareness"));
        assert!(!is_slug("-a"));
        assert!(!is_slug(""));
        assert_eq!(slugify("Search Ad!"), "search-ad");
        assert_eq!(humanize("search-ad"), "Search ad");
    }

    #[test]
    fn bounds() {
        let b = Bound {
            min: Some(0.1),
            max: Some(0.5),
        };
        assert!(b.met(Some(0.1)));
        assert!(b.met(Some(0.5)));
        assert!(!b.met(Some(0.51)));
        assert!(!b.met(None));
    }
}
