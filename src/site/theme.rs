//! The theme: Tera templates and static files, in layers. The built-in default theme is
//! compiled into the binary; a project's `themes/<name>/` (when `theme = "<name>"`) and then
//! its own `templates/` and `static/` override any file at the same relative path.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::files::Root;
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
    (
        "poster.html",
        include_str!("../../themes/default/templates/poster.html"),
    ),
    ("404.html", include_str!("../../themes/default/templates/404.html")),
];

const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../themes/default/static/style.css")),
    ("site.js", include_bytes!("../../themes/default/static/site.js")),
    ("poster.js", include_bytes!("../../themes/default/static/poster.js")),
    ("favicon.svg", include_bytes!("../../themes/default/static/favicon.svg")),
];

pub struct Theme {
    pub tera: tera::Tera,
    /// Static files by path relative to `assets/`.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// Where each template came from, for error messages.
    pub origin: BTreeMap<String, String>,
}

/// The files of a theme directory, by relative path with `/` separators: the directory
/// must be inside the project (a link to elsewhere is an error at `shown`), and links in it
/// are not followed, so nothing outside the project can reach the site.
fn files_under(files: &Root, dir: &Path, shown: &str, diags: &mut Diagnostics) -> Vec<(String, PathBuf)> {
    let dir = match files.directory(dir) {
        Ok(Some(d)) => d,
        Ok(None) => return Vec::new(),
        Err(r) => {
            diags.push(
                Diagnostic::error(r.message(shown.trim_end_matches('/')))
                    .at(Location::file(shown))
                    .help_opt(r.help().map(String::from)),
            );
            return Vec::new();
        }
    };
    let mut out: Vec<(String, PathBuf)> = walkdir::WalkDir::new(&dir)
        .follow_links(false)
        .follow_root_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(&dir).ok()?.to_string_lossy().replace('\\', "/");
            (!rel.split('/').any(|c| c.starts_with('.'))).then(|| (rel, e.path().to_path_buf()))
        })
        .collect();
    out.sort();
    out
}

/// The templates a template names in `{% include %}`, `{% extends %}` and `{% import %}`.
fn dependencies(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{%") {
        let Some(len) = rest[start..].find("%}") else { break };
        let tag = rest[start + 2..start + len].trim_matches(|c: char| c == '-' || c.is_whitespace());
        if ["include", "extends", "import"].iter().any(|k| tag.starts_with(k)) {
            // Every quoted name in the tag (`include ["a", "b"]` names several).
            let mut parts = tag.split(['"', '\'']);
            parts.next();
            out.extend(parts.step_by(2));
        }
        rest = &rest[start + len + 2..];
    }
    out
}

/// A template that includes (or extends, or imports) itself, directly or through others,
/// would recurse until the stack overflows: it is an error at the template instead.
fn check_include_cycles(templates: &BTreeMap<String, (String, String)>, diags: &mut Diagnostics) {
    fn visit<'a>(
        name: &'a str,
        templates: &'a BTreeMap<String, (String, String)>,
        path: &mut Vec<&'a str>,
        done: &mut std::collections::BTreeSet<&'a str>,
        diags: &mut Diagnostics,
    ) {
        if let Some(i) = path.iter().position(|n| *n == name) {
            let cycle: Vec<&str> = path[i..].iter().copied().chain([name]).collect();
            let origin = &templates[path[i]].1;
            diags.push(
                Diagnostic::error(format!(
                    "templates include one another in a circle: {}",
                    cycle.join(" → ")
                ))
                .at(Location::file(origin))
                .help("a template cannot include, extend or import itself, even through others"),
            );
            return;
        }
        if done.contains(name) {
            return;
        }
        let Some((text, _)) = templates.get_key_value(name).map(|(_, v)| v) else {
            return;
        };
        path.push(name);
        for dep in dependencies(text) {
            if let Some((key, _)) = templates.get_key_value(dep) {
                visit(key, templates, path, done, diags);
            }
        }
        path.pop();
        done.insert(name);
    }
    let mut done = std::collections::BTreeSet::new();
    for name in templates.keys() {
        visit(name, templates, &mut Vec::new(), &mut done, diags);
    }
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
        let shown_t = format!("{prefix}templates/");
        for (rel, path) in files_under(&project.files, &tdir, &shown_t, &mut diags) {
            let shown = format!("{shown_t}{rel}");
            let text = project
                .files
                .read_spec(&path)
                .map_err(|r| r.message(&shown))
                .and_then(|b| String::from_utf8(b).map_err(|_| format!("`{shown}` is not valid UTF-8")));
            match text {
                Ok(text) => {
                    templates.insert(rel, (text, shown));
                }
                Err(why) => {
                    diags.push(Diagnostic::error(format!("cannot read template: {why}")).at(Location::file(&shown)))
                }
            }
        }
        let shown_s = format!("{prefix}static/");
        for (rel, path) in files_under(&project.files, &sdir, &shown_s, &mut diags) {
            match project.files.read_spec(&path) {
                Ok(bytes) => {
                    assets.insert(rel, bytes);
                }
                Err(r) => {
                    let shown = format!("{shown_s}{rel}");
                    diags.push(
                        Diagnostic::error(format!("cannot read static file: {}", r.message(&shown)))
                            .at(Location::file(&shown)),
                    )
                }
            }
        }
    }
    check_include_cycles(&templates, &mut diags);
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
