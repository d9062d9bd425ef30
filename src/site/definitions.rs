//! What each number means, for the people reading the site: the ⓘ beside a number and the
//! "How these numbers are computed" page. Both come from the KPI documentation
//! (docs/kpis.md, and its French translation), compiled in, so the site and the docs cannot
//! drift apart.
//!
//! The docs' "In plain words" section has one `### Term <!-- def: key -->` heading per
//! definition followed by its paragraph; templates name a definition by its key
//! (`defs.reached`), whatever the language.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;

use super::markdown;
use crate::spec::Language;

const EN: &str = include_str!("../../docs/kpis.md");
const FR: &str = include_str!("../../docs/fr/kpis.md");

/// The address of the page that shows the whole documentation.
pub const PAGE_URL: &str = "how-numbers-are-computed/index.html";

#[derive(Debug, Serialize)]
pub struct Definition {
    /// The term as the documentation names it.
    pub term: String,
    /// The paragraph, as sanitised HTML.
    pub html: String,
    /// Where the page explains it: `PAGE_URL#anchor`.
    pub url: String,
}

/// The documentation in the site's language.
fn source(lang: Language) -> &'static str {
    match lang {
        Language::En => EN,
        Language::Fr => FR,
    }
}

/// Every definition of the docs' plain-words section, by key (read once per language).
pub fn glossary(lang: Language) -> &'static BTreeMap<&'static str, Definition> {
    static EN_DEFS: OnceLock<BTreeMap<&'static str, Definition>> = OnceLock::new();
    static FR_DEFS: OnceLock<BTreeMap<&'static str, Definition>> = OnceLock::new();
    match lang {
        Language::En => EN_DEFS.get_or_init(|| parse(EN)),
        Language::Fr => FR_DEFS.get_or_init(|| parse(FR)),
    }
}

fn parse(source: &'static str) -> BTreeMap<&'static str, Definition> {
    let mut out = BTreeMap::new();
    let mut lines = source.lines().peekable();
    while let Some(line) = lines.next() {
        let Some((term, key)) = entry_heading(line) else {
            continue;
        };
        let mut paragraph = String::new();
        while let Some(l) = lines.next_if(|l| !l.starts_with('#')) {
            if l.trim().is_empty() && !paragraph.is_empty() {
                break;
            }
            paragraph.push_str(l);
            paragraph.push('\n');
        }
        let html = markdown::render(paragraph.trim());
        // The paragraph goes inside an inline box: without its <p>, it sits by the label.
        let html = html
            .trim()
            .strip_prefix("<p>")
            .and_then(|h| h.strip_suffix("</p>"))
            .unwrap_or(&html)
            .to_string();
        out.insert(
            key,
            Definition {
                url: format!("{PAGE_URL}#md-{}", markdown::slug(term)),
                term: term.to_string(),
                html,
            },
        );
    }
    out
}

/// `### Reached in order <!-- def: reached -->` → ("Reached in order", "reached").
fn entry_heading(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("### ")?;
    let (term, comment) = rest.split_once("<!--")?;
    let key = comment.trim().strip_prefix("def:")?.trim().strip_suffix("-->")?.trim();
    Some((term.trim(), key))
}

/// The documentation as the page's HTML, with an anchor on every heading and the links
/// to other documentation files (which the site does not have) turned into text.
pub fn page_html(lang: Language) -> String {
    let md = source(lang);
    // The page has its own title.
    let body = md
        .strip_prefix('#')
        .map_or(md, |_| md.split_once('\n').map_or("", |(_, rest)| rest));
    markdown::render_document(&unlink_files(body))
}

/// `[text](other.md#x)` → `text`: the site publishes this one page of the docs.
fn unlink_files(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let mut rest = md;
    while let Some(start) = rest.find("](") {
        let Some(open) = rest[..start].rfind('[') else {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        };
        let Some(close) = rest[start + 2..].find(')') else {
            break;
        };
        let target = &rest[start + 2..start + 2 + close];
        if target.starts_with('#') || target.contains("://") {
            out.push_str(&rest[..start + 3 + close]);
        } else {
            out.push_str(&rest[..open]);
            out.push_str(&rest[open + 1..start]);
        }
        rest = &rest[start + 3 + close..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_define_the_same_terms() {
        let en = glossary(Language::En);
        let fr = glossary(Language::Fr);
        assert!(en.len() >= 20, "{:?}", en.keys());
        assert_eq!(en.keys().collect::<Vec<_>>(), fr.keys().collect::<Vec<_>>());
        let reached = &en["reached"];
        assert_eq!(reached.term, "Reached in order");
        assert!(reached.html.starts_with("People who did something"), "{}", reached.html);
        assert!(!reached.html.contains("<p>"));
        assert_eq!(reached.url, "how-numbers-are-computed/index.html#md-reached-in-order");
    }

    #[test]
    fn every_definition_a_template_names_exists() {
        let en = glossary(Language::En);
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/themes/default/templates");
        let mut used = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (i, _) in text.match_indices("defs.") {
                let key: String = text[i + 5..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                assert!(
                    en.contains_key(key.as_str()),
                    "{}: defs.{key} is not in docs/kpis.md",
                    path.display()
                );
                used += 1;
            }
        }
        assert!(used > 10, "the templates use {used} definitions");
    }

    #[test]
    fn links_to_other_docs_become_text() {
        assert_eq!(
            unlink_files("see [its format](kpis-json.md) and [Numbers](#numbers) or [x](https://e.org)."),
            "see its format and [Numbers](#numbers) or [x](https://e.org)."
        );
        assert_eq!(unlink_files("a ](b) [c](d.md#e"), "a ](b) [c](d.md#e");
    }
}
