//! One order as the store has it (customer, payment, lines), unclaimed: what a rep needs to
//! enter it in Salesforce by hand.

use super::build::B;
use super::claim::{LineRow, OrderRow, load_lines_sql, load_orders_sql};
use super::sql::{Stmt, args};
use super::{Result, Store};
use crate::domain::RawOrder;

pub(crate) struct EntrySql {
    order: Stmt,
    lines: Stmt,
}

impl EntrySql {
    pub fn build(b: &B) -> EntrySql {
        let line_order = b.c("l", &b.m.lines.order_id);
        EntrySql {
            order: b.stmt(load_orders_sql(b, &format!("{} = :id", b.id("o")))),
            lines: b.stmt(load_lines_sql(b, &format!("{line_order} = :id"))),
        }
    }
}

impl Store {
    /// The order and its lines as read for sending, without claiming it; None if there is none.
    pub async fn order_as_stored(&self, id: i64) -> Result<Option<RawOrder>> {
        let a = args! { "id" => id };
        let Some(row) = self
            .db
            .fetch_optional::<OrderRow>(&self.sql.entry.order, &a)
            .await?
        else {
            return Ok(None);
        };
        let rows: Vec<LineRow> = self.db.fetch_all(&self.sql.entry.lines, &a).await?;
        let lines = rows
            .into_iter()
            .enumerate()
            .map(|(i, l)| self.raw_line(l, i as i64 + 1))
            .collect();
        Ok(Some(self.raw_order(row, lines)))
    }
}
