//! What every fuzz target does: a valid project in a temporary folder, one of its files
//! replaced by the fuzzer's bytes, then the whole pipeline — load, validate, read data,
//! compute and (when the input is valid) render the site in memory. A panic, a hang
//! (libFuzzer's `-timeout`) or an error without a location is a finding.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

const CONFIG: &str = "title = \"Fuzz\"\nlanguage = \"en\"\n\n[[personas]]\nid = \"p\"\nname = \"P\"\n";

/// A journey with events (segments, revenue) and metrics, retention and targets of every kind.
const EVENTS_JOURNEY: &str = r#"title = "Events"
persona = "p"
conversion_window = "7d"

[data.events]
path = "data/events.csv"

[data.metrics]
path = "data/metrics.csv"

[retention]
period = "week"
periods = 3

[targets]
conversion_rate = { min = 0.1 }
aov = { min = 10 }
repeat_purchase_rate = { max = 0.9 }
retention = { period = 1, min = 0.1 }

[[stages]]
id = "visit"
emotion = 3
pain_points = ["slow"]

  [[stages.touchpoints]]
  id = "ad"
  channel = "ads"
  events = ["ad_click"]

    [[stages.touchpoints.metrics]]
    id = "ctr"
    unit = "percent"
    target = { min = 0.01 }

[[stages]]
id = "buy"
target = { min = 0.1 }

  [[stages.touchpoints]]
  id = "checkout"
  events = ["purchase"]
"#;

/// A journey measured from aggregates only: metrics and a cohort table.
const AGGREGATES_JOURNEY: &str = r#"title = "Aggregates"

[data.metrics]
path = "data/agg-metrics.csv"

[data.cohorts]
path = "data/cohorts.csv"

[[stages]]
id = "visit"

  [[stages.touchpoints]]
  id = "web"

[[stages]]
id = "signup"
"#;

const EVENTS: &str = "user_id,timestamp,event,segment,revenue\n\
u1,2026-01-05T10:00:00Z,ad_click,mobile,\n\
u1,2026-01-05T11:00:00Z,purchase,mobile,12.5\n\
u2,2026-01-06T10:00:00+01:00,ad_click,,\n\
u2,1767607200,other,desktop,\n";

const METRICS: &str = "date,key,metric,value\n2026-01-05,ad,ctr,0.02\n2026-01-05,visit,users,2\n";
const AGG_METRICS: &str = "date,key,metric,value\n2026-01-05,visit,users,10\n2026-01-05,signup,users,4\n";
const COHORTS: &str = "cohort,period,users\n2026-01-05,0,10\n2026-01-05,1,3\n";
const PAGE: &str = "+++\ntitle = \"About\"\nweight = 1\n+++\n# About\n\nSome *Markdown*.\n";

/// The files of the valid project, by path.
const FILES: &[(&str, &str)] = &[
    ("journeymap.toml", CONFIG),
    ("journeys/events.toml", EVENTS_JOURNEY),
    ("journeys/aggregates.toml", AGGREGATES_JOURNEY),
    ("data/events.csv", EVENTS),
    ("data/metrics.csv", METRICS),
    ("data/agg-metrics.csv", AGG_METRICS),
    ("data/cohorts.csv", COHORTS),
    ("pages/about.md", PAGE),
];

fn project() -> &'static Mutex<PathBuf> {
    static DIR: OnceLock<Mutex<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder").keep();
        for (rel, text) in FILES {
            write(&dir, rel, text.as_bytes());
        }
        Mutex::new(dir)
    })
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
    std::fs::write(path, bytes).expect("a file");
}

/// Runs the pipeline on the valid project with `file` replaced by `bytes`.
pub fn run(file: &str, bytes: &[u8]) {
    let dir = project().lock().unwrap_or_else(|e| e.into_inner());
    for (rel, text) in FILES {
        write(&dir, rel, if *rel == file { bytes } else { text.as_bytes() });
    }
    let (analysis, diags) = journeymap::analyse(&dir);
    for d in diags.errors() {
        assert!(d.location.is_some(), "an error without a location: {d:?}");
    }
    // The renderers must cope with whatever the messages hold.
    let _ = journeymap::diagnostics::render_human(&diags.items, false);
    let _ = journeymap::diagnostics::render_github(&diags.items);
    if let Some(a) = analysis {
        let _ = journeymap::site::render(&a.project, &a.kpis, None);
    }
}
