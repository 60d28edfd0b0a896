//! The `[store]` settings, checked once: identifiers validated, codes typed, required keys present.
//!
//! Statements are built from a `Mapping`, never from raw settings, so a name that reaches SQL has
//! passed [`Ident::parse`] and is quoted by the dialect.

use std::fmt;

use crate::config::{MoneyFormat, StoreSettings};
use crate::domain::{OrderStatus, PaymentMethod, ProductKind};

mod codes;
mod source;
mod tables;
mod zone;

use codes::{first, glob, lookup, status_codes, value_lists};

pub use source::{Join, Src};
pub use tables::{CustomersMap, HistoryMap, LinesMap, OrdersMap, PaymentsMap, ProductsMap};
pub use zone::StoreZone;

/// A plain SQL identifier (`[A-Za-z_][A-Za-z0-9_]*`, at most 64 characters), or `schema.name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident(String);

impl Ident {
    /// Checks `value` for the setting `key`; an empty value is `None` (the store has no such column).
    pub fn optional(key: &str, value: &str, dotted: bool) -> Result<Option<Ident>, String> {
        if value.is_empty() {
            return Ok(None);
        }
        let part_ok = |p: &str| {
            !p.is_empty()
                && p.len() <= 64
                && p.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        let parts: Vec<&str> = value.split('.').collect();
        if parts.len() > if dotted { 2 } else { 1 } || !parts.iter().all(|p| part_ok(p)) {
            let form = if dotted {
                ", optionally schema.table"
            } else {
                ""
            };
            return Err(format!(
                "store.{key}: {value:?} is not a plain SQL identifier (letters, digits and _{form})"
            ));
        }
        Ok(Some(Ident(value.to_string())))
    }

    pub fn required(key: &str, value: &str, dotted: bool) -> Result<Ident, String> {
        Self::optional(key, value, dotted)?.ok_or_else(|| format!("store.{key} must be set"))
    }

    /// The parts: one for a column, one or two for a table.
    pub fn parts(&self) -> impl Iterator<Item = &str> {
        self.0.split('.')
    }

    /// The last part: the bare table name without its schema.
    pub fn name(&self) -> &str {
        self.0.rsplit('.').next().unwrap_or(&self.0)
    }

    pub fn schema(&self) -> Option<&str> {
        self.0.split_once('.').map(|(s, _)| s)
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A status value as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Code {
    Text(String),
    Int(i64),
}

impl Code {
    /// The value as text, as read back through a text cast.
    pub fn as_text(&self) -> String {
        match self {
            Code::Text(t) => t.clone(),
            Code::Int(i) => i.to_string(),
        }
    }
}

/// The store's whole schema as order-sync sees it.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub money: MoneyFormat,
    pub zone: StoreZone,
    pub notify_trigger: bool,
    pub orders: OrdersMap,
    pub lines: LinesMap,
    pub customers: Option<CustomersMap>,
    pub products: Option<ProductsMap>,
    pub payments: Option<PaymentsMap>,
    pub history: Option<HistoryMap>,
    statuses: Vec<(OrderStatus, Vec<Code>)>,
    payment_methods: Vec<(PaymentMethod, Vec<String>)>,
    product_kinds: Vec<(ProductKind, Vec<String>)>,
    evaluation_sku: Option<String>,
}

impl Mapping {
    /// Checks every `[store]` key; the error names the first key that is wrong.
    pub fn from_settings(s: &StoreSettings) -> Result<Mapping, String> {
        let orders = OrdersMap::from_settings(&s.orders)?;
        let products = ProductsMap::from_settings(&s.products)?;
        let lines = LinesMap::from_settings(&s.order_lines, products.is_some())?;
        let customers = CustomersMap::from_settings(&s.customers)?;
        tables::check_customer_source(&orders, customers.as_ref())?;
        let payments = PaymentsMap::from_settings(&s.payments)?;
        if payments.is_none() && orders.payment_method.is_none() {
            return Err("store.orders.payment_method must be set (or store.payments.table)".into());
        }
        let evaluation_sku = Some(s.product_kinds.evaluation_sku_pattern.trim().to_string())
            .filter(|p| !p.is_empty());
        Ok(Mapping {
            money: s.money,
            zone: StoreZone::parse(&s.timezone).map_err(|e| format!("store.timezone: {e}"))?,
            notify_trigger: s.notify_trigger,
            orders,
            lines,
            customers,
            products,
            payments,
            history: HistoryMap::from_settings(&s.status_history)?,
            statuses: status_codes(s)?,
            payment_methods: value_lists(
                "payment_methods",
                &[
                    (
                        PaymentMethod::CreditCard,
                        "credit_card",
                        &s.payment_methods.credit_card,
                    ),
                    (
                        PaymentMethod::PurchaseOrder,
                        "purchase_order",
                        &s.payment_methods.purchase_order,
                    ),
                ],
            )?,
            product_kinds: value_lists(
                "product_kinds",
                &[
                    (ProductKind::Standard, "standard", &s.product_kinds.standard),
                    (
                        ProductKind::Evaluation,
                        "evaluation",
                        &s.product_kinds.evaluation,
                    ),
                ],
            )?,
            evaluation_sku,
        })
    }

    /// The store's value order-sync writes for `status`: the first of its codes.
    pub fn code(&self, status: OrderStatus) -> &Code {
        &self.codes(status)[0]
    }

    /// Every code the store uses for `status` (`completed = "5,3"`: Complete and Shipped).
    pub fn codes(&self, status: OrderStatus) -> &[Code] {
        let found = self.statuses.iter().find(|(s, _)| *s == status);
        &found.expect("every status has a code").1
    }

    /// The status a stored value (read as text) stands for; None for a code the mapping does
    /// not list, which is one of the store's own statuses (Shipped, On hold, …).
    /// Exact: "order placed" and "Order Placed " are typos, not Order Placed.
    pub fn status_of(&self, text: &str) -> Option<OrderStatus> {
        self.statuses
            .iter()
            .find(|(_, cs)| cs.iter().any(|c| c.as_text() == text))
            .map(|(s, _)| *s)
    }

    /// The mapped code an unlisted value looks like a typo of (case or spaces differ).
    pub fn typo_of(&self, text: &str) -> Option<(OrderStatus, String)> {
        let squash = |t: &str| {
            t.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        if self.status_of(text).is_some() {
            return None;
        }
        let wanted = squash(text);
        self.statuses.iter().find_map(|(s, cs)| {
            cs.iter()
                .map(Code::as_text)
                .find(|c| squash(c) == wanted)
                .map(|c| (*s, c))
        })
    }

    pub fn payment_method_of(&self, text: &str) -> Option<PaymentMethod> {
        lookup(&self.payment_methods, text)
    }

    /// The product kind from a stored kind value, or from the sku when the store keeps none.
    pub fn product_kind(&self, kind: Option<&str>, sku: &str) -> Result<ProductKind, String> {
        let keeps_kind = self.products.as_ref().is_some_and(|p| p.kind.is_some());
        if keeps_kind {
            return match kind {
                Some(k) => lookup(&self.product_kinds, k)
                    .ok_or_else(|| format!("product {sku} has unknown kind {k:?}")),
                None => Err(format!("product {sku} has no kind")),
            };
        }
        Ok(match &self.evaluation_sku {
            Some(p) if glob(p, sku) => ProductKind::Evaluation,
            _ => ProductKind::Standard,
        })
    }

    /// The store's value for `method` (the first, when several are given).
    pub fn payment_code(&self, method: PaymentMethod) -> &str {
        first(&self.payment_methods, method)
    }

    /// The store's value for `kind` (the first, when several are given).
    pub fn kind_code(&self, kind: ProductKind) -> &str {
        first(&self.product_kinds, kind)
    }

    /// The table and column names, for comparing two mappings.
    pub fn tables_debug(&self) -> String {
        format!(
            "{:?}{:?}{:?}{:?}{:?}{:?}",
            self.orders, self.lines, self.customers, self.products, self.payments, self.history
        )
    }

    /// Every status with its codes, in the contract's order.
    pub fn statuses(&self) -> &[(OrderStatus, Vec<Code>)] {
        &self.statuses
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_plain_names_or_schema_dot_table() {
        assert!(
            Ident::optional("orders.table", "shop_order", true)
                .unwrap()
                .is_some()
        );
        assert!(
            Ident::optional("orders.table", "sales.shop_order", true)
                .unwrap()
                .is_some()
        );
        assert!(Ident::optional("orders.table", "", true).unwrap().is_none());
        for bad in [
            "shop order",
            "orders; DROP TABLE x",
            "a.b.c",
            "1abc",
            "o\"x",
            "a-b",
        ] {
            let e = Ident::optional("orders.table", bad, true).unwrap_err();
            assert!(e.starts_with("store.orders.table:"), "{e}");
        }
        assert!(Ident::optional("orders.status", "public.status", false).is_err());
    }

    #[test]
    fn sku_patterns_match_with_stars() {
        assert!(glob("EVAL*", "EVAL-100"));
        assert!(glob("EVAL*", "EVAL"));
        assert!(!glob("EVAL*", "XEVAL"));
        assert!(glob("*-EVAL-*", "RX-EVAL-9"));
        assert!(glob("EVAL", "EVAL"));
        assert!(!glob("EVAL", "EVAL-1"));
        assert!(!glob("A*B*C", "AC"));
    }
}
