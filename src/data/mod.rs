//! Readers of the data files a journey references: event exports (`[data.events]`),
//! aggregated metrics (`[data.metrics]`) and cohort tables (`[data.cohorts]`).
//!
//! Every reader checks its file's header against the spec first (a missing column is an
//! error at the column's place in the spec) and reports each bad value with file, line
//! and column. All of them accept plain or gzip-compressed files, a UTF-8 byte-order mark,
//! CRLF line ends and quoted fields.

mod cache;
pub mod cohorts;
pub mod events;
pub mod feedback;
mod formats;
mod header;
mod lines;
pub mod metrics;
mod number;
mod table;
mod time;
mod warnings;

use std::sync::Arc;
use std::time::Duration;

use cache::{Clock, Slots};
pub use cache::{FileInput, Place};
use cohorts::{CohortData, CohortsInput};
use events::{EventData, EventsInput};
use feedback::{FeedbackData, FeedbackInput};
use metrics::{MetricsData, MetricsInput};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::spec::{Journey, Project, TargetKind};

/// Everything read from one journey's data files. Shared (`Arc`) so that the preview
/// server's cache can hand the same parsed data to many rebuilds.
#[derive(Debug, Default, Clone)]
pub struct JourneyData {
    pub events: Option<Arc<EventData>>,
    pub metrics: Option<Arc<MetricsData>>,
    pub cohorts: Option<Arc<CohortData>>,
    /// Per `[[data.feedback]]` source, in spec order; `None` where it was not read.
    pub feedback: Vec<Option<Arc<FeedbackData>>>,
    /// Which reads these are: two equal versions hold the very same data.
    pub version: DataVersion,
}

/// The read of each file of a journey; see [`JourneyData::version`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct DataVersion {
    events: Option<u64>,
    metrics: Option<u64>,
    cohorts: Option<u64>,
    feedback: Vec<Option<u64>>,
}

/// Parsed data files kept between rebuilds (`journeymap serve`); see `cache.rs` for what
/// keys an entry. Editing a title, a description or an emotion never re-reads a data file;
/// editing one file re-reads only that file.
pub struct Cache {
    events: Slots<EventsInput, EventData>,
    metrics: Slots<MetricsInput, MetricsData>,
    cohorts: Slots<CohortsInput, CohortData>,
    /// Keyed by journey and source id (see [`feedback_slot`]).
    feedback: Slots<FeedbackInput, FeedbackData>,
    clock: Clock,
}

/// The cache slot of a journey's feedback source: ids are slugs, so a space cannot occur.
fn feedback_slot(journey: &str, source: &str) -> String {
    format!("{journey} {source}")
}

impl Default for Cache {
    fn default() -> Cache {
        // Coarse file systems stamp times to the second (FAT: two): a change younger than
        // this is checked against the file's bytes.
        Cache::with_racy_window(Duration::from_secs(3))
    }
}

impl Cache {
    /// A cache that trusts a file's stamp once its last change is older than `window` at
    /// the time of a read (and checks the bytes before that).
    pub fn with_racy_window(window: Duration) -> Cache {
        Cache {
            events: Slots::default(),
            metrics: Slots::default(),
            cohorts: Slots::default(),
            feedback: Slots::default(),
            clock: Clock {
                keep: true,
                racy_window: window,
                reads: Vec::new(),
            },
        }
    }

    /// A cache for one run (`check`, `build`, `kpis`): it keeps nothing.
    pub fn none() -> Cache {
        let mut c = Cache::default();
        c.clock.keep = false;
        c
    }

    /// The files the last load read (rather than took from the cache), as shown in the spec.
    pub fn last_reads(&self) -> &[String] {
        &self.clock.reads
    }

    /// Forgets what the last load did, for a run that stops before reading.
    pub fn begin(&mut self) {
        self.clock.reads.clear();
    }
}

/// Reads the data of every journey of a valid project, in project order. Data errors and
/// warnings go to `diags`; a journey whose data failed gets no data.
pub fn load(project: &Project, diags: &mut Diagnostics) -> Vec<JourneyData> {
    load_cached(project, &mut Cache::none(), diags)
}

/// [`load`], reusing what `cache` holds and keeping what it reads.
pub fn load_cached(project: &Project, cache: &mut Cache, diags: &mut Diagnostics) -> Vec<JourneyData> {
    cache.begin();
    let out = project.journeys.iter().map(|j| load_journey(j, cache, diags)).collect();
    let ids: Vec<&str> = project.journeys.iter().map(|j| j.id.as_str()).collect();
    cache.events.retain(&ids);
    cache.metrics.retain(&ids);
    cache.cohorts.retain(&ids);
    let slots: Vec<String> = project
        .journeys
        .iter()
        .flat_map(|j| j.feedback.iter().map(|f| feedback_slot(&j.id, &f.id)))
        .collect();
    cache
        .feedback
        .retain(&slots.iter().map(String::as_str).collect::<Vec<_>>());
    out
}

/// Checks only that the data files exist and have the columns the spec names: for a
/// project with spec errors, which is not read further, so that one run reports both.
pub fn check_files(project: &Project, diags: &mut Diagnostics) {
    for j in &project.journeys {
        if let Some(src) = &j.events {
            events::check_header(&EventsInput::of(j, src), diags);
        }
        if let Some(file) = &j.metrics {
            table::check_columns(&FileInput::of(file), metrics::COLUMNS, diags);
        }
        if let Some(file) = &j.cohorts {
            table::check_columns(&FileInput::of(file), cohorts::COLUMNS, diags);
        }
        for src in &j.feedback {
            feedback::check_header(&FeedbackInput::of(j, src), diags);
        }
    }
}

fn load_journey(journey: &Journey, cache: &mut Cache, diags: &mut Diagnostics) -> JourneyData {
    let mut data = JourneyData::default();
    let id = journey.id.as_str();
    if let Some(src) = &journey.events {
        let input = EventsInput::of(journey, src);
        let file = input.file.clone();
        if let Some(r) = cache
            .events
            .get_or_read(id, input, &file, &mut cache.clock, diags, events::read)
        {
            warnings::events(journey, &r.value, diags);
            data.version.events = Some(r.version);
            data.events = Some(r.value);
        }
    }
    if let Some(file) = &journey.metrics {
        let input = MetricsInput::of(journey, file);
        let file = input.file.clone();
        if let Some(r) = cache
            .metrics
            .get_or_read(id, input, &file, &mut cache.clock, diags, metrics::read)
        {
            data.version.metrics = Some(r.version);
            data.metrics = Some(r.value);
        }
    }
    if let Some(file) = &journey.cohorts {
        let input = CohortsInput {
            file: FileInput::of(file),
        };
        let file = input.file.clone();
        if let Some(r) = cache
            .cohorts
            .get_or_read(id, input, &file, &mut cache.clock, diags, cohorts::read)
        {
            if journey.events.is_none() {
                check_cohort_targets(journey, &r.value, &file, diags);
            }
            data.version.cohorts = Some(r.version);
            data.cohorts = Some(r.value);
        }
        if journey.events.is_some() {
            diags.push(
                Diagnostic::warning("[data.cohorts] is not used: retention is computed from [data.events]")
                    .at(file.place.0.clone())
                    .help("remove [data.cohorts], or [data.events] to use the cohort table"),
            );
        }
    }
    for src in &journey.feedback {
        let input = FeedbackInput::of(journey, src);
        let file = input.file.clone();
        let slot = feedback_slot(id, &src.id);
        let read = cache
            .feedback
            .get_or_read(&slot, input, &file, &mut cache.clock, diags, feedback::read);
        if let Some(r) = &read {
            warnings::feedback(src, &r.value, diags);
        }
        data.version.feedback.push(read.as_ref().map(|r| r.version));
        data.feedback.push(read.map(|r| r.value));
    }
    data
}

/// Without `[retention] periods`, a cohort table has as many periods as its file: a
/// retention target beyond them is an error at the target.
fn check_cohort_targets(journey: &Journey, data: &CohortData, file: &FileInput, diags: &mut Diagnostics) {
    if journey.retention.periods.is_some() {
        return;
    }
    let max = data.max_period();
    for t in &journey.targets {
        if let TargetKind::Retention(n) = t.kind {
            if n > max {
                diags.push(
                    Diagnostic::error(format!(
                        "retention target period {n} is beyond the retention table: `{}` has periods up to {max}",
                        file.shown
                    ))
                    .at(t.loc.clone())
                    .help(format!(
                        "target a period from 1 to {max}, or add the cohorts' period {n} rows"
                    )),
                );
            }
        }
    }
}
