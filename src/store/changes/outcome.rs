//! Writing a status change's outcome back, fenced by the change's lease token: shown in
//! Salesforce (and looked at again if the store moved on meanwhile), retried, or parked.

use super::super::build::B;
use super::super::outcome::WriteBack;
use super::super::sql::{Stmt, args};
use super::super::{Result, Store, now_ms};
use super::{PARKED, PENDING};
use crate::domain::{OrderId, OrderStatus};
use crate::error::ErrorClass;

/// Why a change did not reach Salesforce.
#[derive(Debug, Clone)]
pub enum ChangeFailure {
    Transient {
        next_attempt_at: i64,
        code: Option<String>,
        message: String,
    },
    Rejected {
        code: Option<String>,
        message: String,
    },
}

pub(crate) struct OutcomeSql {
    pub(super) release: Stmt,
    mark_shown: Stmt,
    pub(super) asked: Stmt,
    pub(in super::super) current: Stmt,
    pub(super) done: Stmt,
    again: Stmt,
    retry_later: Stmt,
    park: Stmt,
    pub(in super::super) parked: Stmt,
    pub(in super::super) unpark: Stmt,
    unpark_all: Stmt,
    settle: Stmt,
}

impl OutcomeSql {
    pub fn build(b: &B) -> OutcomeSql {
        let lease = "lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL";
        let fence = "WHERE order_id = :id AND lease_token = :token";
        let error = "last_error_class = :class, last_error_code = :code, last_error = :message";
        OutcomeSql {
            release: b.stmt(format!(
                "UPDATE order_sync_changes SET {lease}, updated_at = :now {fence}"
            )),
            mark_shown: b.stmt(
                "UPDATE order_sync_state SET sf_status = :shown, updated_at = :now WHERE order_id = :id",
            ),
            asked: b.stmt(
                "UPDATE order_sync_state SET sf_status = COALESCE(:shown, sf_status) WHERE order_id = :id",
            ),
            current: b.stmt(format!(
                "SELECT {} FROM {} o WHERE {} = :id",
                b.text("o", Some(&b.m.orders.status)),
                b.orders(),
                b.id("o")
            )),
            done: b.stmt("DELETE FROM order_sync_changes WHERE order_id = :id"),
            again: b.stmt(
                "UPDATE order_sync_changes SET status = :status, state = :pending, attempts = 0, \
                   next_attempt_at = 0, last_error_class = NULL, last_error_code = NULL, \
                   last_error = NULL, updated_at = :now WHERE order_id = :id",
            ),
            retry_later: b.stmt(format!(
                "UPDATE order_sync_changes SET {lease}, next_attempt_at = :next, {error}, \
                   updated_at = :now {fence}"
            )),
            park: b.stmt(format!(
                "UPDATE order_sync_changes SET {lease}, state = :parked, {error}, updated_at = :now {fence}"
            )),
            parked: b.stmt(
                "SELECT order_id, status, last_error FROM order_sync_changes WHERE state = :parked \
                 ORDER BY order_id",
            ),
            unpark: b.stmt(
                "UPDATE order_sync_changes SET state = :pending, next_attempt_at = 0, updated_at = :now \
                 WHERE order_id = :id AND state = :parked",
            ),
            // Only while no push holds it: a send in flight writes its own outcome.
            settle: b.stmt(
                "UPDATE order_sync_state SET state = :done, sf_opportunity_id = :opportunity, \
                   sf_order_id = :sf_order, lease_owner = NULL, lease_token = NULL, \
                   lease_expires_at = NULL, last_error_class = NULL, last_error = :message, \
                   updated_at = :now \
                 WHERE order_id = :id AND state <> :done \
                   AND (lease_expires_at IS NULL OR lease_expires_at < :now)",
            ),
            unpark_all: b.stmt(
                "UPDATE order_sync_changes SET state = :pending, next_attempt_at = 0, updated_at = :now \
                 WHERE state = :parked",
            ),
        }
    }
}

impl Store {
    /// Salesforce now shows `shown` for the order: remembered, and the change is done unless the
    /// store moved on meanwhile (then it is looked at again at once).
    pub async fn record_change_shown(
        &self,
        token: &str,
        id: OrderId,
        attempt: i64,
        shown: OrderStatus,
        actor: &str,
        message: &str,
    ) -> Result<WriteBack> {
        let sql = &self.sql.changes.outcome;
        let a = args! {
            "id" => id.0, "token" => token, "now" => now_ms(), "shown" => shown.label(),
            "attempt" => attempt, "worker" => actor, "outcome" => "status_shown",
            "code" => None::<String>, "message" => message, "pending" => PENDING,
        };
        let mut tx = self.db.begin().await?;
        if tx.execute(&sql.release, &a).await? != 1 {
            return Ok(WriteBack::LeaseLost);
        }
        tx.execute(&sql.mark_shown, &a).await?;
        let now: Option<(Option<String>,)> = tx.fetch_optional(&sql.current, &a).await?;
        let current = now.and_then(|(s,)| s).and_then(|s| self.map.status_of(&s));
        let outcome = match current {
            Some(c) if c != shown => {
                tx.execute(&sql.again, &a.clone().set("status", c.label()))
                    .await?;
                WriteBack::StatusChanged
            }
            _ => {
                tx.execute(&sql.done, &a).await?;
                WriteBack::Committed
            }
        };
        self.log_attempt_in(&mut tx, &a).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// The store moved the order to a code the mapping does not list: Salesforce is left as it
    /// is and the change is done (a later move to a listed status is queued anew).
    pub async fn record_change_left(
        &self,
        token: &str,
        id: OrderId,
        attempt: i64,
        actor: &str,
        message: &str,
    ) -> Result<WriteBack> {
        let sql = &self.sql.changes.outcome;
        let a = args! {
            "id" => id.0, "token" => token, "now" => now_ms(), "attempt" => attempt,
            "worker" => actor, "outcome" => "status_left", "code" => None::<String>,
            "message" => message,
        };
        let mut tx = self.db.begin().await?;
        if tx.execute(&sql.release, &a).await? != 1 {
            return Ok(WriteBack::LeaseLost);
        }
        tx.execute(&sql.done, &a).await?;
        self.log_attempt_in(&mut tx, &a).await?;
        tx.commit().await?;
        Ok(WriteBack::Committed)
    }

    /// A change Salesforce did not take: retried later, or parked with its reason.
    pub async fn record_change_failure(
        &self,
        token: &str,
        id: OrderId,
        attempt: i64,
        actor: &str,
        failure: &ChangeFailure,
    ) -> Result<WriteBack> {
        let sql = &self.sql.changes.outcome;
        let a = args! {
            "id" => id.0, "token" => token, "now" => now_ms(), "attempt" => attempt,
            "worker" => actor, "parked" => PARKED,
        };
        let (stmt, a) = match failure {
            ChangeFailure::Transient {
                next_attempt_at,
                code,
                message,
            } => (
                &sql.retry_later,
                a.set("next", *next_attempt_at)
                    .set("class", ErrorClass::Transient.name())
                    .set("code", code.clone())
                    .set("message", message)
                    .set("outcome", "status_transient"),
            ),
            ChangeFailure::Rejected { code, message } => (
                &sql.park,
                a.set("class", ErrorClass::Rejected.name())
                    .set("code", code.clone())
                    .set("message", message)
                    .set("outcome", "status_rejected"),
            ),
        };
        self.fenced_with_attempt(stmt, &a).await
    }

    /// A rep's retry of a parked change; true when there was one.
    pub async fn unpark_change(&self, id: i64) -> Result<bool> {
        let a = args! { "id" => id, "pending" => PENDING, "parked" => PARKED, "now" => now_ms() };
        Ok(self
            .db
            .execute(&self.sql.changes.outcome.unpark, &a)
            .await?
            == 1)
    }

    /// A tried order the store moved out of Order Placed: done, with the records Salesforce
    /// holds for it (none if the sends never arrived). False while a push still holds it.
    pub async fn settle_unsent(
        &self,
        id: OrderId,
        opportunity: Option<String>,
        order: Option<String>,
    ) -> Result<bool> {
        let message = match &opportunity {
            Some(_) => {
                "the store moved it on after a send whose answer was lost; its records were found in Salesforce"
            }
            None => {
                "the store moved it out of Order Placed before it reached Salesforce; nothing was sent"
            }
        };
        let a = args! {
            "id" => id.0, "done" => crate::domain::SyncState::Done.as_str(), "now" => now_ms(),
            "opportunity" => opportunity, "sf_order" => order, "message" => message,
        };
        Ok(self
            .db
            .execute(&self.sql.changes.outcome.settle, &a)
            .await?
            == 1)
    }

    /// `retry --all-parked`: every parked status change goes again.
    pub async fn unpark_all_changes(&self) -> Result<u64> {
        let a = args! { "pending" => PENDING, "parked" => PARKED, "now" => now_ms() };
        self.db
            .execute(&self.sql.changes.outcome.unpark_all, &a)
            .await
    }
}
