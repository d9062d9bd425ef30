//! The time zone of a journey's data (`timezone = "Europe/Paris"`): times written without an
//! offset are read in it, and calendar periods (days, weeks, months) are cut in it.
//!
//! Zones come from jiff's bundled copy of the IANA database, so a machine without one (or
//! with another version of it) gives the same results. Converting every row through jiff
//! would cost more than the rest of the read, so the zone's offsets from 1900 to 2100 are
//! kept as a table searched by bisection; times near a transition (a gap or an overlap)
//! and times outside the table are converted by jiff itself, whose rules decide them.

use jiff::tz::TimeZone;

use crate::calendar::MICROS_PER_SEC;

const DAY: i64 = 86_400 * MICROS_PER_SEC;
/// The table's span, in microseconds since the epoch (1900-01-01, 2100-01-01).
const TABLE_FROM: i64 = -2_208_988_800 * MICROS_PER_SEC;
const TABLE_TO: i64 = 4_102_444_800 * MICROS_PER_SEC;

#[derive(Clone, Debug)]
pub struct Zone {
    tz: TimeZone,
    /// (first instant, offset in µs) of each stretch of constant offset, in order; the
    /// first starts at `TABLE_FROM`. Empty for UTC.
    table: Vec<(i64, i64)>,
}

impl Default for Zone {
    fn default() -> Zone {
        Zone::utc()
    }
}

impl Zone {
    pub fn utc() -> Zone {
        Zone {
            tz: TimeZone::UTC,
            table: Vec::new(),
        }
    }

    /// The zone of an IANA name; `None` when the bundled database does not know it.
    pub fn named(name: &str) -> Option<Zone> {
        if name == "UTC" {
            return Some(Zone::utc());
        }
        let tz = TimeZone::get(name).ok()?;
        let ts = |us: i64| jiff::Timestamp::from_microsecond(us).expect("within jiff's range");
        let offset_us = |o: jiff::tz::Offset| i64::from(o.seconds()) * MICROS_PER_SEC;
        let mut table = vec![(TABLE_FROM, offset_us(tz.to_offset(ts(TABLE_FROM))))];
        for t in tz.following(ts(TABLE_FROM)) {
            let at = t.timestamp().as_microsecond();
            if at >= TABLE_TO {
                break;
            }
            let off = offset_us(t.offset());
            if table.last().is_some_and(|&(_, o)| o != off) {
                table.push((at, off));
            }
        }
        Some(Zone { tz, table })
    }

    pub fn is_utc(&self) -> bool {
        self.table.is_empty()
    }

    /// The stretch holding an instant inside the table.
    #[inline]
    fn stretch(&self, us: i64) -> usize {
        self.table.partition_point(|&(at, _)| at <= us) - 1
    }

    #[inline]
    fn in_table(us: i64) -> bool {
        (TABLE_FROM + 2 * DAY..TABLE_TO - 2 * DAY).contains(&us)
    }

    /// An instant's wall-clock time in the zone, as microseconds since 1970-01-01T00:00
    /// of that wall clock: calendar periods of this number are the zone's.
    #[inline]
    pub fn local(&self, us: i64) -> i64 {
        if self.table.is_empty() {
            return us;
        }
        if Self::in_table(us) {
            return us + self.table[self.stretch(us)].1;
        }
        let ts = jiff::Timestamp::from_microsecond(us).expect("instants are kept within years 0000-9999");
        us + i64::from(self.tz.to_offset(ts).seconds()) * MICROS_PER_SEC
    }

    /// The instant of a wall-clock time in the zone. A time that a transition skips (a gap)
    /// or repeats (an overlap) is read as jiff's "compatible" rule says, like most tools:
    /// in a gap, with the offset before it; in an overlap, the earlier instant. `None` when
    /// the instant is outside the years 0000–9999.
    #[inline]
    pub fn from_local(&self, local: i64) -> Option<i64> {
        if self.table.is_empty() {
            return Some(local);
        }
        // No transition within two days either side: the offset is the same for every
        // candidate instant (offsets are under 26 hours).
        if Self::in_table(local) {
            let i = self.stretch(local - 2 * DAY);
            if i == self.stretch(local + 2 * DAY) {
                return Some(local - self.table[i].1);
            }
        }
        let civil = jiff::Timestamp::from_microsecond(local)
            .ok()?
            .to_zoned(TimeZone::UTC)
            .datetime();
        let ts = self.tz.to_ambiguous_timestamp(civil).compatible().ok()?;
        crate::calendar::in_range(ts.as_microsecond())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paris_around_its_transitions() {
        let z = Zone::named("Europe/Paris").unwrap();
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_microsecond();
        let wall = |s: &str| at(&format!("{s}Z"));
        // Winter +01:00, summer +02:00.
        assert_eq!(z.local(at("2026-01-05T00:30:00Z")), wall("2026-01-05T01:30:00"));
        assert_eq!(z.local(at("2026-07-05T00:30:00Z")), wall("2026-07-05T02:30:00"));
        // Sunday 23:30 UTC in winter is Monday in Paris.
        assert_eq!(
            z.from_local(wall("2026-01-05T00:30:00")),
            Some(at("2026-01-04T23:30:00Z"))
        );
        // 2026-03-29 02:30 does not exist in Paris: read with the offset before the gap.
        assert_eq!(
            z.from_local(wall("2026-03-29T02:30:00")),
            Some(at("2026-03-29T01:30:00Z"))
        );
        // 2026-10-25 02:30 happens twice: the earlier instant.
        assert_eq!(
            z.from_local(wall("2026-10-25T02:30:00")),
            Some(at("2026-10-25T00:30:00Z"))
        );
        assert!(Zone::named("Mars/Olympus").is_none());
        assert!(Zone::named("UTC").unwrap().is_utc());
    }

    proptest! {
        /// The table gives what jiff gives, for any instant of any of these zones.
        #[test]
        fn matches_jiff(secs in -62_135_596_800i64..253_402_300_000, zone in prop::sample::select(vec![
            "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Pacific/Apia", "America/St_Johns",
        ])) {
            let z = Zone::named(zone).unwrap();
            let tz = TimeZone::get(zone).unwrap();
            let us = secs * MICROS_PER_SEC;
            let ts = jiff::Timestamp::from_microsecond(us).unwrap();
            let expected = us + i64::from(tz.to_offset(ts).seconds()) * MICROS_PER_SEC;
            prop_assert_eq!(z.local(us), expected);
            let civil = jiff::Timestamp::from_microsecond(us).unwrap().to_zoned(TimeZone::UTC).datetime();
            let back = tz.to_ambiguous_timestamp(civil).compatible().ok().map(|t| t.as_microsecond());
            prop_assert_eq!(z.from_local(us), back.and_then(crate::calendar::in_range));
        }
    }
}
