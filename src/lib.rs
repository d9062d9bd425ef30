//! journeymap: customer-journey specs (TOML) + analytics exports (CSV) → a static
//! journey-map site with conversion and retention KPIs.
//!
//! One pipeline, one direction: **load → validate → compute → render**. Each step is one
//! function call below; `serve` wraps the same steps.

pub mod data;
pub mod diagnostics;
pub mod init;
pub mod spec;

use std::path::Path;

use diagnostics::Diagnostics;
use spec::Project;

/// The `generator` string of `kpis.json`.
pub const GENERATOR: &str = concat!("journeymap ", env!("CARGO_PKG_VERSION"));

/// Load and validate a project: every spec error and warning of SPEC §2 at once.
pub fn check(root: &Path) -> (Option<Project>, Diagnostics) {
    spec::load(root)
}
