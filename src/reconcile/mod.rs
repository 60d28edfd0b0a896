//! `reconcile`: proves that Salesforce still agrees with the store for the orders order-sync
//! sent, lists each disagreement in plain words, and with `--fix` mends what it may through the
//! re-send queue (the same exactly-once upserts as the push). Duplicates and orphans are
//! reported, never deleted.

mod command;
mod compare;
mod lines;
mod mend;
mod output;
mod survey;

use chrono::{DateTime, NaiveDate, Utc};

pub use command::run;
pub use compare::{Group, compare};
pub use mend::{Mended, mend};
pub use output::{print, to_json};
pub use survey::{SurveyError, survey};

use crate::domain::{OrderId, SalesforceIds};

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

/// The kinds of disagreement, as metrics and `--json` name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An Opportunity, Quote, Order or line item of a sent order is not in Salesforce.
    Missing,
    /// The Opportunity Amount is not the order's.
    Amount,
    /// A line item's quantity or price is not the order line's.
    Lines,
    /// The stage or Order status is not what the store status shows.
    Status,
    /// More records than one carry an order's key, or line items beyond its lines.
    Duplicate,
    /// A Salesforce record names a store order the store does not have.
    Orphan,
    /// order-sync keeps a record id Salesforce no longer uses for that record.
    StaleId,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Missing,
        Kind::Amount,
        Kind::Lines,
        Kind::Status,
        Kind::Duplicate,
        Kind::Orphan,
        Kind::StaleId,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Missing => "missing",
            Kind::Amount => "amount",
            Kind::Lines => "lines",
            Kind::Status => "status",
            Kind::Duplicate => "duplicate",
            Kind::Orphan => "orphan",
            Kind::StaleId => "stale_id",
        }
    }
}

/// What `--fix` does about a disagreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mend {
    /// Send the order again as it is now (upserts by External ID: nothing is duplicated).
    Resend,
    /// Keep the ids Salesforce uses now (only the record found, the other slots unset).
    AdoptIds(SalesforceIds),
    /// Nothing order-sync may do: what a person must do in Salesforce.
    Human(String),
}

/// One disagreement of one order (or, for an orphan, of one Salesforce record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub order_id: OrderId,
    pub kind: Kind,
    pub what: String,
    pub mend: Mend,
}

impl Drift {
    pub fn new(order_id: OrderId, kind: Kind, what: impl Into<String>, mend: Mend) -> Drift {
        Drift {
            order_id,
            kind,
            what: what.into(),
            mend,
        }
    }

    /// What `--fix` does, in words.
    pub fn fix_words(&self) -> String {
        match &self.mend {
            Mend::Resend => "--fix sends the order again as it is now".into(),
            Mend::AdoptIds(_) => "--fix keeps the id Salesforce uses now".into(),
            Mend::Human(what) => format!("left to a person: {what}"),
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
