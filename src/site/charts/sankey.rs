//! The flows between touchpoints as a Sankey diagram: one column per position in the
//! paths, one node per touchpoint met there (in journey order, the people who stopped last),
//! bands as wide as the users who went from one to the next.
//!
//! Its geometry is in pixels at a fixed size (bands have to meet their nodes), so it is
//! never scaled: too wide for a phone, it scrolls sideways and its text keeps its size.

use std::fmt::Write as _;

use super::{clip, esc, open, SMALL};
use crate::locale::Numbers;

const COLUMN_GAP: f64 = 180.0;
const NODE_W: f64 = 12.0;
/// Room right of the last column's nodes for its labels.
const LABEL_ROOM: f64 = 160.0;
const PLOT_H: f64 = 440.0;
const NODE_GAP: f64 = 8.0;
const TOP: f64 = 8.0;
/// Characters of a label drawn beside a node (the whole name is its tooltip).
const LABEL_CHARS: usize = 15;

/// One node: a touchpoint (or the end of the paths) at one position.
pub struct SankeyNode {
    pub label: String,
    pub users: u64,
    /// The people whose path stopped before this position: drawn apart, in grey.
    pub end: bool,
}

/// A band between node `from` of column `column` and node `to` of the next column.
pub struct SankeyLink {
    pub column: usize,
    pub from: usize,
    pub to: usize,
    pub users: u64,
}

pub struct Sankey<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub columns: Vec<Vec<SankeyNode>>,
    pub links: Vec<SankeyLink>,
    /// "Position" as the tooltips say it.
    pub position_word: &'a str,
}

/// Where each node is drawn: its top and height.
struct Placed {
    y: f64,
    h: f64,
}

pub fn sankey(s: &Sankey, n: Numbers) -> String {
    let total = |c: &Vec<SankeyNode>| c.iter().map(|n| n.users).sum::<u64>();
    let most = s.columns.iter().map(total).max().unwrap_or(0).max(1) as f64;
    let most_nodes = s.columns.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let scale = (PLOT_H - NODE_GAP * (most_nodes - 1) as f64) / most;
    let placed: Vec<Vec<Placed>> = s
        .columns
        .iter()
        .map(|col| {
            let mut y = TOP;
            col.iter()
                .map(|node| {
                    // A node of a few users keeps a visible sliver.
                    let h = (node.users as f64 * scale).max(1.5);
                    let p = Placed { y, h };
                    y += h + NODE_GAP;
                    p
                })
                .collect()
        })
        .collect();
    let h = placed
        .iter()
        .filter_map(|c| c.last().map(|p| p.y + p.h))
        .fold(TOP, f64::max)
        + TOP;
    let w = COLUMN_GAP * (s.columns.len().max(1) - 1) as f64 + NODE_W + LABEL_ROOM;
    let x = |c: usize| COLUMN_GAP * c as f64;
    let desc = format!("{} × {}", s.columns.len(), s.columns.first().map_or(0, |c| c.len()));
    let mut out = String::new();
    open(&mut out, s.id, w, h, s.title, &desc, "sankey");

    // Bands first, under the nodes: out of each node top-down in the order of their
    // targets, into each node in the order of their sources, so no two bands cross at a node.
    let mut links: Vec<(usize, &SankeyLink)> = s.links.iter().enumerate().collect();
    links.sort_by_key(|(_, l)| (l.column, l.to, l.from));
    let mut in_at: Vec<Vec<f64>> = placed.iter().map(|c| c.iter().map(|p| p.y).collect()).collect();
    let mut y_in = vec![0.0; s.links.len()];
    for &(i, l) in &links {
        y_in[i] = in_at[l.column + 1][l.to];
        in_at[l.column + 1][l.to] += l.users as f64 * scale;
    }
    links.sort_by_key(|(_, l)| (l.column, l.from, l.to));
    let mut out_y: Vec<Vec<f64>> = placed.iter().map(|c| c.iter().map(|p| p.y).collect()).collect();
    for &(i, l) in &links {
        // A band of a few users stays visible.
        let thick = (l.users as f64 * scale).max(0.75);
        let y0 = out_y[l.column][l.from];
        out_y[l.column][l.from] += l.users as f64 * scale;
        let y1 = y_in[i];
        let (x0, x1) = (x(l.column) + NODE_W, x(l.column + 1));
        let mid = (x0 + x1) / 2.0;
        let end = s.columns[l.column + 1][l.to].end;
        let from = &s.columns[l.column][l.from];
        let to = &s.columns[l.column + 1][l.to];
        let _ = write!(
            out,
            r#"<path class="c-flow{}" d="M{x0:.1} {y0:.1}C{mid:.1} {y0:.1} {mid:.1} {y1:.1} {x1:.1} {y1:.1}L{x1:.1} {:.1}C{mid:.1} {:.1} {mid:.1} {:.1} {x0:.1} {:.1}Z"><title>{} → {}: {}</title></path>"#,
            if end { " end" } else { "" },
            y1 + thick,
            y1 + thick,
            y0 + thick,
            y0 + thick,
            esc(&from.label),
            esc(&to.label),
            n.integer(l.users as f64)
        );
    }

    for (c, (col, places)) in s.columns.iter().zip(&placed).enumerate() {
        let mut last_label = f64::NEG_INFINITY;
        for (node, p) in col.iter().zip(places) {
            let _ = write!(
                out,
                r#"<rect class="c-node{}" x="{:.1}" y="{:.1}" width="{NODE_W}" height="{:.1}"><title>{} — {} {}: {}</title></rect>"#,
                if node.end { " end" } else { "" },
                x(c),
                p.y,
                p.h,
                esc(&node.label),
                esc(s.position_word),
                c + 1,
                n.integer(node.users as f64)
            );
            // A label only where it does not run into the one above.
            let cy = p.y + p.h / 2.0 + SMALL * 0.35;
            if cy - last_label < SMALL + 3.0 {
                continue;
            }
            last_label = cy;
            let text = format!("{} {}", clip(&node.label, LABEL_CHARS), n.integer(node.users as f64));
            let _ = write!(
                out,
                r#"<text class="c-label{}" x="{:.1}" y="{cy:.1}" font-size="{SMALL}">{}</text>"#,
                if node.end { " end" } else { "" },
                x(c) + NODE_W + 4.0,
                esc(&text)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(label: &str, users: u64) -> SankeyNode {
        SankeyNode {
            label: label.into(),
            users,
            end: label == "end",
        }
    }

    fn chart() -> String {
        let s = Sankey {
            id: "flows",
            title: "Flows",
            columns: vec![
                vec![node("ad", 60), node("blog", 40)],
                vec![node("product", 70), node("end", 30)],
            ],
            links: vec![
                SankeyLink {
                    column: 0,
                    from: 0,
                    to: 0,
                    users: 50,
                },
                SankeyLink {
                    column: 0,
                    from: 0,
                    to: 1,
                    users: 10,
                },
                SankeyLink {
                    column: 0,
                    from: 1,
                    to: 0,
                    users: 20,
                },
                SankeyLink {
                    column: 0,
                    from: 1,
                    to: 1,
                    users: 20,
                },
            ],
            position_word: "position",
        };
        sankey(&s, Numbers::EN)
    }

    #[test]
    fn bands_fill_their_nodes_without_crossing() {
        let svg = chart();
        assert_eq!(svg.matches("<path").count(), 4);
        assert_eq!(svg.matches(r#"class="c-node"#).count(), 4);
        // Two columns of 100 users: scale (440 − 8) / 100 = 4.32 px per user. The ad's two
        // bands leave it at y 8 and 8 + 50 × 4.32; the blog's enter the product after them.
        assert!(svg.contains("M12.0 8.0C"), "{svg}");
        assert!(svg.contains("M12.0 224.0C"), "{svg}");
        let blog_top = 8.0 + 60.0 * 4.32 + 8.0;
        assert!(svg.contains(&format!("M12.0 {blog_top:.1}C")), "{svg}");
        // The blog → product band enters the product node under the ad's 50 users.
        assert!(svg.contains(&format!("180.0 {:.1}L", 8.0 + 50.0 * 4.32)), "{svg}");
        assert!(svg.contains("<title>blog → end: 20</title>"));
    }

    #[test]
    fn same_input_same_drawing() {
        assert_eq!(chart(), chart());
    }
}
