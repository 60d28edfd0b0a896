//! The repair loop's statements: status moves with history, the watermark, cancel-and-reissue.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{Result, Store, now_ms, on_pool, sql_fragment};
use crate::domain::OrderStatus;

/// An order waiting in a repair status, with the key its Salesforce records use.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepairOrder {
    pub id: i64,
    pub order_number: String,
    /// The id keying the Opportunity and Quote (the first order of a reissue chain).
    pub opportunity_key: i64,
}

/// One line of the order to reissue.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepairLine {
    pub id: i64,
    pub product_id: Option<i64>,
    pub sku: Option<String>,
    pub quantity: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReissueOutcome {
    /// The old order is Canceled and this new order is in Order Placed.
    Reissued { new_order_id: i64 },
    /// The order was no longer in Awaiting Customer Approval (an admin, or another replica): nothing done.
    LeftAlone,
}

const IN_STATUS: &str = concat!(
    "SELECT o.id, o.order_number, ",
    sql_fragment!(opportunity_key),
    " AS opportunity_key \
     FROM orders o LEFT JOIN orders r ON r.id = o.reissue_of \
     LEFT JOIN order_sync_state s ON s.order_id = o.id \
     WHERE o.status = $1 AND (s.state IS NULL OR s.state <> 'parked') ORDER BY o.id LIMIT $2"
);
const LINES: &str = "SELECT l.id, l.product_id, p.sku, CAST(l.quantity AS BIGINT) AS quantity \
    FROM order_lines l LEFT JOIN products p ON p.id = l.product_id WHERE l.order_id = $1 ORDER BY l.line_no, l.id";
const MOVE: &str = "UPDATE orders SET status = $3, updated_at = $4 WHERE id = $1 AND status = $2";
const HISTORY: &str = "INSERT INTO order_status_history (order_id, from_status, to_status, changed_at, actor, reason) \
    VALUES ($1, $2, $3, $4, $5, $6)";
const CANCEL: &str = "UPDATE orders SET status = 'Canceled', cancel_reason = 'price changed', updated_at = $2 \
    WHERE id = $1 AND status = 'Awaiting Customer Approval'";
const REISSUE: &str = "INSERT INTO orders (order_number, customer_id, status, payment_method, po_number, currency, \
      placed_at, updated_at, reissue_of) \
    SELECT order_number || $2, customer_id, 'Order Placed', payment_method, po_number, currency, $3, $3, id \
    FROM orders WHERE id = $1 RETURNING id";
const LINE_SQLITE: &str = "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) \
    SELECT $1, line_no, product_id, quantity, $3 FROM order_lines WHERE id = $2";
const LINE_PG: &str = "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price) \
    SELECT $1, line_no, product_id, quantity, CAST($3 AS NUMERIC) FROM order_lines WHERE id = $2";
const KV_GET: &str = "SELECT value FROM order_sync_kv WHERE key = $1";
const KV_SET: &str = "INSERT INTO order_sync_kv (key, value, updated_at) VALUES ($1, $2, $3) \
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";
const PARK: &str = "INSERT INTO order_sync_state (order_id, state, created_at, updated_at, last_error_class, last_error, parked_at) \
    VALUES ($1, 'parked', $3, $3, 'rejected', $2, $3) \
    ON CONFLICT (order_id) DO UPDATE SET state = 'parked', last_error_class = 'rejected', last_error = $2, \
      parked_at = $3, updated_at = $3";

impl Store {
    /// Orders in `status` (not parked), oldest id first.
    pub async fn orders_in_status(
        &self,
        status: OrderStatus,
        limit: i64,
    ) -> Result<Vec<RepairOrder>> {
        let rows = on_pool!(self, p => sqlx::query_as(IN_STATUS).bind(status.label()).bind(limit).fetch_all(p).await)?;
        Ok(rows)
    }

    pub async fn repair_lines(&self, order_id: i64) -> Result<Vec<RepairLine>> {
        let rows = on_pool!(self, p => sqlx::query_as(LINES).bind(order_id).fetch_all(p).await)?;
        Ok(rows)
    }

    /// Moves an order `from` → `to` with its history row; false if it was not in `from` any more.
    pub async fn move_status(
        &self,
        id: i64,
        from: OrderStatus,
        to: OrderStatus,
        actor: &str,
        reason: &str,
    ) -> Result<bool> {
        debug_assert!(from.can_move_to(to), "order-sync never moves {from} → {to}");
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let now = chrono::Utc::now();
            let moved = sqlx::query(MOVE).bind(id).bind(from.label()).bind(to.label()).bind(now).execute(&mut *tx).await?;
            if moved.rows_affected() != 1 {
                return Ok(false);
            }
            sqlx::query(HISTORY).bind(id).bind(from.label()).bind(to.label()).bind(now).bind(actor).bind(reason)
                .execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// In one transaction: the order → Canceled ("price changed"), and a new order in Order Placed
    /// with the same customer, payment, PO, products and quantities at `prices` (by old line id).
    pub async fn cancel_and_reissue(
        &self,
        id: i64,
        prices: &HashMap<i64, Decimal>,
        suffix: &str,
        actor: &str,
        reason: &str,
    ) -> Result<ReissueOutcome> {
        let line_sql = match self {
            Store::Sqlite(_) => LINE_SQLITE,
            Store::Postgres(_) => LINE_PG,
        };
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let now = chrono::Utc::now();
            if sqlx::query(CANCEL).bind(id).bind(now).execute(&mut *tx).await?.rows_affected() != 1 {
                return Ok(ReissueOutcome::LeftAlone);
            }
            let new_id: i64 = sqlx::query_scalar(REISSUE).bind(id).bind(suffix).bind(now).fetch_one(&mut *tx).await?;
            for (line_id, price) in prices {
                sqlx::query(line_sql).bind(new_id).bind(*line_id).bind(price.to_string()).execute(&mut *tx).await?;
            }
            let canceled = OrderStatus::Canceled.label();
            sqlx::query(HISTORY).bind(id).bind(OrderStatus::AwaitingCustomerApproval.label()).bind(canceled)
                .bind(now).bind(actor).bind(format!("price changed: {reason}; reissued as order id {new_id}"))
                .execute(&mut *tx).await?;
            sqlx::query(HISTORY).bind(new_id).bind(None::<String>).bind(OrderStatus::OrderPlaced.label())
                .bind(now).bind(actor).bind(format!("reissue of order id {id} at the accepted quote's prices"))
                .execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(ReissueOutcome::Reissued { new_order_id: new_id })
        })
    }

    /// Parks an order the repair loop cannot move, with the reason.
    pub async fn park_order(&self, id: i64, reason: &str) -> Result<()> {
        on_pool!(self, p => sqlx::query(PARK).bind(id).bind(reason).bind(now_ms()).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn kv_get(&self, key: &str) -> Result<Option<String>> {
        let v = on_pool!(self, p => sqlx::query_scalar(KV_GET).bind(key).fetch_optional(p).await)?;
        Ok(v)
    }

    pub async fn kv_set(&self, key: &str, value: &str) -> Result<()> {
        on_pool!(self, p => sqlx::query(KV_SET).bind(key).bind(value).bind(now_ms()).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
