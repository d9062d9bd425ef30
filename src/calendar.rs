//! Calendar arithmetic shared by the readers (dates in exports) and the KPIs (retention
//! cohorts, metric series): day numbers, calendar periods and `YYYY-MM-DD` dates.
//!
//! Instants are microseconds since the Unix epoch (UTC) and dates are day numbers (days
//! since 1970-01-01, proleptic Gregorian). The conversions are closed-form (Howard
//! Hinnant's algorithms) because they run once per row of large exports; the tests compare
//! them with `jiff`.

/// Microseconds in a second: instants are kept to the microsecond.
pub const MICROS_PER_SEC: i64 = 1_000_000;
pub const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SEC;

/// Instants are kept within the years 0000–9999 (from 0000-01-01T00:00:00Z to before
/// 10000-01-01T00:00:00Z), so that calendar arithmetic and the difference of any two
/// instants fit in `i64` microseconds.
pub const FIRST: i64 = -62_167_219_200 * MICROS_PER_SEC;
const END: i64 = 253_402_300_800 * MICROS_PER_SEC;

/// The instant when it is within the years kept.
#[inline]
pub fn in_range(us: i64) -> Option<i64> {
    (FIRST..END).contains(&us).then_some(us)
}

/// A calendar period: retention cohorts are cut in these (weeks start on Monday).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Period {
    Day,
    Week,
    Month,
}

impl Period {
    pub const ALL: [Period; 3] = [Period::Day, Period::Week, Period::Month];

    /// The period's name in specs and in `kpis.json`.
    pub fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }
}

pub fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number: (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The `n` ASCII digits at `at`, as a number; `None` if any is not a digit.
#[inline]
pub fn digits(s: &[u8], at: usize, n: usize) -> Option<i64> {
    let mut v = 0i64;
    for &b in s.get(at..at + n)? {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(b - b'0');
    }
    Some(v)
}

/// `YYYY-MM-DD` (exactly these ten bytes) to a day number; `None` for anything else,
/// including dates that do not exist (2026-02-30).
#[inline]
pub fn parse_ymd(s: &[u8]) -> Option<i64> {
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(s, 0, 4)?, digits(s, 5, 2)?, digits(s, 8, 2)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// A date column value: `YYYY-MM-DD`, surrounding spaces allowed.
pub fn parse_date(s: &[u8]) -> Option<i64> {
    parse_ymd(s.trim_ascii())
}

pub fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The calendar period (UTC) holding an instant, as a consecutive integer: days since the
/// epoch, Monday-based weeks since the epoch, or months since year 0.
pub fn period_index(us: i64, period: Period) -> i64 {
    let days = us.div_euclid(MICROS_PER_DAY);
    match period {
        Period::Day => days,
        // 1970-01-01 was a Thursday: shifting by 3 days makes weeks start on Monday.
        Period::Week => (days + 3).div_euclid(7),
        Period::Month => {
            let (y, m, _) = civil_from_days(days);
            y * 12 + (m - 1)
        }
    }
}

/// The first day of a period index, as a day number.
pub fn period_start_day(index: i64, period: Period) -> i64 {
    match period {
        Period::Day => index,
        Period::Week => index * 7 - 3,
        Period::Month => days_from_civil(index.div_euclid(12), index.rem_euclid(12) + 1, 1),
    }
}

/// The first day of a period index, as `YYYY-MM-DD`.
pub fn period_start(index: i64, period: Period) -> String {
    format_date(period_start_day(index, period))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> i64 {
        parse_date(s.as_bytes()).unwrap()
    }

    #[test]
    fn dates() {
        assert_eq!(day("1970-01-01"), 0);
        assert_eq!(day(" 2024-02-29 "), days_from_civil(2024, 2, 29));
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-05",
            "2026/01/05",
            "2026-01-05T00",
            "",
        ] {
            assert_eq!(parse_date(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn periods_start_on_monday_and_month_boundaries() {
        let us = |s: &str| day(s) * MICROS_PER_DAY;
        // 2026-01-04 is a Sunday, 2026-01-05 a Monday.
        assert_ne!(
            period_index(us("2026-01-05") - 1, Period::Week),
            period_index(us("2026-01-05"), Period::Week)
        );
        assert_eq!(
            period_index(us("2026-01-05"), Period::Week),
            period_index(us("2026-01-12") - 1, Period::Week)
        );
        assert_eq!(
            period_start(period_index(us("2026-01-08"), Period::Week), Period::Week),
            "2026-01-05"
        );
        // ISO week 1 of 2021 starts on Monday 2021-01-04; 2021-01-03 belongs to 2020-W53.
        assert_eq!(
            period_start(period_index(us("2021-01-03"), Period::Week), Period::Week),
            "2020-12-28"
        );
        assert_eq!(
            period_start(period_index(us("2026-02-01") - 1, Period::Month), Period::Month),
            "2026-01-01"
        );
        assert_eq!(
            period_index(us("2027-01-01"), Period::Month) - period_index(us("2026-12-31"), Period::Month),
            1
        );
        assert_eq!(
            period_start(period_index(us("1969-12-31"), Period::Day), Period::Day),
            "1969-12-31"
        );
    }

    proptest! {
        #[test]
        fn matches_jiff(days in -719_528i64..2_932_896) {
            let date = jiff::civil::Date::constant(1970, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap();
            prop_assert_eq!(format_date(days), date.to_string());
            prop_assert_eq!(parse_date(date.to_string().as_bytes()), Some(days));
            let monday = date.checked_sub(jiff::Span::new().days(date.weekday().to_monday_zero_offset() as i64)).unwrap();
            prop_assert_eq!(period_start(period_index(days * MICROS_PER_DAY, Period::Week), Period::Week), monday.to_string());
            prop_assert_eq!(period_start(period_index(days * MICROS_PER_DAY, Period::Month), Period::Month), date.first_of_month().to_string());
        }
    }
}
