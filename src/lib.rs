//! journeymap: customer-journey specs (TOML) + analytics exports (CSV) → a static
//! journey-map site with conversion and retention KPIs.
//!
//! One pipeline, one direction: **load → validate → compute → render**. Each step is one
//! function call below; `serve` wraps the same steps.

pub mod data;
pub mod diagnostics;
pub mod init;
pub mod kpi;
pub mod report;
pub mod serve;
pub mod site;
pub mod spec;

use std::path::Path;

use diagnostics::Diagnostics;
use spec::Project;

/// Runs a pipeline step; with `JOURNEYMAP_TIMINGS=1`, prints how long it took on stderr
/// (the way to see where a slow build spends its time).
pub fn timed<T>(step: &str, f: impl FnOnce() -> T) -> T {
    let start = std::time::Instant::now();
    let out = f();
    if std::env::var_os("JOURNEYMAP_TIMINGS").is_some() {
        eprintln!("timing: {step}: {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
    }
    out
}

/// The `generator` string of `kpis.json`.
pub const GENERATOR: &str = concat!("journeymap ", env!("CARGO_PKG_VERSION"));

/// Load and validate a project's specs: every spec error and warning of SPEC §2 at once.
pub fn check(root: &Path) -> (Option<Project>, Diagnostics) {
    spec::load(root)
}

/// A validated project, its data and its KPIs.
pub struct Analysis {
    pub project: Project,
    pub data: Vec<data::JourneyData>,
    pub kpis: kpi::Kpis,
}

/// load → validate → read data → compute. `None` when there is any error; the
/// diagnostics (errors and warnings, sorted by place) in every case.
pub fn analyse(root: &Path) -> (Option<Analysis>, Diagnostics) {
    analyse_cached(root, &mut Cache::default())
}

/// What a long-running process (`serve`) keeps between two analyses of the same project.
#[derive(Default)]
pub struct Cache {
    pub data: data::Cache,
    pub kpis: kpi::Cache,
}

/// [`analyse`], reusing the parsed data files and KPIs of `cache` that cannot have changed.
pub fn analyse_cached(root: &Path, cache: &mut Cache) -> (Option<Analysis>, Diagnostics) {
    let (project, mut diags) = timed("load specs", || spec::load(root));
    let Some(project) = project else { return (None, diags) };
    let data = timed("read data", || data::load_cached(&project, &mut cache.data, &mut diags));
    diags.sort();
    if diags.has_errors() {
        return (None, diags);
    }
    let kpis = timed("compute kpis", || kpi::compute_cached(&project, &data, &mut cache.kpis));
    diags.extend(kpi::checks::warnings(&project, &data, &kpis));
    diags.sort();
    (Some(Analysis { project, data, kpis }), diags)
}
