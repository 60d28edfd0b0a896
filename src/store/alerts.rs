//! Stuck-order alerts: raised once per order (the row is the mark), cleared when the order moves;
//! and the watchdog's housekeeping.

use super::build::B;
use super::sql::{Stmt, args};
use super::{Result, Store, now_ms};
use crate::domain::SyncState;

pub(crate) struct AlertSql {
    raise: Stmt,
    open: Stmt,
    clear: Stmt,
    prune: Stmt,
    ping: Stmt,
    recover: Stmt,
}

/// The kv mark that says whether the last digest listed stuck orders ("open") or not ("clear"):
/// shared by replicas, so the recovery message is sent once.
const DIGEST_KEY: &str = "alerts.digest";

impl AlertSql {
    pub fn build(b: &B) -> AlertSql {
        AlertSql {
            raise: b.stmt(b.d.insert_ignoring(
                "order_sync_alerts (order_id, raised_at, reason)",
                "VALUES (:id, :now, :reason)",
                "order_id",
            )),
            open: b.stmt("SELECT order_id FROM order_sync_alerts ORDER BY order_id"),
            clear: b.stmt("DELETE FROM order_sync_alerts WHERE order_id = :id"),
            prune: b.stmt(
                "DELETE FROM order_sync_attempts WHERE finished_at < :before \
                 AND order_id IN (SELECT order_id FROM order_sync_state WHERE state = :done)",
            ),
            ping: b.stmt("SELECT 1"),
            recover: b.stmt(format!(
                "UPDATE order_sync_kv SET value = :clear, updated_at = :now \
                 WHERE {} = :key AND value = :open",
                b.kv_key()
            )),
        }
    }
}

impl Store {
    /// Marks `order_id` as alerted; true only for the caller that raised it first.
    pub async fn raise_alert(&self, order_id: i64, reason: &str) -> Result<bool> {
        let a = args! { "id" => order_id, "now" => now_ms(), "reason" => reason };
        Ok(self.db.execute(&self.sql.alerts.raise, &a).await? == 1)
    }

    /// Clears the alerts of orders not in `still_stuck`; returns their ids.
    pub async fn clear_moved_alerts(&self, still_stuck: &[i64]) -> Result<Vec<i64>> {
        let open: Vec<(i64,)> = self.db.fetch_all(&self.sql.alerts.open, &args! {}).await?;
        let mut cleared = Vec::new();
        for (id,) in open.into_iter().filter(|(id,)| !still_stuck.contains(id)) {
            if self
                .db
                .execute(&self.sql.alerts.clear, &args! { "id" => id })
                .await?
                == 1
            {
                cleared.push(id);
            }
        }
        Ok(cleared)
    }

    /// Notes that a digest listed stuck orders, so that a recovery message follows.
    pub async fn mark_digest_open(&self) -> Result<()> {
        self.kv_set(DIGEST_KEY, "open").await
    }

    /// True for the one caller that turns the open mark to clear: it sends the recovery message.
    pub async fn mark_digest_recovered(&self) -> Result<bool> {
        let a =
            args! { "key" => DIGEST_KEY, "open" => "open", "clear" => "clear", "now" => now_ms() };
        Ok(self.db.execute(&self.sql.alerts.recover, &a).await? == 1)
    }

    pub async fn open_alerts(&self) -> Result<i64> {
        let open: Vec<(i64,)> = self.db.fetch_all(&self.sql.alerts.open, &args! {}).await?;
        Ok(open.len() as i64)
    }

    /// Deletes attempt rows of orders that finished before `before_ms`; the latest stays for
    /// parked and pending orders whatever its age. Returns how many went.
    pub async fn prune_attempts(&self, before_ms: i64) -> Result<u64> {
        let a = args! { "before" => before_ms, "done" => SyncState::Done.as_str() };
        self.db.execute(&self.sql.alerts.prune, &a).await
    }

    /// A cheap round trip, for `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        self.db.execute(&self.sql.alerts.ping, &args! {}).await?;
        Ok(())
    }
}
