//! Read-side and rep-side statements: order details, stuck orders, counts, retry.

use super::{Result, Store, now_ms, on_pool, parse_timestamp, sql_fragment};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub from_status: Option<String>,
    pub to_status: String,
    pub changed_at: Option<String>,
    pub actor: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttemptRow {
    pub attempt: i64,
    pub worker: String,
    pub finished_at: i64,
    pub outcome: String,
    pub error_code: Option<String>,
    pub message: Option<String>,
}

/// Everything a rep needs to see about one order.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OrderDetail {
    pub id: i64,
    pub order_number: String,
    pub status: String,
    pub reissue_of: Option<i64>,
    pub reissued_as: Option<i64>,
    pub sync_state: Option<String>,
    pub attempts: Option<i64>,
    pub route: Option<String>,
    pub sf_account_id: Option<String>,
    pub sf_contact_id: Option<String>,
    pub sf_opportunity_id: Option<String>,
    pub sf_quote_id: Option<String>,
    pub sf_order_id: Option<String>,
    pub last_error_class: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
}

/// An order in Order Placed past the threshold, or parked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StuckOrder {
    pub id: i64,
    pub order_number: String,
    pub status: String,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub placed_at: Option<String>,
    pub sync_state: Option<String>,
    pub attempts: Option<i64>,
    pub last_error_class: Option<String>,
    pub last_error: Option<String>,
}

impl StuckOrder {
    pub fn placed_at(&self) -> Option<DateTime<Utc>> {
        self.placed_at.as_deref().and_then(parse_timestamp)
    }
}

#[derive(Debug, Clone, Default)]
pub struct StatusCounts {
    pub by_status: Vec<(String, i64)>,
    pub by_sync_state: Vec<(String, i64)>,
}

const FIND_ORDER: &str =
    "SELECT id FROM orders WHERE order_number = $1 OR CAST(id AS TEXT) = $1 ORDER BY id LIMIT 1";
const DETAIL: &str = "SELECT o.id, o.order_number, o.status, o.reissue_of, n.id AS reissued_as, \
      s.state AS sync_state, s.attempts, s.route, s.sf_account_id, s.sf_contact_id, s.sf_opportunity_id, \
      s.sf_quote_id, s.sf_order_id, s.last_error_class, s.last_error_code, s.last_error, s.next_attempt_at \
    FROM orders o LEFT JOIN order_sync_state s ON s.order_id = o.id \
    LEFT JOIN orders n ON n.reissue_of = o.id WHERE o.id = $1";
const HISTORY: &str = "SELECT from_status, to_status, CAST(changed_at AS TEXT) AS changed_at, actor, reason \
    FROM order_status_history WHERE order_id = $1 ORDER BY id";
const ATTEMPTS: &str = "SELECT attempt, worker, finished_at, outcome, error_code, message \
    FROM order_sync_attempts WHERE order_id = $1 ORDER BY id";
const STUCK: &str = concat!(
    "SELECT o.id, o.order_number, o.status, o.customer_id, \
       COALESCE(c.company, c.last_name) AS customer_name, CAST(o.placed_at AS TEXT) AS placed_at, \
       s.state AS sync_state, s.attempts, s.last_error_class, s.last_error \
     FROM orders o LEFT JOIN order_sync_state s ON s.order_id = o.id \
     LEFT JOIN customers c ON c.id = o.customer_id \
     WHERE ",
    sql_fragment!(stuck),
    " ORDER BY o.placed_at, o.id"
);
const RETRY: &str = "UPDATE order_sync_state SET state = 'pending', next_attempt_at = 0, parked_at = NULL, \
    updated_at = $2 WHERE order_id = $1 AND state IN ('parked', 'pending')";
const RETRY_ALL: &str = "UPDATE order_sync_state SET state = 'pending', next_attempt_at = 0, parked_at = NULL, \
    updated_at = $1 WHERE state = 'parked'";
const BY_STATUS: &str = "SELECT status, COUNT(*) FROM orders GROUP BY status ORDER BY status";
const BY_SYNC_STATE: &str =
    "SELECT state, COUNT(*) FROM order_sync_state GROUP BY state ORDER BY state";

impl Store {
    /// Finds an order by its number or its id.
    pub async fn find_order(&self, key: &str) -> Result<Option<i64>> {
        let id: Option<i64> =
            on_pool!(self, p => sqlx::query_scalar(FIND_ORDER).bind(key).fetch_optional(p).await)?;
        Ok(id)
    }

    pub async fn order_detail(&self, id: i64) -> Result<Option<OrderDetail>> {
        let d = on_pool!(self, p => sqlx::query_as(DETAIL).bind(id).fetch_optional(p).await)?;
        Ok(d)
    }

    pub async fn order_history(&self, id: i64) -> Result<Vec<HistoryRow>> {
        let rows = on_pool!(self, p => sqlx::query_as(HISTORY).bind(id).fetch_all(p).await)?;
        Ok(rows)
    }

    pub async fn order_attempts(&self, id: i64) -> Result<Vec<AttemptRow>> {
        let rows = on_pool!(self, p => sqlx::query_as(ATTEMPTS).bind(id).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Orders in Order Placed since before `placed_before`, or parked.
    pub async fn stuck_orders(&self, placed_before: DateTime<Utc>) -> Result<Vec<StuckOrder>> {
        let rows =
            on_pool!(self, p => sqlx::query_as(STUCK).bind(placed_before).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Makes a parked (or backing-off) order due now. False when there is nothing to retry.
    pub async fn retry_order(&self, id: i64) -> Result<bool> {
        let r = on_pool!(self, p => sqlx::query(RETRY).bind(id).bind(now_ms()).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(r == 1)
    }

    pub async fn retry_all_parked(&self) -> Result<u64> {
        let r = on_pool!(self, p => sqlx::query(RETRY_ALL).bind(now_ms()).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(r)
    }

    pub async fn status_counts(&self) -> Result<StatusCounts> {
        let by_status = on_pool!(self, p => sqlx::query_as(BY_STATUS).fetch_all(p).await)?;
        let by_sync_state = on_pool!(self, p => sqlx::query_as(BY_SYNC_STATE).fetch_all(p).await)?;
        Ok(StatusCounts {
            by_status,
            by_sync_state,
        })
    }

    /// The store status of an order, as text.
    pub async fn order_status(&self, id: i64) -> Result<Option<String>> {
        let s = on_pool!(self, p => sqlx::query_scalar("SELECT status FROM orders WHERE id = $1")
            .bind(id).fetch_optional(p).await)?;
        Ok(s)
    }
}
