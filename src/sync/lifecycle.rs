//! The lifecycle loop: when the store moves a sent order on (an administrator's Canceled,
//! Completed after shipping, a paid PO going In Process), Salesforce's Opportunity stage and
//! Order status follow, once, whatever fails: a record deleted or given a new id in Salesforce
//! is found by External ID and the change carries on (heal.rs) instead of parking.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Fatal, RetryPolicy};
use crate::domain::OrderId;
use crate::salesforce::{Salesforce, SfError, StatusUpdate};
use crate::store::{ClaimedChange, Store, StoreError};

mod heal;
mod outcome;
mod verdict;

/// Claims of due changes one pass makes at most.
const MAX_CLAIMS_PER_PASS: usize = 20;

/// What one pass did; `once` sums these, tests assert on them.
#[derive(Debug, Default, Clone)]
pub struct LifecycleReport {
    /// Store rows read while looking for changes.
    pub scanned: usize,
    pub queued: usize,
    /// Rows read dated after the store's clock (each look names them in a warning).
    pub ahead: usize,
    pub shown: Vec<OrderId>,
    /// Records found at new ids by External ID (a sandbox refresh, a merge): adopted.
    pub adopted: Vec<OrderId>,
    /// Records gone from Salesforce: the order was queued to be written again as it is now.
    pub resent: Vec<OrderId>,
    pub retrying: Vec<OrderId>,
    pub parked: Vec<OrderId>,
    pub store_errors: usize,
}

#[derive(Clone)]
pub struct Lifecycle {
    pub store: Store,
    pub salesforce: Salesforce,
    pub actor: String,
    pub batch_size: u32,
    pub overlap: Duration,
    pub lease: Duration,
    pub retry: RetryPolicy,
    pub poll_interval: Duration,
    pub heartbeat: std::sync::Arc<super::Heartbeat>,
}

impl Lifecycle {
    /// Finds new changes, then sends what is due until nothing is. Store or Salesforce trouble
    /// ends the pass early (the next pass goes on); only a fatal error stops it.
    pub async fn run_pass(&self) -> Result<LifecycleReport, Fatal> {
        let mut report = LifecycleReport::default();
        if self.salesforce.paused_for().is_some_and(|d| !d.is_zero()) {
            return Ok(report);
        }
        let overlap = chrono::Duration::from_std(self.overlap).unwrap_or_default();
        match self.store.detect_changes(overlap, 500).await {
            Ok(found) => {
                report.scanned = found.scanned;
                report.queued = found.queued;
                report.ahead = found.ahead;
            }
            Err(e) => return self.store_trouble(e, report),
        }
        // Bounded, so an order whose status flaps cannot hold the pass: the next pass goes on.
        for _ in 0..MAX_CLAIMS_PER_PASS {
            let lease_ms = i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX);
            let limit = i64::from(self.batch_size.max(1));
            let claim = match self.store.claim_changes(&self.actor, limit, lease_ms).await {
                Ok(c) => c,
                Err(e) => return self.store_trouble(e, report),
            };
            if claim.changes.is_empty() {
                return Ok(report);
            }
            if let Err(e) = self.send(&claim.token, claim.changes, &mut report).await {
                return self.store_trouble(e, report);
            }
        }
        Ok(report)
    }

    fn store_trouble(
        &self,
        e: StoreError,
        mut report: LifecycleReport,
    ) -> Result<LifecycleReport, Fatal> {
        if let StoreError::Fatal(m) = e {
            return Err(Fatal(m));
        }
        tracing::warn!("status changes wait: the store could not be reached; will try again: {e}");
        report.store_errors += 1;
        Ok(report)
    }

    async fn send(
        &self,
        token: &str,
        changes: Vec<ClaimedChange>,
        report: &mut LifecycleReport,
    ) -> Result<(), StoreError> {
        let changes = self.settle(token, changes, report).await?;
        let mut updates = Vec::new();
        for c in &changes {
            match self.update_for(c) {
                Some(u) if u.writes_anything() => updates.push(u),
                // Nothing for Salesforce to show: remembered as shown, no call made.
                _ => {
                    self.shown(token, c, "nothing to change in Salesforce", report)
                        .await?
                }
            }
        }
        if updates.is_empty() {
            return Ok(());
        }
        let mut gone = Vec::new();
        for (c, u, result) in self.show(&changes, &updates).await {
            match result {
                Ok(()) => self.shown(token, c, &outcome::describe(u), report).await?,
                // Its records are not at their stored ids: looked up by External ID below.
                Err(e) if e.names_missing_record() => gone.push((c, e)),
                Err(e) => self.failed(token, c, &e, report).await?,
            }
        }
        self.heal(token, gone, report).await
    }

    /// Sends `updates` (one per change of `changes` that has one); each result with its change
    /// and update.
    async fn show<'a>(
        &self,
        changes: &'a [ClaimedChange],
        updates: &'a [StatusUpdate],
    ) -> Vec<(&'a ClaimedChange, &'a StatusUpdate, Result<(), SfError>)> {
        let results = self.salesforce.show_statuses(updates).await;
        updates
            .iter()
            .zip(results)
            .filter_map(|(u, (id, result))| {
                // Answered in the order given; the id check keeps a slip from pairing them wrong.
                let c = changes.iter().find(|c| c.order_id == id)?;
                (id == u.order_id).then_some((c, u, result))
            })
            .collect()
    }

    /// The update that brings Salesforce to the order's store status; None when there is none
    /// (the status is what Salesforce shows, or a code the mapping does not know).
    fn update_for(&self, c: &ClaimedChange) -> Option<StatusUpdate> {
        let status = c.status?;
        Some(StatusUpdate {
            order_id: c.order_id,
            opportunity: c.opportunity.clone()?,
            order: c.order.clone(),
            shown: self.salesforce.shown_for(status),
        })
        .filter(|_| c.shown != Some(status))
    }

    /// Runs passes every `poll_interval` until `cancel`; a pass in flight gets `grace`.
    pub async fn run(&self, cancel: CancellationToken, grace: Duration) -> Result<(), Fatal> {
        let runner = super::Runner {
            name: "lifecycle",
            interval: self.poll_interval,
            heartbeat: &self.heartbeat,
            cancel: &cancel,
            grace,
            wakeup: None,
        };
        runner
            .run(|| async { self.run_pass().await.map(|_| super::Pace::Wait) })
            .await
    }
}
