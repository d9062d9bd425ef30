//! Charts as inline SVG, generated here so that they are deterministic, printable and need
//! no JavaScript. Colours come from CSS classes (`c-*` in the theme's stylesheet), so light,
//! dark and print styles apply. Every chart carries a `<title>` and `<desc>`; the pages put
//! the same numbers in a table next to it.
//!
//! A chart is never scaled down, so its text keeps the size it is drawn at (never below
//! [`MIN_FONT`]). Charts whose content is rows or columns (the funnel, segment bars, the
//! emotion curve) are drawn in percentages of the width they are given, with no `viewBox`:
//! they fill a phone or a desktop column alike. Charts that need pixel geometry (line
//! charts, the heat map) have a fixed size; a line chart comes in a wide and a narrow
//! drawing, and the stylesheet shows the one that fits; what is still too wide scrolls
//! sideways in its `.chart-scroll` container.

mod axis;
mod bars;
mod heatmap;
mod line;

use std::fmt::Write as _;

use super::esc;
pub use axis::Range;
pub use bars::{funnel, rate_bars, FunnelStep};
pub use heatmap::{heatmap, HeatRow, Heatmap};
pub use line::{line_charts, LineChart, Series};

/// The size of labels and values, in pixels.
const FONT: f64 = 13.0;
/// The size of axis labels and heat-map cells.
const SMALL: f64 = 12.0;
/// No chart text is smaller than this, at any width (the stylesheet says the same).
pub const MIN_FONT: f64 = 11.0;

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

/// The emotion curve across the stage columns of the journey map: one point per stage
/// (1 = very negative at the bottom … 5 = very positive at the top), centred in its column
/// (the columns are equal, so at (i + ½) / n of the width); a stage without an emotion
/// breaks the line.
pub fn emotion_curve(id: &str, title: &str, emotions: &[(String, Option<u8>)], labels: &[&str; 5]) -> String {
    let h = 132.0;
    let x_of = |i: usize| (i as f64 + 0.5) * 100.0 / emotions.len().max(1) as f64;
    let y_of = |e: u8| 16.0 + (5 - e) as f64 * 25.0;
    let desc: Vec<String> = emotions
        .iter()
        .map(|(name, e)| {
            format!(
                "{name}: {}",
                e.map_or("—".to_string(), |e| format!("{e}/5 ({})", labels[e as usize - 1]))
            )
        })
        .collect();
    let mut out = String::new();
    open_fluid(&mut out, id, h, title, &desc.join("; "), "emotion");
    let _ = write!(
        out,
        r#"<line class="c-grid" x1="0" x2="100%" y1="{0:.1}" y2="{0:.1}"/>"#,
        y_of(3)
    );
    // Segments between neighbours (a polyline cannot take percentages).
    for (i, pair) in emotions.windows(2).enumerate() {
        if let (Some(a), Some(b)) = (pair[0].1, pair[1].1) {
            let _ = write!(
                out,
                r#"<line class="c-line" x1="{:.2}%" y1="{:.1}" x2="{:.2}%" y2="{:.1}"/>"#,
                x_of(i),
                y_of(a),
                x_of(i + 1),
                y_of(b)
            );
        }
    }
    for (i, (_, e)) in emotions.iter().enumerate() {
        let Some(e) = e else { continue };
        let (x, y) = (x_of(i), y_of(*e));
        let _ = write!(
            out,
            r#"<circle class="c-point e{e}" cx="{x:.2}%" cy="{y:.1}" r="9"/><text class="c-point-label" x="{x:.2}%" y="{:.1}" text-anchor="middle" font-size="{MIN_FONT}">{e}</text>"#,
            y + 4.0
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emotion_curve_snapshot() {
        let e = vec![
            ("A".to_string(), Some(3)),
            ("B".to_string(), Some(1)),
            ("C".to_string(), None),
            ("D".to_string(), Some(5)),
            ("E".to_string(), Some(4)),
        ];
        let labels = ["very negative", "negative", "neutral", "positive", "very positive"];
        insta::assert_snapshot!(emotion_curve("e", "Emotion", &e, &labels));
    }

    #[test]
    fn no_text_is_drawn_below_the_minimum_size() {
        let svg = emotion_curve("e", "E", &[("A".into(), Some(2))], &["1", "2", "3", "4", "5"]);
        for size in svg.split("font-size=\"").skip(1) {
            let px: f64 = size[..size.find('"').unwrap()].parse().unwrap();
            assert!(px >= MIN_FONT, "{svg}");
        }
    }
}
