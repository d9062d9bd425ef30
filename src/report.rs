//! Terminal renderings of the KPIs for `journeymap kpis`: a readable table and the
//! funnel steps as CSV.

use std::fmt::Write as _;

use crate::kpi::{JourneyKpis, Kpis, Step};
use crate::locale::Numbers;
use crate::spec::{Language, Project};

const EN: Numbers = Numbers::EN;

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| EN.percent(v))
}

fn int(v: Option<u64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| EN.integer(v as f64))
}

/// A duration for a table cell, with plain spaces (terminals align on them).
pub fn duration(secs: Option<f64>) -> String {
    secs.map_or_else(|| "—".to_string(), |s| EN.duration(s).replace('\u{a0}', " "))
}

fn steps_table(out: &mut String, steps: &[Step]) {
    let w = steps.iter().map(|s| s.stage.chars().count()).max().unwrap_or(5).max(5);
    let _ = writeln!(
        out,
        "  {:<w$}  {:>10}  {:>10}  {:>10}  {:>10}  {:>12}  {:>10}  {:>10}  {:>10}",
        "stage", "users", "from prev", "from start", "drop-off", "median time", "p25", "p75", "p90"
    );
    for s in steps {
        let t = s.seconds_from_previous.as_ref();
        let _ = writeln!(
            out,
            "  {:<w$}  {:>10}  {:>10}  {:>10}  {:>10}  {:>12}  {:>10}  {:>10}  {:>10}",
            s.stage,
            int(s.users),
            pct(s.conversion_from_previous),
            pct(s.conversion_from_start),
            int(s.drop_off),
            duration(s.median_seconds_from_previous),
            duration(t.map(|t| t.p25)),
            duration(t.map(|t| t.p75)),
            duration(t.map(|t| t.p90)),
        );
    }
}

/// Each segment's conversion with its interval, and whether it differs from the others.
fn segments_table(out: &mut String, k: &JourneyKpis) {
    let w = k
        .segments
        .iter()
        .map(|s| s.id.chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        out,
        "  {:<w$}  {:>10}  {:>10}  {:>17}  vs all other users",
        "segment", "users", "conversion", "95% interval"
    );
    for s in &k.segments {
        let ci = s.conversion_ci.map_or("—".to_string(), |[lo, hi]| {
            format!("{} – {}", EN.percent(lo), EN.percent(hi))
        });
        // Terminals align on plain spaces.
        let p_text = |p: f64| EN.p_value(p).replace('\u{a0}', " ");
        let verdict = match s.p_value {
            None => "not testable".to_string(),
            Some(p) if s.differs() => format!("differs (p = {})", p_text(p)),
            Some(p) => format!("no clear difference (p = {})", p_text(p)),
        };
        let _ = writeln!(
            out,
            "  {:<w$}  {:>10}  {:>10}  {:>17}  {verdict}",
            s.id,
            int(s.users()),
            pct(s.conversion_rate),
            ci,
        );
    }
}

pub fn table(project: &Project, kpis: &Kpis) -> String {
    // Terminals are read in English; amounts in the project's currency, plain spaces.
    let money = |v: f64| {
        Numbers::new(Language::En, project.config.currency)
            .money(v)
            .replace('\u{a0}', " ")
    };
    let mut out = String::new();
    for k in &kpis.journeys {
        let j = project
            .journeys
            .iter()
            .find(|j| j.id == k.id)
            .expect("kpis follow the project");
        let window = j
            .conversion_window
            .map_or("unlimited".to_string(), |w| duration(Some(w as f64)));
        let _ = writeln!(out, "{} ({}) — conversion window {window}", k.title, k.id);
        steps_table(&mut out, &k.funnel.steps);
        let conv = &j.stages[j.conversion_stage].id;
        let _ = writeln!(out, "  conversion rate (→ {conv}): {}", pct(k.conversion_rate));
        if let Some(r) = &k.revenue {
            let _ = writeln!(
                out,
                "  revenue: {} orders, total {}, AOV {}, {} buyers, repeat purchase rate {}",
                int(Some(r.orders)),
                money(r.total),
                r.aov.map_or("—".to_string(), money),
                int(Some(r.buyers)),
                pct(r.repeat_purchase_rate)
            );
        }
        if let Some(r) = &k.retention {
            let avg: Vec<String> = r.average.iter().map(|&a| pct(a)).collect();
            let _ = writeln!(
                out,
                "  retention by {} ({} cohorts): {}",
                r.period,
                r.cohorts.len(),
                avg.join("  ")
            );
        }
        if !k.segments.is_empty() {
            segments_table(&mut out, k);
        }
        for f in &k.feedback {
            // Every answer is about one stage: the stages' numbers add up to the source's.
            let by_stage: Vec<String> = f
                .stages
                .0
                .iter()
                .filter(|(_, s)| s.responses > 0)
                .map(|(id, s)| {
                    let share = match s.share {
                        Some(v) if s.share_field == crate::spec::FeedbackField::Nps => format!("{v:.1}"),
                        v => pct(v),
                    };
                    format!("{id} {share} ({})", int(Some(s.responses)))
                })
                .collect();
            let total: u64 = f.stages.0.iter().map(|(_, s)| s.responses).sum();
            let _ = writeln!(
                out,
                "  survey {} ({}): {} responses; {} by stage: {}",
                f.id,
                crate::spec::Choice::name(f.scale),
                int(Some(total)),
                crate::spec::Choice::name(crate::spec::FeedbackField::of_scale(f.scale)),
                if by_stage.is_empty() {
                    "—".to_string()
                } else {
                    by_stage.join(" | ")
                }
            );
        }
        if let Some(f) = k.feedback.first() {
            let counted: Vec<String> = f
                .pain_points
                .iter()
                .filter_map(|p| p.mentions.map(|m| format!("{} {m}", p.text)))
                .collect();
            if !counted.is_empty() {
                let _ = writeln!(out, "  pain points by mentions: {}", counted.join(" | "));
            }
        }
        for t in &k.targets {
            let mark = if t.met { "met   " } else { "MISSED" };
            let bound = match (t.min, t.max) {
                (Some(a), Some(b)) => format!("{a} ≤ x ≤ {b}"),
                (Some(a), None) => format!("≥ {a}"),
                (None, Some(b)) => format!("≤ {b}"),
                _ => String::new(),
            };
            let actual = t.actual.map_or("—".to_string(), |a| format!("{a:.4}"));
            let _ = writeln!(out, "  target {mark} {}: {actual} (want {bound})", t.kpi);
        }
        if !k.unmapped_events.is_empty() {
            let total: u64 = k.unmapped_events.values().sum();
            let _ = writeln!(
                out,
                "  unmapped events: {} rows of {} names",
                int(Some(total)),
                k.unmapped_events.len()
            );
        }
        out.push('\n');
    }
    out
}

pub fn funnel_csv(kpis: &Kpis) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
    let cnt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    let _ = w.write_record([
        "journey",
        "step",
        "stage",
        "users",
        "conversion_from_previous",
        "conversion_from_start",
        "drop_off",
        "median_seconds_from_previous",
    ]);
    for j in &kpis.journeys {
        for (i, s) in j.funnel.steps.iter().enumerate() {
            let _ = w.write_record([
                j.id.clone(),
                (i + 1).to_string(),
                s.stage.clone(),
                cnt(s.users),
                num(s.conversion_from_previous),
                num(s.conversion_from_start),
                cnt(s.drop_off),
                num(s.median_seconds_from_previous),
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
