//! `pages/*.md`: free Markdown pages with TOML front matter between `+++` lines.

use std::path::Path;

use super::reader::{parse, Source, Table};
use super::{is_slug, read_text, slugify, Page};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use crate::files::Root;

pub(super) fn load_all(files: &Root, root: &Path, diags: &mut Diagnostics) -> Vec<Page> {
    let Ok(rd) = std::fs::read_dir(root.join("pages")) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    let mut pages = Vec::new();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || !name.ends_with(".md") {
            continue;
        }
        let shown = format!("pages/{name}");
        let Some(text) = read_text(files, &path, &shown, diags) else {
            continue;
        };
        let slug = name.trim_end_matches(".md").to_string();
        if !is_slug(&slug) {
            diags.push(
                Diagnostic::error(format!("page file name `{slug}` is not a slug ([a-z0-9][a-z0-9_-]*)"))
                    .at(Location::file(&shown))
                    .help(format!("rename it to pages/{}.md", slugify(&slug))),
            );
        }
        if let Some(page) = read_page(&shown, &text, slug, diags) {
            pages.push(page);
        }
    }
    pages.sort_by(|a, b| (a.weight, &a.slug).cmp(&(b.weight, &b.slug)));
    pages
}

/// Splits `+++\n<toml>\n+++\n<markdown>`. The front matter keeps its byte offsets in the
/// file (the opening fence is turned into a comment) so locations point at the real line.
fn split_front_matter(text: &str) -> Option<(String, &str)> {
    let rest = text.strip_prefix("\u{feff}").unwrap_or(text);
    let offset = text.len() - rest.len();
    let first_end = rest.find('\n')?;
    if rest[..first_end].trim_end() != "+++" {
        return None;
    }
    let mut pos = first_end + 1;
    while pos <= rest.len() {
        let end = rest[pos..].find('\n').map_or(rest.len(), |i| pos + i);
        if rest[pos..end].trim_end() == "+++" {
            let mut front = String::with_capacity(offset + pos);
            front.push_str(&" ".repeat(offset));
            front.push('#');
            front.push_str(&rest[1..pos]);
            let body = if end < rest.len() { &rest[end + 1..] } else { "" };
            return Some((front, body));
        }
        if end == rest.len() {
            break;
        }
        pos = end + 1;
    }
    None
}

fn read_page(shown: &str, text: &str, slug: String, diags: &mut Diagnostics) -> Option<Page> {
    let Some((front, body)) = split_front_matter(text) else {
        diags.push(
            Diagnostic::error("a page must start with TOML front matter between `+++` lines")
                .at(Location::from_span(shown, text, 0..0))
                .help("start the file with a line `+++`, then `title = \"…\"`, then another `+++` line"),
        );
        return None;
    };
    let src = Source::new(shown, &front);
    let doc = parse(&src, diags)?;
    let mut t = Table::new(&src, doc.get_ref(), 0..0, format!("the front matter of {shown}"));
    let title = t.required_string("title", diags);
    let description = t.string("description", diags).map(|s| s.value);
    let weight = t.integer("weight", diags).map_or(0, |w| w.value);
    t.finish(diags);
    Some(Page {
        slug,
        title: title?.value,
        description,
        weight,
        body: body.to_string(),
        file: shown.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::split_front_matter;

    #[test]
    fn front_matter_keeps_offsets() {
        let text = "+++\ntitle = \"A\"\n+++\n# Body\n";
        let (front, body) = split_front_matter(text).unwrap();
        assert_eq!(front, "#++\ntitle = \"A\"\n");
        assert_eq!(body, "# Body\n");
        assert!(split_front_matter("# no front matter\n").is_none());
        assert!(split_front_matter("+++\ntitle = 1\n").is_none());
        let (_, body) = split_front_matter("+++\n+++").unwrap();
        assert_eq!(body, "");
    }
}
