//! Salesforce against the store at the end of a run: for every sent order the Opportunity's
//! stage and the Order's status are what `[salesforce.stages]` / `[salesforce.order_statuses]`
//! say for the store's final status (changed by an administrator or not); an order canceled in
//! Order Placed never arrived, or arrived whole and shows canceled.

use std::collections::{HashMap, HashSet};

use fake_salesforce::FakeSalesforce;
use order_sync::config::SalesforceSettings;
use order_sync::domain::OrderStatus;
use order_sync::salesforce::shown_for;
use serde_json::Value;

use crate::admin::AdminDriver;
use crate::facts::OrderFact;
use crate::verdict::Verdict;

const KEY: &str = "Store_Order_Id__c";

/// What the comparison found.
#[derive(Debug, Default)]
pub struct Agreement {
    /// Sent orders (and Order Placed cancels) compared.
    pub checked: u64,
    /// Orders an administrator changed whose records agree with the store.
    pub changes_verified: u64,
    pub placed_never_sent: u64,
    pub placed_sent_and_canceled: u64,
    /// One line per order whose records disagree with the store.
    pub disagreements: Vec<String>,
}

/// A field of each record of `object`, by the order id it is keyed to.
fn field_by_order(fake: &FakeSalesforce, object: &str, field: &str) -> HashMap<String, String> {
    fake.records(object)
        .into_iter()
        .filter_map(|r| {
            let key = match r.get(KEY)? {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            let value = r
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            Some((key, value))
        })
        .collect()
}

struct Records {
    stages: HashMap<String, String>,
    quotes: HashMap<String, String>,
    orders: HashMap<String, String>,
}

/// Compares every sent order's records with the store's final state.
pub fn agreement(
    settings: &SalesforceSettings,
    admin: &AdminDriver,
    facts: &[OrderFact],
    fake: &FakeSalesforce,
) -> Agreement {
    let recs = Records {
        stages: field_by_order(fake, "Opportunity", "StageName"),
        quotes: field_by_order(fake, "Quote", "Status"),
        orders: field_by_order(fake, "Order", "Status"),
    };
    // A reissued evaluation's Opportunity belongs to its reissue from then on.
    let reissued: HashSet<i64> = facts.iter().filter_map(|f| f.reissue_of).collect();
    let mut a = Agreement::default();
    for f in facts {
        let placed = admin.placed_cancels.contains(&f.id);
        let sent = f.sync_state.as_deref() == Some("done");
        if reissued.contains(&f.id) || !(sent || placed) {
            continue;
        }
        a.checked += 1;
        let problem = if placed {
            placed_cancel(settings, f, &recs, &mut a)
        } else {
            compare(settings, f, &recs)
        };
        match problem {
            Some(p) => a
                .disagreements
                .push(format!("order {} ({}): {p}", f.id, f.status)),
            None if admin.changes.contains_key(&f.id) => a.changes_verified += 1,
            None => {}
        }
    }
    a
}

/// What Salesforce shows for a sent order against what the settings say for its status: each
/// field that differs, or None.
fn compare(settings: &SalesforceSettings, f: &OrderFact, recs: &Records) -> Option<String> {
    let Ok(status) = OrderStatus::parse(&f.status) else {
        return Some("a status outside the eight".into());
    };
    let shown = shown_for(settings, status);
    let mut wrong = Vec::new();
    let stage = recs.stages.get(&f.reissue_of.unwrap_or(f.id).to_string());
    if let Some(want) = &shown.stage
        && stage != Some(want)
    {
        wrong.push(format!("Opportunity stage {stage:?}, expected {want:?}"));
    }
    if let Some(order) = recs.orders.get(&f.id.to_string()) {
        // No Order status for this store status: the Order keeps the one it was sent with.
        let want = shown
            .order_status
            .unwrap_or_else(|| settings.activated_status.clone());
        if *order != want {
            wrong.push(format!("Order status {order:?}, expected {want:?}"));
        }
    }
    (!wrong.is_empty()).then(|| wrong.join("; "))
}

/// An order canceled while still in Order Placed: no records at all, or records (it was being
/// sent) showing Canceled; and the store keeps it Canceled.
fn placed_cancel(
    settings: &SalesforceSettings,
    f: &OrderFact,
    recs: &Records,
    a: &mut Agreement,
) -> Option<String> {
    if f.status != "Canceled" {
        return Some("canceled in Order Placed, then moved on by order-sync".into());
    }
    let key = f.id.to_string();
    let found = [
        recs.stages.contains_key(&key),
        recs.quotes.contains_key(&key),
        recs.orders.contains_key(&key),
    ];
    if found == [false; 3] {
        a.placed_never_sent += 1;
        return None;
    }
    // Which records its kind has is verify's records check; here: it shows canceled.
    a.placed_sent_and_canceled += 1;
    compare(settings, f, recs).map(|p| {
        let state = f.sync_state.as_deref().unwrap_or("none");
        format!("canceled while being sent (sync state {state}); {p}")
    })
}

/// Adds the comparison's counts and failures to the verdict.
pub fn record(v: &mut Verdict, a: &Agreement, admin: &AdminDriver) {
    v.add("lifecycle_changes_made", admin.made() as u64);
    v.add("lifecycle_orders_changed", admin.changes.len() as u64);
    v.add("lifecycle_changes_verified", a.changes_verified);
    v.add("lifecycle_orders_compared", a.checked);
    v.add("placed_cancels_never_sent", a.placed_never_sent);
    v.add(
        "placed_cancels_sent_and_canceled",
        a.placed_sent_and_canceled,
    );
    v.add("lifecycle_disagreements", 0);
    if admin.made() == 0 || a.checked == 0 {
        let what = format!(
            "{} admin moves, {} sent orders compared",
            admin.made(),
            a.checked
        );
        v.fail("lifecycle_vacuous", what);
    }
    for d in &a.disagreements {
        v.fail("lifecycle_disagreements", d.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(id: i64, status: &str, reissue_of: Option<i64>) -> OrderFact {
        OrderFact {
            id,
            status: status.into(),
            reissue_of,
            sync_state: Some("done".into()),
            last_error: None,
            rescued_from: None,
            attempts: Some(1),
        }
    }

    fn records(stage: &[(i64, &str)], order: &[(i64, &str)]) -> Records {
        let map = |v: &[(i64, &str)]| {
            v.iter()
                .map(|(k, s)| (k.to_string(), s.to_string()))
                .collect()
        };
        Records {
            stages: map(stage),
            quotes: HashMap::new(),
            orders: map(order),
        }
    }

    fn settings() -> SalesforceSettings {
        let mut s = crate::db::default_settings().salesforce;
        s.order_statuses.canceled = "Cancelled".into();
        s
    }

    #[test]
    fn a_canceled_order_agrees_only_when_lost_and_its_order_cancelled() {
        let s = settings();
        let f = fact(7, "Canceled", None);
        assert_eq!(
            compare(&s, &f, &records(&[(7, "Closed Lost")], &[(7, "Cancelled")])),
            None
        );
        let wrong = compare(&s, &f, &records(&[(7, "Closed Won")], &[(7, "Activated")]));
        let wrong = wrong.expect("a disagreement");
        assert!(
            wrong.contains("stage") && wrong.contains("Order status"),
            "{wrong}"
        );
    }

    #[test]
    fn an_unconfigured_order_status_leaves_the_order_activated() {
        let s = settings();
        let f = fact(8, "Completed", None);
        assert_eq!(
            compare(&s, &f, &records(&[(8, "Closed Won")], &[(8, "Activated")])),
            None
        );
        assert!(compare(&s, &f, &records(&[(8, "Closed Won")], &[(8, "Draft")])).is_some());
    }

    #[test]
    fn a_reissue_is_judged_by_its_original_opportunity() {
        let s = settings();
        let f = fact(9, "In Process", Some(3));
        assert_eq!(
            compare(&s, &f, &records(&[(3, "Closed Won")], &[(9, "Activated")])),
            None
        );
        assert!(compare(&s, &f, &records(&[(9, "Closed Won")], &[(9, "Activated")])).is_some());
    }
}
