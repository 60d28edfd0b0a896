//! Stuck-order alerts: raised once per order (the row is the mark), cleared when the order moves.

use chrono::{DateTime, Utc};

use super::{Result, Store, now_ms, on_pool, sql_fragment};

const RAISE: &str = "INSERT INTO order_sync_alerts (order_id, raised_at, reason) VALUES ($1, $2, $3) \
    ON CONFLICT (order_id) DO NOTHING";
/// Alerts whose order is no longer stuck (same condition as the stuck list).
const CLEAR: &str = concat!(
    "DELETE FROM order_sync_alerts WHERE order_id NOT IN ( \
       SELECT o.id FROM orders o LEFT JOIN order_sync_state s ON s.order_id = o.id WHERE ",
    sql_fragment!(stuck),
    ") RETURNING order_id"
);
const OLDEST_PLACED: &str =
    "SELECT CAST(MIN(placed_at) AS TEXT) FROM orders WHERE status = 'Order Placed'";
const OPEN_ALERTS: &str = "SELECT COUNT(*) FROM order_sync_alerts";

impl Store {
    /// Marks `order_id` as alerted; true only for the caller that raised it first.
    pub async fn raise_alert(&self, order_id: i64, reason: &str) -> Result<bool> {
        let n = on_pool!(self, p => sqlx::query(RAISE).bind(order_id).bind(now_ms()).bind(reason)
            .execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n == 1)
    }

    /// Clears the alerts of orders that moved on; returns their ids.
    pub async fn clear_moved_alerts(&self, placed_before: DateTime<Utc>) -> Result<Vec<i64>> {
        let ids =
            on_pool!(self, p => sqlx::query_scalar(CLEAR).bind(placed_before).fetch_all(p).await)?;
        Ok(ids)
    }

    pub async fn open_alerts(&self) -> Result<i64> {
        let n = on_pool!(self, p => sqlx::query_scalar(OPEN_ALERTS).fetch_one(p).await)?;
        Ok(n)
    }

    /// When the oldest order still in Order Placed was placed.
    pub async fn oldest_order_placed(&self) -> Result<Option<DateTime<Utc>>> {
        let t: Option<String> =
            on_pool!(self, p => sqlx::query_scalar(OLDEST_PLACED).fetch_one(p).await)?;
        Ok(t.as_deref().and_then(super::parse_timestamp))
    }

    /// Deletes attempt rows of orders that finished before `before_ms`; the latest stays for
    /// parked and pending orders whatever its age. Returns how many went.
    pub async fn prune_attempts(&self, before_ms: i64) -> Result<u64> {
        const PRUNE: &str = "DELETE FROM order_sync_attempts WHERE finished_at < $1 \
            AND order_id IN (SELECT order_id FROM order_sync_state WHERE state = 'done')";
        let n = on_pool!(self, p => sqlx::query(PRUNE).bind(before_ms).execute(p).await.map(|r| r.rows_affected()))?;
        Ok(n)
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
