//! Orders as read from the store, validated into domain types, and routed.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use std::fmt;

use super::OrderStatus;

macro_rules! id_type {
    ($name:ident) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub i64);
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}
id_type!(OrderId);
id_type!(LineId);

/// Who keys the customer's Account and Contact: the store's customer id, or, for a guest
/// (no customer row), the e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CustomerKey {
    Id(i64),
    Guest(String),
}

impl fmt::Display for CustomerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustomerKey::Id(id) => write!(f, "{id}"),
            CustomerKey::Guest(email) => write!(f, "guest:{}", email.to_lowercase()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentMethod {
    CreditCard,
    PurchaseOrder,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductKind {
    Standard,
    Evaluation,
}

/// Where the push loop sends an order once it is in Salesforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    InProcess,
    AwaitingPayment,
    AwaitingEvaluation,
}

impl Route {
    /// Every route, for exporting each one's counter from start-up.
    pub const ALL: [Route; 3] = [
        Route::InProcess,
        Route::AwaitingPayment,
        Route::AwaitingEvaluation,
    ];

    pub fn status(self) -> OrderStatus {
        match self {
            Route::InProcess => OrderStatus::InProcess,
            Route::AwaitingPayment => OrderStatus::AwaitingPayment,
            Route::AwaitingEvaluation => OrderStatus::AwaitingEvaluation,
        }
    }

    /// Evaluations get no Salesforce Order until the customer accepts a priced quote.
    pub fn creates_salesforce_order(self) -> bool {
        self != Route::AwaitingEvaluation
    }

    pub fn name(self) -> &'static str {
        match self {
            Route::InProcess => "in_process",
            Route::AwaitingPayment => "awaiting_payment",
            Route::AwaitingEvaluation => "awaiting_evaluation",
        }
    }

    /// The route `name()` gave, as order-sync's own table keeps it.
    pub fn from_name(name: &str) -> Option<Route> {
        Route::ALL.into_iter().find(|r| r.name() == name)
    }
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub key: CustomerKey,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
}

impl Customer {
    /// The Account name: the company, or the person for a private customer.
    pub fn account_name(&self) -> String {
        match &self.company {
            Some(c) => c.clone(),
            None => match &self.first_name {
                Some(f) => format!("{f} {}", self.last_name),
                None => self.last_name.clone(),
            },
        }
    }
}

#[derive(Debug, Clone)]
pub struct OrderLine {
    pub id: LineId,
    pub line_no: i64,
    pub sku: String,
    /// The product's name as the store has it, when it keeps one.
    pub name: Option<String>,
    pub kind: ProductKind,
    pub quantity: i64,
    pub unit_price: Decimal,
}

/// A validated order, ready to be written to Salesforce.
#[derive(Debug, Clone)]
pub struct Order {
    pub id: OrderId,
    pub number: String,
    pub status: OrderStatus,
    pub payment_method: PaymentMethod,
    pub po_number: Option<String>,
    pub currency: Option<String>,
    pub placed_at: DateTime<Utc>,
    pub reissue_of: Option<OrderId>,
    /// The order whose id keys the Opportunity: the first order of a reissue chain, so that a
    /// reissued repair updates the evaluation's Opportunity instead of creating a second one.
    pub opportunity_key: OrderId,
    pub customer: Customer,
    pub lines: Vec<OrderLine>,
}

impl Order {
    pub fn amount(&self) -> Decimal {
        self.lines
            .iter()
            .map(|l| l.unit_price * Decimal::from(l.quantity))
            .sum()
    }

    /// Evaluation line → Awaiting Evaluation; else purchase order → Awaiting Payment; else In Process.
    /// A reissued repair order has been evaluated already: its priced EVAL line routes like any line.
    pub fn route(&self) -> Route {
        let evaluation = self.lines.iter().any(|l| l.kind == ProductKind::Evaluation);
        if evaluation && self.reissue_of.is_none() {
            Route::AwaitingEvaluation
        } else if self.payment_method == PaymentMethod::PurchaseOrder {
            Route::AwaitingPayment
        } else {
            Route::InProcess
        }
    }
}
