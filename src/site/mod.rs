//! The published site (docs/site.md): every page rendered in memory from the project, its
//! KPIs and the theme, then written atomically by [`output`].
//!
//! Pages link relatively (`{{ root }}journeys/x/index.html`, with explicit `index.html`), so
//! the site works from any sub-path and from `file://`. Nothing here reads the clock or
//! iterates a hash map, so two builds of the same inputs are byte-identical. Each page's
//! template gets a typed context ([`context`]) built in [`pages`].

pub mod baseline;
mod charts;
mod context;
mod definitions;
mod emotion;
mod flow_strings;
mod flows;
pub mod i18n;
mod icons;
mod markdown;
pub mod output;
mod pages;
mod parts;
mod theme;
mod typography;
mod voice;
mod voice_strings;

use std::path::Path;

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::kpi::Kpis;
use crate::locale::Numbers;
use crate::spec::{Journey, Project, Stage};
use crate::timing::timed;
pub use baseline::BaselineFile;
use i18n::Strings;
pub use output::SiteFiles;

struct Site<'a> {
    project: &'a Project,
    kpis: &'a Kpis,
    theme: theme::Theme,
    n: Numbers,
    t: &'static Strings,
    base_url: String,
    files: SiteFiles,
    diags: Diagnostics,
    baseline: Option<baseline::Baseline<'a>>,
}

/// Site-root-relative URL of a journey's pages.
fn journey_url(j: &Journey) -> String {
    format!("journeys/{}/index.html", j.id)
}

fn stage_url(j: &Journey, s: &Stage) -> String {
    format!("journeys/{}/{}/index.html", j.id, s.id)
}

/// A link to stage `s` of `j`, as pages name stages.
fn stage_link<'a>(j: &'a Journey, s: &'a Stage) -> context::StageLink<'a> {
    context::StageLink {
        id: &s.id,
        name: &s.name,
        url: stage_url(j, s),
    }
}

fn touchpoint_url(j: &Journey, tp: &str) -> String {
    format!("journeys/{}/touchpoints/{tp}/index.html", j.id)
}

/// The map alone, for one printed A3 sheet. A file, not a folder: no stage id can take it.
fn poster_url(j: &Journey) -> String {
    format!("journeys/{}/poster.html", j.id)
}

fn retention_url(j: &Journey) -> String {
    format!("journeys/{}/{}/index.html", j.id, retention_dir(j))
}

/// The retention page's directory: `retention`, unless a stage already uses that id (a
/// journey with a "retention" stage is common), then the first free alternative.
fn retention_dir(j: &Journey) -> &'static str {
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

/// Renders every page in memory.
pub fn render(
    project: &Project,
    kpis: &Kpis,
    base_url: Option<&str>,
    baseline: Option<&BaselineFile>,
) -> Result<SiteFiles, Diagnostics> {
    let mut theme = theme::load(project)?;
    let lang = project.config.language;
    let currency = project.config.currency;
    i18n::register_filters(&mut theme.tera, lang, currency);
    let mut base_url = base_url.unwrap_or(&project.config.base_url).to_string();
    if !base_url.ends_with('/') {
        base_url.push('/');
    }
    let mut site = Site {
        project,
        kpis,
        theme,
        n: Numbers::new(lang, currency),
        t: Strings::of(lang),
        base_url,
        files: SiteFiles::new(),
        diags: Diagnostics::default(),
        baseline: baseline.map(|b| baseline::Baseline {
            old: &b.kpis,
            now: crate::kpi::baseline::Published::of(kpis),
            name: &b.name,
        }),
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

/// Renders the site of an analysed project and writes it to `out`.
pub fn build(
    project: &Project,
    kpis: &Kpis,
    out: &Path,
    base_url: Option<&str>,
    baseline: Option<&BaselineFile>,
) -> Result<usize, BuildError> {
    let files = timed("render site", || render(project, kpis, base_url, baseline)).map_err(BuildError::Render)?;
    timed("write site", || output::write(out, &files)).map_err(BuildError::Output)?;
    Ok(files.len())
}

impl Site<'_> {
    fn all_pages(&mut self) {
        for (name, bytes) in &self.theme.assets {
            self.files.insert(format!("assets/{name}"), bytes.clone());
        }
        self.home();
        for (j, k) in self.project.journeys.iter().zip(&self.kpis.journeys) {
            self.journey(j, k);
            for i in 0..j.stages.len() {
                self.stage(j, k, i);
            }
            for (si, tp) in j.touchpoints() {
                self.touchpoint(j, k, si, &tp.id);
            }
            if k.retention.is_some() {
                self.retention(j, k);
            }
        }
        for p in &self.project.pages {
            self.markdown_page(p);
        }
        self.definitions_page();
        self.not_found();
        self.sitemap();
        let kpis = serde_json::to_string_pretty(self.kpis).expect("kpis serialize") + "\n";
        self.files.insert("kpis.json".into(), kpis.into_bytes());
    }

    /// Renders `template` with `ctx` into the file at `path`; a template error is a
    /// diagnostic naming the template's file.
    fn page<C: Serialize>(&mut self, template: &str, path: &str, ctx: &C) {
        let context = match tera::Context::from_serialize(ctx) {
            Ok(c) => c,
            Err(e) => {
                self.diags
                    .push(Diagnostic::error(format!("internal error building {path}: {e}")));
                return;
            }
        };
        match self.theme.tera.render(template, &context) {
            Ok(html) => {
                let html = match self.project.config.language {
                    crate::spec::Language::Fr => typography::french(&html),
                    crate::spec::Language::En => html,
                };
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
