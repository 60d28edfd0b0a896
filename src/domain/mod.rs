//! The store's order model, the status state machine, the routing rule, and the words a
//! reconcile finds drift in. No I/O here.

mod drift;
mod order;
mod status;
mod validate;

pub use drift::{Drift, Kind, Mend};
pub use order::{
    Customer, CustomerKey, LineId, Order, OrderId, OrderLine, PaymentMethod, ProductKind, Route,
};
pub use status::{OrderStatus, UnknownStatus};
pub use validate::{RawCustomer, RawLine, RawOrder, ReissueOrigin, Rejection};

/// The Salesforce records that hold one store order (ids as Salesforce gives them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SalesforceIds {
    pub account: Option<String>,
    pub contact: Option<String>,
    pub opportunity: Option<String>,
    pub quote: Option<String>,
    pub order: Option<String>,
}

/// order-sync's own state for one order (`order_sync_state.state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SyncState {
    /// In: found in Order Placed, a transient failure, or a rep's retry. Out: sent (done) or parked.
    Pending,
    /// In: the push loop wrote it to Salesforce, or the store moved it meanwhile. Out: none.
    Done,
    /// In: a rejected attempt or an unusable repair. Out: a rep's retry or link (back to pending).
    Parked,
    /// In: `reconcile --fix`, `resend`, `backfill`, or a later change that found its records gone:
    /// the order is to be written to Salesforce again as it is now, its store status untouched.
    /// Out: done once Salesforce holds it, parked when Salesforce refuses it.
    Resend,
}

impl SyncState {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Pending => "pending",
            SyncState::Done => "done",
            SyncState::Parked => "parked",
            SyncState::Resend => "resend",
        }
    }
}
