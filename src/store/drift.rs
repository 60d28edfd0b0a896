//! The last reconcile's findings (`order_sync_reconcile`, `order_sync_drift`), kept for the
//! console's Drift page, the metrics and the drift alert; and the scheduled reconcile's turn, so
//! that one replica at a time runs it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::build::B;
use super::sql::{Args, Stmt, args};
use super::{Result, Store, now_ms};
use crate::domain::{Drift, Kind, Mend, OrderId, SalesforceIds};

pub(crate) struct DriftSql {
    summarize: Stmt,
    seen: Stmt,
    clear: Stmt,
    insert: Stmt,
    summary: Stmt,
    all: Stmt,
    of_order: Stmt,
    counts: Stmt,
    mark_fix: Stmt,
    take_turn: Stmt,
    end_turn: Stmt,
}

const COLUMNS: &str = "order_id, order_number, kind, what, mend, fix, sf_account_id, sf_contact_id, \
     sf_opportunity_id, sf_quote_id, sf_order_id, first_seen_at, fix_queued_at, fix_queued_by";

impl DriftSql {
    pub fn build(b: &B) -> DriftSql {
        let select = format!("SELECT {COLUMNS} FROM order_sync_drift");
        DriftSql {
            // First in the transaction: its row lock makes two reconciles saving at once take turns.
            summarize: b.stmt(
                "UPDATE order_sync_reconcile SET ran_at = :ran_at, run_by = :run_by, scope = :scope, \
                   checked = :checked, in_flight = :in_flight, api_calls = :api_calls WHERE id = 1",
            ),
            seen: b.stmt(
                "SELECT order_id, kind, MIN(first_seen_at) FROM order_sync_drift GROUP BY order_id, kind",
            ),
            clear: b.stmt("DELETE FROM order_sync_drift"),
            insert: b.stmt(format!(
                "INSERT INTO order_sync_drift ({COLUMNS}) VALUES (:id, :number, :kind, :what, :mend, \
                   :fix, :account, :contact, :opportunity, :quote, :sf_order, :first_seen, NULL, NULL)"
            )),
            summary: b.stmt(
                "SELECT ran_at, run_by, scope, checked, in_flight, api_calls \
                 FROM order_sync_reconcile WHERE id = 1 AND ran_at IS NOT NULL",
            ),
            all: b.stmt(format!("{select} ORDER BY order_id, id")),
            of_order: b.stmt(format!("{select} WHERE order_id = :id ORDER BY id")),
            counts: b.stmt(
                "SELECT kind, COUNT(DISTINCT order_id) FROM order_sync_drift GROUP BY kind",
            ),
            mark_fix: b.stmt(
                "UPDATE order_sync_drift SET fix_queued_at = :now, fix_queued_by = :actor \
                 WHERE order_id = :id AND mend <> :human",
            ),
            take_turn: b.stmt(
                "UPDATE order_sync_reconcile SET next_due_at = :until, turn_holder = :holder \
                 WHERE id = 1 AND next_due_at <= :now",
            ),
            end_turn: b.stmt(
                "UPDATE order_sync_reconcile SET next_due_at = :next, turn_holder = NULL \
                 WHERE id = 1 AND turn_holder = :holder",
            ),
        }
    }
}

/// One reconcile, as kept: when it finished, who ran it, what it covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileRun {
    pub ran_at: DateTime<Utc>,
    /// The schedule's worker, or who ran `order-sync reconcile`.
    pub run_by: String,
    /// The sent orders it compared, in words.
    pub scope: String,
    pub checked: i64,
    /// Orders whose status change was on its way: their stage and status were not compared.
    pub in_flight: i64,
    pub api_calls: i64,
}

/// A disagreement the last reconcile found, as kept.
#[derive(Debug, Clone)]
pub struct StoredDrift {
    pub drift: Drift,
    /// None for an orphan (no such store order).
    pub order_number: Option<String>,
    /// When a reconcile first found this order disagreeing in this way.
    pub first_seen: DateTime<Utc>,
    /// A rep's Fix since: when, and the actor recorded.
    pub fix_queued: Option<(DateTime<Utc>, String)>,
}

/// The last reconcile and what it found.
#[derive(Debug, Clone)]
pub struct LastReconcile {
    pub run: ReconcileRun,
    pub drifts: Vec<StoredDrift>,
}

/// What keeping a reconcile's findings changed.
#[derive(Debug, Default)]
pub struct Kept {
    /// (order, kind) pairs the previous findings did not hold.
    pub new: Vec<(OrderId, Kind)>,
    /// Orders (and orphans) the previous findings listed.
    pub disagreeing_before: usize,
}

#[derive(sqlx::FromRow)]
struct Row {
    order_id: i64,
    order_number: Option<String>,
    kind: String,
    what: String,
    mend: String,
    fix: String,
    sf_account_id: Option<String>,
    sf_contact_id: Option<String>,
    sf_opportunity_id: Option<String>,
    sf_quote_id: Option<String>,
    sf_order_id: Option<String>,
    first_seen_at: i64,
    fix_queued_at: Option<i64>,
    fix_queued_by: Option<String>,
}

/// Epoch milliseconds as a time (0 for one out of range).
fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl Row {
    /// The row as the domain has it; None for a kind or mend this build does not know (a newer
    /// build wrote it), which is left out rather than failing the page.
    fn into_stored(self) -> Option<StoredDrift> {
        let kind = Kind::from_name(&self.kind)?;
        let mend = match self.mend.as_str() {
            "resend" => Mend::Resend,
            "adopt" => Mend::AdoptIds(SalesforceIds {
                account: self.sf_account_id,
                contact: self.sf_contact_id,
                opportunity: self.sf_opportunity_id,
                quote: self.sf_quote_id,
                order: self.sf_order_id,
            }),
            "human" => Mend::Human(self.fix),
            _ => return None,
        };
        Some(StoredDrift {
            drift: Drift::new(OrderId(self.order_id), kind, self.what, mend),
            order_number: self.order_number,
            first_seen: at(self.first_seen_at),
            fix_queued: self
                .fix_queued_at
                .map(|t| (at(t), self.fix_queued_by.unwrap_or_default())),
        })
    }
}

fn insert_args(d: &Drift, number: Option<&str>, first_seen: i64) -> Args {
    let none = SalesforceIds::default();
    let ids = match &d.mend {
        Mend::AdoptIds(ids) => ids,
        _ => &none,
    };
    args! {
        "id" => d.order_id.0, "number" => number, "kind" => d.kind.name(), "what" => d.what.as_str(),
        "mend" => d.mend.name(), "fix" => d.mend.words(), "first_seen" => first_seen,
    }
    .set("account", ids.account.clone())
    .set("contact", ids.contact.clone())
    .set("opportunity", ids.opportunity.clone())
    .set("quote", ids.quote.clone())
    .set("sf_order", ids.order.clone())
}

impl Store {
    /// Replaces the kept findings by `drifts` (each with its order number) in one transaction,
    /// keeping when each (order, kind) was first seen; says which pairs are new.
    pub async fn keep_reconcile(
        &self,
        run: &ReconcileRun,
        drifts: &[(&Drift, Option<&str>)],
    ) -> Result<Kept> {
        let sql = &self.sql.drift;
        let a = args! {
            "ran_at" => run.ran_at.timestamp_millis(), "run_by" => run.run_by.as_str(),
            "scope" => run.scope.as_str(), "checked" => run.checked, "in_flight" => run.in_flight,
            "api_calls" => run.api_calls,
        };
        let mut tx = self.db.begin().await?;
        tx.execute(&sql.summarize, &a).await?;
        let seen: Vec<(i64, String, i64)> = tx.fetch_all(&sql.seen, &args! {}).await?;
        let before: BTreeSet<i64> = seen.iter().map(|(id, ..)| *id).collect();
        let mut kept = Kept {
            disagreeing_before: before.len(),
            ..Kept::default()
        };
        let seen: HashMap<(i64, String), i64> = seen
            .into_iter()
            .map(|(id, kind, at)| ((id, kind), at))
            .collect();
        tx.execute(&sql.clear, &args! {}).await?;
        let now = run.ran_at.timestamp_millis();
        for (d, number) in drifts {
            let key = (d.order_id.0, d.kind.name().to_string());
            let first_seen = seen.get(&key).copied().unwrap_or_else(|| {
                if !kept.new.contains(&(d.order_id, d.kind)) {
                    kept.new.push((d.order_id, d.kind));
                }
                now
            });
            tx.execute(&sql.insert, &insert_args(d, *number, first_seen))
                .await?;
        }
        tx.commit().await?;
        Ok(kept)
    }

    /// The last reconcile kept, with its findings; None before the first.
    pub async fn last_reconcile(&self) -> Result<Option<LastReconcile>> {
        let sql = &self.sql.drift;
        let Some(run) = self.reconcile_run().await? else {
            return Ok(None);
        };
        let rows: Vec<Row> = self.db.fetch_all(&sql.all, &args! {}).await?;
        let drifts = rows.into_iter().filter_map(Row::into_stored).collect();
        Ok(Some(LastReconcile { run, drifts }))
    }

    async fn reconcile_run(&self) -> Result<Option<ReconcileRun>> {
        type Summary = (Option<i64>, Option<String>, Option<String>, i64, i64, i64);
        let row: Option<Summary> = self
            .db
            .fetch_optional(&self.sql.drift.summary, &args! {})
            .await?;
        Ok(row.map(
            |(ran_at, run_by, scope, checked, in_flight, api_calls)| ReconcileRun {
                ran_at: at(ran_at.unwrap_or(0)),
                run_by: run_by.unwrap_or_default(),
                scope: scope.unwrap_or_default(),
                checked,
                in_flight,
                api_calls,
            },
        ))
    }

    /// When the last reconcile finished, and how many orders disagree per kind (every kind, 0
    /// when none): what the metrics show.
    pub async fn drift_counts(&self) -> Result<(Option<DateTime<Utc>>, BTreeMap<Kind, i64>)> {
        let ran_at = self.reconcile_run().await?.map(|r| r.ran_at);
        let rows: Vec<(String, i64)> = self.db.fetch_all(&self.sql.drift.counts, &args! {}).await?;
        let mut counts: BTreeMap<Kind, i64> = Kind::ALL.into_iter().map(|k| (k, 0)).collect();
        for (kind, n) in rows {
            if let Some(k) = Kind::from_name(&kind) {
                counts.insert(k, n);
            }
        }
        Ok((ran_at, counts))
    }

    /// The kept findings of one order.
    pub async fn drift_of(&self, id: OrderId) -> Result<Vec<StoredDrift>> {
        let rows: Vec<Row> = self
            .db
            .fetch_all(&self.sql.drift.of_order, &args! { "id" => id.0 })
            .await?;
        Ok(rows.into_iter().filter_map(Row::into_stored).collect())
    }

    /// Notes on an order's kept findings that `actor` had them fixed.
    pub async fn note_drift_fix(&self, id: OrderId, actor: &str) -> Result<()> {
        let a = args! { "id" => id.0, "now" => now_ms(), "actor" => actor, "human" => "human" };
        self.db.execute(&self.sql.drift.mark_fix, &a).await?;
        Ok(())
    }

    /// Takes the scheduled reconcile if it is due: true for the one replica that does. Held
    /// until `end_reconcile_turn`, or for `lease_ms` if the holder stops first.
    pub async fn take_reconcile_turn(&self, holder: &str, lease_ms: i64) -> Result<bool> {
        let now = now_ms();
        let a = args! { "holder" => holder, "now" => now, "until" => now.saturating_add(lease_ms) };
        Ok(self.db.execute(&self.sql.drift.take_turn, &a).await? == 1)
    }

    /// Ends `holder`'s turn: the next scheduled reconcile is due in `next_in_ms`.
    pub async fn end_reconcile_turn(&self, holder: &str, next_in_ms: i64) -> Result<()> {
        let a = args! { "holder" => holder, "next" => now_ms().saturating_add(next_in_ms) };
        self.db.execute(&self.sql.drift.end_turn, &a).await?;
        Ok(())
    }
}
