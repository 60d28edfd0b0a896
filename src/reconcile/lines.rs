//! An order's lines against the line items Salesforce holds under one record: missing ones,
//! other quantities or prices, and items beyond the order's lines.

use rust_decimal::Decimal;

use super::compare::{cents, differs};
use super::{Drift, Kind, Mend};
use crate::domain::Order;
use crate::salesforce::HeldLine;

/// The order's lines against the line items found under one record.
pub(super) fn lines(
    drifts: &mut Vec<Drift>,
    order: &Order,
    on: &str,
    held: &[HeldLine],
    mend: Mend,
) {
    let mut problems = Vec::new();
    let mut missing = 0;
    for l in &order.lines {
        let key = l.id.to_string();
        let Some(h) = held.iter().find(|h| h.key.as_deref() == Some(key.as_str())) else {
            missing += 1;
            continue;
        };
        if h.quantity != Some(Decimal::from(l.quantity)) || differs(h.unit_price, l.unit_price) {
            problems.push(format!(
                "line {key} is {} × {} in Salesforce, {} × {} in the store",
                h.quantity.map_or("?".into(), |q| q.normalize().to_string()),
                h.unit_price.map_or("?".into(), |p| cents(p).to_string()),
                l.quantity,
                cents(l.unit_price)
            ));
        }
    }
    if missing > 0 {
        let what = format!(
            "{missing} of the {on}'s {} line items are missing in Salesforce",
            order.lines.len()
        );
        drifts.push(Drift::new(order.id, Kind::Missing, what, mend.clone()));
    }
    if !problems.is_empty() {
        drifts.push(Drift::new(
            order.id,
            Kind::Lines,
            problems.join("; "),
            mend.clone(),
        ));
    }
    let extra: Vec<&str> = held
        .iter()
        .filter(|h| {
            !order
                .lines
                .iter()
                .any(|l| h.key.as_deref() == Some(l.id.to_string().as_str()))
        })
        .map(|h| h.id.as_str())
        .collect();
    if !extra.is_empty() {
        drifts.push(Drift::new(
            order.id,
            Kind::Duplicate,
            format!(
                "the {on} has line items beyond the order's lines: {}",
                extra.join(", ")
            ),
            Mend::Human("delete them in Salesforce if nobody added them on purpose".into()),
        ));
    }
}
