//! Value axes with "nice" bounds and ticks, and category labels thinned so that none
//! overlap: the parts of a chart that depend on its data's range and on text widths.

/// Width of a text in pixels, estimated from its characters: there are no font metrics at
/// build time, so 0.6 em per character (a little wider than the digits and lower-case
/// letters of the system fonts the theme uses) and 0.9 em for the wide ones.
pub fn text_width(s: &str, font_px: f64) -> f64 {
    let ems: f64 = s
        .chars()
        .map(|c| match c {
            '%' | 'm' | 'w' | 'M' | 'W' | '€' | '£' | '—' | '−' => 0.9,
            _ => 0.6,
        })
        .sum();
    ems * font_px
}

/// Where a value axis starts and ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// From zero (or below, for negative data) to a nice maximum: counts, money, rates and
    /// durations, whose bars and lines mislead when the axis does not start at zero.
    FromZero,
    /// Nice bounds around the data: a score without a declared scale.
    AroundData,
    /// A declared scale (a 1–5 score), widened only when data falls outside it.
    Fixed { min: f64, max: f64 },
}

/// A value axis: its bounds and the values that get a gridline and a label (3 to 5 of
/// them, evenly spaced, the first at `min` and the last at `max`).
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub min: f64,
    pub max: f64,
    pub ticks: Vec<f64>,
    /// The decimals that tell the ticks apart.
    pub decimals: usize,
}

/// Tick steps are 1, 2, 2.5 or 5 × 10ⁿ, ascending from well below `raw`; whole steps only
/// for whole values.
fn steps_from(raw: f64, integer: bool) -> impl Iterator<Item = f64> {
    let exp = raw.abs().max(f64::MIN_POSITIVE).log10().floor() as i32 - 1;
    let exp = if integer { exp.max(0) } else { exp };
    (0..)
        .flat_map(move |i| [1.0, 2.0, 2.5, 5.0].map(|m| m * 10f64.powi(exp + i)))
        .filter(move |s| !integer || s.fract() == 0.0)
}

fn decimals_of(step: f64) -> usize {
    (0..=9)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            scaled.round() != 0.0 && (scaled - scaled.round()).abs() <= 1e-6 * scaled
        })
        .unwrap_or(9)
}

/// The axis for data between `lo` and `hi` (either may be absent: no data). `integer`:
/// the values are whole (counts), so no tick falls between two of them.
pub fn axis(lo: Option<f64>, hi: Option<f64>, range: Range, integer: bool) -> Axis {
    let (dlo, dhi) = match (lo, hi) {
        (Some(a), Some(b)) if a.is_finite() && b.is_finite() => (a.min(b), a.max(b)),
        _ => (0.0, 0.0),
    };
    if let Range::Fixed { min, max } = range {
        if dlo >= min && dhi <= max && max > min {
            return fixed(min, max, integer);
        }
        return nice(dlo.min(min), dhi.max(max), integer);
    }
    let (mut a, mut b) = match range {
        Range::FromZero => (dlo.min(0.0), dhi.max(0.0)),
        _ => (dlo, dhi),
    };
    if b - a <= f64::EPSILON * a.abs().max(b.abs()) {
        // One value: an axis around it (or from zero to it) still needs a span.
        let pad = if a == 0.0 { 1.0 } else { a.abs() / 10.0 };
        if range == Range::FromZero {
            if a < 0.0 {
                a -= pad;
            } else {
                b += pad;
            }
        } else {
            a -= pad;
            b += pad;
        }
    }
    nice(a, b, integer)
}

/// The tightest bounds around [lo, hi] on multiples of a nice step with 3 to 5 ticks.
fn nice(lo: f64, hi: f64, integer: bool) -> Axis {
    for step in steps_from((hi - lo) / 4.0, integer) {
        // A hair of tolerance, so that 0.3 / 0.1 is 3 intervals and not 4; then made sure
        // that the bounds do hold the data.
        let mut min = (lo / step + 1e-9).floor() * step;
        let mut max = (hi / step - 1e-9).ceil() * step;
        if min > lo {
            min -= step;
        }
        if max < hi {
            max += step;
        }
        let intervals = ((max - min) / step).round() as usize;
        if intervals <= 4 {
            // One interval (a single value on a whole step): add one above.
            return with_ticks(min, step, intervals.max(2));
        }
    }
    unreachable!("steps grow without bound")
}

/// A declared scale: its own bounds, ticks on a nice step that divides it evenly into 2 to
/// 4 intervals if there is one (1–5 → 1, 2, 3, 4, 5; 0–10 → 0, 2.5, …; 1–7 → 1, 3, 5, 7).
fn fixed(min: f64, max: f64, integer: bool) -> Axis {
    let span = max - min;
    for step in steps_from(span / 4.0, integer).take(12) {
        let intervals = span / step;
        if (intervals - intervals.round()).abs() < 1e-9 && (2.0..=4.0).contains(&intervals.round()) {
            return with_ticks(min, step, intervals.round() as usize);
        }
    }
    // No nice step divides it: the bounds alone, and their middle.
    let mut a = with_ticks(min, span / 2.0, 2);
    a.decimals = a.decimals.min(2);
    a
}

fn with_ticks(min: f64, step: f64, intervals: usize) -> Axis {
    let decimals = decimals_of(step);
    // Each tick a multiple of the step computed afresh and rounded to the step's decimals,
    // so that 0.1 × 3 is written and compared as 0.3.
    let round = |v: f64| {
        if decimals < 9 {
            let f = 10f64.powi(decimals as i32);
            (v * f).round() / f
        } else {
            v
        }
    };
    let ticks: Vec<f64> = (0..=intervals).map(|i| round(min + step * i as f64)).collect();
    Axis {
        min: ticks[0].min(min),
        max: ticks[intervals].max(min + step * intervals as f64),
        ticks,
        decimals,
    }
}

/// How a category label is anchored at its point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    pub fn svg(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// Space kept between two labels.
const LABEL_GAP: f64 = 10.0;

/// Which of the labels at `xs` (ascending) to draw so that no two overlap, given their
/// widths: the first always (anchored at its start), the last (anchored at its end) unless
/// it would collide with the first, and every k-th between them for the smallest k that
/// fits, leaving out those too close to the last.
pub fn thin_labels(xs: &[f64], widths: &[f64]) -> Vec<(usize, Anchor)> {
    let n = xs.len();
    match n {
        0 => return Vec::new(),
        1 => return vec![(0, Anchor::Middle)],
        _ => {}
    }
    let anchor = |i: usize| {
        if i == 0 {
            Anchor::Start
        } else if i == n - 1 {
            Anchor::End
        } else {
            Anchor::Middle
        }
    };
    let extent = |i: usize| match anchor(i) {
        Anchor::Start => (xs[i], xs[i] + widths[i]),
        Anchor::Middle => (xs[i] - widths[i] / 2.0, xs[i] + widths[i] / 2.0),
        Anchor::End => (xs[i] - widths[i], xs[i]),
    };
    let apart = |a: usize, b: usize| extent(a).1 + LABEL_GAP <= extent(b).0;
    let last = n - 1;
    let keep_last = apart(0, last);
    for k in 1..n {
        let mut chosen: Vec<usize> = (0..last).step_by(k).collect();
        if keep_last {
            chosen.retain(|&i| i == 0 || apart(i, last));
            chosen.push(last);
        }
        if chosen.windows(2).all(|w| apart(w[0], w[1])) {
            return chosen.into_iter().map(|i| (i, anchor(i))).collect();
        }
    }
    vec![(0, anchor(0))]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ax(lo: f64, hi: f64, range: Range, integer: bool) -> Axis {
        axis(Some(lo), Some(hi), range, integer)
    }

    #[test]
    fn nice_bounds_from_zero() {
        assert_eq!(
            ax(12.0, 91.0, Range::FromZero, true).ticks,
            vec![0.0, 25.0, 50.0, 75.0, 100.0]
        );
        assert_eq!(ax(0.012, 0.43, Range::FromZero, false).ticks, vec![0.0, 0.2, 0.4, 0.6]);
        let a = ax(0.0, 0.0, Range::FromZero, true);
        assert_eq!(a.ticks, vec![0.0, 1.0, 2.0]);
        let a = ax(-30.0, 80.0, Range::FromZero, false);
        assert!(a.min <= -30.0 && a.max >= 80.0, "{a:?}");
    }

    #[test]
    fn scores_use_their_scale_or_their_data() {
        // The reported case: a 1–5 score drawn 0.00–4.59.
        let a = ax(3.6, 4.59, Range::Fixed { min: 1.0, max: 5.0 }, false);
        assert_eq!(a.ticks, vec![1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(a.decimals, 0);
        let a = ax(6.0, 9.0, Range::Fixed { min: 0.0, max: 10.0 }, false);
        assert_eq!(a.ticks, vec![0.0, 2.5, 5.0, 7.5, 10.0]);
        let a = ax(2.0, 6.0, Range::Fixed { min: 1.0, max: 7.0 }, false);
        assert_eq!(a.ticks, vec![1.0, 3.0, 5.0, 7.0]);
        // Outside the scale: the axis widens, no point is clipped.
        let a = ax(0.5, 4.0, Range::Fixed { min: 1.0, max: 5.0 }, false);
        assert!(a.min <= 0.5 && a.max >= 5.0, "{a:?}");
        let a = ax(3.6, 4.59, Range::AroundData, false);
        assert_eq!((a.min, a.max), (3.5, 5.0), "{a:?}");
        let a = ax(4.2, 4.2, Range::AroundData, false);
        assert!(a.min < 4.2 && a.max > 4.2 && a.min > 3.0, "{a:?}");
    }

    #[test]
    fn every_range_gets_three_to_five_nice_ticks_around_its_data() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..20_000 {
            let scale = 10f64.powi((next() * 12.0) as i32 - 5);
            let a = next() * scale * if next() < 0.3 { -1.0 } else { 1.0 };
            let b = a + next() * scale;
            for (range, integer) in [
                (Range::FromZero, false),
                (Range::AroundData, false),
                (Range::FromZero, true),
                (Range::Fixed { min: 1.0, max: 5.0 }, false),
            ] {
                let x = ax(a, b, range, integer);
                assert!((3..=5).contains(&x.ticks.len()), "{a} {b} {range:?}: {x:?}");
                assert!(x.min <= a && x.max >= b, "{a} {b} {range:?}: {x:?}");
                let tol = 1e-9 * x.max.abs().max(x.min.abs()).max(f64::MIN_POSITIVE);
                assert!((x.ticks[0] - x.min).abs() <= tol, "{x:?}");
                assert!((x.ticks[x.ticks.len() - 1] - x.max).abs() <= tol, "{x:?}");
                let step = x.ticks[1] - x.ticks[0];
                if integer {
                    assert!(step >= 1.0 && x.ticks.iter().all(|t| t.fract() == 0.0), "{x:?}");
                }
                // The data fills a good part of an axis that need not start at zero.
                if range == Range::AroundData {
                    assert!(b - a >= (x.max - x.min) / 6.0 || b - a < 1e-6 * scale, "{a} {b}: {x:?}");
                }
            }
        }
    }

    fn overlaps(xs: &[f64], widths: &[f64], chosen: &[(usize, Anchor)]) -> bool {
        let ext: Vec<(f64, f64)> = chosen
            .iter()
            .map(|&(i, a)| match a {
                Anchor::Start => (xs[i], xs[i] + widths[i]),
                Anchor::Middle => (xs[i] - widths[i] / 2.0, xs[i] + widths[i] / 2.0),
                Anchor::End => (xs[i] - widths[i], xs[i]),
            })
            .collect();
        ext.windows(2).any(|w| w[0].1 > w[1].0)
    }

    #[test]
    fn thinned_labels_never_overlap_and_keep_the_ends() {
        for plot_w in [200.0, 560.0] {
            for n in 2..=400 {
                let xs: Vec<f64> = (0..n).map(|i| 60.0 + plot_w * i as f64 / (n - 1) as f64).collect();
                for label in ["5 Jan", "2026-01-05", "12 Sept 2026", "1"] {
                    let widths = vec![text_width(label, 12.0); n];
                    let chosen = thin_labels(&xs, &widths);
                    assert!(
                        !overlaps(&xs, &widths, &chosen),
                        "{n} × {label:?} over {plot_w}: {chosen:?}"
                    );
                    assert_eq!(chosen[0], (0, Anchor::Start));
                    let last = chosen[chosen.len() - 1];
                    if xs[0] + widths[0] + LABEL_GAP <= xs[n - 1] - widths[n - 1] {
                        assert_eq!(last, (n - 1, Anchor::End), "{n} × {label:?}");
                    }
                    assert!(chosen.windows(2).all(|w| w[0].0 < w[1].0));
                }
            }
        }
    }

    #[test]
    fn the_reported_overlap_is_gone() {
        // 12 weekly points over 556 px: 2026-01-05 and 2026-01-19 used to touch. The first
        // label runs right from its point, so the next one drawn is the fourth.
        let xs: Vec<f64> = (0..12).map(|i| 64.0 + 556.0 * i as f64 / 11.0).collect();
        let widths = vec![text_width("2026-01-05", 12.0); 12];
        let chosen: Vec<usize> = thin_labels(&xs, &widths).into_iter().map(|c| c.0).collect();
        assert_eq!(chosen, vec![0, 3, 6, 11]);
    }

    #[test]
    fn one_label_is_centred() {
        assert_eq!(thin_labels(&[10.0], &[30.0]), vec![(0, Anchor::Middle)]);
        assert_eq!(thin_labels(&[], &[]), vec![]);
    }
}
