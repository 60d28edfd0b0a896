//! A rep's retry (`order-sync retry`, the console's Retry): a parked order sent before is
//! queued to be written again as it is now; another parked or backing-off order is due now; a
//! parked status change goes again.

use super::super::build::B;
use super::super::sql::{Args, Stmt, args};
use super::super::{Result, Store, now_ms};
use crate::domain::{OrderId, SyncState};

/// What a rep's retry of a parked re-send says in the order's attempt log.
const RETRIED: &str = "retried by a rep: to be written to Salesforce again as it is now";

pub(crate) struct RetrySql {
    one: Stmt,
    all: Stmt,
}

impl RetrySql {
    pub fn build(b: &B) -> RetrySql {
        let set = "SET state = :pending, next_attempt_at = 0, parked_at = NULL, updated_at = :now";
        RetrySql {
            one: b.stmt(format!(
                "UPDATE order_sync_state {set} WHERE order_id = :id AND state IN (:parked, :pending)"
            )),
            all: b.stmt(format!(
                "UPDATE order_sync_state {set} WHERE state = :parked"
            )),
        }
    }
}

fn sync_states() -> Args {
    args! {
        "pending" => SyncState::Pending.as_str(), "parked" => SyncState::Parked.as_str(),
        "now" => now_ms(),
    }
}

impl Store {
    /// A rep's retry of order `id`; false when there is nothing to retry. A parked re-send
    /// (see [`Store::parked_resends`]) goes back to the re-send queue, since a pending order is
    /// only claimed in Order Placed. `actor` is logged with it.
    pub async fn retry_order(&self, id: i64, actor: &str) -> Result<bool> {
        let queued = match self.parked_resends(Some(OrderId(id))).await?.first() {
            Some(&order) => self.queue_resend(order, actor, RETRIED).await?,
            None => {
                let a = sync_states().set("id", id);
                self.db.execute(&self.sql.admin.retry.one, &a).await? == 1
            }
        };
        Ok(self.unpark_change(id).await? || queued)
    }

    /// `retry --all-parked`: every parked order and status change, each as
    /// [`Store::retry_order`] would; how many.
    pub async fn retry_all_parked(&self, actor: &str) -> Result<u64> {
        let mut resends = 0;
        for order in self.parked_resends(None).await? {
            resends += u64::from(self.queue_resend(order, actor, RETRIED).await?);
        }
        let a = sync_states();
        let orders = self.db.execute(&self.sql.admin.retry.all, &a).await?;
        Ok(resends + orders + self.unpark_all_changes().await?)
    }
}
