//! Writing an attempt's outcome back: status + history + sync state in one transaction,
//! and only while the lease is still ours.

use super::{Result, Store, now_ms, on_pool};
use crate::domain::{OrderId, OrderStatus, Route, SalesforceIds};

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

const MARK_SENT: &str = "UPDATE order_sync_state SET state = 'done', lease_owner = NULL, lease_token = NULL, \
      lease_expires_at = NULL, route = $3, sf_account_id = $4, sf_contact_id = $5, sf_opportunity_id = $6, \
      sf_quote_id = $7, sf_order_id = $8, last_error_class = NULL, last_error_code = NULL, last_error = NULL, \
      parked_at = NULL, synced_at = $9, updated_at = $9 \
    WHERE order_id = $1 AND lease_token = $2";
const MOVE_STATUS: &str =
    "UPDATE orders SET status = $2, updated_at = $3 WHERE id = $1 AND status = $4";
const HISTORY: &str = "INSERT INTO order_status_history (order_id, from_status, to_status, changed_at, actor, reason) \
    VALUES ($1, $2, $3, $4, $5, $6)";
const ATTEMPT: &str = "INSERT INTO order_sync_attempts (order_id, attempt, worker, finished_at, outcome, error_code, message) \
    VALUES ($1, $2, $3, $4, $5, $6, $7)";
const MARK_TRANSIENT: &str = "UPDATE order_sync_state SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, \
      next_attempt_at = $3, last_error_class = 'transient', last_error_code = $4, last_error = $5, updated_at = $6 \
    WHERE order_id = $1 AND lease_token = $2";
const MARK_PARKED: &str = "UPDATE order_sync_state SET state = 'parked', lease_owner = NULL, lease_token = NULL, \
      lease_expires_at = NULL, last_error_class = 'rejected', last_error_code = $3, last_error = $4, \
      parked_at = $5, updated_at = $5 \
    WHERE order_id = $1 AND lease_token = $2";
const MARK_DONE_ELSEWHERE: &str = "UPDATE order_sync_state SET state = 'done', lease_owner = NULL, lease_token = NULL, \
      lease_expires_at = NULL, last_error_class = NULL, last_error = $3, updated_at = $4 \
    WHERE order_id = $1 AND lease_token = $2";

impl Store {
    /// Moves a sent order to its route: status, history row and sync state commit together.
    pub async fn record_sent(&self, token: &str, sent: &Sent) -> Result<WriteBack> {
        let now = now_ms();
        let to = sent.route.status();
        let reason = format!(
            "in Salesforce as Opportunity {}",
            sent.ids.opportunity.as_deref().unwrap_or("?")
        );
        let ids = &sent.ids;
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let fenced = sqlx::query(MARK_SENT)
                .bind(sent.order_id.0).bind(token).bind(sent.route.name())
                .bind(&ids.account).bind(&ids.contact).bind(&ids.opportunity).bind(&ids.quote).bind(&ids.order)
                .bind(now)
                .execute(&mut *tx).await?;
            if fenced.rows_affected() != 1 {
                return Ok(WriteBack::LeaseLost);
            }
            let moved = sqlx::query(MOVE_STATUS)
                .bind(sent.order_id.0).bind(to.label()).bind(chrono::Utc::now())
                .bind(OrderStatus::OrderPlaced.label())
                .execute(&mut *tx).await?;
            let outcome = if moved.rows_affected() == 1 {
                sqlx::query(HISTORY)
                    .bind(sent.order_id.0).bind(OrderStatus::OrderPlaced.label()).bind(to.label())
                    .bind(chrono::Utc::now()).bind(&sent.actor).bind(&reason)
                    .execute(&mut *tx).await?;
                WriteBack::Committed
            } else {
                sqlx::query(MARK_DONE_ELSEWHERE)
                    .bind(sent.order_id.0).bind(token)
                    .bind("in Salesforce, but the store status changed meanwhile; left as it was")
                    .bind(now)
                    .execute(&mut *tx).await?;
                WriteBack::StatusChanged
            };
            let label = if outcome == WriteBack::Committed { "sent" } else { "status_changed" };
            sqlx::query(ATTEMPT)
                .bind(sent.order_id.0).bind(sent.attempt).bind(&sent.actor).bind(now).bind(label)
                .bind(None::<String>).bind(Some(&reason))
                .execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(outcome)
        })
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
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let (fenced, label, code, message) = match failure {
                Failure::Transient { next_attempt_at, code, message } => (
                    sqlx::query(MARK_TRANSIENT)
                        .bind(order_id.0).bind(token).bind(*next_attempt_at).bind(code).bind(message).bind(now)
                        .execute(&mut *tx).await?,
                    "transient", code, message,
                ),
                Failure::Rejected { code, message } => (
                    sqlx::query(MARK_PARKED)
                        .bind(order_id.0).bind(token).bind(code).bind(message).bind(now)
                        .execute(&mut *tx).await?,
                    "rejected", code, message,
                ),
            };
            if fenced.rows_affected() != 1 {
                return Ok(WriteBack::LeaseLost);
            }
            sqlx::query(ATTEMPT)
                .bind(order_id.0).bind(attempt).bind(actor).bind(now).bind(label).bind(code).bind(message)
                .execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(WriteBack::Committed)
        })
    }
}
