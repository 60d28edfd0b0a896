//! The reconcile report: a summary with counts per kind, then one line per disagreement with
//! what `--fix` would do; or the same as JSON for scripts.

use serde_json::{Value, json};

use super::{Findings, Kind};

/// Prints the report for a person.
pub fn print(f: &Findings) {
    let scope = f.scope.map_or_else(String::new, |s| s.describe());
    let differ = f.disagreeing();
    println!(
        "reconcile: {} checked ({scope}), {} Salesforce API calls ({:.1} s in Salesforce, {:.1} s \
         in the store); {}",
        f.checked,
        f.calls,
        f.salesforce_seconds,
        f.store_seconds,
        match differ {
            0 => "Salesforce agrees with the store".to_string(),
            1 => "1 disagreement".to_string(),
            n => format!("{n} disagreements"),
        }
    );
    for (kind, n) in f.counts() {
        println!("  {:<10} {n}", kind.name());
    }
    if f.in_flight > 0 {
        println!(
            "  ({} orders have a status change on its way: their stage and status were not compared)",
            f.in_flight
        );
    }
    let mut drifts: Vec<_> = f.drifts.iter().collect();
    drifts.sort_by_key(|d| (d.order_id, d.kind));
    for d in drifts {
        let who = match (d.kind, f.numbers.get(&d.order_id)) {
            (Kind::Orphan, _) => format!("store order id {}", d.order_id),
            (_, Some(n)) if *n != d.order_id.to_string() => {
                format!("order {n} (id {})", d.order_id)
            }
            _ => format!("order {}", d.order_id),
        };
        println!("{who}: {} → {}", d.what, d.fix_words());
    }
}

/// The report as JSON.
pub fn to_json(f: &Findings) -> Value {
    let counts: serde_json::Map<String, Value> = Kind::ALL
        .iter()
        .map(|k| {
            (
                k.name().to_string(),
                json!(f.counts().get(k).copied().unwrap_or(0)),
            )
        })
        .collect();
    let drifts: Vec<Value> = f
        .drifts
        .iter()
        .map(|d| {
            json!({
                "order_id": d.order_id.0,
                "order_number": f.numbers.get(&d.order_id),
                "kind": d.kind.name(),
                "what": d.what,
                "fix": d.fix_words(),
            })
        })
        .collect();
    json!({
        "scope": f.scope.map(|s| s.describe()),
        "checked": f.checked,
        "in_flight": f.in_flight,
        "disagreeing": f.disagreeing(),
        "counts": counts,
        "drifts": drifts,
        "api_calls": f.calls,
        "seconds": { "salesforce": f.salesforce_seconds, "store": f.store_seconds },
    })
}
