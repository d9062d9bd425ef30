//! Charts as inline SVG, generated here so that they are deterministic, printable and need
//! no JavaScript. Colours come from CSS classes (`c-*` in the theme's stylesheet), so light,
//! dark and print styles apply. Every chart carries a `<title>` and `<desc>`; the pages put
//! the same numbers in a table next to it.
//!
//! A chart is never scaled down, so its text keeps the size it is drawn at (never below
//! [`MIN_FONT`]). Charts whose content is rows or columns (the funnel, segment
//! bars) are drawn in percentages of the width they are given, with no `viewBox`:
//! they fill a phone or a desktop column alike. Charts that need pixel geometry (line
//! charts, the heat map) have a fixed size; a line chart comes in a wide and a narrow
//! drawing, and the stylesheet shows the one that fits; what is still too wide scrolls
//! sideways in its `.chart-scroll` container.

mod axis;
mod bars;
mod heatmap;
mod line;
mod sankey;

use std::fmt::Write as _;

use super::esc;
pub use axis::Range;
pub use bars::{count_bars, funnel, rate_bars, FunnelStep, RateBar};
pub use heatmap::{heatmap, HeatRow, Heatmap};
pub use line::{line_charts, LineChart, Series};
pub use sankey::{sankey, Sankey, SankeyLink, SankeyNode};

/// The size of labels and values, in pixels.
const FONT: f64 = 13.0;
/// The size of axis labels and heat-map cells.
const SMALL: f64 = 12.0;
/// No chart text is smaller than this, at any width (the stylesheet says the same).
pub const MIN_FONT: f64 = 11.0;
const _: () = assert!(SMALL >= MIN_FONT && FONT >= MIN_FONT);

/// Shortens a label to `max` characters with an ellipsis.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// The start of a fixed-size chart: its `viewBox` is its size, so it is drawn 1:1.
fn open(out: &mut String, id: &str, w: f64, h: f64, title: &str, desc: &str, class: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart {class}" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" font-size="{FONT}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

/// The start of a chart as wide as its container, laid out in percentages of that width.
fn open_fluid(out: &mut String, id: &str, h: f64, title: &str, desc: &str, class: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart fluid {class}" width="100%" height="{h:.0}" font-size="{FONT}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_text_is_drawn_below_the_minimum_size() {
        let n = crate::locale::Numbers::EN;
        let steps = [
            FunnelStep {
                name: "A very long stage name that gets clipped",
                users: Some(10),
                from_previous: None,
            },
            FunnelStep {
                name: "B",
                users: Some(3),
                from_previous: Some(0.3),
            },
        ];
        let rates = [Some(1.0), Some(0.25)];
        let rows = [HeatRow {
            label: "5 Jan 2026".into(),
            size: 4,
            rates: &rates,
        }];
        let columns = ["Week 0".to_string(), "Week 1".to_string()];
        let heat = Heatmap {
            id: "h",
            title: "H",
            desc: "",
            size: "Size",
            columns: &columns,
            rows: &rows,
        };
        for svg in [
            funnel("f", "F", &steps, n),
            rate_bars(
                "s",
                "S",
                &[RateBar {
                    label: "x".into(),
                    value: Some(0.5),
                    interval: Some([0.4, 0.6]),
                }],
                "95%",
                n,
            ),
            count_bars("h", "H", &[("x".into(), 3)], n),
            heatmap(&heat, n),
        ] {
            for size in svg.split("font-size=\"").skip(1) {
                let px: f64 = size[..size.find('"').unwrap()].parse().unwrap();
                assert!(px >= MIN_FONT, "{svg}");
            }
        }
    }
}
