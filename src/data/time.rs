//! Timestamps of event exports, parsed to microseconds since the Unix epoch (UTC).
//!
//! This runs once per row of files with millions of rows, so the RFC 3339 variants are
//! parsed by hand from bytes (no allocation, no general-purpose parser); the tests compare
//! it with `jiff` on many instants. Calendar arithmetic for retention periods lives here too.

use crate::spec::{Period, TimeFormat};

pub const MICROS_PER_SEC: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SEC;

/// Parses one time field; `None` when it does not match the format.
#[inline]
pub fn parse(field: &[u8], format: TimeFormat) -> Option<i64> {
    parse_cached(field, format, &mut DateCache::default())
}

/// [`parse`] with a cache of the last date (for the row loop).
#[inline]
pub fn parse_cached(field: &[u8], format: TimeFormat, cache: &mut DateCache) -> Option<i64> {
    match format {
        TimeFormat::Rfc3339 => parse_rfc3339_cached(field, cache),
        TimeFormat::UnixS => parse_unix(field, 6),
        TimeFormat::UnixMs => parse_unix(field, 3),
        TimeFormat::UnixUs => parse_unix(field, 0),
    }
}

/// What a time field of this format looks like, for error messages.
pub fn expected(format: TimeFormat) -> &'static str {
    match format {
        TimeFormat::Rfc3339 => "an RFC 3339 time such as 2026-01-05T10:00:00Z or 2026-01-05",
        TimeFormat::UnixS => "Unix seconds such as 1767607200",
        TimeFormat::UnixMs => "Unix milliseconds such as 1767607200000",
        TimeFormat::UnixUs => "Unix microseconds such as 1767607200000000",
    }
}

/// An integer (optionally with a fraction) scaled by 10^`shift` to microseconds.
fn parse_unix(field: &[u8], shift: u32) -> Option<i64> {
    let s = field.trim_ascii();
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int_part, frac_part) = match digits.iter().position(|&b| b == b'.') {
        Some(p) => (&digits[..p], Some(&digits[p + 1..])),
        None => (digits, None),
    };
    if int_part.is_empty() || int_part.len() > 18 || !int_part.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for &b in int_part {
        v = v * 10 + i64::from(b - b'0');
    }
    let mut us = v.checked_mul(10i64.pow(shift))?;
    if let Some(frac) = frac_part {
        if frac.is_empty() || !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let mut scale = 10i64.pow(shift);
        for &b in frac {
            scale /= 10;
            if scale == 0 {
                break;
            }
            us += i64::from(b - b'0') * scale;
        }
    }
    // Keep instants within years 0..=9999 so calendar arithmetic cannot overflow.
    const LIMIT: i64 = 253_402_300_800 * MICROS_PER_SEC;
    let us = if neg { -us } else { us };
    (-LIMIT..LIMIT).contains(&us).then_some(us)
}

#[inline]
fn digits(s: &[u8], at: usize, n: usize) -> Option<i64> {
    let mut v = 0i64;
    for &b in s.get(at..at + n)? {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(b - b'0');
    }
    Some(v)
}

/// `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM:SS[.f…][Z|±HH:MM|±HHMM]`.
pub fn parse_rfc3339(field: &[u8]) -> Option<i64> {
    parse_rfc3339_cached(field, &mut DateCache::default())
}

/// The last date seen and its day number: rows of an export mostly share their date with
/// the previous row, and validating and converting a date is half the work of a timestamp.
#[derive(Default)]
pub struct DateCache {
    date: [u8; 10],
    days: i64,
    valid: bool,
}

fn parse_date_part(s: &[u8]) -> Option<i64> {
    let year = digits(s, 0, 4)?;
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(s, 5, 2)?;
    let day = digits(s, 8, 2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// [`parse_rfc3339`] with a cache of the last date part.
#[inline]
pub fn parse_rfc3339_cached(field: &[u8], cache: &mut DateCache) -> Option<i64> {
    let s = field.trim_ascii();
    let date = s.get(..10)?;
    let days = if cache.valid && cache.date == date {
        cache.days
    } else {
        let days = parse_date_part(date)?;
        cache.date.copy_from_slice(date);
        cache.days = days;
        cache.valid = true;
        days
    };
    let date_us = days * MICROS_PER_DAY;
    if s.len() == 10 {
        return Some(date_us);
    }
    if !matches!(s[10], b'T' | b't' | b' ') || s.get(13) != Some(&b':') || s.get(16) != Some(&b':') {
        return None;
    }
    let (h, m, sec) = (digits(s, 11, 2)?, digits(s, 14, 2)?, digits(s, 17, 2)?);
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut us = date_us + (h * 3600 + m * 60 + sec) * MICROS_PER_SEC;
    let mut i = 19;
    if s.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        let mut scale = 100_000;
        while let Some(&b) = s.get(i) {
            if !b.is_ascii_digit() {
                break;
            }
            us += i64::from(b - b'0') * scale;
            scale /= 10;
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    match s.get(i) {
        None => Some(us),
        Some(b'Z' | b'z') if i + 1 == s.len() => Some(us),
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(s, i + 1, 2)?;
            let om = match s.len() - i {
                6 if s[i + 3] == b':' => digits(s, i + 4, 2)?,
                5 => digits(s, i + 3, 2)?,
                3 => 0,
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let offset = (oh * 3600 + om * 60) * MICROS_PER_SEC;
            Some(if sign == b'+' { us - offset } else { us + offset })
        }
        _ => None,
    }
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
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

/// The first day of a period index, as `YYYY-MM-DD`.
pub fn period_start(index: i64, period: Period) -> String {
    let days = match period {
        Period::Day => index,
        Period::Week => index * 7 - 3,
        Period::Month => days_from_civil(index.div_euclid(12), index.rem_euclid(12) + 1, 1),
    };
    format_date(days)
}

pub fn format_date(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Parses `YYYY-MM-DD` to a day number.
pub fn parse_date(s: &[u8]) -> Option<i64> {
    let s = s.trim_ascii();
    if s.len() != 10 {
        return None;
    }
    parse_rfc3339(s).map(|us| us.div_euclid(MICROS_PER_DAY))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn us(s: &str) -> Option<i64> {
        parse_rfc3339(s.as_bytes())
    }

    #[test]
    fn rfc3339_variants() {
        let base = 1_767_607_200 * MICROS_PER_SEC; // 2026-01-05T10:00:00Z
        assert_eq!(us("2026-01-05T10:00:00Z"), Some(base));
        assert_eq!(us("2026-01-05t10:00:00z"), Some(base));
        assert_eq!(us("2026-01-05 10:00:00"), Some(base));
        assert_eq!(us("2026-01-05T10:00:00"), Some(base));
        assert_eq!(us("2026-01-05T12:00:00+02:00"), Some(base));
        assert_eq!(us("2026-01-05T05:30:00-04:30"), Some(base));
        assert_eq!(us("2026-01-05T12:00:00+0200"), Some(base));
        assert_eq!(us("2026-01-05T10:00:00.5Z"), Some(base + 500_000));
        assert_eq!(us("2026-01-05T10:00:00.123456789Z"), Some(base + 123_456));
        assert_eq!(us(" 2026-01-05T10:00:00Z "), Some(base));
        assert_eq!(us("2026-01-05"), Some(base - 10 * 3600 * MICROS_PER_SEC));
        for bad in [
            "",
            "2026-1-05",
            "2026-13-01",
            "2026-02-29",
            "2026-01-05T25:00:00Z",
            "2026-01-05T10:00Z",
            "2026-01-05T10:00:00.Z",
            "2026-01-05T10:00:00+2",
            "2026-01-05T10:00:00ZZ",
            "yesterday",
            "2026/01/05",
        ] {
            assert_eq!(us(bad), None, "{bad:?} must not parse");
        }
        assert_eq!(us("2024-02-29"), Some(days_from_civil(2024, 2, 29) * MICROS_PER_DAY));
    }

    #[test]
    fn the_date_cache_never_changes_results() {
        let mut cache = DateCache::default();
        for s in [
            "2026-01-05T10:00:00Z",
            "2026-01-05T11:00:00Z",
            "2026-02-30T10:00:00Z",
            "2026-01-05",
            "2026-01-05x",
        ] {
            assert_eq!(parse_rfc3339_cached(s.as_bytes(), &mut cache), us(s), "{s}");
        }
    }

    #[test]
    fn unix_variants() {
        assert_eq!(parse(b"1767607200", TimeFormat::UnixS), Some(1_767_607_200_000_000));
        assert_eq!(parse(b"1767607200.25", TimeFormat::UnixS), Some(1_767_607_200_250_000));
        assert_eq!(parse(b"1767607200123", TimeFormat::UnixMs), Some(1_767_607_200_123_000));
        assert_eq!(
            parse(b"1767607200123456", TimeFormat::UnixUs),
            Some(1_767_607_200_123_456)
        );
        assert_eq!(parse(b"-1", TimeFormat::UnixS), Some(-1_000_000));
        for bad in [&b""[..], b"12a", b"1.", b".5", b"99999999999999999999", b"1e9"] {
            assert_eq!(
                parse(bad, TimeFormat::UnixS),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn periods_start_on_monday_and_month_boundaries() {
        let t = |s: &str| us(s).unwrap();
        // 2026-01-04 is a Sunday, 2026-01-05 a Monday.
        assert_ne!(
            period_index(t("2026-01-04T23:59:59Z"), Period::Week),
            period_index(t("2026-01-05"), Period::Week)
        );
        assert_eq!(
            period_index(t("2026-01-05"), Period::Week),
            period_index(t("2026-01-11T23:59:59Z"), Period::Week)
        );
        assert_eq!(
            period_start(period_index(t("2026-01-08T10:00:00Z"), Period::Week), Period::Week),
            "2026-01-05"
        );
        // ISO week 1 of 2021 starts on Monday 2021-01-04; 2021-01-03 belongs to 2020-W53.
        assert_eq!(
            period_start(period_index(t("2021-01-03"), Period::Week), Period::Week),
            "2020-12-28"
        );
        assert_eq!(
            period_start(period_index(t("2026-01-31T23:59:59Z"), Period::Month), Period::Month),
            "2026-01-01"
        );
        assert_eq!(
            period_index(t("2026-02-01"), Period::Month) - period_index(t("2026-01-31"), Period::Month),
            1
        );
        assert_eq!(
            period_index(t("2027-01-01"), Period::Month) - period_index(t("2026-12-31"), Period::Month),
            1
        );
        // An offset moves an instant across a day boundary in UTC.
        assert_eq!(
            period_start(period_index(t("2026-02-01T01:00:00+02:00"), Period::Day), Period::Day),
            "2026-01-31"
        );
    }

    proptest! {
        #[test]
        fn matches_jiff(secs in -62_135_596_800i64..253_402_300_799, micros in 0i64..1_000_000, off_min in -1439i64..1440) {
            let ts = jiff::Timestamp::from_microsecond(secs * MICROS_PER_SEC + micros).unwrap();
            let offset = jiff::tz::Offset::from_seconds((off_min * 60) as i32).unwrap();
            let dt = offset.to_datetime(ts);
            let sign = if off_min < 0 { '-' } else { '+' };
            let text = format!("{}{sign}{:02}:{:02}", dt.strftime("%Y-%m-%dT%H:%M:%S%.6f"), off_min.abs() / 60, off_min.abs() % 60);
            prop_assert_eq!(parse_rfc3339(text.as_bytes()), Some(ts.as_microsecond()), "{}", text);
            let days = (secs * MICROS_PER_SEC + micros).div_euclid(MICROS_PER_DAY);
            let date = jiff::civil::Date::constant(1970, 1, 1).checked_add(jiff::Span::new().days(days)).unwrap();
            prop_assert_eq!(format_date(days), date.to_string());
        }
    }
}
