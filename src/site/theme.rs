//! The theme: Tera templates and static files, in layers. The built-in default theme is
//! compiled into the binary; a project's `themes/<name>/` (when `theme = "<name>"`) and then
//! its own `templates/` and `static/` override any file at the same relative path.

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::spec::Project;

const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    (
        "macros.html",
        include_str!("../../themes/default/templates/macros.html"),
    ),
    ("index.html", include_str!("../../themes/default/templates/index.html")),
    (
        "journey.html",
        include_str!("../../themes/default/templates/journey.html"),
    ),
    ("stage.html", include_str!("../../themes/default/templates/stage.html")),
    (
        "touchpoint.html",
        include_str!("../../themes/default/templates/touchpoint.html"),
    ),
    (
        "retention.html",
        include_str!("../../themes/default/templates/retention.html"),
    ),
    ("page.html", include_str!("../../themes/default/templates/page.html")),
    ("404.html", include_str!("../../themes/default/templates/404.html")),
];

const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../themes/default/static/style.css")),
    ("site.js", include_bytes!("../../themes/default/static/site.js")),
    ("favicon.svg", include_bytes!("../../themes/default/static/favicon.svg")),
];

pub struct Theme {
    pub tera: tera::Tera,
    /// Static files by path relative to `assets/`.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// Where each template came from, for error messages.
    pub origin: BTreeMap<String, String>,
}

/// Files of one directory, by relative path with `/` separators.
fn files_under(dir: &Path) -> Vec<(String, std::path::PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    let mut out: Vec<(String, std::path::PathBuf)> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?.to_string_lossy().replace('\\', "/");
            (!rel.split('/').any(|c| c.starts_with('.'))).then(|| (rel, e.path().to_path_buf()))
        })
        .collect();
    out.sort();
    out
}

/// The full chain of a Tera error (Tera puts the useful part in `source()`).
pub fn tera_error(e: &tera::Error) -> String {
    let mut msg = e.to_string();
    let mut cur: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = cur {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        cur = s.source();
    }
    msg
}

pub fn load(project: &Project) -> Result<Theme, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut templates: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (name, text) in BUILTIN_TEMPLATES {
        templates.insert(
            name.to_string(),
            (text.to_string(), format!("(built-in theme) templates/{name}")),
        );
    }
    let mut assets: BTreeMap<String, Vec<u8>> = BUILTIN_STATIC
        .iter()
        .map(|(n, b)| (n.to_string(), b.to_vec()))
        .collect();
    let root = &project.root;
    let theme_dir = root.join("themes").join(&project.config.theme);
    let layers = [
        (
            theme_dir.join("templates"),
            theme_dir.join("static"),
            format!("themes/{}/", project.config.theme),
        ),
        (root.join("templates"), root.join("static"), String::new()),
    ];
    for (tdir, sdir, prefix) in layers {
        for (rel, path) in files_under(&tdir) {
            let shown = format!("{prefix}templates/{rel}");
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    templates.insert(rel, (text, shown));
                }
                Err(e) => {
                    diags.push(Diagnostic::error(format!("cannot read template: {e}")).at(Location::file(&shown)))
                }
            }
        }
        for (rel, path) in files_under(&sdir) {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    assets.insert(rel, bytes);
                }
                Err(e) => diags.push(
                    Diagnostic::error(format!("cannot read static file: {e}"))
                        .at(Location::file(&format!("{prefix}static/{rel}"))),
                ),
            }
        }
    }
    let mut tera = tera::Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    // Tera's default also escapes `/`, which turns every URL into `&#x2F;` soup; these five
    // characters are all that text and quoted attributes need.
    tera.set_escape_fn(super::esc);
    let origin: BTreeMap<String, String> = templates.iter().map(|(k, (_, o))| (k.clone(), o.clone())).collect();
    let raw: Vec<(String, String)> = templates.into_iter().map(|(name, (text, _))| (name, text)).collect();
    if let Err(e) = tera.add_raw_templates(raw) {
        diags.push(
            Diagnostic::error(format!("invalid template: {}", tera_error(&e)))
                .at(Location::file("templates/"))
                .help("templates use Tera syntax; see the built-in theme's templates for the variables available"),
        );
    }
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Theme { tera, assets, origin })
}
