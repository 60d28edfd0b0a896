//! The loops that move orders: push (Order Placed → Salesforce → next status) and repair
//! (evaluation complete → approval → cancel and reissue).

mod push;
mod repair;
mod retry;

pub use push::{PassReport, Worker};
pub use repair::{RepairReport, Repairer, price_lines};
pub use retry::RetryPolicy;

/// Why a loop had to stop: the process exits non-zero with this one message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fatal(pub String);
