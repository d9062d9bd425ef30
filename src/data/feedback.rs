//! `[[data.feedback]]`: survey answers, one row per answer — which stage or touchpoint it
//! is about, when it was given, its score on the source's scale, and optionally the
//! customer's comment and id.
//!
//! Surveys have thousands of rows, so this reads through the small-table reader
//! ([`super::table`]) in every format; each bad value is a located error, or with
//! `on_error = "skip"` a skipped row counted by reason.

use std::collections::BTreeMap;

use super::cache::{FileInput, Place};
use super::number::{parse_table_number, separator_hint};
use super::table::{read_named_rows, Row};
use super::time::{self, TimeReader};
use crate::diagnostics::{did_you_mean, Diagnostic, Diagnostics};
use crate::spec::{Choice, Decimal, FeedbackSource, Journey, NamedScale, OnError, TimeFormat};
use crate::zone::Zone;

/// What the feedback reader's result depends on (the cache key, with the file's stamp).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FeedbackInput {
    pub file: FileInput,
    /// Columns, each with the place the spec names it: key, time, score, then the
    /// optional comment and user.
    pub columns: Vec<(String, Place)>,
    pub has_comment: bool,
    pub has_user: bool,
    pub scale: NamedScale,
    pub time_format: TimeFormat,
    pub timezone: String,
    pub on_error: OnError,
    /// The ids a key may name: stages, then touchpoints (journey order).
    pub stages: Vec<String>,
    pub touchpoints: Vec<String>,
}

impl FeedbackInput {
    pub fn of(journey: &Journey, src: &FeedbackSource) -> FeedbackInput {
        let col = |c: &crate::spec::Located<String>| (c.value.clone(), Place(c.loc.clone()));
        let mut columns = vec![col(&src.key), col(&src.time), col(&src.score)];
        columns.extend(src.comment.iter().map(col));
        columns.extend(src.user.iter().map(col));
        FeedbackInput {
            file: FileInput::of(&src.file),
            columns,
            has_comment: src.comment.is_some(),
            has_user: src.user.is_some(),
            scale: src.scale,
            time_format: src.time_format.clone(),
            timezone: src.timezone.clone(),
            on_error: src.on_error,
            stages: journey.stages.iter().map(|s| s.id.clone()).collect(),
            touchpoints: journey.touchpoints().map(|(_, t)| t.id.clone()).collect(),
        }
    }

    fn named(&self) -> Vec<(&str, &Place)> {
        self.columns.iter().map(|(c, p)| (c.as_str(), p)).collect()
    }
}

/// What an answer is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    /// Stage index.
    Stage(usize),
    /// Touchpoint index, journey order.
    Touchpoint(usize),
}

/// One survey answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Answer {
    pub owner: Owner,
    /// Microseconds since the Unix epoch.
    pub time: i64,
    /// A whole point of the source's scale.
    pub score: u8,
    /// Trimmed; `None` when empty or not read.
    pub comment: Option<Box<str>>,
    pub user: Option<Box<str>>,
}

/// The answers of one feedback source, in file order (a later answer is a later line).
#[derive(Debug, Default, Clone)]
pub struct FeedbackData {
    pub answers: Vec<Answer>,
    /// Rows skipped with `on_error = "skip"`, per reason.
    pub skipped: BTreeMap<&'static str, u64>,
    /// Keys of skipped rows that name no stage or touchpoint, with their rows.
    pub unknown_keys: BTreeMap<String, u64>,
}

const KEY: usize = 0;
const TIME: usize = 1;
const SCORE: usize = 2;

pub fn check_header(input: &FeedbackInput, diags: &mut Diagnostics) {
    super::table::check_named_columns(&input.file, &input.named(), diags);
}

pub fn read(input: &FeedbackInput, diags: &mut Diagnostics) -> Option<FeedbackData> {
    let file = &input.file;
    let zone = Zone::named(&input.timezone).unwrap_or_default();
    let mut times = TimeReader::new(&input.time_format, &zone);
    let scale = input.scale.scale();
    let skip = input.on_error == OnError::Skip;
    let comment_col = input.has_comment.then_some(3);
    let user_col = input.has_user.then_some(3 + usize::from(input.has_comment));
    let mut data = FeedbackData::default();
    let mut rows = 0u64;
    let mut errors = 0usize;
    let named = input.named();
    let ok = read_named_rows(file, &named, diags, |row, diags| {
        rows += 1;
        // Every problem of the row is reported (or counted once, by its first reason).
        let mut problems: Vec<(&'static str, Diagnostic)> = Vec::new();
        let key = row.get(KEY);
        let owner = if key.is_empty() {
            problems.push((
                "empty key",
                row.error(KEY, "empty key: expected a stage id or a touchpoint id"),
            ));
            None
        } else if let Some(s) = input.stages.iter().position(|s| s == key) {
            Some(Owner::Stage(s))
        } else if let Some(t) = input.touchpoints.iter().position(|t| t == key) {
            Some(Owner::Touchpoint(t))
        } else {
            let ids = input.stages.iter().chain(&input.touchpoints).map(String::as_str);
            problems.push((
                "unknown key",
                row.error(
                    KEY,
                    format!("key `{key}` is neither a stage nor a touchpoint of this journey"),
                )
                .help_opt(did_you_mean(key, ids)),
            ));
            if skip {
                *data.unknown_keys.entry(key.to_string()).or_default() += 1;
            }
            None
        };
        let t = times.parse(row.get(TIME).as_bytes());
        if t.is_none() {
            let value = row.get(TIME);
            problems.push((
                "unparsable time",
                row.error(
                    TIME,
                    format!(
                        "invalid time `{value}`: expected {}",
                        time::expected(&input.time_format)
                    ),
                )
                .help_opt(time::format_hint(value, &input.time_format, "[[data.feedback]]")),
            ));
        }
        let score = match score(row, input.file.options.decimal, input.scale) {
            Ok(s) if (scale.min..=scale.max).contains(&s) => Some(s as u8),
            Ok(_) => {
                problems.push((
                    "score outside the scale",
                    row.error(
                        SCORE,
                        format!(
                            "score {} is outside the {} scale ({}–{})",
                            row.get(SCORE),
                            input.scale.name(),
                            scale.min,
                            scale.max
                        ),
                    )
                    .help(scale_help(input.scale)),
                ));
                None
            }
            Err(d) => {
                problems.push(("invalid score", d));
                None
            }
        };
        if let Some((reason, _)) = problems.first() {
            if skip {
                *data.skipped.entry(reason).or_default() += 1;
            } else {
                errors += problems.len();
                diags.items.extend(problems.into_iter().map(|(_, d)| d));
            }
            return;
        }
        let text = |i: Option<usize>| i.map(|i| row.get(i)).filter(|s| !s.is_empty()).map(Box::<str>::from);
        data.answers.push(Answer {
            owner: owner.expect("no problem: a key"),
            time: t.expect("no problem: a time"),
            score: score.expect("no problem: a score"),
            comment: text(comment_col),
            user: text(user_col),
        });
    });
    if !ok || errors > 0 {
        return None;
    }
    if skip && rows > 0 && data.answers.is_empty() {
        let reasons: Vec<String> = data.skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
        diags.push(
            file.error(format!(
                "every row of `{}` was skipped ({}): nothing is left to measure",
                file.shown,
                reasons.join(", ")
            ))
            .help("`on_error = \"skip\"` drops bad rows; here all of them are bad — check the columns and the scale"),
        );
        return None;
    }
    Some(data)
}

/// The score of a row: a number (in the file's decimal notation) that is a whole point.
fn score(row: &Row, decimal: Decimal, scale: NamedScale) -> Result<f64, Diagnostic> {
    let raw = row.get(SCORE);
    let Some(v) = parse_table_number(raw, decimal) else {
        let help = if raw.is_empty() {
            "every answer needs a score; with `on_error = \"skip\"` rows without one are skipped".to_string()
        } else {
            separator_hint(raw, decimal, "[[data.feedback]]").unwrap_or_else(|| scale_help(scale))
        };
        return Err(row
            .error(SCORE, format!("invalid score `{raw}`: expected a number"))
            .help(help));
    };
    if v.fract() != 0.0 {
        return Err(row
            .error(SCORE, format!("score {raw} is not a whole point of the scale"))
            .help(scale_help(scale)));
    }
    Ok(v)
}

fn scale_help(scale: NamedScale) -> String {
    let s = scale.scale();
    format!(
        "a {} score is a whole number from {} to {}; set `scale` to the survey's own (nps 0–10, csat 1–5, ces 1–7, stars 1–5)",
        scale.name(),
        s.min,
        s.max
    )
}
