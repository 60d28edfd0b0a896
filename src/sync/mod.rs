//! The loops that move orders: push (Order Placed → Salesforce → next status), repair
//! (evaluation complete → approval → cancel and reissue) and lifecycle (later store status
//! changes → Salesforce); the watchdog raises alerts. Each runs through [`every`].

pub mod digest;
mod lifecycle;
mod outage;
mod push;
mod repair;
mod retry;
mod runner;
mod watchdog;
mod webhook;

pub use digest::order_url;
pub use lifecycle::{Lifecycle, LifecycleReport};
pub use outage::OutageLog;
pub use push::{PassReport, Worker};
pub use repair::{RepairReport, Repairer};
pub use retry::RetryPolicy;
pub use runner::{Pace, Runner};
pub use watchdog::{
    PAUSE_KEY, Watchdog, WatchdogReport, reason_for as stuck_reason, record_salesforce_usage,
};
pub use webhook::Webhook;

/// Why a loop had to stop: the process exits non-zero with this one message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fatal(pub String);

/// When a loop last completed an iteration: `/readyz` fails when a loop stops beating.
#[derive(Debug, Default)]
pub struct Heartbeat(std::sync::atomic::AtomicI64);

impl Heartbeat {
    pub fn beat(&self) {
        self.0
            .store(crate::store::now_ms(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Milliseconds since the last beat; None before the first.
    pub fn age_ms(&self) -> Option<i64> {
        let last = self.0.load(std::sync::atomic::Ordering::Relaxed);
        (last > 0).then(|| crate::store::now_ms() - last)
    }
}
