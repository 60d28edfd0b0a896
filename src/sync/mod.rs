//! The loops that move orders: the push loop (Order Placed → Salesforce → next status).

mod push;
mod retry;

pub use push::{PassReport, Worker};
pub use retry::RetryPolicy;

/// Why a loop had to stop: the process exits non-zero with this one message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fatal(pub String);
