//! `journeymap.toml`: the project's title, language, theme and personas.

use std::path::Path;

use super::reader::{parse, Source, Table};
use super::{humanize, is_slug, read_text, slugify, Config, Language, Persona};
use crate::currency::Currency;
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics};
use crate::files::Root;

pub(super) fn load(files: &Root, root: &Path, diags: &mut Diagnostics) -> Option<Config> {
    let text = read_text(files, &root.join("journeymap.toml"), "journeymap.toml", diags)?;
    let src = Source::new("journeymap.toml", &text);
    let doc = parse(&src, diags)?;
    let mut t = Table::new(&src, doc.get_ref(), 0..0, "journeymap.toml");
    let title = t.required_string("title", diags);
    let description = t.string("description", diags).map(|s| s.value);
    let language = t.choice("language", diags).map_or(Language::En, |l| l.value);
    let currency = t.string("currency", diags).and_then(|c| {
        let found = Currency::from_code(&c.value);
        if found.is_none() {
            let upper = c.value.to_ascii_uppercase();
            let help = if Currency::from_code(&upper).is_some() {
                format!("write it in capitals: `currency = \"{upper}\"`")
            } else {
                did_you_mean(&upper, Currency::codes())
                    .unwrap_or_else(|| "an ISO 4217 code such as EUR, USD or GBP".to_string())
            };
            diags.push(
                Diagnostic::error(format!("unknown currency `{}`", c.value))
                    .at(c.loc)
                    .help(help),
            );
        }
        found
    });
    let theme = t.string("theme", diags);
    if let Some(theme) = &theme {
        // A theme is a folder of the project's `themes/` named by a slug: a path here
        // (`/some/dir`, `../x`) would publish files from anywhere.
        let dir = root.join("themes").join(&theme.value);
        let exists =
            theme.value == "default" || (is_slug(&theme.value) && files.directory(&dir).is_ok_and(|d| d.is_some()));
        if !is_slug(&theme.value) {
            diags.push(
                Diagnostic::error(format!("theme `{}` is not a slug ([a-z0-9][a-z0-9_-]*)", theme.value))
                    .at(theme.loc.clone())
                    .help("a theme is named by its folder in the project's `themes/`"),
            );
        } else if !exists {
            diags.push(
                Diagnostic::error(format!("theme `{}` not found", theme.value))
                    .at(theme.loc.clone())
                    .help(format!(
                        "create `themes/{}/` in the project, or use `theme = \"default\"`",
                        theme.value
                    )),
            );
        }
    }
    let base_url = t.string("base_url", diags).map_or_else(
        || "/".to_string(),
        |s| {
            if let Err(why) = check_base_url(&s.value) {
                diags.push(
                    Diagnostic::error(format!("invalid `base_url`: {why}"))
                        .at(s.loc.clone())
                        .help("write a path such as \"/journeys/\" or a URL such as \"https://journeys.example.com/\""),
                );
            }
            s.value
        },
    );
    let mut personas: Vec<Persona> = Vec::new();
    for mut p in t.tables("personas", "persona", diags) {
        let id = p.required_string("id", diags);
        if let Some(id) = &id {
            p.set_what(format!("persona `{}`", id.value));
            if !is_slug(&id.value) {
                diags.push(
                    Diagnostic::error(format!("persona id `{}` is not a slug ([a-z0-9][a-z0-9_-]*)", id.value))
                        .at(id.loc.clone())
                        .help(format!("use `{}`", slugify(&id.value))),
                );
            } else if personas.iter().any(|q| q.id == id.value) {
                diags.push(Diagnostic::error(format!("duplicate persona id `{}`", id.value)).at(id.loc.clone()));
            }
        }
        let name = p.string("name", diags).map(|s| s.value);
        let description = p.string("description", diags).map(|s| s.value);
        p.finish(diags);
        if let Some(id) = id {
            personas.push(Persona {
                name: name.unwrap_or_else(|| humanize(&id.value)),
                id: id.value,
                description,
            });
        }
    }
    t.finish(diags);
    Some(Config {
        // A bad title is already reported; the rest of the config still serves the checks.
        title: title.map_or_else(String::new, |t| t.value),
        description,
        language,
        currency,
        theme: theme.map_or_else(|| "default".to_string(), |t| t.value),
        base_url,
        personas,
    })
}

/// A base URL is a path from the site's host (`/`, `/journeys/`) or an `http(s)://` URL: it
/// ends up in links and `<link rel="canonical">`, and the 404 page loads its stylesheet and
/// script from it, so a protocol-relative `//host` or a `javascript:` value must not pass.
pub fn check_base_url(url: &str) -> Result<(), String> {
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "\"'<>\\`".contains(*c))
    {
        return Err(format!("`{url}` contains {c:?}"));
    }
    if let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) {
        let host = rest.split('/').next().unwrap_or("");
        return if host.is_empty() || host.starts_with('@') {
            Err(format!("`{url}` has no host"))
        } else {
            Ok(())
        };
    }
    if url.starts_with("//") {
        return Err(format!("`{url}` is protocol-relative: it would load from another host"));
    }
    if !url.starts_with('/') {
        return Err(format!(
            "`{url}` is neither a path starting with `/` nor an http(s) URL"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_base_url;

    #[test]
    fn base_urls() {
        for ok in [
            "/",
            "/journeys/",
            "/a/b",
            "https://journeys.example.com/",
            "http://h:8080/sub/",
            "https://h",
        ] {
            assert!(check_base_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "//evil.example/",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "journeys/",
            "",
            "https://",
            "https:///x",
            "/a b/",
            "/\"onload=x",
            "/a\nb",
            "ftp://h/",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
    }
}
