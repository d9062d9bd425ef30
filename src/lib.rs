//! journeymap: customer-journey specs (TOML) + analytics exports → a static journey-map
//! site with conversion and retention KPIs.
//!
//! One pipeline, one direction: **load → validate → read data → compute → render**. Each
//! step is one call below; `serve` wraps the same steps. Layers, from the bottom:
//! `diagnostics`, `timing`, `calendar`, `files`; `spec` (the model and its validation); `locale`
//! (number formats); `data` (readers); `kpi` (pure computations); `site` and `report`
//! (what users read); `serve`. A layer uses only the layers below it, never this root.

pub mod calendar;
pub mod currency;
pub mod data;
pub mod diagnostics;
pub mod diff;
pub mod files;
pub mod init;
pub mod kpi;
pub mod locale;
pub mod report;
pub mod serve;
pub mod site;
pub mod spec;
pub mod timing;
pub mod zone;

use std::path::Path;

use diagnostics::Diagnostics;
use spec::Project;
use timing::timed;

/// A validated project, its data and its KPIs.
pub struct Analysis {
    pub project: Project,
    pub data: Vec<data::JourneyData>,
    pub kpis: kpi::Kpis,
}

/// load → validate → read data → compute. `None` when there is any error; the
/// diagnostics (errors and warnings, sorted by place) in every case.
pub fn analyse(root: &Path) -> (Option<Analysis>, Diagnostics) {
    let mut once = Cache {
        data: data::Cache::none(),
        kpis: kpi::Cache::none(),
    };
    analyse_cached(root, &mut once)
}

/// What a long-running process (`serve`) keeps between two analyses of the same project.
#[derive(Default)]
pub struct Cache {
    pub data: data::Cache,
    pub kpis: kpi::Cache,
}

/// [`analyse`], reusing the parsed data files and KPIs of `cache` that cannot have changed.
pub fn analyse_cached(root: &Path, cache: &mut Cache) -> (Option<Analysis>, Diagnostics) {
    cache.data.begin();
    cache.kpis.begin();
    let (project, mut diags) = timed("load specs", || spec::load(root));
    let Some(project) = project else { return (None, diags) };
    if diags.has_errors() {
        // The data is not read for a project with errors, but its files are checked, so
        // that one run reports every problem.
        data::check_files(&project, &mut diags);
        diags.sort();
        return (None, diags);
    }
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

/// A side of `journeymap diff`: a kpis.json as it is, a project analysed, or the project
/// folder `project` as it was at a git revision, analysed.
pub fn diff_side(source: &diff::Source, project: &Path) -> Result<diff::Side, diff::SideError> {
    let analysed = |root: &Path, label: String| {
        let (analysis, diags) = analyse(root);
        match analysis {
            Some(a) => Ok(diff::Side::project(label, &a.project, &a.kpis)),
            None => Err(diff::SideError::Invalid(diags)),
        }
    };
    match source {
        diff::Source::File(path) => diff::Side::file(path),
        diff::Source::Dir(dir) if dir == Path::new(".") => analysed(dir, "work tree (.)".to_string()),
        diff::Source::Dir(dir) => analysed(dir, dir.display().to_string()),
        diff::Source::Git(rev) => {
            let checkout = diff::git::checkout(project, rev).map_err(diff::SideError::Unreadable)?;
            analysed(checkout.path(), checkout.label.clone())
        }
    }
}
