//! The lifecycle loop: when the store moves a sent order on (an administrator's Canceled,
//! Completed after shipping, a paid PO going In Process), Salesforce's Opportunity stage and
//! Order status follow, once, whatever fails.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Fatal, RetryPolicy};
use crate::domain::OrderId;
use crate::error::ErrorClass;
use crate::salesforce::{Salesforce, SfError, SfObject, StatusUpdate};
use crate::store::{ChangeFailure, ClaimedChange, Store, StoreError, WriteBack};

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
        let mut updates = Vec::new();
        let mut settled = Vec::with_capacity(changes.len());
        for mut c in changes {
            if c.unsettled && !self.settle(token, &mut c, report).await? {
                continue;
            }
            settled.push(c);
        }
        let changes = settled;
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
        let results = self.salesforce.show_statuses(&updates).await;
        for (id, result) in results {
            let Some(c) = changes.iter().find(|c| c.order_id == id) else {
                continue;
            };
            match result {
                Ok(()) => {
                    let u = updates.iter().find(|u| u.order_id == id);
                    let said = u.map_or_else(String::new, describe);
                    self.shown(token, c, &said, report).await?;
                }
                Err(e) => self.failed(token, c, &e, report).await?,
            }
        }
        Ok(())
    }

    /// A tried order that left Order Placed unsent: its records, found by External ID, are
    /// adopted (then updated like any other); none means nothing reached Salesforce. False when
    /// the change waits (Salesforce unreachable, or a push still holds the order).
    async fn settle(
        &self,
        token: &str,
        c: &mut ClaimedChange,
        report: &mut LifecycleReport,
    ) -> Result<bool, StoreError> {
        let found = async {
            let sf = &self.salesforce;
            let Some(opp) = sf
                .find_by_key(SfObject::Opportunity, c.opportunity_key)
                .await?
            else {
                return Ok((None, None));
            };
            let order = sf.find_by_key(SfObject::Order, c.order_id.0).await?;
            Ok::<_, SfError>((Some(opp), order))
        };
        let (opportunity, order) = match found.await {
            Ok(ids) => ids,
            Err(e) => {
                self.failed(token, c, &e, report).await?;
                return Ok(false);
            }
        };
        let (o, s) = (opportunity.clone(), order.clone());
        if !self.store.settle_unsent(c.order_id, o, s).await? {
            let busy = SfError::transient(None, "a worker is still sending this order");
            self.failed(token, c, &busy, report).await?;
            return Ok(false);
        }
        (c.opportunity, c.order, c.shown) = (opportunity, order, None);
        Ok(true)
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

    async fn shown(
        &self,
        token: &str,
        c: &ClaimedChange,
        said: &str,
        report: &mut LifecycleReport,
    ) -> Result<(), StoreError> {
        let Some(status) = c.status else {
            // One of the store's own statuses (Shipped, On hold): normal, not a failure.
            let message = format!(
                "the store moved it to {:?}, a status [store.statuses] does not list: Salesforce \
                 stays as it is (list the code under [store.statuses] to show it)",
                c.code.as_deref().unwrap_or("")
            );
            let w = self
                .store
                .record_change_left(token, c.order_id, c.attempt, &self.actor, &message)
                .await?;
            if w != WriteBack::LeaseLost {
                tracing::info!(order_id = c.order_id.0, "{message}");
                metrics::counter!("order_sync_status_changes_total", "outcome" => "left")
                    .increment(1);
            }
            return Ok(());
        };
        let message = format!("Salesforce brought in line with {status}: {said}");
        let w = self
            .store
            .record_change_shown(token, c.order_id, c.attempt, status, &self.actor, &message)
            .await?;
        if w != WriteBack::LeaseLost {
            tracing::info!(order_id = c.order_id.0, status = %status, "{said}");
            metrics::counter!("order_sync_status_changes_total", "outcome" => "shown").increment(1);
            report.shown.push(c.order_id);
        }
        Ok(())
    }

    async fn failed(
        &self,
        token: &str,
        c: &ClaimedChange,
        e: &SfError,
        report: &mut LifecycleReport,
    ) -> Result<(), StoreError> {
        let failure = match e.class {
            ErrorClass::Rejected => ChangeFailure::Rejected {
                code: e.code.clone(),
                message: format!(
                    "Salesforce does not show this order's status {} yet: {}",
                    c.status.map_or("?", |s| s.label()),
                    e.message
                ),
            },
            ErrorClass::Transient | ErrorClass::Fatal => ChangeFailure::Transient {
                next_attempt_at: self.retry.next_attempt_at(c.attempt),
                code: e.code.clone(),
                message: e.message.clone(),
            },
        };
        self.record_failure(token, c, &failure, report).await
    }

    async fn record_failure(
        &self,
        token: &str,
        c: &ClaimedChange,
        failure: &ChangeFailure,
        report: &mut LifecycleReport,
    ) -> Result<(), StoreError> {
        let w = self
            .store
            .record_change_failure(token, c.order_id, c.attempt, &self.actor, failure)
            .await?;
        if w == WriteBack::LeaseLost {
            return Ok(());
        }
        let (outcome, list, message) = match failure {
            ChangeFailure::Transient { message, .. } => {
                ("transient", &mut report.retrying, message)
            }
            ChangeFailure::Rejected { message, .. } => ("rejected", &mut report.parked, message),
        };
        if outcome == "rejected" {
            tracing::error!(order_id = c.order_id.0, "status change parked: {message}");
        } else {
            tracing::warn!(
                order_id = c.order_id.0,
                "status change will be retried: {message}"
            );
        }
        metrics::counter!("order_sync_status_changes_total", "outcome" => outcome).increment(1);
        list.push(c.order_id);
        Ok(())
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

/// The fields an update wrote, in plain words.
fn describe(u: &StatusUpdate) -> String {
    let mut parts = Vec::new();
    if let Some(stage) = &u.shown.stage {
        parts.push(format!("Opportunity stage {stage}"));
    }
    if let (Some(_), Some(status)) = (&u.order, &u.shown.order_status) {
        parts.push(format!("Order status {status}"));
    }
    parts.join(", ")
}
