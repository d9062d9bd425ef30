//! Horizontal bars, one row per step or segment: the name and the value on a line, the
//! bar under them across the chart's width. Laid out in percentages, the same drawing
//! fits a phone (its names need no room beside the bars) and a desktop column.

use std::fmt::Write as _;

use super::axis::text_width;
use super::{clip, esc, open_fluid, FONT};
use crate::locale::Numbers;

/// The narrowest a bar chart is drawn (the stylesheet's `min-width` of `.chart.fluid`): a
/// name is clipped so that it and its value fit on one line at this width.
const MIN_WIDTH: f64 = 288.0;

/// The name, clipped to leave room for the value at the chart's narrowest, with the full
/// name as a tooltip when it was clipped; and the value at the right edge.
fn name_and_value(out: &mut String, name: &str, value: &str, y: f64) {
    let room = MIN_WIDTH - text_width(value, FONT) - 12.0;
    let fits = |chars: usize| text_width(&clip(name, chars), FONT) <= room;
    let chars = name.chars().count();
    let shown = clip(name, (4..=chars).rev().find(|&c| fits(c)).unwrap_or(4));
    let tooltip = if shown == name {
        String::new()
    } else {
        format!("<title>{}</title>", esc(name))
    };
    let _ = write!(
        out,
        r#"<text class="c-label" x="0" y="{y:.1}">{tooltip}{}</text><text class="c-value" x="100%" y="{y:.1}" text-anchor="end">{}</text>"#,
        esc(&shown),
        esc(value)
    );
}

/// One funnel step for [`funnel`].
pub struct FunnelStep<'a> {
    pub name: &'a str,
    pub users: Option<u64>,
    pub from_previous: Option<f64>,
}

/// The funnel: one bar per step, sized by users, with the drop-off from the previous
/// step drawn as a faint extension; users and the step conversion beside the name.
pub fn funnel(id: &str, title: &str, steps: &[FunnelStep], n: Numbers) -> String {
    let (row_h, bar_h) = (54.0, 24.0);
    let h = row_h * steps.len() as f64;
    let max = steps.iter().filter_map(|s| s.users).max().unwrap_or(0).max(1) as f64;
    let desc: Vec<String> = steps
        .iter()
        .map(|s| format!("{}: {}", s.name, s.users.map_or("—".into(), |u| n.integer(u as f64))))
        .collect();
    let mut out = String::new();
    open_fluid(&mut out, id, h, title, &desc.join("; "), "funnel");
    let mut prev: Option<f64> = None;
    for (i, s) in steps.iter().enumerate() {
        let y = row_h * i as f64;
        // In percent of the width; a step with users keeps a sliver of a bar.
        let bw = s
            .users
            .map_or(0.0, |u| (u as f64 / max * 100.0).max(if u > 0 { 0.5 } else { 0.0 }));
        let value = match (s.users, s.from_previous) {
            (None, _) => "—".to_string(),
            (Some(u), Some(c)) => format!("{} · {}", n.integer(u as f64), n.percent(c)),
            (Some(u), None) => n.integer(u as f64),
        };
        name_and_value(&mut out, s.name, &value, y + 15.0);
        if let Some(pw) = prev.filter(|&pw| pw > bw) {
            let _ = write!(
                out,
                r#"<rect class="c-drop" x="{bw:.2}%" y="{:.1}" width="{:.2}%" height="{bar_h}" rx="3"/>"#,
                y + 22.0,
                pw - bw
            );
        }
        let _ = write!(
            out,
            r#"<rect class="c-bar" x="0" y="{:.1}" width="{bw:.2}%" height="{bar_h}" rx="3"/>"#,
            y + 22.0
        );
        prev = Some(bw);
    }
    out.push_str("</svg>");
    out
}

/// One bar of [`rate_bars`]: a rate and, when known, its 95 % interval.
pub struct RateBar {
    pub label: String,
    pub value: Option<f64>,
    pub interval: Option<[f64; 2]>,
}

/// One row of [`bar_rows`], in fractions of the chart's width.
struct BarRow {
    label: String,
    value: String,
    width: f64,
    /// An interval drawn over the bar, and its tooltip.
    interval: Option<(f64, f64, String)>,
}

/// Bars of rates (conversion by segment), scaled to the highest rate or interval bound,
/// each interval drawn as a whisker over its bar.
pub fn rate_bars(id: &str, title: &str, items: &[RateBar], interval_word: &str, n: Numbers) -> String {
    let max = items
        .iter()
        .flat_map(|i| i.value.into_iter().chain(i.interval.map(|[_, hi]| hi)))
        .fold(0.0_f64, f64::max);
    // A whisker's cap at the top of the scale stays inside the chart.
    let max = if max > 0.0 { max / 0.98 } else { 1.0 };
    let rows: Vec<BarRow> = items
        .iter()
        .map(|i| BarRow {
            label: i.label.clone(),
            value: i.value.map_or("—".to_string(), |v| n.percent(v)),
            width: i.value.map_or(0.0, |v| v / max),
            interval: i.interval.map(|[lo, hi]| {
                let tip = format!("{}: {interval_word} {} – {}", i.label, n.percent(lo), n.percent(hi));
                (lo / max, hi / max, tip)
            }),
        })
        .collect();
    bar_rows(id, title, &rows)
}

/// Bars of counts (people per duration bin), scaled to the largest, each with its share.
pub fn count_bars(id: &str, title: &str, items: &[(String, u64)], n: Numbers) -> String {
    let total: u64 = items.iter().map(|i| i.1).sum();
    let max = items.iter().map(|i| i.1).max().unwrap_or(0).max(1) as f64;
    let rows: Vec<BarRow> = items
        .iter()
        .map(|(label, c)| BarRow {
            label: label.clone(),
            value: format!(
                "{} · {}",
                n.integer(*c as f64),
                n.percent(if total > 0 { *c as f64 / total as f64 } else { 0.0 })
            ),
            width: *c as f64 / max,
            interval: None,
        })
        .collect();
    bar_rows(id, title, &rows)
}

fn bar_rows(id: &str, title: &str, rows: &[BarRow]) -> String {
    let (row_h, bar_h) = (46.0, 18.0);
    let h = row_h * rows.len() as f64;
    let desc: Vec<String> = rows.iter().map(|r| format!("{}: {}", r.label, r.value)).collect();
    let mut out = String::new();
    open_fluid(&mut out, id, h, title, &desc.join("; "), "bars");
    for (i, r) in rows.iter().enumerate() {
        let y = row_h * i as f64;
        name_and_value(&mut out, &r.label, &r.value, y + 15.0);
        let _ = write!(
            out,
            r#"<rect class="c-bar" x="0" y="{:.1}" width="{:.2}%" height="{bar_h}" rx="3"/>"#,
            y + 22.0,
            r.width * 100.0
        );
        if let Some((lo, hi, tip)) = &r.interval {
            let (cy, top, bottom) = (y + 22.0 + bar_h / 2.0, y + 22.0 + 3.0, y + 22.0 + bar_h - 3.0);
            let (x0, x1) = (lo * 100.0, hi * 100.0);
            let _ = write!(
                out,
                r#"<g class="c-ci"><title>{}</title><line x1="{x0:.2}%" x2="{x1:.2}%" y1="{cy:.1}" y2="{cy:.1}"/><line x1="{x0:.2}%" x2="{x0:.2}%" y1="{top:.1}" y2="{bottom:.1}"/><line x1="{x1:.2}%" x2="{x1:.2}%" y1="{top:.1}" y2="{bottom:.1}"/></g>"#,
                esc(tip)
            );
        }
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
    fn rate_bars_snapshot() {
        let items = [
            ("(none)", None, None),
            ("desktop", Some(0.2), Some([0.15, 0.25])),
            ("mobile", Some(0.1), None),
        ]
        .map(|(label, value, interval)| RateBar {
            label: label.into(),
            value,
            interval,
        });
        insta::assert_snapshot!(rate_bars("s", "By segment", &items, "95% interval", EN));
    }

    #[test]
    fn long_names_are_clipped_to_fit_beside_their_value_on_a_phone() {
        let name = "A stage name much longer than any phone can show beside its numbers";
        let steps = [FunnelStep {
            name,
            users: Some(1_234_567),
            from_previous: Some(0.999),
        }];
        let svg = funnel("f", "F", &steps, EN);
        let shown = svg.split("<text class=\"c-label\"").nth(1).unwrap();
        let shown = &shown[shown.find("</title>").unwrap() + 8..shown.find("</text>").unwrap()];
        let value = "1,234,567 · 99.9%";
        assert!(shown.ends_with('…'), "{shown}");
        assert!(
            text_width(shown, FONT) + 12.0 + text_width(value, FONT) <= MIN_WIDTH,
            "{shown}"
        );
        assert!(
            svg.contains(&format!("<title>{name}</title>")),
            "the full name as a tooltip"
        );
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
