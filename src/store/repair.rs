//! The repair loop's statements: orders waiting in a repair status, their lines, parking, and
//! the small named values (the watermark) order-sync keeps.

use super::build::B;
use super::claim::load_lines_sql;
use super::moves::Move;
use super::sql::{Stmt, args};
use super::{Result, Store, now_ms};
use crate::domain::{OrderStatus, SyncState};
use crate::error::ErrorClass;

pub use super::reissue::{ReissueLine, ReissueOutcome};

/// An order waiting in a repair status, with the key its Salesforce records use.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RepairOrder {
    pub id: i64,
    pub order_number: String,
    /// The id keying the Opportunity and Quote (the first order of a reissue chain).
    pub opportunity_key: i64,
}

/// One line of the order to reissue.
#[derive(Debug, Clone)]
pub struct RepairLine {
    pub id: i64,
    pub product_id: Option<i64>,
    pub sku: Option<String>,
    /// None when the store's quantity is not a whole number.
    pub quantity: Option<i64>,
}

pub(crate) struct RepairSql {
    in_status: Stmt,
    lines: Stmt,
    park: Stmt,
    kv_get: Stmt,
    kv_set: Stmt,
}

impl RepairSql {
    pub fn build(b: &B) -> RepairSql {
        let in_status = format!(
            "SELECT {id} AS id, {number} AS order_number, {key} AS opportunity_key \
             FROM {orders} o {join} LEFT JOIN order_sync_state s ON s.order_id = {raw_id} \
             WHERE {status} AND (s.state IS NULL OR s.state <> :parked) ORDER BY {raw_id} LIMIT :limit",
            id = b.int("o", Some(&b.m.orders.id)),
            number = b.text("o", Some(&b.m.orders.number)),
            key = b.opportunity_key(),
            orders = b.orders(),
            join = b.join_reissued(),
            raw_id = b.id("o"),
            status = b.status_in("o", OrderStatus::AwaitingCustomerApproval),
        );
        let key = b.kv_key();
        RepairSql {
            in_status: b.stmt(in_status),
            lines: b.stmt(load_lines_sql(b, &format!("{} = :id", b.c("l", &b.m.lines.order_id)))),
            park: b.stmt(format!(
                "INSERT INTO order_sync_state (order_id, state, created_at, updated_at, last_error_class, last_error, parked_at) \
                 VALUES (:id, :parked, :now, :now, :class, :reason, :now){}",
                b.d.on_conflict_update(
                    "order_id",
                    &["state", "last_error_class", "last_error", "parked_at", "updated_at"]
                )
            )),
            kv_get: b.stmt(format!("SELECT value FROM order_sync_kv WHERE {key} = :key")),
            kv_set: b.stmt(format!(
                "INSERT INTO order_sync_kv ({key}, value, updated_at) VALUES (:key, :value, :now){}",
                b.d.on_conflict_update(&key, &["value", "updated_at"])
            )),
        }
    }
}

impl Store {
    /// Orders in Awaiting Customer Approval (not parked), oldest id first.
    pub async fn orders_awaiting_approval(&self, limit: i64) -> Result<Vec<RepairOrder>> {
        let a = args! { "parked" => SyncState::Parked.as_str(), "limit" => limit };
        self.db.fetch_all(&self.sql.repair.in_status, &a).await
    }

    pub async fn repair_lines(&self, order_id: i64) -> Result<Vec<RepairLine>> {
        let rows: Vec<super::claim::LineRow> = self
            .db
            .fetch_all(&self.sql.repair.lines, &args! { "id" => order_id })
            .await?;
        // One line per thing bought, as the order was sent: nested rows folded in.
        Ok(self
            .order_lines(rows)
            .into_iter()
            .map(|l| RepairLine {
                id: l.id,
                product_id: l.product_id,
                sku: l.sku,
                quantity: l.quantity.and_then(Result::ok),
            })
            .collect())
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
        let mut tx = self.db.begin().await?;
        let m = Move {
            id,
            from: Some(from),
            to,
            actor,
            reason,
            cancel_reason: None,
            at: self.store_now_in(&mut tx).await?,
        };
        if !self.move_in(&mut tx, &m).await? {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Parks an order the repair loop cannot move, with the reason.
    pub async fn park_order(&self, id: i64, reason: &str) -> Result<()> {
        let a = args! {
            "id" => id, "reason" => reason, "now" => now_ms(), "parked" => SyncState::Parked.as_str(),
            "class" => ErrorClass::Rejected.name(),
        };
        self.db.execute(&self.sql.repair.park, &a).await?;
        Ok(())
    }

    pub async fn kv_get(&self, key: &str) -> Result<Option<String>> {
        let v: Option<(String,)> = self
            .db
            .fetch_optional(&self.sql.repair.kv_get, &args! { "key" => key })
            .await?;
        Ok(v.map(|(v,)| v))
    }

    pub async fn kv_set(&self, key: &str, value: &str) -> Result<()> {
        let a = args! { "key" => key, "value" => value, "now" => now_ms() };
        self.db.execute(&self.sql.repair.kv_set, &a).await?;
        Ok(())
    }
}
