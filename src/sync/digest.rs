//! The alert webhook's payloads: one digest per watchdog check listing the orders that newly
//! need attention (capped, "and N more"), and one recovery message when none is left; the
//! scheduled reconcile's drift alert and its all-clear. README (Operations) documents them.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::domain::Kind;
use crate::report::suggested_action;
use crate::store::StuckOrder;

/// One newly stuck order, as the digest lists it.
pub struct Entry<'a> {
    pub order: &'a StuckOrder,
    pub reason: String,
    pub age_s: i64,
}

impl Entry<'_> {
    pub fn action(&self) -> String {
        suggested_action(
            self.order.last_error_class.as_deref(),
            self.order.sync_state.as_deref(),
            &self.order.order_number,
        )
    }

    fn json(&self, console: &str) -> Value {
        let o = self.order;
        let mut v = json!({
            "order_id": o.id, "order_number": o.order_number, "status": o.status,
            "customer_id": o.customer_id, "customer": o.customer_name, "age_seconds": self.age_s,
            "attempts": o.attempts.unwrap_or(0), "error_class": o.last_error_class,
            "reason": self.reason, "suggested_action": self.action(),
        });
        if !console.is_empty() {
            v["url"] = json!(order_url(console, &o.order_number));
        }
        v
    }
}

/// The console's page for order `number` under `console` (its public URL).
pub fn order_url(console: &str, number: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(number.as_bytes()).collect();
    format!(
        "{}/orders/{}",
        console.trim_end_matches('/'),
        encoded.replace('+', "%20")
    )
}

/// The digest of one check: the first `cap` new entries, the rest counted.
pub fn stuck(entries: &[Entry<'_>], stuck_total: usize, cap: usize, console: &str) -> Value {
    let listed = &entries[..entries.len().min(cap)];
    let more = entries.len() - listed.len();
    let mut text = format!(
        "{} order{} newly need{} attention ({stuck_total} in all):",
        entries.len(),
        if entries.len() == 1 { "" } else { "s" },
        if entries.len() == 1 { "s" } else { "" },
    );
    for e in listed {
        let customer = e.order.customer_name.as_deref();
        text.push_str(&format!(
            "\n• {} ({}): {} → {}",
            escaped(&e.order.order_number),
            escaped(customer.unwrap_or("no customer name")),
            escaped(&e.reason),
            escaped(&e.action())
        ));
    }
    if more > 0 {
        text.push_str(&format!("\n… and {more} more"));
    }
    let mut v = json!({
        "event": "stuck_orders", "text": text, "new_orders": entries.len(),
        "stuck_total": stuck_total, "more": more,
        "orders": listed.iter().map(|e| e.json(console)).collect::<Vec<_>>(),
    });
    if !console.is_empty() {
        v["console_url"] = json!(format!("{}/orders/stuck", console.trim_end_matches('/')));
    }
    v
}

/// Store and Salesforce text as the webhook's `text` may carry it: Slack-style receivers read
/// `<…>` as a mention or a link and `&` as the start of an entity, so a company named
/// `<!channel>` or `<https://evil.example|Open console>` would ping everyone or plant a link.
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The message once no order needs attention any more.
pub fn recovered() -> Value {
    json!({
        "event": "recovered",
        "text": "No order needs attention any more: every order listed before has moved.",
        "new_orders": 0, "stuck_total": 0, "more": 0, "orders": [],
    })
}

/// The scheduled reconcile found drift not seen before: how many orders disagree, per kind (every
/// kind named; an order may count under several), and where to look.
pub fn drift(
    counts: &BTreeMap<Kind, usize>,
    (disagreeing, new): (usize, usize),
    scope: &str,
    console: &str,
) -> Value {
    let per_kind: Vec<String> = counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(k, n)| format!("{} {n}", k.name()))
        .collect();
    let page = match console.trim_end_matches('/') {
        "" => "the console's Drift page".to_string(),
        base => format!("the console's Drift page ({base}/drift)"),
    };
    let text = format!(
        "Salesforce disagrees with the store about {disagreeing} order{} ({new} not seen before) — \
         {}. Scope: {scope}. See {page}, or run `order-sync reconcile`; fixing is a person's call.",
        if disagreeing == 1 { "" } else { "s" },
        per_kind.join(", "),
    );
    let mut v = json!({
        "event": "drift", "text": text, "disagreeing": disagreeing, "new": new,
        "counts": kind_counts(counts), "scope": scope,
    });
    if !console.is_empty() {
        v["console_url"] = json!(format!("{}/drift", console.trim_end_matches('/')));
    }
    v
}

/// The scheduled reconcile found no drift after one that did.
pub fn drift_cleared(scope: &str) -> Value {
    json!({
        "event": "drift_cleared",
        "text": format!("Salesforce agrees with the store again ({scope})."),
        "disagreeing": 0, "new": 0, "counts": kind_counts(&BTreeMap::new()), "scope": scope,
    })
}

/// Every kind with its count (0 when absent), as the metrics name them.
fn kind_counts(counts: &BTreeMap<Kind, usize>) -> Value {
    Kind::ALL
        .iter()
        .map(|k| {
            (
                k.name().to_string(),
                json!(counts.get(k).copied().unwrap_or(0)),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}
