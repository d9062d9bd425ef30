//! Survey feedback (`[[data.feedback]]`): every number against a brute-force reference on
//! random answers, the same answers read from JSON lines, each bad input located, and
//! customer-written comments reaching pages only as text.

mod common;

use common::*;
use proptest::prelude::*;
use serde_json::{json, Value};

/// Stages and their touchpoints of the test journey (keys are any of these ids).
const STAGES: &[(&str, &[&str])] = &[("a", &["ta1", "ta2"]), ("b", &["tb1"]), ("c", &[])];
const KEYS: &[&str] = &["a", "b", "c", "ta1", "ta2", "tb1"];
const SCALES: &[(&str, u8, u8)] = &[("nps", 0, 10), ("csat", 1, 5), ("ces", 1, 7), ("stars", 1, 5)];
/// Comments with case and accent variants of the keywords below ("" = no comment).
const COMMENTS: &[&str] = &[
    "",
    "Le prix est élevé",
    "price too HIGH",
    "Délai trop long",
    "DELAI",
    "arrived late",
    "LATE and pricey",
    "ok",
    "Déjà vu <b>bold</b>",
];
/// Pain points of stage a and b: (stage, text, keywords); no keywords = not counted.
const PAINS: &[(&str, &str, &[&str])] = &[
    ("a", "Price", &["prix", "PRICE"]),
    ("a", "Plain", &[]),
    ("b", "Slow", &["délai", "late"]),
];
const T0: i64 = 1_767_571_200; // 2026-01-05T00:00:00Z

/// (key index, seconds after T0, score offset from the scale's minimum, comment index).
type Answer = (usize, i64, u8, usize);

#[derive(Clone, Debug)]
struct Source {
    scale: usize,
    answers: Vec<Answer>,
}

fn sources() -> impl Strategy<Value = Vec<Source>> {
    let answer = (0..KEYS.len(), 0..40 * 86_400i64, 0..11u8, 0..COMMENTS.len());
    prop::collection::vec(
        (0..SCALES.len(), prop::collection::vec(answer, 0..40)).prop_map(|(scale, answers)| Source {
            scale,
            answers: answers
                .into_iter()
                // Times on a coarse grid: ties are frequent.
                .map(|(k, t, s, c)| (k, t / 21_600 * 21_600, s % (SCALES[scale].2 - SCALES[scale].1 + 1), c))
                .collect(),
        }),
        1..3,
    )
}

fn journey_toml(sources: &[Source], format: &str) -> String {
    let mut t = String::from("title = \"J\"\n\n");
    for (i, s) in sources.iter().enumerate() {
        let ext = if format == "jsonl" { "jsonl" } else { "csv" };
        t += &format!(
            "[[data.feedback]]\nid = \"s{i}\"\npath = \"data/s{i}.{ext}\"\nkey = \"key\"\ntime = \"at\"\nscore = \"score\"\nscale = \"{}\"\ncomment = \"comment\"\n\n",
            SCALES[s.scale].0
        );
    }
    for (id, tps) in STAGES {
        t += &format!("[[stages]]\nid = \"{id}\"\n");
        let pains: Vec<String> = PAINS
            .iter()
            .filter(|p| p.0 == *id)
            .map(|(_, text, kw)| {
                if kw.is_empty() {
                    format!("\"{text}\"")
                } else {
                    let kw: Vec<String> = kw.iter().map(|k| format!("\"{k}\"")).collect();
                    format!("{{ text = \"{text}\", keywords = [{}] }}", kw.join(", "))
                }
            })
            .collect();
        t += &format!("pain_points = [{}]\n", pains.join(", "));
        if *id == "a" {
            t += "feedback_targets = [{ source = \"s0\", field = \"mean\", min = 1 }]\n";
        }
        for tp in *tps {
            t += &format!("  [[stages.touchpoints]]\n  id = \"{tp}\"\n");
        }
    }
    t
}

fn time(secs: i64) -> String {
    jiff::Timestamp::from_second(T0 + secs)
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn write_project(sources: &[Source], format: &str) -> Project {
    let p = Project::empty();
    p.write("journeymap.toml", "title = \"T\"\n");
    p.write("journeys/j.toml", journey_toml(sources, format));
    for (i, s) in sources.iter().enumerate() {
        let min = SCALES[s.scale].1;
        if format == "jsonl" {
            let mut text = String::new();
            for (k, t, score, c) in &s.answers {
                let mut obj = json!({ "key": KEYS[*k], "at": time(*t), "score": min + score });
                if !COMMENTS[*c].is_empty() {
                    obj["comment"] = json!(COMMENTS[*c]);
                }
                text += &format!("{obj}\n");
            }
            p.write(&format!("data/s{i}.jsonl"), text);
        } else {
            let mut text = String::from("key,at,score,comment\n");
            for (k, t, score, c) in &s.answers {
                text += &format!("{},{},{},{}\n", KEYS[*k], time(*t), min + score, COMMENTS[*c]);
            }
            p.write(&format!("data/s{i}.csv"), text);
        }
    }
    p
}

/// Lower case without the accents the comments use: a different implementation from the
/// engine's Unicode decomposition.
fn naive_fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'é' | 'É' | 'è' | 'ê' => 'e',
            'à' | 'À' => 'a',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn stage_of(key: &str) -> &'static str {
    STAGES
        .iter()
        .find(|(s, tps)| *s == key || tps.contains(&key))
        .map(|(s, _)| *s)
        .unwrap()
}

/// The stats of `rows` (line index, answer) of a source, from the definitions.
fn reference_stats(scale: usize, rows: &[(usize, Answer)]) -> Value {
    let (name, min, max) = SCALES[scale];
    let n = rows.len();
    let scores: Vec<u8> = rows.iter().map(|(_, a)| min + a.2).collect();
    let count = |f: &dyn Fn(u8) -> bool| scores.iter().filter(|&&s| f(s)).count() as f64;
    let mean = (n > 0).then(|| scores.iter().map(|&s| s as u64).sum::<u64>() as f64 / n as f64);
    let (field, share) = match name {
        "nps" => ("nps", 100.0 * (count(&|s| s >= 9) - count(&|s| s <= 6)) / n as f64),
        "ces" => ("easy", count(&|s| s >= 5) / n as f64),
        _ => ("satisfied", count(&|s| s >= 4) / n as f64),
    };
    let mut commented: Vec<&(usize, Answer)> = rows.iter().filter(|(_, a)| !COMMENTS[a.3].is_empty()).collect();
    commented.sort_by_key(|(line, a)| std::cmp::Reverse((a.1, *line)));
    let verbatims: Vec<Value> = commented
        .iter()
        .take(3)
        .map(|(_, a)| json!({ "time": time(a.1), "text": COMMENTS[a.3] }))
        .collect();
    let mut o = serde_json::Map::new();
    o.insert("responses".into(), json!(n));
    o.insert("mean".into(), json!(mean));
    o.insert(field.into(), json!((n > 0).then_some(share)));
    o.insert(
        "measured_emotion".into(),
        json!(mean.map(|m| 1.0 + 4.0 * (m - min as f64) / (max as f64 - min as f64))),
    );
    o.insert("verbatims".into(), json!(verbatims));
    Value::Object(o)
}

/// `v` written and read back as the engine's output is: serde_json's reading of a float
/// may differ from the float in its last bit.
fn reparsed(v: Value) -> Value {
    serde_json::from_str(&v.to_string()).unwrap()
}

fn reference(sources: &[Source]) -> Value {
    let mut pains: Vec<(Option<u64>, usize, Value)> = PAINS
        .iter()
        .enumerate()
        .map(|(i, (stage, text, kw))| {
            let mentions = (!kw.is_empty()).then(|| {
                sources
                    .iter()
                    .flat_map(|s| &s.answers)
                    .filter(|a| stage_of(KEYS[a.0]) == *stage && !COMMENTS[a.3].is_empty())
                    .filter(|a| kw.iter().any(|k| naive_fold(COMMENTS[a.3]).contains(&naive_fold(k))))
                    .count() as u64
            });
            (
                mentions,
                i,
                json!({ "stage": stage, "text": text, "mentions": mentions }),
            )
        })
        .collect();
    pains.sort_by_key(|(m, i, _)| (std::cmp::Reverse(m.map_or(0, |m| m + 1)), *i));
    let pains: Vec<Value> = pains.into_iter().map(|(_, _, v)| v).collect();
    let sources_json: Vec<Value> = sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let rows: Vec<(usize, Answer)> = s.answers.iter().copied().enumerate().collect();
            let mut stages = serde_json::Map::new();
            for (id, _) in STAGES {
                let own: Vec<(usize, Answer)> = rows.iter().copied().filter(|(_, a)| stage_of(KEYS[a.0]) == *id).collect();
                stages.insert(id.to_string(), reference_stats(s.scale, &own));
            }
            let mut tps = serde_json::Map::new();
            for tp in STAGES.iter().flat_map(|(_, t)| t.iter()) {
                let own: Vec<(usize, Answer)> = rows.iter().copied().filter(|(_, a)| KEYS[a.0] == *tp).collect();
                tps.insert(tp.to_string(), reference_stats(s.scale, &own));
            }
            json!({ "id": format!("s{i}"), "scale": SCALES[s.scale].0, "stages": stages, "touchpoints": tps, "pain_points": pains })
        })
        .collect();
    json!(sources_json)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn feedback_matches_the_definitions(sources in sources()) {
        let p = write_project(&sources, "csv");
        let k = p.journey_kpis();
        prop_assert_eq!(&k["feedback"], &reparsed(reference(&sources)));
        // A stage's target reads its mean (null without answers: not met).
        let expected = reparsed(reference(&sources));
        let mean = &expected[0]["stages"]["a"]["mean"];
        let target = k["targets"].as_array().unwrap().last().unwrap().clone();
        prop_assert_eq!(&target["kpi"], &json!("feedback.s0.a.mean"));
        prop_assert_eq!(&target["actual"], mean);
        prop_assert_eq!(&target["met"], &json!(mean.as_f64().is_some_and(|m| m >= 1.0)));
    }
}

#[test]
fn json_lines_give_the_same_feedback() {
    let sources = vec![
        Source {
            scale: 0,
            answers: vec![(0, 0, 10, 1), (3, 3600, 2, 0), (5, 3600, 7, 5), (1, 7200, 9, 8)],
        },
        Source {
            scale: 2,
            answers: vec![(4, 100, 6, 2), (2, 100, 0, 3)],
        },
    ];
    let csv = write_project(&sources, "csv").journey_kpis();
    let jsonl = write_project(&sources, "jsonl").journey_kpis();
    assert_eq!(csv["feedback"], reparsed(reference(&sources)));
    assert_eq!(jsonl["feedback"], csv["feedback"]);
}

/// A one-source project whose answers file is `csv` (columns key,at,score,comment).
fn one_source(scale: &str, csv: &str, extra: &str) -> Project {
    let p = Project::empty();
    p.write("journeymap.toml", "title = \"T\"\n");
    p.write(
        "journeys/j.toml",
        format!(
            "title = \"J\"\n\n[[data.feedback]]\nid = \"survey\"\npath = \"data/f.csv\"\nkey = \"key\"\ntime = \"at\"\nscore = \"score\"\nscale = \"{scale}\"\ncomment = \"comment\"\n{extra}\n[[stages]]\nid = \"buy\"\npain_points = [\"Price\"]\n\n  [[stages.touchpoints]]\n  id = \"checkout\"\n"
        ),
    );
    p.write("data/f.csv", csv);
    p
}

/// The only diagnostic of `kind` of `p`'s check: (file, line, column, message, help).
fn only(p: &Project, kind: &str) -> (String, u64, u64, String, String) {
    let (code, doc) = p.check_json(&[]);
    assert_eq!(code, if kind == "errors" { 1 } else { 0 }, "{doc}");
    let items = doc[kind].as_array().unwrap();
    assert_eq!(items.len(), 1, "{doc}");
    let d = &items[0];
    let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
    (
        s("file"),
        d["line"].as_u64().unwrap(),
        d["column"].as_u64().unwrap_or(0),
        s("message"),
        s("help"),
    )
}

const GOOD: &str = "key,at,score,comment\ncheckout,2026-01-05T10:00:00Z,9,great price\n";

#[test]
fn bad_scores_are_located_with_the_scale() {
    let p = one_source("csat", "key,at,score,comment\ncheckout,2026-01-05T10:00:00Z,6,x\n", "");
    let (file, line, col, msg, help) = only(&p, "errors");
    assert_eq!((file.as_str(), line, col), ("data/f.csv", 2, 31));
    assert_eq!(msg, "score 6 is outside the csat scale (1–5)");
    assert!(help.contains("whole number from 1 to 5"), "{help}");

    let p = one_source("nps", "key,at,score,comment\ncheckout,2026-01-05T10:00:00Z,8.5,x\n", "");
    let (_, line, _, msg, _) = only(&p, "errors");
    assert_eq!((line, msg.as_str()), (2, "score 8.5 is not a whole point of the scale"));

    let p = one_source(
        "nps",
        "key,at,score,comment\ncheckout,2026-01-05T10:00:00Z,\"8,0\",x\n",
        "",
    );
    let (_, _, _, msg, help) = only(&p, "errors");
    assert!(msg.contains("invalid score `8,0`"), "{msg}");
    assert!(help.contains("decimal = \",\""), "{help}");
    // With the decimal comma declared, 8,0 is the whole point 8.
    let p = one_source(
        "nps",
        "key;at;score;comment\ncheckout;2026-01-05T10:00:00Z;8,0;x\n",
        "delimiter = \";\"\ndecimal = \",\"",
    );
    assert_eq!(
        p.journey_kpis()["feedback"][0]["touchpoints"]["checkout"]["mean"],
        json!(8.0)
    );
    // "9.0" is a whole point.
    let p = one_source("nps", "key,at,score,comment\ncheckout,2026-01-05T10:00:00Z,9.0,x\n", "");
    assert_eq!(p.journey_kpis()["feedback"][0]["stages"]["buy"]["nps"], json!(100.0));
}

#[test]
fn unknown_keys_are_errors_or_skipped_and_listed() {
    let csv = "key,at,score,comment\ncheckout,2026-01-05T10:00:00Z,9,\ncheckuot,2026-01-05T11:00:00Z,3,\n";
    let (file, line, col, msg, help) = only(&one_source("nps", csv, ""), "errors");
    assert_eq!((file.as_str(), line, col), ("data/f.csv", 3, 1));
    assert!(
        msg.contains("key `checkuot` is neither a stage nor a touchpoint"),
        "{msg}"
    );
    assert!(help.contains("checkout"), "{help}");

    let p = one_source("nps", csv, "on_error = \"skip\"");
    let (file, line, _, msg, help) = only(&p, "warnings");
    assert_eq!((file.as_str(), line), ("journeys/j.toml", 5));
    assert_eq!(msg, "skipped 1 bad row of `data/f.csv`: 1 unknown key");
    assert_eq!(help, "keys that name no stage or touchpoint: checkuot (1)");
    assert_eq!(p.journey_kpis()["feedback"][0]["stages"]["buy"]["responses"], json!(1));

    // Skipping every row leaves nothing to measure: an error, not a pass.
    let csv = "key,at,score,comment\nnope,2026-01-05T10:00:00Z,9,\n";
    let (_, line, _, msg, _) = only(&one_source("nps", csv, "on_error = \"skip\""), "errors");
    assert_eq!(line, 5);
    assert!(
        msg.contains("every row of `data/f.csv` was skipped (1 unknown key)"),
        "{msg}"
    );
}

#[test]
fn times_follow_the_declared_format_with_a_hint() {
    // After the 12th: only one pattern reads it.
    let csv = "key,at,score,comment\ncheckout,25/01/2026 10:00,9,\n";
    let (_, line, col, msg, help) = only(&one_source("nps", csv, ""), "errors");
    assert_eq!((line, col), (2, 10));
    assert!(msg.starts_with("invalid time `25/01/2026 10:00`"), "{msg}");
    assert!(
        help.contains("`time_format = \"%d/%m/%Y %H:%M\"` in [[data.feedback]]"),
        "{help}"
    );
    // Declared with its zone: 10:00 in Paris is 09:00 UTC.
    let p = one_source(
        "nps",
        "key,at,score,comment\ncheckout,05/01/2026 10:00,9,merci\n",
        "time_format = \"%d/%m/%Y %H:%M\"\ntimezone = \"Europe/Paris\"",
    );
    assert_eq!(
        p.journey_kpis()["feedback"][0]["stages"]["buy"]["verbatims"],
        json!([{ "time": "2026-01-05T09:00:00Z", "text": "merci" }])
    );
}

#[test]
fn a_missing_column_is_an_error_where_the_spec_names_it() {
    let p = one_source("nps", "key,at,note,comment\ncheckout,2026-01-05T10:00:00Z,9,\n", "");
    let (file, line, col, msg, help) = only(&p, "errors");
    assert_eq!((file.as_str(), line, col), ("journeys/j.toml", 8, 9));
    assert_eq!(msg, "column `score` not found in the header of `data/f.csv`");
    assert!(help.contains("key,at,note,comment"), "{help}");
}

#[test]
fn spec_mistakes_are_located() {
    // A target on a source that does not exist, with the nearest id.
    let p = one_source("nps", GOOD, "");
    p.append(
        "journeys/j.toml",
        "feedback_targets = [{ source = \"survy\", field = \"nps\", min = 0 }]\n",
    );
    let (_, line, _, msg, help) = only(&p, "errors");
    assert_eq!((line, msg.as_str()), (18, "unknown feedback source `survy`"));
    assert!(help.contains("survey"), "{help}");
    // A field the scale does not compute.
    let p = one_source("csat", GOOD.replace(",9,", ",4,").as_str(), "");
    p.append(
        "journeys/j.toml",
        "feedback_targets = [{ source = \"survey\", field = \"nps\", min = 0 }]\n",
    );
    let (_, _, _, msg, help) = only(&p, "errors");
    assert_eq!(msg, "`nps` is not computed for a csat survey");
    assert_eq!(help, "a csat survey has responses, mean and satisfied");
    // A bound outside the field's range.
    let p = one_source("nps", GOOD, "");
    p.append(
        "journeys/j.toml",
        "feedback_targets = [{ source = \"survey\", field = \"nps\", min = 150 }]\n",
    );
    let (_, _, _, msg, help) = only(&p, "errors");
    assert_eq!(
        (msg.as_str(), help.as_str()),
        (
            "feedback target bound 150 is out of range",
            "an NPS runs from -100 to 100"
        )
    );
    // An empty keyword would count every comment.
    let p = one_source("nps", GOOD, "");
    p.replace(
        "journeys/j.toml",
        "[\"Price\"]",
        "[{ text = \"Price\", keywords = [\"price\", \" \"] }]",
    );
    let (_, line, _, msg, _) = only(&p, "errors");
    assert_eq!(
        (line, msg.as_str()),
        (14, "an empty keyword would count every comment as a mention")
    );
    // Two sources with one id.
    let p = one_source("nps", GOOD, "");
    p.replace(
        "journeys/j.toml",
        "[[stages]]",
        "[[data.feedback]]\nid = \"survey\"\npath = \"data/f.csv\"\nkey = \"key\"\ntime = \"at\"\nscore = \"score\"\nscale = \"nps\"\n\n[[stages]]",
    );
    let (_, _, _, msg, help) = only(&p, "errors");
    assert_eq!(
        (msg.as_str(), help.as_str()),
        ("duplicate feedback source id `survey`", "first declared on line 4")
    );
}

#[test]
fn warnings_for_a_silent_survey_and_a_keyword_no_comment_has() {
    let p = one_source("nps", "key,at,score,comment\n", "");
    let (_, line, _, msg, _) = only(&p, "warnings");
    assert_eq!(
        (line, msg.as_str()),
        (
            5,
            "feedback source `survey` has no responses: `data/f.csv` has no data rows"
        )
    );
    let p = one_source(
        "nps",
        "key,at,score,comment\nbuy,2026-01-05T10:00:00Z,9,fast delivery\n",
        "",
    );
    p.replace(
        "journeys/j.toml",
        "[\"Price\"]",
        "[{ text = \"Price\", keywords = [\"price\"] }]",
    );
    let (_, line, col, msg, _) = only(&p, "warnings");
    assert_eq!((line, col), (14, 46));
    assert_eq!(
        msg,
        "keyword `price` of pain point \"Price\" matches no survey comment about stage `buy`"
    );
}

#[test]
fn comments_reach_pages_as_text_never_as_markup() {
    let csv = "key,at,score,comment\ncheckout,2026-01-05T10:00:00Z,2,\"<script>alert(1)</script> **bold** <img src=x onerror=alert(2)>\"\n";
    let p = one_source("nps", csv, "");
    let out = p.run("build", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut shown = 0;
    // kpis.json holds the comment as JSON data; every page and feed must hold it as text.
    for (path, bytes) in tree(&p.path().join("public"))
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".json"))
    {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("<script>alert"),
            "{path} has the comment's script as markup"
        );
        assert!(!text.contains("<img src=x"), "{path} has the comment's image as markup");
        assert!(
            !text.contains("<strong>bold"),
            "{path} rendered the comment as Markdown"
        );
        if path.ends_with(".html") && text.contains("&lt;script&gt;alert(1)&lt;/script&gt; **bold**") {
            shown += 1;
        }
    }
    // The stage page, the touchpoint page, and the map (journey page and poster).
    assert!(shown >= 4, "the comment is shown escaped on {shown} pages");
}
