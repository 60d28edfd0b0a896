//! Reading both sides: sent orders from the store a page at a time, what Salesforce holds of
//! each page in a few bulk queries, and the records in Salesforce naming orders the store lacks.

use std::collections::{BTreeMap, HashSet};

use super::{Drift, Findings, Group, Kind, Mend, Scope, compare};
use crate::domain::{Order, OrderId, Route};
use crate::salesforce::{Salesforce, SfError};
use crate::store::{Store, StoreError, StoredSync};

/// Sent orders read and compared at once: 20 queries' worth of keys, four calls.
const PAGE: i64 = 3_000;

/// Why a reconcile could not finish.
#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    #[error("the store: {0}")]
    Store(#[from] StoreError),
    #[error("Salesforce: {0}")]
    Salesforce(#[from] SfError),
}

/// Compares every sent order in `scope` with Salesforce. Reads only; changes nothing.
pub async fn survey(store: &Store, sf: &Salesforce, scope: Scope) -> Result<Findings, SurveyError> {
    let now = chrono::Utc::now();
    let calls_before = sf.calls();
    let mut findings = Findings {
        scope: Some(scope),
        ..Findings::default()
    };
    let placed_since = match scope {
        Scope::PlacedSince(day) => Some(day.and_time(chrono::NaiveTime::MIN).and_utc()),
        _ => None,
    };
    let (mut after, mut first) = (0, true);
    let mut in_scope: HashSet<String> = HashSet::new();
    let mut in_org: Vec<String> = Vec::new();
    loop {
        let reading = std::time::Instant::now();
        let page = store
            .sent_orders_page(after, scope.changed_since_ms(now), PAGE)
            .await?;
        findings.store_seconds += reading.elapsed().as_secs_f64();
        let full = page.len() as i64 == PAGE;
        after = page.last().map_or(after, |(o, _)| o.id);
        let orders: Vec<(Order, StoredSync)> = page
            .into_iter()
            .filter_map(|(raw, stored)| raw.validate().ok().map(|o| (o, stored)))
            .filter(|(o, _)| placed_since.is_none_or(|t| o.placed_at >= t))
            .collect();
        let scan = first.then(|| scope.created_since(now));
        page_drifts(sf, &orders, scan, &mut findings, &mut in_org).await?;
        in_scope.extend(
            orders
                .iter()
                .flat_map(|(o, _)| [o.id.to_string(), o.opportunity_key.to_string()]),
        );
        first = false;
        if !full {
            break;
        }
    }
    orphans(store, &in_scope, in_org, &mut findings).await?;
    findings.calls = sf.calls() - calls_before;
    Ok(findings)
}

/// Compares one page of orders, grouped by Opportunity; on the first page also collects the
/// keys order-sync's records in the org carry.
async fn page_drifts(
    sf: &Salesforce,
    orders: &[(Order, StoredSync)],
    scan: Option<Option<chrono::DateTime<chrono::Utc>>>,
    findings: &mut Findings,
    in_org: &mut Vec<String>,
) -> Result<(), SfError> {
    let mut groups: BTreeMap<OrderId, Group> = BTreeMap::new();
    for pair in orders {
        let group = groups
            .entry(pair.0.opportunity_key)
            .or_insert_with(|| Group { orders: Vec::new() });
        group.orders.push(pair);
    }
    let opp_keys: Vec<String> = groups.keys().map(ToString::to_string).collect();
    let order_keys: Vec<String> = orders
        .iter()
        .filter(|(o, _)| o.route().creates_salesforce_order())
        .map(|(o, _)| o.id.to_string())
        .collect();
    if opp_keys.is_empty() && scan.is_none() {
        return Ok(());
    }
    let asking = std::time::Instant::now();
    let held = sf.survey(&opp_keys, &order_keys, scan).await?;
    findings.salesforce_seconds += asking.elapsed().as_secs_f64();
    if let Some((opps, orders)) = &held.keys_in_org {
        in_org.extend(opps.iter().chain(orders).cloned());
    }
    let stages = |r: Route| sf.route_stage(r);
    let shown_for = |s| sf.shown_for(s);
    for group in groups.values() {
        findings
            .drifts
            .extend(compare(group, &held, &stages, &shown_for));
    }
    for (o, stored) in orders {
        findings.checked += 1;
        findings.numbers.insert(o.id, o.number.clone());
        if stored.shown != Some(o.status) {
            findings.in_flight += 1;
        }
    }
    Ok(())
}

/// Salesforce records carrying a store order id the store does not have.
async fn orphans(
    store: &Store,
    in_scope: &HashSet<String>,
    in_org: Vec<String>,
    findings: &mut Findings,
) -> Result<(), StoreError> {
    let mut candidates: Vec<i64> = in_org
        .iter()
        .filter(|k| !in_scope.contains(*k))
        .filter_map(|k| k.trim().parse().ok())
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    let known = store.known_orders(&candidates).await?;
    for id in candidates.into_iter().filter(|id| !known.contains(id)) {
        findings.drifts.push(Drift::new(
            OrderId(id),
            Kind::Orphan,
            format!(
                "Salesforce has records carrying store order id {id}, which the store does not have"
            ),
            Mend::Human(
                "delete them in Salesforce if they are test data or left over from another store"
                    .into(),
            ),
        ));
    }
    Ok(())
}
