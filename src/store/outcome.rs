//! Writing an attempt's outcome back: status + history + sync state in one transaction,
//! and only while the lease is still ours.

use super::build::B;
use super::moves::Move;
use super::sql::{Stmt, args};
use super::{Result, Store, now_ms};
use crate::domain::{OrderId, OrderStatus, Route, SalesforceIds, SyncState};
use crate::error::ErrorClass;

/// An order now in Salesforce, to be moved to its route.
#[derive(Debug, Clone)]
pub struct Sent {
    pub order_id: OrderId,
    pub attempt: i64,
    pub route: Route,
    pub ids: SalesforceIds,
    pub actor: String,
}

/// An attempt that did not get the order into Salesforce.
#[derive(Debug, Clone)]
pub enum Failure {
    /// Retry no earlier than `next_attempt_at` (epoch ms).
    Transient {
        next_attempt_at: i64,
        code: Option<String>,
        message: String,
    },
    /// Park until someone asks for a retry.
    Rejected {
        code: Option<String>,
        message: String,
    },
}

/// What became of a write-back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteBack {
    Committed,
    /// The lease expired and another worker holds the order now: nothing was written.
    LeaseLost,
    /// Someone moved the order out of Order Placed meanwhile: its status was left alone.
    StatusChanged,
}

pub(crate) struct OutcomeSql {
    mark_sent: Stmt,
    attempt: Stmt,
    mark_transient: Stmt,
    mark_parked: Stmt,
    mark_done_elsewhere: Stmt,
}

/// Every write-back ends the lease; the fence is `lease_token = :token`.
const RELEASE: &str = "lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL";

impl OutcomeSql {
    pub fn build(b: &B) -> OutcomeSql {
        let fence = "WHERE order_id = :id AND lease_token = :token";
        OutcomeSql {
            mark_sent: b.stmt(format!(
                "UPDATE order_sync_state SET state = :done, {RELEASE}, route = :route, \
                   sf_account_id = :account, sf_contact_id = :contact, sf_opportunity_id = :opportunity, \
                   sf_quote_id = :quote, sf_order_id = :sf_order, last_error_class = NULL, \
                   last_error_code = NULL, last_error = NULL, parked_at = NULL, synced_at = :now, \
                   updated_at = :now {fence}"
            )),
            attempt: b.stmt(
                "INSERT INTO order_sync_attempts (order_id, attempt, worker, finished_at, outcome, error_code, message) \
                 VALUES (:id, :attempt, :worker, :now, :outcome, :code, :message)",
            ),
            mark_transient: b.stmt(format!(
                "UPDATE order_sync_state SET {RELEASE}, next_attempt_at = :next, last_error_class = :class, \
                   last_error_code = :code, last_error = :message, updated_at = :now {fence}"
            )),
            mark_parked: b.stmt(format!(
                "UPDATE order_sync_state SET state = :parked, {RELEASE}, last_error_class = :class, \
                   last_error_code = :code, last_error = :message, parked_at = :now, updated_at = :now {fence}"
            )),
            // The records exist in Salesforce: keep their ids, so a later change reaches them.
            mark_done_elsewhere: b.stmt(format!(
                "UPDATE order_sync_state SET state = :done, {RELEASE}, route = :route, \
                   sf_account_id = :account, sf_contact_id = :contact, sf_opportunity_id = :opportunity, \
                   sf_quote_id = :quote, sf_order_id = :sf_order, sf_status = :shown, \
                   last_error_class = NULL, last_error = :message, synced_at = :now, updated_at = :now {fence}"
            )),
        }
    }
}

impl Store {
    /// Moves a sent order to its route: status, history row and sync state commit together.
    pub async fn record_sent(&self, token: &str, sent: &Sent) -> Result<WriteBack> {
        let now = now_ms();
        let reason = format!(
            "in Salesforce as Opportunity {}",
            sent.ids.opportunity.as_deref().unwrap_or("?")
        );
        let ids = &sent.ids;
        let sql = &self.sql.outcome;
        let a = args! {
            "id" => sent.order_id.0, "token" => token, "route" => sent.route.name(), "now" => now,
            "done" => SyncState::Done.as_str(), "account" => ids.account.clone(),
            "contact" => ids.contact.clone(), "opportunity" => ids.opportunity.clone(),
            "quote" => ids.quote.clone(), "sf_order" => ids.order.clone(),
            "attempt" => sent.attempt, "worker" => sent.actor.as_str(), "code" => None::<String>,
            "message" => reason.as_str(),
        };
        let mut tx = self.db.begin().await?;
        if tx.execute(&sql.mark_sent, &a).await? != 1 {
            return Ok(WriteBack::LeaseLost);
        }
        let moved = Move {
            id: sent.order_id.0,
            from: Some(OrderStatus::OrderPlaced),
            to: sent.route.status(),
            actor: &sent.actor,
            reason: &reason,
            cancel_reason: None,
            at: self.store_now_in(&mut tx).await?,
        };
        let outcome = if self.move_in(&mut tx, &moved).await? {
            WriteBack::Committed
        } else {
            let note = "in Salesforce, but the store status changed meanwhile; left as it was, \
                        and Salesforce is brought in line with it";
            let a = a
                .clone()
                .set("message", note)
                .set("shown", sent.route.status().label());
            tx.execute(&sql.mark_done_elsewhere, &a).await?;
            self.queue_current_in(&mut tx, sent.order_id.0).await?;
            WriteBack::StatusChanged
        };
        let label = if outcome == WriteBack::Committed {
            "sent"
        } else {
            "status_changed"
        };
        tx.execute(&sql.attempt, &a.set("outcome", label)).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Records a failed attempt: a transient one is retried later, a rejected one is parked.
    pub async fn record_failure(
        &self,
        token: &str,
        order_id: OrderId,
        attempt: i64,
        actor: &str,
        failure: &Failure,
    ) -> Result<WriteBack> {
        let now = now_ms();
        let sql = &self.sql.outcome;
        let a = args! {
            "id" => order_id.0, "token" => token, "now" => now, "attempt" => attempt, "worker" => actor,
            "parked" => SyncState::Parked.as_str(),
        };
        let (stmt, a) = match failure {
            Failure::Transient {
                next_attempt_at,
                code,
                message,
            } => (
                &sql.mark_transient,
                a.set("next", *next_attempt_at)
                    .set("code", code.clone())
                    .set("message", message)
                    .set("class", ErrorClass::Transient.name())
                    .set("outcome", "transient"),
            ),
            Failure::Rejected { code, message } => (
                &sql.mark_parked,
                a.set("code", code.clone())
                    .set("message", message)
                    .set("class", ErrorClass::Rejected.name())
                    .set("outcome", "rejected"),
            ),
        };
        self.fenced_with_attempt(stmt, &a).await
    }

    /// Runs `stmt` (fenced by a lease token) and logs the attempt, in one transaction; nothing
    /// is written when the lease is no longer ours.
    pub(crate) async fn fenced_with_attempt(
        &self,
        stmt: &Stmt,
        a: &super::sql::Args,
    ) -> Result<WriteBack> {
        let mut tx = self.db.begin().await?;
        if tx.execute(stmt, a).await? != 1 {
            return Ok(WriteBack::LeaseLost);
        }
        tx.execute(&self.sql.outcome.attempt, a).await?;
        tx.commit().await?;
        Ok(WriteBack::Committed)
    }

    /// Logs an attempt inside `tx` (status changes share the attempts log with orders).
    pub(crate) async fn log_attempt_in(
        &self,
        tx: &mut super::db::Tx,
        a: &super::sql::Args,
    ) -> Result<()> {
        tx.execute(&self.sql.outcome.attempt, a).await?;
        Ok(())
    }
}
