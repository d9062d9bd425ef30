//! `[data.cohorts]`: a pre-computed cohort table, `cohort,period,users`.

use std::collections::{BTreeMap, HashMap};

use super::cache::FileInput;
use super::table::read_rows;
use crate::calendar::{format_date, parse_date};
use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// The largest period a cohort table may have (as `[retention] periods`).
pub const MAX_PERIOD: u32 = 1000;

/// The columns of a cohort table, in order.
pub const COLUMNS: &[&str] = &["cohort", "period", "users"];

/// What the cohort reader's result depends on: only the file.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CohortsInput {
    pub file: FileInput,
}

/// cohort start (day number) → period → users.
#[derive(Debug, Default, Clone)]
pub struct CohortData {
    pub cohorts: BTreeMap<i64, BTreeMap<u32, u64>>,
}

impl CohortData {
    pub fn max_period(&self) -> u32 {
        self.cohorts
            .values()
            .filter_map(|p| p.keys().next_back().copied())
            .max()
            .unwrap_or(0)
    }
}

const COHORT: usize = 0;
const PERIOD: usize = 1;
const USERS: usize = 2;

pub fn read(input: &CohortsInput, diags: &mut Diagnostics) -> Option<CohortData> {
    let file = &input.file;
    let mut data = CohortData::default();
    let mut first_row: HashMap<i64, Location> = HashMap::new();
    let mut seen: HashMap<(i64, u32), String> = HashMap::new();
    let mut errors = 0;
    let ok = read_rows(file, COLUMNS, diags, |row, diags| {
        let date = parse_date(row.get(COHORT).as_bytes());
        let whole = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        // Each period is a column of the retention table: it is bounded like `periods`.
        let period = whole(row.get(PERIOD))
            .then(|| row.get(PERIOD).parse::<u32>().ok())
            .flatten()
            .filter(|&p| p <= MAX_PERIOD);
        let users = whole(row.get(USERS))
            .then(|| row.get(USERS).parse::<u64>().ok())
            .flatten();
        let mut bad = |d: Diagnostic| {
            diags.push(d);
            errors += 1;
        };
        if date.is_none() {
            bad(row.error(
                COHORT,
                format!("invalid cohort date `{}`: expected YYYY-MM-DD", row.get(COHORT)),
            ));
        }
        if period.is_none() {
            bad(row.error(
                PERIOD,
                format!(
                    "invalid period `{}`: expected a whole number from 0 to {MAX_PERIOD}",
                    row.get(PERIOD)
                ),
            ));
        }
        if users.is_none() {
            bad(row.error(
                USERS,
                format!("invalid users `{}`: expected a whole number ≥ 0", row.get(USERS)),
            ));
        }
        let (Some(date), Some(period), Some(users)) = (date, period, users) else {
            return;
        };
        if let Some(first) = seen.insert((date, period), row.place()) {
            bad(row
                .error(
                    COHORT,
                    format!("duplicate row for cohort {} period {period}", row.get(COHORT)),
                )
                .help(format!("first given on {first}")));
            return;
        }
        first_row.entry(date).or_insert_with(|| row.loc(COHORT));
        data.cohorts.entry(date).or_default().insert(period, users);
    });
    for (date, periods) in &data.cohorts {
        if !periods.contains_key(&0) {
            diags.push(
                Diagnostic::error(format!(
                    "cohort {} has no period 0 row (the cohort's size)",
                    format_date(*date)
                ))
                .at(first_row[date].clone())
                .help("add a row `<cohort>,0,<users>`"),
            );
            errors += 1;
        }
    }
    (ok && errors == 0).then_some(data)
}
