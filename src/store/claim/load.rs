//! Reading orders and their lines through the mapping, every value as text: the ones a claim
//! holds, or one by id.

use std::collections::HashMap;

use super::super::build::{B, Expr};
use super::super::mapping::Ident;
use super::super::sql::{Stmt, args};
use super::super::{Result, Store};
use super::rows::{LineRow, OrderRow};
use crate::domain::RawOrder;

pub(crate) struct LoadSql {
    orders: Stmt,
    lines: Stmt,
    order_by_id: Stmt,
    lines_by_id: Stmt,
    /// Pages in id order, without a claim: sent orders (`reconcile`), never-seen ones (`backfill`).
    pub(in crate::store) sent_page: Stmt,
    pub(in crate::store) unseen_page: Stmt,
    lines_between: Stmt,
}

impl LoadSql {
    pub fn build(b: &B) -> LoadSql {
        let o = &b.m.orders;
        let (pay, po) = match &b.m.payments {
            Some(p) => (
                b.text("pm", Some(&p.method)),
                b.text("pm", p.po_number.as_ref()),
            ),
            None => (
                b.text("o", o.payment_method.as_ref()),
                b.text("o", o.po_number.as_ref()),
            ),
        };
        let customer = match &b.m.customers {
            Some(c) => format!(
                "{found} AS found_customer, {e} AS c_email, {f} AS c_first_name, {l} AS c_last_name, \
                 {co} AS c_company, {ph} AS c_phone, {g} AS c_guest",
                found = b.int("c", Some(&c.id)),
                g = b.text("c", c.guest.as_ref()),
                e = b.text("c", Some(&c.email)),
                f = b.text("c", c.first_name.as_ref()),
                l = b.text("c", Some(&c.last_name)),
                co = b.text("c", c.company.as_ref()),
                ph = b.text("c", c.phone.as_ref()),
            ),
            None => format!(
                "{n} AS found_customer, {t} AS c_email, {t} AS c_first_name, {t} AS c_last_name, \
                 {t} AS c_company, {t} AS c_phone, {t} AS c_guest",
                n = b.int("o", None::<&Ident>),
                t = b.text("o", None::<&Ident>)
            ),
        };
        let customer_id = |alias: &str| {
            b.d.int(
                &o.customer_id
                    .as_ref()
                    .map_or("NULL".into(), |c| format!("NULLIF({}, 0)", b.c(alias, c))),
            )
        };
        let mut joins = format!(
            "{} LEFT JOIN order_sync_state rs ON rs.order_id = {}",
            b.join_reissued(),
            b.id("r")
        );
        if let (Some(c), Some(cid)) = (&b.m.customers, &o.customer_id) {
            joins += &format!(
                " LEFT JOIN {} c ON {} = {}",
                b.t(&c.table),
                b.c("c", &c.id),
                b.c("o", cid)
            );
        }
        if let Some(p) = &b.m.payments {
            joins += &format!(
                " LEFT JOIN {} pm ON {} = {}",
                b.t(&p.table),
                b.c("pm", &p.order_id),
                b.id("o")
            );
        }
        let orders = format!(
            "SELECT {id} AS id, {number} AS order_number, {status} AS status, {pay} AS payment_method, \
               {po} AS po_number, {currency} AS currency, {placed} AS placed_at, {reissue} AS reissue_of, \
               {root} AS root_order_id, {cid} AS customer_id, {customer}, \
               {oe} AS o_email, {of} AS o_first_name, {ol} AS o_last_name, {oc} AS o_company, {op} AS o_phone, \
               {r_status} AS r_status, {r_cid} AS r_customer_id, {r_email} AS r_email, rs.route AS r_route \
             FROM {table} o {joins} \
             WHERE {{filter}}",
            id = b.int("o", Some(&o.id)),
            number = b.text("o", Some(&o.number)),
            status = b.text("o", Some(&o.status)),
            currency = b.text("o", o.currency.as_ref()),
            placed = b.text("o", Some(&o.placed_at)),
            reissue = b.reissue_of("o"),
            root = b.opportunity_key(),
            cid = customer_id("o"),
            r_status = b.text("r", Some(&o.status)),
            r_cid = customer_id("r"),
            r_email = b.text("r", o.customer_email.as_ref()),
            oe = b.text("o", o.customer_email.as_ref()),
            of = b.text("o", o.customer_first_name.as_ref()),
            ol = b.text("o", o.customer_last_name.as_ref()),
            oc = b.text("o", o.customer_company.as_ref()),
            op = b.text("o", o.customer_phone.as_ref()),
            table = b.orders(),
        );
        let by_token = "IN (SELECT order_id FROM order_sync_state WHERE lease_token = :token)";
        let order_filter = |f: &str| orders.replace("{filter}", &format!("{} {f}", b.id("o")));
        let line_filter = |f: &str| lines_sql(b, &format!("{} {f}", b.c("l", &b.m.lines.order_id)));
        let (id, rows) = (b.id("o"), b.orders_filter("o"));
        let page = |cond: &str| {
            order_filter(&format!(
                "> :after AND {cond}{rows} ORDER BY {id} LIMIT :limit"
            ))
        };
        LoadSql {
            orders: b.stmt(order_filter(by_token)),
            lines: b.stmt(line_filter(by_token)),
            order_by_id: b.stmt(order_filter("= :id")),
            lines_by_id: b.stmt(line_filter("= :id")),
            sent_page: b.stmt(page(&format!(
                "{id} IN (SELECT order_id FROM order_sync_state WHERE state = :done AND updated_at >= :since)"
            ))),
            unseen_page: b.stmt(page(&format!(
                "(SELECT s.order_id FROM order_sync_state s WHERE s.order_id = {id}) IS NULL"
            ))),
            lines_between: b.stmt(line_filter("BETWEEN :lo AND :hi")),
        }
    }
}

/// Lines (with their product's sku, name and kind) of the orders `filter` selects.
pub(crate) fn lines_sql(b: &B, filter: &str) -> String {
    let l = &b.m.lines;
    let p = b.m.products.as_ref();
    let join = match (p, &l.product_id) {
        (Some(p), Some(pid)) => format!(
            "LEFT JOIN {} p ON {} = {}",
            b.t(&p.table),
            b.c("p", &p.id),
            pid.expr(b, "l")
        ),
        _ => String::new(),
    };
    let joined = !join.is_empty();
    let from_product = |col: Option<&super::super::mapping::Ident>| {
        if joined {
            b.text("p", col)
        } else {
            b.text("p", None::<&Ident>)
        }
    };
    let sku = format!(
        "COALESCE({}, {})",
        b.text("l", l.sku.as_ref()),
        from_product(p.map(|p| &p.sku))
    );
    let name = format!(
        "COALESCE({}, {})",
        b.text("l", l.name.as_ref()),
        from_product(p.and_then(|p| p.name.as_ref()))
    );
    let line_no = l
        .line_no
        .as_ref()
        .map_or(String::new(), |n| format!("{}, ", b.c("l", n)));
    let rows = b.and_filters("l", &l.filters);
    format!(
        "SELECT {id} AS id, {order_id} AS order_id, {line_no_sel} AS line_no, {product_id} AS product_id, \
           {sku} AS sku, {name} AS name, {kind} AS kind, {qty} AS quantity, {price} AS unit_price, \
           {parent} AS parent_id \
         FROM {table} l {join} WHERE {filter}{rows} ORDER BY {order_col}, {line_no}{id_col}",
        parent = b.int("l", l.parent.as_ref()),
        id = b.int("l", Some(&l.id)),
        order_id = b.int("l", Some(&l.order_id)),
        line_no_sel = b.int("l", l.line_no.as_ref()),
        product_id = b.int("l", l.product_id.as_ref()),
        kind = from_product(p.and_then(|p| p.kind.as_ref())),
        qty = b.text("l", Some(&l.quantity)),
        price = b.text("l", Some(&l.price)),
        table = b.t(&l.table),
        order_col = b.c("l", &l.order_id),
        id_col = b.c("l", &l.id),
    )
}

impl Store {
    /// The orders (with lines) claimed under `token`, by id.
    pub(in crate::store) async fn load_orders(
        &self,
        token: &str,
    ) -> Result<HashMap<i64, RawOrder>> {
        let a = args! { "token" => token };
        let rows: Vec<OrderRow> = self.db.fetch_all(&self.sql.claim.load.orders, &a).await?;
        let lines: Vec<LineRow> = self.db.fetch_all(&self.sql.claim.load.lines, &a).await?;
        Ok(self
            .with_lines(rows, lines)
            .into_iter()
            .map(|o| (o.id, o))
            .collect())
    }

    /// Each order row with its lines (lines of other orders are dropped).
    fn with_lines(&self, rows: Vec<OrderRow>, lines: Vec<LineRow>) -> Vec<RawOrder> {
        let mut by_order: HashMap<i64, Vec<LineRow>> = HashMap::new();
        for l in lines {
            by_order.entry(l.order_id).or_default().push(l);
        }
        rows.into_iter()
            .map(|r| {
                let lines = self.order_lines(by_order.remove(&r.id).unwrap_or_default());
                self.raw_order(r, lines)
            })
            .collect()
    }

    /// A page of orders `stmt` selects in id order (bound by `a`), with their lines.
    pub(in crate::store) async fn load_page(
        &self,
        stmt: &Stmt,
        a: &super::super::sql::Args,
    ) -> Result<Vec<RawOrder>> {
        let rows: Vec<OrderRow> = self.db.fetch_all(stmt, a).await?;
        let (Some(lo), Some(hi)) = (rows.first().map(|r| r.id), rows.last().map(|r| r.id)) else {
            return Ok(Vec::new());
        };
        let range = args! { "lo" => lo, "hi" => hi };
        let lines: Vec<LineRow> = self
            .db
            .fetch_all(&self.sql.claim.load.lines_between, &range)
            .await?;
        Ok(self.with_lines(rows, lines))
    }

    /// One order with its lines, by id, without claiming it (for `link`'s checks).
    pub async fn load_order(&self, id: i64) -> Result<Option<RawOrder>> {
        let a = args! { "id" => id };
        let row: Option<OrderRow> = self
            .db
            .fetch_optional(&self.sql.claim.load.order_by_id, &a)
            .await?;
        let lines: Vec<LineRow> = self
            .db
            .fetch_all(&self.sql.claim.load.lines_by_id, &a)
            .await?;
        Ok(row.map(|r| self.raw_order(r, self.order_lines(lines))))
    }
}
