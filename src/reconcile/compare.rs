//! One Opportunity's orders against what Salesforce holds of them: every disagreement in plain
//! words, each with what `--fix` does about it. Pure: no I/O, so every case is a unit test.

use rust_decimal::Decimal;

use super::lines::lines;
use super::{Drift, Kind, Mend};
use crate::domain::{Order, OrderStatus, Route, SalesforceIds};
use crate::salesforce::{Held, HeldOpportunity, HeldOrder, IdSlot, Shown};
use crate::store::StoredSync;

/// The orders sharing one Opportunity (a reissue chain, or one order), with what order-sync
/// stored of each; `shown_for` says what Salesforce should show for a store status.
pub struct Group<'a> {
    pub orders: Vec<&'a (Order, StoredSync)>,
}

/// Money as Salesforce keeps it: two decimals.
pub(super) fn cents(d: Decimal) -> Decimal {
    let mut d = d.round_dp(2);
    d.rescale(2);
    d
}

pub(super) fn differs(held: Option<Decimal>, want: Decimal) -> bool {
    held.map(cents) != Some(cents(want))
}

/// What Salesforce should show for the order now, once order-sync has brought it in line
/// (None while a status change is still on its way, or the status sets nothing).
fn settled(
    order: &Order,
    stored: &StoredSync,
    shown_for: &dyn Fn(OrderStatus) -> Shown,
) -> Option<Shown> {
    (stored.shown == Some(order.status)).then(|| shown_for(order.status))
}

pub fn compare(
    group: &Group,
    held: &Held,
    stages: &dyn Fn(Route) -> String,
    shown_for: &dyn Fn(OrderStatus) -> Shown,
) -> Vec<Drift> {
    let mut drifts = Vec::new();
    let Some((lead, stored)) = group
        .orders
        .iter()
        .map(|p| (&p.0, &p.1))
        .max_by_key(|(o, _)| o.id)
    else {
        return drifts;
    };
    let key = lead.opportunity_key.to_string();
    let found = held.opportunities.get(&key).map_or(&[][..], Vec::as_slice);
    let Some(opp) = pick(found, stored.ids.opportunity.as_deref(), |o| &o.id) else {
        drifts.push(Drift::new(
            lead.id,
            Kind::Missing,
            "the Opportunity is missing in Salesforce (deleted or merged away)",
            Mend::Resend,
        ));
        return drifts;
    };
    if found.len() > 1 {
        let ids: Vec<&str> = found.iter().map(|o| o.id.as_str()).collect();
        drifts.push(Drift::new(
            lead.id,
            Kind::Duplicate,
            format!(
                "{} Opportunities carry store order id {key}: {}",
                found.len(),
                ids.join(", ")
            ),
            Mend::Human(format!(
                "merge or delete the extra ones in Salesforce; order-sync keeps {}",
                opp.id
            )),
        ));
    }
    if stored.ids.opportunity.as_deref() != Some(opp.id.as_str()) {
        drifts.push(stale(
            lead,
            IdSlot::Opportunity,
            "Opportunity",
            stored.ids.opportunity.as_deref(),
            &opp.id,
        ));
    }
    // A merge moves the Opportunity to the surviving Account.
    if let (Some(kept), Some(now)) = (stored.ids.account.as_deref(), opp.account.as_deref())
        && kept != now
    {
        drifts.push(stale(lead, IdSlot::Account, "Account", Some(kept), now));
    }
    // An evaluation is priced on its quote by the technicians, not from the store's lines.
    let priced_by_store = lead.route() != Route::AwaitingEvaluation;
    if priced_by_store && differs(opp.amount, lead.amount()) {
        drifts.push(Drift::new(
            lead.id,
            Kind::Amount,
            format!(
                "the Opportunity Amount is {} in Salesforce, {} in the store",
                opp.amount.map_or("empty".into(), |a| cents(a).to_string()),
                cents(lead.amount())
            ),
            Mend::Resend,
        ));
    }
    if let Some(shown) = settled(lead, stored, shown_for) {
        let want = shown
            .stage
            .or_else(|| (lead.route().status() == lead.status).then(|| stages(lead.route())));
        if let Some(want) = want.filter(|w| opp.stage.as_deref() != Some(w.as_str())) {
            drifts.push(Drift::new(
                lead.id,
                Kind::Status,
                format!(
                    "the Opportunity stage is {:?}; the store's {} shows as {want:?}",
                    opp.stage.as_deref().unwrap_or(""),
                    lead.status
                ),
                Mend::Resend,
            ));
        }
    }
    quote(&mut drifts, group, lead, stored, opp, priced_by_store);
    for (order, stored) in group.orders.iter().map(|p| (&p.0, &p.1)) {
        if order.route().creates_salesforce_order() {
            let found = held
                .orders
                .get(&order.id.to_string())
                .map_or(&[][..], Vec::as_slice);
            sf_order(&mut drifts, order, stored, (found, &opp.id), shown_for);
        }
    }
    drifts
}

/// The record order-sync's stored id names, else the first found.
fn pick<'a, T>(found: &'a [T], stored: Option<&str>, id: impl Fn(&T) -> &String) -> Option<&'a T> {
    found
        .iter()
        .find(|r| Some(id(r).as_str()) == stored)
        .or_else(|| found.first())
}

fn stale(order: &Order, slot: IdSlot, object: &str, stored: Option<&str>, found: &str) -> Drift {
    let mut ids = SalesforceIds::default();
    *slot.of(&mut ids) = Some(found.to_string());
    Drift::new(
        order.id,
        Kind::StaleId,
        format!(
            "order-sync keeps {object} {} but Salesforce holds it as {found} (a sandbox refresh or a merge)",
            stored.unwrap_or("(none)")
        ),
        Mend::AdoptIds(ids),
    )
}

fn quote(
    drifts: &mut Vec<Drift>,
    group: &Group,
    lead: &Order,
    stored: &StoredSync,
    opp: &HeldOpportunity,
    priced_by_store: bool,
) {
    let key = lead.opportunity_key.to_string();
    let Some(q) = opp
        .quotes
        .iter()
        .find(|q| q.key.as_deref() == Some(key.as_str()))
    else {
        drifts.push(Drift::new(
            lead.id,
            Kind::Missing,
            "the Quote is missing in Salesforce",
            Mend::Resend,
        ));
        return;
    };
    if stored.ids.quote.is_some() && stored.ids.quote.as_deref() != Some(q.id.as_str()) {
        drifts.push(stale(
            lead,
            IdSlot::Quote,
            "Quote",
            stored.ids.quote.as_deref(),
            &q.id,
        ));
    }
    // The quote's lines are the first order's; a reissue keeps them as the technicians priced them.
    let first = group
        .orders
        .iter()
        .map(|p| &p.0)
        .find(|o| o.reissue_of.is_none());
    if let (Some(first), true) = (first, priced_by_store && group.orders.len() == 1) {
        lines(drifts, first, "quote", &q.lines, Mend::Resend);
    }
}

fn sf_order(
    drifts: &mut Vec<Drift>,
    order: &Order,
    stored: &StoredSync,
    (found, opp_id): (&[HeldOrder], &str),
    shown_for: &dyn Fn(OrderStatus) -> Shown,
) {
    let Some(held) = pick(found, stored.ids.order.as_deref(), |o| &o.id) else {
        drifts.push(Drift::new(
            order.id,
            Kind::Missing,
            "the Order is missing in Salesforce",
            Mend::Resend,
        ));
        return;
    };
    if found.len() > 1 {
        let ids: Vec<&str> = found.iter().map(|o| o.id.as_str()).collect();
        drifts.push(Drift::new(
            order.id,
            Kind::Duplicate,
            format!(
                "{} Orders carry store order id {}: {}",
                found.len(),
                order.id,
                ids.join(", ")
            ),
            Mend::Human(format!(
                "delete the extra ones in Salesforce; order-sync keeps {}",
                held.id
            )),
        ));
    }
    if stored.ids.order.as_deref() != Some(held.id.as_str()) {
        drifts.push(stale(
            order,
            IdSlot::Order,
            "Order",
            stored.ids.order.as_deref(),
            &held.id,
        ));
    }
    let locked = held.status_code.as_deref().is_some_and(|c| c != "Draft");
    let mend = if locked {
        Mend::Human(format!(
            "Order {} is activated, so Salesforce does not let its products change: set its \
             status back to Draft in Salesforce, then run `reconcile --fix` again",
            held.id
        ))
    } else {
        Mend::Resend
    };
    if held.opportunity.as_deref() != Some(opp_id) {
        let what = format!("the Order is not under the order's Opportunity {opp_id}");
        let mend = match &mend {
            Mend::Human(_) => Mend::Human(format!(
                "Order {} is activated: set its Opportunity to {opp_id} in Salesforce",
                held.id
            )),
            other => other.clone(),
        };
        drifts.push(Drift::new(order.id, Kind::Missing, what, mend));
    }
    lines(drifts, order, "order", &held.lines, mend);
    if let Some(want) = settled(order, stored, shown_for).and_then(|s| s.order_status)
        && held.status.as_deref() != Some(want.as_str())
    {
        drifts.push(Drift::new(
            order.id,
            Kind::Status,
            format!(
                "the Order status is {:?}; the store's {} shows as {want:?}",
                held.status.as_deref().unwrap_or(""),
                order.status
            ),
            Mend::Resend,
        ));
    }
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
