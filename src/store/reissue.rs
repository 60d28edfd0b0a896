//! Cancel-and-reissue in the store's own tables: the evaluation order → Canceled, and a copy of
//! it (every column the mapping does not name copied as is) placed anew at the accepted prices.
//!
//! The copy statements need the tables' live column lists, so they are built from the catalog
//! the first time a reissue happens (or at start-up, see [`Store::prepare_reissue`]) and kept.

use chrono::Utc;
use rust_decimal::Decimal;

use super::build::B;
use super::mapping::Ident;
use super::moves::Move;
use super::read::money_text;
use super::schema::Column;
use super::sql::{Stmt, args};
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

pub(crate) struct ReissueSql {
    order: Stmt,
    line: Stmt,
    payment: Option<Stmt>,
    link: Option<Stmt>,
}

/// `INSERT INTO table (copied…, set…) SELECT copied…, values… FROM table src WHERE filter`.
fn copy_sql(
    b: &B,
    table: &Ident,
    columns: &[Column],
    set: &[(&Ident, String)],
    filter: &str,
) -> String {
    let skip: Vec<&str> = set.iter().map(|(c, _)| c.name()).collect();
    let copied: Vec<String> = columns
        .iter()
        .filter(|c| c.writable() && c.auto == 0 && !skip.contains(&c.name.as_str()))
        .map(|c| b.d.quote_part(&c.name))
        .collect();
    let mut names = copied.clone();
    names.extend(set.iter().map(|(c, _)| b.q(c)));
    let mut values: Vec<String> = copied.iter().map(|c| format!("src.{c}")).collect();
    values.extend(set.iter().map(|(_, v)| v.clone()));
    format!(
        "INSERT INTO {t} ({}) SELECT {} FROM {t} src WHERE {filter}",
        names.join(", "),
        values.join(", "),
        t = b.t(table)
    )
}

impl ReissueSql {
    fn build(b: &B, orders: &[Column], lines: &[Column], payments: &[Column]) -> ReissueSql {
        let (o, l) = (&b.m.orders, &b.m.lines);
        let now = b.d.time_param(":now");
        // Columns set anew; the id and the cancel reason are left out for the database to fill.
        let mut set: Vec<(&Ident, String)> = vec![(&o.status, ":placed".into())];
        if !o.number_is_id() {
            set.push((&o.number, b.d.concat(&b.c("src", &o.number), ":suffix")));
        }
        set.push((&o.placed_at, now.clone()));
        for (col, value) in [
            (&o.updated_at, now.clone()),
            (&o.reissue_of, b.c("src", &o.id)),
            (&o.total, b.d.money_param(":total")),
        ] {
            if let Some(c) = col {
                set.push((c, value));
            }
        }
        let unset = [
            o.id.name(),
            o.cancel_reason.as_ref().map_or("", |c| c.name()),
        ];
        let order_cols: Vec<Column> = orders
            .iter()
            .filter(|c| !unset.contains(&c.name.as_str()))
            .cloned()
            .collect();
        let src_id = format!("{} = :id", b.c("src", &o.id));
        let order = format!(
            "{}{}",
            copy_sql(b, &o.table, &order_cols, &set, &src_id),
            b.d.returning(&b.q(&o.id))
        );
        let line_cols: Vec<Column> = lines
            .iter()
            .filter(|c| c.name != l.id.name())
            .cloned()
            .collect();
        let mut line_set = vec![
            (&l.order_id, ":new_id".to_string()),
            (&l.unit_price, b.d.money_param(":price")),
        ];
        if let Some(t) = &l.total {
            line_set.push((t, b.d.money_param(":line_total")));
        }
        let line = copy_sql(
            b,
            &l.table,
            &line_cols,
            &line_set,
            &format!("{} = :line_id", b.c("src", &l.id)),
        );
        ReissueSql {
            order: b.stmt(order),
            line: b.stmt(line),
            payment: b.m.payments.as_ref().map(|p| {
                let set = [(&p.order_id, ":new_id".to_string())];
                b.stmt(copy_sql(b, &p.table, payments, &set, &format!("{} = :id", b.c("src", &p.order_id))))
            }),
            link: o.reissue_of.is_none().then(|| {
                b.stmt("INSERT INTO order_sync_reissues (order_id, reissue_of, created_at) VALUES (:new_id, :id, :created)")
            }),
        }
    }
}

impl Store {
    /// Reads the tables' columns and builds the copy statements, once.
    pub async fn prepare_reissue(&self) -> Result<()> {
        self.reissue_sql().await.map(|_| ())
    }

    async fn reissue_sql(&self) -> Result<&ReissueSql> {
        self.reissue
            .get_or_try_init(|| async {
                let m = &self.map;
                let orders = self.existing_columns(&m.orders.table).await?;
                let lines = self.existing_columns(&m.lines.table).await?;
                let payments = match &m.payments {
                    Some(p) => self.existing_columns(&p.table).await?,
                    None => Vec::new(),
                };
                let b = B {
                    d: self.db.dialect(),
                    m,
                };
                Ok(ReissueSql::build(&b, &orders, &lines, &payments))
            })
            .await
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
        let now = Utc::now();
        let mut tx = self.db.begin().await?;
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
        let money = self.map.money;
        let a = args! {
            "id" => id, "placed" => self.map.code(OrderStatus::OrderPlaced), "suffix" => suffix,
            "now" => self.map.zone.local_text(now), "total" => money_text(total, money),
        };
        let new_id = tx.insert_id(&sql.order, &a).await?;
        let a = a.set("new_id", new_id).set("created", super::now_ms());
        for l in lines {
            let line_total = l.unit_price * Decimal::from(l.quantity);
            let la = a
                .clone()
                .set("line_id", l.line_id)
                .set("price", money_text(l.unit_price, money))
                .set("line_total", money_text(line_total, money));
            tx.execute(&sql.line, &la).await?;
        }
        for stmt in sql.payment.iter().chain(sql.link.iter()) {
            tx.execute(stmt, &a).await?;
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
}
