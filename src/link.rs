//! `order-sync link`: adopt Salesforce records a rep entered by hand, instead of creating duplicates.
//!
//! Everything that can be checked is checked before anything changes: the order must be waiting
//! in Order Placed and valid, each record must exist, be of the right object and belong to no
//! other order. Only then is the order claimed, the records tagged and the order moved on; if
//! tagging fails, the claim is given back and the order is left exactly as it was found.

use crate::app::{Access, build_worker, open_store};
use crate::config::Settings;
use crate::domain::{Order, OrderStatus, SalesforceIds, SyncState};
use crate::salesforce::{Owner, Salesforce, SfObject};
use crate::store::{Sent, Store, WriteBack};

/// The records a rep entered by hand for one order.
#[derive(Debug, Clone, Default)]
pub struct HandEntered {
    pub opportunity: String,
    pub quote: Option<String>,
    pub sf_order: Option<String>,
}

impl HandEntered {
    /// (object, id, the key its External ID must carry) for each record given.
    fn records<'a>(&'a self, order: &Order) -> Vec<(SfObject, &'a str, i64)> {
        let mut r = vec![(
            SfObject::Opportunity,
            self.opportunity.as_str(),
            order.opportunity_key.0,
        )];
        r.extend(
            self.quote
                .as_deref()
                .map(|q| (SfObject::Quote, q, order.opportunity_key.0)),
        );
        r.extend(
            self.sf_order
                .as_deref()
                .map(|o| (SfObject::Order, o, order.id.0)),
        );
        r
    }

    /// The records' ids, each in the slot the model keeps its object's id in.
    fn ids(&self, order: &Order) -> SalesforceIds {
        let mut ids = SalesforceIds::default();
        for (object, record, _) in self.records(order) {
            if let Some(slot) = object.model().id_slot {
                *slot.of(&mut ids) = Some(record.to_string());
            }
        }
        ids
    }
}

pub async fn run(settings: Settings, order: &str, records: HandEntered) -> anyhow::Result<i32> {
    let store = open_store(&settings, Access::Existing).await?;
    let worker = build_worker(&settings, store.clone()).await?;
    let actor = format!(
        "link by {}",
        std::env::var("USER").unwrap_or_else(|_| "a rep".into())
    );
    let moved = link(
        &store,
        &worker.salesforce,
        &settings,
        order,
        &records,
        &actor,
    )
    .await?;
    println!(
        "order {order} linked to Opportunity {} and moved to {moved}",
        records.opportunity
    );
    Ok(0)
}

/// Links `records` to the order `key` names and moves it on; the status it moved to.
pub async fn link(
    store: &Store,
    sf: &Salesforce,
    settings: &Settings,
    key: &str,
    records: &HandEntered,
    actor: &str,
) -> anyhow::Result<OrderStatus> {
    let id = store
        .find_order(key)
        .await
        .map_err(anyhow::Error::msg)?
        .ok_or_else(|| anyhow::anyhow!("no order {key:?}"))?;
    let raw = store
        .load_order(id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("order {key} vanished"))?;
    if raw.status != Ok(OrderStatus::OrderPlaced) {
        anyhow::bail!(
            "order {key} is not waiting in Order Placed; see `order-sync orders show {key}`"
        );
    }
    let order = raw
        .validate()
        .map_err(|r| anyhow::anyhow!("order {key} cannot be routed: {r}"))?;
    for (object, record, expected) in records.records(&order) {
        if let Owner::Other(other) = sf.link_owner(object, record, expected).await? {
            anyhow::bail!(
                "{} {record} already belongs to store order {}; it is not re-keyed",
                object.name(),
                describe(store, &other).await
            );
        }
    }
    let was = store
        .order_detail(id)
        .await?
        .and_then(|d| d.sync_state)
        .as_deref()
        .map(sync_state);
    let lease_ms = i64::try_from(settings.sync.lease_duration.as_millis()).unwrap_or(120_000);
    let Some(claim) = store.claim_order(actor, id, lease_ms).await? else {
        anyhow::bail!("order {key} is being sent by a worker right now; try again in a minute");
    };
    let attempt = claim.orders.first().map_or(1, |c| c.attempt);
    for (object, record, expected) in records.records(&order) {
        if let Err(e) = sf.adopt(object, record, expected).await {
            store.release_claim(&claim.token, id, was).await?;
            let name = object.name();
            anyhow::bail!("order {key} was left as it was: tagging {name} {record} failed: {e}");
        }
    }
    let sent = Sent {
        order_id: order.id,
        attempt,
        route: order.route(),
        ids: records.ids(&order),
        actor: actor.to_string(),
    };
    match store.record_sent(&claim.token, &sent).await? {
        WriteBack::Committed => Ok(sent.route.status()),
        other => anyhow::bail!(
            "order {key} could not be moved ({other:?}); see `order-sync orders show {key}`"
        ),
    }
}

/// An order id found in an External ID, as a rep knows it: its number.
async fn describe(store: &Store, key: &str) -> String {
    let number = match key.parse::<i64>() {
        Ok(id) => store
            .order_detail(id)
            .await
            .ok()
            .flatten()
            .map(|d| d.order_number),
        Err(_) => None,
    };
    match number {
        Some(n) => format!("{n} (id {key})"),
        None => format!("id {key}"),
    }
}

fn sync_state(text: &str) -> SyncState {
    match text {
        "parked" => SyncState::Parked,
        "done" => SyncState::Done,
        "resend" => SyncState::Resend,
        _ => SyncState::Pending,
    }
}
