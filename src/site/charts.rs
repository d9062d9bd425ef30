//! Charts as inline SVG, generated here so that they are deterministic, printable and need
//! no JavaScript. Colours come from CSS classes (`c-*` in the theme's stylesheet), so light,
//! dark and print styles apply. Every chart carries a `<title>` and `<desc>`; the pages put
//! the same numbers in a table next to it.

use std::fmt::Write as _;

use super::esc;
use crate::locale::Numbers;

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

fn open(out: &mut String, id: &str, w: f64, h: f64, title: &str, desc: &str, class: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart {class}" viewBox="0 0 {w:.0} {h:.0}" width="{w:.0}" height="{h:.0}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(desc)
    );
}

/// One funnel step for [`funnel`].
pub struct FunnelStep<'a> {
    pub name: &'a str,
    pub users: Option<u64>,
    pub from_previous: Option<f64>,
}

/// Horizontal funnel: one bar per step, sized by users, with the drop-off from the previous
/// step drawn as a faint extension and the step conversion written after the bar.
pub fn funnel(id: &str, title: &str, steps: &[FunnelStep], n: Numbers) -> String {
    let (label_w, bar_w, row_h, top) = (170.0, 380.0, 46.0, 8.0);
    let w = label_w + bar_w + 150.0;
    let h = top + row_h * steps.len() as f64 + 4.0;
    let max = steps.iter().filter_map(|s| s.users).max().unwrap_or(0).max(1) as f64;
    let desc: Vec<String> = steps
        .iter()
        .map(|s| format!("{}: {}", s.name, s.users.map_or("—".into(), |u| n.integer(u as f64))))
        .collect();
    let mut out = String::new();
    open(&mut out, id, w, h, title, &desc.join("; "), "funnel");
    let mut prev_w: Option<f64> = None;
    for (i, s) in steps.iter().enumerate() {
        let y = top + row_h * i as f64;
        let bw = s
            .users
            .map_or(0.0, |u| (u as f64 / max * bar_w).max(if u > 0 { 2.0 } else { 0.0 }));
        let _ = write!(
            out,
            r#"<text class="c-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            label_w - 10.0,
            y + 24.0,
            esc(&clip(s.name, 22))
        );
        if let Some(pw) = prev_w {
            if pw > bw {
                let _ = write!(
                    out,
                    r#"<rect class="c-drop" x="{:.1}" y="{:.1}" width="{:.1}" height="28" rx="3"/>"#,
                    label_w + bw,
                    y + 6.0,
                    pw - bw
                );
            }
        }
        let _ = write!(
            out,
            r#"<rect class="c-bar" x="{label_w:.1}" y="{:.1}" width="{bw:.1}" height="28" rx="3"/>"#,
            y + 6.0
        );
        let value = match (s.users, s.from_previous) {
            (None, _) => "—".to_string(),
            (Some(u), Some(c)) => format!("{} · {}", n.integer(u as f64), n.percent(c)),
            (Some(u), None) => n.integer(u as f64),
        };
        let _ = write!(
            out,
            r#"<text class="c-value" x="{:.1}" y="{:.1}">{}</text>"#,
            label_w + prev_w.unwrap_or(bw).max(bw) + 8.0,
            y + 24.0,
            esc(&value)
        );
        prev_w = Some(bw);
    }
    out.push_str("</svg>");
    out
}

/// The emotion curve across the stage columns of the journey map: one point per stage
/// (1 = very negative at the bottom … 5 = very positive at the top), centred in columns of
/// `col_w` pixels; a stage without an emotion breaks the line.
pub fn emotion_curve(
    id: &str,
    title: &str,
    emotions: &[(String, Option<u8>)],
    col_w: f64,
    labels: &[&str; 5],
) -> String {
    let h = 132.0;
    let w = col_w * emotions.len() as f64;
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
    open(&mut out, id, w, h, title, &desc.join("; "), "emotion");
    let _ = write!(
        out,
        r#"<line class="c-grid" x1="0" x2="{w:.0}" y1="{:.1}" y2="{:.1}"/>"#,
        y_of(3),
        y_of(3)
    );
    let mut segment: Vec<(f64, f64)> = Vec::new();
    let flush = |seg: &mut Vec<(f64, f64)>, out: &mut String| {
        if seg.len() > 1 {
            let pts: Vec<String> = seg.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
            let _ = write!(out, r#"<polyline class="c-line" points="{}"/>"#, pts.join(" "));
        }
        seg.clear();
    };
    for (i, (_, e)) in emotions.iter().enumerate() {
        match e {
            Some(e) => segment.push((col_w * i as f64 + col_w / 2.0, y_of(*e))),
            None => flush(&mut segment, &mut out),
        }
    }
    flush(&mut segment, &mut out);
    for (i, (_, e)) in emotions.iter().enumerate() {
        let Some(e) = e else { continue };
        let (x, y) = (col_w * i as f64 + col_w / 2.0, y_of(*e));
        let _ = write!(
            out,
            r#"<circle class="c-point e{e}" cx="{x:.1}" cy="{y:.1}" r="9"/><text class="c-point-label" x="{x:.1}" y="{:.1}" text-anchor="middle">{e}</text>"#,
            y + 4.0
        );
    }
    out.push_str("</svg>");
    out
}

/// A cohort row for [`heatmap`].
pub struct HeatRow<'a> {
    pub label: &'a str,
    pub size: u64,
    pub rates: &'a [Option<f64>],
}

/// Cohort retention heat map: one row per cohort, one column per period, shaded by rate;
/// cells not yet observable stay empty.
pub fn heatmap(id: &str, title: &str, rows: &[HeatRow], periods: usize, period_label: &str, n: Numbers) -> String {
    let (label_w, size_w, cell_w, cell_h, top) = (96.0, 70.0, 64.0, 28.0, 26.0);
    let w = label_w + size_w + cell_w * periods as f64 + 4.0;
    let h = top + cell_h * rows.len() as f64 + 4.0;
    let mut out = String::new();
    open(
        &mut out,
        id,
        w,
        h,
        title,
        &format!("{} cohorts × {} {}", rows.len(), periods, period_label),
        "heatmap",
    );
    for p in 0..periods {
        let _ = write!(
            out,
            r#"<text class="c-axis" x="{:.1}" y="16" text-anchor="middle">{p}</text>"#,
            label_w + size_w + cell_w * p as f64 + cell_w / 2.0
        );
    }
    for (r, row) in rows.iter().enumerate() {
        let y = top + cell_h * r as f64;
        let _ = write!(
            out,
            r#"<text class="c-label" x="0" y="{:.1}">{}</text><text class="c-axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            y + 19.0,
            esc(row.label),
            label_w + size_w - 10.0,
            y + 19.0,
            esc(&n.integer(row.size as f64))
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
                r#"<rect class="c-cell" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill-opacity="{shade:.3}"/><text class="c-cell-text{}" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
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

/// A line chart over evenly spaced points (retention average, metric time series); a
/// missing value breaks the line. `fmt` formats values for the axis and point labels.
pub fn line_chart(id: &str, title: &str, points: &[(String, Option<f64>)], fmt: &dyn Fn(f64) -> String) -> String {
    let (left, right, top, bottom) = (64.0, 20.0, 16.0, 30.0);
    let (w, h) = (640.0, 220.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let values: Vec<f64> = points.iter().filter_map(|p| p.1).collect();
    let max = values.iter().copied().fold(0.0_f64, f64::max);
    let min = values.iter().copied().fold(0.0_f64, f64::min);
    let span = if max - min > 0.0 { max - min } else { 1.0 };
    let x_of = |i: usize| {
        left + if points.len() > 1 {
            plot_w * i as f64 / (points.len() - 1) as f64
        } else {
            plot_w / 2.0
        }
    };
    let y_of = |v: f64| top + plot_h * (1.0 - (v - min) / span);
    let desc: Vec<String> = points
        .iter()
        .map(|(l, v)| format!("{l}: {}", v.map_or("—".to_string(), fmt)))
        .collect();
    let mut out = String::new();
    open(&mut out, id, w, h, title, &desc.join("; "), "line");
    for (v, cls) in [(max, "c-grid"), (min, "c-axis-line")] {
        let y = y_of(v);
        let _ = write!(
            out,
            r#"<line class="{cls}" x1="{left:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="c-axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            w - right,
            left - 8.0,
            y + 4.0,
            esc(&fmt(v))
        );
    }
    let mut seg: Vec<String> = Vec::new();
    let mut lines = String::new();
    for (i, (_, v)) in points.iter().enumerate() {
        match v {
            Some(v) => seg.push(format!("{:.1},{:.1}", x_of(i), y_of(*v))),
            None => {
                if seg.len() > 1 {
                    let _ = write!(lines, r#"<polyline class="c-line" points="{}"/>"#, seg.join(" "));
                }
                seg.clear();
            }
        }
    }
    if seg.len() > 1 {
        let _ = write!(lines, r#"<polyline class="c-line" points="{}"/>"#, seg.join(" "));
    }
    out.push_str(&lines);
    for (i, (label, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                out,
                r#"<circle class="c-dot" cx="{:.1}" cy="{:.1}" r="3.5"><title>{}: {}</title></circle>"#,
                x_of(i),
                y_of(*v),
                esc(label),
                esc(&fmt(*v))
            );
        }
        // Label the first, the last and a few in between, never two too close.
        let last = points.len() - 1;
        let every = points.len().div_ceil(6).max(1);
        if i == 0 || i == last || (i % every == 0 && last - i >= every) {
            let anchor = if i == 0 && last > 0 {
                "start"
            } else if i == last && last > 0 {
                "end"
            } else {
                "middle"
            };
            let _ = write!(
                out,
                r#"<text class="c-axis" x="{:.1}" y="{:.1}" text-anchor="{anchor}">{}</text>"#,
                x_of(i),
                h - 8.0,
                esc(label)
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars of rates (segment comparison).
pub fn rate_bars(id: &str, title: &str, items: &[(String, Option<f64>)], n: Numbers) -> String {
    let (label_w, bar_w, row_h) = (150.0, 360.0, 32.0);
    let w = label_w + bar_w + 90.0;
    let h = row_h * items.len() as f64 + 8.0;
    let max = items.iter().filter_map(|i| i.1).fold(0.0_f64, f64::max);
    let max = if max > 0.0 { max } else { 1.0 };
    let desc: Vec<String> = items
        .iter()
        .map(|(l, v)| format!("{l}: {}", v.map_or("—".to_string(), |v| n.percent(v))))
        .collect();
    let mut out = String::new();
    open(&mut out, id, w, h, title, &desc.join("; "), "bars");
    for (i, (label, v)) in items.iter().enumerate() {
        let y = 4.0 + row_h * i as f64;
        let bw = v.map_or(0.0, |v| v / max * bar_w);
        let _ = write!(
            out,
            r#"<text class="c-label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="c-bar" x="{label_w:.1}" y="{:.1}" width="{bw:.1}" height="20" rx="3"/><text class="c-value" x="{:.1}" y="{:.1}">{}</text>"#,
            label_w - 10.0,
            y + 15.0,
            esc(&clip(label, 20)),
            y + 2.0,
            label_w + bw + 8.0,
            y + 15.0,
            esc(&v.map_or("—".to_string(), |v| n.percent(v)))
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: Numbers = Numbers::EN;

    #[test]
    fn funnel_snapshot() {
        let steps = [
            FunnelStep {
                name: "Awareness",
                users: Some(1000),
                from_previous: None,
            },
            FunnelStep {
                name: "Consideration & <compare>",
                users: Some(400),
                from_previous: Some(0.4),
            },
            FunnelStep {
                name: "Purchase",
                users: Some(0),
                from_previous: Some(0.0),
            },
        ];
        insta::assert_snapshot!(funnel("f", "Funnel", &steps, EN));
    }

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
        insta::assert_snapshot!(emotion_curve("e", "Emotion", &e, 200.0, &labels));
    }

    #[test]
    fn heatmap_snapshot() {
        let a = [Some(1.0), Some(0.3), None];
        let b = [Some(1.0), None, None];
        let rows = [
            HeatRow {
                label: "2026-01-05",
                size: 120,
                rates: &a,
            },
            HeatRow {
                label: "2026-01-12",
                size: 80,
                rates: &b,
            },
        ];
        insta::assert_snapshot!(heatmap("h", "Retention", &rows, 3, "week", EN));
    }

    #[test]
    fn line_chart_snapshot() {
        let pts = vec![
            ("0".to_string(), Some(1.0)),
            ("1".to_string(), Some(0.25)),
            ("2".to_string(), None),
            ("3".to_string(), Some(0.1)),
        ];
        insta::assert_snapshot!(line_chart("l", "Average", &pts, &|v| EN.percent(v)));
    }

    #[test]
    fn rate_bars_snapshot() {
        let items = vec![
            ("(none)".to_string(), None),
            ("desktop".to_string(), Some(0.2)),
            ("mobile".to_string(), Some(0.1)),
        ];
        insta::assert_snapshot!(rate_bars("s", "By segment", &items, EN));
    }

    #[test]
    fn labels_are_escaped() {
        let steps = [FunnelStep {
            name: "<script>alert(1)</script>",
            users: Some(1),
            from_previous: None,
        }];
        let svg = funnel("x", "<b>", &steps, EN);
        assert!(!svg.contains("<script>") && !svg.contains("<b>"), "{svg}");
    }
}
