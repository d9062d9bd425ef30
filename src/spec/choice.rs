//! Values a spec writes as one word of a fixed set. Each is an enum with one list of its
//! words ([`Choice::ALL`] and [`Choice::name`]): validation reads it with
//! [`super::reader::Table::choice`] and rendering prints the same names, so the two cannot
//! disagree.

use serde::{Serialize, Serializer};

pub trait Choice: Copy + PartialEq + 'static {
    const ALL: &'static [Self];
    fn name(self) -> &'static str;

    fn from_name(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.name() == s)
    }

    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|c| c.name()).collect()
    }
}

/// Declares an enum whose variants are spelled as the given words in specs.
macro_rules! choice {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl Choice for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
    };
}

impl Choice for crate::calendar::Period {
    const ALL: &'static [Self] = &crate::calendar::Period::ALL;
    fn name(self) -> &'static str {
        crate::calendar::Period::name(self)
    }
}

choice!(
    /// The language of the site's UI strings and number formats.
    Language { En = "en", Fr = "fr" }
);

choice!(
    /// The named ways a time column can be written (the other way is a strftime pattern).
    NamedTime { Rfc3339 = "rfc3339", UnixS = "unix_s", UnixMs = "unix_ms", UnixUs = "unix_us" }
);

choice!(
    /// How a data file is written; by default, from its extension.
    FileFormat { Csv = "csv", Jsonl = "jsonl", Parquet = "parquet" }
);

choice!(
    /// The decimal separator of numbers in a CSV file.
    #[derive(Default)]
    Decimal { #[default] Dot = ".", Comma = "," }
);

choice!(
    /// Presets of column names and time format for the exports of common analytics tools.
    Preset { Ga4 = "ga4", Mixpanel = "mixpanel", Amplitude = "amplitude", Posthog = "posthog", Segment = "segment" }
);

choice!(
    /// Which of a user's rows matching a touchpoint it keeps, in time order.
    #[derive(Default)]
    Occurrence { #[default] Any = "any", First = "first", Repeat = "repeat" }
);

/// How the time column of an event export is written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum TimeFormat {
    #[default]
    Rfc3339,
    UnixS,
    UnixMs,
    UnixUs,
    /// A strftime pattern (`%d/%m/%Y %H:%M`), read with jiff's `strtime`.
    Pattern(String),
}

impl TimeFormat {
    pub fn named(n: NamedTime) -> TimeFormat {
        match n {
            NamedTime::Rfc3339 => TimeFormat::Rfc3339,
            NamedTime::UnixS => TimeFormat::UnixS,
            NamedTime::UnixMs => TimeFormat::UnixMs,
            NamedTime::UnixUs => TimeFormat::UnixUs,
        }
    }

    /// As written in a spec.
    pub fn name(&self) -> &str {
        match self {
            TimeFormat::Rfc3339 => "rfc3339",
            TimeFormat::UnixS => "unix_s",
            TimeFormat::UnixMs => "unix_ms",
            TimeFormat::UnixUs => "unix_us",
            TimeFormat::Pattern(p) => p,
        }
    }
}

choice!(
    /// What a bad row of an event export does: fail the run, or be counted and skipped.
    #[derive(Default)]
    OnError { #[default] Fail = "fail", Skip = "skip" }
);

choice!(
    /// How the values of a metric are shown (percent values are fractions: 0.03 = 3 %).
    Unit { Count = "count", Percent = "percent", Currency = "currency", Seconds = "seconds", Score = "score" }
);

choice!(
    /// How a metric's dated values combine into one number.
    Aggregate { Sum = "sum", Mean = "mean", Min = "min", Max = "max", Last = "last" }
);

choice!(
    /// The scales a score metric can name instead of `{ min, max }`.
    NamedScale { Nps = "nps", Csat = "csat", Ces = "ces", Stars = "stars" }
);

choice!(
    /// What a feedback target bounds: a number of a feedback source's stage or touchpoint.
    FeedbackField { Responses = "responses", Mean = "mean", Nps = "nps", Satisfied = "satisfied", Easy = "easy" }
);

impl FeedbackField {
    /// The share field a scale has (`nps`, `satisfied` or `easy`); `responses` and `mean`
    /// belong to every scale.
    pub fn of_scale(scale: NamedScale) -> FeedbackField {
        match scale {
            NamedScale::Nps => FeedbackField::Nps,
            NamedScale::Csat | NamedScale::Stars => FeedbackField::Satisfied,
            NamedScale::Ces => FeedbackField::Easy,
        }
    }

    /// The unit its values are shown in (and its target bounds checked in).
    pub fn unit(self) -> Unit {
        match self {
            FeedbackField::Responses => Unit::Count,
            FeedbackField::Mean | FeedbackField::Nps => Unit::Score,
            FeedbackField::Satisfied | FeedbackField::Easy => Unit::Percent,
        }
    }
}

impl NamedScale {
    pub fn scale(self) -> super::Scale {
        let (min, max) = match self {
            NamedScale::Nps => (0.0, 10.0),
            NamedScale::Csat | NamedScale::Stars => (1.0, 5.0),
            NamedScale::Ces => (1.0, 7.0),
        };
        super::Scale { min, max }
    }
}

impl Unit {
    /// Counts and money add up over days; rates, durations and scores are averaged.
    pub fn default_aggregate(self) -> Aggregate {
        match self {
            Unit::Count | Unit::Currency => Aggregate::Sum,
            Unit::Percent | Unit::Seconds | Unit::Score => Aggregate::Mean,
        }
    }
}

choice!(
    /// The channels the theme has an icon for.
    KnownChannel {
        Web = "web", Email = "email", Social = "social", Search = "search", Ads = "ads",
        Phone = "phone", Store = "store", App = "app", Chat = "chat", Sms = "sms",
        Push = "push", Video = "video", Print = "print", Event = "event", Partner = "partner",
        Referral = "referral", Mail = "mail", Tv = "tv", Radio = "radio", Other = "other",
    }
);

/// A touchpoint's channel: one the theme knows (with its icon), or any other name, which
/// is accepted and drawn with the generic icon.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Channel {
    Known(KnownChannel),
    Custom(String),
}

impl Channel {
    pub fn new(name: &str) -> Channel {
        KnownChannel::from_name(name).map_or_else(|| Channel::Custom(name.to_string()), Channel::Known)
    }

    pub fn name(&self) -> &str {
        match self {
            Channel::Known(k) => k.name(),
            Channel::Custom(s) => s,
        }
    }
}

impl Default for Channel {
    fn default() -> Channel {
        Channel::Known(KnownChannel::Other)
    }
}

impl Serialize for Channel {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for u in Unit::ALL {
            assert_eq!(Unit::from_name(u.name()), Some(*u));
        }
        assert_eq!(NamedTime::from_name("unix_ms"), Some(NamedTime::UnixMs));
        assert_eq!(NamedTime::from_name("unix"), None);
        assert_eq!(Channel::new("email"), Channel::Known(KnownChannel::Email));
        assert_eq!(Channel::new("fax").name(), "fax");
        assert_eq!(serde_json::to_value(Aggregate::Last).unwrap(), "last");
    }
}
