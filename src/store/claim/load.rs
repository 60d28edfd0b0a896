//! Reading claimed orders and their lines through the mapping, every value as text, and turning
//! the rows into [`RawOrder`]s: codes into statuses, text into times, amounts and quantities.

use std::collections::HashMap;

use super::super::build::B;
use super::super::read::{read_money, read_quantity, read_time};
use super::super::sql::{Stmt, args};
use super::super::{Result, Store};
use crate::domain::{CustomerKey, RawCustomer, RawLine, RawOrder};

pub(crate) struct LoadSql {
    orders: Stmt,
    lines: Stmt,
}

impl LoadSql {
    pub fn build(b: &B) -> LoadSql {
        let claimed = |id: String| {
            format!("{id} IN (SELECT order_id FROM order_sync_state WHERE lease_token = :token)")
        };
        LoadSql {
            orders: b.stmt(orders_sql(b, &claimed(b.id("o")))),
            lines: b.stmt(lines_sql(b, &claimed(b.c("l", &b.m.lines.order_id)))),
        }
    }
}

/// Orders (with their customer and payment) of the orders `filter` selects; `o` is the order.
pub(crate) fn orders_sql(b: &B, filter: &str) -> String {
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
                 {co} AS c_company, {ph} AS c_phone",
            found = b.int("c", Some(&c.id)),
            e = b.text("c", Some(&c.email)),
            f = b.text("c", c.first_name.as_ref()),
            l = b.text("c", Some(&c.last_name)),
            co = b.text("c", c.company.as_ref()),
            ph = b.text("c", c.phone.as_ref()),
        ),
        None => format!(
            "{n} AS found_customer, {t} AS c_email, {t} AS c_first_name, {t} AS c_last_name, \
                 {t} AS c_company, {t} AS c_phone",
            n = b.int("o", None),
            t = b.text("o", None)
        ),
    };
    let mut joins = b.join_reissued();
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
    format!(
        "SELECT {id} AS id, {number} AS order_number, {status} AS status, {pay} AS payment_method, \
               {po} AS po_number, {currency} AS currency, {placed} AS placed_at, {reissue} AS reissue_of, \
               {root} AS root_order_id, {cid} AS customer_id, {customer}, \
               {oe} AS o_email, {of} AS o_first_name, {ol} AS o_last_name, {oc} AS o_company, {op} AS o_phone \
             FROM {table} o {joins} \
             WHERE {filter}",
        id = b.int("o", Some(&o.id)),
        number = b.text("o", Some(&o.number)),
        status = b.text("o", Some(&o.status)),
        currency = b.text("o", o.currency.as_ref()),
        placed = b.text("o", Some(&o.placed_at)),
        reissue = b.reissue_of("o"),
        root = b.opportunity_key(),
        cid = b.d.int(
            &o.customer_id
                .as_ref()
                .map_or("NULL".into(), |c| format!("NULLIF({}, 0)", b.c("o", c)))
        ),
        oe = b.text("o", o.customer_email.as_ref()),
        of = b.text("o", o.customer_first_name.as_ref()),
        ol = b.text("o", o.customer_last_name.as_ref()),
        oc = b.text("o", o.customer_company.as_ref()),
        op = b.text("o", o.customer_phone.as_ref()),
        table = b.orders(),
    )
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
            b.c("l", pid)
        ),
        _ => String::new(),
    };
    let joined = !join.is_empty();
    let from_product = |col: Option<&super::super::mapping::Ident>| {
        if joined {
            b.text("p", col)
        } else {
            b.text("p", None)
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
    format!(
        "SELECT {id} AS id, {order_id} AS order_id, {line_no_sel} AS line_no, {product_id} AS product_id, \
           {sku} AS sku, {name} AS name, {kind} AS kind, {qty} AS quantity, {price} AS unit_price \
         FROM {table} l {join} WHERE {filter} ORDER BY {order_col}, {line_no}{id_col}",
        id = b.int("l", Some(&l.id)),
        order_id = b.int("l", Some(&l.order_id)),
        line_no_sel = b.int("l", l.line_no.as_ref()),
        product_id = b.int("l", l.product_id.as_ref()),
        kind = from_product(p.and_then(|p| p.kind.as_ref())),
        qty = b.text("l", Some(&l.quantity)),
        price = b.text("l", Some(&l.unit_price)),
        table = b.t(&l.table),
        order_col = b.c("l", &l.order_id),
        id_col = b.c("l", &l.id),
    )
}

#[derive(sqlx::FromRow)]
pub(crate) struct OrderRow {
    id: i64,
    order_number: Option<String>,
    status: Option<String>,
    payment_method: Option<String>,
    po_number: Option<String>,
    currency: Option<String>,
    placed_at: Option<String>,
    reissue_of: Option<i64>,
    root_order_id: Option<i64>,
    customer_id: Option<i64>,
    found_customer: Option<i64>,
    c_email: Option<String>,
    c_first_name: Option<String>,
    c_last_name: Option<String>,
    c_company: Option<String>,
    c_phone: Option<String>,
    o_email: Option<String>,
    o_first_name: Option<String>,
    o_last_name: Option<String>,
    o_company: Option<String>,
    o_phone: Option<String>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct LineRow {
    pub id: i64,
    pub order_id: i64,
    pub line_no: Option<i64>,
    pub product_id: Option<i64>,
    pub sku: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub quantity: Option<String>,
    pub unit_price: Option<String>,
}

impl Store {
    /// The orders (with lines) claimed under `token`, by id.
    pub(super) async fn load_orders(&self, token: &str) -> Result<HashMap<i64, RawOrder>> {
        let a = args! { "token" => token };
        let rows: Vec<OrderRow> = self.db.fetch_all(&self.sql.claim.load.orders, &a).await?;
        let lines: Vec<LineRow> = self.db.fetch_all(&self.sql.claim.load.lines, &a).await?;
        let mut by_order: HashMap<i64, Vec<RawLine>> = HashMap::new();
        for l in lines {
            let n = by_order.get(&l.order_id).map_or(0, Vec::len) as i64 + 1;
            by_order
                .entry(l.order_id)
                .or_default()
                .push(self.raw_line(l, n));
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let lines = by_order.remove(&r.id).unwrap_or_default();
                (r.id, self.raw_order(r, lines))
            })
            .collect())
    }

    pub(crate) fn raw_order(&self, r: OrderRow, lines: Vec<RawLine>) -> RawOrder {
        let m = &self.map;
        let status = r.status.clone().unwrap_or_default();
        RawOrder {
            id: r.id,
            order_number: r.order_number.clone().unwrap_or_else(|| r.id.to_string()),
            status: m.status_of(&status).ok_or(status),
            payment_method: r
                .payment_method
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .map(|p| m.payment_method_of(p).ok_or_else(|| p.to_string())),
            po_number: r.po_number.clone(),
            keeps_po_numbers: m
                .payments
                .as_ref()
                .map_or(m.orders.po_number.is_some(), |p| p.po_number.is_some()),
            currency: r.currency.clone(),
            placed_at: r.placed_at.as_deref().map(|t| read_time(t, &m.zone)),
            reissue_of: r.reissue_of,
            root_order_id: r.root_order_id,
            customer: self.raw_customer(&r),
            lines,
        }
    }

    /// The customer from the customers table when the order names one, else from the order row
    /// (a guest, keyed by e-mail).
    fn raw_customer(&self, r: &OrderRow) -> Result<RawCustomer, String> {
        match (r.customer_id, self.map.customers.is_some()) {
            (Some(id), true) if r.found_customer.is_none() => Err(format!(
                "the order's customer {id} is not in the customers table"
            )),
            (Some(id), true) => Ok(RawCustomer {
                key: CustomerKey::Id(id),
                email: r.c_email.clone(),
                first_name: r.c_first_name.clone(),
                last_name: r.c_last_name.clone(),
                company: r.c_company.clone(),
                phone: r.c_phone.clone(),
            }),
            (id, _) => {
                let email = r.o_email.clone().filter(|e| !e.trim().is_empty());
                let key = match (id, &email) {
                    (Some(id), _) => CustomerKey::Id(id),
                    (None, Some(e)) => CustomerKey::Guest(e.trim().to_string()),
                    (None, None) => return Err("the order has no customer".into()),
                };
                Ok(RawCustomer {
                    key,
                    email,
                    first_name: r.o_first_name.clone(),
                    last_name: r.o_last_name.clone(),
                    company: r.o_company.clone(),
                    phone: r.o_phone.clone(),
                })
            }
        }
    }

    /// A line as read; `n` numbers it when the store keeps no line number.
    pub(crate) fn raw_line(&self, l: LineRow, n: i64) -> RawLine {
        let m = &self.map;
        let sku = l.sku.filter(|s| !s.trim().is_empty());
        RawLine {
            id: l.id,
            line_no: l.line_no.unwrap_or(n),
            product_id: l.product_id,
            kind: sku.as_deref().map(|s| m.product_kind(l.kind.as_deref(), s)),
            sku,
            name: l.name,
            quantity: l.quantity.as_deref().map(read_quantity),
            unit_price: l.unit_price.as_deref().map(|p| read_money(p, m.money)),
        }
    }
}
