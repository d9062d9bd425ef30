//! Timestamps of event exports, parsed to microseconds since the Unix epoch (UTC).
//!
//! This runs once per row of files with millions of rows, so the RFC 3339 variants are
//! parsed by hand from bytes (no allocation, no general-purpose parser) with a one-entry
//! cache of the date part; the tests compare it with `jiff` on many instants. Fractions of
//! a microsecond are rounded like every other decimal ([`super::number`]). strftime
//! patterns are jiff's `strtime`, with a one-entry cache of the last field (exports with
//! minute or second resolution repeat times). Times without an offset are wall-clock
//! times of the data's zone ([`Zone`]).

use super::number::{parse_scaled, scaled_fraction};
use crate::calendar::{digits, in_range, parse_ymd, MICROS_PER_DAY, MICROS_PER_SEC};
use crate::spec::TimeFormat;
use crate::zone::Zone;

/// Reads the time fields of one file: its format, its zone, and the caches of the row loop.
pub struct TimeReader<'a> {
    format: &'a TimeFormat,
    zone: &'a Zone,
    dates: DateCache,
    /// The last field read with a pattern, and its instant.
    last: Option<(Vec<u8>, Option<i64>)>,
}

impl<'a> TimeReader<'a> {
    pub fn new(format: &'a TimeFormat, zone: &'a Zone) -> TimeReader<'a> {
        TimeReader {
            format,
            zone,
            dates: DateCache::default(),
            last: None,
        }
    }

    /// A time read as a number: an instant, or a wall-clock time of the zone.
    #[inline]
    pub fn typed(&self, (us, instant): (i64, bool)) -> Option<i64> {
        if instant {
            in_range(us)
        } else {
            self.zone.from_local(in_range(us)?)
        }
    }

    /// One time field as an instant; `None` when it does not match the format.
    #[inline]
    pub fn parse(&mut self, field: &[u8]) -> Option<i64> {
        match self.format {
            TimeFormat::Rfc3339 => match parse_rfc3339_cached(field, &mut self.dates)? {
                (us, true) => Some(us),
                (local, false) => self.zone.from_local(local),
            },
            TimeFormat::UnixS => parse_unix(field, 6),
            TimeFormat::UnixMs => parse_unix(field, 3),
            TimeFormat::UnixUs => parse_unix(field, 0),
            TimeFormat::Pattern(p) => {
                if let Some((f, t)) = &self.last {
                    if f.as_slice() == field {
                        return *t;
                    }
                }
                let t = parse_pattern(p, field.trim_ascii(), self.zone);
                let last = self.last.get_or_insert_with(|| (Vec::new(), None));
                last.0.clear();
                last.0.extend_from_slice(field);
                last.1 = t;
                t
            }
        }
    }
}

fn parse_pattern(pattern: &str, field: &[u8], zone: &Zone) -> Option<i64> {
    let tm = jiff::fmt::strtime::parse(pattern, field).ok()?;
    if tm.offset().is_some() {
        return in_range(tm.to_timestamp().ok()?.as_microsecond());
    }
    let dt = match tm.to_datetime() {
        Ok(dt) => dt,
        Err(_) => tm.to_date().ok()?.to_datetime(jiff::civil::Time::midnight()),
    };
    let local = jiff::tz::TimeZone::UTC.to_timestamp(dt).ok()?.as_microsecond();
    zone.from_local(in_range(local)?)
}

/// Parses one time field, in UTC; `None` when it does not match the format.
#[cfg(test)]
pub fn parse(field: &[u8], format: TimeFormat) -> Option<i64> {
    TimeReader::new(&format, &Zone::utc()).parse(field)
}

/// What a time field of this format looks like, for error messages.
pub fn expected(format: &TimeFormat) -> String {
    let named = match format {
        TimeFormat::Rfc3339 => "an RFC 3339 time such as 2026-01-05T10:00:00Z or 2026-01-05",
        TimeFormat::UnixS => "Unix seconds such as 1767607200",
        TimeFormat::UnixMs => "Unix milliseconds such as 1767607200000",
        TimeFormat::UnixUs => "Unix microseconds such as 1767607200000000",
        TimeFormat::Pattern(p) => return format!("a time written as \"{p}\""),
    };
    named.to_string()
}

/// Patterns tried on a time that does not match the declared format, to suggest one.
const COMMON_PATTERNS: &[&str] = &[
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y%m%d",
    "%Y%m%d%H%M%S",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y",
];

/// A hint when a time looks like another format than the declared one: the formats that
/// read it (two when day and month could be either way round), to set in `table`
/// (`[data.events]`, `[[data.feedback]]`).
pub fn format_hint(value: &str, declared: &TimeFormat, table: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let utc = Zone::utc();
    let reads = |f: &TimeFormat| f != declared && TimeReader::new(f, &utc).parse(v.as_bytes()).is_some();
    let unix = if v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        match v.split('.').next().unwrap_or("").len() {
            9..=11 => Some(TimeFormat::UnixS),
            12..=14 => Some(TimeFormat::UnixMs),
            15..=17 => Some(TimeFormat::UnixUs),
            _ => None,
        }
    } else {
        None
    };
    let mut found: Vec<TimeFormat> = Vec::new();
    if let Some(u) = unix.filter(|u| reads(u)) {
        found.push(u);
    } else if reads(&TimeFormat::Rfc3339) {
        found.push(TimeFormat::Rfc3339);
    } else {
        found.extend(
            COMMON_PATTERNS
                .iter()
                .map(|p| TimeFormat::Pattern(p.to_string()))
                .filter(|f| reads(f))
                .take(2),
        );
    }
    let set = |f: &TimeFormat| format!("`time_format = \"{}\"`", f.name());
    match found.as_slice() {
        [] => None,
        [f] => Some(format!("set {} in {table}: this time reads with it", set(f))),
        [a, b, ..] => Some(format!(
            "set {} or {} in {table} (day and month the other way round): a date after the 12th tells which",
            set(a),
            set(b)
        )),
    }
}

/// A Unix time in seconds (`scale` 6), milliseconds (3) or microseconds (0), in microseconds.
fn parse_unix(field: &[u8], scale: u32) -> Option<i64> {
    in_range(parse_scaled(field.trim_ascii(), scale)?)
}

/// `YYYY-MM-DD`, `YYYY-MM-DD[T ]HH:MM:SS[.f…][Z|±HH:MM|±HHMM|±HH]`, in UTC.
#[cfg(test)]
pub fn parse_rfc3339(field: &[u8]) -> Option<i64> {
    parse_rfc3339_cached(field, &mut DateCache::default()).map(|(us, _)| us)
}

/// The last date seen and its day number: rows of an export mostly share their date with
/// the previous row, and validating and converting a date is half the work of a timestamp.
#[derive(Default)]
pub struct DateCache {
    date: [u8; 10],
    days: i64,
    valid: bool,
}

/// [`parse_rfc3339`] with a cache of the last date part; the bool tells whether the time
/// has an offset (or `Z`): without one it is a wall-clock time, read as UTC here.
#[inline]
fn parse_rfc3339_cached(field: &[u8], cache: &mut DateCache) -> Option<(i64, bool)> {
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
        return Some((date_us, false));
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
        None => Some((us, false)),
        Some(b'Z' | b'z') if i + 1 == s.len() => Some((us, true)),
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
            in_range(if sign == b'+' { us - offset } else { us + offset }).map(|us| (us, true))
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
        assert_eq!(us("0000-01-01T00:00:00Z"), Some(crate::calendar::FIRST));
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
            assert_eq!(
                parse_rfc3339_cached(s.as_bytes(), &mut cache).map(|(us, _)| us),
                us(s),
                "{s}"
            );
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
    fn format_hints() {
        let hint = |v: &str| format_hint(v, &TimeFormat::Rfc3339, "[data.events]").unwrap_or_default();
        assert!(hint("1767607200").contains("\"unix_s\""));
        assert!(hint("1767607200123").contains("\"unix_ms\""));
        assert!(hint("20260105").contains("\"%Y%m%d\""), "{}", hint("20260105"));
        let both = hint("12/1/2010 8:26");
        assert!(
            both.contains("\"%d/%m/%Y %H:%M\"") && both.contains("\"%m/%d/%Y %H:%M\""),
            "{both}"
        );
        assert!(hint("25/12/2026").contains("\"%d/%m/%Y\""));
        assert!(!hint("25/12/2026").contains("%m/%d"));
        assert_eq!(format_hint("2026-01-05", &TimeFormat::Rfc3339, "[data.events]"), None);
        assert!(format_hint("2026-01-05", &TimeFormat::UnixS, "[data.events]")
            .unwrap()
            .contains("rfc3339"));
        assert_eq!(format_hint("yesterday", &TimeFormat::Rfc3339, "[data.events]"), None);
    }

    #[test]
    fn patterns_and_zones() {
        let f = |p: &str| TimeFormat::Pattern(p.to_string());
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_microsecond();
        assert_eq!(parse(b"20260105", f("%Y%m%d")), Some(at("2026-01-05T00:00:00Z")));
        assert_eq!(
            parse(b"12/1/2010 8:26", f("%m/%d/%Y %H:%M")),
            Some(at("2010-12-01T08:26:00Z"))
        );
        assert_eq!(
            parse(b"05/01/2026 10:00", f("%d/%m/%Y %H:%M")),
            Some(at("2026-01-05T10:00:00Z"))
        );
        assert_eq!(
            parse(b"2026-01-05 10:00:00.123456", f("%Y-%m-%d %H:%M:%S%.f")),
            Some(at("2026-01-05T10:00:00.123456Z"))
        );
        assert_eq!(
            parse(b"2026-01-05 10:00 +0100", f("%Y-%m-%d %H:%M %z")),
            Some(at("2026-01-05T09:00:00Z"))
        );
        assert_eq!(parse(b"2026-13-05", f("%Y-%m-%d")), None);
        let paris = Zone::named("Europe/Paris").unwrap();
        let pattern = f("%d/%m/%Y %H:%M");
        let mut r = TimeReader::new(&pattern, &paris);
        assert_eq!(r.parse(b"05/01/2026 10:00"), Some(at("2026-01-05T09:00:00Z")));
        // The cache of the last field gives the same answer.
        assert_eq!(r.parse(b"05/01/2026 10:00"), Some(at("2026-01-05T09:00:00Z")));
        let mut r = TimeReader::new(&TimeFormat::Rfc3339, &paris);
        assert_eq!(r.parse(b"2026-07-05 10:00:00"), Some(at("2026-07-05T08:00:00Z")));
        assert_eq!(r.parse(b"2026-07-05"), Some(at("2026-07-04T22:00:00Z")));
        // An offset or a Unix time is an instant: the zone does not move it.
        assert_eq!(r.parse(b"2026-07-05T10:00:00Z"), Some(at("2026-07-05T10:00:00Z")));
        let unix = TimeFormat::UnixS;
        assert_eq!(
            TimeReader::new(&unix, &paris).parse(b"1767607200"),
            Some(at("2026-01-05T10:00:00Z"))
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
        }
    }
}
