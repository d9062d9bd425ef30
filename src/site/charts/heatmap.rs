//! The cohort retention heat map: one row per cohort, one column per period, shaded by
//! rate. It has a fixed size (its columns must line up with their headers) and scrolls
//! sideways on a phone, its text at full size.

use std::fmt::Write as _;

use super::axis::text_width;
use super::{esc, open, FONT, SMALL};
use crate::locale::Numbers;

/// A cohort row for [`heatmap`].
pub struct HeatRow<'a> {
    /// The cohort's start, as the site writes dates.
    pub label: String,
    pub size: u64,
    pub rates: &'a [Option<f64>],
}

/// What the heat map shows: `columns` are the periods' headers ("Week 0", …), `size` the
/// header of the cohort sizes.
pub struct Heatmap<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub desc: &'a str,
    pub size: &'a str,
    pub columns: &'a [String],
    pub rows: &'a [HeatRow<'a>],
}

/// Cells not yet observable stay empty.
pub fn heatmap(c: &Heatmap, n: Numbers) -> String {
    let widest = |texts: &mut dyn Iterator<Item = f64>| texts.fold(0.0_f64, f64::max);
    let label_w = widest(&mut c.rows.iter().map(|r| text_width(&r.label, FONT))) + 14.0;
    let sizes: Vec<String> = c.rows.iter().map(|r| n.integer(r.size as f64)).collect();
    let size_w = widest(&mut sizes.iter().chain([&c.size.to_string()]).map(|s| text_width(s, SMALL))) + 14.0;
    let cell_w = widest(
        &mut c
            .columns
            .iter()
            .map(|s| text_width(s, SMALL))
            .chain([text_width(&n.percent(1.0), SMALL)]),
    )
    .max(44.0)
        + 12.0;
    let (cell_h, top) = (28.0, 26.0);
    let periods = c.columns.len();
    let w = label_w + size_w + cell_w * periods as f64 + 2.0;
    let h = top + cell_h * c.rows.len() as f64 + 2.0;
    let mut out = String::new();
    open(&mut out, c.id, w, h, c.title, c.desc, "heatmap");
    let _ = write!(
        out,
        r#"<text class="c-axis" x="{:.1}" y="16" text-anchor="end" font-size="{SMALL}">{}</text>"#,
        label_w + size_w - 10.0,
        esc(c.size)
    );
    for (p, header) in c.columns.iter().enumerate() {
        let _ = write!(
            out,
            r#"<text class="c-axis" x="{:.1}" y="16" text-anchor="middle" font-size="{SMALL}">{}</text>"#,
            label_w + size_w + cell_w * p as f64 + cell_w / 2.0,
            esc(header)
        );
    }
    for (r, (row, size)) in c.rows.iter().zip(&sizes).enumerate() {
        let y = top + cell_h * r as f64;
        let _ = write!(
            out,
            r#"<text class="c-label" x="0" y="{:.1}">{}</text><text class="c-axis" x="{:.1}" y="{:.1}" text-anchor="end" font-size="{SMALL}">{}</text>"#,
            y + 19.0,
            esc(&row.label),
            label_w + size_w - 10.0,
            y + 19.0,
            esc(size)
        );
        for (p, rate) in row.rates.iter().enumerate().take(periods) {
            let Some(rate) = rate else { continue };
            let x = label_w + size_w + cell_w * p as f64;
            // Period 0 is always 100 %: a fixed shade keeps the scale for the others.
            let shade = if p == 0 {
                0.25
            } else {
                (0.08 + rate.clamp(0.0, 1.0).sqrt() * 0.92).min(1.0)
            };
            let dark = p > 0 && shade > 0.55;
            let _ = write!(
                out,
                r#"<rect class="c-cell" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill-opacity="{shade:.3}"/><text class="c-cell-text{}" x="{:.1}" y="{:.1}" text-anchor="middle" font-size="{SMALL}">{}</text>"#,
                x + 1.0,
                y + 1.0,
                cell_w - 2.0,
                cell_h - 2.0,
                if dark { " on-dark" } else { "" },
                x + cell_w / 2.0,
                y + 19.0,
                esc(&n.percent(*rate))
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heatmap_snapshot() {
        let a = [Some(1.0), Some(0.3), None];
        let b = [Some(1.0), None, None];
        let rows = [
            HeatRow {
                label: "5 Jan 2026".into(),
                size: 120,
                rates: &a,
            },
            HeatRow {
                label: "12 Jan 2026".into(),
                size: 80,
                rates: &b,
            },
        ];
        let columns: Vec<String> = (0..3).map(|p| format!("Week {p}")).collect();
        let c = Heatmap {
            id: "h",
            title: "Retention",
            desc: "Cohort × Week: 2 × 3",
            size: "Size",
            columns: &columns,
            rows: &rows,
        };
        insta::assert_snapshot!(heatmap(&c, Numbers::EN));
    }

    #[test]
    fn columns_are_as_wide_as_their_headers() {
        let a = [Some(1.0)];
        let rows = [HeatRow {
            label: "5 janv. 2026".into(),
            size: 3,
            rates: &a,
        }];
        let columns = vec!["Semaine 10".to_string(), "Semaine 11".to_string()];
        let c = Heatmap {
            id: "h",
            title: "R",
            desc: "",
            size: "Taille",
            columns: &columns,
            rows: &rows,
        };
        let svg = heatmap(&c, Numbers::EN);
        let xs: Vec<f64> = svg
            .split("text-anchor=\"middle\"")
            .map(|s| s.rsplit("x=\"").next().unwrap())
            .take(2)
            .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
            .collect();
        assert!(xs[1] - xs[0] >= text_width("Semaine 10", SMALL) + 8.0, "{svg}");
    }
}
