//! Finding a change's records by External ID, all the lookups of a claim in one call: for an
//! order tried but never recorded as sent, before it is updated; and for an update refused
//! because a record is not at its stored id (a sandbox refresh, a merge, a delete), so that
//! the change carries on instead of parking.

use super::verdict::{Verdict, keys, verdict};
use super::{Lifecycle, LifecycleReport, outcome::describe};
use crate::salesforce::{SfError, SfObject};
use crate::store::{ChangeResend, ClaimedChange, StoreError};

impl Lifecycle {
    /// Readies a claim's changes for their updates. A change whose order waits to be written
    /// again waits for that. An order not recorded as sent now (its answer lost, then the store
    /// moved it on; or parked after a send) has its records, found by External ID, adopted; none
    /// found means nothing reached Salesforce, or, for one sent before, that its records were
    /// deleted: it is written again. Such a change waits while a push still holds its order.
    pub(super) async fn settle(
        &self,
        token: &str,
        changes: Vec<ClaimedChange>,
        report: &mut LifecycleReport,
    ) -> Result<Vec<ClaimedChange>, StoreError> {
        let mut ready = Vec::with_capacity(changes.len());
        let mut unsettled = Vec::new();
        for c in changes {
            if c.resending {
                let why = "the order is being written to Salesforce again; the change waits for it";
                self.wait(token, &c, why, report).await?;
            } else if c.unsettled {
                unsettled.push(c);
            } else {
                ready.push(c);
            }
        }
        if unsettled.is_empty() {
            return Ok(ready);
        }
        let wanted: Vec<(SfObject, i64)> = unsettled.iter().flat_map(keys).collect();
        let found = match self.salesforce.ids_by_key(&wanted).await {
            Ok(found) => found,
            Err(e) => {
                for c in &unsettled {
                    self.failed(token, c, &e, report).await?;
                }
                return Ok(ready);
            }
        };
        for mut c in unsettled {
            let first = |object, key| found.ids(object, key).first().cloned();
            let opportunity = first(SfObject::Opportunity, c.opportunity_key);
            if opportunity.is_none() && c.sent_before {
                let status = c.status.map_or("its status now", |s| s.label());
                let why = format!(
                    "its Opportunity is gone from Salesforce (none carries its External ID): the \
                     order is written there again as it is now ({status})"
                );
                self.resend(token, &c, &why, report).await?;
                continue;
            }
            let order = opportunity
                .as_ref()
                .and_then(|_| first(SfObject::Order, c.order_id.0));
            let (o, s) = (opportunity.clone(), order.clone());
            if !self.store.settle_unsent(c.order_id, o, s).await? {
                self.wait(token, &c, "a worker is still sending this order", report)
                    .await?;
                continue;
            }
            (c.opportunity, c.order, c.shown) = (opportunity, order, None);
            ready.push(c);
        }
        Ok(ready)
    }

    /// Updates refused because a record is not at its stored id, each with its refusal. Found
    /// under new ids: adopted, and the update sent again at once. Gone (deleted): the order is
    /// queued to be written again as it is now, which shows its status, so the change is done.
    /// Every record where its stored id says: the refusal was about something else, and parks.
    pub(super) async fn heal(
        &self,
        token: &str,
        refused: Vec<(&ClaimedChange, SfError)>,
        report: &mut LifecycleReport,
    ) -> Result<(), StoreError> {
        if refused.is_empty() {
            return Ok(());
        }
        let wanted: Vec<(SfObject, i64)> = refused.iter().flat_map(|(c, _)| keys(c)).collect();
        let found = match self.salesforce.ids_by_key(&wanted).await {
            Ok(found) => found,
            Err(e) => {
                for (c, _) in &refused {
                    self.failed(token, c, &e, report).await?;
                }
                return Ok(());
            }
        };
        let mut moved = Vec::new();
        for (c, e) in refused {
            match verdict(c, &found) {
                Verdict::InPlace => self.failed(token, c, &e, report).await?,
                Verdict::Ambiguous(why) => {
                    let e = SfError::rejected(e.code.as_deref(), why);
                    self.failed(token, c, &e, report).await?;
                }
                Verdict::Gone(why) => self.resend(token, c, &why, report).await?,
                Verdict::Moved(ids, said) => {
                    if !self
                        .store
                        .adopt_ids(c.order_id, &ids, &self.actor, &said)
                        .await?
                    {
                        let why =
                            "a worker holds this order; its records' new ids are adopted next time";
                        self.wait(token, c, why, report).await?;
                        continue;
                    }
                    tracing::info!(order_id = c.order_id.0, "{said}");
                    report.adopted.push(c.order_id);
                    let mut c = c.clone();
                    c.opportunity = ids.opportunity.or(c.opportunity);
                    c.order = ids.order.or(c.order);
                    moved.push(c);
                }
            }
        }
        self.update_moved(token, moved, report).await
    }

    /// The updates of changes whose records' new ids were just adopted, sent again at once.
    async fn update_moved(
        &self,
        token: &str,
        moved: Vec<ClaimedChange>,
        report: &mut LifecycleReport,
    ) -> Result<(), StoreError> {
        let updates: Vec<_> = moved.iter().filter_map(|c| self.update_for(c)).collect();
        if updates.is_empty() {
            return Ok(());
        }
        for (c, u, result) in self.show(&moved, &updates).await {
            match result {
                Ok(()) => self.shown(token, c, &describe(u), report).await?,
                // Moved again in the meantime: the next attempt looks them up again.
                Err(e) if e.names_missing_record() => {
                    let why = format!("its records moved again while being updated: {e}");
                    self.wait(token, c, &why, report).await?;
                }
                Err(e) => self.failed(token, c, &e, report).await?,
            }
        }
        Ok(())
    }

    /// Hands the order to the re-send queue (saying `why` in its log) and ends the change.
    async fn resend(
        &self,
        token: &str,
        c: &ClaimedChange,
        why: &str,
        report: &mut LifecycleReport,
    ) -> Result<(), StoreError> {
        let order_id = c.order_id;
        match self
            .store
            .resend_for_change(token, order_id, c.status, &self.actor, why)
            .await?
        {
            ChangeResend::Queued => {
                tracing::warn!(order_id = order_id.0, "{why}");
                metrics::counter!("order_sync_status_changes_total", "outcome" => "resend")
                    .increment(1);
                report.resent.push(order_id);
            }
            ChangeResend::OrderBusy => {
                let why = "a worker holds this order; it is queued to be written again next time";
                self.wait(token, c, why, report).await?;
            }
            ChangeResend::LeaseLost => {}
        }
        Ok(())
    }
}
