//! `journeymap.toml`: the project's title, language, theme and personas.

use std::path::Path;

use super::reader::{parse, Source, Table};
use super::{humanize, is_slug, read_text, slugify, Config, Language, Persona};
use crate::diagnostics::{Diagnostic, Diagnostics};

pub(super) fn load(root: &Path, diags: &mut Diagnostics) -> Option<Config> {
    let text = read_text(&root.join("journeymap.toml"), "journeymap.toml", diags)?;
    let src = Source::new("journeymap.toml", &text);
    let doc = parse(&src, diags)?;
    let mut t = Table::new(&src, doc.get_ref(), 0..0, "journeymap.toml");
    let title = t.required_string("title", diags);
    let description = t.string("description", diags).map(|s| s.value);
    let language = t.choice("language", diags).map_or(Language::En, |l| l.value);
    let theme = t.string("theme", diags);
    if let Some(theme) = &theme {
        let exists = theme.value == "default" || root.join("themes").join(&theme.value).is_dir();
        if !exists {
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
    let base_url = t.string("base_url", diags).map_or_else(|| "/".to_string(), |s| s.value);
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
        theme: theme.map_or_else(|| "default".to_string(), |t| t.value),
        base_url,
        personas,
    })
}
