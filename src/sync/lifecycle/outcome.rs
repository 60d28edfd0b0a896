//! What became of each change, written back under the change's lease and said once in the
//! log: shown in Salesforce, left (a status the mapping does not list), retried, or parked.

use super::{Lifecycle, LifecycleReport};
use crate::error::ErrorClass;
use crate::salesforce::{SfError, StatusUpdate};
use crate::store::{ChangeFailure, ClaimedChange, StoreError, WriteBack};

impl Lifecycle {
    pub(super) async fn shown(
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

    pub(super) async fn failed(
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

    pub(super) async fn record_failure(
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

    /// A change that waits a while (a re-send of the order under way, a worker holding it): no
    /// failure of Salesforce's, looked at again after the usual delay.
    pub(super) async fn wait(
        &self,
        token: &str,
        c: &ClaimedChange,
        why: &str,
        report: &mut LifecycleReport,
    ) -> Result<(), StoreError> {
        let failure = ChangeFailure::Transient {
            next_attempt_at: self.retry.next_attempt_at(c.attempt),
            code: None,
            message: why.to_string(),
        };
        self.record_failure(token, c, &failure, report).await
    }
}

/// The fields an update wrote, in plain words.
pub(super) fn describe(u: &StatusUpdate) -> String {
    let mut parts = Vec::new();
    if let Some(stage) = &u.shown.stage {
        parts.push(format!("Opportunity stage {stage}"));
    }
    if let (Some(_), Some(status)) = (&u.order, &u.shown.order_status) {
        parts.push(format!("Order status {status}"));
    }
    parts.join(", ")
}
