//! The UI strings of survey feedback ("what customers say"), per language: a part of
//! [`super::i18n::Strings`] (`{{ t.voice.… }}` in templates), kept apart for its size.

use serde::Serialize;

use crate::spec::FeedbackField;

#[derive(Debug, Serialize)]
pub struct VoiceStrings {
    pub what_customers_say: &'static str,
    pub what_customers_say_intro: &'static str,
    pub stated: &'static str,
    pub measured: &'static str,
    pub gap: &'static str,
    pub stated_and_measured: &'static str,
    pub stated_and_measured_intro: &'static str,
    pub source: &'static str,
    pub responses: &'static str,
    pub response_one: &'static str,
    pub response_other: &'static str,
    pub mean: &'static str,
    pub nps: &'static str,
    pub satisfied: &'static str,
    pub easy: &'static str,
    pub measured_emotion: &'static str,
    pub latest_comments: &'static str,
    pub no_comment: &'static str,
    pub mention_one: &'static str,
    pub mention_other: &'static str,
    pub left_at_stage: &'static str,
    pub score_over_time: &'static str,
    pub weekly_mean: &'static str,
    pub week_of: &'static str,
}

pub const EN: VoiceStrings = VoiceStrings {
    what_customers_say: "What customers say",
    what_customers_say_intro: "Survey answers about this step and its touchpoints; comments are quoted as customers wrote them.",
    stated: "stated",
    measured: "measured",
    gap: "gap",
    stated_and_measured: "Stated and measured emotion",
    stated_and_measured_intro: "The emotion the team wrote for each stage, beside the one its survey answers measure (the mean score set on the same 1–5 scale). A large gap is worth a look.",
    source: "Survey",
    responses: "Responses",
    response_one: "response",
    response_other: "responses",
    mean: "Mean score",
    nps: "NPS",
    satisfied: "Satisfied",
    easy: "Easy",
    measured_emotion: "Measured emotion",
    latest_comments: "Latest comments",
    no_comment: "No comment yet.",
    mention_one: "mention",
    mention_other: "mentions",
    left_at_stage: "last seen at this stage",
    score_over_time: "Score over time",
    weekly_mean: "Weekly mean score",
    week_of: "Week of",
};

pub const FR: VoiceStrings = VoiceStrings {
    what_customers_say: "Ce que disent les clients",
    what_customers_say_intro: "Réponses aux enquêtes sur cette étape et ses points de contact ; les commentaires sont cités tels que les clients les ont écrits.",
    stated: "déclarée",
    measured: "mesurée",
    gap: "écart",
    stated_and_measured: "Émotion déclarée et mesurée",
    stated_and_measured_intro: "L’émotion que l’équipe a notée pour chaque étape, à côté de celle que mesurent les réponses aux enquêtes (la note moyenne ramenée à la même échelle de 1 à 5). Un grand écart mérite un examen.",
    source: "Enquête",
    responses: "Réponses",
    response_one: "réponse",
    response_other: "réponses",
    mean: "Note moyenne",
    nps: "NPS",
    satisfied: "Satisfaits",
    easy: "Facile",
    measured_emotion: "Émotion mesurée",
    latest_comments: "Derniers commentaires",
    no_comment: "Aucun commentaire pour l’instant.",
    mention_one: "mention",
    mention_other: "mentions",
    left_at_stage: "vues pour la dernière fois à cette étape",
    score_over_time: "Note dans le temps",
    weekly_mean: "Note moyenne par semaine",
    week_of: "Semaine du",
};

impl VoiceStrings {
    /// The name of a feedback number.
    pub fn field(&self, f: FeedbackField) -> &'static str {
        match f {
            FeedbackField::Responses => self.responses,
            FeedbackField::Mean => self.mean,
            FeedbackField::Nps => self.nps,
            FeedbackField::Satisfied => self.satisfied,
            FeedbackField::Easy => self.easy,
        }
    }
}
