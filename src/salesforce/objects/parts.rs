//! The pieces a model entry is made of: its key, its reference id and where its id is kept.

use crate::config::FieldNames;
use crate::domain::{Order, OrderLine, SalesforceIds};

/// Which External ID setting keys an object, and which value of the order it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `customer_external_id`: the customer's key.
    Customer,
    /// `order_external_id`: the id of the first order of a reissue chain (one Opportunity).
    Opportunity,
    /// `order_external_id`: the order's own id.
    Order,
    /// `line_external_id`: the order line's id.
    Line,
}

impl Key {
    /// The config key naming the External ID field.
    pub fn setting(self) -> &'static str {
        match self {
            Key::Customer => "salesforce.fields.customer_external_id",
            Key::Opportunity | Key::Order => "salesforce.fields.order_external_id",
            Key::Line => "salesforce.fields.line_external_id",
        }
    }

    /// The External ID field itself.
    pub fn field(self, fields: &FieldNames) -> &str {
        match self {
            Key::Customer => &fields.customer_external_id,
            Key::Opportunity | Key::Order => &fields.order_external_id,
            Key::Line => &fields.line_external_id,
        }
    }

    /// The key value of the record for `order` (and `line`, for a line item).
    pub fn value(self, order: &Order, line: Option<&OrderLine>) -> String {
        match (self, line) {
            (Key::Customer, _) => order.customer.key.to_string(),
            (Key::Opportunity, _) => order.opportunity_key.to_string(),
            (Key::Order, _) => order.id.to_string(),
            (Key::Line, Some(l)) => l.id.to_string(),
            (Key::Line, None) => String::new(),
        }
    }

    /// Every key value of `order`'s records keyed this way (one per line for line items).
    pub fn values(self, order: &Order) -> Vec<String> {
        match self {
            Key::Line => order.lines.iter().map(|l| l.id.to_string()).collect(),
            other => vec![other.value(order, None)],
        }
    }
}

/// A node's reference id in an order graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reference {
    /// One node per order.
    One(&'static str),
    /// One node per order line: the prefix followed by the line id.
    PerLine(&'static str),
}

impl Reference {
    /// The reference id of the node (for `line`, when one per line).
    pub fn id(self, line: Option<&OrderLine>) -> String {
        match (self, line) {
            (Reference::PerLine(p), Some(l)) => format!("{p}{}", l.id),
            (Reference::One(r) | Reference::PerLine(r), _) => r.to_string(),
        }
    }

    /// Whether `reference` is this node's (or one of its per-line nodes').
    pub fn matches(self, reference: &str) -> bool {
        match self {
            Reference::One(r) => reference == r,
            Reference::PerLine(p) => reference.strip_prefix(p).is_some_and(|rest| {
                !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'-')
            }),
        }
    }
}

/// Where a returned record id is kept: a slot of [`SalesforceIds`] and its `order_sync_state`
/// column (the store's write-back sets exactly these).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdSlot {
    Account,
    Contact,
    Opportunity,
    Quote,
    Order,
}

impl IdSlot {
    pub fn of(self, ids: &mut SalesforceIds) -> &mut Option<String> {
        match self {
            IdSlot::Account => &mut ids.account,
            IdSlot::Contact => &mut ids.contact,
            IdSlot::Opportunity => &mut ids.opportunity,
            IdSlot::Quote => &mut ids.quote,
            IdSlot::Order => &mut ids.order,
        }
    }

    /// The `order_sync_state` column that keeps it.
    pub fn column(self) -> &'static str {
        match self {
            IdSlot::Account => "sf_account_id",
            IdSlot::Contact => "sf_contact_id",
            IdSlot::Opportunity => "sf_opportunity_id",
            IdSlot::Quote => "sf_quote_id",
            IdSlot::Order => "sf_order_id",
        }
    }
}
