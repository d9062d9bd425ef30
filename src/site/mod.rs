//! The published site: every page of SPEC §5 rendered in memory from the project, its
//! KPIs and the theme, then written atomically by [`output`].
//!
//! Pages link relatively (`{{ root }}journeys/x/index.html`, with explicit `index.html`), so
//! the site works from any sub-path and from `file://`. Nothing here reads the clock or
//! iterates a hash map, so two builds of the same inputs are byte-identical.

pub mod charts;
pub mod i18n;
mod icons;
mod markdown;
pub mod output;
mod theme;

use std::collections::HashMap;
use std::path::Path;

use serde_json::{json, Map, Value};

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::kpi::{JourneyKpis, TargetResult};
use crate::spec::{Journey, Project, Stage, TargetKind};
use crate::Analysis;
use i18n::Numbers;
pub use output::SiteFiles;

/// Column width of the journey map, in CSS pixels (16rem): the emotion curve is drawn to it.
const MAP_COLUMN: f64 = 256.0;

struct Site<'a> {
    project: &'a Project,
    analysis: &'a Analysis,
    theme: theme::Theme,
    n: Numbers,
    t: HashMap<&'static str, &'static str>,
    base_url: String,
    files: SiteFiles,
    diags: Diagnostics,
}

/// Site-root-relative URL of a journey's pages.
fn journey_url(j: &Journey) -> String {
    format!("journeys/{}/index.html", j.id)
}

fn stage_url(j: &Journey, s: &Stage) -> String {
    format!("journeys/{}/{}/index.html", j.id, s.id)
}

fn touchpoint_url(j: &Journey, tp: &str) -> String {
    format!("journeys/{}/touchpoints/{tp}/index.html", j.id)
}

/// The retention page's directory: `retention`, unless a stage already uses that id (the
/// spec's own example has a "retention" stage), then the first free alternative.
pub fn retention_dir(j: &Journey) -> &'static str {
    ["retention", "cohort-retention", "retention-cohorts"]
        .into_iter()
        .find(|d| j.stage_index(d).is_none())
        .unwrap_or("cohort-retention-analysis")
}

/// Escapes text for HTML, SVG and XML content and attributes: the templates' escape
/// function, and every piece of markup written in Rust (charts, sitemap, error overlay).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn retention_url(j: &Journey) -> String {
    format!("journeys/{}/{}/index.html", j.id, retention_dir(j))
}

/// Renders every page in memory.
pub fn render(analysis: &Analysis, base_url: Option<&str>) -> Result<SiteFiles, Diagnostics> {
    let project = &analysis.project;
    let mut theme = theme::load(project)?;
    let lang = project.config.language;
    i18n::register_filters(&mut theme.tera, lang);
    let mut base_url = base_url.unwrap_or(&project.config.base_url).to_string();
    if !base_url.ends_with('/') {
        base_url.push('/');
    }
    let mut site = Site {
        project,
        analysis,
        theme,
        n: Numbers { lang },
        t: i18n::table(lang),
        base_url,
        files: SiteFiles::new(),
        diags: Diagnostics::default(),
    };
    site.all_pages();
    if site.diags.has_errors() {
        return Err(site.diags);
    }
    Ok(site.files)
}

/// Why a build failed: the site could not be rendered (theme or template errors: exit 1),
/// or not written (I/O, or an output directory that is not ours: exit 2).
pub enum BuildError {
    Render(Diagnostics),
    Output(Diagnostic),
}

/// load → validate → compute happened in `analysis`; this renders and writes.
pub fn build(analysis: &Analysis, out: &Path, base_url: Option<&str>) -> Result<usize, BuildError> {
    let files = crate::timed("render site", || render(analysis, base_url)).map_err(BuildError::Render)?;
    crate::timed("write site", || output::write(out, &files)).map_err(BuildError::Output)?;
    Ok(files.len())
}

impl Site<'_> {
    fn all_pages(&mut self) {
        for (name, bytes) in &self.theme.assets {
            self.files.insert(format!("assets/{name}"), bytes.clone());
        }
        self.home();
        for (j, k) in self.project.journeys.iter().zip(&self.analysis.kpis.journeys) {
            self.journey(j, k);
            for (i, s) in j.stages.iter().enumerate() {
                self.stage(j, k, i, s);
            }
            for (si, tp) in j.touchpoints() {
                self.touchpoint(j, k, si, &tp.id);
            }
            if k.retention.is_some() {
                self.retention(j, k);
            }
        }
        for p in &self.project.pages {
            let html = markdown::render(&p.body);
            let mut ctx = self.common(2, &p.title, vec![(p.title.clone(), None)]);
            let has_h1 = html.trim_start().starts_with("<h1");
            ctx.insert(
                "page".into(),
                json!({"title": p.title, "description": p.description, "html": html, "has_h1": has_h1}),
            );
            self.page("page.html", &format!("pages/{}/index.html", p.slug), ctx);
        }
        self.not_found();
        self.sitemap();
        let kpis = serde_json::to_string_pretty(&self.analysis.kpis).expect("kpis serialize") + "\n";
        self.files.insert("kpis.json".into(), kpis.into_bytes());
    }

    fn page(&mut self, template: &str, path: &str, mut ctx: Map<String, Value>) {
        ctx.insert("page_path".into(), json!(path));
        ctx.insert(
            "canonical".into(),
            json!(format!("{}{}", self.base_url, path.trim_end_matches("index.html"))),
        );
        let context = match tera::Context::from_value(Value::Object(ctx)) {
            Ok(c) => c,
            Err(e) => {
                self.diags
                    .push(Diagnostic::error(format!("internal error building {path}: {e}")));
                return;
            }
        };
        match self.theme.tera.render(template, &context) {
            Ok(html) => {
                self.files.insert(path.to_string(), html.into_bytes());
            }
            Err(e) => {
                let origin = self
                    .theme
                    .origin
                    .get(template)
                    .cloned()
                    .unwrap_or_else(|| format!("templates/{template}"));
                self.diags.push(
                    Diagnostic::error(format!("cannot render {path}: {}", theme::tera_error(&e)))
                        .at(Location::file(&origin)),
                );
            }
        }
    }

    /// What every page gets: the site, strings, navigation and the way back to the root.
    fn common(&self, depth: usize, title: &str, crumbs: Vec<(String, Option<String>)>) -> Map<String, Value> {
        let c = &self.project.config;
        let journeys: Vec<Value> = self
            .project
            .journeys
            .iter()
            .map(|j| json!({"id": j.id, "title": j.title, "url": journey_url(j)}))
            .collect();
        let pages: Vec<Value> = self
            .project
            .pages
            .iter()
            .map(|p| json!({"title": p.title, "description": p.description, "url": format!("pages/{}/index.html", p.slug)}))
            .collect();
        let mut breadcrumbs = vec![json!({"title": self.t["home"], "url": "index.html"})];
        breadcrumbs.extend(
            crumbs
                .into_iter()
                .map(|(title, url)| json!({"title": title, "url": url})),
        );
        let mut m = Map::new();
        m.insert(
            "site".into(),
            json!({
                "title": c.title,
                "language": self.t["lang"],
                "journeys": journeys,
                "pages": pages,
                "generator": crate::GENERATOR,
            }),
        );
        m.insert("t".into(), json!(self.t));
        m.insert("root".into(), json!("../".repeat(depth)));
        m.insert("title".into(), json!(title));
        m.insert("breadcrumbs".into(), json!(breadcrumbs));
        m
    }

    fn persona(&self, j: &Journey) -> Value {
        j.persona
            .as_ref()
            .and_then(|id| self.project.config.personas.iter().find(|p| &p.id == id))
            .map_or(
                Value::Null,
                |p| json!({"id": p.id, "name": p.name, "html": p.description.as_deref().map(markdown::render)}),
            )
    }

    fn home(&mut self) {
        let cards: Vec<Value> = self
            .project
            .journeys
            .iter()
            .zip(&self.analysis.kpis.journeys)
            .map(|(j, k)| {
                let first = k.funnel.steps.first().and_then(|s| s.users);
                let steps: Vec<Value> = k
                    .funnel
                    .steps
                    .iter()
                    .zip(&j.stages)
                    .map(|(s, st)| {
                        let share = s.users.zip(first).filter(|(_, f)| *f > 0).map(|(u, f)| u as f64 / f as f64);
                        json!({"name": st.name, "users": s.users, "share": share, "width": share.map(|v| format!("{:.1}", v * 100.0))})
                    })
                    .collect();
                let mut card = self.journey_value(j, k);
                card["stages"] = json!(j.stages.len());
                card["start_users"] = json!(first);
                card["steps"] = json!(steps);
                card["targets"] = json!(self.targets(j, k));
                card["targets_met"] = json!(k.targets.iter().filter(|t| t.met).count());
                card
            })
            .collect();
        let personas: Vec<Value> = self
            .project
            .config
            .personas
            .iter()
            .map(|p| {
                let journeys: Vec<Value> = self
                    .project
                    .journeys
                    .iter()
                    .filter(|j| j.persona.as_deref() == Some(&p.id))
                    .map(|j| json!({"title": j.title, "url": journey_url(j)}))
                    .collect();
                json!({"id": p.id, "name": p.name, "html": p.description.as_deref().map(markdown::render), "journeys": journeys})
            })
            .collect();
        let mut ctx = self.common(0, &self.project.config.title, vec![]);
        ctx.insert(
            "description_html".into(),
            json!(self.project.config.description.as_deref().map(markdown::render)),
        );
        ctx.insert("cards".into(), json!(cards));
        ctx.insert("personas".into(), json!(personas));
        self.page("index.html", "index.html", ctx);
    }

    /// Targets with a readable label, the unit of their bounds and a link to what they measure.
    fn targets(&self, j: &Journey, k: &JourneyKpis) -> Vec<Value> {
        j.targets
            .iter()
            .zip(&k.targets)
            .map(|(spec, r): (_, &TargetResult)| {
                let (label, unit, url) = match &spec.kind {
                    TargetKind::ConversionRate => (self.t["conversion_rate"].to_string(), "percent", Some(journey_url(j))),
                    TargetKind::Aov => (self.t["aov"].to_string(), "currency", Some(journey_url(j))),
                    TargetKind::RepeatPurchaseRate => {
                        (self.t["repeat_purchase_rate"].to_string(), "percent", Some(journey_url(j)))
                    }
                    TargetKind::Retention(p) => (
                        format!("{} ({} {p})", self.t["retention"], self.t["period"].to_lowercase()),
                        "percent",
                        Some(retention_url(j)),
                    ),
                    TargetKind::StageConversion(i) => (
                        format!("{} — {}", j.stages[*i].name, self.t["conversion_from_previous"].to_lowercase()),
                        "percent",
                        Some(stage_url(j, &j.stages[*i])),
                    ),
                    TargetKind::TouchpointMetric(tp, m) => {
                        let found = j.touchpoints().find(|(_, t)| &t.id == tp).map(|(_, t)| t);
                        let metric = found.and_then(|t| t.metrics.iter().find(|x| &x.id == m));
                        (
                            format!("{} — {}", found.map_or(tp.as_str(), |t| t.name.as_str()), metric.map_or(m.as_str(), |x| x.name.as_str())),
                            metric.map_or("count", |x| x.unit.name()),
                            Some(touchpoint_url(j, tp)),
                        )
                    }
                };
                json!({"kpi": r.kpi, "label": label, "unit": unit, "url": url, "min": r.min, "max": r.max, "actual": r.actual, "met": r.met})
            })
            .collect()
    }

    fn stage_value(&self, j: &Journey, k: &JourneyKpis, i: usize) -> Value {
        let s = &j.stages[i];
        let step = &k.funnel.steps[i];
        let target = j
            .targets
            .iter()
            .zip(&k.targets)
            .find(|(t, _)| t.kind == TargetKind::StageConversion(i))
            .map(|(_, r)| json!({"min": r.min, "max": r.max, "actual": r.actual, "met": r.met}));
        let tps: Vec<Value> = s
            .touchpoints
            .iter()
            .map(|tp| self.touchpoint_value(j, k, &tp.id))
            .collect();
        let exits: Option<u64> = k.stages[i].touchpoints.iter().map(|t| t.exits).sum();
        json!({
            "id": s.id,
            "name": s.name,
            "number": i + 1,
            "url": stage_url(j, s),
            "html": s.description.as_deref().map(markdown::render),
            "emotion": s.emotion,
            "emotion_label": s.emotion.map(|e| self.t[format!("emotion_{e}").as_str()]),
            "actions": s.actions,
            "questions": s.questions,
            "pain_points": s.pain_points,
            "opportunities": s.opportunities,
            "is_conversion": i == j.conversion_stage,
            "reach": k.stages[i].reach,
            "users": step.users,
            "conversion_from_previous": step.conversion_from_previous,
            "conversion_from_start": step.conversion_from_start,
            "drop_off": if i == 0 { None } else { step.drop_off },
            "median_seconds": step.median_seconds_from_previous,
            "target": target,
            "touchpoints": tps,
            "exits": exits,
        })
    }

    fn touchpoint_value(&self, j: &Journey, k: &JourneyKpis, id: &str) -> Value {
        let (si, tp) = j
            .touchpoints()
            .find(|(_, t)| t.id == id)
            .expect("touchpoint of the journey");
        let tk = k.stages[si]
            .touchpoints
            .iter()
            .find(|t| t.id == id)
            .expect("kpis follow the spec");
        let metrics: Vec<Value> = tp
            .metrics
            .iter()
            .map(|m| {
                let mk = tk.metrics.get(&m.id);
                let target = j
                    .targets
                    .iter()
                    .zip(&k.targets)
                    .find(|(t, _)| t.kind == TargetKind::TouchpointMetric(tp.id.clone(), m.id.clone()))
                    .map(|(_, r)| json!({"min": r.min, "max": r.max, "actual": r.actual, "met": r.met}));
                json!({
                    "id": m.id,
                    "name": m.name,
                    "unit": m.unit.name(),
                    "aggregate": format!("{:?}", m.aggregate).to_lowercase(),
                    "value": mk.and_then(|x| x.value),
                    "series": mk.map(|x| &x.series),
                    "target": target,
                })
            })
            .collect();
        json!({
            "id": tp.id,
            "name": tp.name,
            "channel": tp.channel,
            "icon": icons::channel_icon(&tp.channel),
            "url": touchpoint_url(j, &tp.id),
            "owner": tp.owner,
            "html": tp.description.as_deref().map(markdown::render),
            "events": tp.events.iter().map(|e| &e.value).collect::<Vec<_>>(),
            "users": tk.users,
            "event_count": tk.events,
            "exits": tk.exits,
            "metrics": metrics,
            "stage": {"id": j.stages[si].id, "name": j.stages[si].name, "url": stage_url(j, &j.stages[si])},
        })
    }

    fn journey_value(&self, j: &Journey, k: &JourneyKpis) -> Value {
        json!({
            "id": j.id,
            "title": j.title,
            "url": journey_url(j),
            "persona": self.persona(j),
            "owner": j.owner,
            "html": j.description.as_deref().map(markdown::render),
            "window": j.conversion_window.map(|w| self.n.duration(w as f64)),
            "conversion_stage": j.stages[j.conversion_stage].name,
            "conversion_rate": k.conversion_rate,
            "revenue": k.revenue,
            "has_events": j.events.is_some(),
            "retention_url": k.retention.as_ref().map(|_| retention_url(j)),
        })
    }

    fn journey(&mut self, j: &Journey, k: &JourneyKpis) {
        let stages: Vec<Value> = (0..j.stages.len()).map(|i| self.stage_value(j, k, i)).collect();
        let steps: Vec<charts::FunnelStep> = k
            .funnel
            .steps
            .iter()
            .zip(&j.stages)
            .map(|(s, st)| charts::FunnelStep {
                name: &st.name,
                users: s.users,
                from_previous: s.conversion_from_previous,
            })
            .collect();
        let funnel_svg = charts::funnel("funnel", self.t["funnel"], &steps, self.n);
        let emotions: Vec<(String, Option<u8>)> = j.stages.iter().map(|s| (s.name.clone(), s.emotion)).collect();
        let labels = [1, 2, 3, 4, 5].map(|e| self.t[format!("emotion_{e}").as_str()]);
        let emotion_svg = emotions
            .iter()
            .any(|e| e.1.is_some())
            .then(|| charts::emotion_curve("emotion", self.t["emotion_curve"], &emotions, MAP_COLUMN, &labels));
        let segments: Vec<Value> = k
            .segments
            .iter()
            .map(|s| {
                json!({"id": s.id, "conversion_rate": s.conversion_rate, "users": s.funnel.steps.first().and_then(|x| x.users),
                       "converted": s.funnel.steps.get(j.conversion_stage).and_then(|x| x.users)})
            })
            .collect();
        let segments_svg = (!k.segments.is_empty()).then(|| {
            let items: Vec<(String, Option<f64>)> =
                k.segments.iter().map(|s| (s.id.clone(), s.conversion_rate)).collect();
            charts::rate_bars("segments", self.t["comparison"], &items, self.n)
        });
        // Where customers leave: per stage, its pain points next to the exits of its touchpoints.
        let exits: Vec<Value> = stages
            .iter()
            .filter(|s| s["exits"].as_u64().unwrap_or(0) > 0)
            .map(|s| {
                let total = s["exits"].as_u64().unwrap_or(0);
                let mut tps: Vec<&Value> = s["touchpoints"].as_array().unwrap().iter().filter(|t| t["exits"].as_u64().unwrap_or(0) > 0).collect();
                tps.sort_by(|a, b| b["exits"].as_u64().cmp(&a["exits"].as_u64()).then(a["id"].as_str().cmp(&b["id"].as_str())));
                let tps: Vec<Value> = tps
                    .into_iter()
                    .map(|t| {
                        let share = t["exits"].as_u64().unwrap_or(0) as f64 / total as f64;
                        json!({"name": t["name"], "url": t["url"], "icon": t["icon"], "exits": t["exits"], "share": share, "width": format!("{:.1}", share * 100.0)})
                    })
                    .collect();
                json!({"name": s["name"], "url": s["url"], "exits": total, "pain_points": s["pain_points"], "touchpoints": tps})
            })
            .collect();
        let unmapped: Vec<Value> = {
            let mut v: Vec<(&String, &u64)> = k.unmapped_events.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            v.into_iter()
                .map(|(name, n)| json!({"name": name, "count": n}))
                .collect()
        };
        let mut ctx = self.common(2, &j.title, vec![(j.title.clone(), None)]);
        ctx.insert("journey".into(), self.journey_value(j, k));
        ctx.insert("stages".into(), json!(stages));
        ctx.insert(
            "steps".into(),
            json!(k
                .funnel
                .steps
                .iter()
                .zip(&j.stages)
                .map(|(s, st)| json!({"name": st.name, "url": stage_url(j, st), "kpi": s}))
                .collect::<Vec<_>>()),
        );
        ctx.insert("funnel_svg".into(), json!(funnel_svg));
        ctx.insert("emotion_svg".into(), json!(emotion_svg));
        ctx.insert("segments".into(), json!(segments));
        ctx.insert("segments_svg".into(), json!(segments_svg));
        ctx.insert("exits".into(), json!(exits));
        ctx.insert("unmapped".into(), json!(unmapped));
        ctx.insert("targets".into(), json!(self.targets(j, k)));
        ctx.insert("columns".into(), json!(j.stages.len()));
        self.page("journey.html", &journey_url(j), ctx);
    }

    fn stage(&mut self, j: &Journey, k: &JourneyKpis, i: usize, s: &Stage) {
        let mut ctx = self.common(
            3,
            &format!("{} — {}", s.name, j.title),
            vec![(j.title.clone(), Some(journey_url(j))), (s.name.clone(), None)],
        );
        ctx.insert("journey".into(), self.journey_value(j, k));
        ctx.insert("stage".into(), self.stage_value(j, k, i));
        let nav =
            |idx: Option<usize>| idx.map(|x| json!({"name": j.stages[x].name, "url": stage_url(j, &j.stages[x])}));
        ctx.insert("previous".into(), json!(nav(i.checked_sub(1))));
        ctx.insert("next".into(), json!(nav((i + 1 < j.stages.len()).then_some(i + 1))));
        ctx.insert("stage_count".into(), json!(j.stages.len()));
        self.page("stage.html", &stage_url(j, s), ctx);
    }

    fn touchpoint(&mut self, j: &Journey, k: &JourneyKpis, si: usize, id: &str) {
        let mut tp = self.touchpoint_value(j, k, id);
        let n = self.n;
        if let Some(metrics) = tp["metrics"].as_array_mut() {
            for m in metrics.iter_mut() {
                let unit = m["unit"].as_str().unwrap_or("count").to_string();
                let points: Vec<(String, Option<f64>)> = m["series"]
                    .as_array()
                    .map(|s| {
                        s.iter()
                            .map(|p| (p["date"].as_str().unwrap_or("").to_string(), p["value"].as_f64()))
                            .collect()
                    })
                    .unwrap_or_default();
                if points.len() > 1 {
                    let chart_id = format!("m-{}", m["id"].as_str().unwrap_or("metric"));
                    let title = m["name"].as_str().unwrap_or("").to_string();
                    m["chart"] = json!(charts::line_chart(&chart_id, &title, &points, &|v| n.unit(v, &unit)));
                }
            }
        }
        let name = tp["name"].as_str().unwrap_or(id).to_string();
        let s = &j.stages[si];
        let mut ctx = self.common(
            4,
            &format!("{name} — {}", j.title),
            vec![
                (j.title.clone(), Some(journey_url(j))),
                (s.name.clone(), Some(stage_url(j, s))),
                (name, None),
            ],
        );
        ctx.insert("journey".into(), self.journey_value(j, k));
        ctx.insert("touchpoint".into(), tp);
        ctx.insert("stage".into(), json!({"name": s.name, "url": stage_url(j, s), "pain_points": s.pain_points, "opportunities": s.opportunities}));
        self.page("touchpoint.html", &touchpoint_url(j, id), ctx);
    }

    fn retention(&mut self, j: &Journey, k: &JourneyKpis) {
        let Some(r) = &k.retention else { return };
        let periods = r.average.len();
        let period_word = self.t[format!("period_{}", r.period).as_str()];
        let rows: Vec<charts::HeatRow> = r
            .cohorts
            .iter()
            .map(|c| charts::HeatRow {
                label: &c.start,
                size: c.size,
                rates: &c.rates,
            })
            .collect();
        let heat = charts::heatmap("heat", self.t["cohort_retention"], &rows, periods, period_word, self.n);
        let n = self.n;
        let points: Vec<(String, Option<f64>)> =
            r.average.iter().enumerate().map(|(i, a)| (i.to_string(), *a)).collect();
        let avg = charts::line_chart("avg", self.t["average"], &points, &|v| n.percent(v));
        let stage_name = |id: &Option<String>| {
            id.as_ref()
                .and_then(|id| j.stage_index(id))
                .map(|i| j.stages[i].name.clone())
        };
        let mut ctx = self.common(
            3,
            &format!("{} — {}", self.t["cohort_retention"], j.title),
            vec![
                (j.title.clone(), Some(journey_url(j))),
                (self.t["retention"].to_string(), None),
            ],
        );
        ctx.insert("journey".into(), self.journey_value(j, k));
        ctx.insert(
            "retention".into(),
            json!({
                "period": period_word,
                "cohort_stage": stage_name(&r.cohort_stage),
                "return_stage": stage_name(&r.return_stage),
                "cohorts": r.cohorts,
                "average": r.average,
                "periods": (0..periods).collect::<Vec<_>>(),
                "heatmap_svg": heat,
                "average_svg": avg,
            }),
        );
        self.page("retention.html", &retention_url(j), ctx);
    }

    fn not_found(&mut self) {
        // A host serves 404.html at any depth: relative links would break, so this page links
        // from the site's base URL path instead.
        let root = url_path(&self.base_url);
        let mut ctx = self.common(0, self.t["not_found"], vec![]);
        ctx.insert("root".into(), json!(root));
        self.page("404.html", "404.html", ctx);
    }

    fn sitemap(&mut self) {
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for path in self.files.keys().filter(|p| p.ends_with("index.html")) {
            let url = format!("{}{}", self.base_url, path.trim_end_matches("index.html"));
            xml.push_str(&format!("  <url><loc>{}</loc></url>\n", esc(&url)));
        }
        xml.push_str("</urlset>\n");
        self.files.insert("sitemap.xml".into(), xml.into_bytes());
    }
}

/// The path part of a base URL ("https://h/a/" → "/a/"; "/" → "/").
fn url_path(base: &str) -> String {
    let rest = base
        .split_once("://")
        .map_or(base, |(_, r)| r.split_once('/').map_or("", |(_, p)| p));
    let path = if base.contains("://") {
        format!("/{rest}")
    } else {
        rest.to_string()
    };
    if path.ends_with('/') {
        path
    } else {
        format!("{path}/")
    }
}

#[cfg(test)]
mod tests {
    use super::url_path;

    #[test]
    fn base_url_paths() {
        assert_eq!(url_path("/"), "/");
        assert_eq!(url_path("https://h.example/"), "/");
        assert_eq!(url_path("https://h.example/journeys/"), "/journeys/");
        assert_eq!(url_path("https://h.example"), "/");
        assert_eq!(url_path("/docs"), "/docs/");
    }
}
