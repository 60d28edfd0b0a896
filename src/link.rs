//! `order-sync link`: adopt Salesforce records a rep entered by hand, instead of creating duplicates.

use crate::app::{Access, build_worker, open_store};
use crate::config::Settings;
use crate::domain::{OrderStatus, SalesforceIds};
use crate::salesforce::Salesforce;
use crate::store::{Sent, Store, WriteBack};

/// The records a rep entered by hand for one order.
#[derive(Debug, Clone, Copy)]
pub struct HandEntered<'a> {
    pub opportunity: &'a str,
    pub quote: Option<&'a str>,
    pub sf_order: Option<&'a str>,
}

/// `order-sync link`: connects, links, and says where the order went.
pub async fn run(
    settings: Settings,
    order: &str,
    opportunity: &str,
    quote: Option<&str>,
    sf_order: Option<&str>,
) -> anyhow::Result<i32> {
    let store = open_store(&settings, Access::Existing).await?;
    let worker = build_worker(&settings, store.clone()).await?;
    let actor = format!(
        "link by {}",
        std::env::var("USER").unwrap_or_else(|_| "a rep".into())
    );
    let records = HandEntered {
        opportunity,
        quote,
        sf_order,
    };
    let moved_to = link(&settings, &store, &worker.salesforce, actor, order, records).await?;
    println!("order {order} linked to Opportunity {opportunity} and moved to {moved_to}");
    Ok(0)
}

/// Verifies the ids, tags them with the order's External ID, and moves the order on to its route.
/// The CLI and the console both link through here; `actor` names who did it in the history.
pub async fn link(
    settings: &Settings,
    store: &Store,
    sf: &Salesforce,
    actor: String,
    order: &str,
    records: HandEntered<'_>,
) -> anyhow::Result<OrderStatus> {
    let HandEntered {
        opportunity,
        quote,
        sf_order,
    } = records;
    let id = store
        .find_order(order)
        .await
        .map_err(anyhow::Error::msg)?
        .ok_or_else(|| anyhow::anyhow!("no order {order:?}"))?;
    let lease_ms = i64::try_from(settings.sync.lease_duration.as_millis()).unwrap_or(120_000);
    let Some(claim) = store.claim_order(&actor, id, lease_ms).await? else {
        anyhow::bail!(
            "order {order} is not waiting in Order Placed (or a worker is sending it right now); see `order-sync orders show {order}`"
        );
    };
    let claimed = claim
        .orders
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("order {order} vanished"))?;
    let validated = claimed
        .raw
        .validate()
        .map_err(|r| anyhow::anyhow!("order {order} cannot be routed: {r}"))?;
    let f = &settings.salesforce.fields;
    sf.adopt(
        "Opportunity",
        opportunity,
        &f.order_external_id,
        validated.opportunity_key.0,
    )
    .await?;
    if let Some(q) = quote {
        sf.adopt(
            "Quote",
            q,
            &f.order_external_id,
            validated.opportunity_key.0,
        )
        .await?;
    }
    if let Some(o) = sf_order {
        sf.adopt("Order", o, &f.order_external_id, validated.id.0)
            .await?;
    }
    let sent = Sent {
        order_id: validated.id,
        attempt: claimed.attempt,
        route: validated.route(),
        ids: SalesforceIds {
            opportunity: Some(opportunity.into()),
            quote: quote.map(Into::into),
            order: sf_order.map(Into::into),
            ..Default::default()
        },
        actor,
    };
    match store.record_sent(&claim.token, &sent).await? {
        WriteBack::Committed => Ok(sent.route.status()),
        other => anyhow::bail!(
            "order {order} could not be moved ({other:?}); see `order-sync orders show {order}`"
        ),
    }
}
