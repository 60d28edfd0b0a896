//! `order-sync link`: adopt Salesforce records a rep entered by hand, instead of creating duplicates.

use crate::app::{Access, build_worker, open_store};
use crate::config::Settings;
use crate::domain::SalesforceIds;
use crate::store::{Sent, WriteBack};

/// Verifies the ids, tags them with the order's External ID, and moves the order on to its route.
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
    let sf = &worker.salesforce;
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
        WriteBack::Committed => {
            println!(
                "order {order} linked to Opportunity {opportunity} and moved to {}",
                sent.route.status()
            );
            Ok(0)
        }
        other => anyhow::bail!(
            "order {order} could not be moved ({other:?}); see `order-sync orders show {order}`"
        ),
    }
}
