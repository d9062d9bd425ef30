//! Incremental rebuilds through the library API, as `journeymap serve` runs them (Zola's
//! `fast_rebuild` tests are the model). After every edit that changes the KPIs, the
//! analysis made with the cache equals a cold one; after an edit that cannot change them,
//! no data file is read and no KPI is computed again.

mod common;

use std::time::Duration;

use common::*;
use journeymap::diagnostics::Diagnostic;
use serde_json::Value;

const J: &str = "journeys/j.toml";

const JOURNEY: &str = r#"title = "Checkout"
conversion_window = "30d"

[data.events]
path = "data/events.csv"

[data.metrics]
path = "data/metrics.csv"

[retention]
cohort_stage = "buy"
period = "week"

[targets]
conversion_rate = { min = 0.5 }

[[stages]]
id = "visit"

  [[stages.touchpoints]]
  id = "ad"
  events = ["ad_click"]

    [[stages.touchpoints.metrics]]
    id = "ctr"
    unit = "percent"

  [[stages.touchpoints]]
  id = "blog"
  events = ["blog_view"]

[[stages]]
id = "cart"

  [[stages.touchpoints]]
  id = "product"
  events = ["product_view", "add_to_cart"]

[[stages]]
id = "buy"
conversion = true

  [[stages.touchpoints]]
  id = "checkout"
  events = ["purchase"]
"#;

/// Three weeks of a few users: re-entries, a window that matters (u3 buys 40 days after
/// the ad), repeat purchases, two segment columns, an unmapped event.
/// `account` groups the users otherwise, `action` names the events otherwise, and `net`
/// is another amount, for the tests that point a column elsewhere.
const EVENTS: &str = "user_id,timestamp,event,segment,plan,revenue,account,action,net
u1,2026-01-05T10:00:00Z,ad_click,mobile,free,,a1,ad_click,
u1,2026-01-05T10:20:00Z,add_to_cart,mobile,free,,a1,blog_view,
u1,2026-01-05T11:00:00Z,purchase,mobile,free,30.5,a1,purchase,25
u1,2026-01-13T09:00:00Z,purchase,,free,12,a1,purchase,
u2,2026-01-06T08:00:00Z,blog_view,desktop,pro,,a1,blog_view,
u2,2026-01-06T08:05:00Z,product_view,desktop,pro,,a1,product_view,
u2,2026-01-06T09:00:00Z,newsletter,desktop,pro,,a1,newsletter,
u3,2026-01-05T12:00:00Z,ad_click,desktop,pro,,a2,ad_click,
u3,2026-02-14T12:00:00Z,product_view,,pro,,a2,add_to_cart,
u3,2026-02-14T12:30:00Z,purchase,,pro,99,a2,purchase,90
u4,2026-01-20T07:00:00Z,blog_view,mobile,free,,a3,blog_view,
u4,2026-01-20T07:10:00Z,add_to_cart,mobile,free,,a3,add_to_cart,
u4,2026-01-21T07:00:00Z,purchase,tablet,free,45,a3,purchase,40
u4,2026-01-28T07:00:00Z,purchase,tablet,free,5,a3,purchase,5
";

/// `cpc` is not declared at first (a warning), `ctr` is; `visit` rows give that stage's
/// users.
const METRICS: &str =
    "date,key,metric,value\n2026-01-05,ad,ctr,0.02\n2026-01-12,ad,ctr,0.05\n2026-01-05,ad,cpc,0.4\n2026-01-05,visit,users,4\n";

fn project() -> Project {
    let p = Project::empty();
    p.write("journeymap.toml", "title = \"Rebuilds\"\n")
        .write(J, JOURNEY)
        .write("data/events.csv", EVENTS)
        .write("data/metrics.csv", METRICS);
    p
}

/// What an analysis produced: the KPIs as JSON (null when it failed) and every diagnostic.
#[derive(Debug, PartialEq)]
struct Outcome {
    kpis: Value,
    diagnostics: Vec<Diagnostic>,
}

fn outcome((analysis, diags): (Option<journeymap::Analysis>, journeymap::diagnostics::Diagnostics)) -> Outcome {
    Outcome {
        kpis: analysis.map_or(Value::Null, |a| serde_json::to_value(&a.kpis).unwrap()),
        diagnostics: diags.items,
    }
}

/// A project and the cache a `serve` process would keep for it.
struct Session {
    p: Project,
    cache: journeymap::Cache,
}

/// What one cached analysis did again.
#[derive(Debug, PartialEq)]
struct Work {
    reads: Vec<String>,
    computed: Vec<String>,
}

impl Session {
    /// Trusts file stamps at once (no racy window), so that the stamp alone decides.
    fn new(p: Project) -> Session {
        let mut s = Session {
            p,
            cache: journeymap::Cache {
                data: journeymap::data::Cache::with_racy_window(Duration::ZERO),
                kpis: Default::default(),
            },
        };
        let work = s.rebuild_equals_cold();
        assert_eq!(work.computed, vec!["j".to_string()], "the first analysis computes");
        s
    }

    /// Analyses with the cache, checks the result against a cold analysis, and returns
    /// what the cached one did again.
    fn rebuild_equals_cold(&mut self) -> Work {
        let cached = outcome(journeymap::analyse_cached(self.p.path(), &mut self.cache));
        let cold = outcome(journeymap::analyse(self.p.path()));
        assert_eq!(cached, cold, "the cached analysis differs from a cold one");
        Work {
            reads: self.cache.data.last_reads().to_vec(),
            computed: self.cache.kpis.last_computed().to_vec(),
        }
    }

    /// [`Session::rebuild_equals_cold`], asserting which files were read again and whether
    /// the journey's KPIs were computed again.
    fn rebuilds(&mut self, reads: &[&str], computed: bool) {
        let want = Work {
            reads: reads.iter().map(|f| f.to_string()).collect(),
            computed: if computed { vec!["j".to_string()] } else { vec![] },
        };
        assert_eq!(self.rebuild_equals_cold(), want);
    }
}

#[test]
fn a_title_edit_reads_and_computes_nothing() {
    let mut s = Session::new(project());
    s.p.replace(J, "title = \"Checkout\"", "title = \"Checkout, renamed\"");
    s.rebuilds(&[], false);
    // Lines moving in the journey file change no key either.
    s.p.replace(
        J,
        "[data.events]",
        "description = \"Added above the data\"\n\n[data.events]",
    );
    s.rebuilds(&[], false);
}

#[test]
fn the_conversion_window() {
    let mut s = Session::new(project());
    s.p.replace(J, "conversion_window = \"30d\"", "conversion_window = \"60d\"");
    s.rebuilds(&[], true);
}

#[test]
fn an_event_moved_between_touchpoints() {
    let mut s = Session::new(project());
    s.p.replace(
        J,
        "events = [\"product_view\", \"add_to_cart\"]",
        "events = [\"product_view\"]",
    );
    s.p.replace(
        J,
        "events = [\"blog_view\"]",
        "events = [\"blog_view\", \"add_to_cart\"]",
    );
    s.rebuilds(&["data/events.csv"], true);
}

#[test]
fn the_time_format_of_unchanged_data() {
    // The same numbers read as milliseconds and as microseconds are other instants.
    let p = project();
    p.replace(
        J,
        "path = \"data/events.csv\"",
        "path = \"data/events.csv\"\ntime_format = \"unix_ms\"",
    );
    p.write(
        "data/events.csv",
        "user_id,timestamp,event\nu1,1767607200000,ad_click\nu1,1767693600000,purchase\nu2,1767607200000,ad_click\n",
    );
    let mut s = Session::new(p);
    s.p.replace(J, "time_format = \"unix_ms\"", "time_format = \"unix_us\"");
    s.rebuilds(&["data/events.csv"], true);
}

#[test]
fn the_retention_settings() {
    let mut s = Session::new(project());
    s.p.replace(J, "period = \"week\"", "period = \"day\"\nperiods = 3");
    s.rebuilds(&[], true);
    s.p.replace(J, "cohort_stage = \"buy\"", "cohort_stage = \"cart\"");
    s.rebuilds(&[], true);
}

#[test]
fn the_segment_column() {
    let mut s = Session::new(project());
    s.p.replace(
        J,
        "path = \"data/events.csv\"",
        "path = \"data/events.csv\"\nsegment = \"plan\"",
    );
    s.rebuilds(&["data/events.csv"], true);
}

#[test]
fn a_target_is_evaluated_again_without_computing() {
    let mut s = Session::new(project());
    s.p.replace(J, "conversion_rate = { min = 0.5 }", "conversion_rate = { min = 0.9 }");
    s.rebuilds(&[], false);
}

#[test]
fn a_metric_aggregate() {
    let mut s = Session::new(project());
    s.p.replace(J, "unit = \"percent\"", "unit = \"percent\"\n    aggregate = \"max\"");
    s.rebuilds(&[], true);
}

#[test]
fn a_data_file_rewritten_with_the_same_size_and_modification_time() {
    let mut s = Session::new(project());
    let path = s.p.path().join("data/events.csv");
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    // Give one purchase to another user: the same size, other bytes.
    let rewritten = EVENTS.replace("u4,2026-01-28", "u9,2026-01-28");
    assert_eq!(rewritten.len(), EVENTS.len());
    s.p.write("data/events.csv", &rewritten);
    let f = std::fs::File::options().write(true).open(&path).unwrap();
    f.set_modified(modified).unwrap();
    drop(f);
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), modified);
    s.rebuilds(&["data/events.csv"], true);
}

#[test]
fn a_stage_added() {
    // Without the metrics file, whose rows may be keyed by any stage id.
    let p = project();
    p.replace(J, "[data.metrics]\npath = \"data/metrics.csv\"\n", "");
    p.replace(
        J,
        "\n    [[stages.touchpoints.metrics]]\n    id = \"ctr\"\n    unit = \"percent\"\n",
        "",
    );
    let mut s = Session::new(p);
    // Without touchpoints the events are read the same way; the funnel has a step more.
    s.p.append(J, "\n[[stages]]\nid = \"newsletter\"\n");
    s.rebuilds(&[], true);
    // Its touchpoint maps an event that was unmapped: the rows are read again.
    s.p.append(
        J,
        "\n  [[stages.touchpoints]]\n  id = \"signup\"\n  events = [\"newsletter\"]\n",
    );
    s.rebuilds(&["data/events.csv"], true);
}

#[test]
fn a_touchpoint_moved_to_the_next_stage() {
    // `blog` ends stage `visit`; as the first touchpoint of `cart` it keeps its place in
    // journey order, so the rows are the same, but its events now count for another step.
    let mut s = Session::new(project());
    let blog = "  [[stages.touchpoints]]\n  id = \"blog\"\n  events = [\"blog_view\"]\n\n";
    s.p.replace(J, blog, "");
    s.p.replace(J, "id = \"cart\"\n\n", &format!("id = \"cart\"\n\n{blog}"));
    s.rebuilds(&[], true);
}

#[test]
fn a_metric_file_edited_reads_only_that_file() {
    let mut s = Session::new(project());
    s.p.write("data/metrics.csv", format!("{METRICS}2026-01-19,ad,ctr,0.09\n"));
    s.rebuilds(&["data/metrics.csv"], true);
}

#[test]
fn a_metric_declared_reads_the_metrics_file_again() {
    let mut s = Session::new(project());
    s.p.replace(
        J,
        "    unit = \"percent\"\n",
        "    unit = \"percent\"\n\n    [[stages.touchpoints.metrics]]\n    id = \"cpc\"\n    unit = \"currency\"\n",
    );
    s.rebuilds(&["data/metrics.csv"], true);
}

#[test]
fn the_conversion_stage() {
    // Retention names its cohort stage, so only the conversion rate depends on it.
    let mut s = Session::new(project());
    s.p.replace(J, "id = \"buy\"\nconversion = true", "id = \"buy\"");
    s.p.replace(J, "id = \"cart\"\n", "id = \"cart\"\nconversion = true\n");
    s.rebuilds(&[], true);
}

#[test]
fn the_user_event_and_revenue_columns() {
    let mut s = Session::new(project());
    let events = "path = \"data/events.csv\"";
    s.p.replace(J, events, &format!("{events}\nuser = \"account\""));
    s.rebuilds(&["data/events.csv"], true);
    s.p.replace(J, events, &format!("{events}\nevent = \"action\""));
    s.rebuilds(&["data/events.csv"], true);
    s.p.replace(J, events, &format!("{events}\nrevenue = \"net\""));
    s.rebuilds(&["data/events.csv"], true);
}

#[test]
fn on_error() {
    // A bad row: skipped (with a warning) or an error.
    let p = project();
    p.append("data/events.csv", "u5,yesterday,ad_click,,,,a4,ad_click,\n");
    p.replace(
        J,
        "path = \"data/events.csv\"",
        "path = \"data/events.csv\"\non_error = \"skip\"",
    );
    let mut s = Session::new(p);
    s.p.replace(J, "on_error = \"skip\"", "on_error = \"fail\"");
    s.rebuilds(&["data/events.csv"], false);
}

#[test]
fn a_metrics_file_named_by_another_path_to_the_same_bytes() {
    // A hard link has the very same stamp (made before the first analysis: linking changes
    // the file's change time); the reader's cached warnings name the file.
    let p = project();
    std::fs::hard_link(p.path().join("data/metrics.csv"), p.path().join("data/m.csv")).unwrap();
    let mut s = Session::new(p);
    s.p.replace(J, "path = \"data/metrics.csv\"", "path = \"data/m.csv\"");
    s.rebuilds(&["data/m.csv"], true);
}

#[test]
fn a_stage_renamed_reads_the_metrics_file_again() {
    // Its `users` rows now name no stage (a warning), and its funnel count is gone.
    let mut s = Session::new(project());
    s.p.replace(J, "id = \"visit\"", "id = \"landing\"");
    s.rebuilds(&["data/metrics.csv"], true);
}

/// The project with a survey about the checkout (times without offset: read in the
/// source's zone) and a pain point counted by keywords.
fn with_survey() -> Project {
    let p = project();
    p.replace(
        J,
        "[retention]",
        "[[data.feedback]]\nid = \"nps\"\npath = \"data/survey.csv\"\nkey = \"key\"\ntime = \"at\"\nscore = \"score\"\nscale = \"csat\"\ncomment = \"comment\"\n\n[retention]",
    )
    .replace(
        J,
        "conversion = true",
        "conversion = true\npain_points = [{ text = \"Price\", keywords = [\"price\"] }]",
    )
    .write(
        "data/survey.csv",
        "key,at,score,comment\ncheckout,2026-01-06 10:00:00,5,fair price\nbuy,2026-01-07 10:00:00,2,too slow\n",
    );
    p
}

#[test]
fn a_survey_edited_reads_only_that_file() {
    let mut s = Session::new(with_survey());
    s.p.append("data/survey.csv", "checkout,2026-01-08 10:00:00,1,price too high\n");
    s.rebuilds(&["data/survey.csv"], true);
}

#[test]
fn the_survey_scale() {
    let mut s = Session::new(with_survey());
    s.p.replace(J, "scale = \"csat\"", "scale = \"ces\"");
    s.rebuilds(&["data/survey.csv"], true);
}

#[test]
fn the_survey_time_zone() {
    let mut s = Session::new(with_survey());
    s.p.replace(
        J,
        "comment = \"comment\"",
        "comment = \"comment\"\ntimezone = \"Asia/Tokyo\"",
    );
    s.rebuilds(&["data/survey.csv"], true);
}

#[test]
fn pain_point_keywords() {
    let mut s = Session::new(with_survey());
    s.p.replace(J, "keywords = [\"price\"]", "keywords = [\"slow\"]");
    s.rebuilds(&[], true);
}

#[test]
fn a_survey_comment_column() {
    let mut s = Session::new(with_survey());
    s.p.replace(J, "comment = \"comment\"\n", "");
    s.rebuilds(&["data/survey.csv"], true);
}
