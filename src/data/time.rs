//! Timestamps of event exports, parsed to microseconds since the Unix epoch (UTC).
//!
//! This runs once per row of files with millions of rows, so the RFC 3339 variants are
//! parsed by hand from bytes (no allocation, no general-purpose parser) with a one-entry
//! cache of the date part; the tests compare it with `jiff` on many instants. Fractions of
//! a microsecond are rounded like every other decimal ([`super::number`]).

use super::number::{parse_scaled, scaled_fraction};
use crate::calendar::{digits, parse_ymd, MICROS_PER_DAY, MICROS_PER_SEC};
use crate::spec::TimeFormat;

/// Instants are kept within the years 0000–9999 (from 0000-01-01T00:00:00Z to before
/// 10000-01-01T00:00:00Z), so that calendar arithmetic and the difference of any two
/// instants fit in `i64` microseconds.
const FIRST: i64 = -62_167_219_200 * MICROS_PER_SEC;
const END: i64 = 253_402_300_800 * MICROS_PER_SEC;

#[inline]
fn in_range(us: i64) -> Option<i64> {
    (FIRST..END).contains(&us).then_some(us)
}

/// Parses one time field; `None` when it does not match the format.
#[cfg(test)]
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

/// A hint when a time looks like another format than the declared one.
pub fn format_hint(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let digits = v.split('.').next().unwrap_or("").len();
    let format = match digits {
        9..=11 => "unix_s",
        12..=14 => "unix_ms",
        15..=17 => "unix_us",
        _ => return None,
    };
    Some(format!(
        "this looks like a Unix time: set `time_format = \"{format}\"` in [data.events]"
    ))
}

/// A Unix time in seconds (`scale` 6), milliseconds (3) or microseconds (0), in microseconds.
fn parse_unix(field: &[u8], scale: u32) -> Option<i64> {
    in_range(parse_scaled(field.trim_ascii(), scale)?)
}

/// `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM:SS[.f…][Z|±HH:MM|±HHMM|±HH]`.
#[cfg(test)]
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

/// [`parse_rfc3339`] with a cache of the last date part.
#[inline]
pub fn parse_rfc3339_cached(field: &[u8], cache: &mut DateCache) -> Option<i64> {
    let s = field.trim_ascii();
    let date = s.get(..10)?;
    let days = if cache.valid && cache.date == date {
        cache.days
    } else {
        let days = parse_ymd(date)?;
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
        let start = i + 1;
        let end = start + s[start..].iter().take_while(|b| b.is_ascii_digit()).count();
        if end == start {
            return None;
        }
        us += scaled_fraction(&s[start..end], 6);
        i = end;
    }
    // A date's year has four digits, but an offset can still move the instant out of range.
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
            in_range(if sign == b'+' { us - offset } else { us + offset })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::days_from_civil;
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
        assert_eq!(us("2026-01-05T12:00:00+02"), Some(base));
        assert_eq!(us("2026-01-05T10:00:00.5Z"), Some(base + 500_000));
        // Beyond the microsecond, rounded half away from zero like every decimal.
        assert_eq!(us("2026-01-05T10:00:00.123456789Z"), Some(base + 123_457));
        assert_eq!(us("2026-01-05T10:00:00.1234564Z"), Some(base + 123_456));
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
        // Offsets cannot take an instant out of the years 0000–9999.
        assert_eq!(us("0000-01-01T00:00:00Z"), Some(FIRST));
        assert_eq!(us("0000-01-01T00:00:00+00:01"), None);
        assert_eq!(us("9999-12-31T23:59:59-00:01"), None);
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
            parse(b"1767607200123.4567", TimeFormat::UnixMs),
            Some(1_767_607_200_123_457)
        );
        assert_eq!(
            parse(b"1767607200123456", TimeFormat::UnixUs),
            Some(1_767_607_200_123_456)
        );
        assert_eq!(parse(b" -1 ", TimeFormat::UnixS), Some(-1_000_000));
        // Year 9999 is the last one kept; year 10000 is refused, not wrapped.
        assert_eq!(parse(b"253402300799", TimeFormat::UnixS), Some(253_402_300_799_000_000));
        assert_eq!(parse(b"253402300800", TimeFormat::UnixS), None);
        assert_eq!(parse(b"-62167219200", TimeFormat::UnixS), Some(-62_167_219_200_000_000));
        assert_eq!(parse(b"-62167219201", TimeFormat::UnixS), None);
        assert_eq!(parse(b"-100000000000", TimeFormat::UnixS), None);
        for bad in [&b""[..], b"12a", b".", b"99999999999999999999", b"1e9"] {
            assert_eq!(
                parse(bad, TimeFormat::UnixS),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn unix_hint() {
        assert!(format_hint("1767607200").unwrap().contains("unix_s"));
        assert!(format_hint("1767607200123").unwrap().contains("unix_ms"));
        assert_eq!(format_hint("2026-01-05"), None);
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
        }
    }
}
