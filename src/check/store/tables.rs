//! What the `[store]` mapping asks of the live schema: each mapped table and column, the role
//! order-sync gives it, and which column types fit that role.

use crate::config::{MoneyFormat, Settings};
use crate::store::mapping::{Ident, Mapping};
use crate::store::schema::Kind;

/// What order-sync does with a column, and so which types fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Id,
    Money,
    Quantity,
    Time,
    Status,
    Text,
}

pub(super) struct Col<'a> {
    pub(super) key: String,
    pub(super) column: &'a Ident,
    pub(super) role: Role,
    /// order-sync writes this column (status moves, reissues, history rows).
    pub(super) written: bool,
}

pub(super) struct Table<'a> {
    pub(super) key: &'static str,
    pub(super) table: &'a Ident,
    pub(super) columns: Vec<Col<'a>>,
    /// order-sync inserts fresh rows (not copies): unmapped NOT NULL columns need a default.
    pub(super) inserts_fresh: bool,
}

pub(super) fn col<'a>(
    section: &str,
    name: &str,
    column: Option<&'a Ident>,
    role: Role,
    written: bool,
) -> Option<Col<'a>> {
    column.map(|column| Col {
        key: format!("store.{section}.{name}"),
        column,
        role,
        written,
    })
}

pub(super) fn tables(m: &Mapping) -> Vec<Table<'_>> {
    use Role::*;
    let o = &m.orders;
    let number_written = !o.number_is_id();
    let orders = vec![
        col("orders", "id", Some(&o.id), Id, false),
        col("orders", "number", Some(&o.number), Text, number_written),
        col("orders", "customer_id", o.customer_id.as_ref(), Id, false),
        col("orders", "status", Some(&o.status), Status, true),
        col(
            "orders",
            "payment_method",
            o.payment_method.as_ref(),
            Text,
            false,
        ),
        col("orders", "po_number", o.po_number.as_ref(), Text, false),
        col("orders", "currency", o.currency.as_ref(), Text, false),
        col("orders", "placed_at", Some(&o.placed_at), Time, true),
        col("orders", "updated_at", o.updated_at.as_ref(), Time, true),
        col("orders", "reissue_of", o.reissue_of.as_ref(), Id, true),
        col(
            "orders",
            "cancel_reason",
            o.cancel_reason.as_ref(),
            Text,
            true,
        ),
        col("orders", "total", o.total.as_ref(), Money, true),
        col(
            "orders",
            "customer_email",
            o.customer_email.as_ref(),
            Text,
            false,
        ),
        col(
            "orders",
            "customer_first_name",
            o.customer_first_name.as_ref(),
            Text,
            false,
        ),
        col(
            "orders",
            "customer_last_name",
            o.customer_last_name.as_ref(),
            Text,
            false,
        ),
        col(
            "orders",
            "customer_company",
            o.customer_company.as_ref(),
            Text,
            false,
        ),
        col(
            "orders",
            "customer_phone",
            o.customer_phone.as_ref(),
            Text,
            false,
        ),
    ];
    let l = &m.lines;
    let lines = vec![
        col("order_lines", "id", Some(&l.id), Id, false),
        col("order_lines", "order_id", Some(&l.order_id), Id, true),
        col("order_lines", "line_no", l.line_no.as_ref(), Id, false),
        col(
            "order_lines",
            "product_id",
            l.product_id.as_ref(),
            Id,
            false,
        ),
        col("order_lines", "sku", l.sku.as_ref(), Text, false),
        col("order_lines", "name", l.name.as_ref(), Text, false),
        col(
            "order_lines",
            "quantity",
            Some(&l.quantity),
            Quantity,
            false,
        ),
        col(
            "order_lines",
            "unit_price",
            Some(&l.unit_price),
            Money,
            true,
        ),
        col("order_lines", "total", l.total.as_ref(), Money, true),
    ];
    let mut out = vec![
        Table {
            key: "store.orders.table",
            table: &o.table,
            columns: orders.into_iter().flatten().collect(),
            inserts_fresh: false,
        },
        Table {
            key: "store.order_lines.table",
            table: &l.table,
            columns: lines.into_iter().flatten().collect(),
            inserts_fresh: false,
        },
    ];
    if let Some(c) = &m.customers {
        let cols = [
            col("customers", "id", Some(&c.id), Id, false),
            col("customers", "email", Some(&c.email), Text, false),
            col(
                "customers",
                "first_name",
                c.first_name.as_ref(),
                Text,
                false,
            ),
            col("customers", "last_name", Some(&c.last_name), Text, false),
            col("customers", "company", c.company.as_ref(), Text, false),
            col("customers", "phone", c.phone.as_ref(), Text, false),
        ];
        out.push(Table {
            key: "store.customers.table",
            table: &c.table,
            columns: cols.into_iter().flatten().collect(),
            inserts_fresh: false,
        });
    }
    if let Some(p) = &m.products {
        let cols = [
            col("products", "id", Some(&p.id), Id, false),
            col("products", "sku", Some(&p.sku), Text, false),
            col("products", "name", p.name.as_ref(), Text, false),
            col("products", "kind", p.kind.as_ref(), Text, false),
        ];
        out.push(Table {
            key: "store.products.table",
            table: &p.table,
            columns: cols.into_iter().flatten().collect(),
            inserts_fresh: false,
        });
    }
    if let Some(p) = &m.payments {
        let cols = [
            col("payments", "order_id", Some(&p.order_id), Id, true),
            col("payments", "method", Some(&p.method), Text, false),
            col("payments", "po_number", p.po_number.as_ref(), Text, false),
        ];
        out.push(Table {
            key: "store.payments.table",
            table: &p.table,
            columns: cols.into_iter().flatten().collect(),
            inserts_fresh: false,
        });
    }
    if let Some(h) = &m.history {
        let cols = [
            col("status_history", "id", h.id.as_ref(), Id, false),
            col("status_history", "order_id", Some(&h.order_id), Id, true),
            col(
                "status_history",
                "from_status",
                h.from_status.as_ref(),
                Status,
                true,
            ),
            col(
                "status_history",
                "to_status",
                Some(&h.to_status),
                Status,
                true,
            ),
            col(
                "status_history",
                "changed_at",
                h.changed_at.as_ref(),
                Time,
                true,
            ),
            col("status_history", "actor", h.actor.as_ref(), Text, true),
            col("status_history", "reason", h.reason.as_ref(), Text, true),
        ];
        out.push(Table {
            key: "store.status_history.table",
            table: &h.table,
            columns: cols.into_iter().flatten().collect(),
            inserts_fresh: true,
        });
    }
    out
}

/// Whether a column of `kind` serves `role`: Ok(note) or Err(why not).
pub(super) fn fits(
    role: Role,
    kind: Kind,
    written: bool,
    s: &Settings,
) -> Result<&'static str, String> {
    use Kind::*;
    let integer_codes = s.store.status_codes == crate::config::StatusCodeType::Integer;
    match (role, kind) {
        (Role::Id, Integer) => Ok(""),
        (Role::Id, _) => Err("order-sync reads ids as whole numbers".into()),
        (Role::Money, Integer) if s.store.money == MoneyFormat::Cents => Ok(" (cents)"),
        (Role::Money, _) if s.store.money == MoneyFormat::Cents => {
            Err("store.money = \"cents\" needs an integer column".into())
        }
        (Role::Money, Decimal | Text) => Ok(""),
        (Role::Money, Integer) => {
            Ok(" (whole amounts only; set store.money = \"cents\" if it holds cents)")
        }
        (Role::Money, Float) => {
            Ok(" (floating point: an amount that is not exact parks its order)")
        }
        (Role::Quantity, Integer | Decimal | Text | Float) => Ok(""),
        (Role::Time, Time | Text) => Ok(""),
        (Role::Time, Date) if written => Ok(" (a date: order-sync's changes keep the day only)"),
        (Role::Time, Date | Integer) => Ok(""),
        (Role::Status, Integer) if integer_codes => Ok(""),
        (Role::Status, Text) if !integer_codes => Ok(""),
        (Role::Status, _) => Err(format!(
            "store.status_codes = \"{}\" does not fit this column",
            if integer_codes { "integer" } else { "text" }
        )),
        (Role::Text, Text | Integer | Decimal) => Ok(""),
        (_, k) => Err(format!("order-sync cannot use a {k:?} column here")),
    }
}
