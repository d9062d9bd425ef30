//! The one decimal grammar of the crate, and its fixed-point parser: revenue amounts, Unix
//! times with fractions and the fractional seconds of RFC 3339 times go through
//! [`parse_scaled`] / [`scaled_fraction`], so every fixed-point value is rounded by the same
//! rule; metric values, which are floating point, are checked against [`is_decimal`] first,
//! so that every number of every data file is written the same way.
//!
//! Values are kept as integers scaled by a power of ten (revenue in millionths, times in
//! microseconds): sums are then exact whatever the order of the rows. Digits beyond the
//! kept ones are rounded half away from zero; a value too large for `i64` is refused, never
//! wrapped or saturated.

/// The first `scale` decimals of `digits` (ASCII digits after a decimal point) as an
/// integer, rounded half away from zero on the next digit: `(b"123456789", 6)` → 123457.
/// `digits` must hold only ASCII digits; `scale` ≤ 18.
#[inline]
pub fn scaled_fraction(digits: &[u8], scale: u32) -> i64 {
    let mut f: i64 = 0;
    for i in 0..scale as usize {
        f = f * 10 + digits.get(i).map_or(0, |&b| i64::from(b - b'0'));
    }
    if digits.get(scale as usize).is_some_and(|&b| b >= b'5') {
        f += 1;
    }
    f
}

/// `[+-]digits[.digits]`: at least one digit, one point at most, no exponent.
pub fn is_decimal(s: &[u8]) -> bool {
    split(s, b'.').is_some()
}

/// A number of a small table (a metric value, a survey score) in the file's notation: with
/// `decimal = ","` a comma is the point and a dot is no separator at all. `None` when it is
/// not a decimal ([`is_decimal`]) or not finite.
pub fn parse_table_number(raw: &str, decimal: crate::spec::Decimal) -> Option<f64> {
    let text = match decimal {
        crate::spec::Decimal::Comma if raw.contains('.') => return None,
        crate::spec::Decimal::Comma => raw.replace(',', "."),
        crate::spec::Decimal::Dot => raw.to_string(),
    };
    is_decimal(text.as_bytes())
        .then(|| text.parse::<f64>().ok())
        .flatten()
        .filter(|v| v.is_finite())
}

/// For a number [`parse_table_number`] refused: the `decimal` to set in `table` when it is
/// written with the other separator.
pub fn separator_hint(raw: &str, decimal: crate::spec::Decimal, table: &str) -> Option<String> {
    let other = match decimal {
        crate::spec::Decimal::Comma => '.',
        crate::spec::Decimal::Dot => ',',
    };
    raw.contains(other)
        .then(|| format!("this number uses `{other}` as its decimal separator: set `decimal = \"{other}\"` in {table}"))
}

/// The sign, integer digits and fraction digits of a decimal.
#[inline]
fn split(s: &[u8], point: u8) -> Option<(bool, &[u8], &[u8])> {
    let (neg, s) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match s.iter().position(|&b| b == point) {
        Some(p) => (&s[..p], &s[p + 1..]),
        None => (s, &s[s.len()..]),
    };
    if (int.is_empty() && frac.is_empty()) || !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    Some((neg, int, frac))
}

/// `[+-]digits[.digits]` (`12`, `-0.99`, `+7`, `.5`, `5.`) times 10^`scale`, as an integer:
/// `parse_scaled(b"12.5", 6)` = 12_500_000. `None` when malformed (no digit, a second
/// point, an exponent, anything but digits) or when the value does not fit in `i64`.
#[inline]
pub fn parse_scaled(s: &[u8], scale: u32) -> Option<i64> {
    parse_scaled_with(s, scale, b'.')
}

/// [`parse_scaled`] with another decimal separator (`,` for `decimal = ","`).
#[inline]
pub fn parse_scaled_with(s: &[u8], scale: u32, point: u8) -> Option<i64> {
    let (neg, int, frac) = split(s, point)?;
    let mut v: i64 = 0;
    for &b in int {
        v = v.checked_mul(10)?.checked_add(i64::from(b - b'0'))?;
    }
    let v = v
        .checked_mul(10i64.checked_pow(scale)?)?
        .checked_add(scaled_fraction(frac, scale))?;
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimals_scaled_and_rounded_half_away_from_zero() {
        assert_eq!(parse_scaled(b"12.5", 6), Some(12_500_000));
        assert_eq!(parse_scaled(b"-0.99", 6), Some(-990_000));
        assert_eq!(parse_scaled(b"+7", 6), Some(7_000_000));
        assert_eq!(parse_scaled(b".5", 6), Some(500_000));
        assert_eq!(parse_scaled(b"5.", 6), Some(5_000_000));
        assert_eq!(parse_scaled(b"1.0000005", 6), Some(1_000_001));
        assert_eq!(parse_scaled(b"-1.0000005", 6), Some(-1_000_001));
        assert_eq!(parse_scaled(b"0.1234564", 6), Some(123_456));
        assert_eq!(parse_scaled(b"1767607200.25", 6), Some(1_767_607_200_250_000));
        assert_eq!(parse_scaled(b"1767607200123", 3), Some(1_767_607_200_123_000));
        assert_eq!(parse_scaled(b"1.9", 0), Some(2));
        assert_eq!(parse_scaled(b"9223372036854.775807", 6), Some(i64::MAX));
        for bad in [
            &b""[..],
            b"-",
            b".",
            b"1,5",
            b"1e3",
            b"12.5.1",
            b"abc",
            b" 1",
            b"9223372036854.775808",
            b"99999999999999999999",
        ] {
            assert_eq!(parse_scaled(bad, 6), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert!(is_decimal(b"-0.5") && is_decimal(b"99999999999999999999"));
        assert!(!is_decimal(b"1e3") && !is_decimal(b"inf") && !is_decimal(b"NaN") && !is_decimal(b""));
    }

    proptest! {
        /// Against exact decimal arithmetic on the digits (i128, no floating point).
        #[test]
        fn agrees_with_exact_rounding(int in 0u64..10_000_000_000, frac in "[0-9]{0,12}", neg: bool, scale in 0u32..=9) {
            let text = format!("{}{int}.{frac}", if neg { "-" } else { "" });
            let digits: i128 = format!("{int}{frac}").parse().unwrap();
            let shift = frac.len() as i32 - scale as i32;
            let magnitude = if shift <= 0 {
                digits * 10i128.pow((-shift) as u32)
            } else {
                let p = 10i128.pow(shift as u32);
                (digits + p / 2) / p
            };
            let want = i64::try_from(if neg { -magnitude } else { magnitude }).ok();
            prop_assert_eq!(parse_scaled(text.as_bytes(), scale), want);
        }
    }
}
