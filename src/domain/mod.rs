//! The store's order model, the status state machine and the routing rule. No I/O here.

mod order;
mod status;
mod validate;

pub use order::{
    Customer, CustomerId, LineId, Order, OrderId, OrderLine, PaymentMethod, ProductKind, Route,
};
pub use status::{OrderStatus, UnknownStatus};
pub use validate::{RawLine, RawOrder, Rejection};

/// The Salesforce records that hold one store order (ids as Salesforce gives them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesforceIds {
    pub account: Option<String>,
    pub contact: Option<String>,
    pub opportunity: Option<String>,
    pub quote: Option<String>,
    pub order: Option<String>,
}
