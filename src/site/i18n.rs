//! Every UI string of the site, per language. [`Strings`] has one field per string, so a
//! language that lacks one does not compile; templates get it as the `t` object
//! (`{{ t.reach }}`) and format numbers with the filters of [`register_filters`].

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::currency::Currency;
use crate::locale::Numbers;
use crate::spec::{Aggregate, Channel, Choice, KnownChannel, Language, Period, Unit};

/// The UI strings of one language.
#[derive(Debug, Serialize)]
pub struct Strings {
    pub lang: &'static str,
    /// Survey feedback's strings.
    pub voice: &'static super::voice_strings::VoiceStrings,
    /// "vs baseline" deltas' strings.
    pub baseline: &'static super::baseline::BaselineStrings,
    /// Paths, flows, time to convert, trends and segment significance.
    pub flow: &'static super::flow_strings::FlowStrings,
    pub home: &'static str,
    pub journeys: &'static str,
    pub journey: &'static str,
    pub journey_map: &'static str,
    pub personas: &'static str,
    pub persona: &'static str,
    pub pages: &'static str,
    pub owner: &'static str,
    pub stage: &'static str,
    pub stages: &'static str,
    pub touchpoint: &'static str,
    pub touchpoints: &'static str,
    pub channel: &'static str,
    pub actions: &'static str,
    pub questions: &'static str,
    pub emotion: &'static str,
    pub pain_points: &'static str,
    pub opportunities: &'static str,
    pub kpis: &'static str,
    pub reach: &'static str,
    pub users: &'static str,
    pub events: &'static str,
    pub exits: &'static str,
    pub funnel: &'static str,
    pub step: &'static str,
    pub conversion: &'static str,
    pub conversion_rate: &'static str,
    pub conversion_from_previous: &'static str,
    pub conversion_from_start: &'static str,
    pub drop_off: &'static str,
    pub median_time: &'static str,
    pub window: &'static str,
    pub unlimited: &'static str,
    pub revenue: &'static str,
    pub orders: &'static str,
    pub total: &'static str,
    pub aov: &'static str,
    pub buyers: &'static str,
    pub repeat_purchase_rate: &'static str,
    pub retention: &'static str,
    pub cohort_retention: &'static str,
    pub cohort: &'static str,
    pub size: &'static str,
    pub period: &'static str,
    pub average: &'static str,
    pub period_day: &'static str,
    pub period_week: &'static str,
    pub period_month: &'static str,
    pub segments: &'static str,
    pub segment: &'static str,
    pub targets: &'static str,
    pub target: &'static str,
    pub met: &'static str,
    pub missed: &'static str,
    pub actual: &'static str,
    pub no_data: &'static str,
    pub metrics: &'static str,
    pub metric: &'static str,
    pub value: &'static str,
    pub date: &'static str,
    pub where_leave: &'static str,
    pub where_leave_intro: &'static str,
    pub unmapped_events: &'static str,
    pub previous_stage: &'static str,
    pub next_stage: &'static str,
    pub all_stages: &'static str,
    pub data_table: &'static str,
    pub emotion_curve: &'static str,
    pub emotion_1: &'static str,
    pub emotion_2: &'static str,
    pub emotion_3: &'static str,
    pub emotion_4: &'static str,
    pub emotion_5: &'static str,
    pub not_found: &'static str,
    pub not_found_text: &'static str,
    pub back_home: &'static str,
    pub skip: &'static str,
    pub generated_by: &'static str,
    pub view_map: &'static str,
    pub conversion_stage: &'static str,
    pub series: &'static str,
    pub comparison: &'static str,
    pub no_retention: &'static str,
    pub stage_of: &'static str,
    pub of: &'static str,
    pub share_of_start: &'static str,
    pub targets_met: &'static str,
    pub other_names: &'static str,
    pub how_computed: &'static str,
    pub definition: &'static str,
    pub more: &'static str,
    pub started: &'static str,
    pub reached: &'static str,
    pub left_after: &'static str,
    pub people_here: &'static str,
    pub after: &'static str,
    pub of_reached: &'static str,
    pub did_not_reach: &'static str,
    pub pain_points_of: &'static str,
    pub no_segment: &'static str,
    pub pending: &'static str,
    pub no_data_yet: &'static str,
    pub no_data_text: &'static str,
    pub indicator: &'static str,
    pub goal: &'static str,
    pub status: &'static str,
    pub sum_of_periods: &'static str,
    pub read_numbers: &'static str,
    pub poster: &'static str,
    pub poster_hint: &'static str,
    pub stage_one: &'static str,
    pub stage_other: &'static str,
    pub target_one: &'static str,
    pub target_other: &'static str,
    pub date_one: &'static str,
    pub date_other: &'static str,
    pub person_one: &'static str,
    pub person_other: &'static str,
    pub left_one: &'static str,
    pub left_other: &'static str,
    pub reached_stage: &'static str,
    pub last_seen_intro: &'static str,
    pub last_seen_at: &'static str,
    pub average_caption: &'static str,
    pub activity_day: &'static str,
    pub activity_week: &'static str,
    pub activity_month: &'static str,
    pub activity_caption: &'static str,
}

/// English.
pub const EN: Strings = Strings {
    lang: "en",
    voice: &super::voice_strings::EN,
    baseline: &super::baseline::EN,
    flow: &super::flow_strings::EN,
    home: "Home",
    journeys: "Journeys",
    journey: "Journey",
    journey_map: "Journey map",
    personas: "Personas",
    persona: "Persona",
    pages: "Pages",
    owner: "Owner",
    stage: "Stage",
    stages: "Stages",
    touchpoint: "Touchpoint",
    touchpoints: "Touchpoints",
    channel: "Channel",
    actions: "Actions",
    questions: "Questions",
    emotion: "Emotion",
    pain_points: "Pain points",
    opportunities: "Opportunities",
    kpis: "KPIs",
    reach: "Any event here",
    users: "People",
    events: "Events",
    exits: "Last seen here",
    funnel: "Funnel",
    step: "Step",
    conversion: "Conversion",
    conversion_rate: "Conversion rate",
    conversion_from_previous: "From previous step",
    conversion_from_start: "From start",
    drop_off: "Lost since previous step",
    median_time: "Median time from previous step",
    window: "Conversion window",
    unlimited: "unlimited",
    revenue: "Revenue",
    orders: "Orders",
    total: "Total",
    aov: "Average order value",
    buyers: "Buyers",
    repeat_purchase_rate: "Repeat purchase rate",
    retention: "Retention",
    cohort_retention: "Cohort retention",
    cohort: "Cohort",
    size: "Size",
    period: "Period",
    average: "Average",
    period_day: "day",
    period_week: "week",
    period_month: "month",
    segments: "Segments",
    segment: "Segment",
    targets: "Targets",
    target: "Target",
    met: "met",
    missed: "missed",
    actual: "Actual",
    no_data: "no data",
    metrics: "Metrics",
    metric: "Metric",
    value: "Value",
    date: "Date",
    where_leave: "Where people leave",
    where_leave_intro: "People who reached a stage in order but not the next one, by the touchpoint of their last event. Together they are exactly the people the funnel loses at the next step.",
    unmapped_events: "Events not mapped to a touchpoint",
    previous_stage: "Previous stage",
    next_stage: "Next stage",
    all_stages: "All stages",
    data_table: "Data table",
    emotion_curve: "Emotion curve",
    emotion_1: "very negative",
    emotion_2: "negative",
    emotion_3: "neutral",
    emotion_4: "positive",
    emotion_5: "very positive",
    not_found: "Page not found",
    not_found_text: "This page does not exist. It may have been renamed when the journeys were edited.",
    back_home: "Back to the home page",
    skip: "Skip to content",
    generated_by: "Generated by",
    view_map: "Open the journey map",
    conversion_stage: "conversion stage",
    series: "Over time",
    comparison: "Conversion by segment",
    no_retention: "No retention data for this journey.",
    stage_of: "Stage of",
    of: "of",
    share_of_start: "of the people who started",
    targets_met: "targets met",
    other_names: "other names (their rows in kpis.json)",
    how_computed: "How these numbers are computed",
    definition: "Definition:",
    more: "How it is computed",
    started: "People who started",
    reached: "Reached in order",
    left_after: "Left after this stage",
    people_here: "People here",
    after: "After",
    of_reached: "of those who reached it",
    did_not_reach: "did not reach",
    pain_points_of: "Pain points of",
    no_segment: "No segment value",
    pending: "pending",
    no_data_yet: "No data yet",
    no_data_text: "This journey has no data file yet, so its numbers are blank and its targets pending. Declare an event export or an aggregated export under [data] in the journey’s file: the map below is ready for it.",
    indicator: "Indicator",
    goal: "Goal",
    status: "Status",
    sum_of_periods: "sum of periods",
    read_numbers: "How to read these numbers",
    poster: "Print as a poster (A3)",
    poster_hint: "One A3 landscape sheet: print this page (Ctrl+P or ⌘P), A3, landscape.",
    stage_one: "stage",
    stage_other: "stages",
    target_one: "target",
    target_other: "targets",
    date_one: "date",
    date_other: "dates",
    person_one: "person",
    person_other: "people",
    left_one: "left",
    left_other: "left",
    reached_stage: "Reached",
    last_seen_at: "Where they were last seen",
    last_seen_intro: "People who left the journey with their last event here, by the furthest stage they reached in order. Summed over every touchpoint, a row gives the people lost at the next stage.",
    average_caption: "Average retention of the cohorts, from period 1 on (period 0 is the cohort itself: always 100%).",
    activity_day: "People and events per day",
    activity_week: "People and events per week",
    activity_month: "People and events per month",
    activity_caption: "People: those with at least one event of this touchpoint in the period; events: its rows. Days and weeks (from Monday) are those of the data's time zone.",
};

/// French: typographic apostrophes, no-break spaces where French puts them.
pub const FR: Strings = Strings {
    lang: "fr",
    voice: &super::voice_strings::FR,
    baseline: &super::baseline::FR,
    flow: &super::flow_strings::FR,
    home: "Accueil",
    journeys: "Parcours",
    journey: "Parcours",
    journey_map: "Carte du parcours",
    personas: "Personas",
    persona: "Persona",
    pages: "Pages",
    owner: "Responsable",
    stage: "Étape",
    stages: "Étapes",
    touchpoint: "Point de contact",
    touchpoints: "Points de contact",
    channel: "Canal",
    actions: "Actions",
    questions: "Questions",
    emotion: "Émotion",
    pain_points: "Points de friction",
    opportunities: "Opportunités",
    kpis: "Indicateurs",
    reach: "Actifs à cette étape",
    users: "Personnes",
    events: "Événements",
    exits: "Vus ici en dernier",
    funnel: "Entonnoir",
    step: "Étape",
    conversion: "Conversion",
    conversion_rate: "Taux de conversion",
    conversion_from_previous: "Depuis l’étape précédente",
    conversion_from_start: "Depuis l’entrée",
    drop_off: "Perdus depuis l’étape précédente",
    median_time: "Temps médian depuis l’étape précédente",
    window: "Fenêtre de conversion",
    unlimited: "illimitée",
    revenue: "Chiffre d’affaires",
    orders: "Commandes",
    total: "Total",
    aov: "Panier moyen",
    buyers: "Acheteurs",
    repeat_purchase_rate: "Taux de réachat",
    retention: "Rétention",
    cohort_retention: "Rétention par cohorte",
    cohort: "Cohorte",
    size: "Effectif",
    period: "Période",
    average: "Moyenne",
    period_day: "jour",
    period_week: "semaine",
    period_month: "mois",
    segments: "Segments",
    segment: "Segment",
    targets: "Objectifs",
    target: "Objectif",
    met: "atteint",
    missed: "non atteint",
    actual: "Réalisé",
    no_data: "pas de données",
    metrics: "Mesures",
    metric: "Mesure",
    value: "Valeur",
    date: "Date",
    where_leave: "Où les personnes décrochent",
    where_leave_intro: "Personnes qui ont atteint une étape dans l’ordre mais pas la suivante, réparties selon le point de contact de leur dernier événement. Ensemble, elles sont exactement les personnes que l’entonnoir perd à l’étape suivante.",
    unmapped_events: "Événements non rattachés à un point de contact",
    previous_stage: "Étape précédente",
    next_stage: "Étape suivante",
    all_stages: "Toutes les étapes",
    data_table: "Tableau de données",
    emotion_curve: "Courbe des émotions",
    emotion_1: "très négative",
    emotion_2: "négative",
    emotion_3: "neutre",
    emotion_4: "positive",
    emotion_5: "très positive",
    not_found: "Page introuvable",
    not_found_text: "Cette page n’existe pas. Elle a peut-être été renommée lors d’une modification des parcours.",
    back_home: "Retour à l’accueil",
    skip: "Aller au contenu",
    generated_by: "Généré par",
    view_map: "Ouvrir la carte du parcours",
    conversion_stage: "étape de conversion",
    series: "Évolution",
    comparison: "Conversion par segment",
    no_retention: "Pas de données de rétention pour ce parcours.",
    stage_of: "Étape de",
    of: "sur",
    share_of_start: "des personnes entrées",
    targets_met: "objectifs atteints",
    other_names: "autres noms (leurs lignes dans kpis.json)",
    how_computed: "Comment ces chiffres sont calculés",
    definition: "Définition :",
    more: "Comment c’est calculé",
    started: "Entrées dans le parcours",
    reached: "Atteint dans l’ordre",
    left_after: "Partis après cette étape",
    people_here: "Personnes ici",
    after: "Après",
    of_reached: "de ceux qui l’ont atteinte",
    did_not_reach: "n’ont pas atteint",
    pain_points_of: "Points de friction de l’étape",
    no_segment: "Sans segment",
    pending: "en attente",
    no_data_yet: "Pas encore de données",
    no_data_text: "Ce parcours n’a pas encore de fichier de données : ses chiffres sont vides et ses objectifs en attente. Déclarez un export d’événements ou un export agrégé sous [data] dans le fichier du parcours : la carte ci-dessous est prête à les recevoir.",
    indicator: "Indicateur",
    goal: "Cible",
    status: "Statut",
    sum_of_periods: "somme des périodes",
    read_numbers: "Comment lire ces chiffres",
    poster: "Imprimer au format affiche (A3)",
    poster_hint: "Une feuille A3 à l’italienne : imprimez cette page (Ctrl+P ou ⌘P), format A3, paysage.",
    stage_one: "étape",
    stage_other: "étapes",
    target_one: "objectif",
    target_other: "objectifs",
    date_one: "date",
    date_other: "dates",
    person_one: "personne",
    person_other: "personnes",
    left_one: "parti",
    left_other: "partis",
    reached_stage: "Ont atteint",
    last_seen_at: "Où ils ont été vus en dernier",
    last_seen_intro: "Personnes qui ont quitté le parcours avec leur dernier événement ici, selon l’étape la plus avancée atteinte dans l’ordre. Additionnée sur tous les points de contact, une ligne donne les personnes perdues à l’étape suivante.",
    average_caption:
        "Rétention moyenne des cohortes, à partir de la période 1 (la période 0 est la cohorte elle-même\u{a0}: toujours 100\u{a0}%).",
    activity_day: "Personnes et événements par jour",
    activity_week: "Personnes et événements par semaine",
    activity_month: "Personnes et événements par mois",
    activity_caption: "Personnes\u{a0}: celles ayant au moins un événement de ce point de contact dans la période\u{a0}; événements\u{a0}: ses lignes. Jours et semaines (à partir du lundi) dans le fuseau horaire des données.",
};

impl Strings {
    pub fn of(lang: Language) -> &'static Strings {
        match lang {
            Language::En => &EN,
            Language::Fr => &FR,
        }
    }

    /// The word for an emotion score, 1 (very negative) … 5 (very positive).
    pub fn emotion_label(&self, emotion: u8) -> &'static str {
        match emotion {
            1 => self.emotion_1,
            2 => self.emotion_2,
            3 => self.emotion_3,
            4 => self.emotion_4,
            _ => self.emotion_5,
        }
    }

    pub fn emotion_labels(&self) -> [&'static str; 5] {
        [1, 2, 3, 4, 5].map(|e| self.emotion_label(e))
    }

    /// A channel's name in this language; a channel of the project's own, as written.
    pub fn channel_label(&self, c: &Channel) -> String {
        let Channel::Known(k) = c else {
            return c.name().to_string();
        };
        use KnownChannel::*;
        let (en, fr) = match k {
            Web => ("Web", "Web"),
            Email => ("Email", "E-mail"),
            Social => ("Social media", "Réseaux sociaux"),
            Search => ("Search", "Moteur de recherche"),
            Ads => ("Ads", "Publicité"),
            Phone => ("Phone", "Téléphone"),
            Store => ("Store", "Magasin"),
            App => ("App", "Application"),
            Chat => ("Chat", "Messagerie"),
            Sms => ("SMS", "SMS"),
            Push => ("Push notification", "Notification push"),
            Video => ("Video", "Vidéo"),
            Print => ("Print", "Imprimé"),
            Event => ("Event", "Événement"),
            Partner => ("Partner", "Partenaire"),
            Referral => ("Referral", "Recommandation"),
            Mail => ("Mail", "Courrier"),
            Tv => ("TV", "Télévision"),
            Radio => ("Radio", "Radio"),
            Other => ("Other", "Autre"),
        };
        match self.lang {
            "fr" => fr,
            _ => en,
        }
        .to_string()
    }

    /// "4 of 6 targets met" / "4 objectifs sur 6 atteints".
    pub fn targets_summary(&self, n: Numbers, met: usize, total: usize) -> String {
        match self.lang {
            "fr" => {
                let agree = if n.is_singular(met as f64) {
                    "atteint"
                } else {
                    "atteints"
                };
                format!(
                    "{} sur {} {agree}",
                    n.count(met as f64, self.target_one, self.target_other),
                    total
                )
            }
            _ => format!(
                "{met} of {} met",
                n.count(total as f64, self.target_one, self.target_other)
            ),
        }
    }

    /// The label of a retention target: which return it counts, and when.
    pub fn retention_target(&self, return_stage: &str, period: Period, n: u32) -> String {
        let word = self.period_word(period);
        match self.lang {
            "fr" => format!("Rétention : retour à l’étape {return_stage} ({word} {n})"),
            _ => format!("Retention: back at {return_stage} in {word} {n}"),
        }
    }

    /// What the rows and columns of the retention table count; `stages`: the cohort's and
    /// the return's stage, when counted from events.
    pub fn retention_intro(&self, period: Period, stages: Option<(&str, &str)>) -> String {
        let word = self.period_word(period);
        let plural = if word.ends_with('s') {
            word.to_string()
        } else {
            format!("{word}s")
        };
        let title = self.period_title(period);
        match (self.lang, stages) {
            ("fr", Some((c, r))) => format!(
                "Chaque ligne est une cohorte : les personnes arrivées pour la première fois à l’étape {c} dans la période indiquée. La colonne « {title} N » donne la part d’entre elles revenues à l’étape {r} N {plural} plus tard ; « {title} 0 » est la cohorte elle-même."
            ),
            ("fr", None) => format!(
                "Chaque ligne est une cohorte du fichier de cohortes : sa taille, puis la part de la cohorte retenue N {plural} plus tard (colonne « {title} N ») ; « {title} 0 » est la cohorte elle-même."
            ),
            (_, Some((c, r))) => format!(
                "Each row is a cohort: the people who first reached {c} in that {word}. Column “{title} N” is the share of them back at {r} N {plural} later; “{title} 0” is the cohort itself."
            ),
            (_, None) => format!(
                "Each row is a cohort of the cohort file: its size, then the share of it retained N {plural} later (column “{title} N”); “{title} 0” is the cohort itself."
            ),
        }
    }

    /// How a metric's value combines its dates: "Mean of 12 dates, 5 Jan 2026 – 23 Mar
    /// 2026", "Value on 23 Mar 2026"; `dates` in order, `YYYY-MM-DD`.
    pub fn aggregate_note(&self, n: Numbers, agg: Aggregate, dates: &[&str]) -> String {
        let (Some(first), Some(last)) = (dates.first(), dates.last()) else {
            return String::new();
        };
        let fr = self.lang == "fr";
        if agg == Aggregate::Last || dates.len() == 1 {
            return format!("{} {}", if fr { "Valeur du" } else { "Value on" }, n.date(last));
        }
        let what = match (agg, fr) {
            (Aggregate::Sum, false) => "Sum",
            (Aggregate::Mean, false) => "Mean",
            (Aggregate::Min, false) => "Lowest",
            (Aggregate::Max, false) => "Highest",
            (Aggregate::Sum, true) => "Somme",
            (Aggregate::Mean, true) => "Moyenne",
            (Aggregate::Min, true) => "Minimum",
            (Aggregate::Max, true) => "Maximum",
            (Aggregate::Last, _) => unreachable!("handled above"),
        };
        let of = if fr { "sur" } else { "of" };
        format!(
            "{what} {of} {}, {} – {}",
            n.count(dates.len() as f64, self.date_one, self.date_other),
            n.date(first),
            n.date(last)
        )
    }

    /// The title of a touchpoint's activity chart for a period.
    pub fn activity(&self, period: Period) -> &'static str {
        match period {
            Period::Day => self.activity_day,
            Period::Week => self.activity_week,
            Period::Month => self.activity_month,
        }
    }

    /// The name of a period starting a label ("Week", "Semaine").
    pub fn period_title(&self, period: Period) -> String {
        let mut word = self.period_word(period).chars();
        word.next()
            .map_or(String::new(), |c| c.to_uppercase().chain(word).collect())
    }

    /// The name of a period, in lower case ("week").
    pub fn period_word(&self, period: Period) -> &'static str {
        match period {
            Period::Day => self.period_day,
            Period::Week => self.period_week,
            Period::Month => self.period_month,
        }
    }
}

type FilterResult = tera::Result<Value>;

/// `pct`, `num`, `int`, `money`, `duration`, `unit(unit=…)`, `plural(one=…, other=…)` and
/// `date` filters; null shows "—".
pub fn register_filters(tera: &mut tera::Tera, lang: Language, currency: Option<Currency>) {
    let n = Numbers::new(lang, currency);
    fn with(v: &Value, f: impl Fn(f64) -> String) -> FilterResult {
        Ok(Value::String(v.as_f64().map_or_else(|| "—".to_string(), f)))
    }
    tera.register_filter("pct", move |v: &Value, _: &HashMap<String, Value>| -> FilterResult {
        with(v, |x| n.percent(x))
    });
    tera.register_filter("int", move |v: &Value, _: &HashMap<String, Value>| -> FilterResult {
        with(v, |x| n.integer(x))
    });
    tera.register_filter("money", move |v: &Value, _: &HashMap<String, Value>| -> FilterResult {
        with(v, |x| n.money(x))
    });
    tera.register_filter(
        "duration",
        move |v: &Value, _: &HashMap<String, Value>| -> FilterResult { with(v, |x| n.duration(x)) },
    );
    tera.register_filter("num", move |v: &Value, args: &HashMap<String, Value>| -> FilterResult {
        let places = args.get("places").and_then(Value::as_u64).unwrap_or(1) as usize;
        with(v, |x| n.number(x, places))
    });
    // `date`: a `YYYY-MM-DD` string in the site's language; anything else as it is.
    tera.register_filter("date", move |v: &Value, _: &HashMap<String, Value>| -> FilterResult {
        Ok(match v {
            Value::String(s) => Value::String(n.date(s)),
            Value::Null => Value::String("—".to_string()),
            other => other.clone(),
        })
    });
    tera.register_filter(
        "plural",
        move |v: &Value, args: &HashMap<String, Value>| -> FilterResult {
            let word = |k: &str| {
                args.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| tera::Error::msg(format!("the `plural` filter needs `{k}=\"…\"`")))
            };
            let (one, other) = (word("one")?, word("other")?);
            with(v, |x| n.count(x, &one, &other))
        },
    );
    tera.register_filter(
        "unit",
        move |v: &Value, args: &HashMap<String, Value>| -> FilterResult {
            let name = args.get("unit").and_then(Value::as_str).unwrap_or("count");
            let unit = Unit::from_name(name).ok_or_else(|| {
                tera::Error::msg(format!(
                    "the `unit` filter got unit `{name}`; expected one of {}",
                    Unit::names().join(", ")
                ))
            })?;
            with(v, |x| n.unit(x, unit))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_by_score_and_period() {
        assert_eq!(EN.emotion_label(1), "very negative");
        assert_eq!(FR.emotion_labels()[4], "très positive");
        assert_eq!(FR.period_word(Period::Month), "mois");
        let t = serde_json::to_value(&EN).unwrap();
        assert_eq!(t["reach"], "Any event here");
    }

    #[test]
    fn the_unit_filter_refuses_an_unknown_unit() {
        let mut tera = tera::Tera::default();
        register_filters(&mut tera, Language::En, None);
        let ok = tera.render_str("{{ 0.25 | unit(unit=\"percent\") }}", &tera::Context::new());
        assert_eq!(ok.unwrap(), "25.0%");
        let two = tera.render_str(
            "{{ 2 | plural(one=\"stage\", other=\"stages\") }}",
            &tera::Context::new(),
        );
        assert_eq!(two.unwrap(), "2\u{a0}stages");
        let bad = tera.render_str("{{ 1 | unit(unit=\"percnt\") }}", &tera::Context::new());
        assert!(format!("{:?}", bad.unwrap_err()).contains("expected one of count, percent"));
    }

    #[test]
    fn a_metric_says_how_it_combines_its_dates() {
        let en = Numbers::EN;
        let fr = Numbers::new(Language::Fr, None);
        let d = ["2026-01-05", "2026-01-12", "2026-03-23"];
        assert_eq!(
            EN.aggregate_note(en, Aggregate::Mean, &d).replace('\u{a0}', " "),
            "Mean of 3 dates, 5 Jan 2026 – 23 Mar 2026"
        );
        assert_eq!(
            FR.aggregate_note(fr, Aggregate::Sum, &d).replace('\u{a0}', " "),
            "Somme sur 3 dates, 5 janv. 2026 – 23 mars 2026"
        );
        assert_eq!(
            EN.aggregate_note(en, Aggregate::Last, &d).replace('\u{a0}', " "),
            "Value on 23 Mar 2026"
        );
        assert_eq!(
            EN.aggregate_note(en, Aggregate::Max, &d[..1]).replace('\u{a0}', " "),
            "Value on 5 Jan 2026"
        );
        assert_eq!(EN.aggregate_note(en, Aggregate::Sum, &[]), "");
    }

    #[test]
    fn the_date_filter_writes_dates_in_the_site_language() {
        let mut tera = tera::Tera::default();
        register_filters(&mut tera, Language::Fr, None);
        let out = tera.render_str("{{ \"2026-03-02\" | date }}", &tera::Context::new());
        assert_eq!(out.unwrap(), "2\u{a0}mars\u{a0}2026");
    }
}
