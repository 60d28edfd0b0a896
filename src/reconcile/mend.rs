//! `--fix`: each disagreeing order is queued to be sent again as it is now, or has the ids
//! Salesforce uses now adopted; then the re-send queue is drained by the same path as `resend`.
//! Duplicates, orphans and locked Orders are left to a person, as the report says.

use std::collections::BTreeMap;

use super::{Findings, Mend};
use crate::domain::{OrderId, SalesforceIds};
use crate::store::{Store, StoreError};

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct Mended {
    /// Orders queued to be sent again.
    pub queued: Vec<OrderId>,
    /// Orders whose stored ids were replaced.
    pub adopted: Vec<OrderId>,
    /// Orders a worker held, or no longer sent: left for the next run.
    pub skipped: Vec<OrderId>,
}

/// Queues the re-sends and adopts the ids `findings` call for. Nothing is sent here: the caller
/// drains the queue.
pub async fn mend(store: &Store, findings: &Findings, actor: &str) -> Result<Mended, StoreError> {
    let mut per_order: BTreeMap<OrderId, (Vec<&str>, bool, SalesforceIds)> = BTreeMap::new();
    for d in &findings.drifts {
        let entry = per_order.entry(d.order_id).or_default();
        match &d.mend {
            Mend::Resend => {
                entry.0.push(&d.what);
                entry.1 = true;
            }
            Mend::AdoptIds(ids) => {
                entry.0.push(&d.what);
                merge(&mut entry.2, ids);
            }
            Mend::Human(_) => {}
        }
    }
    let mut mended = Mended::default();
    for (id, (whats, resend, ids)) in per_order {
        if whats.is_empty() {
            continue;
        }
        let why = format!("reconcile: {}", whats.join("; "));
        let done = if resend {
            store.queue_resend(id, actor, &why).await?
        } else {
            store.adopt_ids(id, &ids, actor, &why).await?
        };
        match (done, resend) {
            (true, true) => mended.queued.push(id),
            (true, false) => mended.adopted.push(id),
            (false, _) => mended.skipped.push(id),
        }
    }
    Ok(mended)
}

fn merge(into: &mut SalesforceIds, from: &SalesforceIds) {
    let pick = |a: &mut Option<String>, b: &Option<String>| {
        if b.is_some() {
            a.clone_from(b);
        }
    };
    pick(&mut into.account, &from.account);
    pick(&mut into.contact, &from.contact);
    pick(&mut into.opportunity, &from.opportunity);
    pick(&mut into.quote, &from.quote);
    pick(&mut into.order, &from.order);
}
