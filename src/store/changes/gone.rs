//! A change whose records Salesforce no longer has (deleted there): the order is queued to be
//! written again as it is now, and the change is done, since the re-send shows the store's
//! status. One transaction, fenced by the change's lease.

use super::super::resend::states;
use super::super::{Result, Store};
use crate::domain::{OrderId, OrderStatus};

/// What became of a change handed to the re-send queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeResend {
    /// The order waits in the re-send queue; the change is done.
    Queued,
    /// A worker holds the order right now (or it is not one order-sync sent): nothing written,
    /// the change is still claimed.
    OrderBusy,
    /// Another worker holds the change now: nothing written.
    LeaseLost,
}

impl Store {
    /// Queues `id` to be written to Salesforce again as it is now (`shown`, its store status),
    /// saying `why` in its attempt log, and ends the change claimed under `token`.
    pub async fn resend_for_change(
        &self,
        token: &str,
        id: OrderId,
        shown: Option<OrderStatus>,
        actor: &str,
        why: &str,
    ) -> Result<ChangeResend> {
        let (changes, resend) = (&self.sql.changes.outcome, &self.sql.resend);
        let a = states()
            .set("id", id.0)
            .set("token", token)
            .set("worker", actor)
            .set("outcome", "resend_queued")
            .set("message", why);
        let mut tx = self.db.begin().await?;
        if tx.execute(&changes.release, &a).await? != 1 {
            return Ok(ChangeResend::LeaseLost);
        }
        // Dropping the transaction rolls the release back: the change stays claimed.
        if tx.execute(&resend.queue_sent, &a).await? != 1 {
            return Ok(ChangeResend::OrderBusy);
        }
        // What the re-send will show: a refused one is then not taken for a change to send.
        tx.execute(
            &changes.asked,
            &a.clone().set("shown", shown.map(|s| s.label())),
        )
        .await?;
        tx.execute(&resend.log, &a).await?;
        tx.execute(&changes.done, &a).await?;
        tx.commit().await?;
        Ok(ChangeResend::Queued)
    }
}
