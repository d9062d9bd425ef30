//! Line charts over evenly spaced points (metric series, activity, average retention):
//! a value axis on nice bounds with 3 to 5 labelled gridlines, and category labels thinned
//! so that none overlap. Each chart is drawn twice, wide and narrow, at a fixed size; the
//! stylesheet shows the one that fits the screen, so neither is ever scaled.

use std::fmt::Write as _;

use super::axis::{axis, text_width, thin_labels, Axis, Range};
use super::{esc, open, FONT, SMALL};
use crate::locale::Numbers;
use crate::spec::Unit;

/// The two drawings' widths: the narrow one fits a phone's content column (a 360 px
/// screen inside a card), the wide one a desktop's.
const WIDE: f64 = 640.0;
const NARROW: f64 = 288.0;
const HEIGHT: f64 = 220.0;
/// Pixels between two points below which points get no dot.
const DOT_SPACING: f64 = 9.0;

/// One line: its name (for the legend and the text alternative) and a value per point;
/// a missing value breaks the line.
pub struct Series<'a> {
    pub name: &'a str,
    pub values: Vec<Option<f64>>,
}

pub struct LineChart<'a> {
    pub id: &'a str,
    pub title: &'a str,
    /// Each point's full label (the text alternative and tooltips).
    pub labels: &'a [String],
    /// Each point's label on the axis (may be shorter), drawn where there is room.
    pub ticks: &'a [String],
    pub series: &'a [Series<'a>],
    pub unit: Unit,
    pub range: Range,
}

/// A value as an axis labels it: with the decimals that tell its ticks apart.
fn tick_label(v: f64, unit: Unit, decimals: usize, n: Numbers) -> String {
    match unit {
        Unit::Percent => n.percent_places(v, decimals.saturating_sub(2)),
        Unit::Currency => n.money_places(v, decimals),
        Unit::Seconds => n.duration(v),
        Unit::Count | Unit::Score => n.number(v, decimals),
    }
}

/// The wide and the narrow drawing, one after the other (`.chart.wide`, `.chart.narrow`).
pub fn line_charts(c: &LineChart, n: Numbers) -> String {
    let mut out = draw(c, c.id, WIDE, "wide", n);
    out.push_str(&draw(c, &format!("{}-n", c.id), NARROW, "narrow", n));
    out
}

fn draw(c: &LineChart, id: &str, w: f64, class: &str, n: Numbers) -> String {
    let count = c.labels.len();
    let values = || c.series.iter().flat_map(|s| s.values.iter().flatten().copied());
    let lo = values().reduce(f64::min);
    let hi = values().reduce(f64::max);
    let Axis {
        min,
        max,
        ticks,
        decimals,
    } = axis(lo, hi, c.range, c.unit == Unit::Count);
    let tick_text: Vec<String> = ticks.iter().map(|&t| tick_label(t, c.unit, decimals, n)).collect();
    let gutter = tick_text.iter().map(|t| text_width(t, SMALL)).fold(0.0, f64::max) + 14.0;
    let legend = c.series.len() > 1;
    let (left, right, top, bottom) = (gutter, 10.0, if legend { 34.0 } else { 12.0 }, 30.0);
    let plot_w = w - left - right;
    let plot_h = HEIGHT - top - bottom;
    let x_of = |i: usize| {
        left + if count > 1 {
            plot_w * i as f64 / (count - 1) as f64
        } else {
            plot_w / 2.0
        }
    };
    let y_of = |v: f64| top + plot_h * (1.0 - (v - min) / (max - min));
    let desc: Vec<String> = c
        .series
        .iter()
        .map(|s| {
            let points: Vec<String> = c
                .labels
                .iter()
                .zip(&s.values)
                .map(|(l, v)| format!("{l}: {}", v.map_or("—".to_string(), |v| n.unit(v, c.unit))))
                .collect();
            format!("{}: {}", s.name, points.join(", "))
        })
        .collect();
    let mut out = String::new();
    open(
        &mut out,
        id,
        w,
        HEIGHT,
        c.title,
        &desc.join("; "),
        &format!("line {class}"),
    );
    if legend {
        let mut x = 0.0;
        for (k, s) in c.series.iter().enumerate() {
            let _ = write!(
                out,
                r#"<line class="c-line s{k}" x1="{x:.1}" x2="{:.1}" y1="13" y2="13"/><text class="c-label" x="{:.1}" y="17">{}</text>"#,
                x + 22.0,
                x + 28.0,
                esc(s.name)
            );
            x += 28.0 + text_width(s.name, FONT) + 20.0;
        }
    }
    for (k, (t, text)) in ticks.iter().zip(&tick_text).enumerate() {
        let y = y_of(*t);
        let cls = if k == 0 { "c-axis-line" } else { "c-grid" };
        let _ = write!(
            out,
            r#"<line class="{cls}" x1="{left:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}"/><text class="c-axis" x="{:.1}" y="{:.1}" text-anchor="end" font-size="{SMALL}">{}</text>"#,
            w - right,
            left - 8.0,
            y + 4.0,
            esc(text)
        );
    }
    let dots = count < 2 || plot_w / (count - 1) as f64 >= DOT_SPACING;
    for (k, s) in c.series.iter().enumerate() {
        let mut seg: Vec<String> = Vec::new();
        let flush = |seg: &mut Vec<String>, out: &mut String| {
            if seg.len() > 1 {
                let _ = write!(out, r#"<polyline class="c-line s{k}" points="{}"/>"#, seg.join(" "));
            }
            seg.clear();
        };
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => seg.push(format!("{:.1},{:.1}", x_of(i), y_of(*v))),
                None => flush(&mut seg, &mut out),
            }
        }
        flush(&mut seg, &mut out);
        for (i, v) in s.values.iter().enumerate() {
            let Some(v) = v else { continue };
            // A point alone between gaps has no line: it always gets its dot.
            let alone = (i == 0 || s.values[i - 1].is_none()) && s.values.get(i + 1).is_none_or(Option::is_none);
            if dots || alone {
                let what = if legend {
                    format!("{} — {}", s.name, c.labels[i])
                } else {
                    c.labels[i].clone()
                };
                let _ = write!(
                    out,
                    r#"<circle class="c-dot s{k}" cx="{:.1}" cy="{:.1}" r="3.5"><title>{}: {}</title></circle>"#,
                    x_of(i),
                    y_of(*v),
                    esc(&what),
                    esc(&n.unit(*v, c.unit))
                );
            }
        }
    }
    let xs: Vec<f64> = (0..count).map(x_of).collect();
    let widths: Vec<f64> = c.ticks.iter().map(|t| text_width(t, SMALL)).collect();
    for (i, anchor) in thin_labels(&xs, &widths) {
        let _ = write!(
            out,
            r#"<text class="c-axis" x="{:.1}" y="{:.1}" text-anchor="{}" font-size="{SMALL}">{}</text>"#,
            xs[i],
            HEIGHT - 8.0,
            anchor.svg(),
            esc(&c.ticks[i])
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: Numbers = Numbers::EN;

    fn chart<'a>(labels: &'a [String], series: &'a [Series<'a>], unit: Unit, range: Range) -> LineChart<'a> {
        LineChart {
            id: "l",
            title: "Average",
            labels,
            ticks: labels,
            series,
            unit,
            range,
        }
    }

    #[test]
    fn line_chart_snapshot() {
        let labels: Vec<String> = ["Week 1", "Week 2", "Week 3", "Week 4"].map(String::from).to_vec();
        let series = [Series {
            name: "Average",
            values: vec![Some(0.3), Some(0.25), None, Some(0.1)],
        }];
        insta::assert_snapshot!(line_charts(
            &chart(&labels, &series, Unit::Percent, Range::FromZero),
            EN
        ));
    }

    #[test]
    fn two_series_snapshot() {
        let labels: Vec<String> = ["5 Jan", "12 Jan", "19 Jan"].map(String::from).to_vec();
        let series = [
            Series {
                name: "Users",
                values: vec![Some(3.0), Some(5.0), Some(4.0)],
            },
            Series {
                name: "Events",
                values: vec![Some(4.0), Some(9.0), Some(4.0)],
            },
        ];
        insta::assert_snapshot!(draw(
            &chart(&labels, &series, Unit::Count, Range::FromZero),
            "a",
            NARROW,
            "narrow",
            EN
        ));
    }

    #[test]
    fn a_score_on_its_scale() {
        let labels: Vec<String> = (1..=12).map(|d| format!("2026-01-{d:02}")).collect();
        let series = [Series {
            name: "Satisfaction",
            values: (0..12).map(|i| Some(3.6 + i as f64 / 12.0)).collect(),
        }];
        let svg = draw(
            &chart(&labels, &series, Unit::Score, Range::Fixed { min: 1.0, max: 5.0 }),
            "s",
            WIDE,
            "wide",
            EN,
        );
        let axis: Vec<&str> = svg
            .split("text-anchor=\"end\" font-size=\"12\">")
            .skip(1)
            .map(|s| &s[..s.find('<').unwrap()])
            .collect();
        assert_eq!(&axis[..5], ["1", "2", "3", "4", "5"], "{svg}");
    }
}
