//! The error overlay that served pages show while the last build fails: a panel at the
//! bottom of the window, at most 38% of its height (the rest of the page stays readable on
//! a phone), whose details scroll inside it, fold to the headline, and can be closed.
//!
//! It is isolated from the page both ways. The panel element resets every property in its
//! `style` attribute (`all:initial`, which no selector of the page outranks short of
//! `!important`), and its content lives in a shadow root, which the page's selectors do not
//! reach and whose styles do not leak out. The shadow root is declarative, so that the
//! errors are in the HTML itself; the script attaches it by hand in browsers that do not
//! know `shadowrootmode`. Closing removes the panel from this page view only: the next
//! reload (another failed rebuild, or a navigation) shows it again.

use crate::diagnostics::{plural, render_human, Diagnostic};
use crate::site::esc;

/// Lengths in px, not rem: the page may change the root font size.
const PANEL: &str = concat!(
    "all:initial;box-sizing:border-box;position:fixed;z-index:2147483647;",
    "left:8px;right:8px;bottom:8px;margin:0 auto;max-width:960px;",
    "max-height:38vh;max-height:38dvh;display:flex;flex-direction:column;overflow:hidden;",
    // The dark palette first: browsers without light-dark() keep it, readable on any page.
    "color-scheme:light dark;",
    "background:#2b0d0b;background:light-dark(#fff1ef,#2b0d0b);",
    "color:#ffe4e0;color:light-dark(#5c1109,#ffe4e0);",
    "border:2px solid #ff8a7a;border-color:light-dark(#c0392b,#ff8a7a);border-radius:10px;",
    "box-shadow:0 6px 24px rgba(0,0,0,.35);text-align:left;",
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif"
);

const STYLE: &str = concat!(
    "*{box-sizing:border-box}",
    "[hidden]{display:none!important}",
    ".head{flex:none;display:flex;align-items:center;gap:8px;padding:6px 6px 6px 14px}",
    ".title{flex:1;min-width:0;margin:0;font-weight:600;font-size:15px;line-height:1.3;",
    "white-space:nowrap;overflow:hidden;text-overflow:ellipsis}",
    "button{flex:none;min-height:32px;margin:0;padding:0 10px;font:inherit;color:inherit;",
    "background:transparent;border:1px solid currentColor;border-radius:6px;cursor:pointer}",
    "button:hover{background:rgba(128,128,128,.2)}",
    ":focus-visible{outline:2px solid currentColor;outline-offset:2px}",
    ".chev{display:inline-block;margin-left:4px}",
    "[aria-expanded=false] .chev{transform:rotate(-90deg)}",
    ".close{width:32px;padding:0;font-size:20px;line-height:1}",
    ".body{flex:1 1 auto;min-height:0;overflow:auto;padding:0 14px 12px;",
    "border-top:1px solid rgba(128,128,128,.45)}",
    ".body:focus-visible{outline-offset:-3px}",
    "p{margin:8px 0}",
    "pre{margin:0;white-space:pre-wrap;overflow-wrap:anywhere;",
    "font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}"
);

/// Folding, closing (the button or Escape), and the shadow root in browsers that left the
/// template as it was.
const SCRIPT: &str = concat!(
    "<script>/* journeymap serve: error overlay */(function(){",
    "var h=document.getElementById(\"journeymap-error\");if(!h)return;var r=h.shadowRoot;",
    "if(!r){var t=h.querySelector(\"template\");if(!t||!h.attachShadow)return;",
    "r=h.attachShadow({mode:\"open\"});r.appendChild(t.content);t.remove();}",
    "var d=r.querySelector(\".body\"),f=r.querySelector(\".fold\");",
    "f.onclick=function(){var o=d.hidden;d.hidden=!o;f.setAttribute(\"aria-expanded\",String(o));};",
    "r.querySelector(\".close\").onclick=function(){h.remove();};",
    "h.addEventListener(\"keydown\",function(e){if(e.key===\"Escape\")h.remove();});",
    "})();</script>"
);

/// The overlay for `errors` (the same text as the terminal, HTML-escaped). `has_site`: a
/// good site is being served under it (else the page is the placeholder of `http`).
pub fn html(errors: &[Diagnostic], has_site: bool) -> String {
    let headline = format!("Build failed: {}", plural(errors.len() as u64, "error"));
    let status = if has_site {
        "journeymap serve: showing the last good site."
    } else {
        "journeymap serve: no site to show until a build succeeds."
    };
    // A blank line between two errors, which the terminal does without.
    let text: Vec<String> = errors
        .iter()
        .map(|d| render_human(std::slice::from_ref(d), false))
        .collect();
    format!(
        concat!(
            r#"<div id="journeymap-error" role="alert" style="{panel}">"#,
            r#"<template shadowrootmode="open"><style>{style}</style>"#,
            r#"<div class="head"><p class="title">{headline}</p>"#,
            r#"<button type="button" class="fold" aria-expanded="true" aria-controls="details">"#,
            r#"Details<span class="chev" aria-hidden="true">▾</span></button>"#,
            r#"<button type="button" class="close" aria-label="Close the build errors" title="Close">×</button></div>"#,
            r#"<div class="body" id="details" data-scroll tabindex="0" role="region" aria-label="Build errors">"#,
            r#"<p>{status} Save a fix and this page reloads by itself.</p>"#,
            r#"<pre>{text}</pre></div></template></div>{script}"#
        ),
        panel = PANEL,
        style = STYLE,
        headline = headline,
        status = status,
        text = esc(&text.join("\n")),
        script = SCRIPT,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headline_counts_errors_with_plurals_and_the_text_is_escaped() {
        let one = html(&[Diagnostic::error("bad <b>")], true);
        assert!(one.contains(">Build failed: 1 error<"), "{one}");
        assert!(one.contains("bad &lt;b&gt;") && !one.contains("bad <b>"));
        assert!(one.contains("showing the last good site"));
        let two = html(&[Diagnostic::error("a"), Diagnostic::error("b")], false);
        assert!(two.contains(">Build failed: 2 errors<"), "{two}");
        assert!(
            two.contains("no site to show") && two.contains("error: a\n\nerror: b"),
            "{two}"
        );
    }
}
