//! Cancel-and-reissue in the store's own tables: the evaluation order → Canceled, and a copy of
//! it (every column the mapping does not name copied as is) placed anew at the accepted prices.
//!
//! The copy statements need the tables' live column lists, so they are built from the catalog
//! the first time a reissue happens (or at start-up, see [`Store::prepare_reissue`]) and kept.

use rust_decimal::Decimal;

use super::build::B;
use super::db::Tx;
use super::mapping::Ident;
use super::moves::Move;
use super::read::money_text;
use super::schema::Column;
use super::sql::{Args, args};
use super::{Result, Store, StoreError};
use crate::domain::OrderStatus;

/// One line of the reissued order: the original line and its accepted price.
#[derive(Debug, Clone)]
pub struct ReissueLine {
    pub line_id: i64,
    pub quantity: i64,
    pub unit_price: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReissueOutcome {
    /// The old order is Canceled and this new order is in Order Placed.
    Reissued { new_order_id: i64 },
    /// The order was no longer in Awaiting Customer Approval (an admin, or another replica): nothing done.
    LeftAlone,
}

mod sql;

pub(crate) use sql::ReissueSql;
use sql::{Columns, joined_tables};

impl Store {
    /// Reads the tables' columns and builds the copy statements, once.
    pub async fn prepare_reissue(&self) -> Result<()> {
        self.reissue_sql().await.map(|_| ())
    }

    async fn reissue_sql(&self) -> Result<&ReissueSql> {
        self.reissue
            .get_or_try_init(|| async {
                let m = &self.map;
                let (o, l) = (&m.orders, &m.lines);
                let order_values = [
                    &o.payment_method,
                    &o.po_number,
                    &o.currency,
                    &o.customer_email,
                ]
                .into_iter()
                .chain([
                    &o.customer_first_name,
                    &o.customer_last_name,
                    &o.customer_company,
                    &o.customer_phone,
                ])
                .map(Option::as_ref);
                let line_values = [l.product_id.as_ref(), l.sku.as_ref(), l.name.as_ref()]
                    .into_iter()
                    .chain([Some(&l.quantity), Some(&l.price), l.total.as_ref()]);
                let cols = Columns {
                    orders: self.existing_columns(&o.table).await?,
                    lines: self.existing_columns(&l.table).await?,
                    payments: match &m.payments {
                        Some(p) => self.existing_columns(&p.table).await?,
                        None => Vec::new(),
                    },
                    order_joined: self
                        .with_columns(joined_tables(order_values, &o.id))
                        .await?,
                    line_joined: self.with_columns(joined_tables(line_values, &l.id)).await?,
                };
                let b = B {
                    d: self.db.dialect(),
                    m,
                };
                Ok(ReissueSql::build(&b, &cols))
            })
            .await
    }

    async fn with_columns(
        &self,
        tables: Vec<(Ident, Ident)>,
    ) -> Result<Vec<(Ident, Ident, Vec<Column>)>> {
        let mut out = Vec::new();
        for (table, key) in tables {
            let columns = self.existing_columns(&table).await?;
            out.push((table, key, columns));
        }
        Ok(out)
    }

    async fn existing_columns(&self, table: &Ident) -> Result<Vec<Column>> {
        let columns = self.columns(table).await?;
        if columns.is_empty() {
            return Err(StoreError::Fatal(format!(
                "table {table} not found (check the [store] mapping)"
            )));
        }
        Ok(columns)
    }

    /// In one transaction: the order → Canceled ("price changed"), and a new order in Order
    /// Placed copying it, with `lines` at their accepted prices.
    pub async fn cancel_and_reissue(
        &self,
        id: i64,
        lines: &[ReissueLine],
        suffix: &str,
        actor: &str,
        reason: &str,
    ) -> Result<ReissueOutcome> {
        let sql = self.reissue_sql().await?;
        let mut tx = self.db.begin().await?;
        // The store's clock, not the worker's: the store's own changes are found by these times.
        let now = self.store_now_in(&mut tx).await?;
        let why = format!("price changed: {reason}");
        let cancel = Move {
            id,
            from: Some(OrderStatus::AwaitingCustomerApproval),
            to: OrderStatus::Canceled,
            actor,
            reason: &why,
            cancel_reason: Some("price changed"),
            at: now,
        };
        if !self.move_in(&mut tx, &cancel).await? {
            return Ok(ReissueOutcome::LeftAlone);
        }
        let total: Decimal = lines
            .iter()
            .map(|l| l.unit_price * Decimal::from(l.quantity))
            .sum();
        let (money, zones) = (self.map.money, self.time_zones_in(&mut tx).await?);
        let a = args! {
            "id" => id, "placed" => self.map.code(OrderStatus::OrderPlaced), "suffix" => suffix,
            "now_placed" => zones.placed_at.local_text(now),
            "now_updated" => zones.updated_at.local_text(now), "total" => money_text(total, money),
        };
        let new_id = match &sql.id_row {
            Some(row) => {
                let id = tx.insert_id(row, &a).await?;
                tx.execute(&sql.order, &a.clone().set("new_id", id)).await?;
                id
            }
            None => tx.insert_id(&sql.order, &a).await?,
        };
        let a = a.set("new_id", new_id).set("created", super::now_ms());
        for stmt in sql.order_rows.iter().chain(&sql.payment).chain(&sql.link) {
            tx.execute(stmt, &a).await?;
        }
        for l in lines {
            self.copy_line(&mut tx, sql, &a, l).await?;
        }
        let placed = Move {
            id: new_id,
            from: None,
            to: OrderStatus::OrderPlaced,
            actor,
            reason: &format!("reissue of order id {id} at the accepted quote's prices"),
            cancel_reason: None,
            at: now,
        };
        self.log_new_in(&mut tx, &placed).await?;
        tx.commit().await?;
        Ok(ReissueOutcome::Reissued {
            new_order_id: new_id,
        })
    }

    /// One line of the reissue at its accepted price, its joined rows, and its nested rows
    /// under the copy (their own joined rows too).
    async fn copy_line(
        &self,
        tx: &mut Tx,
        sql: &ReissueSql,
        a: &Args,
        l: &ReissueLine,
    ) -> Result<()> {
        let money = self.map.money;
        let line_total = l.unit_price * Decimal::from(l.quantity);
        let price = if self.map.lines.per_unit {
            l.unit_price
        } else {
            line_total
        };
        let la = a
            .clone()
            .set("line_id", l.line_id)
            .set("new_parent", None::<i64>)
            .set("price", money_text(price, money))
            .set("line_total", money_text(line_total, money));
        let new_line = tx.insert_id(&sql.line, &la).await?;
        let la = la.set("new_line_id", new_line);
        for stmt in sql.line_rows.iter().chain(&sql.line_values) {
            tx.execute(stmt, &la).await?;
        }
        let Some(children) = &sql.children else {
            return Ok(());
        };
        let kids: Vec<(i64,)> = tx.fetch_all(children, &la).await?;
        for (kid,) in kids {
            let ka = la.clone().set("line_id", kid).set("new_parent", new_line);
            let new_kid = tx.insert_id(&sql.child, &ka).await?;
            let ka = ka.set("new_line_id", new_kid);
            for stmt in &sql.line_rows {
                tx.execute(stmt, &ka).await?;
            }
        }
        Ok(())
    }
}
