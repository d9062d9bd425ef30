//! Time to convert (docs/kpis.md): the median, the nearest-rank percentiles and the fixed
//! histogram of one step's durations, all from one partial selection of the durations
//! instead of a sort (a step of a million users is selected in linear time).

use serde::{Deserialize, Serialize};

use crate::calendar::MICROS_PER_SEC;

/// The upper bounds (exclusive, seconds) of the histogram's bins; the last bin is open.
pub const BIN_EDGES: [i64; 8] = [60, 600, 3_600, 21_600, 86_400, 259_200, 604_800, 2_592_000];

/// `seconds_from_previous` of a step in kpis.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeToConvert {
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p90: f64,
    /// Users per bin of [`BIN_EDGES`]: [0, 60), [60, 600), …, [2592000, ∞) seconds.
    pub histogram: Vec<u64>,
}

/// The median (mean of the two middle values for an even count) and the time to convert
/// of µs durations, in seconds; `None` for no durations. Reorders `values`.
pub fn summarise(values: &mut [i64]) -> Option<(f64, TimeToConvert)> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    // Nearest rank: the ⌈p/100 × n⌉-th smallest, as a 0-based index.
    let rank = |p: usize| (p * n).div_ceil(100).max(1) - 1;
    let mid_low = (n - 1) / 2;
    let mut wanted = [rank(25), mid_low, n / 2, rank(50), rank(75), rank(90)];
    wanted.sort_unstable();
    let mut at = [0i64; 6];
    let mut placed = 0;
    for (slot, &r) in wanted.iter().enumerate() {
        if r >= placed {
            values[placed..].select_nth_unstable(r - placed);
            placed = r + 1;
        }
        at[slot] = values[r];
    }
    let value = |r: usize| at[wanted.iter().position(|&w| w == r).expect("selected")];
    let secs = |us: i64| us as f64 / MICROS_PER_SEC as f64;
    let median = (value(mid_low) as f64 + value(n / 2) as f64) / 2.0 / MICROS_PER_SEC as f64;
    let mut histogram = vec![0u64; BIN_EDGES.len() + 1];
    for &v in values.iter() {
        histogram[BIN_EDGES.partition_point(|&e| e * MICROS_PER_SEC <= v)] += 1;
    }
    Some((
        median,
        TimeToConvert {
            p25: secs(value(rank(25))),
            p50: secs(value(rank(50))),
            p75: secs(value(rank(75))),
            p90: secs(value(rank(90))),
            histogram,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = MICROS_PER_SEC;

    fn of(v: &[i64]) -> Option<(f64, TimeToConvert)> {
        summarise(&mut v.iter().map(|x| x * S).collect::<Vec<_>>())
    }

    #[test]
    fn medians() {
        assert_eq!(of(&[]), None);
        assert_eq!(of(&[3]).unwrap().0, 3.0);
        assert_eq!(of(&[4, 1, 3, 2]).unwrap().0, 2.5);
        assert_eq!(of(&[9, 1, 5]).unwrap().0, 5.0);
    }

    #[test]
    fn nearest_rank_percentiles() {
        // n = 4: ranks ⌈1⌉ = 1, ⌈2⌉ = 2, ⌈3⌉ = 3, ⌈3.6⌉ = 4.
        let (median, t) = of(&[40, 10, 30, 20]).unwrap();
        assert_eq!((t.p25, t.p50, t.p75, t.p90), (10.0, 20.0, 30.0, 40.0));
        // p50 is a value of the data; the median of an even count is not.
        assert_eq!(median, 25.0);
        // n = 1: every percentile is the one value.
        let t = of(&[7]).unwrap().1;
        assert_eq!((t.p25, t.p50, t.p75, t.p90), (7.0, 7.0, 7.0, 7.0));
        // n = 10: ranks 3, 5, 8, 9.
        let t = of(&[10, 9, 8, 7, 6, 5, 4, 3, 2, 1]).unwrap().1;
        assert_eq!((t.p25, t.p50, t.p75, t.p90), (3.0, 5.0, 8.0, 9.0));
        // Ties.
        let t = of(&[5, 5, 5, 1]).unwrap().1;
        assert_eq!((t.p25, t.p50, t.p75, t.p90), (1.0, 5.0, 5.0, 5.0));
    }

    #[test]
    fn histogram_bins_are_closed_below_and_open_above() {
        let t = of(&[
            0, 59, 60, 599, 600, 3_599, 3_600, 86_400, 2_591_999, 2_592_000, 99_999_999,
        ])
        .unwrap()
        .1;
        assert_eq!(t.histogram, vec![2, 2, 2, 1, 0, 1, 0, 1, 2]);
        // Sub-second durations stay in the first bin; 59.999999 s too.
        let mut v = vec![1, 59 * S + 999_999, 60 * S];
        assert_eq!(summarise(&mut v).unwrap().1.histogram[..2], [2, 1]);
    }
}
