//! The UI strings of paths, flows, time to convert, trends and segment significance, per
//! language: a part of [`super::i18n::Strings`] (`{{ t.flow.… }}` in templates).

use serde::Serialize;

use crate::spec::Period;

#[derive(Debug, Serialize)]
pub struct FlowStrings {
    pub paths: &'static str,
    pub paths_intro: &'static str,
    pub flows: &'static str,
    pub position: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub stopped: &'static str,
    pub other: &'static str,
    pub top_paths: &'static str,
    pub path: &'static str,
    pub people: &'static str,
    pub converted: &'static str,
    pub time_to_reach: &'static str,
    pub time_intro: &'static str,
    pub quarter: &'static str,
    pub half: &'static str,
    pub three_quarters: &'static str,
    pub ninety: &'static str,
    pub time_from_previous: &'static str,
    pub trend_day: &'static str,
    pub trend_week: &'static str,
    pub trend_month: &'static str,
    pub trend_intro: &'static str,
    pub period_start: &'static str,
    pub entered: &'static str,
    pub interval: &'static str,
    pub vs_others: &'static str,
    pub differs: &'static str,
    pub no_difference: &'static str,
    pub not_testable: &'static str,
    pub differ_some: &'static str,
    pub differ_none: &'static str,
}

pub const EN: FlowStrings = FlowStrings {
    paths: "Paths between touchpoints",
    paths_intro: "The touchpoints each person went through, in time order: a touchpoint seen several times in a row counts once, and paths are cut after a few steps. The map above is the journey as designed; these are the roads people took, back and forth.",
    flows: "Flows, position by position",
    position: "position",
    from: "From",
    to: "To",
    stopped: "Stopped",
    other: "Other touchpoints",
    top_paths: "Most frequent paths",
    path: "Path",
    people: "People",
    converted: "Converted",
    time_to_reach: "Time to reach this stage",
    time_intro: "For the people who reached this stage in order: how long after the previous stage they got here.",
    quarter: "A quarter within",
    half: "Half within",
    three_quarters: "Three quarters within",
    ninety: "90 % within",
    time_from_previous: "Time since the previous stage",
    trend_day: "Conversion by day of entry",
    trend_week: "Conversion by week of entry",
    trend_month: "Conversion by month of entry",
    trend_intro: "People by the period they entered the funnel, and the share of them who converted. The latest periods have had less time to convert.",
    period_start: "Period from",
    entered: "Entered",
    interval: "95 % interval",
    vs_others: "Against all other users",
    differs: "differs at p < 0.05",
    no_difference: "no clear difference",
    not_testable: "cannot be tested",
    differ_some: "Converts differently from all other users at p < 0.05:",
    differ_none: "No segment converts differently from all other users at p < 0.05: the gaps between them could be chance.",
};

pub const FR: FlowStrings = FlowStrings {
    paths: "Chemins entre points de contact",
    paths_intro: "Les points de contact par lesquels chaque personne est passée, dans l’ordre du temps : un point de contact vu plusieurs fois de suite compte une fois, et les chemins sont coupés après quelques étapes. La carte ci-dessus est le parcours tel qu’il a été conçu ; voici les chemins réellement pris, avec leurs allers-retours.",
    flows: "Flux, position par position",
    position: "position",
    from: "De",
    to: "Vers",
    stopped: "Arrêt",
    other: "Autres points de contact",
    top_paths: "Chemins les plus fréquents",
    path: "Chemin",
    people: "Personnes",
    converted: "Convertis",
    time_to_reach: "Temps pour atteindre cette étape",
    time_intro: "Pour les personnes qui ont atteint cette étape dans l’ordre : combien de temps après l’étape précédente elles y sont arrivées.",
    quarter: "Un quart en moins de",
    half: "La moitié en moins de",
    three_quarters: "Trois quarts en moins de",
    ninety: "90 % en moins de",
    time_from_previous: "Délai depuis l’étape précédente",
    trend_day: "Conversion par jour d’entrée",
    trend_week: "Conversion par semaine d’entrée",
    trend_month: "Conversion par mois d’entrée",
    trend_intro: "Les personnes selon la période où elles sont entrées dans l’entonnoir, et la part d’entre elles qui a converti. Les dernières périodes ont eu moins de temps pour convertir.",
    period_start: "Période du",
    entered: "Entrés",
    interval: "Intervalle à 95 %",
    vs_others: "Face à tous les autres",
    differs: "diffère (p < 0,05)",
    no_difference: "pas d’écart net",
    not_testable: "non testable",
    differ_some: "Convertit différemment de tous les autres (p < 0,05) :",
    differ_none: "Aucun segment ne convertit différemment de tous les autres (p < 0,05) : les écarts entre eux peuvent être dus au hasard.",
};

impl FlowStrings {
    /// The trend chart's title for entries counted per `period`.
    pub fn trend(&self, period: Period) -> &'static str {
        match period {
            Period::Day => self.trend_day,
            Period::Week => self.trend_week,
            Period::Month => self.trend_month,
        }
    }
}
