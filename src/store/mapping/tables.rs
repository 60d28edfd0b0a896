//! One checked map per store table: which columns exist, which are required.

use super::source::{Src, filters};
use super::{Code, Ident};
use crate::config::{
    CustomersTable, HistoryTable, LinesTable, NestedPrice, OrdersTable, PaymentsTable,
    ProductsTable,
};

fn req(key: String, v: &str) -> Result<Ident, String> {
    Ident::required(&key, v, false)
}

fn opt(key: String, v: &str) -> Result<Option<Ident>, String> {
    Ident::optional(&key, v, false)
}

fn table(section: &str, v: &str) -> Result<Option<Ident>, String> {
    Ident::optional(&format!("{section}.table"), v, true)
}

#[derive(Debug, Clone)]
pub struct OrdersMap {
    pub table: Ident,
    /// Only rows holding these values are orders (WooCommerce keeps refunds beside them).
    pub filters: Vec<(Ident, Code)>,
    pub id: Ident,
    pub number: Ident,
    pub customer_id: Option<Ident>,
    pub status: Ident,
    pub payment_method: Option<Src>,
    pub po_number: Option<Src>,
    pub currency: Option<Src>,
    pub placed_at: Ident,
    pub updated_at: Option<Ident>,
    pub reissue_of: Option<Ident>,
    pub cancel_reason: Option<Ident>,
    pub total: Option<Ident>,
    pub customer_email: Option<Src>,
    pub customer_first_name: Option<Src>,
    pub customer_last_name: Option<Src>,
    pub customer_company: Option<Src>,
    pub customer_phone: Option<Src>,
    /// The table (with its id column and fixed values) a new order's id is taken from.
    pub id_from: Option<(Ident, Ident, Vec<(Ident, Code)>)>,
}

impl OrdersMap {
    pub fn from_settings(o: &OrdersTable) -> Result<OrdersMap, String> {
        let k = |c: &str| format!("orders.{c}");
        let id = req(k("id"), &o.id)?;
        let src = |name: &str, v| Src::optional("orders", name, v, &id);
        Ok(OrdersMap {
            table: table("orders", &o.table)?.ok_or("store.orders.table must be set")?,
            filters: filters("orders.where", &o.filter)?,
            number: req(k("number"), &o.number)?,
            customer_id: opt(k("customer_id"), &o.customer_id)?,
            status: req(k("status"), &o.status)?,
            payment_method: src("payment_method", &o.payment_method)?,
            po_number: src("po_number", &o.po_number)?,
            currency: src("currency", &o.currency)?,
            placed_at: req(k("placed_at"), &o.placed_at)?,
            updated_at: opt(k("updated_at"), &o.updated_at)?,
            reissue_of: opt(k("reissue_of"), &o.reissue_of)?,
            cancel_reason: opt(k("cancel_reason"), &o.cancel_reason)?,
            total: opt(k("total"), &o.total)?,
            customer_email: src("customer_email", &o.customer_email)?,
            customer_first_name: src("customer_first_name", &o.customer_first_name)?,
            customer_last_name: src("customer_last_name", &o.customer_last_name)?,
            customer_company: src("customer_company", &o.customer_company)?,
            customer_phone: src("customer_phone", &o.customer_phone)?,
            id_from: match table("orders.id_from", &o.id_from.table)? {
                None => None,
                Some(t) => Some((
                    t,
                    req(k("id_from.id"), &o.id_from.id)?,
                    filters("orders.id_from.set", &o.id_from.set)?,
                )),
            },
            id,
        })
    }

    /// The order number is the id itself (stores with no separate number).
    pub fn number_is_id(&self) -> bool {
        self.number == self.id
    }
}

#[derive(Debug, Clone)]
pub struct LinesMap {
    pub table: Ident,
    /// Only rows holding these values are lines (not shipping, fee, coupon or tax rows).
    pub filters: Vec<(Ident, Code)>,
    pub id: Ident,
    pub order_id: Ident,
    pub line_no: Option<Ident>,
    pub product_id: Option<Src>,
    pub sku: Option<Src>,
    pub name: Option<Src>,
    pub quantity: Src,
    /// The unit price, or the line's amount (`per_unit` false) to divide by the quantity.
    pub price: Src,
    pub per_unit: bool,
    pub total: Option<Src>,
    /// A child row's parent line; None: lines are flat.
    pub parent: Option<Ident>,
    pub nested_price: NestedPrice,
}

impl LinesMap {
    pub fn from_settings(l: &LinesTable, has_products: bool) -> Result<LinesMap, String> {
        let k = |c: &str| format!("order_lines.{c}");
        let id = req(k("id"), &l.id)?;
        let src = |name: &str, v| Src::optional("order_lines", name, v, &id);
        let (price, per_unit) = match (src("unit_price", &l.unit_price)?, src("amount", &l.amount)?)
        {
            (Some(p), None) => (p, true),
            (None, Some(a)) => (a, false),
            (Some(_), Some(_)) => {
                return Err("store.order_lines: set unit_price or amount, not both".into());
            }
            (None, None) => {
                return Err("store.order_lines.unit_price (or amount) must be set".into());
            }
        };
        let map = LinesMap {
            table: table("order_lines", &l.table)?.ok_or("store.order_lines.table must be set")?,
            filters: filters("order_lines.where", &l.filter)?,
            order_id: req(k("order_id"), &l.order_id)?,
            line_no: opt(k("line_no"), &l.line_no)?,
            product_id: src("product_id", &l.product_id)?,
            sku: src("sku", &l.sku)?,
            name: src("name", &l.name)?,
            quantity: Src::required("order_lines", "quantity", &l.quantity, &id)?,
            price,
            per_unit,
            total: src("total", &l.total)?,
            parent: opt(k("parent"), &l.parent)?,
            nested_price: l.nested_price,
            id,
        };
        let joins_products = has_products && map.product_id.is_some();
        if map.sku.is_none() && !joins_products {
            return Err(
                "store.order_lines.sku must be set, or store.order_lines.product_id with a \
                 store.products.table to read skus from"
                    .into(),
            );
        }
        Ok(map)
    }
}

#[derive(Debug, Clone)]
pub struct CustomersMap {
    pub table: Ident,
    pub id: Ident,
    /// 1 on a guest's row: keyed by e-mail, not by id.
    pub guest: Option<Ident>,
    pub email: Ident,
    pub first_name: Option<Ident>,
    pub last_name: Ident,
    pub company: Option<Ident>,
    pub phone: Option<Ident>,
}

impl CustomersMap {
    pub fn from_settings(c: &CustomersTable) -> Result<Option<CustomersMap>, String> {
        let Some(t) = table("customers", &c.table)? else {
            return Ok(None);
        };
        let k = |col: &str| format!("customers.{col}");
        Ok(Some(CustomersMap {
            table: t,
            id: req(k("id"), &c.id)?,
            guest: opt(k("guest"), &c.guest)?,
            email: req(k("email"), &c.email)?,
            first_name: opt(k("first_name"), &c.first_name)?,
            last_name: req(k("last_name"), &c.last_name)?,
            company: opt(k("company"), &c.company)?,
            phone: opt(k("phone"), &c.phone)?,
        }))
    }
}

/// Customers come from a customers table (joined on orders.customer_id), from the order row, or both.
pub fn check_customer_source(o: &OrdersMap, c: Option<&CustomersMap>) -> Result<(), String> {
    if c.is_some() && o.customer_id.is_none() {
        return Err("store.orders.customer_id must be set when store.customers.table is".into());
    }
    let on_row = o.customer_email.is_some() && o.customer_last_name.is_some();
    if c.is_none() && !on_row {
        return Err(
            "store.customers.table is empty, so store.orders.customer_email and \
             store.orders.customer_last_name must name the order's customer columns"
                .into(),
        );
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct ProductsMap {
    pub table: Ident,
    pub id: Ident,
    pub sku: Ident,
    pub name: Option<Ident>,
    pub kind: Option<Ident>,
    pub list_price: Option<Ident>,
}

impl ProductsMap {
    pub fn from_settings(p: &ProductsTable) -> Result<Option<ProductsMap>, String> {
        let Some(t) = table("products", &p.table)? else {
            return Ok(None);
        };
        let k = |col: &str| format!("products.{col}");
        Ok(Some(ProductsMap {
            table: t,
            id: req(k("id"), &p.id)?,
            sku: req(k("sku"), &p.sku)?,
            name: opt(k("name"), &p.name)?,
            kind: opt(k("kind"), &p.kind)?,
            list_price: opt(k("list_price"), &p.list_price)?,
        }))
    }
}

#[derive(Debug, Clone)]
pub struct PaymentsMap {
    pub table: Ident,
    pub order_id: Ident,
    pub method: Ident,
    pub po_number: Option<Ident>,
}

impl PaymentsMap {
    pub fn from_settings(p: &PaymentsTable) -> Result<Option<PaymentsMap>, String> {
        let Some(t) = table("payments", &p.table)? else {
            return Ok(None);
        };
        Ok(Some(PaymentsMap {
            table: t,
            order_id: req("payments.order_id".into(), &p.order_id)?,
            method: req("payments.method".into(), &p.method)?,
            po_number: opt("payments.po_number".into(), &p.po_number)?,
        }))
    }
}

#[derive(Debug, Clone)]
pub struct HistoryMap {
    pub table: Ident,
    pub id: Option<Ident>,
    pub order_id: Ident,
    pub from_status: Option<Ident>,
    /// None: the log keeps no status column (WooCommerce's notes): the reason says the move.
    pub to_status: Option<Ident>,
    pub changed_at: Option<Ident>,
    pub actor: Option<Ident>,
    pub reason: Option<Ident>,
    /// Fixed values of every row order-sync inserts.
    pub set: Vec<(Ident, Code)>,
}

impl HistoryMap {
    pub fn from_settings(h: &HistoryTable) -> Result<Option<HistoryMap>, String> {
        let Some(t) = table("status_history", &h.table)? else {
            return Ok(None);
        };
        let k = |col: &str| format!("status_history.{col}");
        if h.to_status.is_empty() && h.reason.is_empty() {
            return Err(
                "store.status_history.to_status (or reason, which then names the move) must be set"
                    .into(),
            );
        }
        Ok(Some(HistoryMap {
            table: t,
            id: opt(k("id"), &h.id)?,
            order_id: req(k("order_id"), &h.order_id)?,
            from_status: opt(k("from_status"), &h.from_status)?,
            to_status: opt(k("to_status"), &h.to_status)?,
            changed_at: opt(k("changed_at"), &h.changed_at)?,
            actor: opt(k("actor"), &h.actor)?,
            reason: opt(k("reason"), &h.reason)?,
            set: filters("status_history.set", &h.set)?,
        }))
    }
}
