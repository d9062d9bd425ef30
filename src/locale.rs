//! Numbers and dates written the way each language writes them (en: 12.5%, 1,234,
//! 5 Jan 2026; fr: 12,5 %, 1 234, 5 janv. 2026 — CLDR: a narrow no-break space groups
//! thousands, a no-break space precedes %), for the site and the terminal reports alike.

use crate::calendar::{civil_from_days, parse_ymd};
use crate::currency::Currency;
use crate::spec::{Language, Unit};

/// Formats numbers for one language, and money in the project's currency (if it has one).
#[derive(Clone, Copy, Debug)]
pub struct Numbers {
    pub lang: Language,
    pub currency: Option<Currency>,
}

impl Numbers {
    pub const EN: Numbers = Numbers::new(Language::En, None);

    pub const fn new(lang: Language, currency: Option<Currency>) -> Numbers {
        Numbers { lang, currency }
    }

    fn group(self) -> &'static str {
        match self.lang {
            Language::En => ",",
            Language::Fr => "\u{202f}",
        }
    }

    fn decimal(self) -> char {
        match self.lang {
            Language::En => '.',
            Language::Fr => ',',
        }
    }

    /// A number with `decimals` places and grouped thousands.
    pub fn number(self, v: f64, decimals: usize) -> String {
        let s = format!("{:.*}", decimals, v.abs());
        let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
        let mut out = String::new();
        if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
            out.push('−');
        }
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push_str(self.group());
            }
            out.push(c);
        }
        if let Some(f) = frac {
            out.push(self.decimal());
            out.push_str(f);
        }
        out
    }

    pub fn integer(self, v: f64) -> String {
        self.number(v, 0)
    }

    /// Whether `n` takes the singular (CLDR: English only for 1, French for 0 and 1).
    pub fn is_singular(self, n: f64) -> bool {
        match self.lang {
            Language::En => n == 1.0,
            Language::Fr => n.abs() < 2.0,
        }
    }

    /// A count with its noun: "1 stage", "5 stages", "1 234 personnes".
    pub fn count(self, n: f64, one: &str, other: &str) -> String {
        let noun = if self.is_singular(n) { one } else { other };
        format!("{}\u{a0}{noun}", self.number(n, if n.fract() == 0.0 { 0 } else { 2 }))
    }

    /// A rate as a percentage with one decimal: 0.125 → "12.5%" / "12,5 %".
    /// A share too small to show one decimal of is "<0.1%", never "0.0%": one person out
    /// of thousands is not nobody.
    /// A p-value as statistics reports write it: "< 0.001" below that, else three
    /// decimals under 0.01 and two above ("p = 0.005", "p = 0.12").
    pub fn p_value(self, p: f64) -> String {
        if p < 0.001 {
            format!("<\u{a0}{}", self.number(0.001, 3))
        } else {
            self.number(p, if p < 0.01 { 3 } else { 2 })
        }
    }

    pub fn percent(self, v: f64) -> String {
        if v > 0.0 && v < 0.0005 {
            let tenth = self.percent_places(0.001, 1);
            return match self.lang {
                Language::En => format!("<{tenth}"),
                Language::Fr => format!("<\u{a0}{tenth}"),
            };
        }
        self.percent_places(v, 1)
    }

    /// A rate as a percentage with `places` decimals (an axis's 25%, 50%, …).
    pub fn percent_places(self, v: f64, places: usize) -> String {
        self.unit_places(v, Unit::Percent, places)
    }

    /// A duration in seconds, shortened to its two largest units: "2 d 3 h", "45 min".
    pub fn duration(self, secs: f64) -> String {
        let s = secs.round().max(0.0) as i64;
        let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
        let (dl, hl, ml, sl) = match self.lang {
            Language::En => ("d", "h", "min", "s"),
            Language::Fr => ("j", "h", "min", "s"),
        };
        let nb = '\u{a0}';
        match (d, h, m) {
            (0, 0, 0) => format!("{sec}{nb}{sl}"),
            (0, 0, m) => format!("{m}{nb}{ml}"),
            (0, h, 0) => format!("{h}{nb}{hl}"),
            (0, h, m) => format!("{h}{nb}{hl} {m}{nb}{ml}"),
            (d, 0, _) => format!("{d}{nb}{dl}"),
            (d, h, _) => format!("{d}{nb}{dl} {h}{nb}{hl}"),
        }
    }

    /// An amount of money: in the project's currency as each language writes it
    /// (€12,345.60; 12 345,60 €), or a plain number with two decimals without one.
    pub fn money(self, v: f64) -> String {
        self.money_places(v, self.currency.map_or(2, |c| usize::from(c.decimals)))
    }

    /// An amount of money with `decimals` places (an axis's €0, €500, …).
    pub fn money_places(self, v: f64, decimals: usize) -> String {
        let n = self.number(v, decimals);
        let Some(c) = self.currency else { return n };
        let (en, fr) = c.symbols();
        match self.lang {
            Language::Fr => format!("{n}\u{a0}{fr}"),
            // A symbol of letters is set apart from the digits (CHF 12.00); "€12.00" is not.
            Language::En if en.chars().last().is_some_and(char::is_alphabetic) => match n.strip_prefix('−') {
                Some(abs) => format!("−{en}\u{a0}{abs}"),
                None => format!("{en}\u{a0}{n}"),
            },
            Language::En => match n.strip_prefix('−') {
                Some(abs) => format!("−{en}{abs}"),
                None => format!("{en}{n}"),
            },
        }
    }

    /// A `YYYY-MM-DD` date as CLDR's medium format writes it: "5 Jan 2026", "5 janv. 2026"
    /// (no-break spaces, so that a table cell or an axis label never wraps inside it).
    /// Anything else is returned as it is.
    pub fn date(self, ymd: &str) -> String {
        self.date_parts(ymd, true)
    }

    /// [`Numbers::date`] without the year ("5 Jan"), for axis labels when every date of an
    /// axis falls in one year (the caption or the table gives it).
    pub fn day_month(self, ymd: &str) -> String {
        self.date_parts(ymd, false)
    }

    fn date_parts(self, ymd: &str, year: bool) -> String {
        let Some(days) = parse_ymd(ymd.as_bytes()) else {
            return ymd.to_string();
        };
        let (y, m, d) = civil_from_days(days);
        let month = match self.lang {
            Language::En => EN_MONTHS[m as usize - 1],
            Language::Fr => FR_MONTHS[m as usize - 1],
        };
        if year {
            format!("{d}\u{a0}{month}\u{a0}{y}")
        } else {
            format!("{d}\u{a0}{month}")
        }
    }

    /// A value in a metric's unit.
    pub fn unit(self, v: f64, unit: Unit) -> String {
        self.unit_places(v, unit, default_places(v, unit, self.currency))
    }

    /// A value in a unit with `places` decimals (of the percentage for percents; durations
    /// are written in whole units whatever `places`).
    fn unit_places(self, v: f64, unit: Unit, places: usize) -> String {
        match unit {
            Unit::Percent => {
                let n = self.number(v * 100.0, places);
                match self.lang {
                    Language::En => format!("{n}%"),
                    Language::Fr => format!("{n}\u{a0}%"),
                }
            }
            Unit::Currency => self.money_places(v, places),
            Unit::Seconds => self.duration(v),
            Unit::Score | Unit::Count => self.number(v, places),
        }
    }

    /// How much a value in `unit` changed, signed: "+1.2 pts" (a rate changes in
    /// percentage points), "−120", "+€3.20". A change too small for the usual places gets
    /// more, so that a change never reads "+0.0".
    pub fn change(self, by: f64, unit: Unit) -> String {
        let sign = if by > 0.0 { "+" } else { "" };
        let (v, unit_places) = match unit {
            Unit::Percent => (by * 100.0, 1),
            _ => (by, default_places(by, unit, self.currency)),
        };
        let mut places = unit_places;
        while places < 4 && v != 0.0 && (v * 10f64.powi(places as i32)).round() == 0.0 {
            places += 1;
        }
        match unit {
            Unit::Percent => {
                let points = match self.lang {
                    Language::En => "pts",
                    Language::Fr => "pt",
                };
                format!("{sign}{}\u{a0}{points}", self.number(v, places))
            }
            Unit::Currency => format!("{sign}{}", self.money_places(v, places)),
            Unit::Seconds => match by < 0.0 {
                true => format!("−{}", self.duration(-by)),
                false => format!("+{}", self.duration(by)),
            },
            Unit::Score | Unit::Count => format!("{sign}{}", self.number(v, places)),
        }
    }

    /// A value as a reader sees it: a rate as [`Numbers::percent`] (a tiny share reads
    /// "<0.1%"), anything else as [`Numbers::unit`].
    pub fn shown(self, v: f64, unit: Unit) -> String {
        if unit == Unit::Percent {
            self.percent(v)
        } else {
            self.unit(v, unit)
        }
    }

    /// [`Numbers::change`] after an arrow that repeats its direction: "▲ +1.2 pts",
    /// "▼ −120", "= 0".
    pub fn arrowed_change(self, by: f64, unit: Unit) -> String {
        let arrow = if by > 0.0 {
            "▲"
        } else if by < 0.0 {
            "▼"
        } else {
            "="
        };
        format!("{arrow} {}", self.change(by, unit))
    }

    /// A relative change as a signed percentage: "+4.1%", "−12.0 %".
    pub fn signed_percent(self, v: f64) -> String {
        let sign = if v > 0.0 && self.percent_places(v, 1) != self.percent_places(0.0, 1) {
            "+"
        } else {
            ""
        };
        format!("{sign}{}", self.percent_places(v, 1))
    }

    /// A target's bounds and the actual value, written so that the actual never reads the
    /// same as a bound it differs from (0.78 % against ≥ 0.8 % is "0.78 %", not "0.8 %"):
    /// each bound with the places it needs, the actual with at least as many, and more
    /// while it would print equal to a bound it is not equal to.
    pub fn against(
        self,
        actual: Option<f64>,
        bounds: [Option<f64>; 2],
        unit: Unit,
    ) -> (Option<String>, [Option<String>; 2]) {
        let scale = if unit == Unit::Percent { 100.0 } else { 1.0 };
        let base = |v: f64| default_places(v, unit, self.currency);
        let bound_places = |b: f64| base(b).max(places_needed(b * scale));
        let texts = bounds.map(|b| b.map(|b| self.unit_places(b, unit, bound_places(b))));
        let actual = actual.map(|a| {
            let mut places = bounds
                .iter()
                .flatten()
                .map(|&b| bound_places(b))
                .fold(base(a), usize::max);
            while places < MAX_PLACES
                && bounds
                    .iter()
                    .flatten()
                    .any(|&b| b != a && self.unit_places(a, unit, places) == self.unit_places(b, unit, places))
            {
                places += 1;
            }
            self.unit_places(a, unit, places)
        });
        (actual, texts)
    }
}

/// Beyond this many decimals two values that still print the same are shown the same.
const MAX_PLACES: usize = 9;

/// The places a unit is written with by default.
fn default_places(v: f64, unit: Unit, currency: Option<Currency>) -> usize {
    match unit {
        Unit::Percent => 1,
        Unit::Currency => currency.map_or(2, |c| usize::from(c.decimals)),
        Unit::Score => 2,
        Unit::Seconds => 0,
        Unit::Count if v.fract() == 0.0 => 0,
        Unit::Count => 2,
    }
}

/// The fewest decimals that write `v` as declared (0.0125 → 4 on the fraction, 1.25 → 2),
/// up to [`MAX_PLACES`].
fn places_needed(v: f64) -> usize {
    (0..MAX_PLACES)
        .find(|&p| {
            let f = 10f64.powi(p as i32);
            ((v * f).round() / f - v).abs() <= v.abs() * 1e-12
        })
        .unwrap_or(MAX_PLACES)
}

/// Decimals that tell `actual` apart from each bound it differs from, at least `min`:
/// for terminal reports, which write plain numbers.
pub fn distinct_places(actual: f64, bounds: &[f64], min: usize) -> usize {
    let mut places = bounds.iter().map(|&b| places_needed(b)).fold(min, usize::max);
    while places < MAX_PLACES
        && bounds
            .iter()
            .any(|&b| b != actual && format!("{actual:.places$}") == format!("{b:.places$}"))
    {
        places += 1;
    }
    places
}

/// CLDR's abbreviated month names (format context).
const EN_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const FR_MONTHS: [&str; 12] = [
    "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_french_numbers() {
        let en = Numbers::EN;
        let fr = Numbers::new(Language::Fr, None);
        assert_eq!(en.percent(0.125), "12.5%");
        assert_eq!(fr.percent(0.125), "12,5\u{a0}%");
        assert_eq!(en.integer(1234.0), "1,234");
        assert_eq!(fr.integer(1234.0), "1\u{202f}234");
        assert_eq!(en.integer(1_234_567.0), "1,234,567");
        assert_eq!(en.integer(123.0), "123");
        assert_eq!(en.number(-1234.5, 2), "−1,234.50");
        assert_eq!(fr.number(93.1633, 2), "93,16");
        assert_eq!(en.number(-0.001, 1), "0.0");
        assert_eq!(en.duration(2252.0), "37\u{a0}min");
        assert_eq!(fr.duration(3.0 * 86_400.0 + 7200.0), "3\u{a0}j 2\u{a0}h");
        assert_eq!(en.unit(0.03, Unit::Percent), "3.0%");
        assert_eq!(en.unit(3.0, Unit::Count), "3");
        assert_eq!(en.unit(2.5, Unit::Count), "2.50");
        assert_eq!(en.duration(30.0 * 86_400.0), "30\u{a0}d");
        assert_eq!(en.duration(7200.0), "2\u{a0}h");
    }

    #[test]
    fn a_tiny_share_is_not_written_as_zero() {
        let fr = Numbers::new(Language::Fr, None);
        assert_eq!(Numbers::EN.percent(1.0 / 2649.0), "<0.1%");
        assert_eq!(fr.percent(0.0002), "<\u{a0}0,1\u{a0}%");
        assert_eq!(Numbers::EN.percent(0.0), "0.0%");
        assert_eq!(Numbers::EN.percent(0.0005), "0.1%");
    }

    #[test]
    fn plural_rules_per_language() {
        let fr = Numbers::new(Language::Fr, None);
        assert_eq!(Numbers::EN.count(1.0, "stage", "stages"), "1\u{a0}stage");
        assert_eq!(Numbers::EN.count(0.0, "stage", "stages"), "0\u{a0}stages");
        assert_eq!(Numbers::EN.count(1234.0, "person", "people"), "1,234\u{a0}people");
        assert_eq!(fr.count(0.0, "étape", "étapes"), "0\u{a0}étape");
        assert_eq!(fr.count(1.0, "étape", "étapes"), "1\u{a0}étape");
        assert_eq!(fr.count(2.0, "étape", "étapes"), "2\u{a0}étapes");
    }

    #[test]
    fn an_actual_never_reads_like_a_bound_it_misses() {
        let en = Numbers::EN;
        let p = Unit::Percent;
        assert_eq!(
            en.against(Some(0.0078), [Some(0.008), None], p),
            (Some("0.78%".into()), [Some("0.8%".into()), None])
        );
        assert_eq!(en.against(Some(0.184), [Some(0.12), None], p).0.unwrap(), "18.4%");
        assert_eq!(
            en.against(Some(0.0125), [Some(0.0125), None], p),
            (Some("1.25%".into()), [Some("1.25%".into()), None])
        );
        assert_eq!(
            en.against(Some(0.3), [Some(0.2999999), None], p).0.unwrap(),
            "30.00000%"
        );
        assert_eq!(
            en.against(Some(4.4999), [Some(4.5), None], Unit::Score).0.unwrap(),
            "4.4999"
        );
        assert_eq!(
            en.against(None, [None, Some(3.0)], Unit::Count),
            (None, [None, Some("3".into())])
        );
        let (a, [lo, hi]) = en.against(Some(0.50004), [Some(0.2), Some(0.5)], p);
        assert_eq!(
            (a.unwrap(), lo.unwrap(), hi.unwrap()),
            ("50.004%".into(), "20.0%".into(), "50.0%".into())
        );
        assert_eq!(distinct_places(0.0078, &[0.008], 4), 4);
        assert_eq!(distinct_places(0.00799996, &[0.008], 4), 8);
    }

    #[test]
    fn money_in_each_language() {
        let eur = Currency::from_code("EUR");
        let en = Numbers::new(Language::En, eur);
        let fr = Numbers::new(Language::Fr, eur);
        assert_eq!(en.money(12_345.6), "€12,345.60");
        assert_eq!(fr.money(12_345.6), "12\u{202f}345,60\u{a0}€");
        assert_eq!(en.money(-3.0), "−€3.00");
        let chf = Numbers::new(Language::En, Currency::from_code("CHF"));
        assert_eq!(chf.money(1.5), "CHF\u{a0}1.50");
        let jpy = Numbers::new(Language::En, Currency::from_code("JPY"));
        assert_eq!(jpy.money(1234.4), "¥1,234");
        let usd_fr = Numbers::new(Language::Fr, Currency::from_code("USD"));
        assert_eq!(usd_fr.money(2.0), "2,00\u{a0}$US");
        assert_eq!(Numbers::EN.money(2.0), "2.00", "no currency: a plain number");
        assert_eq!(en.unit(5.0, Unit::Currency), "€5.00");
    }

    #[test]
    fn dates_in_each_language() {
        let en = Numbers::EN;
        let fr = Numbers::new(Language::Fr, None);
        assert_eq!(en.date("2026-01-05"), "5\u{a0}Jan\u{a0}2026");
        assert_eq!(fr.date("2026-01-05"), "5\u{a0}janv.\u{a0}2026");
        assert_eq!(fr.date("2025-08-31"), "31\u{a0}août\u{a0}2025");
        assert_eq!(en.day_month("2026-12-01"), "1\u{a0}Dec");
        assert_eq!(fr.day_month("2026-02-28"), "28\u{a0}févr.");
        let fr_months: Vec<String> = (1..=12).map(|m| fr.day_month(&format!("2026-{m:02}-01"))).collect();
        assert_eq!(
            fr_months.join(" ").replace('\u{a0}', " "),
            "1 janv. 1 févr. 1 mars 1 avr. 1 mai 1 juin 1 juil. 1 août 1 sept. 1 oct. 1 nov. 1 déc."
        );
        assert_eq!(en.date("2026-02-30"), "2026-02-30", "not a date: unchanged");
        assert_eq!(en.date("W3"), "W3");
    }
}
