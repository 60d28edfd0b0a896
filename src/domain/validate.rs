//! Store rows as read, validated into [`Order`]s, or refused with a reason a rep can act on.
//!
//! The store layer has already turned the store's codes and columns into readings: a status or
//! the value it found, an amount or what was wrong with it. Here those become plain sentences.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::OrderStatus;
use super::order::{
    Customer, CustomerKey, LineId, Order, OrderId, OrderLine, PaymentMethod, ProductKind,
};

/// A store order as read, before validation: every field the store might have left wrong.
/// An `Err` holds what was found, in words (`"a fractional quantity 2.5"`).
#[derive(Debug, Clone)]
pub struct RawOrder {
    pub id: i64,
    pub order_number: String,
    pub status: Result<OrderStatus, String>,
    pub payment_method: Option<Result<PaymentMethod, String>>,
    pub po_number: Option<String>,
    /// The store keeps PO numbers; when it does not, a purchase order goes without one.
    pub keeps_po_numbers: bool,
    pub currency: Option<String>,
    pub placed_at: Option<Result<DateTime<Utc>, String>>,
    pub reissue_of: Option<i64>,
    /// What the store says of the order this one reissues, when it exists.
    pub reissues: Option<ReissueOrigin>,
    /// The first order of the reissue chain (itself when not a reissue); None if the chain is broken.
    pub root_order_id: Option<i64>,
    /// The customer, or why the order has none.
    pub customer: Result<RawCustomer, String>,
    pub lines: Vec<RawLine>,
}

/// The order a reissue names: only a canceled evaluation order of the same customer may hand
/// its Opportunity and Quote on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReissueOrigin {
    pub canceled: bool,
    pub same_customer: bool,
    /// order-sync routed it to Awaiting Evaluation.
    pub evaluation: bool,
}

#[derive(Debug, Clone)]
pub struct RawCustomer {
    pub key: CustomerKey,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RawLine {
    pub id: i64,
    pub line_no: i64,
    pub product_id: Option<i64>,
    pub sku: Option<String>,
    pub name: Option<String>,
    /// The product kind (None when the line has no sku).
    pub kind: Option<Result<ProductKind, String>>,
    pub quantity: Option<Result<i64, String>>,
    pub unit_price: Option<Result<Decimal, String>>,
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
const MAX_PHONE: usize = 40;

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
        let status = self.status.clone().or_else(|found| {
            reject(format!(
                "the order's status {found:?} is not one of the store's eight statuses"
            ))
        })?;
        let payment_method = match &self.payment_method {
            Some(Ok(m)) => *m,
            Some(Err(found)) => return reject(format!("unknown payment method {found:?}")),
            None => return reject("the order has no payment method"),
        };
        let po_number = text(&self.po_number);
        if payment_method == PaymentMethod::PurchaseOrder
            && po_number.is_none()
            && self.keeps_po_numbers
        {
            return reject("a purchase-order order needs a PO number, and this one has none");
        }
        let currency = text(&self.currency);
        if let Some(c) = &currency
            && !(c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()))
        {
            return reject(format!("currency {c:?} is not a three-letter ISO code"));
        }
        let placed_at = match &self.placed_at {
            Some(Ok(t)) => *t,
            Some(Err(found)) => return reject(format!("the order's placed_at is {found}")),
            None => return reject("the order has no placed_at time"),
        };
        let opportunity_key = match (self.reissue_of, self.root_order_id) {
            (Some(of), None) => {
                return reject(format!(
                    "the order says it reissues order {of}, which does not exist"
                ));
            }
            (_, root) => OrderId(root.unwrap_or(self.id)),
        };
        if let (Some(of), Some(origin)) = (self.reissue_of, self.reissues)
            && !(origin.canceled && origin.same_customer && origin.evaluation)
        {
            return reject(format!(
                "the order says it reissues order {of}, which is not a canceled evaluation order of the same \
                 customer; it is not trusted with that order's Salesforce records (fix reissue_of, then retry)"
            ));
        }
        let customer = customer(self.customer.clone())?;
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
}

fn customer(raw: Result<RawCustomer, String>) -> Result<Customer, Rejection> {
    let c = raw.map_err(Rejection)?;
    let who = match &c.key {
        CustomerKey::Id(id) => format!("customer {id}"),
        CustomerKey::Guest(_) => "the guest customer".to_string(),
    };
    let Some(email) = bounded("e-mail address", text(&c.email), MAX_EMAIL)? else {
        return reject(format!("{who} has no e-mail address"));
    };
    let Some(last_name) = bounded("last name", text(&c.last_name), MAX_LAST_NAME)? else {
        return reject(format!("{who} has no last name"));
    };
    Ok(Customer {
        key: c.key,
        email,
        first_name: bounded("first name", text(&c.first_name), MAX_FIRST_NAME)?,
        last_name,
        company: bounded("company name", text(&c.company), MAX_ACCOUNT_NAME)?,
        phone: bounded("phone number", text(&c.phone), MAX_PHONE)?,
    })
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
    let kind = match l.kind {
        Some(Ok(k)) => k,
        Some(Err(found)) => return reject(found),
        None => return reject(format!("product {sku} has no kind")),
    };
    let quantity = match l.quantity {
        Some(Ok(q)) if q > 0 => q,
        Some(Ok(q)) => {
            return reject(format!(
                "line {n} ({sku}) has quantity {q}; it must be at least 1"
            ));
        }
        Some(Err(found)) => return reject(format!("line {n} ({sku}) has {found}")),
        None => return reject(format!("line {n} ({sku}) has no quantity")),
    };
    let unit_price = match l.unit_price {
        Some(Ok(p)) if p >= Decimal::ZERO => p,
        Some(Ok(p)) => return reject(format!("line {n} ({sku}) has a negative price {p}")),
        Some(Err(found)) => {
            return reject(format!("line {n} ({sku}) has an unusable price: {found}"));
        }
        None => return reject(format!("line {n} ({sku}) has no unit price")),
    };
    Ok(OrderLine {
        id: LineId(l.id),
        line_no: n,
        sku,
        name: text(&l.name),
        kind,
        quantity,
        unit_price,
    })
}
