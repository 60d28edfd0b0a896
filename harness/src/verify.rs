//! The chaos suite's assertions, over the store's final state, its history rows and the fake's
//! records: routed or parked, exactly one of each record, one reissue per accepted repair.

use std::collections::HashMap;

use crate::facts::{HistoryFact, OrderFact};
use fake_salesforce::{FakeSalesforce, Record};
use serde_json::Value;

use crate::admin::AdminDriver;
use crate::repairs::RepairDriver;
use crate::seed::Kind;
pub use crate::verdict::Verdict;

const OP: &str = "Order Placed";

/// What one order should look like at the end.
struct Expect {
    status: &'static str,
    history: Vec<(Option<&'static str>, &'static str)>,
    /// Opportunity, Quote, Order records keyed by this order's id.
    records: [usize; 3],
    /// Or none at all: an order canceled in Order Placed, maybe while it was being sent.
    may_be_unsent: bool,
}

/// What an administrator's moves make of `e`: their last status (they write no history row);
/// an order canceled in Order Placed has no history and all records or none.
fn after_admin(mut e: Expect, id: i64, admin: &AdminDriver) -> Expect {
    if admin.placed_cancels.contains(&id) {
        e.history.clear();
        e.may_be_unsent = true;
    }
    if let Some(s) = admin.final_status(id) {
        e.status = match s {
            "Canceled" => "Canceled",
            "Completed" => "Completed",
            _ => "In Process",
        };
    }
    e
}

fn expect(kind: Kind, id: i64, repairs: &RepairDriver) -> Expect {
    let routed = |s: &'static str| Expect {
        status: s,
        history: vec![(Some(OP), s)],
        records: [1, 1, 1],
        may_be_unsent: false,
    };
    match kind {
        Kind::Card => routed("In Process"),
        Kind::PurchaseOrder => routed("Awaiting Payment"),
        Kind::Evaluation { .. } => {
            let mut e = Expect {
                status: "Awaiting Evaluation",
                history: vec![(Some(OP), "Awaiting Evaluation")],
                records: [1, 1, 0],
                may_be_unsent: false,
            };
            if repairs.marked.contains(&id) {
                e.history
                    .push((Some("Awaiting Evaluation"), "Awaiting Customer Approval"));
                e.status = "Awaiting Customer Approval";
            }
            if repairs.accepted.contains_key(&id) {
                e.history
                    .push((Some("Awaiting Customer Approval"), "Canceled"));
                e.status = "Canceled";
            }
            e
        }
        Kind::Incomplete => Expect {
            status: "Incomplete",
            history: vec![],
            records: [0, 0, 0],
            may_be_unsent: false,
        },
        _ => Expect {
            status: OP,
            history: vec![],
            records: [0, 0, 0],
            may_be_unsent: false,
        },
    }
}

fn reissue_expect(po: bool) -> Expect {
    let s = if po { "Awaiting Payment" } else { "In Process" };
    Expect {
        status: s,
        history: vec![(None, OP), (Some(OP), s)],
        records: [0, 0, 1],
        may_be_unsent: false,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Records per External ID value; the excess over one is counted as duplicates.
fn by_key(
    fake: &FakeSalesforce,
    object: &str,
    field: &str,
    v: &mut Verdict,
) -> HashMap<String, usize> {
    let mut map: HashMap<String, usize> = HashMap::new();
    for r in fake.records(object) {
        let r: Record = r;
        if let Some(k) = text(r.get(field)) {
            *map.entry(k).or_default() += 1;
        }
    }
    for (k, n) in &map {
        if *n > 1 {
            v.add("duplicates", (*n - 1) as u64);
            v.fail(
                "duplicate_records",
                format!("{n} {object} records with {field} = {k}"),
            );
        }
    }
    map
}

/// Runs every check. `seeded` is what the harness inserted; reissues are found in `facts`.
pub fn verify(
    seeded: &[(i64, Kind)],
    repairs: &RepairDriver,
    admin: &AdminDriver,
    facts: &[OrderFact],
    history: &[HistoryFact],
    fake: &FakeSalesforce,
) -> Verdict {
    let mut v = Verdict::default();
    v.add("duplicates", 0);
    let facts_by_id: HashMap<i64, &OrderFact> = facts.iter().map(|f| (f.id, f)).collect();
    let mut hist: HashMap<i64, Vec<(Option<&str>, &str)>> = HashMap::new();
    for h in history {
        hist.entry(h.order_id)
            .or_default()
            .push((h.from_status.as_deref(), h.to_status.as_str()));
    }
    let mut recs = Vec::new();
    for (object, field) in [
        ("Opportunity", "Store_Order_Id__c"),
        ("Quote", "Store_Order_Id__c"),
        ("Order", "Store_Order_Id__c"),
    ] {
        recs.push(by_key(fake, object, field, &mut v));
    }
    // Line items are counted per store line by `verify_lines`.
    for (object, field) in [
        ("Account", "Store_Customer_Id__c"),
        ("Contact", "Store_Customer_Id__c"),
    ] {
        by_key(fake, object, field, &mut v);
    }
    let reissues: HashMap<i64, &OrderFact> = facts
        .iter()
        .filter_map(|f| f.reissue_of.map(|of| (of, f)))
        .collect();
    for (id, kind) in seeded {
        v.add(kind.name(), 1);
        check_order(
            &mut v,
            *id,
            *kind,
            after_admin(expect(*kind, *id, repairs), *id, admin),
            &facts_by_id,
            &hist,
            &recs,
        );
        let accepted = repairs.accepted.contains_key(id);
        match (reissues.get(id), accepted) {
            (Some(r), true) => {
                v.add("reissued", 1);
                let po = matches!(kind, Kind::Evaluation { po: true });
                check_order(
                    &mut v,
                    r.id,
                    *kind,
                    reissue_expect(po),
                    &facts_by_id,
                    &hist,
                    &recs,
                );
            }
            (None, true) => v.fail(
                "missing_reissue",
                format!("order {id}: quote accepted, no reissue"),
            ),
            (Some(r), false) => v.fail(
                "unexpected_reissue",
                format!("order {id} reissued as {} without an accepted quote", r.id),
            ),
            (None, false) => {}
        }
    }
    let extra = facts.len() as u64 - seeded.len() as u64 - v.count("reissued");
    if extra != 0 {
        v.fail(
            "unexpected_orders",
            format!("{extra} orders neither seeded nor a reissue of one"),
        );
    }
    v
}

fn check_order(
    v: &mut Verdict,
    id: i64,
    kind: Kind,
    e: Expect,
    facts: &HashMap<i64, &OrderFact>,
    hist: &HashMap<i64, Vec<(Option<&str>, &str)>>,
    recs: &[HashMap<String, usize>],
) {
    let Some(f) = facts.get(&id) else {
        return v.fail("lost", format!("order {id} is gone from the store"));
    };
    let parked = f.sync_state.as_deref() == Some("parked");
    let reason = f.last_error.as_deref().unwrap_or("").trim();
    let key = id.to_string();
    let found: Vec<usize> = recs
        .iter()
        .map(|m| m.get(&key).copied().unwrap_or(0))
        .collect();
    if kind == Kind::Incomplete {
        if f.sync_state.is_some() || found.iter().any(|n| *n > 0) || f.status != "Incomplete" {
            v.fail(
                "incomplete_sent",
                format!(
                    "Incomplete order {id}: status {}, sync {:?}, records {found:?}",
                    f.status, f.sync_state
                ),
            );
        }
    } else if kind.is_malformed() || (f.status == OP && parked && e.status != OP) {
        if !(f.status == OP && parked && !reason.is_empty()) {
            v.fail(
                "malformed_not_parked",
                format!(
                    "{} order {id}: status {}, sync {:?}",
                    kind.name(),
                    f.status,
                    f.sync_state
                ),
            );
        } else if !kind.is_malformed() {
            v.add("parked_well_formed", 1);
            v.fail(
                "parked_well_formed",
                format!("order {id} ({}) parked: {reason}", kind.name()),
            );
        } else {
            v.add("parked_malformed", 1);
        }
        if hist.get(&id).is_some_and(|h| !h.is_empty()) {
            v.fail(
                "history_mismatch",
                format!("parked order {id} has history rows {:?}", hist[&id]),
            );
        }
        return;
    } else if f.status != e.status {
        let check = if f.status == OP {
            "lost"
        } else {
            "wrong_status"
        };
        v.fail(
            check,
            format!(
                "order {id} ({}): {} where {} was expected (sync {:?})",
                kind.name(),
                f.status,
                e.status,
                f.sync_state
            ),
        );
    } else if found.as_slice() != e.records && !(e.may_be_unsent && found == [0, 0, 0]) {
        v.fail(
            "records_mismatch",
            format!(
                "order {id} ({}): Opportunity/Quote/Order {found:?}, expected {:?}",
                kind.name(),
                e.records
            ),
        );
    }
    let got = hist.get(&id).cloned().unwrap_or_default();
    if got != e.history {
        v.fail(
            "history_mismatch",
            format!(
                "order {id} ({}): history {got:?}, expected {:?}",
                kind.name(),
                e.history
            ),
        );
    }
}
