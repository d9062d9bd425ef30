//! Activity over time per touchpoint (docs/kpis.md): for each calendar period from the
//! first mapped event to the last, the distinct users with an event of the touchpoint and
//! its event rows. Counted in the funnel's pass over each user's rows (`funnel::pass_over`),
//! so it costs no walk of its own.
//!
//! The period is chosen from the data's span so that a chart of it stays readable: days
//! up to [`MAX_DAYS`] days, weeks (from Monday) up to [`MAX_WEEKS_DAYS`] days, months
//! beyond. All in UTC, like retention's periods.

use crate::calendar::{format_date, period_index, period_start_day, Period, MICROS_PER_DAY};
use crate::data::events::EventData;
use crate::zone::Zone;

/// Spans of up to this many calendar days are counted per day.
pub const MAX_DAYS: i64 = 60;
/// Spans of up to this many days (two years) per week; longer ones per month.
pub const MAX_WEEKS_DAYS: i64 = 731;
/// Touchpoints × periods beyond which no series is kept: a bad time far from the others
/// (a year 1970 from a zero) would otherwise ask for a huge table and an unreadable chart.
const MAX_CELLS: usize = 1 << 22;
const MAX_PERIODS: usize = 1200;

/// The activity series of a journey's touchpoints. Not in kpis.json (its keys are a fixed
/// contract): the touchpoint pages chart it.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub period: Period,
    /// The first day (`YYYY-MM-DD`) of each period, consecutive.
    pub starts: Vec<String>,
    /// `users[tp][i]`, `events[tp][i]`: touchpoints in journey order, periods as `starts`.
    pub users: Vec<Vec<u64>>,
    pub events: Vec<Vec<u64>>,
}

/// The periods of a journey's data, as a table from the day of an instant to its period.
pub struct Buckets {
    period: Period,
    /// The period index of the first period.
    first: i64,
    len: usize,
    /// The first day of the data, as an instant (µs).
    origin: i64,
    /// The period (from 0) of each day from `origin` to the data's last day: a row's period
    /// is then a division by a constant and a look-up, with no branch (the pass runs over
    /// millions of rows).
    day_period: Vec<u16>,
    /// Days and periods are the data's zone's.
    zone: Zone,
}

/// One (period, touchpoint) cell of a pass: `last` is the last user counted in it (users
/// are walked in order, each once, so this counts distinct users without a set).
#[derive(Clone, Copy)]
pub struct Cell {
    pub last: u32,
    pub users: u32,
    pub rows: u32,
}

impl Buckets {
    /// The periods from the first mapped row to the last; `None` without rows, or when the
    /// table would be too large (see [`MAX_CELLS`]).
    pub fn of(data: &EventData, touchpoints: usize) -> Option<Buckets> {
        let (mut lo, mut hi) = (i64::MAX, i64::MIN);
        let zone = &data.zone;
        for u in 0..data.users() {
            let r = data.user_events(u);
            if r.is_empty() {
                continue;
            }
            if zone.is_utc() {
                // Each user's rows are sorted by time.
                lo = lo.min(data.time[r.start]);
                hi = hi.max(data.time[r.end - 1]);
            } else {
                // Wall-clock times go back when clocks do: every row counts.
                for &t in &data.time[r] {
                    let local = zone.local(t);
                    lo = lo.min(local);
                    hi = hi.max(local);
                }
            }
        }
        if lo > hi {
            return None;
        }
        let (first_day, last_day) = (lo.div_euclid(MICROS_PER_DAY), hi.div_euclid(MICROS_PER_DAY));
        let days = last_day - first_day + 1;
        let period = if days <= MAX_DAYS {
            Period::Day
        } else if days <= MAX_WEEKS_DAYS {
            Period::Week
        } else {
            Period::Month
        };
        let (first, last) = (period_index(lo, period), period_index(hi, period));
        let len = (last - first + 1) as usize;
        if len > MAX_PERIODS || len * touchpoints.max(1) > MAX_CELLS {
            return None;
        }
        let day_period = (first_day..=last_day)
            .map(|d| (period_index(d * MICROS_PER_DAY, period) - first) as u16)
            .collect();
        Some(Buckets {
            period,
            first,
            len,
            origin: first_day * MICROS_PER_DAY,
            day_period,
            zone: data.zone.clone(),
        })
    }

    /// Empty cells for a pass: `cells[period * touchpoints + tp]`.
    pub fn cells(&self, touchpoints: usize) -> Vec<Cell> {
        vec![
            Cell {
                last: u32::MAX,
                users: 0,
                rows: 0,
            };
            self.len * touchpoints
        ]
    }

    /// The cell of a row at instant `t` (within the data's span) of touchpoint `tp`.
    #[inline]
    pub fn cell(&self, t: i64, tp: usize, touchpoints: usize) -> usize {
        let day = (self.zone.local(t) - self.origin) as u64 / MICROS_PER_DAY as u64;
        usize::from(self.day_period[day as usize]) * touchpoints + tp
    }

    /// Adds the counts of another pass over other users.
    pub fn merge(cells: &mut [Cell], other: &[Cell]) {
        for (a, b) in cells.iter_mut().zip(other) {
            a.users += b.users;
            a.rows += b.rows;
        }
    }

    pub fn series(&self, cells: &[Cell], touchpoints: usize) -> Activity {
        let per_tp = |f: fn(&Cell) -> u32| -> Vec<Vec<u64>> {
            (0..touchpoints)
                .map(|tp| {
                    (0..self.len)
                        .map(|b| u64::from(f(&cells[b * touchpoints + tp])))
                        .collect()
                })
                .collect()
        };
        Activity {
            period: self.period,
            starts: (0..self.len as i64)
                .map(|b| format_date(period_start_day(self.first + b, self.period)))
                .collect(),
            users: per_tp(|c| c.users),
            events: per_tp(|c| c.rows),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One user with a row on each of these days (from 2026-01-05, a Monday), at noon.
    fn days(days: &[i64]) -> EventData {
        let base = crate::calendar::days_from_civil(2026, 1, 5);
        EventData {
            offsets: vec![0, days.len() as u32],
            time: days
                .iter()
                .map(|d| (base + d) * MICROS_PER_DAY + MICROS_PER_DAY / 2)
                .collect(),
            touchpoint: vec![0; days.len()],
            touchpoint_rows: vec![days.len() as u64],
            ..EventData::default()
        }
    }

    fn period(last_day: i64) -> Period {
        Buckets::of(&days(&[0, last_day]), 1).unwrap().period
    }

    #[test]
    fn the_period_follows_the_span() {
        assert_eq!(period(MAX_DAYS - 1), Period::Day, "60 calendar days");
        assert_eq!(period(MAX_DAYS), Period::Week);
        assert_eq!(period(MAX_WEEKS_DAYS - 1), Period::Week, "731 calendar days");
        assert_eq!(period(MAX_WEEKS_DAYS), Period::Month);
        assert!(Buckets::of(&EventData::default(), 1).is_none());
    }

    #[test]
    fn users_and_rows_per_week() {
        // Days 0, 1 and 8: two rows in the first week, one in the second; 70 days → weeks.
        let data = days(&[0, 1, 8, 69]);
        let b = Buckets::of(&data, 1).unwrap();
        let mut cells = b.cells(1);
        for &t in &data.time {
            let c = &mut cells[b.cell(t, 0, 1)];
            c.rows += 1;
            if c.last != 0 {
                c.last = 0;
                c.users += 1;
            }
        }
        let a = b.series(&cells, 1);
        assert_eq!(a.period, Period::Week);
        assert_eq!(a.starts[..2], ["2026-01-05", "2026-01-12"]);
        assert_eq!(a.starts.len(), 10);
        assert_eq!(a.events[0][..3], [2, 1, 0]);
        assert_eq!(a.users[0][..3], [1, 1, 0]);
        assert_eq!(a.users[0][9], 1);
    }
}
