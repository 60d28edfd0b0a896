//! The re-send queue: orders to be written to Salesforce again as they are now (`resend`,
//! `backfill`, `reconcile --fix`, a later change that found its records gone). Rows wait in
//! `order_sync_state` as `resend`, are claimed under a lease like the push's, and are written
//! back without touching the store's own status.

use super::build::B;
use super::claim::{CLAIM_SET, Claim, claim_args};
use super::sql::{Stmt, args};
use super::{Result, Store, WriteBack, now_ms};
use crate::domain::{OrderId, OrderStatus, Route, SalesforceIds, SyncState};

pub(crate) struct ResendSql {
    pub(super) queue_sent: Stmt,
    queue_new: Stmt,
    pub(super) log: Stmt,
    claim_returning: Stmt,
    claim_select: Stmt,
    mark_resent: Stmt,
    adopt: Stmt,
    waiting: Stmt,
    held: Stmt,
    parked_all: Stmt,
    parked_one: Stmt,
}

/// Every write-back ends the lease; the fence is `lease_token = :token`.
const RELEASE: &str = "lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL";
const FREE: &str = "(lease_expires_at IS NULL OR lease_expires_at < :now)";

impl ResendSql {
    pub fn build(b: &B) -> ResendSql {
        let due = format!(
            "SELECT s.order_id FROM order_sync_state s \
             WHERE s.state = :resend AND s.next_attempt_at <= :now \
               AND (s.lease_expires_at IS NULL OR s.lease_expires_at < :now) \
             ORDER BY s.next_attempt_at, s.order_id LIMIT :limit {lock}",
            lock = b.d.claim_lock().unwrap_or("")
        );
        let ids = "sf_account_id = COALESCE(:account, sf_account_id), \
                   sf_contact_id = COALESCE(:contact, sf_contact_id), \
                   sf_opportunity_id = COALESCE(:opportunity, sf_opportunity_id), \
                   sf_quote_id = COALESCE(:quote, sf_quote_id), sf_order_id = COALESCE(:sf_order, sf_order_id)";
        // Parked after a send (it has a route), but not waiting for the customer's approval:
        // the repair loop parks those, and a re-send would overwrite the quote's prices.
        let parked = format!(
            "SELECT s.order_id FROM order_sync_state s JOIN {orders} o ON {id} = s.order_id \
             WHERE s.state = :parked AND s.route IS NOT NULL AND NOT ({approval})",
            orders = b.orders(),
            id = b.id("o"),
            approval = b.status_in("o", OrderStatus::AwaitingCustomerApproval),
        );
        ResendSql {
            parked_one: b.stmt(format!("{parked} AND s.order_id = :id")),
            parked_all: b.stmt(format!("{parked} ORDER BY s.order_id")),
            // A sent order, or one a re-send or backfill parked (it has a route): never one
            // waiting in Order Placed, which the push sends.
            queue_sent: b.stmt(format!(
                "UPDATE order_sync_state SET state = :resend, next_attempt_at = 0, \
                   last_error_class = NULL, last_error_code = NULL, last_error = NULL, parked_at = NULL, \
                   updated_at = :now \
                 WHERE order_id = :id AND {FREE} \
                   AND (state IN (:done, :resend) OR (state = :parked AND route IS NOT NULL))"
            )),
            queue_new: b.stmt(b.d.insert_ignoring(
                "order_sync_state",
                "(order_id, state, next_attempt_at, route, created_at, updated_at) \
                 VALUES (:id, :resend, 0, :route, :now, :now)",
                "order_id",
            )),
            log: b.stmt(
                "INSERT INTO order_sync_attempts (order_id, attempt, worker, finished_at, outcome, error_code, message) \
                 SELECT order_id, attempts, :worker, :now, :outcome, NULL, :message \
                 FROM order_sync_state WHERE order_id = :id",
            ),
            claim_returning: b.stmt(format!(
                "UPDATE order_sync_state {CLAIM_SET} WHERE order_id IN ({due}) \
                 RETURNING order_id, attempts, rescued_from"
            )),
            claim_select: b.stmt(&due),
            mark_resent: b.stmt(format!(
                "UPDATE order_sync_state SET state = :done, {RELEASE}, route = :route, {ids}, \
                   sf_status = :shown, last_error_class = NULL, last_error_code = NULL, last_error = NULL, \
                   parked_at = NULL, synced_at = :now, updated_at = :now \
                 WHERE order_id = :id AND lease_token = :token"
            )),
            adopt: b.stmt(format!(
                "UPDATE order_sync_state SET {ids}, updated_at = :now \
                 WHERE order_id = :id AND state = :done AND {FREE}"
            )),
            waiting: b.stmt("SELECT COUNT(*) FROM order_sync_state WHERE state = :resend"),
            held: b.stmt(
                "SELECT COUNT(*) FROM order_sync_state WHERE state = :resend AND lease_expires_at >= :now",
            ),
        }
    }
}

/// The parameters naming the sync states.
pub(super) fn states() -> super::sql::Args {
    args! {
        "done" => SyncState::Done.as_str(), "resend" => SyncState::Resend.as_str(),
        "parked" => SyncState::Parked.as_str(), "now" => now_ms(),
    }
}

fn with_ids(a: super::sql::Args, ids: &SalesforceIds) -> super::sql::Args {
    a.set("account", ids.account.clone())
        .set("contact", ids.contact.clone())
        .set("opportunity", ids.opportunity.clone())
        .set("quote", ids.quote.clone())
        .set("sf_order", ids.order.clone())
}

impl Store {
    /// Queues a sent order to be written again as it is now; false when it is not one order-sync
    /// sent (it waits in Order Placed, or was never seen) or a worker holds it right now.
    pub async fn queue_resend(&self, id: OrderId, actor: &str, why: &str) -> Result<bool> {
        let sql = &self.sql.resend;
        let a = states()
            .set("id", id.0)
            .set("worker", actor)
            .set("outcome", "resend_queued")
            .set("message", why);
        let mut tx = self.db.begin().await?;
        if tx.execute(&sql.queue_sent, &a).await? != 1 {
            return Ok(false);
        }
        tx.execute(&sql.log, &a).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Queues an order order-sync never sent (a backfill); false when it has a sync row already.
    pub async fn queue_backfill(&self, id: OrderId, route: Route, actor: &str) -> Result<bool> {
        let sql = &self.sql.resend;
        let a = states()
            .set("id", id.0)
            .set("route", route.name())
            .set("worker", actor)
            .set("outcome", "resend_queued")
            .set("message", "backfill: placed before order-sync sent it");
        let mut tx = self.db.begin().await?;
        if tx.execute(&sql.queue_new, &a).await? != 1 {
            return Ok(false);
        }
        tx.execute(&sql.log, &a).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Claims up to `limit` queued re-sends for `lease_ms`, oldest first, and reads them.
    pub async fn claim_resends(&self, worker: &str, limit: u32, lease_ms: i64) -> Result<Claim> {
        let token = uuid::Uuid::new_v4().to_string();
        let a = claim_args(self, worker, &token, lease_ms, now_ms()).set("limit", i64::from(limit));
        let sql = &self.sql.resend;
        self.claim_with(&sql.claim_returning, &sql.claim_select, token, a)
            .await
    }

    /// Records a re-send Salesforce took: the order is done again, with the records' ids and the
    /// status Salesforce now shows; the store's status is left as it is.
    pub async fn record_resent(
        &self,
        token: &str,
        attempt: i64,
        sent: &super::Sent,
        shown: OrderStatus,
        message: &str,
    ) -> Result<WriteBack> {
        let a = with_ids(states(), &sent.ids)
            .set("id", sent.order_id.0)
            .set("token", token)
            .set("route", sent.route.name())
            .set("shown", shown.label())
            .set("attempt", attempt)
            .set("worker", sent.actor.as_str())
            .set("outcome", "resent")
            .set("code", None::<String>)
            .set("message", message);
        self.fenced_with_attempt(&self.sql.resend.mark_resent, &a)
            .await
    }

    /// Replaces a sent order's stored record ids by the ones Salesforce holds now (a sandbox
    /// refresh, a merge); false when the order is not sent or a worker holds it.
    pub async fn adopt_ids(
        &self,
        id: OrderId,
        ids: &SalesforceIds,
        actor: &str,
        message: &str,
    ) -> Result<bool> {
        let sql = &self.sql.resend;
        let a = with_ids(states(), ids)
            .set("id", id.0)
            .set("worker", actor)
            .set("outcome", "reconciled")
            .set("message", message);
        let mut tx = self.db.begin().await?;
        if tx.execute(&sql.adopt, &a).await? != 1 {
            return Ok(false);
        }
        tx.execute(&sql.log, &a).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// How many queued re-sends a worker holds under a lease now (perhaps a stopped run's).
    pub async fn resends_held(&self) -> Result<i64> {
        let (n,): (i64,) = self.db.fetch_one(&self.sql.resend.held, &states()).await?;
        Ok(n)
    }

    /// Parked orders a rep's Retry writes to Salesforce again as they are now (rather than
    /// making them pending, which only Order Placed orders leave): sent before, then refused on
    /// a re-send. `id` narrows it to one order.
    pub async fn parked_resends(&self, id: Option<OrderId>) -> Result<Vec<OrderId>> {
        let sql = &self.sql.resend;
        let (stmt, a) = match id {
            Some(id) => (&sql.parked_one, states().set("id", id.0)),
            None => (&sql.parked_all, states()),
        };
        let rows: Vec<(i64,)> = self.db.fetch_all(stmt, &a).await?;
        Ok(rows.into_iter().map(|(id,)| OrderId(id)).collect())
    }

    /// How many orders wait to be written again.
    pub async fn resends_waiting(&self) -> Result<i64> {
        let (n,): (i64,) = self
            .db
            .fetch_one(&self.sql.resend.waiting, &states())
            .await?;
        Ok(n)
    }
}
