//! Lines as Salesforce sees them: a store's nested rows folded into one line per thing bought
//! (Magento's configurables and bundles), and a unit price derived from the line's amount where
//! the store keeps none (WooCommerce's `_line_subtotal`), exact or refused.

use rust_decimal::Decimal;

use super::super::Store;
use super::super::read::{MONEY_SCALE, read_money, read_quantity};
use super::rows::LineRow;
use crate::config::NestedPrice;
use crate::domain::RawLine;

impl Store {
    /// One order's lines from its rows in store order: each top-level row is a line, its
    /// children folded in (priced by the mapping's rule); numbered when the store keeps no number.
    pub(crate) fn order_lines(&self, rows: Vec<LineRow>) -> Vec<RawLine> {
        if self.map.lines.parent.is_none() {
            // Flat lines (most stores): no grouping, no copies.
            return rows
                .into_iter()
                .enumerate()
                .map(|(i, row)| {
                    let price = self.unit_price(&row);
                    self.raw_line(row, i as i64 + 1, price)
                })
                .collect();
        }
        let is_child = |r: &LineRow| {
            r.parent_id
                .filter(|p| *p != 0)
                .is_some_and(|p| rows.iter().any(|x| x.id == p))
        };
        let children: Vec<&LineRow> = rows.iter().filter(|r| is_child(r)).collect();
        let mut lines = Vec::new();
        for row in rows.iter().filter(|r| !is_child(r)) {
            let kids: Vec<&LineRow> = children
                .iter()
                .filter(|c| c.parent_id == Some(row.id))
                .copied()
                .collect();
            let price = self.folded_price(row, &kids);
            let n = lines.len() as i64 + 1;
            lines.push(self.raw_line(row.clone(), n, price));
        }
        lines
    }

    /// The unit price of a top-level row: its own, or (a parent at zero whose children carry
    /// the price) its children's amounts over its quantity.
    fn folded_price(&self, row: &LineRow, kids: &[&LineRow]) -> Option<Result<Decimal, String>> {
        let own = self.unit_price(row)?;
        let by_children = self.map.lines.nested_price == NestedPrice::ParentOrChildren;
        match own {
            Ok(p) if p.is_zero() && by_children && !kids.is_empty() => {
                let quantity = match row.quantity.as_deref().map(read_quantity) {
                    Some(Ok(q)) if q > 0 => q,
                    _ => return Some(Ok(p)), // the quantity's own problem is reported with it
                };
                let mut sum = Decimal::ZERO;
                for kid in kids {
                    match self.amount(kid) {
                        Some(Ok(a)) => sum += a,
                        Some(Err(e)) => return Some(Err(format!("a part of it has {e}"))),
                        None => {}
                    }
                }
                Some(per_unit(sum, quantity))
            }
            other => Some(other),
        }
    }

    /// A row's unit price as the mapping keeps it: given, or its amount over its quantity.
    pub(super) fn unit_price(&self, row: &LineRow) -> Option<Result<Decimal, String>> {
        let given = read_money(row.unit_price.as_deref()?, self.map.money);
        if self.map.lines.per_unit {
            return Some(given);
        }
        let quantity = match row.quantity.as_deref().map(read_quantity) {
            Some(Ok(q)) if q > 0 => q,
            _ => return Some(given.map(|_| Decimal::ZERO)),
        };
        Some(given.and_then(|amount| per_unit(amount, quantity)))
    }

    /// A row's amount: quantity × unit price, or the amount the store keeps.
    fn amount(&self, row: &LineRow) -> Option<Result<Decimal, String>> {
        let given = read_money(row.unit_price.as_deref()?, self.map.money);
        if !self.map.lines.per_unit {
            return Some(given);
        }
        let quantity = row.quantity.as_deref().map(read_quantity)?;
        Some(given.and_then(|p| quantity.map(|q| p * Decimal::from(q))))
    }
}

/// `amount` ÷ `quantity`, when it is a whole number of cents; never rounded.
fn per_unit(amount: Decimal, quantity: i64) -> Result<Decimal, String> {
    let unit = amount / Decimal::from(quantity);
    if unit.normalize().scale() > MONEY_SCALE || unit * Decimal::from(quantity) != amount {
        return Err(format!(
            "an amount of {amount} for {quantity} units, which is no whole number of cents per unit"
        ));
    }
    Ok(unit.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_amount_divides_into_a_unit_price_only_when_exact_to_the_cent() {
        assert_eq!(
            per_unit(Decimal::new(3998, 2), 2),
            Ok(Decimal::new(1999, 2))
        );
        assert_eq!(per_unit(Decimal::new(100, 0), 4), Ok(Decimal::new(25, 0)));
        let e = per_unit(Decimal::new(1000, 2), 3).unwrap_err();
        assert!(e.contains("10.00 for 3 units"), "{e}");
    }
}
