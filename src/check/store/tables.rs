//! What the `[store]` mapping asks of the live schema: each mapped table and column, the role
//! order-sync gives it, and which column types fit that role.

use crate::config::{MoneyFormat, Settings};
use crate::store::mapping::{Code, Ident, Mapping, Src};
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
    /// A key, a filter's or a fixed value's column: any type the value compares with.
    Any,
}

pub(super) struct Col<'a> {
    pub(super) key: String,
    pub(super) column: &'a Ident,
    pub(super) role: Role,
    /// order-sync writes this column (status moves, reissues, history rows).
    pub(super) written: bool,
}

pub(super) struct Table<'a> {
    pub(super) key: String,
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

/// One mapped table's columns, and the tables its joined values read.
struct Section<'a> {
    name: &'static str,
    columns: Vec<Col<'a>>,
    joined: Vec<Table<'a>>,
}

impl<'a> Section<'a> {
    fn new(name: &'static str) -> Section<'a> {
        Section {
            name,
            columns: Vec::new(),
            joined: Vec::new(),
        }
    }

    fn col(
        &mut self,
        name: &str,
        column: Option<&'a Ident>,
        role: Role,
        written: bool,
    ) -> &mut Self {
        self.columns
            .extend(col(self.name, name, column, role, written));
        self
    }

    /// A value read from a column, or from a joined row: then its `on` column here and the
    /// joined table's key, value and filter columns there.
    fn src(&mut self, name: &str, value: Option<&'a Src>, role: Role, written: bool) -> &mut Self {
        match value {
            None => {}
            Some(Src::Col(c)) => {
                self.col(name, Some(c), role, written);
            }
            Some(Src::First(all)) => {
                for s in all {
                    self.src(name, Some(s), role, written);
                }
            }
            Some(Src::Join(j)) => {
                let key = format!("store.{}.{name}", self.name);
                self.col(&format!("{name}.on"), Some(&j.on), Role::Any, false);
                let mut columns = vec![
                    Col {
                        key: format!("{key}.key"),
                        column: &j.key,
                        role: Role::Any,
                        written: false,
                    },
                    Col {
                        key: format!("{key}.column"),
                        column: &j.column,
                        role,
                        written,
                    },
                ];
                columns.extend(j.filters.iter().map(|(c, _)| Col {
                    key: format!("{key}.where"),
                    column: c,
                    role: Role::Any,
                    written: false,
                }));
                self.joined.push(Table {
                    key: format!("{key}.table"),
                    table: &j.table,
                    columns,
                    inserts_fresh: false,
                });
            }
        }
        self
    }

    fn filters(&mut self, key: &str, filters: &'a [(Ident, Code)], written: bool) -> &mut Self {
        for (c, _) in filters {
            self.col(key, Some(c), Role::Any, written);
        }
        self
    }

    fn into_tables(self, table: &'a Ident, inserts_fresh: bool) -> Vec<Table<'a>> {
        let mut out = vec![Table {
            key: format!("store.{}.table", self.name),
            table,
            columns: self.columns,
            inserts_fresh,
        }];
        out.extend(self.joined);
        out
    }
}

pub(super) fn tables(m: &Mapping) -> Vec<Table<'_>> {
    use Role::*;
    let o = &m.orders;
    let mut orders = Section::new("orders");
    orders
        .filters("where", &o.filters, false)
        .col("id", Some(&o.id), Id, false)
        .col("number", Some(&o.number), Text, !o.number_is_id())
        .col("customer_id", o.customer_id.as_ref(), Id, false)
        .col("status", Some(&o.status), Status, true)
        .src("payment_method", o.payment_method.as_ref(), Text, false)
        .src("po_number", o.po_number.as_ref(), Text, false)
        .src("currency", o.currency.as_ref(), Text, false)
        .col("placed_at", Some(&o.placed_at), Time, true)
        .col("updated_at", o.updated_at.as_ref(), Time, true)
        .col("reissue_of", o.reissue_of.as_ref(), Id, true)
        .col("cancel_reason", o.cancel_reason.as_ref(), Text, true)
        .col("total", o.total.as_ref(), Money, true)
        .src("customer_email", o.customer_email.as_ref(), Text, false)
        .src(
            "customer_first_name",
            o.customer_first_name.as_ref(),
            Text,
            false,
        )
        .src(
            "customer_last_name",
            o.customer_last_name.as_ref(),
            Text,
            false,
        )
        .src("customer_company", o.customer_company.as_ref(), Text, false)
        .src("customer_phone", o.customer_phone.as_ref(), Text, false);
    let l = &m.lines;
    let mut lines = Section::new("order_lines");
    lines
        .filters("where", &l.filters, false)
        .col("id", Some(&l.id), Id, false)
        .col("order_id", Some(&l.order_id), Id, true)
        .col("line_no", l.line_no.as_ref(), Id, false)
        .col("parent", l.parent.as_ref(), Id, true)
        .src("product_id", l.product_id.as_ref(), Id, false)
        .src("sku", l.sku.as_ref(), Text, false)
        .src("name", l.name.as_ref(), Text, false)
        .src("quantity", Some(&l.quantity), Quantity, false)
        .src(
            if l.per_unit { "unit_price" } else { "amount" },
            Some(&l.price),
            Money,
            true,
        )
        .src("total", l.total.as_ref(), Money, true);
    let mut out = orders.into_tables(&o.table, false);
    if let Some((table, id, fixed)) = &o.id_from {
        let mut s = Section::new("orders.id_from");
        s.col("id", Some(id), Id, false).filters("set", fixed, true);
        out.extend(s.into_tables(table, true));
    }
    out.extend(lines.into_tables(&l.table, false));
    if let Some(c) = &m.customers {
        let mut s = Section::new("customers");
        s.col("id", Some(&c.id), Id, false)
            .col("guest", c.guest.as_ref(), Any, false)
            .col("email", Some(&c.email), Text, false)
            .col("first_name", c.first_name.as_ref(), Text, false)
            .col("last_name", Some(&c.last_name), Text, false)
            .col("company", c.company.as_ref(), Text, false)
            .col("phone", c.phone.as_ref(), Text, false);
        out.extend(s.into_tables(&c.table, false));
    }
    if let Some(p) = &m.products {
        let mut s = Section::new("products");
        s.col("id", Some(&p.id), Id, false)
            .col("sku", Some(&p.sku), Text, false)
            .col("name", p.name.as_ref(), Text, false)
            .col("kind", p.kind.as_ref(), Text, false);
        out.extend(s.into_tables(&p.table, false));
    }
    if let Some(p) = &m.payments {
        let mut s = Section::new("payments");
        s.col("order_id", Some(&p.order_id), Id, true)
            .col("method", Some(&p.method), Text, false)
            .col("po_number", p.po_number.as_ref(), Text, false);
        out.extend(s.into_tables(&p.table, false));
    }
    if let Some(h) = &m.history {
        let mut s = Section::new("status_history");
        s.col("id", h.id.as_ref(), Id, false)
            .col("order_id", Some(&h.order_id), Id, true)
            .col("from_status", h.from_status.as_ref(), Status, true)
            .col("to_status", h.to_status.as_ref(), Status, true)
            .col("changed_at", h.changed_at.as_ref(), Time, true)
            .col("actor", h.actor.as_ref(), Text, true)
            .col("reason", h.reason.as_ref(), Text, true)
            .filters("set", &h.set, true);
        out.extend(s.into_tables(&h.table, true));
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
        (Role::Any, _) => Ok(""),
        (Role::Id, Integer) => Ok(""),
        (Role::Id, Text) if !written => Ok(" (text, read as a whole number)"),
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
