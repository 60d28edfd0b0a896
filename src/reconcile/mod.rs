//! `reconcile`: proves that Salesforce still agrees with the store for the orders order-sync
//! sent, lists each disagreement in plain words, and with `--fix` mends what it may through the
//! re-send queue (the same exactly-once upserts as the push). Duplicates and orphans are
//! reported, never deleted. Each reconcile's findings are kept in the store ([`keep`]) for the
//! console's Drift page and the metrics; `run` reconciles on a [`Schedule`], reporting only.

mod command;
mod compare;
mod keep;
mod lines;
mod mend;
mod output;
mod schedule;
mod survey;

use chrono::{DateTime, NaiveDate, Utc};

pub use command::run;
pub use compare::{Group, compare};
pub use keep::{keep, show_in_metrics};
pub use mend::{Mended, mend};
pub use output::{print, to_json};
pub use schedule::{Schedule, ScheduleReport};
pub use survey::{SurveyError, survey};

use crate::domain::OrderId;
pub use crate::domain::{Drift, Kind, Mend};

/// Which sent orders a reconcile looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Those whose sync row changed in the last so many days (sent, moved, mended).
    Days(u32),
    /// Those placed on or after this day (UTC).
    PlacedSince(NaiveDate),
    All,
}

impl Scope {
    /// Sync rows changed since (epoch ms); 0 for every row.
    fn changed_since_ms(self, now: DateTime<Utc>) -> i64 {
        match self {
            Scope::Days(d) => (now - chrono::Duration::days(i64::from(d))).timestamp_millis(),
            Scope::PlacedSince(_) | Scope::All => 0,
        }
    }

    /// Salesforce records created since: where records naming unknown orders are looked for.
    fn created_since(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Scope::Days(d) => Some(now - chrono::Duration::days(i64::from(d))),
            Scope::PlacedSince(day) => Some(day.and_time(chrono::NaiveTime::MIN).and_utc()),
            Scope::All => None,
        }
    }

    pub fn describe(self) -> String {
        match self {
            Scope::Days(d) => format!("sent orders changed in the last {d} days"),
            Scope::PlacedSince(day) => format!("sent orders placed since {day}"),
            Scope::All => "every sent order".into(),
        }
    }
}

/// What a reconcile found.
#[derive(Debug, Default)]
pub struct Findings {
    pub scope: Option<Scope>,
    /// Sent orders compared.
    pub checked: usize,
    /// Orders whose status change is still on its way to Salesforce: stage and status not compared.
    pub in_flight: usize,
    /// Order numbers, for the report.
    pub numbers: std::collections::HashMap<OrderId, String>,
    pub drifts: Vec<Drift>,
    /// API calls the reading took.
    pub calls: u64,
    /// Seconds spent reading the store, and waiting for Salesforce.
    pub store_seconds: f64,
    pub salesforce_seconds: f64,
}

impl Findings {
    /// Orders (and orphan records) that disagree.
    pub fn disagreeing(&self) -> usize {
        let mut ids: Vec<(OrderId, bool)> = self
            .drifts
            .iter()
            .map(|d| (d.order_id, d.kind == Kind::Orphan))
            .collect();
        ids.sort();
        ids.dedup();
        ids.len()
    }

    /// Disagreeing orders per kind (an order counts once per kind).
    pub fn counts(&self) -> std::collections::BTreeMap<Kind, usize> {
        let mut seen = std::collections::BTreeSet::new();
        let mut counts = std::collections::BTreeMap::new();
        for d in &self.drifts {
            if seen.insert((d.kind, d.order_id)) {
                *counts.entry(d.kind).or_insert(0) += 1;
            }
        }
        counts
    }
}

/// Exit codes of `reconcile`: everything agrees, or something differs (1: could not check).
pub const EXIT_AGREES: i32 = 0;
pub const EXIT_DIFFERS: i32 = 3;
