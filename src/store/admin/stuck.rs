//! Stuck orders: in Order Placed longer than a threshold, or parked. Ages are worked out here,
//! from times read exactly, never by comparing the store's time text in SQL.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::super::build::B;
use super::super::sql::{Stmt, args};
use super::super::{Result, Store};
use crate::domain::{OrderStatus, SyncState};

/// An order in Order Placed past the threshold, or parked.
#[derive(Debug, Clone)]
pub struct StuckOrder {
    pub id: i64,
    pub order_number: String,
    pub status: String,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// None when the store's time is missing or unreadable.
    pub placed_at: Option<DateTime<Utc>>,
    pub sync_state: Option<String>,
    pub attempts: Option<i64>,
    pub last_error_class: Option<String>,
    pub last_error: Option<String>,
}

pub(crate) struct StuckSql {
    placed: Stmt,
    parked: Stmt,
    /// Sent orders whose later status change Salesforce refused.
    parked_changes: Stmt,
}

impl StuckSql {
    pub fn build(b: &B) -> StuckSql {
        let o = &b.m.orders;
        let (name, join) = match (&b.m.customers, &o.customer_id) {
            (Some(c), Some(cid)) => (
                format!(
                    "COALESCE({}, {})",
                    b.text("c", c.company.as_ref()),
                    b.text("c", Some(&c.last_name))
                ),
                format!(
                    "LEFT JOIN {} c ON {} = {}",
                    b.t(&c.table),
                    b.c("c", &c.id),
                    b.c("o", cid)
                ),
            ),
            _ => (
                format!(
                    "COALESCE({}, {})",
                    b.text("o", o.customer_company.as_ref()),
                    b.text("o", o.customer_last_name.as_ref())
                ),
                String::new(),
            ),
        };
        let select = format!(
            "SELECT {id} AS id, {number} AS order_number, {status} AS status, {cid} AS customer_id, \
               {name} AS customer_name, {placed} AS placed_at, s.state AS sync_state, s.attempts, \
               s.last_error_class, s.last_error",
            id = b.int("o", Some(&o.id)),
            number = b.text("o", Some(&o.number)),
            status = b.text("o", Some(&o.status)),
            cid = b.int("o", o.customer_id.as_ref()),
            placed = b.text("o", Some(&o.placed_at)),
        );
        let (orders, id) = (b.orders(), b.id("o"));
        let placed = format!(
            "{}{}",
            b.status_in("o", OrderStatus::OrderPlaced),
            b.orders_filter("o")
        );
        let approval = b.status_in("o", OrderStatus::AwaitingCustomerApproval);
        let own = "s.state AS sync_state, s.attempts, s.last_error_class, s.last_error";
        let change = "ch.state AS sync_state, ch.attempts, ch.last_error_class, ch.last_error";
        StuckSql {
            parked_changes: b.stmt(format!(
                "{} FROM order_sync_changes ch JOIN {orders} o ON {id} = ch.order_id {join} \
                 WHERE ch.state = :parked",
                select.replace(own, change)
            )),
            placed: b.stmt(format!(
                "{select} FROM {orders} o LEFT JOIN order_sync_state s ON s.order_id = {id} {join} \
                 WHERE {placed}"
            )),
            // Parked in Order Placed, by the repair loop, or after a send (a refused re-send,
            // which has a route, in whatever status the store has now).
            parked: b.stmt(format!(
                "{select} FROM order_sync_state s JOIN {orders} o ON {id} = s.order_id {join} \
                 WHERE s.state = :parked AND ({placed} OR {approval} OR s.route IS NOT NULL)"
            )),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    order_number: Option<String>,
    status: Option<String>,
    customer_id: Option<i64>,
    customer_name: Option<String>,
    placed_at: Option<String>,
    sync_state: Option<String>,
    attempts: Option<i64>,
    last_error_class: Option<String>,
    last_error: Option<String>,
}

impl Store {
    /// Every order in Order Placed and every parked one, by id.
    async fn stuck_candidates(&self) -> Result<BTreeMap<i64, StuckOrder>> {
        let a = args! {
            "placed" => self.map.code(OrderStatus::OrderPlaced),
            "approval" => self.map.code(OrderStatus::AwaitingCustomerApproval),
            "parked" => SyncState::Parked.as_str(),
        };
        let mut rows: Vec<Row> = self.db.fetch_all(&self.sql.admin.stuck.placed, &a).await?;
        for stmt in [
            &self.sql.admin.stuck.parked,
            &self.sql.admin.stuck.parked_changes,
        ] {
            rows.extend(self.db.fetch_all::<Row>(stmt, &a).await?);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let o = StuckOrder {
                    id: r.id,
                    order_number: r.order_number.unwrap_or_else(|| r.id.to_string()),
                    status: self.label(&r.status.unwrap_or_default()),
                    customer_id: r.customer_id,
                    customer_name: r.customer_name,
                    placed_at: r.placed_at.as_deref().and_then(|t| self.time_of(t)),
                    sync_state: r.sync_state,
                    attempts: r.attempts,
                    last_error_class: r.last_error_class,
                    last_error: r.last_error,
                };
                (o.id, o)
            })
            .collect())
    }

    /// Orders in Order Placed since before `placed_before`, or parked; oldest first.
    pub async fn stuck_orders(&self, placed_before: DateTime<Utc>) -> Result<Vec<StuckOrder>> {
        let placed = OrderStatus::OrderPlaced.label();
        let parked = Some(SyncState::Parked.as_str());
        let mut stuck: Vec<StuckOrder> = self
            .stuck_candidates()
            .await?
            .into_values()
            .filter(|o| {
                o.sync_state.as_deref() == parked
                    || (o.status == placed && o.placed_at.is_some_and(|t| t < placed_before))
            })
            .collect();
        stuck.sort_by_key(|o| (o.placed_at, o.id));
        Ok(stuck)
    }

    /// When the oldest order still in Order Placed was placed.
    pub async fn oldest_order_placed(&self) -> Result<Option<DateTime<Utc>>> {
        let placed = OrderStatus::OrderPlaced.label();
        let candidates = self.stuck_candidates().await?;
        Ok(candidates
            .values()
            .filter(|o| o.status == placed)
            .filter_map(|o| o.placed_at)
            .min())
    }
}
