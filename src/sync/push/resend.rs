//! The re-send pass: claims queued re-sends (`resend`, `backfill`, `reconcile --fix`, records
//! found gone), writes each order to Salesforce as it is now by the same upserts as the push,
//! and records the outcome; the store's status is never moved.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::writeback::Fence;
use super::{PassReport, Worker};
use crate::domain::{Order, OrderId};
use crate::store::{Claim, Sent, StoreError, WriteBack};
use crate::sync::Fatal;

impl Worker {
    /// One pass over the re-send queue: claim a batch, write it, record each outcome.
    pub async fn resend_pass(&self) -> Result<PassReport, Fatal> {
        self.pass(super::Queue::Resend).await
    }

    /// Runs re-send passes until none is due now, with as many pass loops side by side as the
    /// push uses (a backfill goes at the push's pace); `progress` hears (sent, refused) so far.
    pub async fn resend_until_idle(
        &self,
        progress: impl Fn(usize, usize) + Sync,
    ) -> Result<PassReport, Fatal> {
        let (sent, refused) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let heard = |r: &PassReport| {
            let s = sent.fetch_add(r.sent.len(), Ordering::Relaxed) + r.sent.len();
            let p = refused.fetch_add(r.parked.len(), Ordering::Relaxed) + r.parked.len();
            progress(s, p);
        };
        let loops = (0..self.concurrency.max(1)).map(|_| self.resend_loop(&heard));
        let mut total = PassReport::default();
        for report in futures_util::future::join_all(loops).await {
            total.absorb(report?);
        }
        Ok(total)
    }

    async fn resend_loop(
        &self,
        heard: &(impl Fn(&PassReport) + Sync),
    ) -> Result<PassReport, Fatal> {
        let mut total = PassReport::default();
        loop {
            let report = self.resend_pass().await?;
            let (claimed, paused, trouble) = (report.claimed, report.paused, report.store_errors);
            heard(&report);
            total.absorb(report);
            if claimed == 0 || paused || trouble > 0 {
                return Ok(total);
            }
        }
    }

    pub(super) async fn claim_resends(&self) -> Result<Option<Claim>, Fatal> {
        let lease_ms = i64::try_from(self.lease.as_millis()).unwrap_or(i64::MAX);
        match self
            .store
            .claim_resends(&self.worker_id, self.batch_size, lease_ms)
            .await
        {
            Ok(c) => Ok(Some(c)),
            Err(StoreError::Fatal(m)) => Err(Fatal(m)),
            Err(e) => {
                self.outage.failed("claiming orders to send again", &e);
                Ok(None)
            }
        }
    }

    pub(super) async fn send_again(
        &self,
        orders: Vec<(Order, i64)>,
        fence: &Fence<'_>,
        report: &mut PassReport,
    ) -> Result<(), Fatal> {
        let to_send: Vec<Order> = orders.iter().map(|(o, _)| o.clone()).collect();
        // Claimed before (sent once, or tried): Salesforce may hold its records already.
        let resent: std::collections::HashSet<OrderId> = orders
            .iter()
            .filter(|(_, attempt)| *attempt > 1)
            .map(|(o, _)| o.id)
            .collect();
        let results = self.salesforce.resend(&to_send, &resent).await;
        let mut fatal = None;
        for ((order, attempt), (_, result)) in orders
            .iter()
            .zip(super::results_in_order(&to_send, results))
        {
            match result {
                Ok(ids) => {
                    let sent = Sent {
                        order_id: order.id,
                        attempt: *attempt,
                        route: order.route(),
                        ids,
                        actor: self.worker_id.clone(),
                    };
                    self.write_resent(fence, &sent, order, report).await?;
                }
                Err(e) => {
                    let e = crate::salesforce::SfError {
                        message: format!("writing it again as it is now: {}", e.message),
                        ..e
                    };
                    self.write_error(fence, (order.id, *attempt), &e, &mut fatal, report)
                        .await?
                }
            }
        }
        fatal.map_or(Ok(()), |m| Err(Fatal(m)))
    }

    async fn write_resent(
        &self,
        fence: &Fence<'_>,
        sent: &Sent,
        order: &Order,
        report: &mut PassReport,
    ) -> Result<(), Fatal> {
        let message = format!(
            "written to Salesforce again as it is now ({}), Opportunity {}",
            order.status,
            sent.ids.opportunity.as_deref().unwrap_or("?")
        );
        let write = || {
            self.store
                .record_resent(fence.token, sent.attempt, sent, order.status, &message)
        };
        match self.write_back(fence, sent.order_id, write).await? {
            super::writeback::Written::Done(WriteBack::Committed) => {
                metrics::counter!("order_sync_orders_resent_total").increment(1);
                tracing::info!(order_id = sent.order_id.0, "{message}");
                report.sent.push((sent.order_id, sent.route));
            }
            super::writeback::Written::Done(_) => report.lease_lost += 1,
            super::writeback::Written::Refused(why) => {
                tracing::error!(
                    order_id = sent.order_id.0,
                    "the store refused recording the re-send: {why}"
                );
                report.store_errors += 1;
            }
            super::writeback::Written::GaveUp => report.store_errors += 1,
        }
        Ok(())
    }
}
