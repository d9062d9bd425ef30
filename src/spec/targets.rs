//! Targets: `{ min = x, max = y }` bounds on a KPI, declared in `[targets]`, on stages and on
//! touchpoint metrics. Each becomes a [`Target`] with its `kpi` name and unit, in the
//! order docs/kpis.md gives: journey targets (file order), stage targets, metric targets.

use super::reader::Table;
use super::{Bound, Retention, Target, TargetKind, Unit};
use crate::diagnostics::{Diagnostic, Diagnostics};

/// `{ min = x, max = y }`; bounds of a `Percent` KPI (a rate) must lie in [0, 1].
pub(super) fn read_bound(mut t: Table, unit: Unit, diags: &mut Diagnostics) -> Option<Bound> {
    let min = t.number("min", diags);
    let max = t.number("max", diags);
    let mut ok = true;
    if min.is_none() && max.is_none() {
        diags.push(
            Diagnostic::error("a target needs `min` and/or `max`")
                .at(t.loc())
                .help("e.g. `{ min = 0.4 }`"),
        );
        ok = false;
    }
    if unit == Unit::Percent {
        for v in [&min, &max].into_iter().flatten() {
            if !(0.0..=1.0).contains(&v.value) {
                let help = if v.value > 1.0 && v.value <= 100.0 {
                    format!("rates are fractions: write {} for {}%", v.value / 100.0, v.value)
                } else {
                    "rates are fractions between 0 and 1".to_string()
                };
                diags.push(
                    Diagnostic::error(format!("a rate target must be between 0 and 1, found {}", v.value))
                        .at(v.loc.clone())
                        .help(help),
                );
                ok = false;
            }
        }
    }
    if let (Some(lo), Some(hi)) = (&min, &max) {
        if lo.value > hi.value {
            diags.push(
                Diagnostic::error(format!(
                    "target `min` ({}) is greater than `max` ({})",
                    lo.value, hi.value
                ))
                .at(lo.loc.clone()),
            );
            ok = false;
        }
    }
    t.finish(diags);
    ok.then(|| Bound {
        min: min.map(|v| v.value),
        max: max.map(|v| v.value),
    })
}

/// A target read from the table under `key`, if there is one.
pub(super) fn read(
    parent: &mut Table,
    key: &'static str,
    what: &str,
    kpi: String,
    kind: TargetKind,
    unit: Unit,
    diags: &mut Diagnostics,
) -> Option<Target> {
    let t = parent.table(key, what, diags)?;
    let loc = t.loc();
    let bound = read_bound(t, unit, diags)?;
    Some(Target {
        kpi,
        kind,
        unit,
        bound,
        loc,
    })
}

/// `[targets]` of a journey, in file order.
pub(super) fn read_journey_targets(t: &mut Table, diags: &mut Diagnostics) -> Vec<Target> {
    let mut out = Vec::new();
    for (key, kind, unit) in [
        ("conversion_rate", TargetKind::ConversionRate, Unit::Percent),
        ("aov", TargetKind::Aov, Unit::Currency),
        ("repeat_purchase_rate", TargetKind::RepeatPurchaseRate, Unit::Percent),
    ] {
        out.extend(read(
            t,
            key,
            &format!("target `{key}`"),
            key.to_string(),
            kind,
            unit,
            diags,
        ));
    }
    if let Some(mut rt) = t.table("retention", "target `retention`", diags) {
        let loc = rt.loc();
        let period = match rt.integer("period", diags) {
            Some(p) if p.value >= 1 && p.value <= 10_000 => Some(p.value as u32),
            Some(p) => {
                diags.push(
                    Diagnostic::error(format!(
                        "retention target `period` must be between 1 and 10000, found {}",
                        p.value
                    ))
                    .at(p.loc)
                    .help("period 0 is the cohort itself (always 100%)"),
                );
                None
            }
            None => {
                diags.push(
                    Diagnostic::error("retention target needs a `period`")
                        .at(loc.clone())
                        .help("e.g. `{ period = 4, min = 0.10 }`"),
                );
                None
            }
        };
        let bound = read_bound(rt, Unit::Percent, diags);
        if let (Some(p), Some(bound)) = (period, bound) {
            out.push(Target {
                kpi: format!("retention:{p}"),
                kind: TargetKind::Retention(p),
                unit: Unit::Percent,
                bound,
                loc,
            });
        }
    }
    out.sort_by_key(|t| (t.loc.line, t.loc.column));
    out
}

/// A retention target must name a period the retention table has: with event data the
/// table has `periods` columns after period 0 (declared, or the default), so a target
/// beyond them is an error at the target. (A cohort table without `periods` has as many as
/// its file: that is checked once the file is read.)
pub(super) fn check_retention_periods(
    targets: &[Target],
    retention: &Retention,
    has_events: bool,
    diags: &mut Diagnostics,
) {
    let (periods, how) = match retention.periods {
        Some(p) => (p, format!("`periods = {p}` in [retention]")),
        None if has_events => (
            Retention::DEFAULT_PERIODS,
            format!(
                "`periods` defaults to {} when not set in [retention]",
                Retention::DEFAULT_PERIODS
            ),
        ),
        None => return,
    };
    for t in targets {
        if let TargetKind::Retention(n) = t.kind {
            if n > periods {
                diags.push(
                    Diagnostic::error(format!(
                        "retention target period {n} is beyond the retention table: it has {periods} periods after period 0 ({how})"
                    ))
                    .at(t.loc.clone())
                    .help(format!("set `periods = {n}` (or more) in [retention], or target a period from 1 to {periods}")),
                );
            }
        }
    }
}

/// The KPI name of a stage's `target`.
pub(super) fn stage_target_kpi(stage_id: &str) -> String {
    format!("stages.{stage_id}.conversion_from_previous")
}

pub(super) fn metric_target_kpi(touchpoint_id: &str, metric_id: &str) -> String {
    format!("touchpoints.{touchpoint_id}.{metric_id}")
}
