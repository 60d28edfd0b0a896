//! The alert webhook's payloads: one digest per watchdog check listing the orders that newly
//! need attention (capped, "and N more"), and one recovery message when none is left.
//! README (Operations) documents both.

use serde_json::{Value, json};

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
