//! Later status changes of sent orders: found by the store's `updated_at` (a watermark, so the
//! cost follows the changes, not the table), queued in `order_sync_changes`, claimed under a
//! lease, and written back once Salesforce shows them.

use super::build::B;
use super::sql::{Stmt, args};
use super::{Result, Store, now_ms};
use crate::domain::{OrderId, OrderStatus, Route, SyncState};

mod gone;
mod look;
mod outcome;

pub use gone::ChangeResend;
pub use outcome::ChangeFailure;

const PENDING: &str = "pending";
const PARKED: &str = "parked";

pub(crate) struct ChangeSql {
    scan: Option<Stmt>,
    requeue: Stmt,
    enqueue: Stmt,
    due: Stmt,
    take: Stmt,
    load: Stmt,
    pub(super) outcome: outcome::OutcomeSql,
}

impl ChangeSql {
    pub fn build(b: &B) -> ChangeSql {
        let o = &b.m.orders;
        // Keyset pages over (updated_at, id): a bulk update gives many rows one time.
        let scan = o.updated_at.as_ref().map(|u| {
            let (at, since) = (b.c("o", u), b.d.time_param(":since"));
            let after = b.d.after_key(&at, &b.id("o"), &since, ":after");
            b.stmt(format!(
                "SELECT {id} AS id, {status} AS status, {text} AS updated_at, s.state AS sync_state, \
                   s.route, s.sf_status, s.sf_opportunity_id, s.attempts \
                 FROM {orders} o LEFT JOIN order_sync_state s ON s.order_id = {raw} \
                 WHERE {after}{rows} \
                 ORDER BY {at}, {raw} LIMIT :limit",
                id = b.int("o", Some(&o.id)),
                status = b.text("o", Some(&o.status)),
                text = b.text("o", Some(u)),
                orders = b.orders(),
                raw = b.id("o"),
                rows = b.orders_filter("o"),
            ))
        });
        let fresh = "status = :status, state = :pending, attempts = 0, next_attempt_at = 0, \
                     last_error_class = NULL, last_error_code = NULL, last_error = NULL, updated_at = :now";
        let free = "(lease_expires_at IS NULL OR lease_expires_at < :now)";
        ChangeSql {
            scan,
            requeue: b.stmt(format!(
                "UPDATE order_sync_changes SET {fresh} WHERE order_id = :id AND status <> :status"
            )),
            enqueue: b.stmt(b.d.insert_ignoring(
                "order_sync_changes",
                "(order_id, status, state, attempts, next_attempt_at, detected_at, updated_at) \
                 VALUES (:id, :status, :pending, 0, 0, :now, :now)",
                "order_id",
            )),
            due: b.stmt(format!(
                "SELECT order_id FROM order_sync_changes WHERE state = :pending \
                   AND next_attempt_at <= :now AND {free} ORDER BY next_attempt_at, order_id LIMIT :limit"
            )),
            take: b.stmt(format!(
                "UPDATE order_sync_changes SET lease_owner = :worker, lease_token = :token, \
                   lease_expires_at = :expires, attempts = attempts + 1, updated_at = :now \
                 WHERE order_id = :id AND state = :pending AND next_attempt_at <= :now AND {free}"
            )),
            load: b.stmt(format!(
                "SELECT c.order_id AS id, c.attempts, {status} AS status, s.route, s.sf_status, \
                   s.sf_opportunity_id, s.sf_order_id, s.state AS sync_state, {key} AS opportunity_key \
                 FROM order_sync_changes c JOIN order_sync_state s ON s.order_id = c.order_id \
                 JOIN {orders} o ON {raw} = c.order_id {join} WHERE c.lease_token = :token",
                status = b.text("o", Some(&o.status)),
                orders = b.orders(),
                raw = b.id("o"),
                key = b.opportunity_key(),
                join = b.join_reissued(),
            )),
            outcome: outcome::OutcomeSql::build(b),
        }
    }
}

#[derive(sqlx::FromRow)]
struct ScanRow {
    id: i64,
    status: Option<String>,
    updated_at: Option<String>,
    sync_state: Option<String>,
    route: Option<String>,
    sf_status: Option<String>,
    sf_opportunity_id: Option<String>,
    attempts: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct LoadRow {
    id: i64,
    attempts: i64,
    status: Option<String>,
    route: Option<String>,
    sf_status: Option<String>,
    sf_opportunity_id: Option<String>,
    sf_order_id: Option<String>,
    sync_state: Option<String>,
    opportunity_key: Option<i64>,
}

/// A claimed change: the order's status now, what Salesforce shows, and where.
#[derive(Debug, Clone)]
pub struct ClaimedChange {
    pub order_id: OrderId,
    pub attempt: i64,
    /// The store's status now (None: a code the mapping does not list).
    pub status: Option<OrderStatus>,
    /// The store's code now, as it keeps it.
    pub code: Option<String>,
    /// The store status Salesforce was last brought in line with.
    pub shown: Option<OrderStatus>,
    pub opportunity: Option<String>,
    pub order: Option<String>,
    /// Not recorded as sent now (tried and its answer lost, or parked after a send): its
    /// records, if any, are found by External ID.
    pub unsettled: bool,
    /// Queued to be written to Salesforce again as it is now: the change waits for that.
    pub resending: bool,
    /// Sent before (it has a route): records not found by External ID are gone, not unsent.
    pub sent_before: bool,
    pub opportunity_key: i64,
}

/// A pass's claim of changes: one fencing token for all of them.
#[derive(Debug)]
pub struct ChangeClaim {
    pub token: String,
    pub changes: Vec<ClaimedChange>,
}

/// What a look for changes found.
#[derive(Debug, Default, Clone, Copy)]
pub struct Detected {
    /// Rows of the store read (changed since the watermark, less the overlap).
    pub scanned: usize,
    /// Sent orders whose status Salesforce does not show: queued.
    pub queued: usize,
    /// Rows dated after the store's clock: taken, named in a warning, not followed by the watermark.
    pub ahead: usize,
}

/// The status Salesforce shows for a sent order: the last one brought in line, else its route's.
fn shown(sf_status: Option<&str>, route: Option<&str>) -> Option<OrderStatus> {
    match sf_status {
        Some(label) => OrderStatus::parse(label).ok(),
        None => route.and_then(Route::from_name).map(Route::status),
    }
}

impl Store {
    /// Whether later changes can be found at all: the store must have an updated_at column.
    pub fn can_detect_changes(&self) -> bool {
        self.sql.changes.scan.is_some()
    }

    async fn queue_if_unshown(&self, r: &ScanRow) -> Result<bool> {
        let Some(status) = r.status.as_deref().and_then(|s| self.map.status_of(s)) else {
            return Ok(false);
        };
        let unshown = shown(r.sf_status.as_deref(), r.route.as_deref()) != Some(status);
        let sent = r.sync_state.as_deref() == Some(SyncState::Done.as_str())
            && r.sf_opportunity_id.is_some();
        // Tried (Salesforce may have applied it and the answer been lost), and moved out of
        // Order Placed by the store: the push will not claim it again, so this loop settles it.
        // One sent before (parked, or queued to be written again) only when the store moved it
        // past the status it was last sent with: a refused re-send is not tried again unasked.
        let tried = r.sync_state.as_deref() != Some(SyncState::Done.as_str())
            && r.attempts.unwrap_or(0) > 0
            && status != OrderStatus::OrderPlaced
            && (r.route.is_none() || unshown);
        if tried || (sent && unshown) {
            return self.queue_change(r.id, status).await;
        }
        Ok(false)
    }

    /// Queues a look at `id`, now in `status` (a changed status restarts a parked one).
    pub async fn queue_change(&self, id: i64, status: OrderStatus) -> Result<bool> {
        let sql = &self.sql.changes;
        let a = args! {
            "id" => id, "status" => status.label(), "pending" => PENDING, "now" => now_ms(),
        };
        let requeued = self.db.execute(&sql.requeue, &a).await?;
        Ok(requeued + self.db.execute(&sql.enqueue, &a).await? > 0)
    }

    /// Inside a write-back: queues a look at `id` in whatever status the store has now.
    pub(crate) async fn queue_current_in(&self, tx: &mut super::db::Tx, id: i64) -> Result<()> {
        let sql = &self.sql.changes;
        let now: Option<(Option<String>,)> = tx
            .fetch_optional(&sql.outcome.current, &args! { "id" => id })
            .await?;
        let Some(status) = now.and_then(|(s,)| s).and_then(|s| self.map.status_of(&s)) else {
            return Ok(());
        };
        let a = args! {
            "id" => id, "status" => status.label(), "pending" => PENDING, "now" => now_ms(),
        };
        tx.execute(&sql.requeue, &a).await?;
        tx.execute(&sql.enqueue, &a).await?;
        Ok(())
    }

    /// Claims up to `limit` due changes under a lease of `lease_ms`.
    pub async fn claim_changes(
        &self,
        worker: &str,
        limit: i64,
        lease_ms: i64,
    ) -> Result<ChangeClaim> {
        let sql = &self.sql.changes;
        let token = uuid::Uuid::new_v4().to_string();
        let now = now_ms();
        let a = args! {
            "pending" => PENDING, "now" => now, "limit" => limit, "worker" => worker,
            "token" => token.as_str(), "expires" => now + lease_ms,
        };
        let due: Vec<(i64,)> = self.db.fetch_all(&sql.due, &a).await?;
        for (id,) in due {
            self.db.execute(&sql.take, &a.clone().set("id", id)).await?;
        }
        let rows: Vec<LoadRow> = self.db.fetch_all(&sql.load, &a).await?;
        let changes = rows
            .into_iter()
            .map(|r| ClaimedChange {
                order_id: OrderId(r.id),
                attempt: r.attempts,
                status: r.status.as_deref().and_then(|s| self.map.status_of(s)),
                code: r.status,
                shown: shown(r.sf_status.as_deref(), r.route.as_deref()),
                opportunity: r.sf_opportunity_id,
                order: r.sf_order_id,
                unsettled: r.sync_state.as_deref() != Some(SyncState::Done.as_str()),
                resending: r.sync_state.as_deref() == Some(SyncState::Resend.as_str()),
                sent_before: r.route.is_some(),
                opportunity_key: r.opportunity_key.unwrap_or(r.id),
            })
            .collect();
        Ok(ChangeClaim { token, changes })
    }

    /// Changes parked because Salesforce refused them, with their reasons.
    pub async fn parked_changes(&self) -> Result<Vec<(i64, String, Option<String>)>> {
        self.db
            .fetch_all(
                &self.sql.changes.outcome.parked,
                &args! { "parked" => PARKED },
            )
            .await
    }
}
