//! French typography on every page of a French site: a no-break space before `:` and a
//! narrow no-break space before `;` `?` `!`, and no-break spaces inside « », so that the
//! sign never starts a line. It applies to the text the site writes (UI strings, labels
//! joined by templates) and to the project's own text alike, in text nodes only: tags,
//! attributes, comments and the content of `code`, `pre`, `kbd`, `script`, `style` and
//! `textarea` are left as they are.

const NBSP: char = '\u{a0}';
const NNBSP: char = '\u{202f}';

/// Elements whose text is code or data, not prose.
const VERBATIM: &[&str] = &["code", "pre", "kbd", "samp", "script", "style", "textarea"];

pub fn french(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 32);
    let mut verbatim: Vec<&str> = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            text(rest, &verbatim, &mut out);
            break;
        };
        text(&rest[..lt], &verbatim, &mut out);
        rest = &rest[lt..];
        // A comment may hold `>`: it ends at `-->`.
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map_or(rest.len(), |i| i + 3)
        } else {
            rest.find('>').map_or(rest.len(), |i| i + 1)
        };
        let tag = &rest[..end];
        let closing = tag.starts_with("</");
        let name: String = tag[if closing { 2 } else { 1 }..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(&v) = VERBATIM.iter().find(|v| **v == name) {
            if closing {
                if let Some(i) = verbatim.iter().rposition(|x| *x == v) {
                    verbatim.truncate(i);
                }
            } else if !tag.ends_with("/>") {
                verbatim.push(v);
            }
        }
        out.push_str(tag);
        rest = &rest[end..];
    }
    out
}

/// One text node (entities are left alone: `&amp;` has no space or sign to change).
fn text(s: &str, verbatim: &[&str], out: &mut String) {
    if !verbatim.is_empty() {
        out.push_str(s);
        return;
    }
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let prev = i.checked_sub(1).map(|p| chars[p]);
        // Ends a phrase: the text ends, or a space or closing sign follows ("Note : x",
        // "vraiment ?»"); "12:30", "https://" and "a?b" are not punctuation.
        let ends = next.is_none_or(|n| n.is_whitespace() || matches!(n, '»' | ')' | '"' | '”' | '’'));
        match c {
            ';' if ends_entity(&chars[..i]) => out.push(c),
            ':' | ';' | '?' | '!' if ends => {
                let space = if c == ':' { NBSP } else { NNBSP };
                match prev {
                    // A space (or an existing no-break one) becomes the right no-break space.
                    Some(p) if p == ' ' || p == NBSP || p == NNBSP => {
                        out.pop();
                        out.push(space);
                    }
                    // Directly after a word or a closing sign: add it.
                    Some(p) if p.is_alphanumeric() || matches!(p, ')' | '»' | '%' | '€' | '"' | '’' | '.') => {
                        out.push(space)
                    }
                    _ => {}
                }
                out.push(c);
            }
            ' ' if prev == Some('«') => out.push(NBSP),
            '»' => {
                if prev == Some(' ') {
                    out.pop();
                }
                if !matches!(prev, Some(NBSP | NNBSP)) {
                    out.push(NBSP);
                }
                out.push(c);
            }
            '«' => {
                out.push(c);
                if next.is_some_and(|n| !n.is_whitespace()) {
                    out.push(NBSP);
                }
            }
            _ => out.push(c),
        }
    }
}

/// Whether a `;` after `before` closes a character reference (`&#39;`, `&amp;`): part of
/// the markup, not punctuation.
fn ends_entity(before: &[char]) -> bool {
    let Some(amp) = before.iter().rposition(|&c| c == '&') else {
        return false;
    };
    let name = &before[amp + 1..];
    !name.is_empty()
        && name
            .iter()
            .enumerate()
            .all(|(k, &c)| c.is_ascii_alphanumeric() || (k == 0 && c == '#'))
}

#[cfg(test)]
mod tests {
    use super::french;

    #[test]
    fn signs_get_no_break_spaces_in_text_only() {
        assert_eq!(french("Persona: Léa"), "Persona\u{a0}: Léa");
        assert_eq!(french("Persona : Léa"), "Persona\u{a0}: Léa");
        assert_eq!(french("Vraiment ? Oui!"), "Vraiment\u{202f}? Oui\u{202f}!");
        assert_eq!(french("a ; b"), "a\u{202f}; b");
        assert_eq!(french("Organisers&#39; newsletter"), "Organisers&#39; newsletter");
        assert_eq!(french("A &amp; B; C &#x27; D"), "A &amp; B\u{202f}; C &#x27; D");
        assert_eq!(french("«Bonjour»"), "«\u{a0}Bonjour\u{a0}»");
        assert_eq!(french("« Bonjour »"), "«\u{a0}Bonjour\u{a0}»");
        assert_eq!(french("à 12:30, https://x.fr, a?b"), "à 12:30, https://x.fr, a?b");
        assert_eq!(
            french("<a href=\"x\" title=\"a: b\">c: d</a>"),
            "<a href=\"x\" title=\"a: b\">c\u{a0}: d</a>"
        );
        assert_eq!(french("<code>a: b</code> c: d"), "<code>a: b</code> c\u{a0}: d");
        assert_eq!(
            french("<pre><code>x: 1</code>y: 2</pre>z: 3"),
            "<pre><code>x: 1</code>y: 2</pre>z\u{a0}: 3"
        );
        assert_eq!(french("<!-- a > b: c -->d: e"), "<!-- a > b: c -->d\u{a0}: e");
        assert_eq!(french("Objectif :"), "Objectif\u{a0}:");
        assert_eq!(french("x\u{a0}: y"), "x\u{a0}: y", "already right");
        assert_eq!(french("<p>Question?</p>"), "<p>Question\u{202f}?</p>");
    }

    #[test]
    fn a_french_page_keeps_its_markup() {
        let page =
            "<!DOCTYPE html><html lang=\"fr\"><script>if (a ? b : c) {}</script><p>Note : <em>x</em> !</p></html>";
        assert_eq!(
            french(page),
            "<!DOCTYPE html><html lang=\"fr\"><script>if (a ? b : c) {}</script><p>Note\u{a0}: <em>x</em>\u{202f}!</p></html>"
        );
    }
}
