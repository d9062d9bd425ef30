//! ISO 4217 currencies: which codes exist, how many decimals each has, and the symbol each
//! language writes (CLDR's, for the common ones; others are written with their code).

/// A currency of ISO 4217.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Currency {
    pub code: &'static str,
    /// Digits after the decimal point (JPY 0, EUR 2, KWD 3).
    pub decimals: u8,
}

/// Active ISO 4217 codes with their minor units (2 unless listed in the second table).
const CODES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CLF", "CLP", "CNY", "COP",
    "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL",
    "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK",
    "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD",
    "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN",
    "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON",
    "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC",
    "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYI", "UYU",
    "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWG",
];

/// Codes whose minor unit is not 2.
const DECIMALS: &[(&str, u8)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLF", 4),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("UYI", 0),
    ("UYW", 4),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

/// (code, English symbol, French symbol) where CLDR gives one other than the code.
const SYMBOLS: &[(&str, &str, &str)] = &[
    ("EUR", "€", "€"),
    ("USD", "$", "$US"),
    ("GBP", "£", "£GB"),
    ("JPY", "¥", "JPY"),
    ("CNY", "CN¥", "CNY"),
    ("INR", "₹", "₹"),
    ("KRW", "₩", "₩"),
    ("CAD", "CA$", "$CA"),
    ("AUD", "A$", "$AU"),
    ("NZD", "NZ$", "$NZ"),
    ("HKD", "HK$", "HKD"),
    ("MXN", "MX$", "$MX"),
    ("BRL", "R$", "R$"),
    ("ILS", "₪", "₪"),
    ("VND", "₫", "₫"),
    ("TWD", "NT$", "TWD"),
    ("XAF", "FCFA", "FCFA"),
    ("XOF", "F\u{202f}CFA", "F\u{202f}CFA"),
];

impl Currency {
    /// The currency of an ISO 4217 code (upper case), if it is one.
    pub fn from_code(code: &str) -> Option<Currency> {
        let code = *CODES.iter().find(|c| **c == code)?;
        let decimals = DECIMALS.iter().find(|(c, _)| *c == code).map_or(2, |&(_, d)| d);
        Some(Currency { code, decimals })
    }

    pub fn codes() -> impl Iterator<Item = &'static str> {
        CODES.iter().copied()
    }

    /// The symbol written in English and in French.
    pub fn symbols(self) -> (&'static str, &'static str) {
        SYMBOLS
            .iter()
            .find(|(c, _, _)| *c == self.code)
            .map_or((self.code, self.code), |&(_, en, fr)| (en, fr))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_decimals_and_symbols() {
        assert_eq!(
            Currency::from_code("EUR"),
            Some(Currency {
                code: "EUR",
                decimals: 2
            })
        );
        assert_eq!(Currency::from_code("JPY").unwrap().decimals, 0);
        assert_eq!(Currency::from_code("KWD").unwrap().decimals, 3);
        assert_eq!(Currency::from_code("eur"), None);
        assert_eq!(Currency::from_code("EURO"), None);
        assert_eq!(Currency::from_code("USD").unwrap().symbols(), ("$", "$US"));
        assert_eq!(Currency::from_code("CHF").unwrap().symbols(), ("CHF", "CHF"));
        let mut sorted: Vec<&str> = CODES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), CODES.len(), "codes are unique and sorted");
        assert!(DECIMALS.iter().all(|(c, _)| CODES.contains(c)));
        assert!(SYMBOLS.iter().all(|(c, _, _)| CODES.contains(c)));
    }
}
