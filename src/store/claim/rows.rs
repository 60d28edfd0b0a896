//! Rows as the store returns them (every value as text), turned into [`RawOrder`]s: codes into
//! statuses, text into times, amounts and quantities, the customer from its table or the row.

use super::super::Store;
use super::super::read::{read_quantity, read_time};
use crate::domain::{
    CustomerKey, OrderStatus, RawCustomer, RawLine, RawOrder, ReissueOrigin, Route,
};

#[derive(sqlx::FromRow)]
pub(super) struct OrderRow {
    pub id: i64,
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
    c_guest: Option<String>,
    o_email: Option<String>,
    o_first_name: Option<String>,
    o_last_name: Option<String>,
    o_company: Option<String>,
    o_phone: Option<String>,
    r_status: Option<String>,
    r_customer_id: Option<i64>,
    r_email: Option<String>,
    r_route: Option<String>,
}

#[derive(sqlx::FromRow, Clone)]
pub(crate) struct LineRow {
    pub id: i64,
    pub order_id: i64,
    pub line_no: Option<i64>,
    pub product_id: Option<i64>,
    pub sku: Option<String>,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub quantity: Option<String>,
    /// The unit price, or the line's amount (`order_lines.amount`), as the store keeps it.
    pub unit_price: Option<String>,
    /// The parent row of a nested line (None or 0 for a top-level one).
    pub parent_id: Option<i64>,
}

/// A flag column's "yes": 1, true, t, y, yes.
fn is_yes(v: Option<&str>) -> bool {
    v.map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| matches!(v.as_str(), "1" | "true" | "t" | "y" | "yes"))
}

impl Store {
    pub(super) fn raw_order(&self, r: OrderRow, lines: Vec<RawLine>) -> RawOrder {
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
            reissues: r
                .reissue_of
                .filter(|_| r.root_order_id.is_some())
                .map(|_| ReissueOrigin {
                    canceled: r.r_status.as_deref().and_then(|s| m.status_of(s))
                        == Some(OrderStatus::Canceled),
                    same_customer: match (r.customer_id, r.r_customer_id) {
                        (Some(a), Some(b)) => a == b,
                        (None, None) => {
                            r.o_email.as_deref().map(str::to_lowercase)
                                == r.r_email.as_deref().map(str::to_lowercase)
                        }
                        _ => false,
                    },
                    evaluation: r.r_route.as_deref() == Some(Route::AwaitingEvaluation.name()),
                }),
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
                key: match (
                    is_yes(r.c_guest.as_deref()),
                    r.c_email.as_deref().map(str::trim),
                ) {
                    // A guest's row (PrestaShop makes one per checkout): keyed like any guest.
                    (true, Some(e)) if !e.is_empty() => CustomerKey::Guest(e.to_string()),
                    _ => CustomerKey::Id(id),
                },
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

    /// A line as read, at `unit_price`; `n` numbers it when the store keeps no line number.
    pub(crate) fn raw_line(
        &self,
        l: LineRow,
        n: i64,
        unit_price: Option<Result<rust_decimal::Decimal, String>>,
    ) -> RawLine {
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
            unit_price,
        }
    }
}
