//! Store rows as read, validated into [`Order`]s, or refused with a reason a rep can act on.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::str::FromStr;

use super::OrderStatus;
use super::order::{
    Customer, CustomerId, LineId, Order, OrderId, OrderLine, PaymentMethod, ProductKind,
};

/// A store row as read, before validation: every field the store might have left wrong.
#[derive(Debug, Clone, Default)]
pub struct RawOrder {
    pub id: i64,
    pub order_number: String,
    pub status: String,
    pub payment_method: Option<String>,
    pub po_number: Option<String>,
    pub currency: Option<String>,
    pub placed_at: Option<DateTime<Utc>>,
    pub reissue_of: Option<i64>,
    /// The first order of the reissue chain (itself when not a reissue); None if the chain is broken.
    pub root_order_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub customer_found: bool,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub lines: Vec<RawLine>,
}

#[derive(Debug, Clone, Default)]
pub struct RawLine {
    pub id: i64,
    pub line_no: i64,
    pub product_id: Option<i64>,
    pub sku: Option<String>,
    pub kind: Option<String>,
    pub quantity: Option<i64>,
    pub unit_price: Option<String>,
}

/// Why an order cannot be sent, in words a service rep can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Rejection(pub String);

fn reject<T>(msg: impl Into<String>) -> Result<T, Rejection> {
    Err(Rejection(msg.into()))
}

/// Salesforce's field lengths: longer values would be refused there, so refuse them here, plainly.
const MAX_FIRST_NAME: usize = 40;
const MAX_LAST_NAME: usize = 80;
const MAX_EMAIL: usize = 80;
const MAX_ACCOUNT_NAME: usize = 255;

fn text(value: &Option<String>) -> Option<String> {
    value
        .as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn bounded(what: &str, value: Option<String>, max: usize) -> Result<Option<String>, Rejection> {
    match value {
        Some(v) if v.chars().count() > max => reject(format!(
            "the customer's {what} is {} characters long; Salesforce allows {max}",
            v.chars().count()
        )),
        other => Ok(other),
    }
}

impl RawOrder {
    /// Validates the row into an [`Order`], or says plainly what is wrong with it.
    pub fn validate(self) -> Result<Order, Rejection> {
        let status = OrderStatus::parse(&self.status).or_else(|e| {
            reject(format!(
                "the order's status {:?} is not one of the store's eight statuses",
                e.0
            ))
        })?;
        let payment_method = match self.payment_method.as_deref() {
            Some("credit_card") => PaymentMethod::CreditCard,
            Some("purchase_order") => PaymentMethod::PurchaseOrder,
            Some(other) => return reject(format!("unknown payment method {other:?}")),
            None => return reject("the order has no payment method"),
        };
        let po_number = text(&self.po_number);
        if payment_method == PaymentMethod::PurchaseOrder && po_number.is_none() {
            return reject("a purchase-order order needs a PO number, and this one has none");
        }
        let currency = text(&self.currency);
        if let Some(c) = &currency
            && !(c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()))
        {
            return reject(format!("currency {c:?} is not a three-letter ISO code"));
        }
        let Some(placed_at) = self.placed_at else {
            return reject("the order has no placed_at time");
        };
        let opportunity_key = match (self.reissue_of, self.root_order_id) {
            (Some(of), None) => {
                return reject(format!(
                    "the order says it reissues order {of}, which does not exist"
                ));
            }
            (_, root) => OrderId(root.unwrap_or(self.id)),
        };
        let customer = self.customer()?;
        let lines = validate_lines(self.lines)?;
        Ok(Order {
            id: OrderId(self.id),
            number: self.order_number,
            status,
            payment_method,
            po_number,
            currency,
            placed_at,
            reissue_of: self.reissue_of.map(OrderId),
            opportunity_key,
            customer,
            lines,
        })
    }

    fn customer(&self) -> Result<Customer, Rejection> {
        let Some(id) = self.customer_id else {
            return reject("the order has no customer");
        };
        if !self.customer_found {
            return reject(format!(
                "the order's customer {id} is not in the customers table"
            ));
        }
        let Some(email) = bounded("e-mail address", text(&self.email), MAX_EMAIL)? else {
            return reject(format!("customer {id} has no e-mail address"));
        };
        let Some(last_name) = bounded("last name", text(&self.last_name), MAX_LAST_NAME)? else {
            return reject(format!("customer {id} has no last name"));
        };
        Ok(Customer {
            id: CustomerId(id),
            email,
            first_name: bounded("first name", text(&self.first_name), MAX_FIRST_NAME)?,
            last_name,
            company: bounded("company name", text(&self.company), MAX_ACCOUNT_NAME)?,
            phone: bounded("phone number", text(&self.phone), 40)?,
        })
    }
}

fn validate_lines(raw: Vec<RawLine>) -> Result<Vec<OrderLine>, Rejection> {
    if raw.is_empty() {
        return reject("the order has no lines");
    }
    raw.into_iter().map(validate_line).collect()
}

fn validate_line(l: RawLine) -> Result<OrderLine, Rejection> {
    let n = l.line_no;
    let Some(sku) = text(&l.sku) else {
        return match l.product_id {
            Some(p) => reject(format!(
                "line {n} refers to product {p}, which is not in the products table"
            )),
            None => reject(format!("line {n} has no product")),
        };
    };
    let kind = match l.kind.as_deref() {
        Some("standard") => ProductKind::Standard,
        Some("evaluation") => ProductKind::Evaluation,
        other => return reject(format!("product {sku} has unknown kind {other:?}")),
    };
    let quantity = match l.quantity {
        Some(q) if q > 0 => q,
        Some(q) => {
            return reject(format!(
                "line {n} ({sku}) has quantity {q}; it must be at least 1"
            ));
        }
        None => return reject(format!("line {n} ({sku}) has no quantity")),
    };
    let unit_price = match l.unit_price.as_deref().map(|p| Decimal::from_str(p.trim())) {
        Some(Ok(p)) if p >= Decimal::ZERO => p,
        Some(Ok(p)) => return reject(format!("line {n} ({sku}) has a negative price {p}")),
        Some(Err(_)) => return reject(format!("line {n} ({sku}) has an unreadable price")),
        None => return reject(format!("line {n} ({sku}) has no unit price")),
    };
    Ok(OrderLine {
        id: LineId(l.id),
        line_no: n,
        sku,
        kind,
        quantity,
        unit_price,
    })
}
