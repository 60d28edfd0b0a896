//! Line items against the store's lines: each line has exactly one QuoteLineItem (when its
//! order has a Quote of its own) and one OrderItem (when it has a Salesforce Order), found by the
//! line's External ID, under that parent, at the store's quantity and price; no parent holds
//! items of no line; a reissued order's lines carry the accepted quote's price.

use std::collections::HashMap;

use fake_salesforce::{FakeSalesforce, Record};
use serde_json::Value;

use crate::facts::{LineFact, OrderFact};
use crate::repairs::RepairDriver;
use crate::verdict::Verdict;

const KEY: &str = "Store_Line_Id__c";
const ORDER_KEY: &str = "Store_Order_Id__c";

/// One line-item object: its records by line key, per parent, and the parents by order id.
struct Items {
    object: &'static str,
    parent_field: &'static str,
    by_line: HashMap<String, Vec<Record>>,
    per_parent: HashMap<String, usize>,
    parents: HashMap<String, String>,
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A money or quantity value in hundredths, whatever its JSON or text form.
fn cents(v: Option<&Value>) -> Option<i64> {
    cents_of(text(v).as_deref())
}

fn cents_of(s: Option<&str>) -> Option<i64> {
    let x: f64 = s?.trim().parse().ok()?;
    Some((x * 100.0).round() as i64)
}

impl Items {
    fn load(fake: &FakeSalesforce, object: &'static str, parent: &'static str) -> Items {
        let parent_field = if object == "QuoteLineItem" {
            "QuoteId"
        } else {
            "OrderId"
        };
        let mut items = Items {
            object,
            parent_field,
            by_line: HashMap::new(),
            per_parent: HashMap::new(),
            parents: HashMap::new(),
        };
        for r in fake.records(object) {
            if let Some(p) = text(r.get(parent_field)) {
                *items.per_parent.entry(p).or_default() += 1;
            }
            let key = text(r.get(KEY)).unwrap_or_default();
            items.by_line.entry(key).or_default().push(r);
        }
        for r in fake.records(parent) {
            if let Some(k) = text(r.get(ORDER_KEY)) {
                items.parents.insert(k, r.id);
            }
        }
        items
    }

    /// Checks the items of one order's `lines`; `want` says whether the order should have them
    /// (its parent record exists), `price` overrides the store's unit price (an accepted quote).
    fn check(&self, v: &mut Verdict, order: i64, lines: &[&LineFact], price: Option<i64>) {
        let parent = self.parents.get(&order.to_string());
        for l in lines {
            let found = self
                .by_line
                .get(&l.id.to_string())
                .map_or(&[][..], Vec::as_slice);
            let want = usize::from(parent.is_some());
            v.add("line_items_checked", 1);
            if found.len() > want {
                v.add("duplicates", (found.len() - want) as u64);
                let what = format!(
                    "{} {}s for line {} of order {order}",
                    found.len(),
                    self.object,
                    l.id
                );
                v.fail("duplicate_line_items", what);
            } else if found.len() < want {
                v.fail(
                    "missing_line_items",
                    format!("no {} for line {} of order {order}", self.object, l.id),
                );
            }
            if let Some((r, p)) = found.first().zip(parent) {
                self.check_values(v, order, l, r, p, price);
            }
        }
        let held = parent
            .and_then(|p| self.per_parent.get(p))
            .copied()
            .unwrap_or(0);
        if parent.is_some() && held != lines.len() {
            v.fail(
                "line_item_count",
                format!(
                    "order {order}'s {} parent holds {held} {}s for {} lines",
                    self.object,
                    self.object,
                    lines.len()
                ),
            );
        }
    }

    /// One item against its store line: parent, quantity and price (`price` overrides the
    /// line's own: an accepted quote).
    fn check_values(
        &self,
        v: &mut Verdict,
        order: i64,
        l: &LineFact,
        r: &Record,
        p: &str,
        price: Option<i64>,
    ) {
        let expected = price.or_else(|| cents_of(l.unit_price.as_deref()));
        let (qty, at) = (cents(r.get("Quantity")), cents(r.get("UnitPrice")));
        let want_qty = l.quantity.map(|q| q * 100);
        if text(r.get(self.parent_field)).as_deref() != Some(p) || qty != want_qty || at != expected
        {
            v.fail(
                "line_item_mismatch",
                format!(
                    "{} {} (line {} of order {order}): parent/quantity/price {:?}/{qty:?}/{at:?}, store {p}/{want_qty:?}/{expected:?} (quantity and price in hundredths)",
                    self.object, r.id, l.id, text(r.get(self.parent_field))
                ),
            );
        }
    }
}

/// Runs the line checks over every order in the store.
pub fn verify_lines(
    v: &mut Verdict,
    repairs: &RepairDriver,
    facts: &[OrderFact],
    lines: &[LineFact],
    fake: &FakeSalesforce,
) {
    v.add("line_items_checked", 0);
    let quote_items = Items::load(fake, "QuoteLineItem", "Quote");
    let order_items = Items::load(fake, "OrderItem", "Order");
    let mut by_order: HashMap<i64, Vec<&LineFact>> = HashMap::new();
    for l in lines {
        by_order.entry(l.order_id).or_default().push(l);
    }
    for f in facts {
        let mine = by_order.get(&f.id).map_or(&[][..], Vec::as_slice);
        let accepted = |id: i64| {
            repairs
                .accepted
                .get(&id)
                .map(|p| (p * 100.0).round() as i64)
        };
        match f.reissue_of {
            // A reissue keeps the accepted quote's lines: no QuoteLineItem of its own.
            Some(of) => {
                quote_items.check(v, f.id, mine, None);
                check_reissue(
                    v,
                    f,
                    mine,
                    by_order.get(&of).map_or(0, Vec::len),
                    accepted(of),
                );
                order_items.check(v, f.id, mine, accepted(of));
            }
            None => {
                quote_items.check(v, f.id, mine, accepted(f.id));
                order_items.check(v, f.id, mine, None);
            }
        }
    }
    for items in [&quote_items, &order_items] {
        let known: std::collections::HashSet<String> =
            lines.iter().map(|l| l.id.to_string()).collect();
        let stray: usize = items
            .by_line
            .iter()
            .filter(|(k, _)| !known.contains(*k))
            .map(|(_, rs)| rs.len())
            .sum();
        if stray > 0 {
            v.fail(
                "stray_line_items",
                format!("{stray} {}s name no store line", items.object),
            );
        }
    }
}

/// A reissued order has as many lines as the order it reissues, each at the accepted price.
fn check_reissue(
    v: &mut Verdict,
    f: &OrderFact,
    lines: &[&LineFact],
    original: usize,
    price: Option<i64>,
) {
    v.add("reissue_prices_checked", 1);
    let wrong: Vec<_> = lines
        .iter()
        .filter(|l| price.is_none() || cents_of(l.unit_price.as_deref()) != price)
        .map(|l| l.unit_price.clone())
        .collect();
    if lines.len() != original || !wrong.is_empty() {
        v.fail(
            "reissue_price_mismatch",
            format!(
                "reissue {} of order {:?}: {} lines for {original}; prices {wrong:?} where the accepted quote says {price:?} (hundredths)",
                f.id, f.reissue_of, lines.len()
            ),
        );
    }
}
