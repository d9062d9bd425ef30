//! Markdown from specs (descriptions, pages) to safe HTML: pulldown-cmark with tables,
//! footnotes, strikethrough and task lists, then ammonia, so that no script, event handler
//! or `javascript:` URL written in a spec reaches a page.

use std::sync::OnceLock;

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        // Task lists render disabled checkboxes; footnotes link by id.
        b.add_tags(["input", "label"])
            .add_tag_attributes("input", ["type", "checked", "disabled"])
            .add_generic_attributes(["class", "id"])
            .id_prefix(Some("md-"))
            .link_rel(Some("noopener noreferrer"));
        b
    })
}

fn options() -> Options {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts
}

/// A fragment: a description of a journey, stage, touchpoint or persona.
pub fn render(markdown: &str) -> String {
    clean(label_task_items(Parser::new_ext(markdown, options())))
}

/// A whole page: as [`render`], and every heading gets the anchor GitHub would give it
/// (`## Numbers and limits` → `#numbers-and-limits`, prefixed `md-` like every id), so
/// that links written for the repository work on the site.
pub fn render_document(markdown: &str) -> String {
    let mut events: Vec<Event> = Parser::new_ext(markdown, options()).collect();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            for e in &events[i + 1..] {
                match e {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let base = slug(&text);
            let n = seen.entry(base.clone()).or_insert(0);
            let id = if *n == 0 { base } else { format!("{base}-{n}") };
            *n += 1;
            if let Event::Start(Tag::Heading { id: slot, .. }) = &mut events[i] {
                *slot = Some(CowStr::from(id));
            }
        }
        i += 1;
    }
    clean(label_task_items(events.into_iter()))
}

fn clean<'a>(events: impl Iterator<Item = Event<'a>>) -> String {
    let mut raw = String::new();
    // A wide table scrolls in its own box rather than widening the page on a phone.
    let events = events.flat_map(|e| match e {
        Event::Start(Tag::Table(_)) => vec![Event::Html("<div class=\"table-scroll\">".into()), e],
        Event::End(TagEnd::Table) => vec![e, Event::Html("</div>".into())],
        e => vec![e],
    });
    html::push_html(&mut raw, events);
    // Footnote references and heading links point at `#name`; ammonia prefixes ids with
    // `md-`, so do the same to the fragments before cleaning.
    let raw = raw.replace("href=\"#", "href=\"#md-");
    sanitizer().clean(&cap_nesting(&raw, MAX_DEPTH)).to_string()
}

/// GitHub's heading anchors: lower case, letters, digits, `-` and `_` kept, spaces to
/// `-`, everything else dropped.
pub fn slug(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Elements nested deeper than this are shown as text.
const MAX_DEPTH: usize = 64;

/// Elements that have no end tag, or whose end tag may be left out (the parser closes them
/// when the next one opens): they never make the tree deeper, so they are not counted.
const FLAT: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "p", "li",
    "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "rb", "rt", "rp",
];

/// The HTML parser under ammonia checks the stack of open elements at every tag, so its
/// time grows with the square of the nesting: 50,000 nested `<div>` took 10 s. Tags that
/// would open an element deeper than `max` (and their end tags) are escaped to text before
/// sanitising; ordinary documents nest a dozen levels at most.
fn cap_nesting(html: &str, max: usize) -> String {
    let mut out = String::with_capacity(html.len());
    // For each open element: its name, and whether its tags were escaped.
    let mut open: Vec<(&str, bool)> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let Some(gt) = rest.find('>') else { break };
        let tag = &rest[..=gt];
        let closing = tag.starts_with("</");
        let after = &tag[if closing { 2 } else { 1 }..];
        let name = &after[..after.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(after.len())];
        let escape = if name.is_empty() {
            false // a comment, a declaration, or a lone `<`: the sanitiser's business
        } else if closing {
            match open.iter().rposition(|(n, _)| n.eq_ignore_ascii_case(name)) {
                Some(i) => open.drain(i..).next().is_some_and(|(_, escaped)| escaped),
                None => false,
            }
        } else if FLAT.iter().any(|f| f.eq_ignore_ascii_case(name)) || tag.ends_with("/>") {
            false
        } else {
            let escaped = open.len() >= max;
            open.push((name, escaped));
            escaped
        };
        if escape {
            out.push_str("&lt;");
            out.push_str(&tag[1..]);
        } else {
            out.push_str(tag);
        }
        rest = &rest[gt + 1..];
    }
    out.push_str(rest);
    out
}

/// Wraps each task-list item in a `<label>` so that its checkbox has an accessible name
/// (the item's text), as WCAG requires of form controls.
fn label_task_items<'a>(events: impl Iterator<Item = Event<'a>>) -> impl Iterator<Item = Event<'a>> {
    // One flag per open list item: does it hold a task marker (and so an open <label>)?
    let mut items: Vec<bool> = Vec::new();
    events.flat_map(move |e| {
        let out: Vec<Event<'a>> = match e {
            Event::Start(Tag::Item) => {
                items.push(false);
                vec![e]
            }
            Event::TaskListMarker(checked) => {
                if let Some(open) = items.last_mut() {
                    *open = true;
                }
                let input = if checked {
                    "<label><input disabled=\"\" type=\"checkbox\" checked=\"\"/> "
                } else {
                    "<label><input disabled=\"\" type=\"checkbox\"/> "
                };
                vec![Event::InlineHtml(CowStr::Borrowed(input))]
            }
            Event::End(TagEnd::Item) => {
                if items.pop() == Some(true) {
                    vec![Event::InlineHtml(CowStr::Borrowed("</label>")), e]
                } else {
                    vec![e]
                }
            }
            other => vec![other],
        };
        out
    })
}

#[cfg(test)]
mod tests {
    use super::{render, render_document, slug};

    #[test]
    fn documents_get_githubs_heading_anchors() {
        assert_eq!(
            slug("Funnel (PostHog sequential funnel, `windowFunnel`)"),
            "funnel-posthog-sequential-funnel-windowfunnel"
        );
        assert_eq!(slug("Atteint dans l’ordre"), "atteint-dans-lordre");
        let html = render_document("## Numbers and limits\n\n## Numbers and limits\n\nsee [it](#numbers-and-limits)\n");
        assert!(html.contains("<h2 id=\"md-numbers-and-limits\">"), "{html}");
        assert!(html.contains("<h2 id=\"md-numbers-and-limits-1\">"), "{html}");
        assert!(html.contains("href=\"#md-numbers-and-limits\""), "{html}");
        assert!(
            !render("## A").contains("id="),
            "fragments get no ids: several share a page"
        );
    }

    #[test]
    fn markdown_features() {
        let html =
            render("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~old~~ text[^n]\n\n- [x] done\n- [ ] todo\n\n[^n]: a note\n");
        assert!(html.contains("<div class=\"table-scroll\"><table>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(
            html.contains("<li><label><input disabled=\"\" type=\"checkbox\" checked=\"\"> done</label></li>"),
            "{html}"
        );
        assert!(html.contains("href=\"#md-n\""), "{html}");
        assert!(html.contains("id=\"md-n\""), "{html}");
    }

    #[test]
    fn nesting_beyond_the_cap_is_text() {
        let html = format!("{}x{}", "<div>".repeat(70), "</div>".repeat(70));
        let capped = super::cap_nesting(&html, 64);
        assert_eq!(capped.matches("<div>").count(), 64);
        assert_eq!(capped.matches("</div>").count(), 64);
        assert_eq!(capped.matches("&lt;div>").count(), 6);
        assert_eq!(capped.matches("&lt;/div>").count(), 6);
        let ordinary = "<ul><li><p>a<br>b</p></li></ul><!-- c --><img src=x/><p>unclosed<p>paragraphs";
        assert_eq!(super::cap_nesting(ordinary, 1), ordinary);
        let lists = "<ul><li><ul><li><ul><li>x</li></ul></li></ul></li></ul>";
        assert_eq!(
            super::cap_nesting(lists, 2),
            "<ul><li><ul><li>&lt;ul><li>x</li>&lt;/ul></li></ul></li></ul>"
        );
    }

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        for evil in [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<svg onload=alert(1)>",
            "<style>body{display:none}</style>",
        ] {
            let html = render(evil).to_lowercase();
            assert!(!html.contains("<script"), "{evil} → {html}");
            assert!(!html.contains("onerror") && !html.contains("onload"), "{evil} → {html}");
            assert!(!html.contains("javascript:"), "{evil} → {html}");
            assert!(!html.contains("<iframe") && !html.contains("<style"), "{evil} → {html}");
        }
    }
}
